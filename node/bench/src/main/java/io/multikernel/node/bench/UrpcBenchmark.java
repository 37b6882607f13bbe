package io.multikernel.node.bench;

import io.aeron.Aeron;
import io.multikernel.node.launcher.StrictJson;
import io.multikernel.transport.IdleStrategies;
import io.multikernel.transport.JvmFlags;
import io.multikernel.transport.Media;
import io.multikernel.transport.TransportConfiguration;
import io.multikernel.transport.UrpcMediaDriver;
import org.HdrHistogram.Histogram;
import org.agrona.IoUtil;
import org.agrona.concurrent.IdleStrategy;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * URPC against the floor. For each media (IPC, UDP loopback) and each system (raw Aeron, URPC with
 * SBE) it forks a ponging JVM, measures round trips from this JVM with one message in flight, then
 * one-way streaming throughput (after a warm-up stream of the same length), and repeats; medians of the repeats are reported with the URPC/raw
 * ratios. Both systems run with the same idle strategy, driver, term length and payload.
 */
public final class UrpcBenchmark
{
    /** Target: URPC round-trip p50 at most this multiple of raw Aeron's. */
    public static final double RTT_P50_RATIO_TARGET = 1.25;
    /** Target: URPC throughput at least this fraction of raw Aeron's. */
    public static final double THROUGHPUT_RATIO_TARGET = 0.8;
    /** URPC/raw RTT p50 target with every frame sealed and verified (four MACs per round trip). */
    public static final double RTT_P50_RATIO_TARGET_AUTHENTICATED = 1.3;
    /** URPC/raw throughput target with every frame sealed and verified. */
    public static final double THROUGHPUT_RATIO_TARGET_AUTHENTICATED = 0.7;
    /** The floor: plain Aeron publications and subscriptions. */
    static final String RAW = "raw";
    static final List<String> SYSTEMS = List.of(RAW, "urpc");
    /** Environment variable with extra JVM options for the ponging JVMs. */
    public static final String PEER_JAVA_OPTS_ENV = "MK_BENCH_PEER_JAVA_OPTS";
    private static final long CONNECT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(20);
    private static final long HISTOGRAM_MAX_NS = TimeUnit.SECONDS.toNanos(10);
    /** Shortest warm-up of the streaming phase, whatever the message count. */
    private static final long STREAM_WARMUP_MIN_NS = TimeUnit.SECONDS.toNanos(2);
    /** Shortest measured streaming phase: streams of the given length repeat until it has passed. */
    static final long STREAM_MEASURE_MIN_NS = TimeUnit.SECONDS.toNanos(1);

    private final Config config;
    private final PrintStream out;

    /**
     * @param transports        media to measure.
     * @param payloadLength     bytes of payload per message.
     * @param warmupRoundTrips  round trips before measuring.
     * @param roundTrips        measured round trips.
     * @param streamMessages    messages per stream; the throughput phase streams for at least 1 s.
     * @param idle              idle strategy of both sides.
     * @param driverIdle        idle strategy of the media driver.
     * @param termLength        of every log, bytes.
     * @param repeat            runs per (media, system); medians are reported.
     */
    public record Config(List<Media> transports, int payloadLength, int warmupRoundTrips, int roundTrips,
        long streamMessages, String idle, String driverIdle, int termLength, int repeat, boolean authenticated)
    {
        /** @throws IllegalArgumentException when a payload does not fit the raw side's one frame per message. */
        public Config
        {
            for (final Media media : transports)
            {
                final String problem = payloadProblem(media, termLength, payloadLength);
                if (null != problem)
                {
                    throw new IllegalArgumentException(problem);
                }
            }
        }
    }

    /**
     * @return why raw Aeron cannot carry such a payload as one claim on the media at that term length
     *         (one frame: 1,368 bytes on UDP, up to 32 KiB on IPC), or null.
     */
    public static String payloadProblem(final Media media, final int termLength, final int payloadLength)
    {
        final int max = BenchChannels.rawPayloadMax(media, termLength);
        return payloadLength <= max ? null : "a payload of " + payloadLength + " bytes is more than raw Aeron sends as " +
            "one message on " + media.name().toLowerCase(java.util.Locale.ROOT) + " with " + termLength +
            "-byte terms (" + max + " bytes in one frame)";
    }

