package io.multikernel.node.replication;

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
import org.agrona.concurrent.UnsafeBuffer;

import java.util.List;
import java.util.OptionalInt;

/**
 * The SKB name service agreed by every core: the LRPC operations {@code name.register} and
 * {@code name.lookup} over the replicated key-value store. Runs on the kernel loop's thread.
 * <p>
 * A registration of NAME to serving core M, asked at core N, is one 2PC transaction coordinated by N
 * with every core of the cluster map as participant: {@code PUT_IF_ABSENT("name/NAME", "M")}. So it
 * needs every core up (each must vote); with a core down it aborts and nothing changes. Before
 * proposing, N reads its own replica: the name held by M already answers OK at once (idempotent), held
 * by another core answers CONFLICT at once. Replies: OK with M when committed; CONFLICT when the abort
 * says the key exists (another registration won); ABORTED with the engine's reason otherwise (nothing
 * changed); INDEFINITE when the coordinator cannot tell (it may have registered); UNAVAILABLE when not
 * proposed (the engine or the LRPC server is at its limit, or the registry holds
 * {@link NameService#SERVICE_COUNT_MAX} names: nothing changed); INVALID_ARGUMENT or MALFORMED for bad
 * requests.
 * <p>
 * A lookup reads the asking core's replica; since every core is a participant of every registration,
 * a committed name is on every live core, and a restarted core recovers it from its write-ahead log.
 */
public final class AgreedNameService
{
    /** What the service needs of the core's replication; {@link CoreReplication} in a core. */
    public interface Replication
    {
        /** @return every core of the cluster map: the participants of a registration. */
        int[] clusterCoreIds();

        /** @return why a proposal now would be refused at once, or null when it would be started. */
        String proposalRefusal();

        /** Proposes a transaction coordinated by this core; the outcome reaches the listener later. */
        void propose(ParticipantSet replicas, List<KeyValueOperation> operations, OutcomeListener listener);

        /** @return the local replica's value of a key, or null when absent. */
        String read(String key);

        /** @return how many {@code name/} keys the local replica holds. */
        int registeredNameCount();
    }

    private final Replication replication;
    private final NameService rules;
    private final UnsafeBuffer result = new UnsafeBuffer(new byte[Integer.BYTES]);

    /**
     * @param replication the core's replication.
     * @param rules       validates names and serving cores against the topology.
     */
    public AgreedNameService(final Replication replication, final NameService rules)
    {
        this.replication = replication;
        this.rules = rules;
    }

