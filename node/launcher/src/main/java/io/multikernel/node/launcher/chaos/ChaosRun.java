package io.multikernel.node.launcher.chaos;

import com.fasterxml.jackson.core.type.TypeReference;
import io.multikernel.node.launcher.AdminCredentials;
import io.multikernel.node.launcher.ClusterStatus;
import io.multikernel.node.launcher.RunDirectory;
import io.multikernel.node.launcher.StrictJson;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code mk chaos run}: against a running cluster, a workload of replicated writes from several cores
 * while a seeded schedule of faults ({@link ChaosSchedule}) kills and pauses cores, partitions them
 * and makes their links lossy or slow; then everything is healed, the cluster settles, and
 * {@link ChaosChecker} judges the history against every replica.
 *
 * <p>The cluster is reached through its cores' admin APIs ({@link ChaosTarget}) and faults are made
 * by a {@link ChaosInjector}: for {@code mk up}'s cluster in a run directory, its processes
 * ({@link ProcessInjector}) and its link fault points ({@link LinkInjector}); a caller that runs the
 * cores elsewhere (containers) brings its own.
 *
 * <p>The workload: one client thread per writing core, each posting writes of keys no other write
 * uses to its core's {@code /kv} (every core a replica), at most {@link #WRITES_PER_SECOND_PER_CORE}
 * a second. An answer's {@code outcome} field is taken as given (committed, aborted, indefinite); a
 * connection refused is a write never sent; a timeout or a connection lost after sending is
 * indefinite.
 */
public final class ChaosRun
{
    /** Writes each writing core's client issues per second at most. */
    public static final int WRITES_PER_SECOND_PER_CORE = 25;
    /**
     * Most writes in one run: every one must fit one replica listing beside what the replicas hold
     * already. Writes are paced so that they span the whole run, however long.
     */
    public static final int WRITES_MAX = 8_000;
    /** Fewest writes a run is worth making; fewer fit beside the replicas' entries and the run is refused. */
    public static final int WRITES_MIN = 100;
    /** A fault started later than this after its scheduled time is reported as late, ms. */
    public static final long FAULT_LATE_REPORT_MS = 250;
    /** Entries one replica listing returns at most (the cores' own bound). */
    public static final int LISTING_LIMIT_ENTRIES = 10_000;
    /** Longest a client waits for a write's answer; more than the cores' own admin timeout, ms. */
    public static final long WRITE_TIMEOUT_MS = 15_000;
    /** Longest the fault thread may still be undoing the last fault once the run's time is up, ms. */
    public static final long WIND_DOWN_TIMEOUT_MS = ProcessInjector.RESTART_TIMEOUT_MS + WRITE_TIMEOUT_MS;
    /** Longest the cluster may take, once healed, until every core sees every other and no core is in doubt, ms. */
    public static final long SETTLE_TIMEOUT_MS = 90_000;
    /** How often the progress line is printed, ms. */
    public static final long PROGRESS_INTERVAL_MS = 5_000;
    private static final long POLL_INTERVAL_MS = 250;

    /**
     * @param seed       the schedule's seed.
     * @param durationMs how long the workload and the faults run.
     * @param kinds      the kinds of fault drawn.
     * @param writers    the cores whose clients write; faults hit every core.
     * @param workloads  what runs beside the writes (none, or the OS workload).
     */
    public record Settings(long seed, long durationMs, List<ChaosFault.Kind> kinds, List<Integer> writers,
        List<ChaosWorkload> workloads)
    {
        /** Replicated writes only. */
        public Settings(final long seed, final long durationMs, final List<ChaosFault.Kind> kinds,
            final List<Integer> writers)
        {
            this(seed, durationMs, kinds, writers, List.of());
        }
    }

    /**
     * @param seed        the seed, to replay the run.
     * @param durationMs  how long it ran.
     * @param faults      the faults injected, in order (a scheduled fault that could only have started
     *                    after the run's end is not among them).
     * @param faultCounts faults injected, by kind.
     * @param outcomes    writes by outcome.
     * @param workloads   what each workload beside the writes did, by its name.
     * @param violations  what the checkers found; empty for a clean run.
     */
    public record Report(long seed, long durationMs, List<ChaosFault> faults, Map<String, Integer> faultCounts,
        Map<String, Integer> outcomes, Map<String, Map<String, Long>> workloads, List<String> violations)
    {
        /** @return whether the run kept every promise. */
        public boolean clean()
        {
            return violations.isEmpty();
        }
    }