    public UrpcBenchmark(final Config config, final PrintStream out)
    {
        this.config = config;
        this.out = out;
    }

    /**
     * @return medians by media, then by system ({@code raw}, {@code urpc}).
     * @throws Exception when a peer does not start or connect; the message says which and where its log is.
     */
    public Map<Media, Map<String, PingPongResult>> run() throws Exception
    {
        return measure(SYSTEMS);
    }

    /**
     * Raw Aeron alone over the configured media: the floor another benchmark compares itself with.
     *
     * @return medians by media.
     * @throws Exception when the peer does not start or connect.
     */
    public Map<Media, PingPongResult> runRaw() throws Exception
    {
        final Map<Media, PingPongResult> raw = new EnumMap<>(Media.class);
        measure(List.of(RAW)).forEach((media, bySystem) -> raw.put(media, bySystem.get(RAW)));
        return raw;
    }

    private Map<Media, Map<String, PingPongResult>> measure(final List<String> systems) throws Exception
    {
        final Path workDir = Files.createTempDirectory("mk-bench-urpc-");
        // In memory, as a cluster's (Aeron's default): log buffers on a disk-backed directory wait
        // for writeback whenever the disk is busy, and both systems' figures swing with it.
        final Path aeronDir = Path.of(TransportConfiguration.aeronDirectory() + "-bench-urpc-" +
            ProcessHandle.current().pid());
        final Map<Media, Map<String, PingPongResult>> results = new EnumMap<>(Media.class);
        try (UrpcMediaDriver driver = UrpcMediaDriver.launch(new UrpcMediaDriver.Context()
            .aeronDirectory(aeronDir.toString())
            .idleStrategy(config.driverIdle)
            .termLength(config.termLength)
            .deleteDirectoryOnStart(true));
            Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectory())))
        {
            for (final Media media : config.transports)
            {
                final Map<String, List<PingPongResult>> runs = new LinkedHashMap<>();
                for (int r = 1; r <= config.repeat; r++)
                {
                    for (final String system : systems)
                    {
                        final PingPongResult result = runOnce(aeron, driver.aeronDirectory(), workDir, media, system);
                        runs.computeIfAbsent(system, k -> new ArrayList<>()).add(result);
                        out.printf(Locale.ROOT, "  %-3s %-4s run %d/%d: rtt p50 %s, p99 %s, %s msgs/s%n",
                            media.name().toLowerCase(Locale.ROOT), system, r, config.repeat,
                            micros(result.rttP50Ns()), micros(result.rttP99Ns()), rate(result.throughputMsgsPerS()));
                    }
                }
                final Map<String, PingPongResult> medians = new LinkedHashMap<>();
                runs.forEach((system, list) -> medians.put(system, PingPongResult.median(list)));
                results.put(media, medians);
            }
        }
        finally
        {
            IoUtil.delete(workDir.toFile(), true);
            IoUtil.delete(aeronDir.toFile(), true);
        }
        return results;
    }

    private PingPongResult runOnce(
        final Aeron aeron, final String aeronDirectory, final Path workDir, final Media media, final String system)
        throws Exception
    {
        final BenchChannels channels = new BenchChannels(media, config.termLength,
            Media.UDP == media ? freeUdpPort() : 0, Media.UDP == media ? freeUdpPort() : 0,
            config.authenticated ? BenchChannels.newFrameKey(new java.security.SecureRandom()) : BenchChannels.UNAUTHENTICATED);
        final List<String> command = JvmFlags.javaCommand(BenchPeerMain.class, peerJvmArguments());
        command.addAll(List.of(system, aeronDirectory, config.idle));
        command.addAll(List.of(channels.toArgs()));
        final Path log = workDir.resolve(system + "-" + media + "-peer.log");
        try (ChildProcess peer = ChildProcess.start(system + " peer", command, log, BenchPeerMain.READY);
            PingPongPeer pinger = RAW.equals(system) ?
                new RawPeers.Pinger(aeron, channels, idle(), config.payloadLength) :
                new UrpcPeers.Pinger(aeronDirectory, channels, idle(), config.payloadLength))
        {
            awaitConnected(pinger, peer, system, media);
            return measure(pinger);
        }
    }

    private PingPongResult measure(final PingPongPeer pinger)
    {
        for (int i = 0; i < config.warmupRoundTrips; i++)
        {
            pinger.roundTrip(System.nanoTime());
        }
        final Histogram rtt = new Histogram(HISTOGRAM_MAX_NS, 3);
        for (int i = 0; i < config.roundTrips; i++)
        {
            final long sentNs = System.nanoTime();
            final long echoedNs = pinger.roundTrip(sentNs);
            if (echoedNs != sentNs)
            {
                throw new IllegalStateException("echo carried " + echoedNs + " but " + sentNs + " was sent");
            }
            rtt.recordValue(Math.min(System.nanoTime() - sentNs, HISTOGRAM_MAX_NS));
        }
        // Warm the streaming path up at least as long as it is measured, and for at least
        // STREAM_WARMUP_MIN_NS: it is not the round-trip path (no replies, full batches), and on a
        // busy 2-CPU machine the JIT needs a while to compile it. A warm-up of one 1M-message
        // stream (about 0.1 s) measured URPC at 7 to 9 M msgs/s where five times that gave 12 to 13 M.
        final long warmupEndNs = System.nanoTime() + STREAM_WARMUP_MIN_NS;
        do
        {
            pinger.stream(config.streamMessages);
        }
        while (System.nanoTime() - warmupEndNs < 0);
        // Streams one after another for at least STREAM_MEASURE_MIN_NS: one stream of 1M messages
        // lasts 60 to 130 ms on IPC, a few scheduler periods of a 2-CPU machine, and single streams
        // swung 2x either way from run to run.
        final long startNs = System.nanoTime();
        long streamed = 0;
        long elapsedNs;
        do
        {
            pinger.stream(config.streamMessages);
            streamed += config.streamMessages;
            elapsedNs = System.nanoTime() - startNs;
        }
        while (elapsedNs < STREAM_MEASURE_MIN_NS);
        return PingPongResult.of(rtt, streamed * 1e9 / elapsedNs);
    }

    private void awaitConnected(final PingPongPeer pinger, final ChildProcess peer, final String system, final Media media)
    {
        final long deadlineNs = System.nanoTime() + CONNECT_TIMEOUT_NS;
        while (!pinger.isConnected())
        {
            pinger.poll();
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new IllegalStateException(system + " over " + media + " did not connect within " +
                    TimeUnit.NANOSECONDS.toSeconds(CONNECT_TIMEOUT_NS) + " s; peer log: " + peer.tail());
            }
            Thread.yield();
        }
    }

    /**
     * The ponging JVM's flags: a small heap, plus {@value #PEER_JAVA_OPTS_ENV} (whitespace separated)
     * for profiling it, e.g. {@code -XX:StartFlightRecording=filename=pong.jfr}.
     */
    static List<String> peerJvmArguments()
    {
        final List<String> arguments = new ArrayList<>(List.of("-Xmx128m"));
        final String extra = System.getenv(PEER_JAVA_OPTS_ENV);
        if (null != extra && !extra.isBlank())
        {
            arguments.addAll(List.of(extra.trim().split("\\s+")));
        }
        return arguments;
    }

    private IdleStrategy idle()
    {
        return IdleStrategies.of(config.idle, TransportConfiguration.idleParkMaxNs());
    }

    private double rttTarget()
    {
        return config.authenticated ? RTT_P50_RATIO_TARGET_AUTHENTICATED : RTT_P50_RATIO_TARGET;
    }

    private double throughputTarget()
    {
        return config.authenticated ? THROUGHPUT_RATIO_TARGET_AUTHENTICATED : THROUGHPUT_RATIO_TARGET;
    }

    /**
     * @param results from {@link #run()}.
     * @return the human-readable table with ratios and targets.
     */
    public String table(final Map<Media, Map<String, PingPongResult>> results)
    {
        final StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%nURPC vs raw Aeron: %d-byte payload, idle=%s, driver idle=%s, " +
            "%d round trips, streams of %d messages for at least 1 s, median of %d run(s), frames %s%n",
            config.payloadLength, config.idle, config.driverIdle, config.roundTrips, config.streamMessages, config.repeat,
            config.authenticated ? "sealed (MAC and sequence)" : "unauthenticated"));
        sb.append(String.format(Locale.ROOT, "%-5s %-5s %10s %10s %10s %10s %10s %14s%n",
            "media", "system", "p50 us", "p90 us", "p99 us", "p99.9 us", "max us", "msgs/s"));
        results.forEach((media, bySystem) ->
        {
            bySystem.forEach((system, r) -> sb.append(String.format(Locale.ROOT, "%-5s %-5s %10s %10s %10s %10s %10s %14s%n",
                media.name().toLowerCase(Locale.ROOT), system, micros(r.rttP50Ns()), micros(r.rttP90Ns()),
                micros(r.rttP99Ns()), micros(r.rttP999Ns()), micros(r.rttMaxNs()), rate(r.throughputMsgsPerS()))));
            final double rttRatio = rttRatio(bySystem);
            final double throughputRatio = throughputRatio(bySystem);
            sb.append(String.format(Locale.ROOT, "%-5s ratio urpc/raw: rtt p50 %.2f (target <= %.2f%s), " +
                "throughput %.2f (target >= %.2f%s)%n", media.name().toLowerCase(Locale.ROOT),
                rttRatio, rttTarget(), rttRatio <= rttTarget() ? ", met" : ", MISSED",
                throughputRatio, throughputTarget(), throughputRatio >= throughputTarget() ? ", met" : ", MISSED"));
        });
        return sb.toString();
    }

    /**
     * @param results from {@link #run()}.
     * @return the JSON report ({@link UrpcReport}): keyed by media ({@code ipc}, {@code udp}), then
     *         {@code raw}, {@code urpc} and {@code ratio}.
     */
    public String json(final Map<Media, Map<String, PingPongResult>> results)
    {
        final Map<String, UrpcReport.MediaResult> media = new LinkedHashMap<>();
        results.forEach((medium, bySystem) ->
        {
            final double rttRatio = rttRatio(bySystem);
            final double throughputRatio = throughputRatio(bySystem);
            media.put(medium.name().toLowerCase(Locale.ROOT), new UrpcReport.MediaResult(bySystem.get("raw"),
                bySystem.get("urpc"), new UrpcReport.Ratio(rttRatio, throughputRatio, rttTarget(),
                throughputTarget(), rttRatio <= rttTarget() && throughputRatio >= throughputTarget())));
        });
        return StrictJson.write(new UrpcReport(new UrpcReport.Config(config.payloadLength, config.idle,
            config.driverIdle, config.termLength, config.roundTrips, config.warmupRoundTrips, config.streamMessages,
            config.repeat, config.authenticated), media));
    }

    private static double rttRatio(final Map<String, PingPongResult> bySystem)
    {
        return (double)bySystem.get("urpc").rttP50Ns() / Math.max(1, bySystem.get("raw").rttP50Ns());
    }

    private static double throughputRatio(final Map<String, PingPongResult> bySystem)
    {
        return bySystem.get("urpc").throughputMsgsPerS() / bySystem.get("raw").throughputMsgsPerS();
    }

    private static String micros(final long ns)
    {
        return String.format(Locale.ROOT, "%.2f", ns / 1000.0);
    }

    private static String rate(final double perSecond)
    {
        return String.format(Locale.ROOT, "%,.0f", perSecond);
    }

    static int freeUdpPort() throws IOException
    {
        try (java.net.DatagramSocket socket = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }
}
