package io.multikernel.node.cli;

import io.multikernel.node.cluster.ClusterMap;
import io.multikernel.node.cluster.TransportKind;
import io.multikernel.node.launcher.ClusterLauncher;
import io.multikernel.node.launcher.ClusterStatus;
import io.multikernel.node.launcher.ClusterStopper;
import io.multikernel.node.launcher.FreePorts;
import io.multikernel.node.launcher.AdminCredentials;
import io.multikernel.node.launcher.RunDirectory;
import io.multikernel.node.lrpc.LrpcClient;
import io.multikernel.node.skb.RoutingProtocol;
import io.multikernel.node.vm.VmCalls;
import io.multikernel.node.vm.VmClient;
import org.agrona.concurrent.NanoClock;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code mk demo} from start to verdict: starts a cluster in a fresh run directory, attaches one app
 * per core, creates the domains, runs the mix for the duration with a progress line every second,
 * waits for the cluster to be quiet, checks for stale accesses and asks every core whether its
 * replicas agree, prints (and writes) the summary, and stops the cluster unless it is to be kept. A
 * shutdown hook stops the cluster when the JVM is told to exit (Ctrl-C) before the run is over.
 *
 * <p>Attached to a running cluster instead ({@code --attach}: one started by {@code mk up}, or a
 * docker-compose cluster), it waits until every core sees every other, gives each core's app its LRPC
 * channel when the channel's file is on this host and the core's admin API otherwise, and after the
 * verdict takes away what it made ({@link DemoTeardown}); the cluster keeps running.
 */
final class DemoRun
{
    /** PROGRESS_INTERVAL_NS: how often the progress line is printed. */
    static final long PROGRESS_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
    /** SETUP_WAIT_MS: longest the apps may take to attach and create their domains. */
    static final long SETUP_WAIT_MS = 60_000;
    /** APP_STOP_WAIT_MS: longest an app may take to finish its step once told to stop. */
    static final long APP_STOP_WAIT_MS = 30_000;
    /** QUIET_TIMEOUT_NS: how long the replicas are asked again until they agree. */
    static final long QUIET_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(15);
    /** QUIET_POLL_MS: pause between two asks. */
    static final long QUIET_POLL_MS = 250;
    /** ATTACH_NOTE_INTERVAL_NS: how often an attached demo says which cores it still waits for. */
    static final long ATTACH_NOTE_INTERVAL_NS = TimeUnit.SECONDS.toNanos(5);
    /** STOP_TIMEOUT_MS: grace period for the cores and drivers to stop after SIGTERM. */
    static final long STOP_TIMEOUT_MS = 10_000;
    /** STOP_ATTEMPTS: tries to stop the cluster when an interrupt cuts a stop short. */
    static final int STOP_ATTEMPTS = 2;
    /**
     * HOOK_WAIT_MS: how long the shutdown hook waits for the run to stop its apps and its cluster, ms:
     * an app's last step, then both groups' grace periods, with a margin.
     */
    static final long HOOK_WAIT_MS = APP_STOP_WAIT_MS + 3 * STOP_TIMEOUT_MS;
    private static final String UNAVAILABLE_NOTE = "page-table comparison unavailable";

    /**
     * @param cores          cores of the cluster, 2..16.
     * @param hosts          simulated hosts.
     * @param durationNs     how long the mix runs.
     * @param ratePerS       steps per second per app at most; 0 for no limit.
     * @param protocol       the shootdown protocol, or null to take turns over all of them.
     * @param mix            the workload.
     * @param json           where to write the summary, or null.
     * @param keep           leave the cluster running at the end.
     * @param runDirectory   the cluster's run directory.
     * @param seed           the apps' seed.
     * @param startTimeoutMs how long the cluster may take to come up (or, attached, to be all up).
     * @param attach         run against the cluster already running in the run directory.
     * @param temporary      the run directory is one the demo made for itself: removed after a passing
     *                       run whose cluster is not kept, left for its logs otherwise.
     */
    record Config(int cores, int hosts, long durationNs, int ratePerS, RoutingProtocol protocol, DemoMix mix, Path json,
        boolean keep, RunDirectory runDirectory, long seed, long startTimeoutMs, boolean attach, boolean temporary)
    {
    }

