package io.multikernel.replication.sim;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.multikernel.replication.ReplicationContext;
import io.multikernel.replication.ReplicationEngine;
import io.multikernel.replication.StateMachine;
import io.multikernel.replication.TransactionId;
import io.multikernel.replication.wal.MemoryStorage;
import io.multikernel.replication.wal.StorageCrashedError;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Deterministic simulation of a cluster of cores running the real {@link ReplicationEngine} in one
 * thread, with virtual time and one seeded random source. Each step advances time, delivers due
 * messages, maybe injects a fault (crash, possibly in the middle of a write; restart; a pause
 * longer than the timeouts; a partition that heals later), maybe proposes a transaction, runs
 * every live core's duty cycle, and checks the invariants. Then it heals everything, lets the
 * cluster settle and checks the end state. The same seed replays the same run exactly.
 *
 * <p>The replicated state is a {@link SimulatedState}: it makes each core's replica (a fresh one
 * on every restart, which recovery fills from the core's disk), chooses what to propose, and adds
 * its own checks to the protocol's. {@link #run(SimulationConfig)} runs the key-value store.
 *
 * @param <O> the operation type.
 * @param <R> the replica type.
 */
public final class Simulation<O, R extends StateMachine<O>>
{
    /** PREPARE_TIMEOUT_NS of the simulated engines. */
    static final long PREPARE_TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(20);
    /** Virtual time a step advances, at most, in the common case. */
    static final long STEP_MAX_NS = 300_000;
    /** Virtual time the settling phase may take before the run fails as stuck. */
    static final long SETTLE_MAX_NS = TimeUnit.SECONDS.toNanos(30);
    /** Virtual time per settling step. */
    static final long SETTLE_STEP_NS = 1_000_000;
    /** Duty cycles per core per step, at most. */
    static final int MAX_DUTY_CYCLES_PER_STEP = 8;
    /** A crashed core stays down at least this long. */
    static final long MIN_DOWN_NS = TimeUnit.MILLISECONDS.toNanos(5);
    /** Chance per step that a crashed core, down long enough, restarts. */
    static final double RESTART_PROBABILITY = 0.02;
    /** Trace lines kept for a failure report. */
    static final int TRACE_LINES = 200;
    /**
     * A workload's further proposals of one step are proposed within this long of its first: about
     * a quarter of them before the first can have committed anywhere, the rest after.
     */
    static final long PROPOSAL_SKEW_MAX_NS = 4 * STEP_MAX_NS;
    /** Further proposals waiting for their moment, at most; more are dropped (never proposed). */
    static final int MAX_PENDING_PROPOSALS = 64;

    private record PendingProposal<O>(long atNs, Proposal<O> proposal)
    {
    }

    private final SimulationConfig config;
    private final Random random;
    private final CachedNanoClock clock = new CachedNanoClock();
    private final SimulatedCore<O, R>[] cores;
    private final SimulatedNetwork network;
    private final SimulationChecker<O, R> checker;
    private final SimulatedState<O, R> state;
    private final ArrayDeque<PendingProposal<O>> pendingProposals = new ArrayDeque<>();
    private final ArrayDeque<String> trace = new ArrayDeque<>();
    private final UnsafeBuffer frameView = new UnsafeBuffer(new byte[0]);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private long step;
    private long crashes;
    private long tornTails;
    private long restarts;

    @SuppressWarnings("unchecked")
    private Simulation(final SimulationConfig config, final SimulatedState.Factory<O, R> stateFactory)
    {
        this.config = config;
        this.random = new Random(config.seed());
        this.cores = new SimulatedCore[config.cores()];
        for (int i = 0; i < cores.length; i++)
        {
            cores[i] = new SimulatedCore<>(i);
            cores[i].disk().lieAboutForce(config.lyingDisk());
        }
        this.network = new SimulatedNetwork(cores, random, 3 * PREPARE_TIMEOUT_NS, config.deliverInFlightFromCrashed());
        this.checker = new SimulationChecker<>(cores.length, this::fail);
        this.state = stateFactory.newRun(config, checker, random);
        checker.state(state);
        clock.update(TimeUnit.SECONDS.toNanos(1));
    }

