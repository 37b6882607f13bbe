package io.multikernel.node.lrpc;

import io.multikernel.node.cluster.ClusterMap;
import io.multikernel.node.cluster.TransportKind;
import io.multikernel.node.replication.AgreedNameService;
import io.multikernel.node.replication.CommittingReplication;
import io.multikernel.node.skb.NameService;
import io.multikernel.node.skb.Topology;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.multikernel.node.lrpc.LrpcFixture.ascii;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Drives the kernel side directly: dispatch, pipelining order, the per-duty-cycle bound, deferred
 * replies, and every class of bad input (counted, answered where possible, never stopping the core).
 */
class LrpcServerTest
{
    private static final long TOKEN = 0x5EED_0001L;
    private static final int DEFERRED_OP = 100;

    private LrpcFixture fixture = new LrpcFixture(LrpcFixture.smallLayout());
    private final LrpcFixture.Recorder recorder = new LrpcFixture.Recorder();

    @AfterEach
    void close()
    {
        fixture.close();
    }

    private void registerCoreServices()
    {
        final ClusterMap map = ClusterMap.local(4, 1, TransportKind.IPC, 40_000, 9_400);
        LrpcCoreServices.register(fixture.server);
        new AgreedNameService(new CommittingReplication(3, map.coreIds()),
            new NameService(Topology.from(map))).registerWith(fixture.server);
    }

    @Test
    void echoesThePayloadBack()
    {
        registerCoreServices();
        final LrpcClient client = fixture.attach();
        final long id = client.send(LrpcOperations.ECHO, ascii("hello core"), 0, 10, recorder);
        assertThat(id).isPositive();
        assertThat(fixture.server.doWork()).isEqualTo(1);
        assertThat(client.poll()).isEqualTo(1);
        assertThat(recorder.only()).isEqualTo(new LrpcFixture.Recorder.Reply(id, LrpcOutcome.SUCCESS, 0, "hello core"));
        assertThat(client.outstanding()).isZero();
        assertThat(fixture.counter("mk.lrpc.requests", "op", "echo")).isEqualTo(1);
    }

    @Test
    void idleServerReportsNoWork()
    {
        registerCoreServices();
        fixture.attach();
        for (int i = 0; i < 5; i++)
        {
            fixture.advanceMs(1_500);
            assertThat(fixture.server.doWork()).isZero();
        }
    }

    @Test
    void pipelinedCallsAreAnsweredInOrderWithinTheDutyCycleBound()
    {
        fixture.close();
        fixture = new LrpcFixture(LrpcFixture.smallLayout(), 5);
        registerCoreServices();
        final LrpcClient client = fixture.attach();
        final List<Long> ids = new ArrayList<>();
        for (int i = 0; i < client.outstandingMax(); i++)
        {
            ids.add(client.send(LrpcOperations.ECHO, ascii("m" + i), 0, ("m" + i).length(), recorder));
        }
        assertThat(client.send(LrpcOperations.ECHO, ascii("x"), 0, 1, recorder))
            .as("over the outstanding limit").isEqualTo(LrpcOutcome.BACK_PRESSURED.code());
        assertThat(fixture.server.doWork()).isEqualTo(5);
        assertThat(fixture.server.doWork()).isEqualTo(5);
        assertThat(fixture.server.doWork()).isEqualTo(5);
        assertThat(fixture.server.doWork()).isEqualTo(1);
        client.poll();
        assertThat(recorder.replies).extracting(LrpcFixture.Recorder.Reply::correlationId).containsExactlyElementsOf(ids);
        for (int i = 0; i < ids.size(); i++)
        {
            assertThat(recorder.replies.get(i).text()).isEqualTo("m" + i);
        }
    }

