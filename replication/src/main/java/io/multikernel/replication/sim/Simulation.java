package io.multikernel.replication.sim;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.multikernel.replication.ReplicationContext;
import io.multikernel.replication.ReplicationEngine;
import io.multikernel.replication.TransactionId;
import io.multikernel.replication.kv.KeyValueOperation;
import io.multikernel.replication.kv.KeyValueStateMachine;
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
 */
public final class Simulation
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

    private final SimulationConfig config;
    private final Random random;
    private final CachedNanoClock clock = new CachedNanoClock();
    private final SimulatedCore[] cores;
    private final SimulatedNetwork network;
    private final SimulationChecker checker;
    private final Workload workload;
    private final ArrayDeque<String> trace = new ArrayDeque<>();
    private final UnsafeBuffer frameView = new UnsafeBuffer(new byte[0]);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private long step;
    private long crashes;
    private long tornTails;
    private long restarts;

    private Simulation(final SimulationConfig config)
    {
        this.config = config;
        this.random = new Random(config.seed());
        this.cores = new SimulatedCore[config.cores()];
        for (int i = 0; i < cores.length; i++)
        {
            cores[i] = new SimulatedCore(i);
            cores[i].disk().lieAboutForce(config.lyingDisk());
        }
        this.network = new SimulatedNetwork(cores, random, 3 * PREPARE_TIMEOUT_NS, config.deliverInFlightFromCrashed());
        this.checker = new SimulationChecker(cores.length, this::fail);
        this.workload = new Workload(cores.length, random);
        clock.update(TimeUnit.SECONDS.toNanos(1));
    }

    /**
     * Runs one seed to the end.
     *
     * @throws SimulationFailure naming the seed and step when an invariant breaks.
     */
    public static SimulationResult run(final SimulationConfig config)
    {
        return new Simulation(config).run();
    }

    private SimulationResult run()
    {
        for (final SimulatedCore core : cores)
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

    private void start(final SimulatedCore core)
    {
        final KeyValueStateMachine replica = new KeyValueStateMachine();
        final ReplicationContext<KeyValueOperation> context = new ReplicationContext<KeyValueOperation>()
            .coreId(core.id())
            .stateMachine(config.stateMachineDecorator().apply(replica))
            .network(network.endpoint(core.id()))
            .storage(core.disk())
            .nanoClock(clock)
            .random(new Random(random.nextLong()))
            .meterRegistry(registry)
            .observer(checker.observerFor(core.id()))
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
        trace("start core " + core.id() + " incarnation " + core.engine().incarnation() + " in doubt " +
            core.engine().inDoubtCount());
        checker.checkRecovered(core);
    }

    private void injectFault()
    {
        final SimulatedCore core = cores[random.nextInt(cores.length)];
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
        for (final SimulatedCore core : cores)
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
    private void crash(final SimulatedCore core, final boolean duringWrite)
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

    private void crashNow(final SimulatedCore core, final String what)
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
        final SimulatedCore core = cores[random.nextInt(cores.length)];
        if (!core.isUp() || core.isPaused(clock.nanoTime()))
        {
            return;
        }
        final Workload.Proposal proposal = workload.next(random);
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
        for (final SimulatedCore core : cores)
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
            checker.checkVisible(core);
        }
    }

    private void runCore(final SimulatedCore core)
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
        for (final SimulatedCore core : cores)
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
        checker.checkFinal(cores, workload);
    }

    private boolean isQuiet()
    {
        if (!network.isEmpty())
        {
            return false;
        }
        for (final SimulatedCore core : cores)
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
        for (final SimulatedCore core : cores)
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
        throw new SimulationFailure(config.seed(), step, what + " [" + config + "]", String.join("\n", trace));
    }

}
