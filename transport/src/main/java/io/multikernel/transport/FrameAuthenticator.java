package io.multikernel.transport;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Seals and verifies URPC frames with the cluster's key. Every frame (one message, or a sender's
 * batch of messages) ends in a seal: the sender's sequence number for that destination and a
 * 128-bit tag over everything before the tag, the messages' headers, envelopes and bodies and the
 * sequence. The envelope inside carries the sender's core id and incarnation, so the tag covers
 * them too.
 *
 * <pre>
 *   | message | message | ... | sequence i64 | tag (16 bytes) |
 *                               \______ seal, 24 bytes ______/
 * </pre>
 *
 * <b>The tag: NH, then SipHash-2-4.</b> The covered bytes are cut into chunks of
 * {@link NhHash#CHUNK_LENGTH_BYTES} and each chunk is hashed with NH ({@link NhHash}, UMAC's universal
 * hash on 64-bit words, a 128-bit sum). The tag is SipHash-2-4 with a 128-bit output
 * ({@link SipHash128}) over the frame's nonce and those sums:
 * <pre>
 *   tag = SipHash(K_prf; covered length, sequence, first envelope's core ids, its incarnation,
 *                 NH(K_nh; chunk 1), NH(K_nh; chunk 2), ...)
 * </pre>
 * The keys come from the cluster's key ({@link #deriveKeys}). This is UMAC's hash behind a
 * pseudo-random function, where UMAC xors a pad: to forge, an attacker must either guess SipHash's
 * output on an input never tagged (2<sup>-128</sup>), or find a frame of the same length, nonce and
 * sums as one the sender tagged; with the sequence moving forward per destination and incarnation,
 * there is only one such frame, and NH makes a collision with it a 2<sup>-64</sup> chance over the
 * key whatever the attacker sees of the tags. Were a nonce ever reused (a clock stepping back to an
 * old incarnation), SipHash still hides the sums, so nothing about the key leaks; the bound only
 * weakens with the number of frames sharing the nonce.
 * <p>
 * <b>Short frames</b> (covering at most {@link #SHORT_FRAME_COVERED_MAX_BYTES}: one small message, the
 * round-trip path) are tagged by SipHash over their bytes, as before NH, under a third derived key.
 * Below that length SipHash alone is cheaper than NH and the call over nonce and sums. Which of the
 * two applies follows from the frame's length, which sender and receiver both see, and each is a
 * MAC under its own key, so a tag from one is no help in forging the other.
 * <p>
 * <b>Why this and not SipHash alone</b> (the first choice): SipHash costs about 0.6 ns per byte on
 * this project's machines, about 60 ns for a 64-byte-payload message in a batch, more than raw Aeron
 * spends on the whole message. NH costs one 64-bit multiplication per sixteen bytes, so a batch pays
 * a few nanoseconds per message, and the SipHash call over the nonce and sums is paid once per frame.
 * The JDK's HMAC-SHA256 takes about 450 ns for a 100-byte frame (300 ns of it fixed cost per call),
 * and its AES-GMAC and Poly1305 need a cipher object initialised per frame.
 * <p>
 * Not thread safe: one instance per publisher and one per inbox.
 */
public final class FrameAuthenticator
{
    /** Bytes of the tag. */
    public static final int TAG_LENGTH_BYTES = SipHash128.TAG_LENGTH_BYTES;
    /** Bytes of the sequence number before the tag. */
    public static final int SEQUENCE_LENGTH_BYTES = 8;
    /** Bytes every sealed frame carries after its messages. */
    public static final int SEAL_LENGTH_BYTES = SEQUENCE_LENGTH_BYTES + TAG_LENGTH_BYTES;
    /** Bytes of the key. */
    public static final int KEY_LENGTH_BYTES = SipHash128.KEY_LENGTH_BYTES;
    /**
     * Where the first envelope's core ids and incarnation sit in a frame (after the 8-byte header);
     * every frame longer than {@link #SHORT_FRAME_COVERED_MAX_BYTES} holds them.
     */
    private static final int NONCE_OFFSET = 8;
    /** Words before the NH sums in SipHash's input: length, sequence, core ids, incarnation. */
    private static final int PRF_HEADER_WORDS = 4;
    /** Key-derivation inputs: a purpose, then a counter. */
    private static final long DERIVE_PRF_KEY = 1;
    private static final long DERIVE_NH_KEY = 2;
    private static final long DERIVE_SHORT_FRAME_KEY = 3;
    /**
     * Frames covering at most this many bytes (messages and sequence) are tagged by SipHash over their
     * bytes, under a key of their own: up to about this length SipHash alone is cheaper than NH plus
     * SipHash over the nonce and sums (a one-message frame, the round-trip path).
     */
    static final int SHORT_FRAME_COVERED_MAX_BYTES = 128;

    private final SipHash128 prf;
    private final SipHash128 shortFramePrf;
    private final NhHash nh;
    private final int frameLengthMaxBytes;
    /** SipHash's input: the nonce words, then two NH sums per chunk. */
    private final UnsafeBuffer prfInput;

    /**
     * @param key                 {@link #KEY_LENGTH_BYTES} bytes shared by every core of the cluster.
     * @param frameLengthMaxBytes longest frame sealed or verified, seal included.
     */
    public FrameAuthenticator(final byte[] key, final int frameLengthMaxBytes)
    {
        if (null == key || key.length != KEY_LENGTH_BYTES)
        {
            throw new IllegalArgumentException("a URPC frame key is " + KEY_LENGTH_BYTES + " bytes, not " +
                (null == key ? "missing" : key.length));
        }
        this.frameLengthMaxBytes = Math.max(frameLengthMaxBytes, SEAL_LENGTH_BYTES);
        final SipHash128 kdf = new SipHash128(key);
        final UnsafeBuffer kdfInput = new UnsafeBuffer(new byte[2 * Long.BYTES]);
        this.prf = new SipHash128(deriveKeys(kdf, kdfInput, DERIVE_PRF_KEY, KEY_LENGTH_BYTES));
        this.shortFramePrf = new SipHash128(deriveKeys(kdf, kdfInput, DERIVE_SHORT_FRAME_KEY, KEY_LENGTH_BYTES));
        final UnsafeBuffer nhKeyBytes =
            new UnsafeBuffer(deriveKeys(kdf, kdfInput, DERIVE_NH_KEY, NhHash.KEY_WORDS * Long.BYTES));
        final long[] nhKey = new long[NhHash.KEY_WORDS];
        for (int i = 0; i < nhKey.length; i++)
        {
            nhKey[i] = nhKeyBytes.getLong(i * Long.BYTES, ByteOrder.LITTLE_ENDIAN);
        }
        this.nh = new NhHash(nhKey);
        final int chunksMax = (this.frameLengthMaxBytes + NhHash.CHUNK_LENGTH_BYTES - 1) / NhHash.CHUNK_LENGTH_BYTES;
        this.prfInput = new UnsafeBuffer(ByteBuffer.allocateDirect((PRF_HEADER_WORDS + 2 * chunksMax) * Long.BYTES));
    }

    /**
     * Keys for one purpose from the cluster's key: SipHash of (purpose, counter) for counters 0, 1, ...,
     * sixteen bytes each, so every purpose gets keys independent of every other's.
     *
     * @param length bytes, a multiple of sixteen.
     */
    private static byte[] deriveKeys(final SipHash128 kdf, final UnsafeBuffer input, final long purpose, final int length)
    {
        final byte[] keys = new byte[length];
        final UnsafeBuffer out = new UnsafeBuffer(keys);
        for (int at = 0, counter = 0; at < length; at += TAG_LENGTH_BYTES, counter++)
        {
            input.putLong(0, purpose, ByteOrder.LITTLE_ENDIAN);
            input.putLong(Long.BYTES, counter, ByteOrder.LITTLE_ENDIAN);
            kdf.compute(input, 0, 2 * Long.BYTES);
            out.putLong(at, kdf.tagLow(), ByteOrder.LITTLE_ENDIAN);
            out.putLong(at + Long.BYTES, kdf.tagHigh(), ByteOrder.LITTLE_ENDIAN);
        }
        return keys;
    }

    /**
     * The tag of the {@code covered} bytes at {@code offset} (messages and sequence).
     *
     * @return the function that computed it; read the tag with {@link SipHash128#tagLow()} and
     *         {@link SipHash128#tagHigh()}.
     */
    private SipHash128 tag(final DirectBuffer buffer, final int offset, final int covered)
    {
        if (covered <= SHORT_FRAME_COVERED_MAX_BYTES)
        {
            shortFramePrf.compute(buffer, offset, covered);
            return shortFramePrf;
        }
        final UnsafeBuffer input = prfInput;
        input.putLong(0, covered, ByteOrder.LITTLE_ENDIAN);
        input.putLong(8, buffer.getLong(offset + covered - SEQUENCE_LENGTH_BYTES, ByteOrder.LITTLE_ENDIAN),
            ByteOrder.LITTLE_ENDIAN);
        input.putLong(16, buffer.getLong(offset + NONCE_OFFSET, ByteOrder.LITTLE_ENDIAN), ByteOrder.LITTLE_ENDIAN);
        input.putLong(24, buffer.getLong(offset + NONCE_OFFSET + Long.BYTES, ByteOrder.LITTLE_ENDIAN),
            ByteOrder.LITTLE_ENDIAN);
        int at = PRF_HEADER_WORDS * Long.BYTES;
        final int end = offset + covered;
        for (int chunk = offset; chunk < end; chunk += NhHash.CHUNK_LENGTH_BYTES)
        {
            nh.hash(buffer, chunk, Math.min(NhHash.CHUNK_LENGTH_BYTES, end - chunk));
            input.putLong(at, nh.low(), ByteOrder.LITTLE_ENDIAN);
            input.putLong(at + 8, nh.high(), ByteOrder.LITTLE_ENDIAN);
            at += 2 * Long.BYTES;
        }
        prf.compute(input, 0, at);
        return prf;
    }

    /**
     * Write the seal after the messages of a frame.
     *
     * @param buffer         holding the frame, with {@link #SEAL_LENGTH_BYTES} free after the messages.
     * @param offset         of the frame's first byte.
     * @param messagesLength bytes of messages.
     * @param sequence       the sender's next sequence number for this destination.
     */
    public void seal(final MutableDirectBuffer buffer, final int offset, final int messagesLength, final long sequence)
    {
        if (messagesLength < 0 || messagesLength + SEAL_LENGTH_BYTES > frameLengthMaxBytes)
        {
            throw new IllegalArgumentException("a sealed frame holds 0 to " + (frameLengthMaxBytes - SEAL_LENGTH_BYTES) +
                " bytes of messages, not " + messagesLength);
        }
        buffer.putLong(offset + messagesLength, sequence, FrameLayout.BYTE_ORDER);
        final int covered = messagesLength + SEQUENCE_LENGTH_BYTES;
        final SipHash128 tag = tag(buffer, offset, covered);
        buffer.putLong(offset + covered, tag.tagLow(), ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(offset + covered + SEQUENCE_LENGTH_BYTES, tag.tagHigh(), ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * @param buffer holding a received frame.
     * @param offset of the frame.
     * @param length of the frame, seal included; one shorter than the seal or longer than the longest
     *               frame is never valid.
     * @return true when the tag is the one the cluster's key gives for the frame; the comparison takes
     *         the same time wherever the tags differ.
     */
    public boolean verify(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < SEAL_LENGTH_BYTES || length > frameLengthMaxBytes)
        {
            return false;
        }
        final int covered = length - TAG_LENGTH_BYTES;
        final SipHash128 tag = tag(buffer, offset, covered);
        final long difference = (tag.tagLow() ^ buffer.getLong(offset + covered, ByteOrder.LITTLE_ENDIAN)) |
            (tag.tagHigh() ^ buffer.getLong(offset + covered + SEQUENCE_LENGTH_BYTES, ByteOrder.LITTLE_ENDIAN));
        return 0 == difference;
    }

    /**
     * @param buffer holding a sealed frame.
     * @param offset of the frame.
     * @param length of the frame, seal included.
     * @return the sender's sequence number from the seal.
     */
    public static long sequence(final DirectBuffer buffer, final int offset, final int length)
    {
        return buffer.getLong(offset + length - SEAL_LENGTH_BYTES, FrameLayout.BYTE_ORDER);
    }
}
