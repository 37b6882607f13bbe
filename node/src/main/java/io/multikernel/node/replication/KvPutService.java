package io.multikernel.node.replication;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.multikernel.node.lrpc.LrpcOperations;
import io.multikernel.node.lrpc.LrpcServer;
import io.multikernel.node.lrpc.LrpcStatus;
import io.multikernel.replication.OutcomeListener;
import io.multikernel.replication.ParticipantSet;
import io.multikernel.replication.TransactionId;
import io.multikernel.replication.TransactionOutcome;
import io.multikernel.replication.kv.KeyValueOperation;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.List;

/**
 * The LRPC operation {@code kv.put}: an app asks its core for a replicated put on a set of replicas;
 * the core proposes a 2PC transaction as coordinator and answers when the outcome arrives (the
 * handler defers its reply). Runs on the kernel loop's thread.
 * <p>
 * Replies (see {@link KvPutCodec}): OK with the transaction id when committed; ABORTED with the
 * reason (nothing changed); INDEFINITE when the coordinator cannot tell (it may have committed);
 * UNAVAILABLE when the put was not proposed (the engine coordinates its limit of transactions, or
 * the LRPC server holds its limit of deferred replies: nothing changed); INVALID_ARGUMENT or MALFORMED
 * for bad requests (a replica outside the cluster map, a core named twice, an empty key, lengths that
 * do not fit). Each outcome is counted in {@code mk_lrpc_kv_put_total{outcome}}.
 */
public final class KvPutService
{
    /** What the service needs of the core's replication; {@link CoreReplication} in a core. */
    public interface Proposer
    {
        /** @return true when {@code coreId} is a core of the cluster map. */
        boolean isClusterCore(int coreId);

        /** @return why a proposal now would be refused at once, or null when it would be started. */
        String proposalRefusal();

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

    /**
     * @param proposer the core's replication.
     * @param registry for {@code mk_lrpc_kv_put_total}.
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
    }

    /**
     * Registers {@code kv.put} with a core's LRPC server.
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

            public String proposalRefusal()
            {
                return replication.engine().proposalRefusal();
            }

            public void propose(final ParticipantSet replicas, final List<KeyValueOperation> operations,
                final OutcomeListener listener)
            {
                replication.propose(replicas, operations, listener);
            }
        }, registry);
        server.register(LrpcOperations.KV_PUT, "kv.put", service::onRequest);
        return service;
    }

    void onRequest(final LrpcServer server, final DirectBuffer payload, final int offset, final int length)
    {
        if (!decoder.decode(payload, offset, length))
        {
            refuse(server, Outcome.INVALID, decoder.status(), decoder.problem());
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
        final String refusal = proposer.proposalRefusal();
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
        final KeyValueOperation put = KeyValueOperation.put(decoder.key(), decoder.value());
        proposer.propose(replicas, List.of(put), (id, outcome) -> answer(server, token, id, outcome));
    }

    private void answer(final LrpcServer server, final long token, final TransactionId id, final TransactionOutcome outcome)
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
}
