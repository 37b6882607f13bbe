package io.multikernel.transport;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.multikernel.common.PeerIncarnations;
import io.multikernel.common.RateLimitedErrorLog;
import io.multikernel.schema.EnvelopeEncoder;
import io.multikernel.schema.HelloEncoder;
import io.multikernel.schema.MessageHeaderEncoder;
import io.multikernel.schema.PingEncoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Sealed frames: the tag catches any change, a frame without a valid seal is refused before anything
 * in it is believed (not its sender, not its incarnation), and a captured frame sent again is refused.
 */
class FrameAuthenticationTest
{
    static final byte[] KEY = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OTHER_KEY = "fedcba9876543210".getBytes(StandardCharsets.US_ASCII);
    private static final int SELF = 1;
    private static final int PEER = 2;
    private static final int MESSAGE_LENGTH_MAX = 4096;
    private static final long INCARNATION = 1000;

    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[16 * 1024]);
    private final FrameAuthenticator sender = new FrameAuthenticator(KEY, MESSAGE_LENGTH_MAX + FrameAuthenticator.SEAL_LENGTH_BYTES);
    private final List<String> received = new ArrayList<>();
    private final List<Long> incarnationChanges = new ArrayList<>();
    private PeerIncarnations incarnations;
    private UrpcMetrics metrics;
    private InboxAdapter adapter;

    @BeforeEach
    void setUp()
    {
        metrics = new UrpcMetrics(new SimpleMeterRegistry());
        final MessageDispatcher dispatcher = new MessageDispatcher(metrics);
        TransportHandlers.register(dispatcher, new UrpcHandler()
        {
            public void onPing(final int source, final long correlationId, final long ts,
                final DirectBuffer payload, final int offset, final int length)
            {
                received.add("ping from " + source + " payload=" + payload.getStringWithoutLengthAscii(offset, length));
            }

            public void onHello(final int source, final long incarnation, final long correlationId, final int schemaVersion,
                final int hostId, final long timestampNs, final boolean reply)
            {
                received.add("hello from " + source);
            }
        });
        incarnations = PeerIncarnations.of(PEER, 3);
        incarnations.addListener((core, oldValue, newValue) -> incarnationChanges.add(newValue));
        adapter = new InboxAdapter(SELF, MESSAGE_LENGTH_MAX, dispatcher, incarnations, metrics,
            new RateLimitedErrorLog(LoggerFactory.getLogger("test"), new CachedNanoClock(), 1_000_000_000L),
            new FrameAuthenticator(KEY, MESSAGE_LENGTH_MAX + FrameAuthenticator.SEAL_LENGTH_BYTES));
    }

    @Test
    void theTagCatchesEveryFlippedBitAnotherKeyAndACutFrame()
    {
        final int messages = ping(0, PEER, INCARNATION, "a payload of some length");
        sender.seal(buffer, 0, messages, 7);
        final int length = messages + FrameAuthenticator.SEAL_LENGTH_BYTES;
        assertThat(new FrameAuthenticator(KEY, 512).verify(buffer, 0, length)).isTrue();
        assertThat(FrameAuthenticator.sequence(buffer, 0, length)).isEqualTo(7);
        final FrameAuthenticator receiver = new FrameAuthenticator(KEY, 512);
        for (int bit = 0; bit < length * 8; bit++)
        {
            flip(bit);
            assertThat(receiver.verify(buffer, 0, length)).as("bit %d flipped", bit).isFalse();
            flip(bit);
        }
        assertThat(receiver.verify(buffer, 0, length)).isTrue();
        assertThat(new FrameAuthenticator(OTHER_KEY, 512).verify(buffer, 0, length)).isFalse();
        assertThat(receiver.verify(buffer, 0, length - 1)).isFalse();
        assertThat(receiver.verify(buffer, 0, FrameAuthenticator.SEAL_LENGTH_BYTES - 1)).isFalse();
    }

    @Test
    void aBatchSpanningSeveralHashChunksIsCaughtWhereverItChanges()
    {
        // A batch of pings longer than three NH chunks: each chunk's sum goes into the tag.
        int messages = 0;
        for (int i = 0; messages < 3 * NhHash.CHUNK_LENGTH_BYTES + 100; i++)
        {
            messages += ping(messages, PEER, INCARNATION, "ping number " + i + " of a long batch");
        }
        sender.seal(buffer, 0, messages, 41);
        final int length = messages + FrameAuthenticator.SEAL_LENGTH_BYTES;
        final FrameAuthenticator receiver = new FrameAuthenticator(KEY, MESSAGE_LENGTH_MAX + FrameAuthenticator.SEAL_LENGTH_BYTES);
        assertThat(receiver.verify(buffer, 0, length)).isTrue();
        for (int bit = 0; bit < length * 8; bit++)
        {
            flip(bit);
            assertThat(receiver.verify(buffer, 0, length)).as("bit %d of %d flipped", bit, length * 8).isFalse();
            flip(bit);
        }
        // Two chunks swapped: every chunk is hashed with the same key, so only its place tells them apart.
        final byte[] first = new byte[NhHash.CHUNK_LENGTH_BYTES];
        final byte[] second = new byte[NhHash.CHUNK_LENGTH_BYTES];
        buffer.getBytes(0, first);
        buffer.getBytes(NhHash.CHUNK_LENGTH_BYTES, second);
        buffer.putBytes(0, second);
        buffer.putBytes(NhHash.CHUNK_LENGTH_BYTES, first);
        assertThat(receiver.verify(buffer, 0, length)).isFalse();
        buffer.putBytes(0, first);
        buffer.putBytes(NhHash.CHUNK_LENGTH_BYTES, second);
        assertThat(receiver.verify(buffer, 0, length)).isTrue();
    }

    @Test
    void aFrameAndTheSameBytesWithAZeroMoreGetDifferentTags()
    {
        // NH pads a chunk with zeros, so the covered length must be what tells these two apart.
        final int messages = ping(0, PEER, INCARNATION, "padding ".repeat(30));
        assertThat(messages + FrameAuthenticator.SEQUENCE_LENGTH_BYTES)
            .isGreaterThan(FrameAuthenticator.SHORT_FRAME_COVERED_MAX_BYTES);
        final long sequence = 0x0102_0304_0506_0708L;
        sender.seal(buffer, 0, messages, sequence);
        final long tagLow = buffer.getLong(messages + FrameAuthenticator.SEQUENCE_LENGTH_BYTES);
        final long tagHigh = buffer.getLong(messages + 2 * FrameAuthenticator.SEQUENCE_LENGTH_BYTES);
        // The same covered bytes and one zero byte more: the sequence's low byte joins the messages.
        buffer.putByte(messages, (byte)sequence);
        sender.seal(buffer, 0, messages + 1, sequence >>> 8);
        assertThat(buffer.getByte(messages + 1 + 7)).isZero();
        assertThat(new long[] {buffer.getLong(messages + 1 + FrameAuthenticator.SEQUENCE_LENGTH_BYTES),
            buffer.getLong(messages + 1 + 2 * FrameAuthenticator.SEQUENCE_LENGTH_BYTES)})
            .isNotEqualTo(new long[] {tagLow, tagHigh});
    }

    @Test
    void framesEitherSideOfTheShortFrameLengthAreSealedAndCaught()
    {
        final FrameAuthenticator receiver = new FrameAuthenticator(KEY, 512);
        final int base = ping(0, PEER, INCARNATION, "");
        final int from = FrameAuthenticator.SHORT_FRAME_COVERED_MAX_BYTES - FrameAuthenticator.SEQUENCE_LENGTH_BYTES - base - 8;
        for (int payload = from; payload <= from + 16; payload++)
        {
            final int messages = ping(0, PEER, INCARNATION, "x".repeat(payload));
            sender.seal(buffer, 0, messages, payload);
            final int length = messages + FrameAuthenticator.SEAL_LENGTH_BYTES;
            assertThat(receiver.verify(buffer, 0, length)).as("payload %d", payload).isTrue();
            for (int bit = 0; bit < length * 8; bit++)
            {
                flip(bit);
                assertThat(receiver.verify(buffer, 0, length)).as("payload %d, bit %d flipped", payload, bit).isFalse();
                flip(bit);
            }
        }
    }

    @Test
    void aFrameLongerThanTheLongestIsNeitherSealedNorValid()
    {
        final FrameAuthenticator small = new FrameAuthenticator(KEY, 256);
        assertThatThrownBy(() -> small.seal(buffer, 0, 256 - FrameAuthenticator.SEAL_LENGTH_BYTES + 1, 1))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("a sealed frame holds 0 to 232 bytes of messages, not 233");
        assertThatThrownBy(() -> small.seal(buffer, 0, -1, 1)).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("a sealed frame holds 0 to 232 bytes of messages, not -1");
        sender.seal(buffer, 0, 300, 1);
        assertThat(sender.verify(buffer, 0, 300 + FrameAuthenticator.SEAL_LENGTH_BYTES)).isTrue();
        assertThat(small.verify(buffer, 0, 300 + FrameAuthenticator.SEAL_LENGTH_BYTES)).isFalse();
    }

    @Test
    void aSealedFrameIsDispatched()
    {
        adapter.onFragment(buffer, 0, sealedPing(0, PEER, INCARNATION, "hello", 1, KEY), null);
        assertThat(received).containsExactly("ping from 2 payload=hello");
        assertThat(incarnationChanges).containsExactly(INCARNATION);
    }

    @Test
    void aForgedHelloFromANewerIncarnationChangesNothing()
    {
        adapter.onFragment(buffer, 0, sealedPing(0, PEER, INCARNATION, "real", 1, KEY), null);

        // The attack: a Hello claiming a much later incarnation of core 2, without the key.
        final int unsealed = hello(0, PEER, INCARNATION * 1000);
        adapter.onFragment(buffer, 0, unsealed, null);
        buffer.putLong(unsealed, 99, FrameLayout.BYTE_ORDER);
        buffer.setMemory(unsealed + 8, FrameAuthenticator.TAG_LENGTH_BYTES, (byte)0);
        adapter.onFragment(buffer, 0, unsealed + FrameAuthenticator.SEAL_LENGTH_BYTES, null);
        final int otherKey = hello(0, PEER, INCARNATION * 1000);
        new FrameAuthenticator(OTHER_KEY, 1024).seal(buffer, 0, otherKey, 99);
        adapter.onFragment(buffer, 0, otherKey + FrameAuthenticator.SEAL_LENGTH_BYTES, null);

        // Without a seal it is too short to be a frame; with a zero or foreign-key seal it is a forgery.
        assertThat(metrics.rejectedCount(RejectReason.TRUNCATED)).isEqualTo(1);
        assertThat(metrics.rejectedCount(RejectReason.UNAUTHENTICATED)).isEqualTo(2);
        assertThat(incarnations.incarnation(PEER)).isEqualTo(INCARNATION);
        assertThat(incarnationChanges).containsExactly(INCARNATION);

        // The real core keeps getting through.
        adapter.onFragment(buffer, 0, sealedPing(0, PEER, INCARNATION, "still here", 2, KEY), null);
        assertThat(received).containsExactly("ping from 2 payload=real", "ping from 2 payload=still here");
    }

    @Test
    void aCapturedFrameSentAgainIsRefused()
    {
        final int length = sealedPing(0, PEER, INCARNATION, "once", 5, KEY);
        final byte[] captured = new byte[length];
        buffer.getBytes(0, captured);
        adapter.onFragment(buffer, 0, length, null);
        adapter.onFragment(new UnsafeBuffer(captured), 0, length, null);
        // An older capture too.
        adapter.onFragment(buffer, 0, sealedPing(0, PEER, INCARNATION, "older", 4, KEY), null);
        assertThat(metrics.rejectedCount(RejectReason.REPLAYED)).isEqualTo(2);
        assertThat(received).containsExactly("ping from 2 payload=once");

        // Gaps are fine (a frame that met back pressure burned its number); order is what counts.
        adapter.onFragment(buffer, 0, sealedPing(0, PEER, INCARNATION, "later", 9, KEY), null);
        assertThat(received).endsWith("ping from 2 payload=later");
    }

    @Test
    void aFrameSealedForAnotherCoreMovesNothingHere()
    {
        // Sequences count per destination: the sender's frames to core 3 are far ahead of those to this core.
        final int messages = ping(0, PEER, 3, INCARNATION, "for core 3");
        sender.seal(buffer, 0, messages, 1_000_000);
        adapter.onFragment(buffer, 0, messages + FrameAuthenticator.SEAL_LENGTH_BYTES, null);
        assertThat(metrics.rejectedCount(RejectReason.WRONG_DESTINATION)).isEqualTo(1);

        adapter.onFragment(buffer, 0, sealedPing(0, PEER, INCARNATION, "for this core", 5, KEY), null);
        assertThat(received).as("the sender's own frames here still pass").containsExactly("ping from 2 payload=for this core");
        assertThat(metrics.rejectedCount(RejectReason.REPLAYED)).isZero();
    }

    @Test
    void sequencesStartAgainWithANewIncarnationAndTheOldOneIsStale()
    {
        adapter.onFragment(buffer, 0, sealedPing(0, PEER, INCARNATION, "first life", 50, KEY), null);
        adapter.onFragment(buffer, 0, sealedPing(0, PEER, INCARNATION + 1, "second life", 1, KEY), null);
        adapter.onFragment(buffer, 0, sealedPing(0, PEER, INCARNATION, "first life again", 51, KEY), null);
        assertThat(received).containsExactly("ping from 2 payload=first life", "ping from 2 payload=second life");
        assertThat(metrics.rejectedCount(RejectReason.STALE_INCARNATION)).isEqualTo(1);
        assertThat(incarnations.incarnation(PEER)).isEqualTo(INCARNATION + 1);
    }

    @Test
    void sendersAreTrackedApart()
    {
        adapter.onFragment(buffer, 0, sealedPing(0, PEER, INCARNATION, "from 2", 10, KEY), null);
        adapter.onFragment(buffer, 0, sealedPing(0, 3, INCARNATION, "from 3", 1, KEY), null);
        assertThat(received).containsExactly("ping from 2 payload=from 2", "ping from 3 payload=from 3");
    }

    @Test
    void aSealedFrameFromAStrangerOrWithAMessageFromAnotherSenderIsNotBelieved()
    {
        adapter.onFragment(buffer, 0, sealedPing(0, 77, INCARNATION, "stranger", 1, KEY), null);
        assertThat(metrics.rejectedCount(RejectReason.UNKNOWN_SENDER)).isEqualTo(1);

        final int first = ping(0, PEER, INCARNATION, "one");
        final int second = ping(first, 3, INCARNATION, "claims to be 3");
        sender.seal(buffer, 0, first + second, 1);
        adapter.onFragment(buffer, 0, first + second + FrameAuthenticator.SEAL_LENGTH_BYTES, null);
        assertThat(received).containsExactly("ping from 2 payload=one");
        assertThat(metrics.rejectedCount(RejectReason.MALFORMED)).isEqualTo(1);
        assertThat(incarnations.incarnation(3)).isEqualTo(PeerIncarnations.UNKNOWN_INCARNATION);
    }

    @Test
    void aFrameTooShortForASealIsTruncated()
    {
        final int messages = ping(0, PEER, INCARNATION, "x");
        adapter.onFragment(buffer, 0, InboxAdapter.FRAME_LENGTH_MIN_BYTES + FrameAuthenticator.SEAL_LENGTH_BYTES - 1, null);
        assertThat(metrics.rejectedCount(RejectReason.TRUNCATED)).isEqualTo(1);
        assertThat(messages).isPositive();
        assertThat(received).isEmpty();
    }

    private void flip(final int bit)
    {
        buffer.putByte(bit / 8, (byte)(buffer.getByte(bit / 8) ^ (1 << (bit % 8))));
    }

    private int sealedPing(final int offset, final int source, final long incarnation, final String text, final long sequence,
        final byte[] key)
    {
        final int messages = ping(offset, source, incarnation, text);
        new FrameAuthenticator(key, 1024).seal(buffer, offset, messages, sequence);
        return messages + FrameAuthenticator.SEAL_LENGTH_BYTES;
    }

    private int ping(final int offset, final int source, final long incarnation, final String text)
    {
        return ping(offset, source, SELF, incarnation, text);
    }

    private int ping(final int offset, final int source, final int destination, final long incarnation, final String text)
    {
        final PingEncoder encoder = new PingEncoder().wrapAndApplyHeader(buffer, offset, new MessageHeaderEncoder());
        envelope(offset + MessageHeaderEncoder.ENCODED_LENGTH, source, destination, incarnation);
        final byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        encoder.timestampNs(1).putPayload(bytes, 0, bytes.length);
        return encoder.limit() - offset;
    }

    private int hello(final int offset, final int source, final long incarnation)
    {
        final HelloEncoder hello = new HelloEncoder().wrapAndApplyHeader(buffer, offset, new MessageHeaderEncoder());
        envelope(offset + MessageHeaderEncoder.ENCODED_LENGTH, source, SELF, incarnation);
        hello.schemaVersion(HelloEncoder.SCHEMA_VERSION).hostId(0).timestampNs(1);
        return hello.limit() - offset;
    }

    private void envelope(final int blockOffset, final int source, final int destination, final long incarnation)
    {
        new EnvelopeEncoder().wrap(buffer, blockOffset)
            .sourceCoreId(source).destinationCoreId(destination).sourceIncarnation(incarnation).correlationId(7);
    }
}
