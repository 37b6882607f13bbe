package io.multikernel.node.replication;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.multikernel.node.lrpc.LrpcChannel;
import io.multikernel.node.lrpc.LrpcClient;
import io.multikernel.node.lrpc.LrpcLayout;
import io.multikernel.node.lrpc.LrpcOperations;
import io.multikernel.node.lrpc.LrpcOutcome;
import io.multikernel.node.lrpc.LrpcResult;
import io.multikernel.node.lrpc.LrpcServer;
import io.multikernel.node.lrpc.LrpcStatus;
import io.multikernel.replication.OutcomeListener;
import io.multikernel.replication.ParticipantSet;
import io.multikernel.replication.TransactionId;
import io.multikernel.replication.TransactionOutcome;
import io.multikernel.replication.kv.KeyValueOperation;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code kv.put} over an in-process LRPC channel against a scripted proposer: the request encoding,
 * every class of bad request, and the mapping of 2PC outcomes to replies (committed, aborted,
 * indefinite, not proposed), each counted.
 */
class KvPutServiceTest
{
    private static final int CORE_ID = 0;
    private static final int[] CLUSTER = {0, 1, 2, 3};

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final FakeProposer proposer = new FakeProposer();
    private final LrpcChannel channel = LrpcChannel.createInMemory(LrpcLayout.of(2, 64 * 1024, 256, 512), CORE_ID, 7,
        ProcessHandle.current().pid(), System.currentTimeMillis());
    private final LrpcServer server = new LrpcServer(new LrpcServer.Context().channel(channel).meterRegistry(registry)
        .requestsPerDutyCycleMax(1024));
    private final KvPutService service = new KvPutService(proposer, registry);
    private final UnsafeBuffer request = new UnsafeBuffer(new byte[256]);
    private final LrpcClient client;

