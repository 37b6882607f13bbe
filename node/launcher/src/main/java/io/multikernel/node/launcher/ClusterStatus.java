package io.multikernel.node.launcher;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.multikernel.node.cluster.ClusterMap;
import io.multikernel.node.cluster.CoreDescriptor;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What every core of a locally launched cluster says about itself, for {@code mk up} and
 * {@code mk status}. A core that answers its admin API is {@code up}; one whose process lives but
 * does not answer is {@code suspect}; one whose process is gone is {@code down}. A core that answers
 * with a document that is not a status is {@code suspect} too, and its row says what is wrong.
 */
public final class ClusterStatus
{
    /**
     * One core's row.
     *
     * @param id          core id.
     * @param host        the host of the map it runs on.
     * @param state       up, suspect or down; diverged when it runs but its replicas lack committed writes.
     * @param pid         recorded process id, -1 if unknown.
     * @param incarnation reported incarnation, -1 if not answering.
     * @param peersUp     peers it sees up, -1 if not answering.
     * @param peersTotal  peers it has, -1 if not answering.
     * @param rttP50Us    median of its RTTs to peers (each the minimum of recent probes), -1 if none.
     * @param metricsUrl  where Prometheus scrapes it.
     * @param problem     one sentence on why its answer was not a status, or why it is diverged, or null;
     *                    not in the JSON.
     */
    public record CoreRow(int id, int host, String state, long pid, long incarnation, long peersUp, long peersTotal,
        double rttP50Us, String metricsUrl, @JsonIgnore String problem, long rssBytes, long pssBytes, double cpuPercent)
    {
        /** A row whose process cost is not measured (yet): see {@link ClusterStatus#withUsage}. */
        public CoreRow(final int id, final int host, final String state, final long pid, final long incarnation,
            final long peersUp, final long peersTotal, final double rttP50Us, final String metricsUrl, final String problem)
        {
            this(id, host, state, pid, incarnation, peersUp, peersTotal, rttP50Us, metricsUrl, problem, -1, -1, -1);
        }

        public boolean seesAllPeers()
        {
            return "up".equals(state) && seesAllItsPeers();
        }

        /** @return true when it runs, up or diverged, and sees every peer up: a start need wait no longer. */
        public boolean runsSeeingAllPeers()
        {
            return runsOrDiverged() && seesAllItsPeers();
        }

        /** @return true when it answers as running: up, or diverged. */
        public boolean runsOrDiverged()
        {
            return "up".equals(state) || isDiverged();
        }

        private boolean seesAllItsPeers()
        {
            return peersTotal >= 0 && peersUp == peersTotal;
        }

        /** @return true when the core runs but a peer knows of committed transactions its log lost. */
        @JsonIgnore
        public boolean isDiverged()
        {
            return DIVERGED.equals(state);
        }
    }

    /** The state of a core whose replicas lack transactions the cluster committed, as the core says it. */
    public static final String DIVERGED = io.multikernel.node.service.Health.DIVERGED_STATUS;

    /**
     * @return what a diverged core's operator is told: the core's reason, and what can be done.
     */
    static String divergedProblem(final int coreId, final String reason)
    {
        return "core " + coreId + " runs, but its replicas diverged: " + reason + ". Nothing rebuilds a core's " +
            "replicas from its peers: restore its data directory from a backup taken after those writes, or start a " +
            "new cluster; until then read them from the other participants (mk kv get --core N)";
    }

    /**
     * The media driver of one host, as the run directory recorded it: the cores of that host send and
     * receive through it, so one that is gone leaves them deaf and mute until they stop.
     *
     * @param host    host id.
     * @param pid     its process id.
     * @param running whether that process still lives (and is ours).
     * @param paused  whether it lives but is stopped by a signal (SIGSTOP): its cores can neither
     *                connect nor be served until it continues.
     */
    public record DriverRow(int host, long pid, boolean running, boolean paused)
    {
    }

    private final CoreStatusClient client = new CoreStatusClient();

