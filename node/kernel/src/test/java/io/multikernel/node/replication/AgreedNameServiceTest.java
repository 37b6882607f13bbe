package io.multikernel.node.replication;

import io.multikernel.node.lrpc.LrpcChannel;
import io.multikernel.node.lrpc.LrpcClient;
import io.multikernel.node.lrpc.LrpcLayout;
import io.multikernel.node.lrpc.LrpcOperations;
import io.multikernel.node.lrpc.LrpcOutcome;
import io.multikernel.node.lrpc.LrpcResult;
import io.multikernel.node.lrpc.LrpcServer;
import io.multikernel.node.lrpc.LrpcStatus;
import io.multikernel.node.skb.NameService;
import io.multikernel.node.skb.Topology;
import io.multikernel.replication.OutcomeListener;
import io.multikernel.replication.ParticipantSet;
import io.multikernel.replication.TransactionId;
import io.multikernel.replication.TransactionOutcome;
import io.multikernel.replication.kv.KeyValueOperation;
import io.multikernel.replication.kv.KeyValueStateMachine;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code name.register} and {@code name.lookup} over an in-process LRPC channel against a scripted
 * replication whose local replica is a real {@link KeyValueStateMachine}: what is answered from the
 * local replica at once, what is proposed to every core, and how each 2PC outcome is answered.
 */
class AgreedNameServiceTest
{
    private static final int CORE_ID = 0;
    private static final int[] CLUSTER = {0, 1, 2, 3};

    private final FakeReplication replication = new FakeReplication();
    private final LrpcChannel channel = LrpcChannel.createInMemory(LrpcLayout.of(2, 64 * 1024, 256, 4), CORE_ID, 7,
        ProcessHandle.current().pid(), System.currentTimeMillis());
    private final LrpcServer server = new LrpcServer(new LrpcServer.Context().channel(channel));
    private final AgreedNameService service = new AgreedNameService(replication,
        new NameService(Topology.of(CLUSTER, new int[]{0, 0, 1, 1})));
    private final UnsafeBuffer request = new UnsafeBuffer(new byte[256]);
    private final List<LrpcResult> replies = new ArrayList<>();
    private final LrpcClient client;

    AgreedNameServiceTest()
    {
        service.registerWith(server);
        client = LrpcClient.attach(new LrpcClient.Context().channel(channel)
            .callTimeoutNs(TimeUnit.SECONDS.toNanos(5)).idleStrategy(new ServerDrivingIdle()));
    }

    @AfterEach
    void close()
    {
        client.close();
        server.close();
    }

    @Test
    void aRegistrationIsOnePutIfAbsentProposedToEveryCore()
    {
        final long correlationId = sendRegister("memory.server", 2);

        assertThat(replication.proposals).hasSize(1);
        assertThat(replication.proposals.get(0).replicas).isEqualTo(ParticipantSet.of(CLUSTER));
        assertThat(replication.proposals.get(0).operations)
            .containsExactly(KeyValueOperation.putIfAbsent("name/memory.server", "2"));
        assertThat(server.deferredCount()).isEqualTo(1);

        replication.commit(0);
        final LrpcResult result = await(correlationId);

        assertThat(result.outcome()).isEqualTo(LrpcOutcome.SUCCESS);
        assertThat(result.intResult()).isEqualTo(2);
        assertThat(server.deferredCount()).isZero();
        assertThat(lookup("memory.server").intResult()).isEqualTo(2);
    }

    @Test
    void registeringTheSameCoreAgainIsOkWithoutAProposal()
    {
        replication.replica.apply(KeyValueOperation.put("name/vm-3", "1"));

        final LrpcResult result = register("vm-3", 1);

        assertThat(result.outcome()).isEqualTo(LrpcOutcome.SUCCESS);
        assertThat(result.intResult()).isEqualTo(1);
        assertThat(replication.proposals).isEmpty();
    }

    @Test
    void aNameHeldByAnotherCoreHereIsAConflictWithoutAProposal()
    {
        replication.replica.apply(KeyValueOperation.put("name/monitor", "0"));

        final LrpcResult result = register("monitor", 2);

        assertRejected(result, LrpcStatus.CONFLICT,
            "service name 'monitor' is already registered to core 0; nothing changed");
        assertThat(replication.proposals).isEmpty();
    }