    private final Config config;
    private final PrintStream out;
    private final NanoClock clock;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicBoolean clusterToStop = new AtomicBoolean(false);
    /** Set when the JVM was told to exit (Ctrl-C, SIGTERM) before the run was over. */
    private final AtomicBoolean exitRequested = new AtomicBoolean(false);
    /** Counted down when {@link #run()} has stopped what it started and returns: the shutdown hook waits for it. */
    private final java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(1);
    private volatile Thread runner;

    DemoRun(final Config config, final PrintStream out, final NanoClock clock)
    {
        this.config = config;
        this.out = out;
        this.clock = clock;
    }

    /** @return the summary; the cluster is stopped (unless kept) whatever happens. */
    DemoSummary run() throws Exception
    {
        runner = Thread.currentThread();
        final Thread hook = new Thread(this::stopOnExit, "mk-demo-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        boolean passed = false;
        try
        {
            final Map<Integer, String> adminUrls = config.attach() ? attachCluster() : startCluster();
            final DemoSummary summary = runWorkload(adminUrls);
            if (exitRequested.get())
            {
                // Interrupted: no verdict for a run cut short.
                return summary;
            }
            out.print(summary.text());
            if (null != config.json())
            {
                summary.writeJson(config.json());
                out.println("wrote " + config.json());
            }
            passed = DemoSummary.PASS.equals(summary.verdict());
            return summary;
        }
        finally
        {
            running.set(false);
            if (config.keep() && clusterToStop.get())
            {
                clusterToStop.set(false);
                final Path root = config.runDirectory().root();
                out.println("the cluster keeps running in " + root + ": look with 'mk status --run-dir " + root +
                    "' or curl each core's /caps, /domains and /metrics; stop it with 'mk down --run-dir " + root + "'");
            }
            if (stopCluster())
            {
                if (passed && config.temporary())
                {
                    org.agrona.IoUtil.delete(config.runDirectory().root().toFile(), true);
                    out.println("stopped the cluster and removed its run directory (give --run-dir for one that stays)");
                }
                else
                {
                    out.println("stopped the cluster (the metrics URLs above no longer answer); its logs and data stay " +
                        "in " + config.runDirectory().root());
                }
            }
            removeHook(hook);
            finished.countDown();
        }
    }

    /** Waits until every core of the running cluster is up and sees every other. */
    private Map<Integer, String> attachCluster() throws InterruptedException
    {
        final ClusterMap map = ClusterStatus.map(config.runDirectory());
        final ClusterStatus status = new ClusterStatus();
        final long deadlineNs = clock.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.startTimeoutMs());
        long nextNoteNs = clock.nanoTime();
        while (true)
        {
            final List<ClusterStatus.CoreRow> rows = status.query(map, config.runDirectory());
            final List<Integer> waiting = rows.stream().filter(row -> !row.seesAllPeers()).map(ClusterStatus.CoreRow::id)
                .toList();
            if (waiting.isEmpty())
            {
                break;
            }
            if (clock.nanoTime() - deadlineNs > 0)
            {
                throw new IllegalStateException("cores " + waiting + " of the cluster in " + config.runDirectory().root() +
                    " were not up and seeing every peer within " + config.startTimeoutMs() + " ms; see mk status");
            }
            if (clock.nanoTime() - nextNoteNs >= 0)
            {
                out.println("waiting for cores " + waiting + " to be up and see every peer...");
                nextNoteNs = clock.nanoTime() + ATTACH_NOTE_INTERVAL_NS;
            }
            Thread.sleep(QUIET_POLL_MS);
        }
        out.printf("attached to the cluster of %d cores in %s%n", config.cores(), config.runDirectory().root());
        final Map<Integer, String> adminUrls = new TreeMap<>();
        for (final int core : map.coreIds())
        {
            adminUrls.put(core, map.adminUrl(core));
        }
        return adminUrls;
    }