    private final ChaosTarget target;
    private final ChaosInjector injector;
    private final PrintStream out;

    /**
     * @param runDirectory where the cluster runs ({@code mk up}): its map, secret and processes.
     * @param out          progress and the summary.
     */
    public ChaosRun(final RunDirectory runDirectory, final PrintStream out)
    {
        this(ChaosTarget.of(ClusterStatus.map(runDirectory), AdminCredentials.of(runDirectory)), runDirectory, out);
    }

    private ChaosRun(final ChaosTarget target, final RunDirectory runDirectory, final PrintStream out)
    {
        this(target, ChaosInjector.combine(new ProcessInjector(runDirectory), new LinkInjector(target)), out);
    }

    /**
     * @param target   the cluster's admin APIs.
     * @param injector what makes the faults.
     * @param out      progress and the summary.
     */
    public ChaosRun(final ChaosTarget target, final ChaosInjector injector, final PrintStream out)
    {
        this.target = target;
        this.injector = injector;
        this.out = out;
    }

    /** @return every core of the cluster, in id order. */
    public List<Integer> cores()
    {
        return target.cores();
    }

    /**
     * @return the kinds of fault a run draws from when none are named: every kind the injector can
     *         make on this cluster (partitions, lossy and slow links only when its cores have a link
     *         fault point, that is were started with {@code --chaos}).
     */
    public List<ChaosFault.Kind> defaultKinds()
    {
        return injector.available();
    }

    /**
     * @param settings what to run.
     * @return what happened and what the checker found.
     * @throws Exception when the cluster cannot be driven at all: not every core up at the start, a
     *                   replica listing that does not hold every entry, a core that cannot be restarted.
     */
    public Report run(final Settings settings) throws Exception
    {
        final List<Integer> cores = cores();
        for (final int writer : settings.writers())
        {
            if (!cores.contains(writer))
            {
                throw new IllegalArgumentException("writer core " + writer + " is not a core of the cluster " + cores);
            }
        }
        requireAllUp();
        injector.prepare(settings.kinds());
        final int writesMax = writesMax(cores);
        final List<ChaosFault> faults = ChaosSchedule.plan(settings.seed(), settings.durationMs(), cores, settings.kinds());
        out.printf("chaos run: seed %d, %d s, %d core(s), writers %s, faults %s: %d scheduled%n", settings.seed(),
            settings.durationMs() / 1000, cores.size(), settings.writers(),
            settings.kinds().stream().map(ChaosFault.Kind::cliName).toList(), faults.size());

        final List<ChaosWorkload> started = new ArrayList<>();
        final java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();
        final AtomicReference<Thread> faultThread = new AtomicReference<>();
        // Ctrl-C or SIGTERM during the run: undo the faults before the JVM exits, or a core stays
        // stopped, killed or cut off, and the next run refuses to start.
        final Thread healOnExit = new Thread(() -> healOnExit(stopping, faultThread), "chaos heal on exit");
        Runtime.getRuntime().addShutdownHook(healOnExit);
        try
        {
            for (final ChaosWorkload workload : settings.workloads())
            {
                started.add(workload);
                workload.start();
            }
            return run(settings, cores, faults, writesMax, stopping, faultThread);
        }
        finally
        {
            stopping.set(true);
            removeShutdownHook(healOnExit);
            for (final ChaosWorkload workload : started)
            {
                workload.stop();
            }
        }
    }

    private void healOnExit(final java.util.concurrent.atomic.AtomicBoolean stopping,
        final AtomicReference<Thread> faultThread)
    {
        if (stopping.getAndSet(true))
        {
            return;
        }
        out.println("chaos run stopped early: undoing its faults");
        try
        {
            final Thread faults = faultThread.get();
            if (null != faults)
            {
                faults.interrupt();
                faults.join(WIND_DOWN_TIMEOUT_MS);
            }
            injector.healAll();
            out.println("every fault undone");
        }
        catch (final Exception ex)
        {
            out.println("could not undo every fault: " + ex.getMessage() + " (see mk chaos heal and mk status)");
        }
        out.flush();
    }