    /**
     * Registers {@code name.register} and {@code name.lookup} with a core's LRPC server.
     *
     * @param server      the core's LRPC server.
     * @param replication the core's replication, owned by the same kernel loop.
     * @param rules       the core's name rules.
     * @return the service.
     */
    public static AgreedNameService register(final LrpcServer server, final CoreReplication replication,
        final NameService rules)
    {
        final AgreedNameService service = new AgreedNameService(new Replication()
        {
            public int[] clusterCoreIds()
            {
                return replication.clusterCoreIds();
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

            public String read(final String key)
            {
                return replication.replica().get(key);
            }

            public int registeredNameCount()
            {
                // '0' is the character after '/': the keys from "name/" up to "name0" are the registrations.
                return replication.replica().entries().subMap(NameService.KEY_PREFIX, "name0").size();
            }
        }, rules);
        service.registerWith(server);
        return service;
    }

    /**
     * @param server to serve {@code name.register} and {@code name.lookup} on.
     */
    public void registerWith(final LrpcServer server)
    {
        server.register(LrpcOperations.NAME_REGISTER, "name.register", this::onRegister);
        server.register(LrpcOperations.NAME_LOOKUP, "name.lookup", this::onLookup);
    }

    void onRegister(final LrpcServer server, final DirectBuffer payload, final int offset, final int length)
    {
        if (length < Integer.BYTES + 1)
        {
            server.replyError(LrpcStatus.MALFORMED, "name.register needs a 4-byte core id and a name, got " + length +
                " bytes");
            return;
        }
        final int servingCore = payload.getInt(offset);
        final String name = payload.getStringWithoutLengthAscii(offset + Integer.BYTES, length - Integer.BYTES);
        final String problem = rules.registrationProblem(name, servingCore);
        if (null != problem)
        {
            server.replyError(LrpcStatus.INVALID_ARGUMENT, problem);
            return;
        }
        final String key = NameService.keyOf(name);
        final String current = replication.read(key);
        if (null != current)
        {
            final OptionalInt holder = NameService.coreOf(current);
            if (holder.isPresent() && holder.getAsInt() == servingCore)
            {
                replyCore(server, servingCore);
            }
            else
            {
                server.replyError(LrpcStatus.CONFLICT, alreadyRegistered(name, current));
            }
            return;
        }
        if (replication.registeredNameCount() >= NameService.SERVICE_COUNT_MAX)
        {
            server.replyError(LrpcStatus.UNAVAILABLE, "cannot register service name '" + name + "': the registry " +
                "holds " + NameService.SERVICE_COUNT_MAX + " names (SERVICE_COUNT_MAX); nothing changed");
            return;
        }
        final String refusal = replication.proposalRefusal();
        if (null != refusal)
        {
            server.replyError(LrpcStatus.UNAVAILABLE, "service name '" + name + "' not registered: " + refusal +
                "; nothing changed");
            return;
        }
        final long token = server.defer();
        if (LrpcServer.NO_TOKEN == token)
        {
            return; // Answered UNAVAILABLE by the server: too many replies deferred.
        }
        final List<KeyValueOperation> operations =
            List.of(KeyValueOperation.putIfAbsent(key, Integer.toString(servingCore)));
        replication.propose(ParticipantSet.of(replication.clusterCoreIds()), operations,
            (id, outcome) -> answer(server, token, name, servingCore, id, outcome));
    }

    private void answer(final LrpcServer server, final long token, final String name, final int servingCore,
        final TransactionId id, final TransactionOutcome outcome)
    {
        switch (outcome.status())
        {
            case COMMITTED ->
            {
                result.putInt(0, servingCore);
                server.replyDeferred(token, LrpcStatus.OK, result, 0, Integer.BYTES);
            }
            case ABORTED ->
            {
                final String key = NameService.keyOf(name);
                if (null != outcome.reason() && outcome.reason().contains("key '" + key + "' already exists"))
                {
                    final String current = replication.read(key);
                    server.replyDeferredError(token, LrpcStatus.CONFLICT, null == current ?
                        "service name '" + name + "' is already registered to another core; nothing changed" :
                        alreadyRegistered(name, current));
                }
                else
                {
                    server.replyDeferredError(token, LrpcStatus.ABORTED, "service name '" + name + "' not registered, " +
                        "transaction " + id + " aborted: " + outcome.reason());
                }
            }
            case INDEFINITE -> server.replyDeferredError(token, LrpcStatus.INDEFINITE, "service name '" + name +
                "' may have registered to core " + servingCore + ", transaction " + id + " outcome unknown: " +
                outcome.reason() + "; look it up to see");
            default -> throw new IllegalStateException("unknown transaction outcome " + outcome);
        }
    }

    void onLookup(final LrpcServer server, final DirectBuffer payload, final int offset, final int length)
    {
        final String name = payload.getStringWithoutLengthAscii(offset, length);
        final String problem = NameService.nameProblem(name);
        if (null != problem)
        {
            server.replyError(LrpcStatus.INVALID_ARGUMENT, problem);
            return;
        }
        final String current = replication.read(NameService.keyOf(name));
        if (null == current)
        {
            server.replyError(LrpcStatus.NOT_FOUND, "service name '" + name + "' is not registered at core " +
                server.coreId());
            return;
        }
        final OptionalInt core = NameService.coreOf(current);
        if (core.isEmpty())
        {
            server.replyError(LrpcStatus.CONFLICT, "key '" + NameService.keyOf(name) + "' holds '" + current +
                "', not a core id; it was not written by name.register");
            return;
        }
        replyCore(server, core.getAsInt());
    }

    private void replyCore(final LrpcServer server, final int coreId)
    {
        result.putInt(0, coreId);
        server.reply(result, 0, Integer.BYTES);
    }

    private static String alreadyRegistered(final String name, final String current)
    {
        final OptionalInt holder = NameService.coreOf(current);
        return "service name '" + name + "' is already registered to " +
            (holder.isPresent() ? "core " + holder.getAsInt() : "'" + current + "'") + "; nothing changed";
    }
}
