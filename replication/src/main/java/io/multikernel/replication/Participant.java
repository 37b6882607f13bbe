package io.multikernel.replication;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

import io.multikernel.replication.protocol.Ack;
import io.multikernel.replication.protocol.Decision;
import io.multikernel.replication.protocol.Prepare;
import io.multikernel.replication.protocol.Query;
import io.multikernel.replication.protocol.QueryStatus;
import io.multikernel.replication.protocol.StatusReply;
import io.multikernel.replication.protocol.TwoPhaseMessage;
import io.multikernel.replication.protocol.Vote;

/**
 * The participant role: validates and locks on PREPARE, makes PREPARED durable before voting yes,
 * applies on COMMIT after making COMMITTED durable (then acks), and, while in doubt, asks the
 * coordinator and then its peers for the decision. It never guesses a decision; only an operator
 * can force one ({@link #forceDecision}).
 *
 * @param <O> the operation type.
 */
final class Participant<O>
{
    private final Services services;
    private final StateMachine<O> stateMachine;
    private final OperationsCodec<O> operationsCodec;
    private final Map<TransactionId, ParticipantTransaction<O>> prepared = new LinkedHashMap<>();
    private final LockTable locks = new LockTable();
    private final RecentDecisions decisions;
    private final Refusals refusals;
    private int inDoubtCount;
    private long nextQueryCheckNs = Long.MAX_VALUE;
    /** Why this core's replicas lack committed transactions, as said now; null when nothing says so. */
    private String divergence;
    /** The first proof of this incarnation, kept as the verdict's opening. */
    private String firstEvidence;
    /** The verdict an earlier incarnation left in the marker, or null. */
    private String earlierDivergence;
    /** Per coordinator core, the newest lost transaction found: at most one per core of the cluster. */
    private final java.util.TreeMap<Integer, TransactionId> lostNewest = new java.util.TreeMap<>();

    Participant(final Services services, final StateMachine<O> stateMachine)
    {
        this.services = services;
        this.stateMachine = stateMachine;
        this.operationsCodec = new OperationsCodec<>(stateMachine);
        this.decisions = new RecentDecisions(services.context.maxRememberedDecisions());
        this.refusals = new Refusals(services.context.maxRefusedTransactions());
    }

    void onPrepare(final int source, final Prepare prepare) throws IOException
    {
        final TransactionId id = prepare.transactionId();
        if (prepared.containsKey(id) || decisions.get(id) != 0)
        {
            services.reportError(ErrorKind.UNEXPECTED_MESSAGE, "duplicate PREPARE of transaction " + id +
                " from core " + source);
            return;
        }
        final boolean wasRefused = refusals.remove(id);
        refusals.onPrepareArrived(id);
        if (wasRefused)
        {
            voteNo(id, "already agreed to abort this transaction with a participant in doubt");
            return;
        }
        final ParticipantTransaction<O> transaction = admit(prepare);
        if (null == transaction)
        {
            return;
        }
        prepared.put(id, transaction);
        refusals.onPrepared(id);
        final boolean ownTransaction = id.coordinatorCoreId() == services.coreId;
        if (services.context.plantedApplyAtPrepare() && !ownTransaction)
        {
            // The planted bug (ReplicationConfiguration.PLANTED_BUG_PROP_NAME): applied before the decision.
            for (final O operation : transaction.operations)
            {
                stateMachine.apply(operation);
            }
        }
        final long position = services.log.appendPrepared(id, prepare.participants(), prepare.operations(), !ownTransaction);
        if (ownTransaction)
        {
            // This core coordinates it: its yes vote stays in this core, and the only step it can
            // lead to is the COMMIT decision, logged after this PREPARED in the same log, so the
            // force that makes the decision durable covers this record too. A crash before that
            // leaves no decision, which every replica resolves as abort (presumed abort), whether
            // or not this record survived. One fsync per transaction on the coordinator, not two.
            voteYes(transaction);
        }
        else
        {
            services.durability.await(position, () -> voteYes(transaction));
        }
    }