    @Test
    void anAbortBecauseTheKeyExistsIsAConflictNamingTheWinner()
    {
        final long correlationId = sendRegister("monitor", 2);
        // A concurrent registration to core 3 committed first; it reached this replica too.
        replication.replica.apply(KeyValueOperation.put("name/monitor", "3"));
        replication.decide(0, TransactionOutcome.aborted("core 1 voted NO: key 'name/monitor' already exists"));

        assertRejected(await(correlationId), LrpcStatus.CONFLICT,
            "service name 'monitor' is already registered to core 3; nothing changed");
    }

    @Test
    void anAbortBecauseTheKeyExistsElsewhereOnlyIsAConflictWithoutAHolder()
    {
        final long correlationId = sendRegister("monitor", 2);
        replication.decide(0, TransactionOutcome.aborted("core 1 voted NO: key 'name/monitor' already exists"));

        assertRejected(await(correlationId), LrpcStatus.CONFLICT, "already registered to another core; nothing changed");
    }

    @Test
    void anAbortWithACoreDownIsADefiniteAbortWithTheEngineReason()
    {
        final long correlationId = sendRegister("svc", 1);
        replication.decide(0, TransactionOutcome.aborted("core 3 did not vote within 2000 ms; nothing changed"));

        final LrpcResult result = await(correlationId);
        assertRejected(result, LrpcStatus.ABORTED, "service name 'svc' not registered, transaction ");
        assertThat(result.outcome().isDefinite()).isTrue();
        assertThat(result.message()).endsWith("aborted: core 3 did not vote within 2000 ms; nothing changed");
        assertThat(lookup("svc").status()).isEqualTo(LrpcStatus.NOT_FOUND);
    }

    @Test
    void anAbortForALockHeldByAConcurrentRegistrationIsAnAbort()
    {
        final long correlationId = sendRegister("svc", 1);
        replication.decide(0, TransactionOutcome.aborted("core 2 voted NO: key 'name/svc' is locked by 1:7:3"));

        assertRejected(await(correlationId), LrpcStatus.ABORTED, "is locked by");
    }

    @Test
    void anIndefiniteOutcomeStaysIndefinite()
    {
        final long correlationId = sendRegister("svc", 1);
        replication.decide(0, TransactionOutcome.indefinite("the commit record's fsync failed"));

        final LrpcResult result = await(correlationId);
        assertThat(result.outcome()).isEqualTo(LrpcOutcome.INDEFINITE);
        assertThat(result.status()).isEqualTo(LrpcStatus.INDEFINITE);
        assertThat(result.message()).startsWith("service name 'svc' may have registered to core 1")
            .contains("fsync failed");
    }

    @Test
    void aRefusingEngineIsUnavailableAndProposesNothing()
    {
        replication.refusal = "core 0 already coordinates MAX_IN_FLIGHT_TRANSACTIONS=1 transactions; retry later";

        final LrpcResult result = register("svc", 1);

        assertRejected(result, LrpcStatus.UNAVAILABLE, "service name 'svc' not registered: core 0 already coordinates");
        assertThat(result.message()).endsWith("nothing changed");
        assertThat(replication.proposals).isEmpty();
    }

    @Test
    void aFullRegistryIsUnavailable()
    {
        replication.names = NameService.SERVICE_COUNT_MAX;

        assertRejected(register("svc", 1), LrpcStatus.UNAVAILABLE, "SERVICE_COUNT_MAX");
        assertThat(replication.proposals).isEmpty();
    }

    @Test
    void badRegistrationsAreRefusedWithoutAProposal()
    {
        assertRejected(register("Memory", 1), LrpcStatus.INVALID_ARGUMENT, "must start with a lower-case letter");
        assertRejected(register("x".repeat(65), 1), LrpcStatus.INVALID_ARGUMENT, "must be 1..64 characters");
        assertRejected(register("svc", 9), LrpcStatus.INVALID_ARGUMENT,
            "cannot register service name 'svc' to core 9: no such core");
        assertRejected(register("svc", -1), LrpcStatus.INVALID_ARGUMENT, "to core -1: no such core");
        request.putInt(0, 1);
        assertRejected(client.call(LrpcOperations.NAME_REGISTER, request, 0, 3), LrpcStatus.MALFORMED,
            "needs a 4-byte core id and a name, got 3 bytes");
        assertRejected(client.call(LrpcOperations.NAME_REGISTER, request, 0, 4), LrpcStatus.MALFORMED, "got 4 bytes");
        assertThat(replication.proposals).isEmpty();
        assertThat(server.deferredCount()).isZero();
    }

