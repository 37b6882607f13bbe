package io.multikernel.replication;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import io.multikernel.replication.protocol.Ack;
import io.multikernel.replication.protocol.Decision;
import io.multikernel.replication.protocol.Prepare;
import io.multikernel.replication.protocol.Query;
import io.multikernel.replication.protocol.QueryStatus;
import io.multikernel.replication.protocol.StatusReply;
import io.multikernel.replication.protocol.Vote;

/**
 * The coordinator role, presumed abort: sends PREPARE, collects votes, makes COMMIT_DECIDED
 * durable before sending any COMMIT, resends COMMIT until every participant acks, then logs ENDED
 * and forgets. Any no vote or a vote timeout aborts without forcing anything; a coordinator with
 * no record of a transaction answers "abort".
 *
 * @param <O> the operation type.
 */
final class Coordinator<O>
{
    private record PendingOutcome(TransactionId id, OutcomeListener listener, TransactionOutcome outcome)
    {
    }

    private record Recovered(ParticipantSet participants, boolean commitDecided)
    {
    }

    private final Services services;
    private final OperationsCodec<O> operationsCodec;
    private final LinkedHashMap<TransactionId, CoordinatorTransaction> active = new LinkedHashMap<>();
    private final Map<TransactionId, Recovered> recovered = new TreeMap<>();
    private final ArrayDeque<PendingOutcome> outcomes = new ArrayDeque<>();
    private long sequence;
    private long nextTimerNs = Long.MAX_VALUE;

    Coordinator(final Services services, final StateMachine<O> stateMachine)
    {
        this.services = services;
        this.operationsCodec = new OperationsCodec<>(stateMachine);
    }

    /**
     * @return the new transaction's id. On a log failure the transaction is rejected and the failure
     * left in {@code failure[0]} for the engine.
     */
    TransactionId propose(
        final ParticipantSet participants, final List<O> operations, final OutcomeListener listener,
        final IOException[] failure)
    {
        final TransactionId id = new TransactionId(services.coreId, services.incarnation, ++sequence);
        final String rejection = null != failure[0] ?
            "the write-ahead log of coordinator core " + services.coreId + " failed; restart the core" :
            checkProposal(participants, operations);
        if (null != rejection)
        {
            reject(id, listener, rejection);
            return id;
        }
        final byte[] operationBytes = operationsCodec.encode(operations);
        if (operationBytes.length > services.context.maxOperationsLengthBytes())
        {
            reject(id, listener, "the operations take " + operationBytes.length + " bytes, more than the " +
                services.context.maxOperationsLengthBytes() + " one transaction may carry (" +
                ReplicationConfiguration.MAX_OPERATIONS_LENGTH_PROP_NAME + ", at most half a URPC message: a longer " +
                "mk.urpc.term.length allows more); write less in one transaction");
            return id;
        }
        try
        {
            services.log.appendStarted(id, participants);
        }
        catch (final IOException ex)
        {
            failure[0] = ex;
            reject(id, listener, "the write-ahead log of coordinator core " + services.coreId + " failed");
            return id;
        }
        final long deadlineNs = services.nowNs + services.context.prepareTimeoutNs();
        active.put(id, new CoordinatorTransaction(
            id, participants, listener, services.nowNs, CoordinatorTransaction.State.COLLECTING, deadlineNs));
        nextTimerNs = Math.min(nextTimerNs, deadlineNs);
        final Prepare prepare = new Prepare(id, participants, operationBytes);
        for (int i = 0; i < participants.size(); i++)
        {
            services.outbox.send(participants.coreId(i), prepare);
        }
        return id;
    }

    private String checkProposal(final ParticipantSet participants, final List<O> operations)
    {
        if (operations.isEmpty())
        {
            return "a transaction needs at least one operation";
        }
        for (int i = 0; i < participants.size(); i++)
        {
            final int participant = participants.coreId(i);
            final String unavailable = participant == services.coreId ? null :
                services.context.peerUnavailable().apply(participant);
            if (null != unavailable)
            {
                return unavailable + ", so it cannot vote; retry once it is back";
            }
        }
        if (active.size() >= services.context.maxInFlightTransactions())
        {
            return "core " + services.coreId + " already coordinates MAX_IN_FLIGHT_TRANSACTIONS=" +
                services.context.maxInFlightTransactions() + " transactions; retry later";
        }
        return null;
    }

    private void reject(final TransactionId id, final OutcomeListener listener, final String reason)
    {
        services.metrics.onRejected();
        outcomes.addLast(new PendingOutcome(id, listener, TransactionOutcome.aborted(reason + "; nothing changed")));
    }