    @Test
    void deferredRepliesArriveLaterAndOutOfOrder()
    {
        final List<Long> tokens = new ArrayList<>();
        fixture.server.register(DEFERRED_OP, "deferred", (server, payload, offset, length) ->
            tokens.add(server.defer()));
        final LrpcClient client = fixture.attach();
        final long first = client.send(DEFERRED_OP, ascii("a"), 0, 1, recorder);
        final long second = client.send(DEFERRED_OP, ascii("b"), 0, 1, recorder);
        fixture.server.doWork();
        client.poll();
        assertThat(recorder.replies).isEmpty();
        assertThat(fixture.server.deferredCount()).isEqualTo(2);

        fixture.server.replyDeferred(tokens.get(1), LrpcStatus.OK, ascii("B"), 0, 1);
        fixture.server.replyDeferredError(tokens.get(0), LrpcStatus.CONFLICT, "lost the race");
        client.poll();
        assertThat(recorder.replies).containsExactly(
            new LrpcFixture.Recorder.Reply(second, LrpcOutcome.SUCCESS, 0, "B"),
            new LrpcFixture.Recorder.Reply(first, LrpcOutcome.REJECTED, LrpcStatus.CONFLICT, "lost the race"));
        assertThat(fixture.server.deferredCount()).isZero();
        assertThatThrownBy(() -> fixture.server.replyDeferred(tokens.get(0), LrpcStatus.OK, ascii("x"), 0, 1))
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("not outstanding");
        assertThatThrownBy(() -> fixture.server.replyDeferred(LrpcServer.NO_TOKEN, LrpcStatus.OK, ascii("x"), 0, 1))
            .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void deferredTableFullIsAnsweredUnavailable()
    {
        fixture.close();
        fixture = new LrpcFixture(LrpcLayout.of(1, 64 * 1024, 256, 2));
        final List<Long> tokens = new ArrayList<>();
        fixture.server.register(DEFERRED_OP, "deferred", (server, payload, offset, length) -> tokens.add(server.defer()));
        final LrpcClient client = fixture.attach(fixture.clientContext().clientToken(TOKEN));
        client.send(DEFERRED_OP, ascii("a"), 0, 1, recorder);
        client.send(DEFERRED_OP, ascii("b"), 0, 1, recorder);
        // A third request from a client that ignores its outstanding limit.
        fixture.channel.requestRing().write(DEFERRED_OP, request(0, TOKEN, 99, 4), 0, LrpcRecordDescriptor.REQUEST_HEADER_LENGTH_BYTES + 4);
        fixture.server.doWork();
        assertThat(tokens).hasSize(3).endsWith(LrpcServer.NO_TOKEN);
        assertThat(fixture.server.rejectedCount(LrpcRejectReason.DEFERRED_REPLIES_FULL)).isEqualTo(1);
        assertThat(fixture.server.errorCount(LrpcStatus.UNAVAILABLE)).isEqualTo(1);
    }

    @Test
    void handlerThatNeverAnswersIsABrokenInvariant()
    {
        fixture.server.register(DEFERRED_OP, "silent", (server, payload, offset, length) -> { });
        final LrpcClient client = fixture.attach();
        client.send(DEFERRED_OP, ascii("a"), 0, 1, recorder);
        assertThatThrownBy(() -> fixture.server.doWork()).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("'silent' neither replied nor deferred");
    }

    @Test
    void registeringAnOperationTwiceOrOutOfRangeFails()
    {
        registerCoreServices();
        assertThatThrownBy(() -> fixture.server.register(LrpcOperations.ECHO, "again", (s, p, o, l) -> { }))
            .hasMessageContaining("already registered as 'echo'");
        assertThatThrownBy(() -> fixture.server.register(0, "zero", (s, p, o, l) -> { }))
            .hasMessageContaining("operation=0 is outside 1..1023");
        assertThatThrownBy(() -> fixture.server.register(1024, "big", (s, p, o, l) -> { }))
            .hasMessageContaining("operation=1024 is outside 1..1023");
    }

    @Test
    void malformedRequestIsCountedAndTheCoreCarriesOn()
    {
        registerCoreServices();
        final LrpcClient client = fixture.attach();
        final RingBuffer ring = fixture.channel.requestRing();
        assertThat(ring.write(LrpcOperations.ECHO, new UnsafeBuffer(new byte[10]), 0, 10)).isTrue();
        assertThat(ring.write(LrpcOperations.ECHO, new UnsafeBuffer(new byte[0]), 0, 0)).isTrue();
        client.send(LrpcOperations.ECHO, ascii("still here"), 0, 10, recorder);
        assertThat(fixture.server.doWork()).isEqualTo(3);
        client.poll();
        assertThat(recorder.only().outcome()).isEqualTo(LrpcOutcome.SUCCESS);
        assertThat(fixture.counter("mk.lrpc.rejected", "reason", "malformed")).isEqualTo(2);
    }

    @Test
    void requestsFromUnknownSlotsOrTokensAreDroppedAndCounted()
    {
        registerCoreServices();
        final LrpcClient client = fixture.attach(fixture.clientContext().clientToken(TOKEN));
        final RingBuffer ring = fixture.channel.requestRing();
        final int length = LrpcRecordDescriptor.REQUEST_HEADER_LENGTH_BYTES;
        ring.write(LrpcOperations.ECHO, request(99, TOKEN, 1, 0), 0, length);
        ring.write(LrpcOperations.ECHO, request(-1, TOKEN, 2, 0), 0, length);
        ring.write(LrpcOperations.ECHO, request(1, TOKEN, 3, 0), 0, length);
        ring.write(LrpcOperations.ECHO, request(client.slot(), TOKEN + 1, 4, 0), 0, length);
        ring.write(LrpcOperations.ECHO, request(client.slot(), 0, 5, 0), 0, length);
        fixture.server.doWork();
        assertThat(fixture.server.rejectedCount(LrpcRejectReason.UNKNOWN_CLIENT_SLOT)).isEqualTo(5);
        assertThat(fixture.channel.replyRing(client.slot()).size()).isZero();
    }

    @Test
    void requestRingBlockedByAnAppThatDiedMidWriteIsUnblocked()
    {
        registerCoreServices();
        final LrpcClient client = fixture.attach();
        // An app claimed space and died before committing it.
        assertThat(fixture.channel.requestRing().tryClaim(LrpcOperations.ECHO, 32)).isPositive();
        client.send(LrpcOperations.ECHO, ascii("behind the hole"), 0, 15, recorder);
        assertThat(fixture.server.doWork()).isZero();
        fixture.advanceMs(600);
        assertThat(fixture.server.doWork()).isZero();
        fixture.advanceMs(600);
        fixture.server.doWork();
        assertThat(fixture.server.rejectedCount(LrpcRejectReason.REQUEST_RING_UNBLOCKED)).isEqualTo(1);
        fixture.server.doWork();
        client.poll();
        assertThat(recorder.only().outcome()).isEqualTo(LrpcOutcome.SUCCESS);
        assertThat(recorder.only().text()).isEqualTo("behind the hole");
    }

    @Test
    void aRequestRecordWhoseLengthLiesIsDroppedWithTheRingAndTheCoreServesOn()
    {
        registerCoreServices();
        final LrpcClient client = fixture.attach();
        // An app writes a record into the shared ring by hand, claiming far more bytes than the ring holds.
        final int index = fixture.channel.requestRing().tryClaim(LrpcOperations.ECHO, 32);
        fixture.channel.requestRing().commit(index);
        fixture.channel.requestRing().buffer().putIntVolatile(index - 8, 0x1000_0000);

        assertThat(fixture.server.doWork()).isZero();
        assertThat(fixture.server.rejectedCount(LrpcRejectReason.REQUEST_RING_CORRUPT)).isEqualTo(1);
        client.send(LrpcOperations.ECHO, ascii("after it"), 0, 8, recorder);
        fixture.server.doWork();
        client.poll();
        assertThat(recorder.only().outcome()).isEqualTo(LrpcOutcome.SUCCESS);
        assertThat(recorder.only().text()).isEqualTo("after it");
        assertThat(fixture.server.rejectedCount(LrpcRejectReason.REQUEST_RING_CORRUPT)).isEqualTo(1);
    }

    @Test
    void sendWithABadPayloadRangeLeavesNoClaimOpen()
    {
        registerCoreServices();
        final LrpcClient client = fixture.attach();
        assertThatThrownBy(() -> client.send(LrpcOperations.ECHO, ascii("abc"), 0, 10, recorder))
            .isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(client.outstanding()).isZero();
        client.send(LrpcOperations.ECHO, ascii("abc"), 0, 3, recorder);
        fixture.server.doWork();
        client.poll();
        assertThat(recorder.only().text()).isEqualTo("abc");
    }

    @Test
    void unknownOperationIsAnsweredAndCounted()
    {
        registerCoreServices();
        final LrpcClient client = fixture.attach();
        final long id = client.send(77, ascii("?"), 0, 1, recorder);
        fixture.server.doWork();
        client.poll();
        assertThat(recorder.only()).isEqualTo(new LrpcFixture.Recorder.Reply(id, LrpcOutcome.REJECTED,
            LrpcStatus.UNKNOWN_OPERATION, "operation 77 is not served by core 3"));
        assertThat(recorder.only().outcome().isDefinite()).isTrue();
        assertThat(fixture.counter("mk.lrpc.rejected", "reason", "unknown_operation")).isEqualTo(1);
        assertThat(fixture.counter("mk.lrpc.errors", "status", "unknown_operation")).isEqualTo(1);
    }

    @Test
    void operationCodesBelowOneAreCountedAndDroppedAndTheCoreCarriesOn()
    {
        registerCoreServices();
        final LrpcClient client = fixture.attach(fixture.clientContext().clientToken(TOKEN));
        final RingBuffer ring = fixture.channel.requestRing();
        final int length = LrpcRecordDescriptor.REQUEST_HEADER_LENGTH_BYTES + 300;
        // What an app writing the shared ring can leave: any type, also one tryClaim would refuse.
        for (final int operation : new int[]{ 0, -7, Integer.MIN_VALUE })
        {
            final int index = ring.tryClaim(LrpcOperations.ECHO, length);
            ring.buffer().putBytes(index, request(client.slot(), TOKEN, 1, 300), 0, length);
            ring.buffer().putInt(org.agrona.concurrent.ringbuffer.RecordDescriptor.typeOffset(
                index - org.agrona.concurrent.ringbuffer.RecordDescriptor.HEADER_LENGTH), operation);
            ring.commit(index);
        }
        final long id = client.send(LrpcOperations.ECHO, ascii("still here"), 0, 10, recorder);

        assertThat(fixture.server.doWork()).isEqualTo(4);
        client.poll();

        assertThat(recorder.only()).isEqualTo(new LrpcFixture.Recorder.Reply(id, LrpcOutcome.SUCCESS, 0, "still here"));
        assertThat(fixture.server.rejectedCount(LrpcRejectReason.UNKNOWN_OPERATION)).isEqualTo(3);
        assertThat(fixture.server.rejectedCount(LrpcRejectReason.TOO_LARGE)).as("not answered, not even TOO_LARGE").isZero();
        assertThat(fixture.counter("mk.lrpc.requests", "op", "echo")).isEqualTo(1);
    }

    @Test
    void oversizedRequestIsAnsweredTooLarge()
    {
        registerCoreServices();
        final LrpcClient client = fixture.attach(fixture.clientContext().clientToken(TOKEN));
        final int length = fixture.channel.layout().messageLengthMax() + 8;
        assertThat(fixture.channel.requestRing().write(LrpcOperations.ECHO, request(client.slot(), TOKEN, 7, length),
            0, length)).isTrue();
        fixture.server.doWork();
        final List<String> replies = new ArrayList<>();
        fixture.channel.replyRing(client.slot()).read((type, buffer, index, len) -> replies.add(
            buffer.getLong(index) + " " + buffer.getInt(index + LrpcRecordDescriptor.REPLY_STATUS_OFFSET) + " " +
            buffer.getStringWithoutLengthUtf8(index + LrpcRecordDescriptor.REPLY_HEADER_LENGTH_BYTES,
                len - LrpcRecordDescriptor.REPLY_HEADER_LENGTH_BYTES)));
        assertThat(replies).containsExactly("7 3 request of 264 bytes exceeds messageLengthMax=256");
        assertThat(fixture.counter("mk.lrpc.rejected", "reason", "too_large")).isEqualTo(1);

        // The client refuses to send what the core would refuse.
        final int payloadMax = 256 - LrpcRecordDescriptor.REQUEST_HEADER_LENGTH_BYTES;
        assertThat(client.send(LrpcOperations.ECHO, new UnsafeBuffer(new byte[payloadMax + 1]), 0, payloadMax + 1,
            recorder)).isEqualTo(LrpcOutcome.TOO_LARGE.code());
        assertThat(client.call(LrpcOperations.ECHO, new UnsafeBuffer(new byte[payloadMax + 1]), 0, payloadMax + 1)
            .message()).isEqualTo("the request payload of 233 bytes exceeds the channel's limit of 232 bytes");
        assertThat(client.send(LrpcOperations.ECHO, new UnsafeBuffer(new byte[payloadMax]), 0, payloadMax, recorder))
            .isPositive();
    }

    @Test
    void fullReplyRingIsCountedNotSilent()
    {
        fixture.close();
        fixture = new LrpcFixture(LrpcLayout.of(1, 64 * 1024, 64, 1));
        registerCoreServices();
        final LrpcClient client = fixture.attach(fixture.clientContext().clientToken(TOKEN));
        final int replyCapacity = fixture.channel.layout().replyRingCapacity();
        final int requests = replyCapacity / LrpcRecordDescriptor.recordLength(LrpcRecordDescriptor.REPLY_HEADER_LENGTH_BYTES + 8) + 10;
        for (int i = 0; i < requests; i++)
        {
            // A client ignoring its outstanding limit and never reading replies.
            fixture.channel.requestRing().write(LrpcOperations.ECHO, request(client.slot(), TOKEN, i + 1, 8), 0,
                LrpcRecordDescriptor.REQUEST_HEADER_LENGTH_BYTES + 8);
        }
        while (fixture.server.doWork() > 0)
        {
            // drain
        }
        assertThat(fixture.server.rejectedCount(LrpcRejectReason.REPLY_RING_FULL)).isGreaterThanOrEqualTo(10);
        assertThat(fixture.counter("mk.lrpc.queue.full", "ring", "reply")).isGreaterThanOrEqualTo(10);
    }

    @Test
    void replyToAClientThatLeftIsCounted()
    {
        final List<Long> tokens = new ArrayList<>();
        fixture.server.register(DEFERRED_OP, "deferred", (server, payload, offset, length) -> tokens.add(server.defer()));
        final LrpcClient client = fixture.attach();
        client.send(DEFERRED_OP, ascii("a"), 0, 1, recorder);
        fixture.server.doWork();
        client.close();
        assertThat(recorder.only().outcome()).isEqualTo(LrpcOutcome.ABANDONED);
        assertThat(fixture.server.replyDeferred(tokens.get(0), LrpcStatus.OK, ascii("late"), 0, 4)).isFalse();
        assertThat(fixture.server.rejectedCount(LrpcRejectReason.CLIENT_GONE)).isEqualTo(1);
    }

    @Test
    void slotOfADeadAppIsReclaimed() throws Exception
    {
        fixture.close();
        fixture = new LrpcFixture(LrpcLayout.of(1, 64 * 1024, 256, 4));
        final long deadPid = LrpcFixture.deadPid();
        final LrpcClient.Context deadApp = fixture.clientContext().pid(deadPid);
        LrpcClient.attach(deadApp);
        assertThatThrownBy(fixture::attach).isInstanceOf(LrpcException.class)
            .hasMessage("core 3 has no free LRPC client slot: all 1 are taken (raise mk.lrpc.client.slots on the core)");
        fixture.advanceMs(2_500);
        fixture.server.doWork();
        assertThat(fixture.registry.get("mk.lrpc.client.slots.reclaimed").functionCounter().count()).isEqualTo(1);
        assertThat(fixture.attach().slot()).isZero();
    }

    @Test
    void slotOfALiveButQuietAppIsKept()
    {
        fixture.attach();
        fixture.advanceMs(5_000);
        fixture.server.doWork();
        assertThat(fixture.registry.get("mk.lrpc.client.slots.reclaimed").functionCounter().count()).isZero();
        assertThat(fixture.registry.get("mk.lrpc.clients").gauge().value()).isEqualTo(1);
    }

    @Test
    void nameServiceRegistersAndLooksUp()
    {
        registerCoreServices();
        final LrpcClient client = fixture.attach();
        final UnsafeBuffer register = new UnsafeBuffer(new byte[64]);
        register.putInt(0, 2);
        final int length = Integer.BYTES + register.putStringWithoutLengthAscii(Integer.BYTES, "memory.server");

        final LrpcResult registered = callAndServe(client, LrpcOperations.NAME_REGISTER, register, length);
        assertThat(registered.isSuccess()).isTrue();
        assertThat(registered.intResult()).isEqualTo(2);
        final LrpcResult found = callAndServe(client, LrpcOperations.NAME_LOOKUP, ascii("memory.server"), 13);
        assertThat(found.intResult()).isEqualTo(2);

        final LrpcResult missing = callAndServe(client, LrpcOperations.NAME_LOOKUP, ascii("vm-9"), 4);
        assertThat(missing.outcome()).isEqualTo(LrpcOutcome.REJECTED);
        assertThat(missing.status()).isEqualTo(LrpcStatus.NOT_FOUND);
        assertThat(missing.message()).isEqualTo("service name 'vm-9' is not registered at core 3");

        final LrpcResult invalid = callAndServe(client, LrpcOperations.NAME_LOOKUP, ascii("Bad Name"), 8);
        assertThat(invalid.status()).isEqualTo(LrpcStatus.INVALID_ARGUMENT);
        assertThat(invalid.message()).contains("must start with a lower-case letter");

        register.putInt(0, 1);
        final LrpcResult conflict = callAndServe(client, LrpcOperations.NAME_REGISTER, register, length);
        assertThat(conflict.status()).isEqualTo(LrpcStatus.CONFLICT);
        assertThat(conflict.message()).contains("already registered to core 2");

        register.putInt(0, 17);
        final int other = Integer.BYTES + register.putStringWithoutLengthAscii(Integer.BYTES, "other");
        assertThat(callAndServe(client, LrpcOperations.NAME_REGISTER, register, other).message())
            .contains("no such core");
        assertThat(callAndServe(client, LrpcOperations.NAME_REGISTER, register, 3).status())
            .isEqualTo(LrpcStatus.MALFORMED);
    }

    private LrpcResult callAndServe(final LrpcClient client, final int operation, final UnsafeBuffer payload,
        final int length)
    {
        final LrpcFixture.Recorder calls = new LrpcFixture.Recorder();
        final long id = client.send(operation, payload, 0, length, calls);
        assertThat(id).isPositive();
        fixture.server.doWork();
        client.poll();
        final LrpcFixture.Recorder.Reply reply = calls.only();
        assertThat(reply.correlationId()).isEqualTo(id);
        return new LrpcResult(reply.outcome(), reply.status(), calls.payloads.get(0),
            LrpcOutcome.SUCCESS == reply.outcome() ? null : reply.text());
    }

    static UnsafeBuffer request(final int slot, final long token, final long correlationId, final int length)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[LrpcRecordDescriptor.REQUEST_HEADER_LENGTH_BYTES + length]);
        buffer.putInt(LrpcRecordDescriptor.REQUEST_CLIENT_SLOT_OFFSET, slot);
        buffer.putLong(LrpcRecordDescriptor.REQUEST_CLIENT_TOKEN_OFFSET, token);
        buffer.putLong(LrpcRecordDescriptor.REQUEST_CORRELATION_ID_OFFSET, correlationId);
        return buffer;
    }
}