    /** @return the app's way to its core: the LRPC channel when its file is here, else (attached only) the admin API. */
    private VmCalls open(final int core)
    {
        final Path channel = config.runDirectory().findLrpcFile(core);
        if (!config.attach() || Files.exists(channel))
        {
            // Attached again after a restart of the core (mk restart, or a kill and a supervisor's restart).
            return new ReattachingVmCalls(core,
                () -> new VmClient(LrpcClient.attach(new LrpcClient.Context().file(channel).coreId(core))), clock);
        }
        return new AdminVmCalls(AdminClient.of(config.runDirectory().root(), core));
    }

    private Map<Integer, String> startCluster() throws Exception
    {
        final int adminBase = FreePorts.range(config.cores());
        final int udpBase = FreePorts.range(config.cores());
        clusterToStop.set(true);
        final long startNs = clock.nanoTime();
        new ClusterLauncher(config.runDirectory(), out).up(new ClusterLauncher.Options(config.cores(), config.hosts(),
            TransportKind.IPC, adminBase, udpBase, "backoff", config.startTimeoutMs()));
        out.printf("cluster of %d cores up in %.1f s in %s%n", config.cores(), (clock.nanoTime() - startNs) / 1e9,
            config.runDirectory().root());
        final ClusterMap map = ClusterStatus.map(config.runDirectory());
        final Map<Integer, String> adminUrls = new TreeMap<>();
        for (final int core : map.coreIds())
        {
            adminUrls.put(core, map.adminUrl(core));
        }
        return adminUrls;
    }

    private DemoSummary runWorkload(final Map<Integer, String> adminUrls) throws Exception
    {
        final DemoRegistry registry = new DemoRegistry(config.cores());
        final DemoStats stats = new DemoStats();
        final DemoStaleAccessChecker checker = new DemoStaleAccessChecker();
        final AtomicLong protocolTurn = new AtomicLong();
        final CountDownLatch start = new CountDownLatch(config.cores());
        final List<DemoRegistry.Plan> plans = DemoRegistry.plan(config.cores());
        final List<VmCalls> clients = new ArrayList<>();
        final List<DemoApp> apps = new ArrayList<>();
        final List<Thread> threads = new ArrayList<>();
        try
        {
            for (int core = 0; core < config.cores(); core++)
            {
                final VmCalls client = open(core);
                clients.add(client);
                final int creator = core;
                apps.add(new DemoApp(core, client, registry, stats, checker, config.mix(),
                    config.seed() + core * 0x9E3779B97F4A7C15L, config.protocol(), protocolTurn, running, clock,
                    config.ratePerS(), plans.stream().filter(plan -> plan.creator() == creator).toList(), start));
            }
            out.printf("apps: one per core, over %s; creating %d domains (one on every core, %s)%n", via(clients),
                plans.size(), config.cores() > 2 ? "pairs of neighbouring cores" : "each core alone");
            for (final DemoApp app : apps)
            {
                final Thread thread = new Thread(app, "mk-demo-app-" + threads.size());
                thread.setDaemon(true);
                threads.add(thread);
                thread.start();
            }
            if (!start.await(SETUP_WAIT_MS, TimeUnit.MILLISECONDS))
            {
                throw new IllegalStateException("the apps did not create their domains within " + SETUP_WAIT_MS + " ms");
            }
            final String setupFailure = firstFailure(apps);
            if (null != setupFailure)
            {
                running.set(false);
                throw new IllegalStateException(setupFailure);
            }
            out.printf("running mix %s for %.0f s, protocol %s, seed %d%n", config.mix(), config.durationNs() / 1e9,
                null == config.protocol() ? "mixed" : config.protocol().cliName(), config.seed());
            final long startedNs = clock.nanoTime();
            progress(stats, startedNs);
            running.set(false);
            for (final Thread thread : threads)
            {
                thread.join(APP_STOP_WAIT_MS);
            }
            final long elapsedNs = clock.nanoTime() - startedNs;
            final DemoSummary summary = summarize(adminUrls, apps, stats, checker, startedNs, elapsedNs);
            if (config.attach())
            {
                tearDown(registry, apps);
            }
            return summary;
        }
        finally
        {
            running.set(false);
            for (final Thread thread : threads)
            {
                thread.join(APP_STOP_WAIT_MS);
            }
            clients.forEach(VmCalls::close);
        }
    }