    /**
     * Decodes, validates and locks; votes no and returns null when any of it fails.
     */
    private ParticipantTransaction<O> admit(final Prepare prepare)
    {
        final TransactionId id = prepare.transactionId();
        if (prepared.size() >= services.context.maxPreparedTransactions())
        {
            voteNo(id, "MAX_PREPARED_TRANSACTIONS=" + services.context.maxPreparedTransactions() +
                " transactions are already prepared; retry later");
            return null;
        }
        final List<O> operations;
        try
        {
            operations = operationsCodec.decode(prepare.operations());
        }
        catch (final IllegalArgumentException ex)
        {
            services.reportError(ErrorKind.MALFORMED_OPERATIONS, "transaction " + id + ": " + ex.getMessage());
            voteNo(id, "cannot decode the operations: " + ex.getMessage());
            return null;
        }
        // The common case, one operation locking one key, has no repeated key to drop: no set.
        List<Object> lockKeys = null;
        LinkedHashSet<Object> keys = null;
        for (final O operation : operations)
        {
            final String invalid = stateMachine.validate(operation);
            if (null != invalid)
            {
                voteNo(id, invalid);
                return null;
            }
            final Collection<?> operationKeys = stateMachine.lockKeys(operation);
            if (1 == operations.size() && 1 == operationKeys.size())
            {
                lockKeys = Collections.singletonList(operationKeys.iterator().next());
            }
            else
            {
                // Sized for every operation's key at the default load factor: no rehash as it fills.
                keys = null == keys ? new LinkedHashSet<>(operations.size() * 4 / 3 + 1) : keys;
                keys.addAll(operationKeys);
            }
        }
        if (operations.size() > 1)
        {
            final String invalid = stateMachine.validateTransaction(operations);
            if (null != invalid)
            {
                voteNo(id, invalid);
                return null;
            }
        }
        if (null == lockKeys)
        {
            lockKeys = null == keys ? new ArrayList<>() : new ArrayList<>(keys);
        }
        final String conflict = locks.tryLockAll(id, lockKeys);
        if (null != conflict)
        {
            voteNo(id, conflict);
            return null;
        }
        return new ParticipantTransaction<>(id, prepare.participants(), prepare.operations(), operations, lockKeys);
    }

    /** @param reason why, without the core: "core N: " is put in front here, off the YES path. */
    private void voteNo(final TransactionId id, final String reason)
    {
        decisions.put(id, RecentDecisions.ABORTED);
        services.outbox.send(id.coordinatorCoreId(), new Vote(id, false, "core " + services.coreId + ": " + reason));
        services.observer.onParticipantDecision(id, false);
    }

    /**
     * Votes yes once PREPARED is durable, or at once for this core's own transaction (its
     * decision's fsync covers PREPARED); from then on the transaction is in doubt here.
     */
    private void voteYes(final ParticipantTransaction<O> transaction)
    {
        if (prepared.get(transaction.id) != transaction)
        {
            return;
        }
        markInDoubt(transaction, services.nowNs + services.context.decisionQueryDelayNs());
        services.outbox.send(transaction.coordinatorCoreId(), new Vote(transaction.id, true, ""));
    }

    private void markInDoubt(final ParticipantTransaction<O> transaction, final long firstQueryNs)
    {
        transaction.durable = true;
        transaction.inDoubtSinceNs = services.nowNs;
        transaction.coordinatorHeardNs = services.nowNs;
        transaction.nextQueryNs = firstQueryNs;
        nextQueryCheckNs = Math.min(nextQueryCheckNs, firstQueryNs);
        inDoubtCount++;
    }

    void onDecision(final int source, final Decision decision) throws IOException
    {
        final TransactionId id = decision.transactionId();
        final ParticipantTransaction<O> transaction = prepared.get(id);
        if (null == transaction)
        {
            onDecisionForFinished(source, decision);
        }
        else
        {
            if (source != id.coordinatorCoreId())
            {
                services.metrics.onCooperativeDecision(decision.commit());
            }
            decide(source, transaction, decision);
        }
    }

    private void decide(final int source, final ParticipantTransaction<O> transaction, final Decision decision)
        throws IOException
    {
        final TransactionId id = transaction.id;
        if (decision.commit())
        {
            if (!transaction.durable)
            {
                services.reportError(ErrorKind.DECISION_MISMATCH, "COMMIT of transaction " + id + " from core " +
                    source + " before this core voted; ignored");
                return;
            }
            commit(transaction, LogRecords.FLAG_NONE);
        }
        else
        {
            abort(transaction, LogRecords.FLAG_NONE);
        }
    }

