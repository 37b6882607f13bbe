package io.multikernel.node.cli;

import io.multikernel.node.util.Usage;
import io.multikernel.node.lrpc.LrpcChannel;
import io.multikernel.node.lrpc.LrpcClient;
import io.multikernel.node.lrpc.LrpcConfiguration;
import io.multikernel.node.lrpc.LrpcCoreServices;
import io.multikernel.node.lrpc.LrpcEchoProbe;
import io.multikernel.node.lrpc.LrpcServer;
import io.multikernel.transport.IdleStrategies;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.SystemNanoClock;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code mk bench lrpc}: echo round trips over an in-process LRPC channel, an app thread against a
 * serving thread that polls like a kernel loop. The cross-process figure comes from
 * {@code mk lrpc ping} against a running cluster.
 */
@Command(name = "lrpc", mixinStandardHelpOptions = true,
    description = { "LRPC echo round trips in process: an app thread and a kernel-loop thread on one channel.",
        "For the cross-process figure run 'mk up' and 'mk lrpc ping --core N'." })
final class BenchLrpcCommand implements Callable<Integer>
{
    static final int REPEAT_MAX = 100;
    static final int ROUND_TRIPS_MAX = 10_000_000;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--round-trips", description = "Timed echoes per run (default: ${DEFAULT-VALUE}).",
        defaultValue = "100000")
    int roundTrips;

    @Option(names = "--warmup", description = "Echoes before timing (default: ${DEFAULT-VALUE}).", defaultValue = "20000")
    int warmup;

    @Option(names = "--payload", description = "Bytes per echo (default: ${DEFAULT-VALUE}).", defaultValue = "32")
    int payload;

    @Option(names = "--idle", description = "Idle strategy of both threads (default: ${DEFAULT-VALUE}).",
        defaultValue = "yielding")
    String idle;

    @Option(names = "--repeat", description = "Runs; the table shows medians (default: ${DEFAULT-VALUE}).",
        defaultValue = "3")
    int repeat;

    @Override
    public Integer call() throws Exception
    {
        Usage.checkRange(spec, "--round-trips", roundTrips, 1, ROUND_TRIPS_MAX);
        Usage.checkRange(spec, "--warmup", warmup, 0, ROUND_TRIPS_MAX);
        Usage.checkRange(spec, "--payload", payload, 0, LrpcPingCommand.PAYLOAD_MAX_BYTES);
        Usage.checkRange(spec, "--repeat", repeat, 1, REPEAT_MAX);
        try
        {
            IdleStrategies.validate(idle);
        }
        catch (final IllegalArgumentException ex)
        {
            throw Usage.error(spec, ex.getMessage());
        }
        final long[] p50 = new long[repeat];
        final long[] p99 = new long[repeat];
        for (int run = 0; run < repeat; run++)
        {
            final Histogram rtt = runOnce();
            p50[run] = rtt.getValueAtPercentile(50);
            p99[run] = rtt.getValueAtPercentile(99);
        }
        Arrays.sort(p50);
        Arrays.sort(p99);
        final PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "LRPC in process, %s idle, %d-byte echoes, median of %d run(s) of %d: RTT p50 %.2f us, " +
            "p99 %.2f us%n", idle, payload, repeat, roundTrips, p50[repeat / 2] / 1000.0, p99[repeat / 2] / 1000.0);
        out.flush();
        return 0;
    }

    private Histogram runOnce() throws InterruptedException
    {
        final long pid = ProcessHandle.current().pid();
        final LrpcChannel channel = LrpcChannel.createInMemory(LrpcConfiguration.layout(), 0, System.nanoTime(), pid,
            SystemEpochClock.INSTANCE.time());
        final LrpcServer server = new LrpcServer(new LrpcServer.Context().channel(channel));
        LrpcCoreServices.register(server);
        final AtomicBoolean running = new AtomicBoolean(true);
        final Thread kernel = new Thread(() ->
        {
            final IdleStrategy idleStrategy = IdleStrategies.of(idle, 1_000_000);
            while (running.get())
            {
                idleStrategy.idle(server.doWork());
            }
        }, "lrpc-bench-kernel");
        kernel.start();
        try (LrpcClient client = LrpcClient.attach(new LrpcClient.Context().channel(channel)
            .idleStrategy(IdleStrategies.of(idle, 1_000_000))))
        {
            return LrpcEchoProbe.run(client, SystemNanoClock.INSTANCE, roundTrips, warmup, payload);
        }
        finally
        {
            running.set(false);
            kernel.join();
            server.close();
        }
    }
}
