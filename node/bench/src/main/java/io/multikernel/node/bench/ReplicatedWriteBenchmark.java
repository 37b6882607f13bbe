package io.multikernel.node.bench;

import io.multikernel.node.launcher.CpuPlacement;
import io.multikernel.replication.wal.FsyncPolicy;
import io.multikernel.transport.Media;
import io.multikernel.transport.TransportConfiguration;
import org.agrona.concurrent.NanoClock;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code mk bench 2pc}: replicated-write commit latency and throughput of each system at each fsync
 * setting and replica count, every configuration in fresh processes, repeated and reported as
 * medians.
 */
public final class ReplicatedWriteBenchmark
{
    /** Writes all dirty pages back to disk between the warm-up and the measured phases. */
    static final String SYNC_COMMAND = "sync";
    /** How long that write-back may take before the benchmark measures anyway, s. */
    static final long SYNC_TIMEOUT_S = 120;

    /** Fewest unmeasured round trips before the floor is measured: enough for the JIT to compile the loop. */
    static final int FLOOR_WARMUP_ROUND_TRIPS_MIN = 50_000;
    /** Messages the floor streams: one, since only its round trips are used. */
    static final long FLOOR_STREAM_MESSAGES = 1;
    /** Where the floor's own per-run lines would go: the benchmark prints its own. */
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    private final Config config;
    private final PrintStream out;

    /**
     * @param systems      systems to measure, in order.
     * @param fsyncs       our fsync settings, in order.
     * @param replicas     replica counts for systems that vary them (ZooKeeper is always three servers).
     * @param ops          measured writes of the latency phase.
     * @param warmupOps    writes before the latency phase.
     * @param warmupSeconds  pipelined writes, unmeasured, after each start and before the latency phase, s.
     * @param throughputSeconds length of the measured throughput phase, s.
     * @param inflight     most outstanding writes in the throughput phase.
     * @param payloadBytes length of every write's value.
     * @param repeat       runs per configuration; medians are reported.
     * @param runDirectory where each deployment gets a directory of its own.
     * @param keepData     keep those directories after the run.
     * @param clock        for latencies and deadlines.
     * @param cpus         where our cores and the app run.
     * @param floor        also measure the floor (raw Aeron IPC ping-pong) once per round when our
     *                     cores are measured.
     */
    public record Config(List<ReplicatedWriteSystems> systems, List<FsyncPolicy> fsyncs, List<Integer> replicas,
        int ops, int warmupOps, int warmupSeconds, int throughputSeconds, int inflight, int payloadBytes, int repeat, Path runDirectory, boolean keepData,
        NanoClock clock, CpuPlacement cpus, boolean floor)
    {
        /** A configuration that leaves the placement of every process to the operating system and measures no floor. */
        public Config(final List<ReplicatedWriteSystems> systems, final List<FsyncPolicy> fsyncs, final List<Integer> replicas,
            final int ops, final int warmupOps, final int warmupSeconds, final int throughputSeconds, final int inflight,
            final int payloadBytes, final int repeat, final Path runDirectory, final boolean keepData, final NanoClock clock)
        {
            this(systems, fsyncs, replicas, ops, warmupOps, warmupSeconds, throughputSeconds, inflight, payloadBytes, repeat,
                runDirectory, keepData, clock, CpuPlacement.none(), false);
        }

        /** @return whether the floor is measured: asked for, and our cores are among the systems. */
        boolean measuresFloor()
        {
            return floor && systems.contains(ReplicatedWriteSystems.MULTIKERNEL);
        }

        ReplicatedWriteSettings settings()
        {
            return new ReplicatedWriteSettings(runDirectory, keepData, payloadBytes, clock, inflight, cpus);
        }
    }

    public ReplicatedWriteBenchmark(final Config config, final PrintStream out)
    {
        this.config = config;
        this.out = out;
    }

    /**
     * What a run measured.
     *
     * @param rows  one per (fsync, system, replica count), medians of the repeats, in run order.
     * @param floor the raw Aeron IPC round trip, medians of one run per round; empty when not measured.
     */
    public record Results(List<ReplicatedWriteResult> rows, Optional<PingPongResult> floor)
    {
        public Results
        {
            rows = List.copyOf(rows);
            Objects.requireNonNull(floor, "floor");
        }

        /** Rows without a floor. */
        public static Results of(final List<ReplicatedWriteResult> rows)
        {
            return new Results(rows, Optional.empty());
        }
    }