    /** @return how the apps reach their cores: {@code LRPC}, {@code the admin API}, or each core's way. */
    private static String via(final List<VmCalls> clients)
    {
        final long lrpc = clients.stream().filter(client -> "lrpc".equals(client.via())).count();
        if (lrpc == clients.size())
        {
            return "LRPC";
        }
        if (0 == lrpc)
        {
            return "the admin API";
        }
        final List<String> each = new ArrayList<>();
        for (int core = 0; core < clients.size(); core++)
        {
            each.add("core " + core + " " + ("lrpc".equals(clients.get(core).via()) ? "LRPC" : "admin API"));
        }
        return String.join(", ", each);
    }

    /** Attached: the cluster keeps running, so what the demo made goes. */
    private void tearDown(final DemoRegistry registry, final List<DemoApp> apps)
    {
        out.println("taking away the demo's domains and memory...");
        final DemoTeardown.Result result = DemoTeardown.run(registry, apps);
        if (result.problems().isEmpty())
        {
            out.printf("destroyed %d domains and gave back every RAM capability the apps allocated%n", result.destroyed());
        }
        else
        {
            out.printf("WARNING: %d thing(s) of the demo are left in the cluster; the first: %s%n",
                result.problems().size(), result.problems().get(0));
        }
    }

    private void progress(final DemoStats stats, final long startedNs) throws InterruptedException
    {
        final long endNs = startedNs + config.durationNs();
        long nextNs = startedNs + PROGRESS_INTERVAL_NS;
        long lastSteps = 0;
        while (running.get() && clock.nanoTime() - endNs < 0)
        {
            final long waitNs = Math.min(nextNs, endNs) - clock.nanoTime();
            if (waitNs > 0)
            {
                TimeUnit.NANOSECONDS.sleep(waitNs);
                continue;
            }
            final long steps = stats.steps.sum();
            out.printf("[%3ds] steps %d (%d/s), faults %d, shootdowns %d, aborts %d, unavailable %d%n",
                (nextNs - startedNs) / PROGRESS_INTERVAL_NS, steps, steps - lastSteps, stats.faults.sum(),
                stats.shootdowns.sum(), stats.aborted.sum(), stats.unavailable.sum());
            lastSteps = steps;
            nextNs += PROGRESS_INTERVAL_NS;
        }
    }