    /**
     * Runs one seed of the key-value store to the end.
     *
     * @throws SimulationFailure naming the seed and step when an invariant breaks.
     */
    public static SimulationResult run(final SimulationConfig config)
    {
        return run(config, KeyValueSimulatedState.FACTORY);
    }

    /**
     * Runs one seed of the state {@code stateFactory} makes to the end.
     *
     * @throws SimulationFailure naming the seed and step when an invariant breaks.
     */
    public static <O, R extends StateMachine<O>> SimulationResult run(
        final SimulationConfig config, final SimulatedState.Factory<O, R> stateFactory)
    {
        return new Simulation<>(config, stateFactory).run();
    }

    private SimulationResult run()
    {
        for (final SimulatedCore<O, R> core : cores)
        {
            start(core);
        }
        for (step = 1; step <= config.steps(); step++)
        {
            advance();
            network.deliverDue();
            if (random.nextDouble() < config.faultProbability())
            {
                injectFault();
            }
            restartSome();
            proposePending();
            if (random.nextDouble() < config.proposeProbability())
            {
                propose();
            }
            runCores();
        }
        settle();
        return new SimulationResult(config.seed(), checker.committed(), checker.aborted(), checker.indefinite(),
            crashes, tornTails, restarts, count("mk.2pc.cooperative.decisions"), count("mk.2pc.refusals"),
            count("mk.2pc.snapshots"), network.delivered(), clock.nanoTime());
    }

    private long count(final String counterName)
    {
        return (long)registry.find(counterName).counters().stream().mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
    }

    private void advance()
    {
        long advanceNs = 1 + (long)(random.nextDouble() * STEP_MAX_NS);
        if (random.nextInt(200) == 0)
        {
            advanceNs += (long)(random.nextDouble() * 2 * PREPARE_TIMEOUT_NS);
        }
        clock.advance(advanceNs);
        network.nowNs(clock.nanoTime());
    }

    private void start(final SimulatedCore<O, R> core)
    {
        final R replica = state.newReplica(core.id());
        final ReplicationContext<O> context = new ReplicationContext<O>()
            .coreId(core.id())
            .stateMachine(state.stateMachine(core.id(), replica))
            .network(network.endpoint(core.id()))
            .storage(core.disk())
            .nanoClock(clock)
            .random(new Random(random.nextLong()))
            .meterRegistry(registry)
            .observer(checker.observerFor(core.id(), replica))
            .fsyncPolicy(config.fsyncPolicy())
            .prepareTimeoutNs(PREPARE_TIMEOUT_NS)
            .commitResendIntervalNs(PREPARE_TIMEOUT_NS / 2)
            .ackDelayMaxNs(PREPARE_TIMEOUT_NS / 8)
            .decisionQueryDelayNs(2 * PREPARE_TIMEOUT_NS)
            .decisionQueryIntervalNs(PREPARE_TIMEOUT_NS / 2)
            .cooperativeTerminationDelayNs(2 * PREPARE_TIMEOUT_NS)
            .maxOperationsLengthBytes(1024)
            .maxBatchLengthBytes(8 * 1024)
            .maxBatchMessages(16)
            .walRecordLengthMaxBytes(8 * 1024)
            .walSegmentLengthBytes(16 * 1024)
            .walWriteBufferLengthBytes(16 * 1024)
            .snapshotIntervalBytes(12 * 1024);
        try
        {
            core.started(ReplicationEngine.launch(context), replica);
        }
        catch (final IOException ex)
        {
            fail("core " + core.id() + " failed to recover: " + ex.getMessage());
        }
        catch (final SimulationFailure failure)
        {
            throw failure;
        }
        catch (final RuntimeException ex)
        {
            fail("core " + core.id() + " failed to recover: " + ex, ex);
        }
        trace("start core " + core.id() + " incarnation " + core.engine().incarnation() + " in doubt " +
            core.engine().inDoubtCount());
        checker.checkRecovered(core);
    }

