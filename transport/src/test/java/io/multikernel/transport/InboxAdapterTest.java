package io.multikernel.transport;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.multikernel.common.PeerIncarnations;
import io.multikernel.common.RateLimitedErrorLog;
import io.multikernel.schema.EnvelopeEncoder;
import io.multikernel.schema.MessageHeaderEncoder;
import io.multikernel.schema.PingEncoder;
import io.multikernel.schema.HeartbeatEncoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every class of bad inbound frame is rejected with its reason, counted, and never thrown; good
 * frames, including ones from a newer schema version, are dispatched.
 */
class InboxAdapterTest
{
    private static final int SELF = 1;
    private static final int PEER = 2;
    private static final int MESSAGE_LENGTH_MAX = 4096;
    private static final long INCARNATION = 1000;

    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[16 * 1024]);
    private final List<String> received = new ArrayList<>();
    private final List<Long> incarnationChanges = new ArrayList<>();
    private UrpcMetrics metrics;
    private InboxAdapter adapter;

    @BeforeEach
    void setUp()
    {
        metrics = new UrpcMetrics(new SimpleMeterRegistry());
        final MessageDispatcher dispatcher = new MessageDispatcher(metrics);
        TransportHandlers.register(dispatcher, new UrpcHandler()
        {
            public void onHeartbeat(final int source, final long incarnation, final long correlationId, final long ts)
            {
                received.add("heartbeat from " + source + " ts=" + ts);
            }

            public void onPing(final int source, final long correlationId, final long ts,
                final DirectBuffer payload, final int offset, final int length)
            {
                received.add("ping from " + source + " payload=" + payload.getStringWithoutLengthAscii(offset, length));
            }
        });
        final PeerIncarnations incarnations = PeerIncarnations.of(PEER);
        incarnations.addListener((core, oldValue, newValue) -> incarnationChanges.add(newValue));
        adapter = new InboxAdapter(SELF, MESSAGE_LENGTH_MAX, dispatcher, incarnations, metrics,
            new RateLimitedErrorLog(LoggerFactory.getLogger("test"), new CachedNanoClock(), 1_000_000_000L));
    }

    @Test
    void dispatchesAGoodPing()
    {
        final int length = ping(0, PEER, SELF, INCARNATION, "hello");
        assertThat(adapter.validateAndDispatch(buffer, 0, length)).isNull();
        assertThat(received).containsExactly("ping from 2 payload=hello");
        assertThat(incarnationChanges).containsExactly(INCARNATION);
    }

    @Test
    void rejectsTruncatedFrames()
    {
        final int length = ping(0, PEER, SELF, INCARNATION, "hello");
        assertRejected(InboxAdapter.FRAME_LENGTH_MIN_BYTES - 1, RejectReason.TRUNCATED);
        assertRejected(MessageHeaderEncoder.ENCODED_LENGTH + PingEncoder.BLOCK_LENGTH - 1, RejectReason.TRUNCATED);
        // Block complete but the payload cut short: the var-data length points past the frame.
        assertRejected(length - 2, RejectReason.MALFORMED);
    }

    @Test
    void rejectsOversizedFrames()
    {
        ping(0, PEER, SELF, INCARNATION, "x".repeat(MESSAGE_LENGTH_MAX));
        assertRejected(MESSAGE_LENGTH_MAX + 1, RejectReason.OVERSIZED);
    }

    @Test
    void rejectsForeignSchemaAndUnsupportedVersion()
    {
        final int length = ping(0, PEER, SELF, INCARNATION, "a");
        buffer.putShort(MessageHeaderEncoder.schemaIdEncodingOffset(), (short)4242, ByteOrder.LITTLE_ENDIAN);
        assertRejected(length, RejectReason.FOREIGN_SCHEMA);

        ping(0, PEER, SELF, INCARNATION, "a");
        buffer.putShort(MessageHeaderEncoder.versionEncodingOffset(), (short)0, ByteOrder.LITTLE_ENDIAN);
        assertRejected(length, RejectReason.UNSUPPORTED_VERSION);
    }

    @Test
    void rejectsALyingBlockLength()
    {
        final int length = ping(0, PEER, SELF, INCARNATION, "a");
        buffer.putShort(MessageHeaderEncoder.blockLengthEncodingOffset(), (short)(PingEncoder.BLOCK_LENGTH - 1),
            ByteOrder.LITTLE_ENDIAN);
        assertRejected(length, RejectReason.BAD_BLOCK_LENGTH);

        ping(0, PEER, SELF, INCARNATION, "a");
        buffer.putShort(MessageHeaderEncoder.blockLengthEncodingOffset(), (short)60000, ByteOrder.LITTLE_ENDIAN);
        assertRejected(length, RejectReason.TRUNCATED);
    }

    @Test
    void rejectsUnknownTemplate()
    {
        final int length = ping(0, PEER, SELF, INCARNATION, "a");
        buffer.putShort(MessageHeaderEncoder.templateIdEncodingOffset(), (short)999, ByteOrder.LITTLE_ENDIAN);
        assertRejected(length, RejectReason.UNKNOWN_TEMPLATE);
        buffer.putShort(MessageHeaderEncoder.templateIdEncodingOffset(), (short)65535, ByteOrder.LITTLE_ENDIAN);
        assertRejected(length, RejectReason.UNKNOWN_TEMPLATE);
    }

    @Test
    void rejectsUnknownSenderAndWrongDestination()
    {
        assertRejected(ping(0, 77, SELF, INCARNATION, "a"), RejectReason.UNKNOWN_SENDER);
        assertRejected(ping(0, -1, SELF, INCARNATION, "a"), RejectReason.UNKNOWN_SENDER);
        assertRejected(ping(0, PEER, 3, INCARNATION, "a"), RejectReason.WRONG_DESTINATION);
    }

    @Test
    void rejectsStaleIncarnationAfterARestartIsSeen()
    {
        assertThat(adapter.validateAndDispatch(buffer, 0, ping(0, PEER, SELF, INCARNATION, "old"))).isNull();
        assertThat(adapter.validateAndDispatch(buffer, 0, ping(0, PEER, SELF, INCARNATION + 1, "new"))).isNull();
        assertRejected(ping(0, PEER, SELF, INCARNATION, "late"), RejectReason.STALE_INCARNATION);
        assertThat(incarnationChanges).containsExactly(INCARNATION, INCARNATION + 1);
        assertThat(received).containsExactly("ping from 2 payload=old", "ping from 2 payload=new");
    }

    @Test
    void rejectsVarDataLengthThatRunsPastTheFrameOrBuffer()
    {
        final int length = ping(0, PEER, SELF, INCARNATION, "abc");
        final int lengthField = MessageHeaderEncoder.ENCODED_LENGTH + PingEncoder.BLOCK_LENGTH;
        buffer.putShort(lengthField, (short)1000, ByteOrder.LITTLE_ENDIAN);
        assertRejected(length, RejectReason.MALFORMED);
        buffer.putShort(lengthField, (short)-1, ByteOrder.LITTLE_ENDIAN);
        assertRejected(length, RejectReason.MALFORMED);

        // A frame at the very end of the buffer whose length field claims more than the buffer holds.
        final UnsafeBuffer tight = new UnsafeBuffer(new byte[length]);
        tight.putBytes(0, buffer, 0, length);
        tight.putShort(lengthField, (short)0xFFFF, ByteOrder.LITTLE_ENDIAN);
        assertThat(adapter.validateAndDispatch(tight, 0, length)).isEqualTo(RejectReason.MALFORMED);
    }

    @Test
    void decodesTheKnownPrefixOfANewerSchemaVersion()
    {
        // A version-2 sender with 8 more bytes in the block and an extra var-data field at the end.
        final int extraBlock = 8;
        final int offset = 0;
        new MessageHeaderEncoder().wrap(buffer, offset)
            .blockLength(HeartbeatEncoder.BLOCK_LENGTH + extraBlock)
            .templateId(HeartbeatEncoder.TEMPLATE_ID)
            .schemaId(HeartbeatEncoder.SCHEMA_ID)
            .version(HeartbeatEncoder.SCHEMA_VERSION + 1);
        final int block = offset + MessageHeaderEncoder.ENCODED_LENGTH;
        envelope(block, PEER, SELF, INCARNATION, 5);
        buffer.putLong(block + HeartbeatEncoder.timestampNsEncodingOffset(), 123456L, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(block + HeartbeatEncoder.BLOCK_LENGTH, -1L);
        buffer.putShort(block + HeartbeatEncoder.BLOCK_LENGTH + extraBlock, (short)3, ByteOrder.LITTLE_ENDIAN);
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + HeartbeatEncoder.BLOCK_LENGTH + extraBlock + 2 + 3;

        assertThat(adapter.validateAndDispatch(buffer, offset, length)).isNull();
        assertThat(received).containsExactly("heartbeat from 2 ts=123456");
    }

    @Test
    void onFragmentCountsRejectionsAndGoodFramesAndNeverThrows()
    {
        adapter.onFragment(buffer, 0, 3, null);
        adapter.onFragment(buffer, 0, ping(0, 99, SELF, INCARNATION, "a"), null);
        adapter.onFragment(buffer, 0, ping(0, PEER, SELF, INCARNATION, "ok"), null);

        assertThat(metrics.rejectedCount(RejectReason.TRUNCATED)).isEqualTo(1);
        assertThat(metrics.rejectedCount(RejectReason.UNKNOWN_SENDER)).isEqualTo(1);
        metrics.publish();
        assertThat(metrics.registry().get("mk.urpc.messages.received").tag("type", "ping").functionCounter().count())
            .isEqualTo(1.0);
        assertThat(received).containsExactly("ping from 2 payload=ok");
    }

    @Test
    void dispatchesEveryMessageOfABatchedFrameInOrder()
    {
        final int first = ping(0, PEER, SELF, INCARNATION, "one");
        final int second = ping(first, PEER, SELF, INCARNATION, "two");
        final int third = ping(first + second, PEER, SELF, INCARNATION, "three");
        adapter.onFragment(buffer, 0, first + second + third, null);
        assertThat(received).containsExactly("ping from 2 payload=one", "ping from 2 payload=two",
            "ping from 2 payload=three");
        assertThat(metrics.receivedCount(io.multikernel.schema.PingDecoder.TEMPLATE_ID)).isEqualTo(3);
    }

    @Test
    void aBadMessageInABatchEndsTheFrameButKeepsWhatCameBefore()
    {
        final int first = ping(0, PEER, SELF, INCARNATION, "one");
        final int second = ping(first, 77, SELF, INCARNATION, "from a stranger");
        final int third = ping(first + second, PEER, SELF, INCARNATION, "three");
        adapter.onFragment(buffer, 0, first + second + third, null);
        assertThat(received).containsExactly("ping from 2 payload=one");
        assertThat(metrics.rejectedCount(RejectReason.UNKNOWN_SENDER)).isEqualTo(1);

        // Trailing bytes too short to be a message are a truncated message, not silence.
        final int good = ping(0, PEER, SELF, INCARNATION, "four");
        adapter.onFragment(buffer, 0, good + 5, null);
        assertThat(received).endsWith("ping from 2 payload=four");
        assertThat(metrics.rejectedCount(RejectReason.TRUNCATED)).isEqualTo(1);
        adapter.onFragment(buffer, 0, 0, null);
        assertThat(metrics.rejectedCount(RejectReason.TRUNCATED)).isEqualTo(2);
    }

    @Test
    void anOlderVersionMustStillSendTheWholeKnownBlock()
    {
        final int length = ping(0, PEER, SELF, INCARNATION, "a");
        buffer.putShort(MessageHeaderEncoder.versionEncodingOffset(), (short)1, ByteOrder.LITTLE_ENDIAN);
        assertThat(adapter.validateAndDispatch(buffer, 0, length)).isNull();
        buffer.putShort(MessageHeaderEncoder.blockLengthEncodingOffset(), (short)24, ByteOrder.LITTLE_ENDIAN);
        assertRejected(length, RejectReason.BAD_BLOCK_LENGTH);
    }

    @Test
    void aHelloWithAnUnknownEnumValueIsDecodedNotThrown()
    {
        final io.multikernel.schema.HelloEncoder hello =
            new io.multikernel.schema.HelloEncoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder());
        envelope(MessageHeaderEncoder.ENCODED_LENGTH, PEER, SELF, INCARNATION, 1);
        hello.schemaVersion(2).hostId(0).timestampNs(1);
        buffer.putByte(MessageHeaderEncoder.ENCODED_LENGTH + io.multikernel.schema.HelloEncoder.replyEncodingOffset(),
            (byte)7);
        adapter.onFragment(buffer, 0, hello.encodedLength() + MessageHeaderEncoder.ENCODED_LENGTH, null);
        assertThat(adapter.takeHandlerFailure()).isNull();
        assertThat(metrics.receivedCount(io.multikernel.schema.HelloEncoder.TEMPLATE_ID)).isEqualTo(1);
    }

    @Test
    void aHandlerThatThrowsIsKeptForTheEndpointAndEndsTheFrame()
    {
        final MessageDispatcher dispatcher = new MessageDispatcher(metrics);
        dispatcher.register(io.multikernel.schema.PingDecoder.TEMPLATE_ID, "ping", io.multikernel.schema.PingDecoder.BLOCK_LENGTH,
            (b, blockOffset, blockLength, version, frameEnd) ->
            {
                throw new IllegalStateException("invariant broken");
            });
        final InboxAdapter throwing = new InboxAdapter(SELF, MESSAGE_LENGTH_MAX, dispatcher,
            PeerIncarnations.of(PEER), metrics,
            new RateLimitedErrorLog(LoggerFactory.getLogger("test"), new CachedNanoClock(), 1));
        final int first = ping(0, PEER, SELF, INCARNATION, "one");
        final int second = ping(first, PEER, SELF, INCARNATION, "two");
        throwing.onFragment(buffer, 0, first + second, null);
        assertThat(throwing.takeHandlerFailure()).hasMessage("invariant broken");
        assertThat(throwing.takeHandlerFailure()).isNull();
    }

    @Test
    void aHandlerReturningAnImpossibleEndIsMalformedNotALoop()
    {
        final MessageDispatcher dispatcher = new MessageDispatcher(metrics);
        dispatcher.register(io.multikernel.schema.PingDecoder.TEMPLATE_ID, "ping", io.multikernel.schema.PingDecoder.BLOCK_LENGTH,
            (b, blockOffset, blockLength, version, frameEnd) -> 0);
        final InboxAdapter broken = new InboxAdapter(SELF, MESSAGE_LENGTH_MAX, dispatcher,
            PeerIncarnations.of(PEER), metrics,
            new RateLimitedErrorLog(LoggerFactory.getLogger("test"), new CachedNanoClock(), 1));
        broken.onFragment(buffer, 0, ping(0, PEER, SELF, INCARNATION, "x"), null);
        assertThat(metrics.rejectedCount(RejectReason.MALFORMED)).isEqualTo(1);
    }

    @Test
    void survivesRandomGarbage()
    {
        final java.util.Random random = new java.util.Random(42);
        final byte[] bytes = new byte[512];
        for (int i = 0; i < 20_000; i++)
        {
            random.nextBytes(bytes);
            final int length = random.nextInt(bytes.length);
            buffer.putBytes(0, bytes, 0, length);
            // Keep some frames plausible so the deeper checks run too.
            if (random.nextBoolean())
            {
                buffer.putShort(MessageHeaderEncoder.schemaIdEncodingOffset(), (short)MessageHeaderEncoder.SCHEMA_ID,
                    ByteOrder.LITTLE_ENDIAN);
                buffer.putShort(MessageHeaderEncoder.templateIdEncodingOffset(), (short)(1 + random.nextInt(5)),
                    ByteOrder.LITTLE_ENDIAN);
                buffer.putInt(MessageHeaderEncoder.ENCODED_LENGTH, PEER, ByteOrder.LITTLE_ENDIAN);
                buffer.putInt(MessageHeaderEncoder.ENCODED_LENGTH + 4, SELF, ByteOrder.LITTLE_ENDIAN);
            }
            adapter.onFragment(buffer, 0, length, null);
        }
        metrics.publish();
        double rejected = 0;
        for (final RejectReason reason : RejectReason.values())
        {
            rejected += metrics.rejectedCount(reason);
        }
        final double dispatched = metrics.registry().find("mk.urpc.messages.received").functionCounters().stream()
            .mapToDouble(io.micrometer.core.instrument.FunctionCounter::count).sum();
        // Every frame ends in at least one outcome; one that starts with a good message may also
        // reject what follows it.
        assertThat(rejected).isGreaterThan(10_000.0);
        assertThat(rejected + dispatched).isGreaterThanOrEqualTo(20_000.0);
    }

    private void assertRejected(final int length, final RejectReason reason)
    {
        final int before = received.size();
        assertThat(adapter.validateAndDispatch(buffer, 0, length)).isEqualTo(reason);
        assertThat(received).hasSize(before);
    }

    private int ping(final int offset, final int source, final int destination, final long incarnation, final String text)
    {
        final PingEncoder encoder = new PingEncoder().wrapAndApplyHeader(buffer, offset, new MessageHeaderEncoder());
        envelope(offset + MessageHeaderEncoder.ENCODED_LENGTH, source, destination, incarnation, 7);
        final byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        encoder.timestampNs(1).putPayload(bytes, 0, bytes.length);
        return encoder.limit() - offset;
    }

    private void envelope(final int blockOffset, final int source, final int destination, final long incarnation,
        final long correlationId)
    {
        new EnvelopeEncoder().wrap(buffer, blockOffset)
            .sourceCoreId(source).destinationCoreId(destination).sourceIncarnation(incarnation).correlationId(correlationId);
    }
}
