package io.multikernel.node.bench;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.multikernel.node.launcher.StrictJson;
import io.multikernel.replication.wal.FsyncPolicy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The table and JSON of {@code mk bench 2pc}, our ratios against each peer system and against the
 * floor, with their targets: at fsync {@code none} our p50 at most a thirtieth of ZooKeeper's and a
 * tenth of Aeron Cluster's, our pipelined throughput at least 30 times ZooKeeper's and 3 times Aeron
 * Cluster's, and our p50 at most 1.5 times two raw Aeron IPC round trips; with fsync on both sides
 * our p50 no worse than either peer's.
 */
public final class ReplicatedWriteReport
{
    /** At fsync none: our p50 at most this fraction of ZooKeeper's. */
    public static final double ZOOKEEPER_P50_RATIO_TARGET_MAX = 1.0 / 30;
    /** At fsync none: our throughput at least this multiple of ZooKeeper's. */
    public static final double ZOOKEEPER_THROUGHPUT_RATIO_TARGET_MIN = 30.0;
    /** At fsync none: our p50 at most this fraction of Aeron Cluster's. */
    public static final double AERON_CLUSTER_P50_RATIO_TARGET_MAX = 0.1;
    /** At fsync none: our throughput at least this multiple of Aeron Cluster's. */
    public static final double AERON_CLUSTER_THROUGHPUT_RATIO_TARGET_MIN = 3.0;
    /** With fsync on both sides: our p50 at most this multiple of the peer's. */
    public static final double FSYNC_P50_RATIO_TARGET_MAX = 1.0;
    /** At fsync none: our p50 at most this multiple of two raw round trips (a write's critical path). */
    public static final double FLOOR_P50_RATIO_TARGET_MAX = 1.5;
    /** Round trips on a replicated write's critical path: app to coordinator to participants and back. */
    public static final int CRITICAL_PATH_ROUND_TRIPS = 2;

    /**
     * One comparison: a multikernel row against a peer system's row of the same fsync setting.
     *
     * @param peer               the peer system's name.
     * @param fsync              the setting.
     * @param replicas           our replica count (the peers always run three).
     * @param p50Ratio           our p50 / the peer's.
     * @param p50RatioTargetMax  the target for it.
     * @param throughputRatio    our throughput / the peer's.
     * @param throughputRatioTargetMin the target for it, or 0 where there is none.
     */
    public record Ratio(String peer, FsyncPolicy fsync, int replicas, double p50Ratio, double p50RatioTargetMax,
        double throughputRatio, double throughputRatioTargetMin)
    {
        public boolean p50Met()
        {
            return p50Ratio <= p50RatioTargetMax;
        }

        public boolean throughputMet()
        {
            return throughputRatio >= throughputRatioTargetMin;
        }

        public boolean targetsMet()
        {
            return p50Met() && throughputMet();
        }
    }

    /**
     * One multikernel row at fsync none against the floor.
     *
     * @param replicas     our replica count.
     * @param p50Ratio     our p50 / two raw round trips' p50.
     * @param p50RatioTargetMax the target for it.
     */
    public record FloorRatio(int replicas, double p50Ratio, double p50RatioTargetMax)
    {
        public boolean targetMet()
        {
            return p50Ratio <= p50RatioTargetMax;
        }
    }

    /**
     * The JSON report, as {@code --json} writes it and {@link StrictJson} reads it back.
     *
     * @param config what was run.
     * @param rows   one per system, fsync setting and replica count.
     * @param ratios one per multikernel row and peer system measured at its fsync setting.
     * @param floor  the floor and our rows against it; absent when it was not measured.
     */
    public record Document(Settings config, List<Row> rows, List<RatioRow> ratios,
        @JsonInclude(JsonInclude.Include.NON_NULL) FloorDocument floor)
    {
    }

    /**
     * @param ops               writes measured one at a time.
     * @param warmupOps         writes before measuring.
     * @param warmupSeconds     pipelined writes, unmeasured, before each deployment is measured, s.
     * @param throughputSeconds how long throughput is measured, s.
     * @param inflight          writes in flight while measuring throughput.
     * @param payloadBytes      value of each write, bytes.
     * @param repeat            runs of each configuration; the rows are their medians.
     * @param zookeeperServers  servers of the ZooKeeper ensemble.
     * @param cpus              CPU placement of our cores: none, spread or dedicated.
     */
    public record Settings(int ops, int warmupOps, int warmupSeconds, int throughputSeconds, int inflight,
        int payloadBytes, int repeat, int zookeeperServers, String cpus)
    {
    }