    private void injectFault()
    {
        final SimulatedCore<O, R> core = cores[random.nextInt(cores.length)];
        final int kind = random.nextInt(10);
        if (!core.isUp())
        {
            return;
        }
        if (kind < 4)
        {
            crash(core, random.nextBoolean());
        }
        else if (kind < 7)
        {
            final long pauseNs = (long)((0.5 + 3 * random.nextDouble()) * PREPARE_TIMEOUT_NS);
            core.pauseUntil(clock.nanoTime() + pauseNs);
            trace("pause core " + core.id() + " for " + pauseNs / 1000 + " us");
        }
        else
        {
            final int other = (core.id() + 1 + random.nextInt(cores.length - 1)) % cores.length;
            final long untilNs = clock.nanoTime() + (long)((0.5 + 5 * random.nextDouble()) * PREPARE_TIMEOUT_NS);
            network.partition(core.id(), other, untilNs);
            trace("partition " + core.id() + " | " + other + " until " + untilNs);
        }
    }

    private void restartSome()
    {
        for (final SimulatedCore<O, R> core : cores)
        {
            if (!core.isUp() && clock.nanoTime() - core.downSinceNs() > MIN_DOWN_NS &&
                random.nextDouble() < RESTART_PROBABILITY)
            {
                restarts++;
                start(core);
            }
        }
    }

    /**
     * @param duringWrite arm the disk so that the crash lands in the middle of a later write
     *                    instead of now.
     */
    private void crash(final SimulatedCore<O, R> core, final boolean duringWrite)
    {
        if (duringWrite)
        {
            final long bytes = random.nextInt(400);
            core.disk().crashDuringWrite(bytes);
            trace("arm crash of core " + core.id() + " after " + bytes + " more bytes written");
            return;
        }
        crashNow(core, "crash");
    }

    private void crashNow(final SimulatedCore<O, R> core, final String what)
    {
        crashes++;
        final MemoryStorage.CrashMode mode = config.crashMode();
        core.disk().crash(mode, random);
        core.crashed(clock.nanoTime());
        network.onCrash(core.id());
        trace(what + " core " + core.id() + " (" + mode + ")");
    }

    private void propose()
    {
        final SimulatedCore<O, R> core = cores[random.nextInt(cores.length)];
        if (!core.isUp() || core.isPaused(clock.nanoTime()))
        {
            return;
        }
        final List<Proposal<O>> proposals = state.nextProposals(random, core.id(), core.replica());
        for (int i = 0; i < proposals.size(); i++)
        {
            final Proposal<O> proposal = proposals.get(i);
            if (0 == i)
            {
                if (proposal.coreId() != core.id())
                {
                    fail("the workload asked core " + core.id() + " for a proposal and made one for core " +
                        proposal.coreId());
                }
                propose(core, proposal);
            }
            else if (pendingProposals.size() < MAX_PENDING_PROPOSALS)
            {
                final long atNs = clock.nanoTime() + (long)(random.nextDouble() * PROPOSAL_SKEW_MAX_NS);
                pendingProposals.addLast(new PendingProposal<>(atNs, proposal));
            }
        }
    }

    /**
     * Proposes the further proposals now due, each at its core if that core is up and running.
     */
    private void proposePending()
    {
        final Iterator<PendingProposal<O>> pending = pendingProposals.iterator();
        while (pending.hasNext())
        {
            final PendingProposal<O> next = pending.next();
            if (next.atNs() - clock.nanoTime() > 0)
            {
                continue;
            }
            pending.remove();
            final SimulatedCore<O, R> core = cores[next.proposal().coreId()];
            if (core.isUp() && !core.isPaused(clock.nanoTime()))
            {
                propose(core, next.proposal());
            }
        }
    }

