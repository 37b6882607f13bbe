package io.multikernel.node.bench;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.multikernel.node.launcher.StrictJson;
import io.multikernel.replication.wal.FsyncPolicy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The table and JSON of {@code mk bench 2pc}, and the multikernel/ZooKeeper ratios with their
 * targets: at fsync {@code none} our p50 at most a tenth of ZooKeeper's and our pipelined
 * throughput at least ten times its; with fsync on both sides our p50 no worse than its.
 */
public final class ReplicatedWriteReport
{
    /** At fsync none: our p50 at most this fraction of ZooKeeper's. */
    public static final double NO_FSYNC_P50_RATIO_TARGET_MAX = 0.1;
    /** At fsync none: our throughput at least this multiple of ZooKeeper's. */
    public static final double NO_FSYNC_THROUGHPUT_RATIO_TARGET_MIN = 10.0;
    /** With fsync on both sides: our p50 at most this multiple of ZooKeeper's. */
    public static final double FSYNC_P50_RATIO_TARGET_MAX = 1.0;

    private final ReplicatedWriteBenchmark.Config config;

    /**
     * One comparison: a multikernel row against the ZooKeeper row of the same fsync setting.
     *
     * @param fsync              the setting.
     * @param replicas           our replica count (ZooKeeper is always three servers).
     * @param p50Ratio           our p50 / ZooKeeper's.
     * @param p50RatioTargetMax  the target for it.
     * @param throughputRatio    our throughput / ZooKeeper's.
     * @param throughputRatioTargetMin the target for it, or 0 where there is none.
     */
    public record Ratio(FsyncPolicy fsync, int replicas, double p50Ratio, double p50RatioTargetMax,
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
     * The JSON report, as {@code --json} writes it and {@link StrictJson} reads it back.
     *
     * @param config what was run.
     * @param rows   one per system, fsync setting and replica count.
     * @param ratios one per multikernel row with a ZooKeeper row at its fsync setting.
     */
    public record Document(Settings config, List<Row> rows, List<RatioRow> ratios)
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
     * @param system         {@code multikernel} or {@code zookeeper}.
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
     * @param fsync                    the fsync setting, in lower case.
     * @param replicas                 our replica count.
     * @param p50Ratio                 our p50 / ZooKeeper's.
     * @param p50RatioTargetMax        the target for it.
     * @param throughputRatio          our throughput / ZooKeeper's.
     * @param throughputRatioTargetMin the target for it; absent where there is none.
     * @param targetsMet               whether every target is met.
     */
    public record RatioRow(String fsync, int replicas, double p50Ratio, double p50RatioTargetMax, double throughputRatio,
        @JsonInclude(JsonInclude.Include.NON_NULL) Double throughputRatioTargetMin, boolean targetsMet)
    {
    }

    public ReplicatedWriteReport(final ReplicatedWriteBenchmark.Config config)
    {
        this.config = config;
    }

    /**
     * @param results rows from {@link ReplicatedWriteBenchmark#run()}.
     * @return every multikernel row that has a ZooKeeper row at the same fsync setting, as ratios.
     */
    public static List<Ratio> ratios(final List<ReplicatedWriteResult> results)
    {
        final List<Ratio> ratios = new ArrayList<>();
        for (final ReplicatedWriteResult ours : results)
        {
            if (!MultikernelReplicatedWrites.NAME.equals(ours.system()))
            {
                continue;
            }
            final Optional<ReplicatedWriteResult> theirs = results.stream()
                .filter(r -> ZooKeeperReplicatedWrites.NAME.equals(r.system()) && r.fsync() == ours.fsync())
                .findFirst();
            theirs.ifPresent(zk ->
            {
                final boolean none = FsyncPolicy.NONE == ours.fsync();
                ratios.add(new Ratio(ours.fsync(), ours.replicas(),
                    (double)ours.p50Ns() / Math.max(1, zk.p50Ns()),
                    none ? NO_FSYNC_P50_RATIO_TARGET_MAX : FSYNC_P50_RATIO_TARGET_MAX,
                    ours.throughputPerS() / Math.max(Double.MIN_NORMAL, zk.throughputPerS()),
                    none ? NO_FSYNC_THROUGHPUT_RATIO_TARGET_MIN : 0.0));
            });
        }
        return ratios;
    }

    /**
     * @param results rows from {@link ReplicatedWriteBenchmark#run()}.
     * @return the human-readable table, ratios and targets.
     */
    public String table(final List<ReplicatedWriteResult> results)
    {
        final StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%nReplicated write of a %d-byte value: latency with one write outstanding " +
            "(%d measured after %d warmup), throughput with %d in flight (measured for %d s); each deployment first ran " +
            "%d s of pipelined writes unmeasured; median of %d run(s)%n", config.payloadBytes(), config.ops(),
            config.warmupOps(), config.inflight(), config.throughputSeconds(), config.warmupSeconds(), config.repeat()));
        if (results.stream().anyMatch(r -> MultikernelReplicatedWrites.NAME.equals(r.system())))
        {
            sb.append("multikernel: one JVM per core over IPC, app on core 0, CPU placement ").append(config.cpus())
                .append(System.lineSeparator());
        }
        if (results.stream().anyMatch(r -> ZooKeeperReplicatedWrites.NAME.equals(r.system())))
        {
            sb.append("zookeeper: a 3-server ensemble on loopback, client on the leader; forceSync=no for fsync none, " +
                "yes for group and always (ZooKeeper always group-commits: it has no fsync-per-write mode)")
                .append(System.lineSeparator());
        }
        if (results.stream().anyMatch(r -> AeronClusterReplicatedWrites.NAME.equals(r.system())))
        {
            sb.append("aeron-cluster: 3 members on loopback UDP, each a JVM with its own driver, Archive and consensus " +
                "module, client with its own driver; Archive fileSyncLevel=0 for fsync none, 1 for group, 2 for always " +
                "(the Archive forces each batch it writes: it group-commits in both)")
                .append(System.lineSeparator());
        }
        sb.append(String.format(Locale.ROOT, "%-13s %-6s %8s %-15s %10s %10s %12s%n",
            "system", "fsync", "replicas", "durability", "p50 us", "p99 us", "writes/s"));
        for (final ReplicatedWriteResult r : results)
        {
            sb.append(String.format(Locale.ROOT, "%-13s %-6s %8d %-15s %10s %10s %12s%n",
                r.system(), name(r.fsync()), r.replicas(), durability(r), micros(r.p50Ns()), micros(r.p99Ns()),
                rate(r.throughputPerS())));
        }
        final List<Ratio> ratios = ratios(results);
        if (ratios.isEmpty())
        {
            sb.append("no multikernel/zookeeper ratios: both systems must be measured at the same fsync setting")
                .append(System.lineSeparator());
            return sb.toString();
        }
        sb.append("ratios multikernel/zookeeper:").append(System.lineSeparator());
        for (final Ratio ratio : ratios)
        {
            sb.append(String.format(Locale.ROOT, "  fsync=%-6s replicas=%d: p50 %.3f (target <= %.2f, %s), " +
                "throughput %.2f (%s)%n", name(ratio.fsync()), ratio.replicas(), ratio.p50Ratio(),
                ratio.p50RatioTargetMax(), ratio.p50Met() ? "met" : "MISSED", ratio.throughputRatio(),
                ratio.throughputRatioTargetMin() > 0 ?
                    String.format(Locale.ROOT, "target >= %.0f, %s", ratio.throughputRatioTargetMin(),
                        ratio.throughputMet() ? "met" : "MISSED") : "no target"));
        }
        return sb.toString();
    }

    /**
     * @param results rows from {@link ReplicatedWriteBenchmark#run()}.
     * @return the {@link Document}: {@code {"config":{...},"rows":[...],"ratios":[...]}}; each row has
     *         {@code system}, {@code fsync}, {@code replicas}, {@code p50_us}, {@code p99_us}, {@code throughput_per_s}.
     */
    public String json(final List<ReplicatedWriteResult> results)
    {
        final Settings settings = new Settings(config.ops(), config.warmupOps(), config.warmupSeconds(),
            config.throughputSeconds(), config.inflight(), config.payloadBytes(), config.repeat(),
            ZooKeeperReplicatedWrites.ENSEMBLE_SERVERS, config.cpus().mode().lowerCaseName());
        final List<Row> rows = results.stream().map(r -> new Row(r.system(), name(r.fsync()), r.replicas(),
            r.p50Ns() / 1000.0, r.p99Ns() / 1000.0, r.throughputPerS())).toList();
        final List<RatioRow> ratios = ratios(results).stream().map(ratio -> new RatioRow(name(ratio.fsync()),
            ratio.replicas(), ratio.p50Ratio(), ratio.p50RatioTargetMax(), ratio.throughputRatio(),
            ratio.throughputRatioTargetMin() > 0 ? ratio.throughputRatioTargetMin() : null, ratio.targetsMet())).toList();
        return StrictJson.write(new Document(settings, rows, ratios));
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

    static String rate(final double perSecond)
    {
        return String.format(Locale.ROOT, "%,.0f", perSecond);
    }
}
