package io.multikernel.node.cli;

import io.multikernel.node.cluster.ClusterMap;
import io.multikernel.node.launcher.AdminCredentials;
import io.multikernel.node.launcher.ClusterStatus;
import io.multikernel.node.launcher.RunDirectory;
import io.multikernel.node.launcher.chaos.ChaosWorkload;
import io.multikernel.node.vm.VmCalls;
import org.agrona.concurrent.NanoClock;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The OS workload of {@code mk chaos run --os}: the apps of {@code mk demo} (one per core, through
 * the core's admin API, so a killed or paused core answers with a refused connection or a timeout
 * and never holds an app for good) build, use and tear down address spaces while the faults run:
 * retype, map, load, store, unmap with TLB shootdown, protect, span, shrink, revoke. Once the
 * cluster has settled it judges what only this workload can break: a load issued after an unmap
 * returned that still read the unmapped page (a stale access), and capability or page-table
 * replicas that differ. Then it takes away what it made.
 */
final class ChaosOsWorkload implements ChaosWorkload
{
    /** STEPS_PER_SECOND_PER_APP: each app's steps per second at most, so the key-value writers keep their share. */
    static final int STEPS_PER_SECOND_PER_APP = 20;

    private final ClusterMap map;
    private final RunDirectory runDirectory;
    private final PrintStream out;
    private final NanoClock clock;
    private final long seed;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final DemoStats stats = new DemoStats();
    private final DemoStaleAccessChecker checker = new DemoStaleAccessChecker();
    private final List<DemoApp> apps = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private DemoRegistry registry;
    private long startedNs;
    private long staleAccesses;
    private long leftBehind;
    private long appsStopped;

    /**
     * @param runDirectory the cluster's run directory (its map and secret).
     * @param seed         the apps' seed (each app's is derived from it and its core).
     * @param out          where the workload says what it does.
     * @param clock        the host's monotonic clock, which the stale-access check compares times on.
     */
    ChaosOsWorkload(final RunDirectory runDirectory, final long seed, final PrintStream out, final NanoClock clock)
    {
        this.runDirectory = runDirectory;
        this.map = ClusterStatus.map(runDirectory);
        this.seed = seed;
        this.out = out;
        this.clock = clock;
    }

    @Override
    public String name()
    {
        return "os";
    }

