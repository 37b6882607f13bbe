package io.multikernel.transport;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;

/**
 * SipHash-2-4 with a 128-bit output (Aumasson and Bernstein, "SipHash: a fast short-input PRF"),
 * computed straight from a {@link DirectBuffer}: eight bytes at a time as little-endian longs, with no
 * copy into a byte array and no allocation. The 128-bit variant differs from the 64-bit one in two
 * constants (0xee into v1 at the start and into v2 at finalisation) and in a second finalisation
 * (0xdd into v1) that gives the upper eight bytes. {@code SipHash128Test} checks it against the
 * reference vectors and against an independent implementation on random inputs.
 * <p>
 * Not thread safe: the tag of the last call is kept in two fields.
 */
final class SipHash128
{
    /** Bytes of the key. */
    static final int KEY_LENGTH_BYTES = 16;
    /** Bytes of the tag. */
    static final int TAG_LENGTH_BYTES = 16;

    private static final long INIT_V0 = 0x736f6d6570736575L;
    private static final long INIT_V1 = 0x646f72616e646f6dL;
    private static final long INIT_V2 = 0x6c7967656e657261L;
    private static final long INIT_V3 = 0x7465646279746573L;
    private static final long OUTPUT_128_START = 0xeeL;
    private static final long OUTPUT_128_SECOND_HALF = 0xddL;
    /** SipRounds per message block (the "2" of SipHash-2-4). */
    private static final int COMPRESSION_ROUNDS = 2;
    /** SipRounds per half of the finalisation (the "4"). */
    private static final int FINALISATION_ROUNDS = 4;

    private final long k0;
    private final long k1;
    private long tagLow;
    private long tagHigh;

    /**
     * @param key {@link #KEY_LENGTH_BYTES} bytes.
     */
    SipHash128(final byte[] key)
    {
        if (null == key || key.length != KEY_LENGTH_BYTES)
        {
            throw new IllegalArgumentException("a SipHash key is " + KEY_LENGTH_BYTES + " bytes, not " +
                (null == key ? "missing" : key.length));
        }
        k0 = littleEndianLong(key, 0);
        k1 = littleEndianLong(key, 8);
    }

    /** @return bytes 0..7 of the last tag, as a little-endian long. */
    long tagLow()
    {
        return tagLow;
    }

    /** @return bytes 8..15 of the last tag, as a little-endian long. */
    long tagHigh()
    {
        return tagHigh;
    }

    /**
     * Computes the tag of {@code length} bytes at {@code offset}; read it with {@link #tagLow()} and
     * {@link #tagHigh()}.
     */
    void compute(final DirectBuffer buffer, final int offset, final int length)
    {
        long v0 = k0 ^ INIT_V0;
        long v1 = k1 ^ INIT_V1 ^ OUTPUT_128_START;
        long v2 = k0 ^ INIT_V2;
        long v3 = k1 ^ INIT_V3;

        // Every whole eight-byte word, then the last block: the bytes left over and the length's low byte on top.
        final int wholeWordsEnd = offset + (length & ~7);
        long last = ((long)length) << 56;
        for (int i = 0, tail = length & 7; i < tail; i++)
        {
            last |= (buffer.getByte(wholeWordsEnd + i) & 0xffL) << (8 * i);
        }
        for (int i = offset; i <= wholeWordsEnd; i += 8)
        {
            final long m = i < wholeWordsEnd ? buffer.getLong(i, ByteOrder.LITTLE_ENDIAN) : last;
            v3 ^= m;
            for (int round = 0; round < COMPRESSION_ROUNDS; round++)
            {
                v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
                v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
                v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
                v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
            }
            v0 ^= m;
        }

        // Finalisation, twice: the first gives the tag's low eight bytes, the second its high eight.
        for (int half = 0; half < 2; half++)
        {
            if (0 == half)
            {
                v2 ^= OUTPUT_128_START;
            }
            else
            {
                v1 ^= OUTPUT_128_SECOND_HALF;
            }
            for (int round = 0; round < FINALISATION_ROUNDS; round++)
            {
                v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
                v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
                v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
                v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
            }
            if (0 == half)
            {
                tagLow = v0 ^ v1 ^ v2 ^ v3;
            }
            else
            {
                tagHigh = v0 ^ v1 ^ v2 ^ v3;
            }
        }
    }

    private static long littleEndianLong(final byte[] bytes, final int offset)
    {
        long value = 0;
        for (int i = 7; i >= 0; i--)
        {
            value = (value << 8) | (bytes[offset + i] & 0xffL);
        }
        return value;
    }
}