    private DemoSummary summarize(final Map<Integer, String> adminUrls, final List<DemoApp> apps, final DemoStats stats,
        final DemoStaleAccessChecker checker, final long startedNs, final long elapsedNs) throws InterruptedException
    {
        out.println("workload stopped; waiting for the replicas to agree...");
        final DemoReplicaCheck.Report report =
            awaitQuiet(new DemoReplicaCheck(adminUrls, AdminCredentials.of(config.runDirectory())));
        final List<DemoStaleAccessChecker.StaleAccess> stale = checker.check();
        final DemoStats.Local merged = new DemoStats.Local();
        apps.forEach(app -> app.local().addTo(merged));
        final List<String> disagreements = report.problems().stream()
            .filter(problem -> !problem.startsWith(UNAVAILABLE_NOTE)).toList();
        final String[] verdict = DemoSummary.verdict(stale.size(), report.consistent(), disagreements, firstFailure(apps),
            stats.steps.sum());
        final long lookups = report.tlbHits() + report.tlbMisses();
        final long calls = stats.calls.sum();
        return new DemoSummary(config.cores(), config.hosts(),
            null == config.protocol() ? "mixed" : config.protocol().cliName(), config.mix().toString(), config.seed(),
            elapsedNs / 1e9, stats.steps.sum(), calls, calls / (elapsedNs / 1e9), DemoSummary.operations(merged),
            DemoSummary.shootdowns(merged), new DemoSummary.TwoPhaseCommit(stats.committed.sum(), stats.aborted.sum(),
            stats.unavailable.sum(), stats.indefinite.sum(), stats.refused.sum()), stats.faults.sum(),
            stats.notFound.sum(), stats.skipped.sum(), stats.refusals(), report.tlbHits() < 0 || 0 == lookups ? null :
            (double)report.tlbHits() / lookups, report.consistent(), report.pageTablesAvailable(), report.problems(),
            stale.size(), stale.stream().map(access -> access.describe(startedNs)).toList(),
            adminUrls.values().stream().map(url -> url + "/metrics").toList(), verdict[0], verdict[1]);
    }

    /** Asks until the replicas agree or {@link #QUIET_TIMEOUT_NS} has passed: commits still landing settle. */
    private DemoReplicaCheck.Report awaitQuiet(final DemoReplicaCheck check) throws InterruptedException
    {
        final long deadlineNs = clock.nanoTime() + QUIET_TIMEOUT_NS;
        DemoReplicaCheck.Report report = check.check();
        while (!report.consistent() && clock.nanoTime() - deadlineNs < 0)
        {
            Thread.sleep(QUIET_POLL_MS);
            report = check.check();
        }
        return report;
    }

    private static String firstFailure(final List<DemoApp> apps)
    {
        for (final DemoApp app : apps)
        {
            final Throwable failure = app.failure();
            if (null != failure)
            {
                return String.valueOf(failure.getMessage());
            }
        }
        return null;
    }

    /**
     * The shutdown hook (Ctrl-C, SIGTERM): the thread in {@link #run()} is told to stop and stops the
     * cluster itself, so that no stop races a start or another stop; the JVM ends when this returns, so
     * it waits for that, at most {@link #HOOK_WAIT_MS}, and stops the cluster itself only after.
     */
    private void stopOnExit()
    {
        exitRequested.set(true);
        running.set(false);
        out.println(clusterToStop.get() ? "mk demo: interrupted; stopping the cluster, whose logs and data stay in " +
            config.runDirectory().root() : "mk demo: interrupted");
        final Thread thread = runner;
        if (null != thread)
        {
            thread.interrupt();
        }
        try
        {
            if (!finished.await(HOOK_WAIT_MS, TimeUnit.MILLISECONDS) && stopCluster())
            {
                out.println("stopped the cluster");
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** @return whether the JVM was told to exit (Ctrl-C, SIGTERM) before the run was over: what failed since is its doing. */
    boolean exitRequested()
    {
        return exitRequested.get();
    }

    /** @return whether this call stopped the cluster the demo started. */
    private boolean stopCluster()
    {
        if (!clusterToStop.compareAndSet(true, false))
        {
            return false;
        }
        for (int attempt = 0; attempt < STOP_ATTEMPTS; attempt++)
        {
            try
            {
                new ClusterStopper(config.runDirectory(), out).down(STOP_TIMEOUT_MS);
                return true;
            }
            catch (final InterruptedException ex)
            {
                if (!exitRequested.get())
                {
                    Thread.currentThread().interrupt();
                    return false;
                }
                // The shutdown hook's interrupt, which arrived as the stop began: consumed, so stop again.
            }
        }
        return false;
    }

    private static void removeHook(final Thread hook)
    {
        try
        {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        catch (final IllegalStateException ex)
        {
            // The JVM is already shutting down: the hook runs (or ran) and finds nothing left to stop.
        }
    }
}