    /**
     * Starts an app on every core and waits until each has made its domains.
     *
     * @throws IllegalStateException when the cores are not numbered 0..N-1 or an app could not set up.
     */
    @Override
    public void start() throws InterruptedException
    {
        final int[] ids = map.coreIds();
        for (int i = 0; i < ids.length; i++)
        {
            if (ids[i] != i)
            {
                throw new IllegalStateException("--os needs the cores numbered 0.." + (ids.length - 1) + ", not " +
                    Arrays.toString(ids));
            }
        }
        final int cores = ids.length;
        registry = new DemoRegistry(cores);
        final CountDownLatch ready = new CountDownLatch(cores);
        final List<DemoRegistry.Plan> plans = DemoRegistry.plan(cores);
        final DemoMix mix = DemoMix.parse(DemoMix.DEFAULT);
        final AtomicLong protocolTurn = new AtomicLong();
        for (int core = 0; core < cores; core++)
        {
            final int creator = core;
            final VmCalls calls = new AdminVmCalls(AdminClient.of(runDirectory.root(), core));
            apps.add(new DemoApp(core, calls, registry, stats, checker, mix, seed + core * 0x9E3779B97F4A7C15L, null,
                protocolTurn, running, clock, STEPS_PER_SECOND_PER_APP,
                plans.stream().filter(plan -> plan.creator() == creator).toList(), ready));
        }
        for (final DemoApp app : apps)
        {
            final Thread thread = new Thread(app, "mk-chaos-os-app-" + threads.size());
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
        if (!ready.await(DemoRun.SETUP_WAIT_MS, TimeUnit.MILLISECONDS))
        {
            stop();
            throw new IllegalStateException("the OS workload's apps did not make their domains within " +
                DemoRun.SETUP_WAIT_MS + " ms");
        }
        for (final DemoApp app : apps)
        {
            if (null != app.failure())
            {
                stop();
                throw new IllegalStateException("the OS workload could not start: " + app.failure().getMessage());
            }
        }
        startedNs = clock.nanoTime();
        out.printf("OS workload: an app per core over the admin API, %d domains, at most %d steps/s each%n",
            plans.size(), STEPS_PER_SECOND_PER_APP);
    }

    @Override
    public String progress()
    {
        return String.format("OS %d steps, %d shootdowns", stats.steps.sum(), stats.shootdowns.sum());
    }

    @Override
    public void stop() throws InterruptedException
    {
        running.set(false);
        for (final Thread thread : threads)
        {
            thread.join(DemoRun.APP_STOP_WAIT_MS);
        }
    }

    /**
     * @return the stale accesses, and replicas of the capabilities or of a page table that still
     *         differ after {@link DemoRun#QUIET_TIMEOUT_NS}.
     */
    @Override
    public List<String> check() throws InterruptedException
    {
        stop();
        final List<String> violations = new ArrayList<>();
        final List<DemoStaleAccessChecker.StaleAccess> stale = checker.check();
        staleAccesses = stale.size();
        for (final DemoStaleAccessChecker.StaleAccess access : stale)
        {
            violations.add("stale access: " + access.describe(startedNs));
        }
        // An app stops on the first thing it cannot explain (a mapping id handed out twice, an answer
        // that breaks the protocol), as in mk demo: each is a finding, not noise of the faults.
        final Map<Integer, Throwable> failures = new TreeMap<>();
        apps.stream().filter(app -> null != app.failure()).forEach(app -> failures.put(app.core(), app.failure()));
        final List<String> stopped = stoppedApps(failures);
        appsStopped = stopped.size();
        violations.addAll(stopped);
        final Map<Integer, String> adminUrls = new TreeMap<>();
        for (final int core : map.coreIds())
        {
            adminUrls.put(core, map.adminUrl(core));
        }
        final DemoReplicaCheck replicas = new DemoReplicaCheck(adminUrls, AdminCredentials.of(runDirectory));
        final long deadlineNs = clock.nanoTime() + DemoRun.QUIET_TIMEOUT_NS;
        DemoReplicaCheck.Report report = replicas.check();
        while (!report.consistent() && clock.nanoTime() - deadlineNs < 0)
        {
            Thread.sleep(DemoRun.QUIET_POLL_MS);
            report = replicas.check();
        }
        if (!report.consistent())
        {
            violations.add("OS replicas differ after settling: " + String.join("; ", report.problems()));
        }
        final DemoTeardown.Result teardown = DemoTeardown.run(registry, apps);
        leftBehind = teardown.problems().size();
        if (!teardown.problems().isEmpty())
        {
            out.printf("WARNING: %d thing(s) of the OS workload are left in the cluster; the first: %s%n",
                teardown.problems().size(), teardown.problems().get(0));
        }
        return violations;
    }

    /**
     * @param failures what stopped each app that stopped, by its core.
     * @return one violation per stopped app.
     */
    static List<String> stoppedApps(final Map<Integer, Throwable> failures)
    {
        final List<String> violations = new ArrayList<>();
        failures.forEach((core, failure) -> violations.add("the OS workload's app on core " + core + " stopped: " +
            failure.getMessage()));
        return violations;
    }

    @Override
    public Map<String, Long> counts()
    {
        final Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("steps", stats.steps.sum());
        counts.put("loads_checked", (long)checker.loads());
        counts.put("committed", stats.committed.sum());
        counts.put("aborted", stats.aborted.sum());
        counts.put("unavailable", stats.unavailable.sum());
        counts.put("indefinite", stats.indefinite.sum());
        counts.put("refused", stats.refused.sum());
        counts.put("faults", stats.faults.sum());
        counts.put("shootdowns", stats.shootdowns.sum());
        counts.put("stale_accesses", staleAccesses);
        counts.put("left_behind", leftBehind);
        counts.put("apps_stopped", appsStopped);
        return counts;
    }
}