    @Test
    void lookupReadsTheLocalReplica()
    {
        assertRejected(lookup("absent"), LrpcStatus.NOT_FOUND, "service name 'absent' is not registered at core 0");
        assertRejected(lookup("Bad"), LrpcStatus.INVALID_ARGUMENT, "must start with a lower-case letter");
        assertRejected(lookup(""), LrpcStatus.INVALID_ARGUMENT, "must be 1..64 characters");

        replication.replica.apply(KeyValueOperation.put("name/svc", "3"));
        assertThat(lookup("svc").intResult()).isEqualTo(3);

        replication.replica.apply(KeyValueOperation.put("name/odd", "not-a-core"));
        assertRejected(lookup("odd"), LrpcStatus.CONFLICT, "holds 'not-a-core', not a core id");
    }

    @Test
    void coreOfReadsOnlyCoreIds()
    {
        assertThat(NameService.coreOf("12")).hasValue(12);
        assertThat(NameService.coreOf(null)).isEmpty();
        assertThat(NameService.coreOf("")).isEmpty();
        assertThat(NameService.coreOf("-1")).isEmpty();
        assertThat(NameService.coreOf("99999999999")).isEmpty();
        assertThat(NameService.coreOf("4294967295")).isEmpty();
        assertThat(NameService.keyOf("vm-3")).isEqualTo("name/vm-3");
    }

    private void assertRejected(final LrpcResult result, final int status, final String message)
    {
        assertThat(result.status()).as(result.message()).isEqualTo(status);
        assertThat(result.outcome().isDefinite()).isTrue();
        assertThat(result.message()).contains(message);
    }

    private int encodeRegister(final String name, final int servingCore)
    {
        request.putInt(0, servingCore);
        return Integer.BYTES + request.putStringWithoutLengthAscii(Integer.BYTES, name);
    }

    private long sendRegister(final String name, final int servingCore)
    {
        final int length = encodeRegister(name, servingCore);
        final long correlationId = client.send(LrpcOperations.NAME_REGISTER, request, 0, length, this::onReply);
        assertThat(correlationId).isPositive();
        server.doWork();
        return correlationId;
    }

    private LrpcResult register(final String name, final int servingCore)
    {
        return client.call(LrpcOperations.NAME_REGISTER, request, 0, encodeRegister(name, servingCore));
    }

    private LrpcResult lookup(final String name)
    {
        final int length = request.putStringWithoutLengthAscii(0, name);
        return client.call(LrpcOperations.NAME_LOOKUP, request, 0, length);
    }

    private void onReply(final long correlationId, final LrpcOutcome outcome, final int status,
        final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        replies.add(new LrpcResult(outcome, status, bytes, LrpcOutcome.SUCCESS == outcome ? null :
            new String(bytes, StandardCharsets.UTF_8)));
    }

    private LrpcResult await(final long correlationId)
    {
        for (int i = 0; i < 100 && replies.isEmpty(); i++)
        {
            server.doWork();
            client.poll();
        }
        assertThat(replies).as("reply to %d", correlationId).hasSize(1);
        return replies.remove(0);
    }

    /** Runs the server's duty cycle while the blocking call waits, as the kernel loop would. */
    private final class ServerDrivingIdle implements IdleStrategy
    {
        public void idle(final int workCount)
        {
            server.doWork();
        }

        public void idle()
        {
            server.doWork();
        }

        public void reset()
        {
        }
    }

    private record Proposal(ParticipantSet replicas, List<KeyValueOperation> operations, OutcomeListener listener)
    {
    }

    private static final class FakeReplication implements AgreedNameService.Replication
    {
        final KeyValueStateMachine replica = new KeyValueStateMachine();
        final List<Proposal> proposals = new ArrayList<>();
        String refusal;
        int names = -1;

        public int[] clusterCoreIds()
        {
            return CLUSTER.clone();
        }

        public String proposalRefusal()
        {
            return refusal;
        }

        public void propose(final ParticipantSet replicas, final List<KeyValueOperation> operations,
            final OutcomeListener listener)
        {
            proposals.add(new Proposal(replicas, operations, listener));
        }

        public String read(final String key)
        {
            return replica.get(key);
        }

        public int registeredNameCount()
        {
            return names >= 0 ? names : replica.entries().subMap(NameService.KEY_PREFIX, "name0").size();
        }

        void commit(final int index)
        {
            for (final KeyValueOperation operation : proposals.get(index).operations)
            {
                replica.apply(operation);
            }
            decide(index, TransactionOutcome.committed());
        }

        void decide(final int index, final TransactionOutcome outcome)
        {
            proposals.get(index).listener.onOutcome(new TransactionId(CORE_ID, 7, index + 1), outcome);
        }
    }
}