    /**
     * @param system         {@code multikernel}, {@code zookeeper} or {@code aeron-cluster}.
     * @param fsync          the fsync setting, in lower case.
     * @param replicas       replicas per write.
     * @param p50Us          median commit latency with one write outstanding, us.
     * @param p99Us          99th percentile of the same, us.
     * @param throughputPerS committed writes per second with pipelining.
     */
    public record Row(String system, String fsync, int replicas, double p50Us, double p99Us, double throughputPerS)
    {
    }

    /**
     * A {@link Ratio} as the JSON shows it.
     *
     * @param peer                     the peer system.
     * @param fsync                    the fsync setting, in lower case.
     * @param replicas                 our replica count.
     * @param p50Ratio                 our p50 / the peer's.
     * @param p50RatioTargetMax        the target for it.
     * @param throughputRatio          our throughput / the peer's.
     * @param throughputRatioTargetMin the target for it; absent where there is none.
     * @param targetsMet               whether every target is met.
     */
    public record RatioRow(String peer, String fsync, int replicas, double p50Ratio, double p50RatioTargetMax,
        double throughputRatio, @JsonInclude(JsonInclude.Include.NON_NULL) Double throughputRatioTargetMin,
        boolean targetsMet)
    {
    }

    /**
     * The floor as the JSON shows it.
     *
     * @param rttP50Us          raw Aeron IPC round trip, median, us.
     * @param rttP99Us          its 99th percentile, us.
     * @param criticalPathUs    {@link #CRITICAL_PATH_ROUND_TRIPS} times the median, us.
     * @param ratios            each multikernel row at fsync none against it.
     */
    public record FloorDocument(double rttP50Us, double rttP99Us, double criticalPathUs, List<FloorRatioRow> ratios)
    {
    }

    /**
     * @param replicas          our replica count.
     * @param p50Ratio          our p50 / the critical path's floor.
     * @param p50RatioTargetMax the target for it.
     * @param targetMet         whether it is met.
     */
    public record FloorRatioRow(int replicas, double p50Ratio, double p50RatioTargetMax, boolean targetMet)
    {
    }

    /** The peer systems ratios are taken against, in the order they are reported. */
    private static final List<String> PEERS = List.of(ZooKeeperReplicatedWrites.NAME, AeronClusterReplicatedWrites.NAME);

    private final ReplicatedWriteBenchmark.Config config;

    public ReplicatedWriteReport(final ReplicatedWriteBenchmark.Config config)
    {
        this.config = config;
    }

    /**
     * @param results rows from {@link ReplicatedWriteBenchmark#run()}.
     * @return every multikernel row against every peer system's row at the same fsync setting, as
     *         ratios: by peer (ZooKeeper, then Aeron Cluster), then in row order.
     */
    public static List<Ratio> ratios(final List<ReplicatedWriteResult> results)
    {
        final List<Ratio> ratios = new ArrayList<>();
        for (final String peer : PEERS)
        {
            for (final ReplicatedWriteResult ours : results)
            {
                if (!MultikernelReplicatedWrites.NAME.equals(ours.system()))
                {
                    continue;
                }
                results.stream()
                    .filter(r -> peer.equals(r.system()) && r.fsync() == ours.fsync())
                    .findFirst()
                    .ifPresent(theirs -> ratios.add(ratio(ours, theirs)));
            }
        }
        return ratios;
    }

    private static Ratio ratio(final ReplicatedWriteResult ours, final ReplicatedWriteResult theirs)
    {
        final boolean none = FsyncPolicy.NONE == ours.fsync();
        final boolean zookeeper = ZooKeeperReplicatedWrites.NAME.equals(theirs.system());
        final double p50Target = !none ? FSYNC_P50_RATIO_TARGET_MAX :
            zookeeper ? ZOOKEEPER_P50_RATIO_TARGET_MAX : AERON_CLUSTER_P50_RATIO_TARGET_MAX;
        final double throughputTarget = !none ? 0.0 :
            zookeeper ? ZOOKEEPER_THROUGHPUT_RATIO_TARGET_MIN : AERON_CLUSTER_THROUGHPUT_RATIO_TARGET_MIN;
        return new Ratio(theirs.system(), ours.fsync(), ours.replicas(),
            (double)ours.p50Ns() / Math.max(1, theirs.p50Ns()), p50Target,
            ours.throughputPerS() / Math.max(Double.MIN_NORMAL, theirs.throughputPerS()), throughputTarget);
    }