    /**
     * @return the rows, and the floor when it was measured.
     * @throws Exception when a deployment does not start or a write fails; the message says which and
     *                   where its log is.
     */
    public Results run() throws Exception
    {
        Files.createDirectories(config.runDirectory());
        out.println(dataDirectoryNote(config.runDirectory(), config.fsyncs()));
        if (config.systems().contains(ReplicatedWriteSystems.MULTIKERNEL))
        {
            out.println("multikernel: R core JVMs and one media driver over IPC, idle strategy " +
                MultikernelReplicatedWrites.IDLE_STRATEGY + " for the cores and the app (" +
                MultikernelReplicatedWrites.PIPELINE_IDLE_STRATEGY + " while its pipelined writes are out), " +
                MultikernelReplicatedWrites.DRIVER_IDLE_STRATEGY + " for the driver; writes are LRPC kv.put calls " +
                "to core 0, which coordinates 2PC on cores 0..R-1");
        }
        if (config.measuresFloor())
        {
            out.println("floor: raw Aeron IPC ping-pong between this JVM and another, idle strategy " +
                MultikernelReplicatedWrites.IDLE_STRATEGY + " on both sides, a media driver with " +
                MultikernelReplicatedWrites.DRIVER_IDLE_STRATEGY + ", " + config.payloadBytes() +
                "-byte payload; a replicated write is two round trips on its critical path");
        }
        final Map<List<Object>, List<ReplicatedWriteResult>> runsByConfiguration = new LinkedHashMap<>();
        final List<PingPongResult> floorRuns = new ArrayList<>();
        for (final Run run : schedule(config))
        {
            if (config.measuresFloor() && floorRuns.size() < run.run())
            {
                floorRuns.add(measureFloor(run.run()));
            }
            runsByConfiguration.computeIfAbsent(List.of(run.fsync(), run.system(), run.replicas()), (key) -> new ArrayList<>())
                .add(runOnce(run.system(), run.fsync(), run.replicas(), run.run()));
        }
        final List<ReplicatedWriteResult> results = new ArrayList<>();
        for (final List<ReplicatedWriteResult> runs : runsByConfiguration.values())
        {
            results.add(ReplicatedWriteResult.median(runs));
        }
        return new Results(results, floorRuns.isEmpty() ? Optional.empty() : Optional.of(PingPongResult.median(floorRuns)));
    }

    /**
     * One run of the floor: raw Aeron over IPC between this JVM and a forked one, with our cores' idle
     * strategy on both sides and their driver's for the media driver, at the writes' payload length.
     * Throughput is not part of the floor, so it streams only a token message.
     */
    private PingPongResult measureFloor(final int round) throws Exception
    {
        final UrpcBenchmark floor = new UrpcBenchmark(new UrpcBenchmark.Config(List.of(Media.IPC), config.payloadBytes(),
            Math.max(config.warmupOps(), FLOOR_WARMUP_ROUND_TRIPS_MIN), config.ops(), FLOOR_STREAM_MESSAGES,
            MultikernelReplicatedWrites.IDLE_STRATEGY, MultikernelReplicatedWrites.DRIVER_IDLE_STRATEGY,
            TransportConfiguration.termLength(), 1, false), QUIET);
        final PingPongResult result = floor.runRaw().get(Media.IPC);
        out.printf(Locale.ROOT, "  %-11s raw Aeron IPC run %d/%d: round trip p50 %s us, p99 %s us%n", "floor", round,
            config.repeat(), ReplicatedWriteReport.finerMicros(result.rttP50Ns()),
            ReplicatedWriteReport.finerMicros(result.rttP99Ns()));
        return result;
    }

    /**
     * One deployment to measure.
     *
     * @param run which of the {@code repeat} runs of its configuration, from 1.
     */
    record Run(ReplicatedWriteSystems system, FsyncPolicy fsync, int replicas, int run)
    {
    }

    /**
     * The order the deployments run in: fsync setting by fsync setting, and within one, round by
     * round, each round running every system and replica count once. The repeats of the two
     * systems interleave, so a slow stretch of a shared machine falls on both sides of a ratio
     * rather than on all of one system's runs.
     */
    static List<Run> schedule(final Config config)
    {
        final List<Run> runs = new ArrayList<>();
        for (final FsyncPolicy fsync : config.fsyncs())
        {
            for (int r = 1; r <= config.repeat(); r++)
            {
                for (final ReplicatedWriteSystems system : config.systems())
                {
                    for (final int replicas : system.replicaCounts(config.replicas()))
                    {
                        runs.add(new Run(system, fsync, replicas, r));
                    }
                }
            }
        }
        return runs;
    }