    void onVote(final int source, final Vote vote) throws IOException
    {
        final TransactionId id = vote.transactionId();
        final CoordinatorTransaction transaction = active.get(id);
        if (null == transaction)
        {
            if (vote.yes())
            {
                services.outbox.send(source, new Decision(id, false, presumedAbortReason()));
            }
            return;
        }
        final int index = transaction.participants.indexOf(source);
        if (index < 0)
        {
            services.reportError(ErrorKind.UNEXPECTED_MESSAGE, "vote on transaction " + id + " from core " + source +
                ", which is not a participant");
            return;
        }
        if (transaction.state != CoordinatorTransaction.State.COLLECTING)
        {
            return;
        }
        if (!vote.yes())
        {
            transaction.noVotes.set(index);
            abort(transaction, "core " + source + " voted no: " + vote.reason());
            return;
        }
        transaction.yesVotes.set(index);
        if (transaction.yesVotes.cardinality() == transaction.participants.size())
        {
            transaction.state = CoordinatorTransaction.State.COMMITTING;
            final long position = services.log.appendCommitDecided(id, transaction.participants);
            services.durability.await(position, () -> onCommitDurable(transaction));
        }
    }

    private void onCommitDurable(final CoordinatorTransaction transaction)
    {
        if (active.get(transaction.id) != transaction)
        {
            return;
        }
        transaction.state = CoordinatorTransaction.State.AWAITING_ACKS;
        rememberCommit(transaction.id, transaction.participants);
        services.observer.onCoordinatorDecision(transaction.id, true, false);
        services.metrics.onCommitted(services.nowNs - transaction.startNs);
        sendCommit(transaction);
        outcomes.addLast(new PendingOutcome(transaction.id, transaction.listener, TransactionOutcome.committed()));
    }

    private void sendCommit(final CoordinatorTransaction transaction)
    {
        final Decision commit = new Decision(transaction.id, true, "");
        for (int i = 0; i < transaction.participants.size(); i++)
        {
            if (!transaction.acks.get(i))
            {
                services.outbox.send(transaction.participants.coreId(i), commit);
            }
        }
        transaction.timerNs = services.nowNs + services.context.commitResendIntervalNs();
        nextTimerNs = Math.min(nextTimerNs, transaction.timerNs);
    }

    private void abort(final CoordinatorTransaction transaction, final String reason) throws IOException
    {
        final Decision abort = new Decision(transaction.id, false, reason);
        for (int i = 0; i < transaction.participants.size(); i++)
        {
            if (!transaction.noVotes.get(i))
            {
                services.outbox.send(transaction.participants.coreId(i), abort);
            }
        }
        active.remove(transaction.id);
        services.observer.onCoordinatorDecision(transaction.id, false, false);
        services.metrics.onAborted();
        outcomes.addLast(new PendingOutcome(transaction.id, transaction.listener,
            TransactionOutcome.aborted(reason + "; nothing changed")));
        // Last: an append that fails the engine leaves this transaction out of stop()'s reach, and its
        // caller is told by the outcome already queued.
        services.log.appendEnded(transaction.id);
    }

    void onAck(final int source, final Ack ack) throws IOException
    {
        final CoordinatorTransaction transaction = active.get(ack.transactionId());
        if (null == transaction || transaction.state != CoordinatorTransaction.State.AWAITING_ACKS)
        {
            return;
        }
        final int index = transaction.participants.indexOf(source);
        if (index < 0)
        {
            services.reportError(ErrorKind.UNEXPECTED_MESSAGE, "ack of transaction " + transaction.id +
                " from core " + source + ", which is not a participant");
            return;
        }
        transaction.acks.set(index);
        if (transaction.acks.cardinality() == transaction.participants.size())
        {
            active.remove(transaction.id);
            services.log.appendEnded(transaction.id);
        }
    }

    void onQuery(final int source, final Query query)
    {
        final TransactionId id = query.transactionId();
        final CoordinatorTransaction transaction = active.get(id);
        if (null != transaction)
        {
            if (transaction.state == CoordinatorTransaction.State.AWAITING_ACKS)
            {
                services.outbox.send(source, new Decision(id, true, ""));
            }
            else
            {
                services.outbox.send(source, new StatusReply(id, QueryStatus.UNDECIDED));
            }
            return;
        }
        final boolean issuedByMe = id.coordinatorIncarnation() < services.incarnation ||
            (id.coordinatorIncarnation() == services.incarnation && id.sequence() <= sequence);
        if (issuedByMe)
        {
            services.outbox.send(source, new Decision(id, false, presumedAbortReason()));
        }
        else
        {
            services.reportError(ErrorKind.UNEXPECTED_MESSAGE, "core " + source + " asked about transaction " + id +
                ", which this core has not started");
            services.outbox.send(source, new StatusReply(id, QueryStatus.UNKNOWN));
        }
    }

    private String presumedAbortReason()
    {
        return "coordinator core " + services.coreId + " has no commit record for it (presumed abort)";
    }

    void onPeerRestarted(final int coreId)
    {
        for (final CoordinatorTransaction transaction : active.values())
        {
            final int index = transaction.participants.indexOf(coreId);
            if (transaction.state == CoordinatorTransaction.State.AWAITING_ACKS && index >= 0 &&
                !transaction.acks.get(index))
            {
                transaction.timerNs = services.nowNs;
                nextTimerNs = services.nowNs;
            }
        }
    }