    private void onDecisionForFinished(final int source, final Decision decision) throws IOException
    {
        final TransactionId id = decision.transactionId();
        final byte known = decisions.get(id);
        final boolean fromCoordinator = source == id.coordinatorCoreId();
        if (decision.commit() && 0 == known && !refusals.isRefused(id) && refusals.lostIfCommitted(id))
        {
            onLostTransaction(source, id);
            return;
        }
        if (decision.commit() && refusals.isRefused(id))
        {
            services.reportError(ErrorKind.DECISION_MISMATCH, "transaction " + id + ": core " + source +
                " says COMMIT but this core refused it during cooperative termination");
        }
        else if (known != 0 && RecentDecisions.isCommit(known) != decision.commit())
        {
            services.reportError(ErrorKind.DECISION_MISMATCH, "transaction " + id + ": core " + source + " says " +
                (decision.commit() ? "COMMIT" : "ABORT") + " but this core " +
                (RecentDecisions.isForced(known) ? "was forced by an operator to " : "did ") +
                (RecentDecisions.isCommit(known) ? "commit" : "abort"));
        }
        if (decision.commit() && fromCoordinator && !refusals.isRefused(id))
        {
            // Committed here before or forgotten after a snapshot: either way the coordinator is
            // resending and needs the ack, once COMMITTED is durable (its ack may still be waiting
            // for a shared fsync): everything appended so far covers it.
            sendOnceAppendedIsDurable(source, new Ack(id));
        }
    }

    /**
     * A peer knows {@code id} committed, so this core voted yes on it and had made its PREPARED
     * durable; yet its log holds no trace of it. Its log lost records after it voted: its replicas lack
     * what the cluster committed, and it may no longer prove that it never voted on a transaction, so
     * it stops refusing. Not acknowledged: this core has not applied it.
     */
    private void onLostTransaction(final int source, final TransactionId id) throws IOException
    {
        final TransactionId known = lostNewest.get(id.coordinatorCoreId());
        if (null != known && id.compareTo(known) <= 0)
        {
            // Told again (peers tell a few times, each peer what it knows): nothing new.
            return;
        }
        lostNewest.put(id.coordinatorCoreId(), id);
        services.metrics.onError(ErrorKind.LOST_TRANSACTION);
        if (null != earlierDivergence)
        {
            return;
        }
        if (null == firstEvidence)
        {
            final long[] watermark = refusals.recoveredWatermark(id.coordinatorCoreId());
            final String newest = null == watermark ? "none" :
                id.coordinatorCoreId() + ":" + watermark[0] + ":" + watermark[1];
            firstEvidence = "core " + source + " knows transaction " + id + " committed with core " + services.coreId +
                " as a participant, but core " + services.coreId + "'s write-ahead log holds no trace of it (the " +
                "newest transaction of core " + id.coordinatorCoreId() + " it held at start is " + newest + "): its " +
                "log lost records after it voted (a power cut under fsync none, a disk that acknowledged writes it had " +
                "not made durable, a log file cut, or a data directory restored from an older copy), so its replicas " +
                "lack writes the cluster committed; the other participants' replicas hold them";
        }
        final StringBuilder lost = new StringBuilder();
        lostNewest.values().forEach((newest) -> lost.append(lost.length() == 0 ? "" : ", ").append(newest));
        divergence = firstEvidence + ". Lost so far, the newest of each coordinator: " + lost + ". " +
            DivergenceMarker.describe(services.context.storage()) + " keeps this verdict across restarts: remove it " +
            "only once this core's replicas hold those writes again (its data directory restored from a backup " +
            "taken after them), or they differ from the other replicas for good and nothing says so again";
        services.logLostTransaction(divergence);
        DivergenceMarker.write(services.context.storage(), divergence);
    }

    /**
     * Takes back the verdict of an earlier incarnation, which its data directory keeps until an operator
     * removes the marker: a restart does not make lost records come back.
     */
    void restoreDivergence() throws IOException
    {
        earlierDivergence = DivergenceMarker.read(services.context.storage());
        if (null != earlierDivergence)
        {
            services.metrics.onError(ErrorKind.LOST_TRANSACTION);
            divergence = "since an earlier start: " + (earlierDivergence.isBlank() ?
                DivergenceMarker.describe(services.context.storage()) + " is there but says no more" : earlierDivergence);
            services.logLostTransaction(divergence);
        }
    }

    /** @return why this core's replicas lack committed transactions, or null when nothing says so. */
    String divergence()
    {
        return divergence;
    }

