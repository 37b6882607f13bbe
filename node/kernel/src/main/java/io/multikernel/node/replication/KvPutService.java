package io.multikernel.node.replication;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.multikernel.node.lrpc.LrpcOperations;
import io.multikernel.node.lrpc.LrpcServer;
import io.multikernel.node.lrpc.LrpcStatus;
import io.multikernel.node.skb.NameService;
import io.multikernel.replication.OutcomeListener;
import io.multikernel.replication.ParticipantSet;
import io.multikernel.replication.TransactionId;
import io.multikernel.replication.TransactionOutcome;
import io.multikernel.replication.kv.KeyValueOperation;
import org.agrona.DirectBuffer;
import org.agrona.collections.MutableInteger;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The LRPC operation {@code kv.put}: an app asks its core for a replicated put on a set of replicas;
 * the core proposes a 2PC transaction as coordinator and answers when the outcome arrives (the
 * handler defers its reply). Runs on the kernel loop's thread.
 * <p>
 * <b>Coalescing.</b> Puts that arrive in one duty cycle's LRPC drain are grouped by replica set and
 * each group is proposed as one transaction by {@link #flush()}, which the core runs right after
 * the drain: one set of WAL records and protocol messages for up to {@link #PUTS_PER_TRANSACTION_MAX}
 * puts. While a replica set has {@link #TRANSACTIONS_IN_FLIGHT_PER_REPLICA_SET_MAX} of this service's
 * transactions in flight, its newest group is not proposed but stays open, collecting the puts of
 * later drains until an outcome frees a slot: under load transactions grow instead of multiplying,
 * and a put on a quiet set is proposed in the duty cycle it arrived in. A group holds distinct keys (a put to a key already in the open group starts a new group,
 * so each transaction writes a key at most once) and at most {@code operationsLengthMaxBytes} of
 * operations. Every put keeps its own exact answer: a committed group committed every put in it; an
 * indefinite group is indefinite for every put; an aborted group applied nothing, so each of its
 * puts is proposed again alone, once ({@link #RETRIES_ALONE_AFTER_GROUP_ABORT_MAX}), and answered
 * with that transaction's outcome. A put that is alone in its transaction is answered with it.
 * <p>
 * Replies (see {@link KvPutCodec}): OK with the transaction id when committed; ABORTED with the
 * reason (nothing changed); INDEFINITE when the coordinator cannot tell (it may have committed);
 * UNAVAILABLE when the put was not proposed (the engine coordinates its limit of transactions,
 * counting the groups queued in this duty cycle, or the LRPC server holds its limit of deferred
 * replies: nothing changed); INVALID_ARGUMENT or MALFORMED for bad requests (a replica outside the
 * cluster map, a core named twice, an empty key, lengths that do not fit). Each outcome is counted in
 * {@code mk_lrpc_kv_put_total{outcome}}; puts per transaction in {@code mk_lrpc_kv_put_transaction_puts},
 * puts proposed again after their group aborted in {@code mk_lrpc_kv_put_group_retries_total}.
 */
public final class KvPutService
{
    /** Most puts one transaction carries. */
    public static final int PUTS_PER_TRANSACTION_MAX = 256;

    /**
     * Transactions of this service a replica set has in flight before its next group waits: while
     * it waits, puts on that set keep joining it, so under load transactions grow instead of
     * multiplying; with fewer in flight a put is proposed in the duty cycle it arrived in.
     */
    public static final int TRANSACTIONS_IN_FLIGHT_PER_REPLICA_SET_MAX = 4;

    /** How often a put of an aborted group is proposed again on its own. */
    public static final int RETRIES_ALONE_AFTER_GROUP_ABORT_MAX = 1;

    /** Bytes of {@code OperationsCodec}'s count field, and of its length field per operation. */
    private static final int OPERATIONS_COUNT_LENGTH_BYTES = 4;
    private static final int OPERATION_LENGTH_FIELD_BYTES = CoreReplication.OPERATION_LENGTH_FIELD_BYTES;

    /** What the service needs of the core's replication; {@link CoreReplication} in a core. */
    public interface Proposer
    {
        /** @return true when {@code coreId} is a core of the cluster map. */
        boolean isClusterCore(int coreId);

        /**
         * @param queuedTransactions transactions that will be proposed before the one asked about.
         * @return why a proposal after those would be refused at once, or null when it would be started.
         */
        String proposalRefusal(int queuedTransactions);

        /** @return bytes one operation takes in a transaction's encoded operations. */
        int encodedLength(KeyValueOperation operation);

        /** @return the most bytes the encoded operations of one transaction may take. */
        int operationsLengthMaxBytes();

        /** Proposes a transaction coordinated by this core; the outcome reaches the listener later. */
        void propose(ParticipantSet replicas, List<KeyValueOperation> operations, OutcomeListener listener);
    }

    /** Outcomes counted in {@code mk_lrpc_kv_put_total{outcome}}. */
    enum Outcome
    {
        COMMITTED, ABORTED, INDEFINITE, NOT_PROPOSED, INVALID
    }

    private final Proposer proposer;
    private final KvPutCodec.Decoder decoder = new KvPutCodec.Decoder();
    private final UnsafeBuffer reply = new UnsafeBuffer(new byte[KvPutCodec.REPLY_LENGTH_BYTES]);
    private final Counter[] counters = new Counter[Outcome.values().length];
    private final DistributionSummary putsPerTransaction;
    private final Counter groupRetries;
    /** Groups to propose at the next flush, in arrival order; retries alone come first. */
    private final ArrayList<PutGroup> queued = new ArrayList<>();
    private final ArrayList<PutGroup> retries = new ArrayList<>();
    /** The group a put on a replica set joins, while it has room; cleared by each flush. */
    private final Map<ParticipantSet, PutGroup> openGroups = new HashMap<>();
    /** Transactions proposed by this service and not yet answered, per replica set. */
    private final Map<ParticipantSet, MutableInteger> inFlight = new HashMap<>();
    private LrpcServer server;

    /**
     * @param proposer the core's replication.
     * @param registry for {@code mk_lrpc_kv_put_*}.
     */
    public KvPutService(final Proposer proposer, final MeterRegistry registry)
    {
        this.proposer = proposer;
        for (final Outcome outcome : Outcome.values())
        {
            counters[outcome.ordinal()] = Counter.builder("mk.lrpc.kv.put")
                .description("Replicated puts asked for over LRPC, by outcome")
                .tag("outcome", outcome.name().toLowerCase(java.util.Locale.ROOT))
                .register(registry);
        }
        putsPerTransaction = DistributionSummary.builder("mk.lrpc.kv.put.transaction.puts")
            .description("LRPC puts coalesced into one proposed transaction")
            .baseUnit("puts")
            .register(registry);
        groupRetries = Counter.builder("mk.lrpc.kv.put.group.retries")
            .description("LRPC puts proposed again alone after the transaction of their group aborted")
            .register(registry);
    }

    /**
     * Registers {@code kv.put} with a core's LRPC server and its flush with the core's replication,
     * which runs it after every LRPC drain.
     *
     * @param server      the core's LRPC server.
     * @param replication the core's replication, owned by the same kernel loop.
     * @param registry    the core's registry.
     * @return the service.
     */
    public static KvPutService register(final LrpcServer server, final CoreReplication replication,
        final MeterRegistry registry)
    {
        final KvPutService service = new KvPutService(new Proposer()
        {
            public boolean isClusterCore(final int coreId)
            {
                return replication.isClusterCore(coreId);
            }

            public String proposalRefusal(final int queuedTransactions)
            {
                return replication.proposalRefusal(queuedTransactions);
            }

            public int encodedLength(final KeyValueOperation operation)
            {
                return replication.encodedLength(operation);
            }

            public int operationsLengthMaxBytes()
            {
                return replication.operationsLengthMaxBytes();
            }

            public void propose(final ParticipantSet replicas, final List<KeyValueOperation> operations,
                final OutcomeListener listener)
            {
                replication.propose(replicas, operations, listener);
            }
        }, registry);
        server.register(LrpcOperations.KV_PUT, "kv.put", service::onRequest);
        replication.proposalSource(service::flush);
        return service;
    }

    void onRequest(final LrpcServer server, final DirectBuffer payload, final int offset, final int length)
    {
        if (!decoder.decode(payload, offset, length))
        {
            refuse(server, Outcome.INVALID, decoder.status(), decoder.problem());
            return;
        }
        if (decoder.key().startsWith(NameService.KEY_PREFIX))
        {
            refuse(server, Outcome.INVALID, LrpcStatus.INVALID_ARGUMENT, "kv.put key '" +
                NameService.printable(decoder.key()) + "' is in the name service's keys (" + NameService.KEY_PREFIX +
                "...): register names with name.register; nothing done");
            return;
        }
        final int[] replicaIds = decoder.replicas();
        for (final int replica : replicaIds)
        {
            if (!proposer.isClusterCore(replica))
            {
                refuse(server, Outcome.INVALID, LrpcStatus.INVALID_ARGUMENT, "kv.put replica core " + replica +
                    " is not in the cluster map; nothing done");
                return;
            }
        }
        final ParticipantSet replicas;
        try
        {
            replicas = ParticipantSet.of(replicaIds);
        }
        catch (final IllegalArgumentException ex)
        {
            refuse(server, Outcome.INVALID, LrpcStatus.INVALID_ARGUMENT, "kv.put " + ex.getMessage() + "; nothing done");
            return;
        }
        final KeyValueOperation put = KeyValueOperation.put(decoder.key(), decoder.value());
        final int putLengthBytes = OPERATION_LENGTH_FIELD_BYTES + proposer.encodedLength(put);
        PutGroup group = openGroups.get(replicas);
        if (null != group && !group.admits(put, putLengthBytes, proposer.operationsLengthMaxBytes()))
        {
            openGroups.remove(replicas);
            group = null;
        }
        // A put joining a queued group adds no transaction; one opening a group adds one after the queued.
        final String refusal = proposer.proposalRefusal(null == group ? retries.size() + queued.size() :
            retries.size() + queued.size() - 1);
        if (null != refusal)
        {
            refuse(server, Outcome.NOT_PROPOSED, LrpcStatus.UNAVAILABLE, "not proposed: " + refusal + "; nothing changed");
            return;
        }
        final long token = server.defer();
        if (LrpcServer.NO_TOKEN == token)
        {
            // Answered UNAVAILABLE by the server: too many replies deferred.
            count(Outcome.NOT_PROPOSED);
            return;
        }
        this.server = server;
        if (null == group)
        {
            group = new PutGroup(replicas, 0);
            queued.add(group);
            openGroups.put(replicas, group);
        }
        group.add(put, putLengthBytes, token);
    }

    /**
     * Proposes the puts collected since the last flush: retries alone first, then one transaction
     * per group. Kernel loop only, after the LRPC drain.
     *
     * @return transactions proposed.
     */
    public int flush()
    {
        if (retries.isEmpty() && queued.isEmpty())
        {
            return 0;
        }
        int proposed = retries.size();
        for (int i = 0; i < retries.size(); i++)
        {
            proposeRetry(retries.get(i));
        }
        retries.clear();
        int kept = 0;
        for (int i = 0; i < queued.size(); i++)
        {
            final PutGroup group = queued.get(i);
            final MutableInteger setInFlight = inFlight(group.replicas);
            if (setInFlight.get() >= TRANSACTIONS_IN_FLIGHT_PER_REPLICA_SET_MAX)
            {
                // Waits for an outcome on its set, open to further puts.
                queued.set(kept++, group);
                continue;
            }
            if (openGroups.get(group.replicas) == group)
            {
                openGroups.remove(group.replicas);
            }
            proposed++;
            // Checked on arrival, counting the queue; it changes only when the engine closed or failed since.
            final String refusal = proposer.proposalRefusal(0);
            if (null != refusal)
            {
                for (int j = 0; j < group.size(); j++)
                {
                    count(Outcome.NOT_PROPOSED);
                    server.replyDeferredError(group.tokens[j], LrpcStatus.UNAVAILABLE,
                        "not proposed: " + refusal + "; nothing changed");
                }
                continue;
            }
            putsPerTransaction.record(group.size());
            setInFlight.increment();
            proposer.propose(group.replicas, group.operations, group);
        }
        queued.subList(kept, queued.size()).clear();
        return proposed;
    }

    private MutableInteger inFlight(final ParticipantSet replicas)
    {
        return inFlight.computeIfAbsent(replicas, ignored -> new MutableInteger());
    }

    private void proposeRetry(final PutGroup retry)
    {
        final String refusal = proposer.proposalRefusal(0);
        if (null != refusal)
        {
            // Nothing was applied by the group; say so with both reasons.
            count(Outcome.ABORTED);
            server.replyDeferredError(retry.tokens[0], LrpcStatus.ABORTED, retry.groupAbortReason +
                "; not proposed again alone: " + refusal + "; nothing changed");
            return;
        }
        putsPerTransaction.record(1);
        inFlight(retry.replicas).increment();
        proposer.propose(retry.replicas, retry.operations, retry);
    }

    private void onGroupOutcome(final PutGroup group, final TransactionId id, final TransactionOutcome outcome)
    {
        final MutableInteger setInFlight = inFlight.get(group.replicas);
        if (0 == setInFlight.decrementAndGet())
        {
            // Apps may name any number of replica sets over time: keep only those in use.
            inFlight.remove(group.replicas);
        }
        if (TransactionOutcome.Status.ABORTED == outcome.status() && group.size() > 1 &&
            group.attempt < RETRIES_ALONE_AFTER_GROUP_ABORT_MAX)
        {
            final String reason = "transaction " + id + " of " + group.size() + " puts aborted: " + outcome.reason();
            for (int i = 0; i < group.size(); i++)
            {
                final PutGroup retry = new PutGroup(group.replicas, group.attempt + 1);
                retry.add(group.operations.get(i), 0, group.tokens[i]);
                retry.groupAbortReason = reason;
                retries.add(retry);
                groupRetries.increment();
            }
            return;
        }
        for (int i = 0; i < group.size(); i++)
        {
            answer(group.tokens[i], id, outcome);
        }
    }

    private void answer(final long token, final TransactionId id, final TransactionOutcome outcome)
    {
        switch (outcome.status())
        {
            case COMMITTED ->
            {
                count(Outcome.COMMITTED);
                KvPutCodec.encodeReply(reply, 0, id);
                server.replyDeferred(token, LrpcStatus.OK, reply, 0, KvPutCodec.REPLY_LENGTH_BYTES);
            }
            case ABORTED ->
            {
                count(Outcome.ABORTED);
                server.replyDeferredError(token, LrpcStatus.ABORTED, "transaction " + id + " aborted: " + outcome.reason());
            }
            case INDEFINITE ->
            {
                count(Outcome.INDEFINITE);
                server.replyDeferredError(token, LrpcStatus.INDEFINITE, "transaction " + id + " outcome unknown, it " +
                    "may have committed: " + outcome.reason());
            }
            default -> throw new IllegalStateException("unknown transaction outcome " + outcome);
        }
    }

    private void refuse(final LrpcServer server, final Outcome outcome, final int status, final String message)
    {
        count(outcome);
        server.replyError(status, message);
    }

    private void count(final Outcome outcome)
    {
        counters[outcome.ordinal()].increment();
    }

    long count(final String outcome)
    {
        return (long)counters[Outcome.valueOf(outcome.toUpperCase(java.util.Locale.ROOT)).ordinal()].count();
    }

    /** @return replica sets with transactions of this service in flight. */
    int replicaSetsInFlight()
    {
        return inFlight.size();
    }

    long groupRetries()
    {
        return (long)groupRetries.count();
    }

    /** Puts on one replica set proposed as one transaction, with the deferred reply of each. */
    private final class PutGroup implements OutcomeListener
    {
        final ParticipantSet replicas;
        /** 0 for a group of arrivals, 1.. for a put proposed again alone after its group aborted. */
        final int attempt;
        final ArrayList<KeyValueOperation> operations = new ArrayList<>();
        final Set<String> keys = new HashSet<>();
        long[] tokens = new long[4];
        int operationsLengthBytes = OPERATIONS_COUNT_LENGTH_BYTES;
        String groupAbortReason;

        PutGroup(final ParticipantSet replicas, final int attempt)
        {
            this.replicas = replicas;
            this.attempt = attempt;
        }

        int size()
        {
            return operations.size();
        }

        boolean admits(final KeyValueOperation put, final int putLengthBytes, final int operationsLengthMaxBytes)
        {
            return operations.size() < PUTS_PER_TRANSACTION_MAX && !keys.contains(put.key()) &&
                operationsLengthBytes + putLengthBytes <= operationsLengthMaxBytes;
        }

        void add(final KeyValueOperation put, final int putLengthBytes, final long token)
        {
            if (operations.size() == tokens.length)
            {
                tokens = java.util.Arrays.copyOf(tokens, tokens.length * 2);
            }
            tokens[operations.size()] = token;
            operations.add(put);
            keys.add(put.key());
            operationsLengthBytes += putLengthBytes;
        }

        public void onOutcome(final TransactionId transactionId, final TransactionOutcome outcome)
        {
            onGroupOutcome(this, transactionId, outcome);
        }
    }
}
