package io.multikernel.node.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.multikernel.node.cluster.TransportKind;
import io.multikernel.node.launcher.AdminCredentials;
import io.multikernel.node.launcher.AdminError;
import io.multikernel.node.launcher.ClusterLauncher;
import io.multikernel.node.launcher.FreePorts;
import io.multikernel.node.launcher.RunDirectory;
import io.multikernel.node.launcher.StrictJson;
import io.multikernel.node.skb.RoutingProtocol;

/**
 * {@code mk bench shootdown}: the paper's Fig. 6 on JVM cores. For each core count it starts a
 * real cluster (a media driver per host, a JVM per core) with {@link ClusterLauncher}, waits until
 * every core sees every other and core 0's SKB holds a complete RTT matrix, then asks core 0 through
 * {@code POST /bench/shootdown} to run each protocol's warmup and measured rounds to every other
 * core inside its kernel loop, collects the summaries, and stops the cluster before the next count.
 */
public final class ShootdownBenchmark
{
    /** Longest one protocol's run may take on the initiator. */
    public static final long RUN_TIMEOUT_MS = TimeUnit.MINUTES.toMillis(10);
    /** Grace period for the cores and drivers to stop after SIGTERM. */
    public static final long STOP_TIMEOUT_MS = 10_000;
    /** Rounds of each protocol run, unmeasured, on a fresh cluster before anything is measured. */
    public static final int CLUSTER_WARMUP_ROUNDS = 500;

    /**
     * @param cores          core counts, one cluster each.
     * @param protocols      protocols run on each cluster.
     * @param hosts          simulated hosts (packages) per cluster.
     * @param rounds         measured rounds per protocol.
     * @param warmup         warmup rounds per protocol.
     * @param idle           idle strategy of cores and drivers.
     * @param runRoot        where each cluster's run directory goes.
     * @param startTimeoutMs how long a cluster may take to come up.
     */
    public record Config(List<Integer> cores, List<RoutingProtocol> protocols, int hosts, int rounds, int warmup,
        String idle, Path runRoot, long startTimeoutMs)
    {
    }

    /**
     * One table and JSON row: a protocol on a cluster.
     *
     * @param protocol  the protocol.
     * @param cores     cores in the cluster (initiator and targets).
     * @param hosts     hosts (packages).
     * @param summary   the initiator's answer.
     */
    public record Row(RoutingProtocol protocol, int cores, int hosts, ShootdownSummary summary)
    {
    }

    private final Config config;
    private final PrintStream out;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<String> failures = new ArrayList<>();

    public ShootdownBenchmark(final Config config, final PrintStream out)
    {
        this.config = config;
        this.out = out;
    }

    /**
     * @return one row per protocol and core count that ran; failures are kept in {@link #failures()}.
     * @throws Exception when a cluster could not be started (naming the core or driver and its log).
     */
    public List<Row> run() throws Exception
    {
        final List<Row> rows = new ArrayList<>();
        for (final int cores : config.cores())
        {
            final RunDirectory runDirectory = new RunDirectory(config.runRoot().resolve("cores-" + cores));
            final int adminBase = FreePorts.range(cores);
            final int udpBase = FreePorts.range(cores);
            final ClusterLauncher launcher = new ClusterLauncher(runDirectory, out, List.of());
            try (StoppedOnExit cluster = new StoppedOnExit(runDirectory, out, STOP_TIMEOUT_MS))
            {
                final long startNs = System.nanoTime();
                launcher.up(new ClusterLauncher.Options(cores, config.hosts(), TransportKind.IPC, adminBase, udpBase,
                    config.idle(), config.startTimeoutMs()));
                final AdminCredentials credentials = AdminCredentials.of(runDirectory);
                SkbWait.awaitComplete(client, credentials, adminBase);
                out.printf("%d cores up, SKB converged in %.1f s%n", cores, (System.nanoTime() - startNs) / 1e9);
                warmCluster(cores, credentials, adminBase);
                for (final RoutingProtocol protocol : config.protocols())
                {
                    final Row row = runProtocol(protocol, cores, credentials, adminBase);
                    if (null != row)
                    {
                        rows.add(row);
                        out.print(tableRow(row));
                        out.flush();
                    }
                }
            }
        }
        return rows;
    }

    /**
     * @return one sentence per protocol run that failed.
     */
    public List<String> failures()
    {
        return failures;
    }

    /**
     * The cores have just started and are still compiling: without this the first protocol measured
     * pays for it. One unmeasured run per protocol, each of {@link #CLUSTER_WARMUP_ROUNDS} rounds.
     */
    private void warmCluster(final int cores, final AdminCredentials credentials, final int adminBase) throws Exception
    {
        out.printf("  warming the cluster: %d rounds of each protocol, not measured%n", CLUSTER_WARMUP_ROUNDS);
        for (final RoutingProtocol protocol : config.protocols())
        {
            final HttpResponse<String> response = post(protocol, credentials, adminBase, CLUSTER_WARMUP_ROUNDS, 0);
            if (200 != response.statusCode())
            {
                out.println("  warming with " + protocol.cliName() + " on " + cores + " cores failed: " + response.body());
            }
        }
    }