    private void propose(final SimulatedCore<O, R> core, final Proposal<O> proposal)
    {
        try
        {
            final TransactionId id = core.engine().propose(proposal.participants(), proposal.operations(), checker::onOutcome);
            checker.onProposed(id, proposal);
            if (config.trace())
            {
                trace("propose " + id + " on " + proposal.participants() + ": " + proposal.operations());
            }
        }
        catch (final StorageCrashedError crash)
        {
            tornTails++;
            crashNow(core, "crash in a write (propose)");
        }
    }

    private void runCores()
    {
        for (final SimulatedCore<O, R> core : cores)
        {
            if (!core.isUp() || core.isPaused(clock.nanoTime()))
            {
                continue;
            }
            try
            {
                runCore(core);
            }
            catch (final StorageCrashedError crash)
            {
                tornTails++;
                crashNow(core, "crash in a write");
                continue;
            }
            catch (final SimulationFailure failure)
            {
                throw failure;
            }
            catch (final RuntimeException ex)
            {
                // A state machine whose apply is not total, or an engine's broken invariant.
                fail("core " + core.id() + " threw " + ex, ex);
            }
            checker.checkStep(core);
        }
    }

    private void runCore(final SimulatedCore<O, R> core)
    {
        byte[] frame;
        while (null != (frame = core.inbox().pollFirst()))
        {
            frameView.wrap(frame);
            core.engine().onMessage(frameView, 0, frame.length);
        }
        for (int i = 0; i < MAX_DUTY_CYCLES_PER_STEP; i++)
        {
            if (core.engine().doWork(clock.nanoTime()) == 0)
            {
                break;
            }
        }
        if (core.engine().isFailed())
        {
            fail("core " + core.id() + "'s engine failed");
        }
    }

    private void settle()
    {
        trace("settle: heal, resume, restart everything");
        network.healAll();
        pendingProposals.clear();
        for (final SimulatedCore<O, R> core : cores)
        {
            core.disk().crashDuringWrite(-1);
            core.resume();
            if (!core.isUp())
            {
                restarts++;
                start(core);
            }
        }
        final long deadlineNs = clock.nanoTime() + SETTLE_MAX_NS;
        while (!isQuiet())
        {
            if (clock.nanoTime() - deadlineNs > 0)
            {
                fail("the cluster did not settle within " + TimeUnit.NANOSECONDS.toSeconds(SETTLE_MAX_NS) +
                    " s of virtual time with every core up: " + describeUnsettled());
            }
            step++;
            clock.advance(SETTLE_STEP_NS);
            network.nowNs(clock.nanoTime());
            network.deliverDue();
            runCores();
        }
        checker.checkFinal(cores);
    }

    private boolean isQuiet()
    {
        if (!network.isEmpty())
        {
            return false;
        }
        for (final SimulatedCore<O, R> core : cores)
        {
            if (!core.inbox().isEmpty() || core.engine().preparedCount() != 0 || core.engine().inFlightTransactions() != 0 ||
                core.engine().locksHeld() != 0 || core.engine().hasSendBacklog())
            {
                return false;
            }
        }
        return true;
    }

    private String describeUnsettled()
    {
        final StringBuilder text = new StringBuilder();
        for (final SimulatedCore<O, R> core : cores)
        {
            text.append("\n  core ").append(core.id()).append(": in doubt ").append(core.engine().inDoubtTransactions())
                .append(", prepared ").append(core.engine().preparedCount())
                .append(", coordinating ").append(core.engine().inFlightTransactions())
                .append(", locks ").append(core.engine().locksHeld());
        }
        return text.append("\n  messages in flight: ").append(network.inFlight()).toString();
    }

    private void trace(final String event)
    {
        if (config.trace())
        {
            trace.addLast("[" + step + " @" + clock.nanoTime() / 1000 + "us] " + event);
            if (trace.size() > TRACE_LINES)
            {
                trace.pollFirst();
            }
        }
    }

    private void fail(final String what)
    {
        fail(what, null);
    }

    private void fail(final String what, final Throwable cause)
    {
        final SimulationFailure failure =
            new SimulationFailure(config.seed(), step, what + " [" + config + "]", String.join("\n", trace));
        if (null != cause)
        {
            failure.initCause(cause);
        }
        throw failure;
    }

}