    private static void removeShutdownHook(final Thread hook)
    {
        try
        {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        catch (final IllegalStateException ex)
        {
            // The JVM is shutting down: the hook runs (and finds the run over).
        }
    }

    private Report run(final Settings settings, final List<Integer> cores, final List<ChaosFault> faults,
        final int writesMax, final java.util.concurrent.atomic.AtomicBoolean stopping,
        final AtomicReference<Thread> faultThreadRef) throws Exception
    {
        final String keyPrefix = "chaos-" + Long.toHexString(settings.seed()) + "-" + Long.toHexString(System.nanoTime()) + "-";
        final Map<Integer, ReplicaState> baseline = readReplicas(cores);
        if (ChaosChecker.differed(baseline))
        {
            out.println("the replicas differ before the run (a write to some replicas only does that): at the end " +
                "every key the run does not write is checked against its value on the same core now");
        }
        final List<ChaosOperation> history = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger nextIndex = new AtomicInteger();
        final long startNs = System.nanoTime();
        final long endNs = startNs + TimeUnit.MILLISECONDS.toNanos(settings.durationMs());
        final List<Thread> clients = new ArrayList<>();
        // Paced so that the run's writes last as long as its faults: at most WRITES_PER_SECOND_PER_CORE.
        final long writeIntervalNs = writeIntervalNs(settings.durationMs(), settings.writers().size(), writesMax);
        out.printf("writes: one every %.0f ms from each writer core, at most %d in all%n", writeIntervalNs / 1e6,
            writesMax);
        for (final int writer : settings.writers())
        {
            final Thread client = new Thread(() -> write(writer, keyPrefix, nextIndex, writesMax, writeIntervalNs,
                endNs, history), "chaos writer " + writer);
            client.setDaemon(true);
            clients.add(client);
        }
        final AtomicReference<String> activeFault = new AtomicReference<>("none");
        final AtomicReference<Exception> faultFailure = new AtomicReference<>();
        final List<ChaosFault> injected = Collections.synchronizedList(new ArrayList<>());
        final Thread faultThread = new Thread(() -> inject(faults, startNs, endNs, stopping, injected, activeFault,
            faultFailure), "chaos faults");
        faultThreadRef.set(faultThread);
        faultThread.setDaemon(true);
        clients.forEach(Thread::start);
        faultThread.start();

        long nextProgressNs = startNs + TimeUnit.MILLISECONDS.toNanos(PROGRESS_INTERVAL_MS);
        while (faultThread.isAlive() || clients.stream().anyMatch(Thread::isAlive))
        {
            Thread.sleep(POLL_INTERVAL_MS);
            if (System.nanoTime() >= nextProgressNs)
            {
                nextProgressNs += TimeUnit.MILLISECONDS.toNanos(PROGRESS_INTERVAL_MS);
                final StringBuilder beside = new StringBuilder();
                settings.workloads().forEach(workload -> beside.append("; ").append(workload.progress()));
                out.printf("  %3d s: %s%s; fault now: %s%n", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNs),
                    describe(count(history)), beside, activeFault.get());
            }
            if (System.nanoTime() > endNs + TimeUnit.MILLISECONDS.toNanos(WIND_DOWN_TIMEOUT_MS))
            {
                // No fault may start, or be undone a second time, while everything is healed.
                stopping.set(true);
                faultThread.interrupt();
                faultThread.join(WIND_DOWN_TIMEOUT_MS);
                injector.healAll();
                throw new IllegalStateException("the run did not wind down within " + WIND_DOWN_TIMEOUT_MS +
                    " ms of its end (fault now: " + activeFault.get() + ")");
            }
        }
        injector.healAll();
        if (null != faultFailure.get())
        {
            throw faultFailure.get();
        }
        for (final ChaosWorkload workload : settings.workloads())
        {
            workload.stop();
        }

        out.println("healed; waiting for the cluster to settle (every core sees every other, none in doubt)");
        final Map<Integer, ReplicaState> replicas = settle(cores);
        final List<ChaosOperation> ordered = new ArrayList<>(history);
        ordered.sort((a, b) -> Integer.compare(a.index(), b.index()));
        final List<String> violations = new ArrayList<>(ChaosChecker.violations(ordered, replicas, cores, baseline));
        final Map<String, Map<String, Long>> workloads = new LinkedHashMap<>();
        for (final ChaosWorkload workload : settings.workloads())
        {
            violations.addAll(workload.check());
            workloads.put(workload.name(), workload.counts());
        }
        final Map<String, Integer> faultCounts = new TreeMap<>();
        settings.kinds().forEach(kind -> faultCounts.put(kind.cliName(), 0));
        final List<ChaosFault> made = List.copyOf(injected);
        made.forEach(fault -> faultCounts.merge(fault.kind().cliName(), 1, Integer::sum));
        if (made.size() < faults.size())
        {
            out.printf("%d of %d scheduled faults were made; the others could only have started after the run's end%n",
                made.size(), faults.size());
        }
        final Map<String, Integer> outcomes = new LinkedHashMap<>();
        count(ordered).forEach((outcome, n) -> outcomes.put(outcome.name().toLowerCase(Locale.ROOT), n));
        return new Report(settings.seed(), settings.durationMs(), made, faultCounts, outcomes, workloads, violations);
    }