    private HttpResponse<String> post(final RoutingProtocol protocol, final AdminCredentials credentials,
        final int adminBase, final int rounds, final int warmup) throws Exception
    {
        final URI uri = URI.create("http://127.0.0.1:" + adminBase + "/bench/shootdown?protocol=" + protocol.cliName() +
            "&rounds=" + rounds + "&warmup=" + warmup);
        return client.send(credentials.authorize(HttpRequest.newBuilder(uri))
            .timeout(Duration.ofMillis(RUN_TIMEOUT_MS)).POST(HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    private Row runProtocol(final RoutingProtocol protocol, final int cores, final AdminCredentials credentials,
        final int adminBase) throws Exception
    {
        out.printf("  %s on %d cores: %d warmup + %d measured rounds...%n", protocol.cliName(), cores, config.warmup(),
            config.rounds());
        final HttpResponse<String> response = post(protocol, credentials, adminBase, config.rounds(), config.warmup());
        final String source = "core 0's answer to " + protocol.cliName() + " on " + cores + " cores";
        if (200 != response.statusCode())
        {
            final String failure = protocol.cliName() + " on " + cores + " cores failed: " +
                StrictJson.read(response.body(), AdminError.class, source).error();
            out.println("  " + failure);
            failures.add(failure);
            return null;
        }
        return new Row(protocol, cores, config.hosts(), StrictJson.read(response.body(), ShootdownSummary.class, source));
    }

    /**
     * @return the header of the table {@link #tableRow} prints rows of.
     */
    public static String tableHeader()
    {
        return String.format("%-10s %5s %5s %10s %10s %10s %6s %10s %6s%n",
            "protocol", "cores", "hosts", "p50 us", "p99 us", "init msgs", "hops", "total msgs", "failed");
    }

    /**
     * @param row a result.
     * @return one line of the table.
     */
    public static String tableRow(final Row row)
    {
        final ShootdownSummary summary = row.summary();
        return String.format("%-10s %5d %5d %10.1f %10.1f %10d %6d %10d %6d%n", row.protocol().cliName(), row.cores(),
            row.hosts(), summary.p50Ns() / 1e3, summary.p99Ns() / 1e3, summary.initiatorMessages(), summary.hops(),
            summary.totalMessages(), summary.roundsFailed());
    }

    /**
     * @param rows the results.
     * @return the {@link ShootdownReport}: {@code {"benchmark":"shootdown",...,"rows":[{protocol, cores, hosts,
     *         p50_ns, p99_ns, initiator_messages, hops, ...}]}}.
     */
    public String json(final List<Row> rows)
    {
        return StrictJson.write(new ShootdownReport(ShootdownReport.BENCHMARK, config.hosts(), config.rounds(),
            config.warmup(), config.idle(), rows.stream().map(row ->
            {
                final ShootdownSummary summary = row.summary();
                return new ShootdownReport.Row(row.protocol().cliName(), row.cores(), row.hosts(), summary.p50Ns(),
                    summary.p99Ns(), summary.maxNs(), summary.initiatorMessages(), summary.hops(), summary.totalMessages(),
                    summary.measured(), summary.roundsFailed(), summary.wireRequests(), summary.plan());
            }).toList()));
    }

    /**
     * @param file where to write the JSON; parent directories are created.
     * @param rows the results.
     */
    public void writeJson(final Path file, final List<Row> rows) throws IOException
    {
        final Path parent = file.toAbsolutePath().getParent();
        if (null != parent)
        {
            Files.createDirectories(parent);
        }
        Files.writeString(file, json(rows));
    }

    /**
     * The paper's Fig. 6 from the rows: one line per protocol, x = cores, y = p50 latency of a round, µs.
     * A row with no measured round has no latency and is left out; so is a protocol left with no rows.
     *
     * @param rows the results, at least one with measured rounds.
     * @return the chart, ready to {@link LatencyChart#write(Path) write}.
     * @throws IllegalArgumentException when no row has a measured round.
     */
    public LatencyChart chart(final List<Row> rows)
    {
        final Map<String, List<LatencyChart.Point>> series = new LinkedHashMap<>();
        for (final Row row : rows)
        {
            if (row.summary().measured() > 0)
            {
                series.computeIfAbsent(row.protocol().cliName(), name -> new ArrayList<>())
                    .add(new LatencyChart.Point(row.cores(), row.summary().p50Ns() / 1e3));
            }
        }
        if (series.isEmpty())
        {
            throw new IllegalArgumentException("no shootdown run measured a round, so there is nothing to chart");
        }
        return new LatencyChart("TLB shootdown: p50 latency of one round, " + config.hosts() + " host(s) (Fig. 6)",
            "cores", "p50 latency (\u00b5s)", series);
    }

    /**
     * @param file where; {@code .png} or {@code .svg} ({@link LatencyChart#formatOf}); parent directories are created.
     * @param rows the results, at least one with measured rounds.
     */
    public void writeChart(final Path file, final List<Row> rows) throws IOException
    {
        chart(rows).write(file);
    }
}
