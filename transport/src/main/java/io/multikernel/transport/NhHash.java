package io.multikernel.transport;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;

/**
 * NH, the universal hash of UMAC's first layer (Black, Halevi, Krawczyk, Krovetz and Rogaway, "UMAC:
 * fast and secure message authentication", CRYPTO 1999), on 64-bit words as VMAC's VHASH uses it. A
 * chunk of at most {@link #CHUNK_LENGTH_BYTES} bytes, zero-padded to a multiple of 16, is read as
 * little-endian 64-bit words m<sub>0</sub>, m<sub>1</sub>, ..., and hashed to
 * <pre>
 *   sum over i of (m[2i] + k[2i]) * (m[2i+1] + k[2i+1])
 * </pre>
 * with the additions modulo 2<sup>64</sup> and the products and sum modulo 2<sup>128</sup>. NH with
 * w-bit words is 2<sup>-w</sup>-almost-universal on inputs of equal length (the paper's theorem), so
 * two different chunks of the same length collide with probability at most 2<sup>-64</sup> over the
 * key. NH is not a MAC by itself: it is only safe behind a pseudo-random function that hides its
 * output, which is how {@link FrameAuthenticator} uses it.
 * <p>
 * It costs one 64-by-64-bit multiplication per sixteen bytes, several times less per byte than
 * SipHash's rounds (and half the work of UMAC's 32-bit NH run twice for the same bound).
 * <p>
 * Not thread safe: the sum of the last call is kept in two fields.
 */
final class NhHash
{
    /** Longest chunk hashed in one call; longer input is cut into chunks of this length. */
    static final int CHUNK_LENGTH_BYTES = 1024;
    /** Key words: one per 64-bit word of a whole chunk. */
    static final int KEY_WORDS = CHUNK_LENGTH_BYTES / Long.BYTES;

    private static final int PAIR_LENGTH_BYTES = 16;
    private static final long LOW_32_BITS = 0xFFFF_FFFFL;
    private static final boolean NATIVE_LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private final long[] key;
    private long low;
    private long high;

    /**
     * @param key {@link #KEY_WORDS} words, uniformly random and secret.
     */
    NhHash(final long[] key)
    {
        if (null == key || key.length != KEY_WORDS)
        {
            throw new IllegalArgumentException("an NH key is " + KEY_WORDS + " words, not " +
                (null == key ? "missing" : key.length));
        }
        this.key = key.clone();
    }

    /** @return the low 64 bits of the last chunk's sum. */
    long low()
    {
        return low;
    }

    /** @return the high 64 bits of the last chunk's sum. */
    long high()
    {
        return high;
    }

    /**
     * Hash {@code length} bytes at {@code offset}; read the sum with {@link #low()} and {@link #high()}.
     *
     * @param length at most {@link #CHUNK_LENGTH_BYTES}.
     */
    void hash(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < 0 || length > CHUNK_LENGTH_BYTES)
        {
            throw new IllegalArgumentException("an NH chunk is 0 to " + CHUNK_LENGTH_BYTES + " bytes, not " + length);
        }
        buffer.boundsCheck(offset, length);
        // Checked once above, so the loop reads the words straight from memory: Agrona's checked
        // getLong costs more than the arithmetic here.
        final byte[] array = buffer.byteArray();
        final long address = buffer.addressOffset() + offset;
        final long[] k = key;
        // The low halves of the products are summed as two 32-bit columns, which cannot overflow in
        // a chunk's 64 pairs, and carried into the high word once at the end: cheaper than a carry
        // per pair.
        long lowColumn = 0;
        long highColumn = 0;
        long sumHigh = 0;
        final int wholePairs = length / PAIR_LENGTH_BYTES;
        for (int pair = 0; pair < wholePairs; pair++)
        {
            final long at = address + (long)pair * PAIR_LENGTH_BYTES;
            final long a = littleEndian(UnsafeApi.getLong(array, at)) + k[2 * pair];
            final long b = littleEndian(UnsafeApi.getLong(array, at + Long.BYTES)) + k[2 * pair + 1];
            final long productLow = a * b;
            lowColumn += productLow & LOW_32_BITS;
            highColumn += productLow >>> 32;
            sumHigh += unsignedMultiplyHigh(a, b);
        }
        final int tailStart = offset + wholePairs * PAIR_LENGTH_BYTES;
        final int tail = length - wholePairs * PAIR_LENGTH_BYTES;
        if (tail > 0)
        {
            final long wordA;
            final long wordB;
            if (tailStart + PAIR_LENGTH_BYTES <= buffer.capacity())
            {
                // The buffer goes on past the input (a frame's tag follows what it covers): read whole
                // words and keep only the input's bytes.
                final long at = address + (long)wholePairs * PAIR_LENGTH_BYTES;
                wordA = littleEndian(UnsafeApi.getLong(array, at)) & lowBytesMask(tail);
                wordB = littleEndian(UnsafeApi.getLong(array, at + Long.BYTES)) & lowBytesMask(tail - Long.BYTES);
            }
            else
            {
                wordA = partialWord(buffer, tailStart, tail);
                wordB = partialWord(buffer, tailStart + Long.BYTES, tail - Long.BYTES);
            }
            final long a = wordA + k[2 * wholePairs];
            final long b = wordB + k[2 * wholePairs + 1];
            final long productLow = a * b;
            lowColumn += productLow & LOW_32_BITS;
            highColumn += productLow >>> 32;
            sumHigh += unsignedMultiplyHigh(a, b);
        }
        final long middle = highColumn + (lowColumn >>> 32);
        low = (middle << 32) | (lowColumn & LOW_32_BITS);
        high = sumHigh + (middle >>> 32);
    }

    /**
     * @return a mask of the low {@code bytes} bytes of a little-endian word: none for 0 or fewer, all for 8 or more.
     */
    private static long lowBytesMask(final int bytes)
    {
        return bytes >= Long.BYTES ? -1L : bytes <= 0 ? 0L : (1L << (8 * bytes)) - 1;
    }

    private static long littleEndian(final long nativeWord)
    {
        return NATIVE_LITTLE_ENDIAN ? nativeWord : Long.reverseBytes(nativeWord);
    }

    /**
     * @return the high 64 bits of the unsigned 128-bit product of a and b: Java 17 has only the signed
     *         one, which is short by b when a is negative and by a when b is negative.
     */
    private static long unsignedMultiplyHigh(final long a, final long b)
    {
        return Math.multiplyHigh(a, b) + ((a >> 63) & b) + ((b >> 63) & a);
    }

    /**
     * @param available bytes of the word that are in the input (at most 8 used); the rest are zero.
     */
    private static long partialWord(final DirectBuffer buffer, final int index, final int available)
    {
        if (available >= 8)
        {
            return buffer.getLong(index, ByteOrder.LITTLE_ENDIAN);
        }
        long word = 0;
        for (int b = 0; b < available; b++)
        {
            word |= (buffer.getByte(index + b) & 0xffL) << (8 * b);
        }
        return word;
    }
}
