package io.multikernel.node.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.multikernel.node.cluster.TransportKind;
import io.multikernel.node.launcher.AdminCredentials;
import io.multikernel.node.launcher.ClusterLauncher;
import io.multikernel.node.launcher.FreePorts;
import io.multikernel.node.launcher.RunDirectory;
import io.multikernel.node.launcher.StrictJson;
import io.multikernel.node.skb.RoutingProtocol;

/**
 * {@code mk bench unmap}: the paper's Fig. 7 on JVM cores. For each core count it starts a real
 * cluster (a media driver per host, a JVM per core) with {@link ClusterLauncher}, waits until core 0's
 * SKB holds a complete RTT matrix (the multicast plans are computed from it), attaches an
 * {@link UnmapApp} to core 0 that builds a domain spanning every core, runs each protocol's warmup
 * and measured map/unmap rounds, and stops the cluster before the next count. Then, in this JVM with
 * the clusters gone, the conventional kernel's unmap: {@link SharedMemoryUnmap} at the same counts.
 */
public final class UnmapBenchmark
{
    /** CLUSTER_WARMUP_ROUNDS: most unmeasured unmaps of each protocol on a fresh cluster before any is timed. */
    public static final int CLUSTER_WARMUP_ROUNDS = 200;
    /** Grace period for the cores and drivers to stop after SIGTERM. */
    public static final long STOP_TIMEOUT_MS = 10_000;

    /**
     * @param cores          core counts, one cluster each.
     * @param protocols      protocols run on each cluster.
     * @param hosts          simulated hosts (packages) per cluster.
     * @param rounds         measured unmaps per protocol and count (and of the baseline).
     * @param warmup         unmaps before measuring.
     * @param fillTlbs       load the page on every other core before each unmap.
     * @param idle           idle strategy of cores and drivers.
     * @param fsync          write-ahead log fsync policy of every core: always, group or none.
     * @param runRoot        where each cluster's run directory goes.
     * @param startTimeoutMs how long a cluster may take to come up.
     * @param repeat         runs of the whole set (every count on a fresh cluster, then the baseline); the
     *                       report gives each row's medians over them.
     */
    public record Config(List<Integer> cores, List<RoutingProtocol> protocols, int hosts, int rounds, int warmup,
        boolean fillTlbs, String idle, String fsync, Path runRoot, long startTimeoutMs, int repeat)
    {
        /** One run of the set. */
        public Config(final List<Integer> cores, final List<RoutingProtocol> protocols, final int hosts,
            final int rounds, final int warmup, final boolean fillTlbs, final String idle, final String fsync,
            final Path runRoot, final long startTimeoutMs)
        {
            this(cores, protocols, hosts, rounds, warmup, fillTlbs, idle, fsync, runRoot, startTimeoutMs, 1);
        }

        public Config
        {
            if (repeat < 1)
            {
                throw new IllegalArgumentException("repeat must be at least 1, not " + repeat);
            }
        }
    }

    private final Config config;
    private final PrintStream out;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<String> failures = new ArrayList<>();

    public UnmapBenchmark(final Config config, final PrintStream out)
    {
        this.config = config;
        this.out = out;
    }

    /**
     * @return one row per protocol and core count that ran, then one per core count of the baseline,
     *         each the medians of its {@link Config#repeat} runs; failed runs are in {@link #failures()}.
     * @throws Exception when a cluster could not be started (naming the core or driver and its log).
     */
    public List<UnmapReport.Row> run() throws Exception
    {
        final List<UnmapReport.Row> rows = new ArrayList<>();
        for (int run = 1; run <= config.repeat(); run++)
        {
            if (config.repeat() > 1)
            {
                out.printf("run %d of %d%n", run, config.repeat());
            }
            for (final int cores : config.cores())
            {
                rows.addAll(runCluster(cores, run));
            }
            rows.addAll(runSharedMemory());
        }
        return UnmapReport.medians(rows);
    }

    /** @return one sentence per run that failed. */
    public List<String> failures()
    {
        return failures;
    }

    /** @return the report of the rows, with its target checked. */
    public UnmapReport report(final List<UnmapReport.Row> rows)
    {
        return UnmapReport.of(config.rounds(), config.warmup(), config.fillTlbs(), config.fsync(), config.repeat(), rows);
    }