    private ReplicatedWriteResult runOnce(
        final ReplicatedWriteSystems system, final FsyncPolicy fsync, final int replicas, final int run) throws Exception
    {
        final String label = String.format(Locale.ROOT, "  %-11s fsync=%-6s replicas=%d run %d/%d",
            system.displayName(), fsync.name().toLowerCase(Locale.ROOT), replicas, run, config.repeat());
        out.println(label + ": starting");
        try (ReplicatedWriteSystem deployment = system.create(config.settings()))
        {
            final long startNs = config.clock().nanoTime();
            deployment.start(replicas, fsync);
            out.printf(Locale.ROOT, "%s: started in %.1f s, measuring%n", label,
                (config.clock().nanoTime() - startNs) / 1e9);
            if (config.warmupSeconds() > 0)
            {
                out.printf(Locale.ROOT, "%s: warming up, pipelined writes for %d s%n", label, config.warmupSeconds());
                final double warmup = deployment.measureThroughput(TimeUnit.SECONDS.toNanos(config.warmupSeconds()),
                    config.inflight());
                out.printf(Locale.ROOT, "%s: warm-up ran at %s writes/s%n", label, ReplicatedWriteReport.rate(warmup));
            }
            writeBack(label);
            final LatencyPercentiles latency = deployment.measureLatency(config.warmupOps(), config.ops());
            final double throughput = deployment.measureThroughput(TimeUnit.SECONDS.toNanos(config.throughputSeconds()),
                config.inflight());
            final ReplicatedWriteResult result = new ReplicatedWriteResult(
                system.displayName(), fsync, replicas, latency.p50Ns(), latency.p99Ns(), throughput);
            out.printf(Locale.ROOT, "%s: p50 %s us, p99 %s us, %s writes/s%n", label,
                ReplicatedWriteReport.micros(result.p50Ns()), ReplicatedWriteReport.micros(result.p99Ns()),
                ReplicatedWriteReport.rate(result.throughputPerS()));
            return result;
        }
    }

    /**
     * Writes every dirty page back to disk ({@code sync}), so that the latency phase's fsyncs do not
     * queue behind the write-back of what the warm-up wrote: our warm-up writes ten times as much
     * as ZooKeeper's. Where {@code sync} cannot run, says so and goes on.
     */
    private void writeBack(final String label) throws InterruptedException
    {
        final long startNs = config.clock().nanoTime();
        try
        {
            final Process sync = new ProcessBuilder(SYNC_COMMAND).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!sync.waitFor(SYNC_TIMEOUT_S, TimeUnit.SECONDS))
            {
                sync.destroyForcibly();
                out.printf(Locale.ROOT, "%s: sync did not finish within %d s; measuring anyway%n", label, SYNC_TIMEOUT_S);
                return;
            }
            out.printf(Locale.ROOT, "%s: wrote the warm-up's data back to disk (sync) in %.1f s%n", label,
                (config.clock().nanoTime() - startNs) / 1e9);
        }
        catch (final IOException ex)
        {
            out.printf(Locale.ROOT, "%s: could not run sync (%s); measuring anyway%n", label, ex.getMessage());
        }
    }

    /**
     * @param runDirectory where the data goes.
     * @param fsyncs       the settings to be measured.
     * @return a line naming the directory and its file system, with a warning when fsync cannot
     *         reach a disk there.
     */
    static String dataDirectoryNote(final Path runDirectory, final List<FsyncPolicy> fsyncs)
    {
        String type;
        try
        {
            type = Files.getFileStore(runDirectory).type();
        }
        catch (final IOException ex)
        {
            type = "unknown file system";
        }
        final boolean syncs = fsyncs.stream().anyMatch(f -> FsyncPolicy.NONE != f);
        final boolean memory = "tmpfs".equals(type) || "ramfs".equals(type);
        return "data and logs under " + runDirectory.toAbsolutePath() + " (" + type + ")" +
            (syncs && memory ? "; WARNING: " + type + " is memory, so fsync there never reaches a disk" : "");
    }
}
