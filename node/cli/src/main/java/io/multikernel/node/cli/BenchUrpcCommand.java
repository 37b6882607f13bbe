package io.multikernel.node.cli;

import io.multikernel.common.Sizes;
import io.multikernel.node.util.Usage;
import io.multikernel.node.bench.PingPongResult;
import io.multikernel.node.bench.UrpcBenchmark;
import io.multikernel.transport.IdleStrategies;
import io.multikernel.transport.Media;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code mk bench urpc}: URPC (SBE over Aeron) against raw Aeron ping-pong, peers in separate JVMs.
 */
@Command(name = "urpc", mixinStandardHelpOptions = true,
    description = { "URPC against the floor: raw Aeron ping-pong vs URPC with SBE, over IPC and UDP loopback.",
        "The ponging side runs in a separate JVM. Prints RTT percentiles, one-way throughput and URPC/raw ratios." })
final class BenchUrpcCommand implements Callable<Integer>
{
    static final int REPEAT_MAX = 100;
    static final int PAYLOAD_MAX_BYTES = 16 * 1024;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--transport", split = ",", description = "ipc, udp or both (default: ${DEFAULT-VALUE}).",
        defaultValue = "ipc,udp")
    List<String> transports;

    @Option(names = "--payload", description = "Payload bytes per message (default: ${DEFAULT-VALUE}).", defaultValue = "64")
    int payload;

    @Option(names = "--warmup", description = "Round trips before measuring (default: ${DEFAULT-VALUE}).",
        defaultValue = "20000")
    int warmup;

    @Option(names = "--round-trips", description = "Measured round trips (default: ${DEFAULT-VALUE}).",
        defaultValue = "100000")
    int roundTrips;

    @Option(names = "--stream-messages", description = "Messages per stream in the throughput phase; streams " +
        "repeat for at least 1 s (default: ${DEFAULT-VALUE}).",
        defaultValue = "1000000")
    long streamMessages;

    @Option(names = "--idle", description = "Idle strategy of both sides: busy-spin, yielding, backoff, sleeping " +
        "(default: ${DEFAULT-VALUE}).", defaultValue = "yielding")
    String idle;

    @Option(names = "--driver-idle", description = "Idle strategy of the media driver (default: ${DEFAULT-VALUE}).",
        defaultValue = "busy-spin")
    String driverIdle;

    @Option(names = "--term-length", description = "Log term length (default: ${DEFAULT-VALUE}).", defaultValue = "256k")
    String termLength;

    @Option(names = "--repeat", description = "Runs per media and system; medians are reported (default: ${DEFAULT-VALUE}).",
        defaultValue = "3")
    int repeat;

    @Option(names = "--unauthenticated", description = "URPC frames without seals (MAC and sequence), to measure " +
        "what authentication costs; by default they are sealed, as in a cluster.")
    boolean unauthenticated;

    @Option(names = "--json", description = "Also write the results as JSON to this file.")
    Path json;

    @Override
    public Integer call() throws Exception
    {
        io.multikernel.node.util.Usage.checkOutputFile(spec, "--json", json);
        final UrpcBenchmark.Config config = config();
        final UrpcBenchmark benchmark = new UrpcBenchmark(config, System.out);
        System.out.println("mk bench urpc: " + config.transports().size() * 2 * config.repeat() +
            " runs, each with a ponging JVM of its own");
        final Map<Media, Map<String, PingPongResult>> results = benchmark.run();
        System.out.print(benchmark.table(results));
        final String report = benchmark.json(results);
        System.out.println(report);
        if (null != json)
        {
            writeJson(report);
            System.out.println("JSON written to " + json);
        }
        return 0;
    }

    private UrpcBenchmark.Config config()
    {
        final List<Media> media = transports.stream().map(this::media).distinct().toList();
        final int term;
        try
        {
            term = Sizes.parseInt("--term-length", termLength);
        }
        catch (final IllegalArgumentException ex)
        {
            throw Usage.error(spec, ex.getMessage());
        }
        if (term < 64 * 1024 || Integer.bitCount(term) != 1)
        {
            throw Usage.error(spec, "--term-length=" + termLength + " is not a power of two of at least 64k");
        }
        Usage.checkRange(spec, "--payload", payload, 0, PAYLOAD_MAX_BYTES);
        for (final Media medium : media)
        {
            final String problem = UrpcBenchmark.payloadProblem(medium, term, payload);
            Usage.check(spec, null == problem, "--payload=" + payload + ": " + problem);
        }
        Usage.check(spec, warmup >= 0, "--warmup=" + warmup + " is negative");
        Usage.check(spec, roundTrips > 0, "--round-trips=" + roundTrips + " must be at least 1");
        Usage.check(spec, streamMessages > 0, "--stream-messages=" + streamMessages + " must be at least 1");
        Usage.checkRange(spec, "--repeat", repeat, 1, REPEAT_MAX);
        try
        {
            IdleStrategies.validate(idle);
            IdleStrategies.validate(driverIdle);
        }
        catch (final IllegalArgumentException ex)
        {
            throw Usage.error(spec, ex.getMessage());
        }
        return new UrpcBenchmark.Config(media, payload, warmup, roundTrips, streamMessages, idle, driverIdle, term, repeat,
            !unauthenticated);
    }

    private Media media(final String name)
    {
        return switch (name.trim().toLowerCase(Locale.ROOT))
        {
            case "ipc" -> Media.IPC;
            case "udp" -> Media.UDP;
            default -> throw Usage.error(spec, "--transport=" + name + " is unknown: use ipc, udp or ipc,udp");
        };
    }

    private void writeJson(final String report) throws IOException
    {
        final Path parent = json.toAbsolutePath().getParent();
        if (null != parent)
        {
            Files.createDirectories(parent);
        }
        Files.writeString(json, report + System.lineSeparator(), StandardCharsets.UTF_8);
    }
}
