package io.multikernel.replication;

import java.io.IOException;
import java.util.List;

import io.micrometer.core.instrument.Tags;
import io.multikernel.common.PeerIncarnations;
import io.multikernel.replication.protocol.Ack;
import io.multikernel.replication.protocol.Decision;
import io.multikernel.replication.protocol.MalformedMessageException;
import io.multikernel.replication.protocol.MessageBatch;
import io.multikernel.replication.protocol.Prepare;
import io.multikernel.replication.protocol.Query;
import io.multikernel.replication.protocol.StatusReply;
import io.multikernel.replication.protocol.TwoPhaseBatchCodec;
import io.multikernel.replication.protocol.TwoPhaseMessage;
import io.multikernel.replication.protocol.Vote;
import io.multikernel.replication.wal.FsyncPolicy;
import io.multikernel.replication.wal.SnapshotStore;
import io.multikernel.replication.wal.WalOptions;
import io.multikernel.replication.wal.WriteAheadLog;
import org.agrona.DirectBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One core's two-phase-commit engine: coordinator and participant in one single-threaded object,
 * driven by its owner (the core's kernel agent, or the simulator):
 *
 * <ul>
 *   <li>{@link #propose} starts a transaction this core coordinates;</li>
 *   <li>{@link #onMessage(MessageBatch)} (or the SBE overload) takes inbound protocol messages;</li>
 *   <li>{@link #doWork(long)} runs timers, group commit, outcome callbacks and sends batches; it
 *   returns the work done, 0 when idle.</li>
 * </ul>
 * It reaches other cores through a {@link Network} and reads time from an injected clock. Not
 * thread-safe: every call must come from the owning thread.
 *
 * @param <O> the state machine's operation type.
 */
public final class ReplicationEngine<O> implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(ReplicationEngine.class);

    /** MAX_DURABILITY_ROUNDS: fsync-then-act rounds in one duty cycle; the rest waits for the next. */
    static final int MAX_DURABILITY_ROUNDS = 4;

    private final ReplicationContext<O> context;
    private final Services services;
    private final ReplicationMetrics metrics;
    private final Participant<O> participant;
    private final Coordinator<O> coordinator;
    private final PeerIncarnations peers;
    private final PeerIncarnations.IncarnationListener restartListener = this::onNewIncarnation;
    private final TwoPhaseBatchCodec codec = new TwoPhaseBatchCodec();
    private final SnapshotStore snapshots;
    private final WriteAheadLog wal;
    private long lastSnapshotPosition;
    private boolean failed;
    private boolean closed;

    private ReplicationEngine(final ReplicationContext<O> context) throws IOException
    {
        this.context = context;
        final Tags tags = Tags.of("core", Integer.toString(context.coreId()));
        metrics = new ReplicationMetrics(context.meterRegistry(), tags);
        services = new Services(context, metrics);
        participant = new Participant<>(services, context.stateMachine());
        coordinator = new Coordinator<>(services, context.stateMachine());
        final PeerIncarnations decided = context.network().incarnations();
        peers = null != decided ? decided : PeerIncarnations.ofAnyCore();
        snapshots = new SnapshotStore(context.storage(), context.fsyncPolicy(), context.snapshotLengthMaxBytes());
        final long snapshotIncarnation = restoreSnapshot();
        final Recovery<O> recovery = new Recovery<>(participant, coordinator, snapshotIncarnation);
        try
        {
            wal = WriteAheadLog.open(context.storage(), walOptions(context, tags), lastSnapshotPosition, recovery);
        }
        catch (final IOException | RuntimeException ex)
        {
            metrics.close();
            throw ex;
        }
        try
        {
            start(recovery);
        }
        catch (final IOException | RuntimeException ex)
        {
            closeQuietly();
            throw ex;
        }
        peers.addListener(restartListener);
    }

    private long restoreSnapshot() throws IOException
    {
        try
        {
            final SnapshotStore.Snapshot snapshot = snapshots.loadLatest();
            if (null == snapshot)
            {
                return 0;
            }
            lastSnapshotPosition = snapshot.position();
            return EngineSnapshot.restore(snapshot.payload(), context.stateMachine(), participant, coordinator,
                services.peerCommits);
        }
        catch (final IOException | RuntimeException ex)
        {
            metrics.close();
            throw ex;
        }
    }

    /**
     * Recovers from the snapshot and write-ahead log in the context's storage, then starts a new
     * incarnation: resends COMMIT for transactions this core decided but did not finish, aborts those
     * it started but did not decide, and marks every transaction it prepared but has no decision for
     * as in doubt (it asks for each at once).
     *
     * @throws java.io.IOException (a {@link io.multikernel.replication.wal.WalCorruptionException}
     * naming the file and offset when the log is corrupt anywhere but its torn tail).
     * @throws IllegalArgumentException when the context is invalid.
     */
    public static <O> ReplicationEngine<O> launch(final ReplicationContext<O> context) throws IOException
    {
        return new ReplicationEngine<>(context.conclude());
    }

    private static WalOptions walOptions(final ReplicationContext<?> context, final Tags tags)
    {
        return new WalOptions(context.walSegmentLengthBytes(), context.walRecordLengthMaxBytes(),
            context.walWriteBufferLengthBytes(), context.fsyncPolicy(), context.nanoClock(), context.meterRegistry(), tags);
    }

    private void start(final Recovery<O> recovery) throws IOException
    {
        final long logged = recovery.newestIncarnation();
        final long incarnation = context.incarnation() == 0 ? logged + 1 : context.incarnation();
        if (incarnation <= logged)
        {
            throw new IllegalArgumentException("incarnation=" + incarnation + " is not newer than incarnation " + logged +
                " found in the write-ahead log; give a larger one or 0 to take the next");
        }
        services.incarnation = incarnation;
        services.outbox.incarnation(incarnation);
        services.log = new LogRecords(wal, services.outbox::flush);
        services.log.appendIncarnation(incarnation);
        wal.makeDurable();
        services.tick();
        participant.restoreDivergence();
        participant.finishRecovery();
        final int unfinished = coordinator.inFlight();
        coordinator.finishRecovery();
        LOG.info("core {} incarnation {}: replayed {} log records after snapshot position {}; {} in doubt, " +
            "{} commits to finish", context.coreId(), incarnation, recovery.records(), lastSnapshotPosition,
            participant.inDoubtCount(), coordinator.inFlight() - unfinished);
        publishMetrics();
    }

    /**
     * Starts a transaction coordinated by this core. The outcome reaches {@code listener} from a
     * later {@link #doWork(long)}: committed once the decision is durable here, aborted with a reason,
     * or indefinite when this core could not learn whether its commit record reached the disk.
     * A proposal over a limit, or to an engine stopped by a log failure, is aborted at once (also
     * reported through the listener).
     *
     * @return the transaction's id.
     */
    public TransactionId propose(final ParticipantSet participants, final List<O> operations, final OutcomeListener listener)
    {
        services.tick();
        if (closed)
        {
            throw new IllegalStateException("core " + context.coreId() + "'s replication engine is closed");
        }
        final IOException[] failure = {failed ? new IOException("failed earlier") : null};
        final TransactionId id = coordinator.propose(participants, operations, listener, failure);
        if (!failed && null != failure[0])
        {
            fail(failure[0]);
        }
        return id;
    }

    /**
     * Handles one inbound SBE {@code TwoPhaseBatch} frame (message header at {@code offset}).
     * A malformed frame is counted, reported and dropped.
     */
    public void onMessage(final DirectBuffer buffer, final int offset, final int length)
    {
        final MessageBatch batch;
        try
        {
            batch = codec.decode(buffer, offset, length);
        }
        catch (final MalformedMessageException ex)
        {
            services.reportError(ErrorKind.MALFORMED_MESSAGE, ex.getMessage());
            return;
        }
        onMessage(batch);
    }

    /**
     * Handles one inbound batch of protocol messages.
     */
    public void onMessage(final MessageBatch batch)
    {
        if (failed || closed)
        {
            return;
        }
        services.tick();
        final int source = batch.sourceCoreId();
        if (batch.destinationCoreId() != context.coreId() || source == context.coreId())
        {
            services.reportError(ErrorKind.MISROUTED_MESSAGE, "batch from core " + source + " to core " +
                batch.destinationCoreId() + " arrived at core " + context.coreId());
            return;
        }
        // On a node the inbox has observed this incarnation already and this changes nothing; a newer
        // one seen here first (simulator, tests) reaches onNewIncarnation before this returns.
        final int seen = peers.observe(source, batch.sourceIncarnation());
        if (PeerIncarnations.STALE == seen)
        {
            services.reportError(ErrorKind.STALE_INCARNATION, "batch from core " + source + " incarnation " +
                batch.sourceIncarnation() + ", older than " + peers.incarnation(source));
            return;
        }
        if (PeerIncarnations.NOT_A_PEER == seen)
        {
            services.reportError(ErrorKind.MISROUTED_MESSAGE, "batch from core " + source +
                ", which is no peer of core " + context.coreId());
            return;
        }
        try
        {
            for (final TwoPhaseMessage message : batch.messages())
            {
                dispatch(source, batch.sourceIncarnation(), message);
            }
        }
        catch (final IOException ex)
        {
            fail(ex);
        }
    }

    /**
     * The core's table of peer incarnations saw a newer incarnation of a peer. After a known one the
     * peer restarted: COMMITs it has not acknowledged are resent and decisions it coordinated are
     * asked for now, not when their timers run out. On first contact too, the peer is told (from
     * the next duty cycle) the newest commit of each coordinator this core knows it took part in
     * ({@link PeerCommits}), so a peer whose log lost them finds out.
     */
    private void onNewIncarnation(final int coreId, final long oldIncarnation, final long newIncarnation)
    {
        if (failed || closed || coreId == context.coreId())
        {
            return;
        }
        services.tick();
        if (PeerIncarnations.UNKNOWN_INCARNATION != oldIncarnation)
        {
            coordinator.onPeerRestarted(coreId);
            participant.onPeerRestarted(coreId);
        }
        services.peerCommits.owe(coreId, services.nowNs);
    }

    /**
     * @return null, or one sentence saying that a peer knows of a committed transaction this core's
     *         log lost after voting on it: its replicas lack writes the cluster committed. Set at most
     *         once per incarnation.
     */
    public String divergence()
    {
        return participant.divergence();
    }

    private void dispatch(final int source, final long sourceIncarnation, final TwoPhaseMessage message)
        throws IOException
    {
        if (message instanceof Prepare prepare)
        {
            final TransactionId id = prepare.transactionId();
            if (id.coordinatorCoreId() != source || id.coordinatorIncarnation() != sourceIncarnation ||
                !prepare.participants().contains(context.coreId()))
            {
                services.reportError(ErrorKind.UNEXPECTED_MESSAGE, "PREPARE of transaction " + id + " from core " + source +
                    " incarnation " + sourceIncarnation + " for participants " + prepare.participants());
                return;
            }
            participant.onPrepare(source, prepare);
        }
        else if (message instanceof Vote vote)
        {
            coordinator.onVote(source, vote);
        }
        else if (message instanceof Decision decision)
        {
            participant.onDecision(source, decision);
        }
        else if (message instanceof Ack ack)
        {
            coordinator.onAck(source, ack);
        }
        else if (message instanceof Query query)
        {
            if (query.transactionId().coordinatorCoreId() == context.coreId())
            {
                coordinator.onQuery(source, query);
            }
            else
            {
                participant.onQuery(source, query);
            }
        }
        else if (message instanceof StatusReply reply)
        {
            participant.onStatus(source, reply);
        }
    }

    /**
     * Reads the injected clock and runs one duty cycle.
     */
    public int doWork()
    {
        return doWork(context.nanoClock().nanoTime());
    }

    /**
     * One duty cycle: messages to self, vote deadlines and retries, group commit (one fsync for all
     * records appended since the last cycle, then every step that waited for them), outcome
     * callbacks, sending batches, and a snapshot when due.
     *
     * @return work done; 0 when there was nothing to do.
     */
    public int doWork(final long nowNs)
    {
        if (closed)
        {
            return 0;
        }
        services.advanceTo(nowNs);
        if (failed)
        {
            return coordinator.deliverOutcomes() + services.outbox.flush();
        }
        int work = 0;
        try
        {
            // What was queued since the last cycle (the PREPAREs of new proposals) leaves before
            // this core handles its own share of it from the loopback queue: the other
            // participants start meanwhile.
            work += services.outbox.flush();
            work += drainLoopback();
            work += coordinator.doWork(nowNs);
            work += participant.doWork(nowNs);
            work += services.peerCommits.tellDue(nowNs, services.outbox);
            work += groupCommit();
            if (wal.appendPosition() > wal.writtenPosition())
            {
                wal.write();
            }
            work += maybeSnapshot();
        }
        catch (final IOException ex)
        {
            fail(ex);
            work++;
        }
        work += coordinator.deliverOutcomes();
        work += services.outbox.flush();
        publishMetrics();
        return work;
    }

    private int groupCommit() throws IOException
    {
        int work = 0;
        for (int round = 0; round < MAX_DURABILITY_ROUNDS; round++)
        {
            int roundWork = drainLoopback();
            if (!services.durability.isEmpty())
            {
                // Steps whose records were forced as appended (fsync always) go first; acks alone
                // then wait (bounded) for a force they can share.
                roundWork += services.durability.release(wal.durablePosition());
                if (wal.fsyncPolicy() == FsyncPolicy.NONE ||
                    services.durability.needsForce(services.nowNs, context.ackDelayMaxNs()))
                {
                    services.log.makeDurable();
                }
                roundWork += services.durability.release(wal.durablePosition());
                // Callers learn a durable decision now, not after this core's own COMMITTED (which
                // fsync always forces on its own in the next round).
                roundWork += coordinator.deliverOutcomes();
            }
            roundWork += drainLoopback();
            work += roundWork;
            if (roundWork == 0)
            {
                break;
            }
        }
        return work;
    }

    private int drainLoopback() throws IOException
    {
        int drained = 0;
        TwoPhaseMessage message;
        while (null != (message = services.outbox.pollLoopback()))
        {
            dispatch(context.coreId(), services.incarnation, message);
            drained++;
        }
        return drained;
    }

    private int maybeSnapshot() throws IOException
    {
        if (wal.appendPosition() - lastSnapshotPosition < context.snapshotIntervalBytes())
        {
            return 0;
        }
        wal.makeDurable();
        final long position = wal.appendPosition();
        final byte[] payload = EngineSnapshot.encode(services.incarnation, context.stateMachine(), participant, coordinator,
            services.peerCommits);
        if (payload.length > context.snapshotLengthMaxBytes())
        {
            // A restart would refuse it as corrupt, with the log it replaced gone: keep the log instead, and
            // try again after another interval.
            lastSnapshotPosition = position;
            services.reportError(ErrorKind.SNAPSHOT_TOO_LARGE, "core " + context.coreId() + " took no snapshot: it " +
                "would hold " + payload.length + " bytes, more than a restart reads back (" +
                ReplicationConfiguration.SNAPSHOT_LENGTH_MAX_PROP_NAME + "=" + context.snapshotLengthMaxBytes() +
                " bytes); the write-ahead log is kept whole instead: raise the limit");
            return 1;
        }
        snapshots.write(position, payload);
        final int deleted = wal.deleteSegmentsBefore(position);
        lastSnapshotPosition = position;
        metrics.onSnapshot();
        LOG.debug("core {}: snapshot of {} bytes at log position {}, {} segments deleted",
            context.coreId(), payload.length, position, deleted);
        return 1;
    }

    private void fail(final IOException ex)
    {
        if (failed)
        {
            return;
        }
        failed = true;
        services.reportError(ErrorKind.WAL_FAILURE, "write-ahead log failed (" + ex.getMessage() +
            "); this core's replication stops until it restarts and recovers");
        services.durability.clear();
        coordinator.stop("the write-ahead log of coordinator core " + context.coreId() + " failed");
    }

    /**
     * An operator's explicit decision for a transaction this core is in doubt about. Logged at WARN:
     * if it contradicts the coordinator's decision the replicas diverge, which later shows as a
     * {@link ErrorKind#DECISION_MISMATCH}. Never called by the engine itself.
     *
     * @param operator who decided, for the log.
     * @param reason   why, for the log.
     */
    public OperatorDecision forceDecision(
        final TransactionId id, final boolean commit, final String operator, final String reason)
    {
        services.tick();
        if (failed || closed)
        {
            return new OperatorDecision(false, "core " + context.coreId() + "'s replication engine is not running");
        }
        try
        {
            final String refusal = participant.forceDecision(id, commit);
            if (null != refusal)
            {
                return new OperatorDecision(false, refusal);
            }
            wal.makeDurable();
        }
        catch (final IOException ex)
        {
            fail(ex);
            return new OperatorDecision(false, "the write-ahead log failed: " + ex.getMessage());
        }
        LOG.warn("core {}: OPERATOR {} forced {} of in-doubt transaction {} (reason: {})",
            context.coreId(), operator, commit ? "COMMIT" : "ABORT", id, reason);
        publishMetrics();
        return new OperatorDecision(true, "transaction " + id + " " + (commit ? "committed" : "aborted") +
            " on core " + context.coreId() + " by operator decision");
    }

    /**
     * @return the transactions this core voted yes on and has no decision for, oldest first.
     */
    public List<InDoubtTransaction> inDoubtTransactions()
    {
        return participant.inDoubt();
    }

    public int coreId()
    {
        return context.coreId();
    }

    public long incarnation()
    {
        return services.incarnation;
    }

    /**
     * @return {@code replication-<core id>}, for agent names and logs.
     */
    public String roleName()
    {
        return "replication-" + context.coreId();
    }

    public StateMachine<O> stateMachine()
    {
        return context.stateMachine();
    }

    public int inDoubtCount()
    {
        return participant.inDoubtCount();
    }

    public int locksHeld()
    {
        return participant.locksHeld();
    }

    /**
     * Whether a transaction prepared here holds a lock key: from this replica's PREPARE to its
     * COMMIT or ABORT. A reader that refuses to act on locked state never acts on state another
     * core's commit already changed. Engine thread only.
     *
     * @param key a lock key as the state machine's {@link StateMachine#lockKeys} makes it.
     * @return the holding transaction, or null.
     */
    public TransactionId lockHolder(final Object key)
    {
        return participant.lockHolder(key);
    }

    /**
     * @return prepared transactions, in doubt or still waiting for their PREPARED to be durable.
     */
    public int preparedCount()
    {
        return participant.prepared().size();
    }

    public int inFlightTransactions()
    {
        return coordinator.inFlight();
    }

    /**
     * @return MAX_IN_FLIGHT_TRANSACTIONS: proposals beyond this many unfinished transactions are refused.
     */
    public int maxInFlightTransactions()
    {
        return context.maxInFlightTransactions();
    }

    /**
     * @return why a proposal made now would be refused at once (engine closed or failed, or
     *         MAX_IN_FLIGHT_TRANSACTIONS reached), or null when it would be started.
     */
    public String proposalRefusal()
    {
        if (closed || failed)
        {
            return "the replication engine of core " + context.coreId() + " is " + (closed ? "closed" : "failed") +
                "; restart the core";
        }
        if (coordinator.inFlight() >= context.maxInFlightTransactions())
        {
            return "core " + context.coreId() + " already coordinates MAX_IN_FLIGHT_TRANSACTIONS=" +
                context.maxInFlightTransactions() + " transactions; retry later";
        }
        return null;
    }

    public long errorCount(final ErrorKind kind)
    {
        return metrics.errorCount(kind);
    }

    /**
     * @return true after a write-ahead log failure: the engine does nothing more; restart the core.
     */
    public boolean isFailed()
    {
        return failed;
    }

    /**
     * @return true when messages wait to be sent again after back pressure.
     */
    public boolean hasSendBacklog()
    {
        return services.outbox.hasBacklog();
    }

    private void publishMetrics()
    {
        metrics.publish(participant.inDoubtCount(), participant.locksHeld(), coordinator.inFlight());
    }

    /**
     * Stops: transactions still collecting votes abort, those whose commit record may not be durable
     * get an indefinite outcome; makes the log durable and closes it.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        services.tick();
        if (!failed)
        {
            try
            {
                groupCommit();
                wal.makeDurable();
            }
            catch (final IOException ex)
            {
                fail(ex);
            }
        }
        coordinator.stop("coordinator core " + context.coreId() + " shut down");
        coordinator.deliverOutcomes();
        services.outbox.flush();
        closed = true;
        peers.removeListener(restartListener);
        closeQuietly();
    }

    private void closeQuietly()
    {
        try
        {
            wal.close();
        }
        catch (final IOException ex)
        {
            LOG.warn("core {}: closing the write-ahead log: {}", context.coreId(), ex.getMessage());
        }
        metrics.close();
    }
}