    /**
     * @param runDirectory of the cluster.
     * @return one row per media driver the run directory started, in host order; none for a cluster
     *         it did not start ({@code mk host}, the containers).
     */
    public static List<DriverRow> drivers(final RunDirectory runDirectory)
    {
        return runDirectory.processes().stream().filter(entry -> !entry.isCore())
            .sorted(java.util.Comparator.comparingInt(RunDirectory.Entry::id))
            .map(entry ->
            {
                final boolean running = RunDirectory.live(entry).isPresent();
                return new DriverRow(entry.id(), entry.pid(), running, running && ProcessUsage.isStopped(entry.pid()));
            })
            .toList();
    }

    /**
     * @param drivers from {@link #drivers}.
     * @return one line per driver: running, or gone and what that means for its host's cores.
     */
    public static String driverLines(final List<DriverRow> drivers)
    {
        final StringBuilder sb = new StringBuilder();
        for (final DriverRow driver : drivers)
        {
            sb.append(String.format(Locale.ROOT, "media driver of host %d: pid %d, %s%n", driver.host(), driver.pid(),
                driver.paused() ? "paused (stopped by a signal): the cores of host " + driver.host() + " cannot " +
                    "connect a new Aeron client until it continues (SIGCONT)" :
                driver.running() ? "running" : "gone: the cores of host " + driver.host() + " can no longer send or " +
                    "receive; 'mk down' then 'mk up' starts the host again with its data"));
        }
        return sb.toString();
    }

    /**
     * @param runDirectory of the cluster.
     * @return the cluster map, or a clear error when there is no cluster there.
     */
    public static ClusterMap map(final RunDirectory runDirectory)
    {
        if (!Files.exists(runDirectory.clusterFile()))
        {
            throw new IllegalStateException("no cluster in " + runDirectory.root() + ": start one with 'mk up'");
        }
        return ClusterMap.load(runDirectory.clusterFile());
    }

    /**
     * @param map          the cluster's map.
     * @param runDirectory where its processes are recorded.
     * @return one row per core, in core id order.
     * @throws IllegalStateException when the cluster secret is there but cannot be used ({@link AdminCredentials}).
     */
    public List<CoreRow> query(final ClusterMap map, final RunDirectory runDirectory)
    {
        final List<RunDirectory.Entry> processes = runDirectory.processes();
        final AdminCredentials credentials = AdminCredentials.of(runDirectory);
        final List<CoreRow> rows = new ArrayList<>();
        for (final CoreDescriptor core : map.cores())
        {
            final RunDirectory.Entry entry = processes.stream()
                .filter(e -> e.isCore() && e.id() == core.id()).findFirst().orElse(null);
            CoreStatus status = null;
            String problem = null;
            try
            {
                status = client.status(core.id(), map.adminUrl(core.id()), credentials);
            }
            catch (final IllegalArgumentException ex)
            {
                problem = ex.getMessage();
            }
            if (null != status && null != entry && status.pid() > 0 && status.pid() != entry.pid())
            {
                // Another cluster's core holds the port, and this run directory's core (which could not
                // bind it) must not be taken for up on that one's word.
                problem = "core " + core.id() + "'s admin address " + map.adminUrl(core.id()) + " is answered by " +
                    "process " + status.pid() + ", not by the core this run directory started (pid " + entry.pid() +
                    "): another cluster holds its ports; stop that one with mk down, or give this one other " +
                    "--admin-base-port and --udp-base-port";
                status = null;
            }
            if (null != status && DIVERGED.equals(status.state()))
            {
                problem = divergedProblem(core.id(), status.reason());
            }
            final boolean alive = null != entry && RunDirectory.live(entry).isPresent();
            // A recorded process that is gone is down, whoever answers on its port; without a record, an
            // answer that is not a status is all there is to go on.
            final String state = null != status ? status.state() : alive || null != problem && null == entry ? "suspect" :
                "down";
            rows.add(new CoreRow(core.id(), core.hostId(), state, null == entry ? -1 : entry.pid(),
                null == status ? -1 : status.incarnation(),
                null == status ? -1 : status.peersUp(),
                null == status ? -1 : status.peersTotal(),
                null == status ? -1 : status.medianPeerRttUs(),
                map.adminUrl(core.id()) + "/metrics", problem));
        }
        return rows;
    }