    /**
     * Aborts transactions whose votes are late and resends COMMIT to participants that have not acked.
     *
     * @return transactions acted on.
     */
    int doWork(final long nowNs) throws IOException
    {
        if (nowNs - nextTimerNs < 0)
        {
            return 0;
        }
        final List<CoordinatorTransaction> expired = new ArrayList<>();
        long next = Long.MAX_VALUE;
        for (final CoordinatorTransaction transaction : active.values())
        {
            if (transaction.state != CoordinatorTransaction.State.COMMITTING && nowNs - transaction.timerNs >= 0)
            {
                expired.add(transaction);
            }
            else if (transaction.state != CoordinatorTransaction.State.COMMITTING)
            {
                next = Math.min(next, transaction.timerNs);
            }
        }
        nextTimerNs = next;
        for (final CoordinatorTransaction transaction : expired)
        {
            if (transaction.state == CoordinatorTransaction.State.COLLECTING)
            {
                abort(transaction, missingVotes(transaction) + " did not vote within " +
                    TimeUnit.NANOSECONDS.toMillis(services.context.prepareTimeoutNs()) + " ms");
            }
            else
            {
                sendCommit(transaction);
            }
        }
        return expired.size();
    }

    private static String missingVotes(final CoordinatorTransaction transaction)
    {
        final StringBuilder cores = new StringBuilder();
        for (int i = 0; i < transaction.participants.size(); i++)
        {
            if (!transaction.yesVotes.get(i))
            {
                cores.append(cores.length() == 0 ? "" : ", ").append(transaction.participants.coreId(i));
            }
        }
        return "core(s) " + cores;
    }

    /**
     * Tells callers their outcomes.
     *
     * @return outcomes delivered.
     */
    int deliverOutcomes()
    {
        int delivered = 0;
        PendingOutcome pending;
        while (null != (pending = outcomes.pollFirst()))
        {
            if (null != pending.listener())
            {
                pending.listener().onOutcome(pending.id(), pending.outcome());
            }
            delivered++;
        }
        return delivered;
    }

    /**
     * The log failed or the engine closes: nothing more will be decided in this incarnation. A
     * transaction still collecting votes has no commit record, so it is definitely aborted; one whose
     * commit record may or may not have reached the disk is indefinite.
     */
    void stop(final String reason)
    {
        for (final CoordinatorTransaction transaction : active.values())
        {
            if (transaction.state == CoordinatorTransaction.State.COLLECTING)
            {
                final Decision abort = new Decision(transaction.id, false, reason);
                for (int i = 0; i < transaction.participants.size(); i++)
                {
                    services.outbox.send(transaction.participants.coreId(i), abort);
                }
                services.metrics.onAborted();
                outcomes.addLast(new PendingOutcome(transaction.id, transaction.listener,
                    TransactionOutcome.aborted(reason + "; nothing changed")));
            }
            else if (transaction.state == CoordinatorTransaction.State.COMMITTING)
            {
                services.metrics.onIndefinite();
                outcomes.addLast(new PendingOutcome(transaction.id, transaction.listener, TransactionOutcome.indefinite(
                    reason + " while its commit decision was being made durable; it may have committed")));
            }
        }
        active.clear();
    }

    int inFlight()
    {
        return active.size();
    }

    Map<TransactionId, CoordinatorTransaction> active()
    {
        return active;
    }

    // Recovery: rebuild from the snapshot and the log, then finish what the previous incarnation started.

    void replayStarted(final TransactionId id, final ParticipantSet participants)
    {
        recovered.put(id, new Recovered(participants, false));
    }

    /**
     * Where this core is a participant too, its participant role remembers the commit as it applies it
     * (live or replayed); only a transaction it coordinates for others is remembered here.
     */
    private void rememberCommit(final TransactionId id, final ParticipantSet participants)
    {
        if (participants.indexOf(services.coreId) < 0)
        {
            services.peerCommits.onCommitted(id, participants);
        }
    }

    void replayCommitDecided(final TransactionId id, final ParticipantSet participants)
    {
        rememberCommit(id, participants);
        recovered.put(id, new Recovered(participants, true));
    }

    void replayEnded(final TransactionId id)
    {
        recovered.remove(id);
    }

    /**
     * Aborts what the previous incarnation started but never decided, and resends COMMIT for what it
     * decided but never finished.
     */
    void finishRecovery() throws IOException
    {
        for (final Map.Entry<TransactionId, Recovered> entry : recovered.entrySet())
        {
            final TransactionId id = entry.getKey();
            final ParticipantSet participants = entry.getValue().participants();
            if (entry.getValue().commitDecided())
            {
                final CoordinatorTransaction transaction = new CoordinatorTransaction(id, participants, null,
                    services.nowNs, CoordinatorTransaction.State.AWAITING_ACKS, services.nowNs);
                active.put(id, transaction);
                services.observer.onCoordinatorDecision(id, true, true);
                sendCommit(transaction);
            }
            else
            {
                final Decision abort = new Decision(id, false, "its coordinator, core " + services.coreId +
                    ", restarted before deciding");
                for (int i = 0; i < participants.size(); i++)
                {
                    services.outbox.send(participants.coreId(i), abort);
                }
                services.log.appendEnded(id);
                services.observer.onCoordinatorDecision(id, false, true);
            }
        }
        recovered.clear();
    }
}