    private void commit(final ParticipantTransaction<O> transaction, final int flags) throws IOException
    {
        final TransactionId id = transaction.id;
        final long position = services.log.appendCommitted(id, flags);
        for (final O operation : transaction.operations)
        {
            stateMachine.apply(operation);
        }
        finish(transaction, flags == LogRecords.FLAG_BY_OPERATOR ? RecentDecisions.FORCED_COMMIT : RecentDecisions.COMMITTED);
        services.observer.onParticipantDecision(id, true);
        final Runnable onDurable = () ->
        {
            services.observer.onParticipantCommitDurable(id);
            if (flags != LogRecords.FLAG_BY_OPERATOR)
            {
                services.outbox.send(id.coordinatorCoreId(), new Ack(id));
            }
        };
        if (flags == LogRecords.FLAG_BY_OPERATOR)
        {
            services.durability.await(position, onDurable);
        }
        else
        {
            // Only the coordinator's bookkeeping waits for the ack: it shares a later fsync.
            services.durability.awaitLazily(position, onDurable, services.nowNs);
        }
    }

    /** Sends once everything appended so far is durable, whatever record the message reports on. */
    private void sendOnceAppendedIsDurable(final int destination, final TwoPhaseMessage message)
    {
        services.durability.await(services.log.appendPosition(), () -> services.outbox.send(destination, message));
    }

    private void abort(final ParticipantTransaction<O> transaction, final int flags) throws IOException
    {
        services.log.appendAborted(transaction.id, flags);
        finish(transaction, flags == LogRecords.FLAG_BY_OPERATOR ? RecentDecisions.FORCED_ABORT : RecentDecisions.ABORTED);
        services.observer.onParticipantDecision(transaction.id, false);
    }

    private void finish(final ParticipantTransaction<O> transaction, final byte outcome)
    {
        locks.unlockAll(transaction.id, transaction.lockKeys);
        prepared.remove(transaction.id);
        decisions.put(transaction.id, outcome);
        if (RecentDecisions.COMMITTED == outcome)
        {
            services.peerCommits.onCommitted(transaction.id, transaction.participants);
        }
        if (transaction.durable)
        {
            inDoubtCount--;
        }
    }

    void onQuery(final int source, final Query query) throws IOException
    {
        final TransactionId id = query.transactionId();
        if (prepared.containsKey(id))
        {
            services.outbox.send(source, new StatusReply(id, QueryStatus.IN_DOUBT));
            return;
        }
        final byte known = decisions.get(id);
        if (known == RecentDecisions.COMMITTED || known == RecentDecisions.ABORTED)
        {
            services.outbox.send(source, new Decision(id, known == RecentDecisions.COMMITTED,
                known == RecentDecisions.COMMITTED ? "" : "core " + services.coreId + " knows it aborted"));
            return;
        }
        if (refusals.isRefused(id))
        {
            // The refusal may have been appended in this very cycle: answer once it is durable.
            sendOnceAppendedIsDurable(source, new Decision(id, false, refusalReason()));
            return;
        }
        if (known == 0 && null == divergence && refusals.canRefuse(id))
        {
            refuse(source, id);
            return;
        }
        services.outbox.send(source, new StatusReply(id, QueryStatus.UNKNOWN));
    }

    private void refuse(final int source, final TransactionId id) throws IOException
    {
        refusals.refuse(id);
        services.metrics.onRefusal();
        services.observer.onParticipantDecision(id, false);
        final long position = services.log.appendAborted(id, LogRecords.FLAG_REFUSAL);
        services.durability.await(position, () -> services.outbox.send(source, new Decision(id, false, refusalReason())));
    }

    private String refusalReason()
    {
        return "core " + services.coreId + " had not voted, so abort is safe";
    }

    void onStatus(final int source, final StatusReply reply)
    {
        final ParticipantTransaction<O> transaction = prepared.get(reply.transactionId());
        if (null != transaction && source == transaction.coordinatorCoreId())
        {
            transaction.coordinatorHeardNs = services.nowNs;
        }
    }

    void onPeerRestarted(final int coreId)
    {
        for (final ParticipantTransaction<O> transaction : prepared.values())
        {
            if (transaction.durable && transaction.coordinatorCoreId() == coreId)
            {
                transaction.nextQueryNs = services.nowNs;
                nextQueryCheckNs = services.nowNs;
            }
        }
    }

    /**
     * Asks for the decisions of transactions in doubt whose query timer has expired.
     *
     * @return queries sent.
     */
    int doWork(final long nowNs)
    {
        if (nowNs - nextQueryCheckNs < 0)
        {
            return 0;
        }
        int work = 0;
        long next = Long.MAX_VALUE;
        for (final ParticipantTransaction<O> transaction : prepared.values())
        {
            if (!transaction.durable)
            {
                continue;
            }
            if (nowNs - transaction.nextQueryNs >= 0)
            {
                work += query(transaction, nowNs);
            }
            next = Math.min(next, transaction.nextQueryNs);
        }
        nextQueryCheckNs = next;
        return work;
    }