    /**
     * Adds what each core's process costs (RSS, PSS, CPU over {@link ProcessUsage#CPU_SAMPLE_MS}), for
     * the cores whose processes run on this machine; the others keep -1 (unknown). Takes that window.
     *
     * @param rows from {@link #query}.
     * @return the same rows with their cost.
     */
    public static List<CoreRow> withUsage(final List<CoreRow> rows) throws InterruptedException
    {
        final Map<Long, ProcessUsage.Usage> usage = ProcessUsage.sample(
            rows.stream().map(CoreRow::pid).filter(pid -> pid > 0).toList(), ProcessUsage.CPU_SAMPLE_MS);
        final List<CoreRow> measured = new ArrayList<>();
        for (final CoreRow row : rows)
        {
            final ProcessUsage.Usage u = usage.getOrDefault(row.pid(), ProcessUsage.Usage.UNKNOWN);
            measured.add(new CoreRow(row.id(), row.host(), row.state(), row.pid(), row.incarnation(), row.peersUp(),
                row.peersTotal(), row.rttP50Us(), row.metricsUrl(), row.problem(), u.rssBytes(), u.pssBytes(),
                u.cpuPercentMachine()));
        }
        return measured;
    }

    /**
     * @param rows from {@link #query}.
     * @return one line per core, then one per core whose answer was not a status, saying why.
     */
    public static String table(final List<CoreRow> rows)
    {
        final StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
            "%-5s %-8s %-8s %-20s %-9s %-12s %-7s %-7s %-6s %s%n",
            "core", "state", "pid", "incarnation", "peers up", "rtt p50 us", "rss MB", "pss MB", "cpu %", "metrics"));
        for (final CoreRow row : rows)
        {
            sb.append(String.format(Locale.ROOT, "%-5d %-8s %-8s %-20s %-9s %-12s %-7s %-7s %-6s %s%n", row.id(),
                row.state(), row.pid() < 0 ? "-" : Long.toString(row.pid()),
                row.incarnation() < 0 ? "-" : Long.toString(row.incarnation()),
                row.peersTotal() < 0 ? "-" : row.peersUp() + "/" + row.peersTotal(),
                row.rttP50Us() < 0 ? "-" : String.format(Locale.ROOT, "%.1f", row.rttP50Us()),
                megabytes(row.rssBytes()), megabytes(row.pssBytes()),
                row.cpuPercent() < 0 ? "-" : String.format(Locale.ROOT, "%.1f", row.cpuPercent()),
                row.metricsUrl()));
        }
        rows.stream().filter(row -> null != row.problem())
            .forEach(row -> sb.append(row.problem()).append(System.lineSeparator()));
        return sb.toString();
    }

    /**
     * @param rows from {@link #query}.
     * @return one line per core whose process here is stopped by a signal: it shows as suspect, and
     *         this says why and how to continue it.
     */
    public static String stoppedLines(final List<CoreRow> rows)
    {
        final StringBuilder sb = new StringBuilder();
        rows.stream().filter(row -> row.pid() > 0 && ProcessUsage.isStopped(row.pid())).forEach(row ->
            sb.append("core ").append(row.id()).append(" (pid ").append(row.pid()).append(") is stopped by a signal ")
                .append("(SIGSTOP, or a debugger): its peers see it suspect, then down, until it continues (kill -CONT ")
                .append(row.pid()).append(')').append(System.lineSeparator()));
        return sb.toString();
    }

    private static String megabytes(final long bytes)
    {
        return bytes < 0 ? "-" : String.format(Locale.ROOT, "%.1f", bytes / 1e6);
    }

    /**
     * @param rows from {@link #query}.
     * @return {@code [{"id","host","state","pid","incarnation","peers_up","peers_total","rtt_p50_us","metrics_url","rss_bytes","pss_bytes","cpu_percent"}]}; -1 for what is unknown.
     */
    public static String json(final List<CoreRow> rows)
    {
        return StrictJson.write(rows);
    }
}