    /** @return one paragraph: the faults, the writes and the verdict with the first violations. */
    public static String summary(final Report report)
    {
        final StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "seed %d, %d s: faults %s; writes %s%n", report.seed(),
            report.durationMs() / 1000, report.faultCounts(), report.outcomes()));
        report.workloads().forEach((name, counts) -> sb.append(String.format(Locale.ROOT, "%s workload: %s%n", name,
            counts)));
        if (report.clean())
        {
            sb.append("no violation: every acknowledged write is on every replica, no aborted write is anywhere, ")
                .append("replicas agree and no core is in doubt");
            if (!report.workloads().isEmpty())
            {
                sb.append("; the ").append(String.join(", ", report.workloads().keySet()))
                    .append(" workload found nothing wrong");
            }
            sb.append(System.lineSeparator());
        }
        else
        {
            sb.append(report.violations().size()).append(" violation(s); the first:").append(System.lineSeparator());
            report.violations().stream().limit(5).forEach(v -> sb.append("  ").append(v).append(System.lineSeparator()));
            sb.append("replay with --seed ").append(report.seed()).append(System.lineSeparator());
        }
        return sb.toString();
    }

    /**
     * @return how many writes this run may make: {@link #WRITES_MAX}, or fewer when the replicas hold
     *         so many entries already that more would not fit one listing.
     * @throws IllegalStateException when fewer than {@link #WRITES_MIN} would.
     */
    private int writesMax(final List<Integer> cores)
    {
        int fullest = cores.get(0);
        long most = -1;
        for (final int core : cores)
        {
            // A write to some replicas only (mk kv put --replicas) leaves the replicas holding different counts.
            final Map<String, Object> listing = target.get(core, "/kv?limit=1");
            if (null == listing || !(listing.get("count") instanceof Number count))
            {
                throw new IllegalStateException("core " + core + " did not list its replica (/kv)");
            }
            if (count.longValue() > most)
            {
                most = count.longValue();
                fullest = core;
            }
        }
        return writesMax(fullest, most);
    }

    /**
     * @param core    the core whose replica was counted.
     * @param entries the entries it holds.
     * @return how many writes fit beside them in one listing, at most {@link #WRITES_MAX}.
     * @throws IllegalStateException when fewer than {@link #WRITES_MIN} do.
     */
    static int writesMax(final int core, final long entries)
    {
        final long room = LISTING_LIMIT_ENTRIES - entries;
        if (room < WRITES_MIN)
        {
            throw new IllegalStateException("core " + core + "'s replica holds " + entries + " entries already, " +
                "leaving room for " + Math.max(0, room) + " writes in one listing of " + LISTING_LIMIT_ENTRIES +
                " (a run needs " + WRITES_MIN + "): start from a new cluster (mk down, remove the run directory's " +
                "data, mk up)");
        }
        return (int)Math.min(WRITES_MAX, room);
    }

    /**
     * @return the time between two writes of one writer core: at least 1/{@link #WRITES_PER_SECOND_PER_CORE}
     *         s, and long enough that the writers' share of {@code writesMax} lasts the whole run.
     */
    static long writeIntervalNs(final long durationMs, final int writers, final int writesMax)
    {
        return Math.max(TimeUnit.SECONDS.toNanos(1) / WRITES_PER_SECOND_PER_CORE,
            TimeUnit.MILLISECONDS.toNanos(durationMs) / Math.max(1, writesMax / Math.max(1, writers)));
    }

    private void requireAllUp()
    {
        for (final int core : cores())
        {
            if (!target.seesAllPeers(core))
            {
                throw new IllegalStateException("core " + core + " is not up or does not see every peer up: " +
                    "a chaos run starts from a healthy cluster (see mk status)");
            }
        }
    }

    private void write(final int core, final String keyPrefix, final AtomicInteger nextIndex, final int writesMax,
        final long intervalNs, final long endNs, final List<ChaosOperation> history)
    {
        long nextNs = System.nanoTime();
        while (System.nanoTime() < endNs)
        {
            final int index = nextIndex.getAndIncrement();
            if (index >= writesMax)
            {
                return;
            }
            final String key = keyPrefix + index;
            final String value = "v" + index + "-c" + core;
            final long startNs = System.nanoTime();
            ChaosOperation.Outcome outcome;
            String detail = "";
            try
            {
                final HttpResponse<String> response = target.send(target.request(core, "/kv")
                    .timeout(Duration.ofMillis(WRITE_TIMEOUT_MS))
                    .POST(HttpRequest.BodyPublishers.ofString(StrictJson.write(Map.of("key", key, "value", value))))
                    .build());
                outcome = outcomeOf(response);
                detail = response.statusCode() + " " + response.body();
            }
            catch (final ConnectException ex)
            {
                outcome = ChaosOperation.Outcome.NOT_SENT;
                detail = "connection refused";
            }
            catch (final IOException ex)
            {
                outcome = ChaosOperation.Outcome.INDEFINITE;
                detail = String.valueOf(ex.getMessage());
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
            history.add(new ChaosOperation(index, core, key, value, startNs, System.nanoTime(), outcome, detail));
            nextNs += intervalNs;
            final long sleepNs = nextNs - System.nanoTime();
            if (sleepNs > 0)
            {
                try
                {
                    TimeUnit.NANOSECONDS.sleep(sleepNs);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            else
            {
                nextNs = System.nanoTime();
            }
        }
    }

    /**
     * A {@code /kv} answer: the {@code outcome} field of a proposal's answer; any other answer (a
     * request the core refused before proposing, with no outcome field) changed nothing.
     */
    static ChaosOperation.Outcome outcomeOf(final HttpResponse<String> response)
    {
        final Map<String, Object> body;
        try
        {
            body = StrictJson.read(response.body(), new TypeReference<Map<String, Object>>()
            {
            }, "the /kv answer");
        }
        catch (final IllegalArgumentException ex)
        {
            // Not JSON: not an answer of the proposal path; a status of 5xx from elsewhere may hide anything.
            return response.statusCode() >= 500 ? ChaosOperation.Outcome.INDEFINITE : ChaosOperation.Outcome.ABORTED;
        }
        final Object outcome = body.get("outcome");
        if ("committed".equals(outcome))
        {
            return ChaosOperation.Outcome.COMMITTED;
        }
        if ("aborted".equals(outcome))
        {
            return ChaosOperation.Outcome.ABORTED;
        }
        if ("indefinite".equals(outcome))
        {
            return ChaosOperation.Outcome.INDEFINITE;
        }
        return response.statusCode() >= 500 ? ChaosOperation.Outcome.INDEFINITE : ChaosOperation.Outcome.ABORTED;
    }

    /**
     * Makes each fault at its time, or as soon after as the last one is undone (a restart can take
     * longer than the gap), and undoes it after its whole length from when it was made: a fault that
     * starts late still lasts as long as the schedule says. One that could only start after the run's
     * end is skipped.
     */
    private void inject(final List<ChaosFault> faults, final long startNs, final long endNs,
        final java.util.concurrent.atomic.AtomicBoolean stopping, final List<ChaosFault> injected,
        final AtomicReference<String> activeFault,
        final AtomicReference<Exception> failure)
    {
        try
        {
            for (final ChaosFault fault : faults)
            {
                final long scheduledNs = startNs + TimeUnit.MILLISECONDS.toNanos(fault.atMs());
                sleepUntil(scheduledNs);
                final long injectedNs = System.nanoTime();
                if (stopping.get())
                {
                    return;
                }
                if (injectedNs >= endNs)
                {
                    out.println("  skipped, the run's time is up: " + fault);
                    continue;
                }
                activeFault.set(fault.kind().cliName() + " core(s) " + fault.cores());
                final long lateMs = TimeUnit.NANOSECONDS.toMillis(injectedNs - scheduledNs);
                out.println("  fault: " + fault + (lateMs > FAULT_LATE_REPORT_MS ?
                    String.format(Locale.ROOT, " (%.1f s late: the last fault took that long to undo)", lateMs / 1000.0) :
                    ""));
                injected.add(fault);
                injector.inject(fault);
                sleepUntil(injectedNs + TimeUnit.MILLISECONDS.toNanos(fault.durationMs()));
                injector.heal(fault);
                activeFault.set("none");
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final Exception ex)
        {
            failure.set(ex);
        }
    }

    private static void sleepUntil(final long deadlineNs) throws InterruptedException
    {
        final long sleepNs = deadlineNs - System.nanoTime();
        if (sleepNs > 0)
        {
            TimeUnit.NANOSECONDS.sleep(sleepNs);
        }
    }

    /** Until every core sees every other and none is in doubt (bounded); then each replica and its doubt. */
    private Map<Integer, ReplicaState> settle(final List<Integer> cores) throws InterruptedException
    {
        final long deadlineMs = System.currentTimeMillis() + SETTLE_TIMEOUT_MS;
        Map<Integer, ReplicaState> replicas = Map.of();
        while (System.currentTimeMillis() < deadlineMs)
        {
            final boolean allSeeAll = cores.stream().allMatch(target::seesAllPeers);
            if (allSeeAll)
            {
                replicas = readReplicas(cores);
                if (replicas.size() == cores.size() && replicas.values().stream().allMatch(r -> 0 == r.inDoubt()))
                {
                    return replicas;
                }
            }
            Thread.sleep(POLL_INTERVAL_MS);
        }
        out.println("the cluster did not settle within " + SETTLE_TIMEOUT_MS + " ms; checking what it holds now");
        return readReplicas(cores);
    }

    private Map<Integer, ReplicaState> readReplicas(final List<Integer> cores)
    {
        final Map<Integer, ReplicaState> replicas = new TreeMap<>();
        for (final int core : cores)
        {
            final Map<String, Object> listing = target.get(core, "/kv?limit=" + LISTING_LIMIT_ENTRIES);
            final Map<String, Object> twoPhase = target.get(core, "/2pc");
            if (null == listing || null == twoPhase)
            {
                continue;
            }
            if (Boolean.TRUE.equals(listing.get("truncated")))
            {
                throw new IllegalStateException("core " + core + "'s replica holds more than " + LISTING_LIMIT_ENTRIES +
                    " entries, so the run's writes cannot all be checked: run chaos on a cluster with fewer");
            }
            @SuppressWarnings("unchecked") final Map<String, String> entries = (Map<String, String>)listing.get("entries");
            replicas.put(core, new ReplicaState(core, String.valueOf(listing.get("fingerprint")), entries,
                ((Number)twoPhase.get("in_doubt_count")).intValue()));
        }
        return replicas;
    }

    private static Map<ChaosOperation.Outcome, Integer> count(final List<ChaosOperation> history)
    {
        final Map<ChaosOperation.Outcome, Integer> counts = new EnumMap<>(ChaosOperation.Outcome.class);
        synchronized (history)
        {
            history.forEach(op -> counts.merge(op.outcome(), 1, Integer::sum));
        }
        return counts;
    }

    private static String describe(final Map<ChaosOperation.Outcome, Integer> counts)
    {
        final int total = counts.values().stream().mapToInt(Integer::intValue).sum();
        return total + " writes " + counts.toString().toLowerCase(Locale.ROOT);
    }
}
