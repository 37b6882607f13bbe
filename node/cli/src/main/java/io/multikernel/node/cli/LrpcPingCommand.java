package io.multikernel.node.cli;

import io.multikernel.node.util.Usage;
import io.multikernel.node.lrpc.LrpcClient;
import io.multikernel.node.lrpc.LrpcEchoProbe;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.SystemNanoClock;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code mk lrpc ping}: echo round trips to a core over its LRPC file.
 */
@Command(name = "ping", mixinStandardHelpOptions = true,
    description = { "Time echo round trips, one at a time, to a core of the local cluster through RUN/lrpc/core-N.lrpc.",
        "Prints RTT p50/p99/max. Fails with one line if the core is not running." })
final class LrpcPingCommand implements Callable<Integer>
{
    static final int COUNT_MAX = 10_000_000;
    static final int PAYLOAD_MAX_BYTES = 512;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    LrpcAttachOptions target;

    @Option(names = "--count", description = "Echoes to time (default: ${DEFAULT-VALUE}).", defaultValue = "1000")
    int count;

    @Option(names = "--warmup", description = "Echoes before timing (default: ${DEFAULT-VALUE}).", defaultValue = "100")
    int warmup;

    @Option(names = "--payload", description = "Bytes per echo (default: ${DEFAULT-VALUE}).", defaultValue = "32")
    int payload;

    @Override
    public Integer call()
    {
        Usage.checkRange(spec, "--count", count, 1, COUNT_MAX);
        Usage.checkRange(spec, "--warmup", warmup, 0, COUNT_MAX);
        Usage.checkRange(spec, "--payload", payload, 0, PAYLOAD_MAX_BYTES);
        try (LrpcClient client = target.attach(spec))
        {
            final Histogram rtt = LrpcEchoProbe.run(client, SystemNanoClock.INSTANCE, count, warmup, payload);
            final PrintWriter out = spec.commandLine().getOut();
            out.printf(Locale.ROOT, "core %d (incarnation %d): %d echoes of %d bytes over LRPC: RTT p50 %.1f us, " +
                "p99 %.1f us, max %.1f us%n", target.core, client.coreIncarnation(), count, payload,
                rtt.getValueAtPercentile(50) / 1000.0, rtt.getValueAtPercentile(99) / 1000.0, rtt.getMaxValue() / 1000.0);
            out.flush();
        }
        return 0;
    }
}