    KvPutServiceTest()
    {
        server.register(LrpcOperations.KV_PUT, "kv.put", service::onRequest);
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
    void requestRoundTripsThroughTheCodec()
    {
        final int length = KvPutCodec.encodeRequest(request, 3, new int[]{2, 0, 1}, "k\u00e9y", "v-1");
        final KvPutCodec.Decoder decoder = new KvPutCodec.Decoder();

        assertThat(decoder.decode(request, 3, length)).isTrue();
        assertThat(decoder.replicas()).containsExactly(2, 0, 1);
        assertThat(decoder.key()).isEqualTo("k\u00e9y");
        assertThat(decoder.value()).isEqualTo("v-1");
        assertThat(length).isEqualTo(4 + 3 * 4 + 4 + 4 + 3);
    }

    @Test
    void anEmptyValueIsAValue()
    {
        final int length = KvPutCodec.encodeRequest(request, 0, new int[]{0}, "k", "");
        final KvPutCodec.Decoder decoder = new KvPutCodec.Decoder();

        assertThat(decoder.decode(request, 0, length)).isTrue();
        assertThat(decoder.value()).isEmpty();
    }

    @Test
    void committedPutRepliesWithItsTransactionId()
    {
        final long correlationId = send(new int[]{0, 1, 2}, "k", "v");
        assertThat(proposer.proposals).hasSize(1);
        assertThat(proposer.proposals.get(0).replicas).isEqualTo(ParticipantSet.of(0, 1, 2));
        assertThat(proposer.proposals.get(0).operations).containsExactly(KeyValueOperation.put("k", "v"));
        assertThat(server.deferredCount()).isEqualTo(1);

        final TransactionId id = new TransactionId(CORE_ID, 7, 11);
        proposer.decide(0, id, TransactionOutcome.committed());
        final LrpcResult result = await(correlationId);

        assertThat(result.outcome()).isEqualTo(LrpcOutcome.SUCCESS);
        assertThat(KvPutCodec.decodeReply(new UnsafeBuffer(result.payload()), 0, result.payload().length)).isEqualTo(id);
        assertThat(server.deferredCount()).isZero();
        assertThat(service.count("committed")).isEqualTo(1);
    }

    @Test
    void abortedPutIsADefiniteRejectionWithTheReason()
    {
        final long correlationId = send(new int[]{0, 1}, "k", "v");
        proposer.decide(0, new TransactionId(CORE_ID, 7, 1), TransactionOutcome.aborted("core 1 voted NO: key k is locked"));
        final LrpcResult result = await(correlationId);

        assertThat(result.outcome()).isEqualTo(LrpcOutcome.REJECTED);
        assertThat(result.outcome().isDefinite()).isTrue();
        assertThat(result.status()).isEqualTo(LrpcStatus.ABORTED);
        assertThat(result.message()).contains("aborted").contains("core 1 voted NO");
        assertThat(service.count("aborted")).isEqualTo(1);
    }

    @Test
    void indefiniteOutcomeStaysIndefiniteAtTheApp()
    {
        final long correlationId = send(new int[]{0, 1}, "k", "v");
        proposer.decide(0, new TransactionId(CORE_ID, 7, 1), TransactionOutcome.indefinite("the commit record's fsync failed"));
        final LrpcResult result = await(correlationId);

        assertThat(result.outcome()).isEqualTo(LrpcOutcome.INDEFINITE);
        assertThat(result.outcome().isDefinite()).isFalse();
        assertThat(result.status()).isEqualTo(LrpcStatus.INDEFINITE);
        assertThat(result.message()).contains("may have committed");
        assertThat(service.count("indefinite")).isEqualTo(1);
    }

    @Test
    void aFullEngineAnswersNotProposedAtOnce()
    {
        proposer.refusal = "core 0 already coordinates MAX_IN_FLIGHT_TRANSACTIONS=1 transactions; retry later";
        final LrpcResult result = call(new int[]{0, 1}, "k", "v");

        assertThat(result.outcome()).isEqualTo(LrpcOutcome.REJECTED);
        assertThat(result.status()).isEqualTo(LrpcStatus.UNAVAILABLE);
        assertThat(result.message()).startsWith("not proposed: ").contains("MAX_IN_FLIGHT").endsWith("nothing changed");
        assertThat(proposer.proposals).isEmpty();
        assertThat(server.deferredCount()).isZero();
        assertThat(service.count("not_proposed")).isEqualTo(1);
    }

    @Test
    void aReplicaOutsideTheClusterMapIsRefused()
    {
        final LrpcResult result = call(new int[]{0, 9}, "k", "v");

        assertRefused(result, LrpcStatus.INVALID_ARGUMENT, "replica core 9 is not in the cluster map");
    }

    @Test
    void aReplicaNamedTwiceIsRefused()
    {
        assertRefused(call(new int[]{1, 1}, "k", "v"), LrpcStatus.INVALID_ARGUMENT, "named twice");
    }

    @Test
    void aNegativeReplicaIsRefused()
    {
        assertRefused(call(new int[]{-1}, "k", "v"), LrpcStatus.INVALID_ARGUMENT, "replica core -1");
    }

    @Test
    void noReplicasIsRefused()
    {
        assertRefused(call(new int[0], "k", "v"), LrpcStatus.INVALID_ARGUMENT, "replica count=0 is outside 1..");
    }

    @Test
    void aKeyOfTheNameServiceIsRefused()
    {
        assertRefused(call(new int[]{0}, "name/echo", "1"), LrpcStatus.INVALID_ARGUMENT,
            "kv.put key 'name/echo' is in the name service's keys (name/...): register names with name.register");
    }

    @Test
    void anEmptyKeyIsRefused()
    {
        assertRefused(call(new int[]{0}, "", "v"), LrpcStatus.INVALID_ARGUMENT, "key is empty");
    }

    @Test
    void aPayloadTooShortIsMalformed()
    {
        assertRefused(raw(2), LrpcStatus.MALFORMED, "at least 8 bytes, got 2");
    }

    @Test
    void aReplicaCountPastThePayloadIsMalformed()
    {
        request.putInt(0, 50);
        request.putInt(4, 0);
        assertRefused(raw(8), LrpcStatus.MALFORMED, "names 50 replicas but holds only 8 bytes");
    }

    @Test
    void aKeyLengthPastThePayloadIsMalformed()
    {
        request.putInt(0, 1);
        request.putInt(4, 0);
        request.putInt(8, 100);
        assertRefused(raw(14), LrpcStatus.MALFORMED, "key length=100 runs past the 14-byte payload");
    }

    @Test
    void aNegativeKeyLengthIsMalformed()
    {
        request.putInt(0, 1);
        request.putInt(4, 0);
        request.putInt(8, -5);
        assertRefused(raw(12), LrpcStatus.MALFORMED, "key length=-5");
    }

    @Test
    void aHugeReplicaCountIsRefused()
    {
        request.putInt(0, Integer.MAX_VALUE);
        request.putInt(4, 0);
        assertRefused(raw(8), LrpcStatus.INVALID_ARGUMENT, "replica count=" + Integer.MAX_VALUE);
    }

    @Test
    void putsOfOneDrainOnOneReplicaSetAreOneTransaction()
    {
        queue(new int[]{0, 1, 2}, "a", "1");
        queue(new int[]{2, 1, 0}, "b", "2");
        queue(new int[]{0, 1, 2}, "c", "3");
        assertThat(drainAndFlush()).isEqualTo(1);

        assertThat(proposer.proposals).hasSize(1);
        assertThat(proposer.proposals.get(0).replicas).isEqualTo(ParticipantSet.of(0, 1, 2));
        assertThat(proposer.proposals.get(0).operations).containsExactly(
            KeyValueOperation.put("a", "1"), KeyValueOperation.put("b", "2"), KeyValueOperation.put("c", "3"));
        assertThat(server.deferredCount()).isEqualTo(3);

        final TransactionId id = new TransactionId(CORE_ID, 7, 5);
        proposer.decide(0, id, TransactionOutcome.committed());
        final List<LrpcResult> results = awaitAll(3);

        assertThat(results).allSatisfy(result ->
        {
            assertThat(result.outcome()).isEqualTo(LrpcOutcome.SUCCESS);
            assertThat(KvPutCodec.decodeReply(new UnsafeBuffer(result.payload()), 0, result.payload().length)).isEqualTo(id);
        });
        assertThat(service.count("committed")).isEqualTo(3);
        assertThat(server.deferredCount()).isZero();
        assertThat(registry.get("mk.lrpc.kv.put.transaction.puts").summary().count()).isEqualTo(1);
        assertThat(registry.get("mk.lrpc.kv.put.transaction.puts").summary().totalAmount()).isEqualTo(3.0);
    }

    @Test
    void aKeyAlreadyInTheOpenGroupStartsANewGroup()
    {
        queue(new int[]{0, 1}, "k", "1");
        queue(new int[]{0, 1}, "j", "2");
        queue(new int[]{0, 1}, "k", "3");
        queue(new int[]{0, 1}, "i", "4");
        assertThat(drainAndFlush()).isEqualTo(2);

        assertThat(proposer.proposals.get(0).operations).containsExactly(
            KeyValueOperation.put("k", "1"), KeyValueOperation.put("j", "2"));
        assertThat(proposer.proposals.get(1).operations).containsExactly(
            KeyValueOperation.put("k", "3"), KeyValueOperation.put("i", "4"));
    }

    @Test
    void mixedReplicaSetsAreSeparateTransactions()
    {
        queue(new int[]{0, 1, 2}, "a", "1");
        queue(new int[]{0, 1}, "b", "2");
        queue(new int[]{0, 1, 2}, "c", "3");
        queue(new int[]{3}, "a", "4");
        assertThat(drainAndFlush()).isEqualTo(3);

        assertThat(proposer.proposals).hasSize(3);
        assertThat(proposer.proposals.get(0).replicas).isEqualTo(ParticipantSet.of(0, 1, 2));
        assertThat(proposer.proposals.get(0).operations).containsExactly(
            KeyValueOperation.put("a", "1"), KeyValueOperation.put("c", "3"));
        assertThat(proposer.proposals.get(1).replicas).isEqualTo(ParticipantSet.of(0, 1));
        assertThat(proposer.proposals.get(1).operations).containsExactly(KeyValueOperation.put("b", "2"));
        assertThat(proposer.proposals.get(2).replicas).isEqualTo(ParticipantSet.of(3));
        assertThat(proposer.proposals.get(2).operations).containsExactly(KeyValueOperation.put("a", "4"));

        proposer.decide(1, new TransactionId(CORE_ID, 7, 2), TransactionOutcome.aborted("core 1 voted NO"));
        final List<LrpcResult> results = awaitAll(1);
        assertThat(results.get(0).status()).isEqualTo(LrpcStatus.ABORTED);
        assertThat(service.groupRetries()).as("a put alone is answered with its own outcome").isZero();
        assertThat(server.deferredCount()).isEqualTo(3);
    }

    @Test
    void aGroupStopsAtPutsPerTransactionMax()
    {
        proposer.operationsLengthMaxBytes = 1 << 20;
        final int puts = KvPutService.PUTS_PER_TRANSACTION_MAX + 3;
        for (int i = 0; i < puts; i++)
        {
            queue(new int[]{0, 1}, "k" + i, "v");
        }
        assertThat(drainAndFlush()).isEqualTo(2);

        assertThat(proposer.proposals.get(0).operations).hasSize(KvPutService.PUTS_PER_TRANSACTION_MAX);
        assertThat(proposer.proposals.get(1).operations).hasSize(3);
        assertThat(server.deferredCount()).isEqualTo(puts);
    }

    @Test
    void aReplicaSetAtItsTransactionLimitCollectsPutsUntilAnOutcomeFreesASlot()
    {
        final int limit = KvPutService.TRANSACTIONS_IN_FLIGHT_PER_REPLICA_SET_MAX;
        for (int i = 0; i < limit; i++)
        {
            send(new int[]{0, 1}, "k" + i, "v");
        }
        assertThat(proposer.proposals).hasSize(limit);

        // The set is at its limit: later puts wait, and keep joining the waiting group.
        queue(new int[]{0, 1}, "a", "v");
        assertThat(drainAndFlush()).isZero();
        queue(new int[]{0, 1}, "b", "v");
        queue(new int[]{0, 1}, "c", "v");
        assertThat(drainAndFlush()).isZero();
        // Another replica set is not held back.
        send(new int[]{2, 3}, "other", "v");
        assertThat(proposer.proposals).hasSize(limit + 1);
        assertThat(server.deferredCount()).isEqualTo(limit + 4);

        proposer.decide(0, new TransactionId(CORE_ID, 7, 1), TransactionOutcome.committed());
        assertThat(service.flush()).isEqualTo(1);
        assertThat(proposer.proposals).hasSize(limit + 2);
        assertThat(proposer.proposals.get(limit + 1).operations).containsExactly(KeyValueOperation.put("a", "v"),
            KeyValueOperation.put("b", "v"), KeyValueOperation.put("c", "v"));
        assertThat(awaitAll(1).get(0).outcome()).isEqualTo(LrpcOutcome.SUCCESS);

        // The slot is taken again: the next put waits for the next outcome.
        queue(new int[]{0, 1}, "d", "v");
        assertThat(drainAndFlush()).isZero();
        proposer.decide(1, new TransactionId(CORE_ID, 7, 2), TransactionOutcome.aborted("core 1 voted NO"));
        assertThat(service.flush()).isEqualTo(1);
        assertThat(proposer.proposals.get(limit + 2).operations).containsExactly(KeyValueOperation.put("d", "v"));

        // Once every transaction is answered, no replica set is tracked any more.
        assertThat(service.replicaSetsInFlight()).isEqualTo(2);
        for (int i = 2; i < proposer.proposals.size(); i++)
        {
            proposer.decide(i, new TransactionId(CORE_ID, 7, i + 1), TransactionOutcome.committed());
        }
        assertThat(service.replicaSetsInFlight()).isZero();
    }

    @Test
    void aGroupStopsBeforeTheOperationsLengthLimit()
    {
        // Each put "kN" = "vvvvvvvvvv" takes 4 + 1 + 7 + 1 + 15 = 28 bytes; 4 bytes of count.
        proposer.operationsLengthMaxBytes = 4 + 2 * 28;
        for (int i = 0; i < 5; i++)
        {
            queue(new int[]{0, 1}, "k" + i, "vvvvvvvvvv");
        }
        assertThat(drainAndFlush()).isEqualTo(3);

        assertThat(proposer.proposals.get(0).operations).hasSize(2);
        assertThat(proposer.proposals.get(1).operations).hasSize(2);
        assertThat(proposer.proposals.get(2).operations).hasSize(1);
    }

    @Test
    void anAbortedGroupIsProposedAgainPutByPutEachWithItsOwnOutcome()
    {
        queue(new int[]{0, 1}, "a", "1");
        queue(new int[]{0, 1}, "b", "2");
        queue(new int[]{0, 1}, "c", "3");
        drainAndFlush();
        proposer.decide(0, new TransactionId(CORE_ID, 7, 1), TransactionOutcome.aborted("core 1 voted NO: key b is locked"));
        server.doWork();
        client.poll();
        assertThat(replies).as("nothing is answered before the retries").isEmpty();
        assertThat(service.groupRetries()).isEqualTo(3);

        assertThat(service.flush()).isEqualTo(3);
        assertThat(proposer.proposals).hasSize(4);
        assertThat(proposer.proposals.get(1).operations).containsExactly(KeyValueOperation.put("a", "1"));
        assertThat(proposer.proposals.get(2).operations).containsExactly(KeyValueOperation.put("b", "2"));
        assertThat(proposer.proposals.get(3).operations).containsExactly(KeyValueOperation.put("c", "3"));

        final TransactionId committed = new TransactionId(CORE_ID, 7, 2);
        proposer.decide(1, committed, TransactionOutcome.committed());
        proposer.decide(2, new TransactionId(CORE_ID, 7, 3), TransactionOutcome.aborted("core 1 voted NO: key b is locked"));
        proposer.decide(3, new TransactionId(CORE_ID, 7, 4), TransactionOutcome.indefinite("no outcome in time"));
        final List<LrpcResult> results = awaitAll(3);

        assertThat(results).extracting(LrpcResult::status)
            .containsExactlyInAnyOrder(LrpcStatus.OK, LrpcStatus.ABORTED, LrpcStatus.INDEFINITE);
        assertThat(results).filteredOn(result -> LrpcStatus.ABORTED == result.status())
            .singleElement().extracting(LrpcResult::message).asString().contains("key b is locked");
        assertThat(service.count("committed")).isEqualTo(1);
        assertThat(service.count("aborted")).isEqualTo(1);
        assertThat(service.count("indefinite")).isEqualTo(1);
        assertThat(service.flush()).as("a retried put is not retried again").isZero();
        assertThat(service.groupRetries()).isEqualTo(3);
        assertThat(server.deferredCount()).isZero();
    }

    @Test
    void aRetryTheEngineRefusesIsAbortedWithBothReasons()
    {
        queue(new int[]{0, 1}, "a", "1");
        queue(new int[]{0, 1}, "b", "2");
        drainAndFlush();
        proposer.decide(0, new TransactionId(CORE_ID, 7, 1), TransactionOutcome.aborted("prepare timed out"));
        proposer.refusal = "the replication engine of core 0 is failed; restart the core";

        assertThat(service.flush()).isEqualTo(2);
        final List<LrpcResult> results = awaitAll(2);

        assertThat(proposer.proposals).hasSize(1);
        assertThat(results).allSatisfy(result ->
        {
            assertThat(result.status()).isEqualTo(LrpcStatus.ABORTED);
            assertThat(result.outcome().isDefinite()).isTrue();
            assertThat(result.message()).contains("prepare timed out").contains("not proposed again alone")
                .contains("is failed").endsWith("nothing changed");
        });
        assertThat(service.count("aborted")).isEqualTo(2);
        assertThat(server.deferredCount()).isZero();
    }

    @Test
    void anIndefiniteGroupIsIndefiniteForEveryPut()
    {
        queue(new int[]{0, 1}, "a", "1");
        queue(new int[]{0, 1}, "b", "2");
        drainAndFlush();
        proposer.decide(0, new TransactionId(CORE_ID, 7, 1), TransactionOutcome.indefinite("the commit record's fsync failed"));
        final List<LrpcResult> results = awaitAll(2);

        assertThat(results).allSatisfy(result ->
        {
            assertThat(result.outcome()).isEqualTo(LrpcOutcome.INDEFINITE);
            assertThat(result.message()).contains("may have committed");
        });
        assertThat(service.flush()).isZero();
        assertThat(service.groupRetries()).isZero();
        assertThat(service.count("indefinite")).isEqualTo(2);
    }

    @Test
    void theInFlightLimitCountsTheGroupsQueuedInThisDrain()
    {
        proposer.capacity = 1;
        queue(new int[]{0, 1}, "a", "1");
        queue(new int[]{0, 1}, "b", "2");
        queue(new int[]{0, 2}, "c", "3");
        assertThat(drainAndFlush()).isEqualTo(1);

        assertThat(proposer.proposals.get(0).operations).containsExactly(
            KeyValueOperation.put("a", "1"), KeyValueOperation.put("b", "2"));
        final List<LrpcResult> refused = awaitAll(1);
        assertThat(refused.get(0).status()).isEqualTo(LrpcStatus.UNAVAILABLE);
        assertThat(refused.get(0).message()).startsWith("not proposed: ").contains("MAX_IN_FLIGHT").endsWith("nothing changed");
        assertThat(service.count("not_proposed")).isEqualTo(1);
        assertThat(server.deferredCount()).isEqualTo(2);
    }

    @Test
    void putsQueuedWhenTheEngineStopsAreNotProposed()
    {
        queue(new int[]{0, 1}, "a", "1");
        queue(new int[]{0, 1}, "b", "2");
        server.doWork();
        proposer.refusal = "the replication engine of core 0 is closed; restart the core";

        assertThat(service.flush()).isEqualTo(1);
        final List<LrpcResult> results = awaitAll(2);

        assertThat(proposer.proposals).isEmpty();
        assertThat(results).allSatisfy(result ->
        {
            assertThat(result.status()).isEqualTo(LrpcStatus.UNAVAILABLE);
            assertThat(result.message()).startsWith("not proposed: ").contains("is closed").endsWith("nothing changed");
        });
        assertThat(service.count("not_proposed")).isEqualTo(2);
        assertThat(server.deferredCount()).isZero();
    }

    private void assertRefused(final LrpcResult result, final int status, final String message)
    {
        assertThat(result.outcome()).isEqualTo(LrpcOutcome.REJECTED);
        assertThat(result.status()).as(result.message()).isEqualTo(status);
        assertThat(result.message()).contains(message);
        assertThat(proposer.proposals).isEmpty();
        assertThat(server.deferredCount()).isZero();
        assertThat(service.count("invalid")).isEqualTo(1);
        assertThat(registry.get("mk.lrpc.kv.put").tag("outcome", "invalid").counter().count()).isEqualTo(1.0);
    }

    private long send(final int[] replicas, final String key, final String value)
    {
        final int length = KvPutCodec.encodeRequest(request, 0, replicas, key, value);
        final long correlationId = client.send(LrpcOperations.KV_PUT, request, 0, length, this::onReply);
        assertThat(correlationId).isPositive();
        server.doWork();
        service.flush();
        return correlationId;
    }

    /** Queues a request without running the server: several queued ones arrive in one drain. */
    private long queue(final int[] replicas, final String key, final String value)
    {
        final int length = KvPutCodec.encodeRequest(request, 0, replicas, key, value);
        final long correlationId = client.send(LrpcOperations.KV_PUT, request, 0, length, this::onReply);
        assertThat(correlationId).isPositive();
        return correlationId;
    }

    /** One duty cycle of the kernel loop: the LRPC drain, then the flush of the collected puts. */
    private int drainAndFlush()
    {
        server.doWork();
        return service.flush();
    }

    private List<LrpcResult> awaitAll(final int count)
    {
        for (int i = 0; i < 100 && replies.size() < count; i++)
        {
            server.doWork();
            client.poll();
        }
        assertThat(replies).hasSize(count);
        final List<LrpcResult> all = new ArrayList<>(replies);
        replies.clear();
        return all;
    }

    private final List<LrpcResult> replies = new ArrayList<>();

    private void onReply(final long correlationId, final LrpcOutcome outcome, final int status,
        final org.agrona.DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        replies.add(new LrpcResult(outcome, status, bytes, LrpcOutcome.SUCCESS == outcome ? null :
            new String(bytes, java.nio.charset.StandardCharsets.UTF_8)));
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

    private LrpcResult call(final int[] replicas, final String key, final String value)
    {
        final int length = KvPutCodec.encodeRequest(request, 0, replicas, key, value);
        return client.call(LrpcOperations.KV_PUT, request, 0, length);
    }

    private LrpcResult raw(final int length)
    {
        return client.call(LrpcOperations.KV_PUT, request, 0, length);
    }

    /** Runs the server's duty cycle while the blocking call waits, as the kernel loop would. */
    private final class ServerDrivingIdle implements org.agrona.concurrent.IdleStrategy
    {
        public void idle(final int workCount)
        {
            server.doWork();
            service.flush();
        }

        public void idle()
        {
            server.doWork();
            service.flush();
        }

        public void reset()
        {
        }
    }

    private static final class Proposal
    {
        final ParticipantSet replicas;
        final List<KeyValueOperation> operations;
        final OutcomeListener listener;

        Proposal(final ParticipantSet replicas, final List<KeyValueOperation> operations, final OutcomeListener listener)
        {
            this.replicas = replicas;
            this.operations = operations;
            this.listener = listener;
        }
    }

    private static final class FakeProposer implements KvPutService.Proposer
    {
        final List<Proposal> proposals = new ArrayList<>();
        String refusal;
        /** Transactions the fake engine may have in flight; counts proposals not yet decided. */
        int capacity = Integer.MAX_VALUE;
        int decided;
        int operationsLengthMaxBytes = 4096;

        public boolean isClusterCore(final int coreId)
        {
            for (final int core : CLUSTER)
            {
                if (core == coreId)
                {
                    return true;
                }
            }
            return false;
        }

        public String proposalRefusal(final int queuedTransactions)
        {
            if (null != refusal)
            {
                return refusal;
            }
            return (long)proposals.size() - decided + queuedTransactions >= capacity ?
                "core 0 already coordinates or has queued MAX_IN_FLIGHT_TRANSACTIONS=" + capacity + " transactions" : null;
        }

        public int encodedLength(final KeyValueOperation operation)
        {
            return new io.multikernel.replication.kv.KeyValueStateMachine().encodedLength(operation);
        }

        public int operationsLengthMaxBytes()
        {
            return operationsLengthMaxBytes;
        }

        public void propose(final ParticipantSet replicas, final List<KeyValueOperation> operations,
            final OutcomeListener listener)
        {
            proposals.add(new Proposal(replicas, operations, listener));
        }

        void decide(final int index, final TransactionId id, final TransactionOutcome outcome)
        {
            decided++;
            proposals.get(index).listener.onOutcome(id, outcome);
        }
    }
}