    private List<UnmapReport.Row> runCluster(final int cores, final int run) throws Exception
    {
        final List<UnmapReport.Row> rows = new ArrayList<>();
        final RunDirectory runDirectory = new RunDirectory(config.runRoot().resolve(
            1 == run ? "cores-" + cores : "cores-" + cores + "-run-" + run));
        final int adminBase = FreePorts.range(cores);
        final int udpBase = FreePorts.range(cores);
        final ClusterLauncher launcher = new ClusterLauncher(runDirectory, out, ClusterLauncher.environmentCoreJvmArgs());
        try (StoppedOnExit cluster = new StoppedOnExit(runDirectory, out, STOP_TIMEOUT_MS))
        {
            final long startNs = System.nanoTime();
            launcher.up(new ClusterLauncher.Options(cores, config.hosts(), TransportKind.IPC, adminBase, udpBase,
                config.idle(), config.startTimeoutMs(), config.fsync()));
            SkbWait.awaitComplete(client, AdminCredentials.of(runDirectory), adminBase);
            out.printf("%d cores up, SKB converged in %.1f s%n", cores, (System.nanoTime() - startNs) / 1e9);
            try (UnmapApp app = new UnmapApp(runDirectory, cores, config.fillTlbs()))
            {
                app.createDomain();
                warmUp(app, cores);
                for (final RoutingProtocol protocol : config.protocols())
                {
                    final UnmapReport.Row row = runProtocol(app, protocol, cores);
                    if (null != row)
                    {
                        rows.add(row);
                        out.print(UnmapReport.tableRow(row));
                        out.flush();
                    }
                }
            }
            catch (final IOException ex)
            {
                final String failure = "the app on " + cores + " cores: " + ex.getMessage();
                out.println("  " + failure);
                failures.add(failure);
            }
        }
        return rows;
    }

    /**
     * Unmeasured rounds of every protocol on the fresh cluster first, so the cores' code is compiled
     * and warm before any protocol is timed (otherwise the first protocol measured pays for it).
     */
    private void warmUp(final UnmapApp app, final int cores) throws IOException
    {
        final int rounds = Math.min(CLUSTER_WARMUP_ROUNDS, Math.max(config.warmup(), 1));
        out.printf("  warming the cluster up: %d unmeasured unmaps with each protocol...%n", rounds);
        for (final RoutingProtocol protocol : config.protocols())
        {
            app.run(protocol, rounds, 0);
        }
    }

    private UnmapReport.Row runProtocol(final UnmapApp app, final RoutingProtocol protocol, final int cores)
    {
        out.printf("  %s on %d cores: %d warmup + %d measured unmaps%s...%n", protocol.cliName(), cores, config.warmup(),
            config.rounds(), config.fillTlbs() ? ", every core's TLB filled before each" : "");
        try
        {
            final long retriesBefore = app.retries();
            final UnmapApp.Latencies latencies = app.run(protocol, config.warmup(), config.rounds());
            if (app.retries() > retriesBefore)
            {
                out.printf("  %d map(s) or load(s) answered 'retry' while a core still held the map prepared; repeated%n",
                    app.retries() - retriesBefore);
            }
            final LatencyPercentiles percentiles = LatencyPercentiles.of(latencies.unmapNs());
            return new UnmapReport.Row(protocol.cliName(), cores, config.hosts(), percentiles.p50Ns() / 1e3,
                percentiles.p99Ns() / 1e3, latencies.shootdownNs().getValueAtPercentile(50) / 1e3);
        }
        catch (final IOException ex)
        {
            final String failure = protocol.cliName() + " on " + cores + " cores: " + ex.getMessage();
            out.println("  " + failure);
            failures.add(failure);
            return null;
        }
    }

    private List<UnmapReport.Row> runSharedMemory()
    {
        out.printf("shared memory (one JVM, a thread per core, IPIs one after another) on %s cores: %d warmup + %d " +
            "measured unmaps...%n", config.cores(), config.warmup(), config.rounds());
        final int[] counts = config.cores().stream().mapToInt(Integer::intValue).toArray();
        final List<UnmapReport.Row> rows = new ArrayList<>();
        try
        {
            for (final SharedMemoryUnmap.Row row : new SharedMemoryUnmap().run(counts, config.rounds(), config.warmup()))
            {
                final UnmapReport.Row converted = UnmapReport.Row.of(row);
                rows.add(converted);
                out.print(UnmapReport.tableRow(converted));
            }
        }
        catch (final IllegalStateException ex)
        {
            final String failure = "shared memory: " + ex.getMessage();
            out.println("  " + failure);
            failures.add(failure);
        }
        out.flush();
        return rows;
    }

}