    private int query(final ParticipantTransaction<O> transaction, final long nowNs)
    {
        final Query query = new Query(transaction.id);
        services.outbox.send(transaction.coordinatorCoreId(), query);
        int sent = 1;
        if (nowNs - transaction.coordinatorHeardNs >= services.context.cooperativeTerminationDelayNs())
        {
            for (int i = 0; i < transaction.participants.size(); i++)
            {
                final int peer = transaction.participants.coreId(i);
                if (peer != services.coreId && peer != transaction.coordinatorCoreId())
                {
                    services.outbox.send(peer, query);
                    sent++;
                }
            }
        }
        transaction.queriesSent++;
        transaction.nextQueryNs = nowNs + services.jittered(services.context.decisionQueryIntervalNs());
        return sent;
    }

    /**
     * An operator's explicit decision for a transaction in doubt. The caller logs it.
     *
     * @return null when applied, or why not.
     */
    String forceDecision(final TransactionId id, final boolean commit) throws IOException
    {
        final ParticipantTransaction<O> transaction = prepared.get(id);
        if (null == transaction || !transaction.durable)
        {
            return "transaction " + id + " is not in doubt on core " + services.coreId;
        }
        if (commit)
        {
            commit(transaction, LogRecords.FLAG_BY_OPERATOR);
        }
        else
        {
            abort(transaction, LogRecords.FLAG_BY_OPERATOR);
        }
        return null;
    }

    List<InDoubtTransaction> inDoubt()
    {
        final List<InDoubtTransaction> list = new ArrayList<>();
        for (final ParticipantTransaction<O> transaction : prepared.values())
        {
            if (transaction.durable)
            {
                list.add(new InDoubtTransaction(
                    transaction.id, transaction.participants, transaction.inDoubtSinceNs, transaction.queriesSent));
            }
        }
        return list;
    }

    int inDoubtCount()
    {
        return inDoubtCount;
    }

    int locksHeld()
    {
        return locks.size();
    }

    TransactionId lockHolder(final Object key)
    {
        return locks.holder(key);
    }

    Map<TransactionId, ParticipantTransaction<O>> prepared()
    {
        return prepared;
    }

    RecentDecisions decisions()
    {
        return decisions;
    }

    Refusals refusals()
    {
        return refusals;
    }

    // Recovery: rebuild state from the snapshot and the log, without sending or logging anything.

    void replayPrepared(final TransactionId id, final ParticipantSet participants, final byte[] operationBytes)
    {
        final List<O> operations = operationsCodec.decode(operationBytes);
        final LinkedHashSet<Object> keys = new LinkedHashSet<>();
        for (final O operation : operations)
        {
            keys.addAll(stateMachine.lockKeys(operation));
        }
        final List<Object> lockKeys = new ArrayList<>(keys);
        final String conflict = locks.tryLockAll(id, lockKeys);
        if (null != conflict)
        {
            throw new IllegalStateException("recovery: transaction " + id + " was prepared but " + conflict);
        }
        prepared.put(id, new ParticipantTransaction<>(id, participants, operationBytes, operations, lockKeys));
        refusals.onPrepareArrived(id);
        refusals.onPrepared(id);
    }

    void replayCommitted(final TransactionId id, final int flags)
    {
        final ParticipantTransaction<O> transaction = prepared.get(id);
        if (null == transaction)
        {
            throw new IllegalStateException("recovery: COMMITTED for transaction " + id + " that is not prepared");
        }
        for (final O operation : transaction.operations)
        {
            stateMachine.apply(operation);
        }
        finish(transaction, flags == LogRecords.FLAG_BY_OPERATOR ? RecentDecisions.FORCED_COMMIT : RecentDecisions.COMMITTED);
    }

    void replayAborted(final TransactionId id, final int flags)
    {
        final ParticipantTransaction<O> transaction = prepared.get(id);
        if (null != transaction)
        {
            finish(transaction, flags == LogRecords.FLAG_BY_OPERATOR ? RecentDecisions.FORCED_ABORT : RecentDecisions.ABORTED);
        }
        else if (flags == LogRecords.FLAG_REFUSAL)
        {
            refusals.refuse(id);
        }
    }

    /**
     * Every transaction still prepared after recovery is in doubt: ask its coordinator now.
     */
    void finishRecovery()
    {
        refusals.finishRecovery();
        for (final ParticipantTransaction<O> transaction : prepared.values())
        {
            markInDoubt(transaction, services.nowNs);
        }
    }
}