    /**
     * @param results rows from {@link ReplicatedWriteBenchmark#run()}.
     * @param floor   the raw round trip.
     * @return every multikernel row at fsync none against {@link #CRITICAL_PATH_ROUND_TRIPS} raw round trips.
     */
    public static List<FloorRatio> floorRatios(final List<ReplicatedWriteResult> results, final PingPongResult floor)
    {
        final double criticalPathNs = Math.max(1, CRITICAL_PATH_ROUND_TRIPS * floor.rttP50Ns());
        return results.stream()
            .filter(r -> MultikernelReplicatedWrites.NAME.equals(r.system()) && FsyncPolicy.NONE == r.fsync())
            .map(r -> new FloorRatio(r.replicas(), r.p50Ns() / criticalPathNs, FLOOR_P50_RATIO_TARGET_MAX))
            .toList();
    }

    /**
     * @param measured what {@link ReplicatedWriteBenchmark#run()} returned.
     * @return the human-readable table, ratios against each peer and the floor, and the targets.
     */
    public String table(final ReplicatedWriteBenchmark.Results measured)
    {
        final List<ReplicatedWriteResult> results = measured.rows();
        final StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%nReplicated write of a %d-byte value: latency with one write outstanding " +
            "(%d measured after %d warmup), throughput with %d in flight (measured for %d s); each deployment first ran " +
            "%d s of pipelined writes unmeasured; median of %d run(s)%n", config.payloadBytes(), config.ops(),
            config.warmupOps(), config.inflight(), config.throughputSeconds(), config.warmupSeconds(), config.repeat()));
        describeSystems(sb, results);
        sb.append(String.format(Locale.ROOT, "%-13s %-6s %8s %-15s %10s %10s %12s%n",
            "system", "fsync", "replicas", "durability", "p50 us", "p99 us", "writes/s"));
        for (final ReplicatedWriteResult r : results)
        {
            sb.append(String.format(Locale.ROOT, "%-13s %-6s %8d %-15s %10s %10s %12s%n",
                r.system(), name(r.fsync()), r.replicas(), durability(r), micros(r.p50Ns()), micros(r.p99Ns()),
                rate(r.throughputPerS())));
        }
        measured.floor().ifPresent(floor -> sb.append(String.format(Locale.ROOT,
            "%-13s %-6s %8s %-15s %10s %10s %12s  (one raw Aeron IPC round trip)%n",
            "floor", "-", "-", "none", finerMicros(floor.rttP50Ns()), finerMicros(floor.rttP99Ns()), "-")));
        final List<Ratio> ratios = ratios(results);
        if (ratios.isEmpty())
        {
            sb.append("no ratios against a peer: multikernel and a peer system must be measured at the same fsync setting")
                .append(System.lineSeparator());
        }
        String peer = "";
        for (final Ratio ratio : ratios)
        {
            if (!peer.equals(ratio.peer()))
            {
                peer = ratio.peer();
                sb.append("ratios multikernel/").append(peer).append(':').append(System.lineSeparator());
            }
            sb.append(String.format(Locale.ROOT, "  fsync=%-6s replicas=%d: p50 %.3f (target <= %.3f, %s), " +
                "throughput %.2f (%s)%n", name(ratio.fsync()), ratio.replicas(), ratio.p50Ratio(),
                ratio.p50RatioTargetMax(), ratio.p50Met() ? "met" : "MISSED", ratio.throughputRatio(),
                ratio.throughputRatioTargetMin() > 0 ?
                    String.format(Locale.ROOT, "target >= %.0f, %s", ratio.throughputRatioTargetMin(),
                        ratio.throughputMet() ? "met" : "MISSED") : "no target"));
        }
        measured.floor().ifPresent(floor ->
        {
            sb.append(String.format(Locale.ROOT, "ratios multikernel/floor (%d raw round trips, %s us):%n",
                CRITICAL_PATH_ROUND_TRIPS, finerMicros(CRITICAL_PATH_ROUND_TRIPS * floor.rttP50Ns())));
            for (final FloorRatio ratio : floorRatios(results, floor))
            {
                sb.append(String.format(Locale.ROOT, "  fsync=none   replicas=%d: p50 %.2f (target <= %.2f, %s)%n",
                    ratio.replicas(), ratio.p50Ratio(), ratio.p50RatioTargetMax(), ratio.targetMet() ? "met" : "MISSED"));
            }
        });
        return sb.toString();
    }

    private void describeSystems(final StringBuilder sb, final List<ReplicatedWriteResult> results)
    {
        if (results.stream().anyMatch(r -> MultikernelReplicatedWrites.NAME.equals(r.system())))
        {
            sb.append("multikernel: one JVM per core over IPC, app on core 0, CPU placement ").append(config.cpus())
                .append(System.lineSeparator());
        }
        if (results.stream().anyMatch(r -> ZooKeeperReplicatedWrites.NAME.equals(r.system())))
        {
            sb.append("zookeeper: a 3-server ensemble on loopback, client on the leader, processes placed by the OS; " +
                "forceSync=no for fsync none, yes for group and always (ZooKeeper always group-commits: it has no " +
                "fsync-per-write mode)").append(System.lineSeparator());
        }
        if (results.stream().anyMatch(r -> AeronClusterReplicatedWrites.NAME.equals(r.system())))
        {
            sb.append("aeron-cluster: 3 members on loopback UDP, each a JVM with its own driver, Archive and consensus " +
                "module, client with its own driver, processes placed by the OS; Archive fileSyncLevel=0 for fsync " +
                "none, 1 for group, 2 for always (the Archive forces each batch it writes: it group-commits in both)")
                .append(System.lineSeparator());
        }
    }

    /**
     * @param measured what {@link ReplicatedWriteBenchmark#run()} returned.
     * @return the {@link Document}: {@code {"config":{...},"rows":[...],"ratios":[...],"floor":{...}}}; each row
     *         has {@code system}, {@code fsync}, {@code replicas}, {@code p50_us}, {@code p99_us},
     *         {@code throughput_per_s}; {@code floor} only when it was measured.
     */
    public String json(final ReplicatedWriteBenchmark.Results measured)
    {
        final List<ReplicatedWriteResult> results = measured.rows();
        final Settings settings = new Settings(config.ops(), config.warmupOps(), config.warmupSeconds(),
            config.throughputSeconds(), config.inflight(), config.payloadBytes(), config.repeat(),
            ZooKeeperReplicatedWrites.ENSEMBLE_SERVERS, config.cpus().mode().lowerCaseName());
        final List<Row> rows = results.stream().map(r -> new Row(r.system(), name(r.fsync()), r.replicas(),
            r.p50Ns() / 1000.0, r.p99Ns() / 1000.0, r.throughputPerS())).toList();
        final List<RatioRow> ratios = ratios(results).stream().map(ratio -> new RatioRow(ratio.peer(),
            name(ratio.fsync()), ratio.replicas(), ratio.p50Ratio(), ratio.p50RatioTargetMax(), ratio.throughputRatio(),
            ratio.throughputRatioTargetMin() > 0 ? ratio.throughputRatioTargetMin() : null, ratio.targetsMet())).toList();
        final FloorDocument floor = measured.floor().map(f -> new FloorDocument(f.rttP50Ns() / 1000.0,
            f.rttP99Ns() / 1000.0, CRITICAL_PATH_ROUND_TRIPS * f.rttP50Ns() / 1000.0,
            floorRatios(results, f).stream().map(r -> new FloorRatioRow(r.replicas(), r.p50Ratio(), r.p50RatioTargetMax(),
                r.targetMet())).toList())).orElse(null);
        return StrictJson.write(new Document(settings, rows, ratios, floor));
    }

    static String durability(final ReplicatedWriteResult result)
    {
        if (ZooKeeperReplicatedWrites.NAME.equals(result.system()))
        {
            return "forceSync=" + (ZooKeeperReplicatedWrites.forceSync(result.fsync()) ? "yes" : "no");
        }
        if (AeronClusterReplicatedWrites.NAME.equals(result.system()))
        {
            return "fileSyncLevel=" + AeronClusterReplicatedWrites.fileSyncLevel(result.fsync());
        }
        return "wal fsync=" + name(result.fsync());
    }

    static String name(final FsyncPolicy fsync)
    {
        return fsync.name().toLowerCase(Locale.ROOT);
    }

    static String micros(final long ns)
    {
        return String.format(Locale.ROOT, "%.1f", ns / 1000.0);
    }

    /** Microseconds to two places: a raw IPC round trip is well under one. */
    static String finerMicros(final long ns)
    {
        return String.format(Locale.ROOT, "%.2f", ns / 1000.0);
    }

    static String rate(final double perSecond)
    {
        return String.format(Locale.ROOT, "%,.0f", perSecond);
    }
}
