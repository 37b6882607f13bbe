package io.multikernel.transport;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * NH on 64-bit words against a definition written with arbitrary-precision integers, on heap and
 * direct buffers, every chunk length and alignment.
 */
class NhHashTest
{
    private static final long SEED = 0x4e48_2024L;
    private static final int RANDOM_INPUTS = 20_000;
    private static final BigInteger TWO_TO_64 = BigInteger.ONE.shiftLeft(64);
    private static final BigInteger TWO_TO_128 = BigInteger.ONE.shiftLeft(128);

    @Test
    void everyLengthAtEveryAlignmentAgreesWithTheDefinition()
    {
        final SplittableRandom random = new SplittableRandom(SEED);
        final MutableDirectBuffer heap = new UnsafeBuffer(new byte[NhHash.CHUNK_LENGTH_BYTES + 16]);
        final MutableDirectBuffer direct = new UnsafeBuffer(ByteBuffer.allocateDirect(NhHash.CHUNK_LENGTH_BYTES + 16));
        for (int n = 0; n < RANDOM_INPUTS; n++)
        {
            final long[] key = new long[NhHash.KEY_WORDS];
            for (int i = 0; i < key.length; i++)
            {
                // Now and then all ones or a top bit set, where the unsigned corrections and carries matter.
                key[i] = random.nextInt(8) == 0 ? -1L - random.nextInt(3) : random.nextLong();
            }
            final int length = n <= NhHash.CHUNK_LENGTH_BYTES ? n : random.nextInt(NhHash.CHUNK_LENGTH_BYTES + 1);
            final int offset = random.nextInt(16);
            final byte[] message = new byte[length];
            random.nextBytes(message);
            if (random.nextInt(4) == 0)
            {
                java.util.Arrays.fill(message, (byte)0xff);
            }
            final MutableDirectBuffer buffer = (n & 1) == 0 ? heap : direct;
            buffer.putBytes(offset, message);

            final NhHash nh = new NhHash(key);
            nh.hash(buffer, offset, length);
            final BigInteger expected = definition(key, message);
            assertThat(unsigned128(nh.high(), nh.low()))
                .as("seed %d, input %d: %d bytes at offset %d", SEED, n, length, offset).isEqualTo(expected);
        }
    }

    @Test
    void theBytesAfterTheChunkDoNotCount()
    {
        final SplittableRandom random = new SplittableRandom(SEED + 1);
        final long[] key = new long[NhHash.KEY_WORDS];
        for (int i = 0; i < key.length; i++)
        {
            key[i] = random.nextLong();
        }
        final NhHash nh = new NhHash(key);
        for (int length = 0; length <= 64; length++)
        {
            final byte[] message = new byte[length];
            random.nextBytes(message);
            // Room after the chunk, zeros then junk, and none: the three must agree.
            final UnsafeBuffer roomy = new UnsafeBuffer(new byte[length + 32]);
            roomy.putBytes(0, message);
            nh.hash(roomy, 0, length);
            final long low = nh.low();
            final long high = nh.high();
            for (int i = length; i < roomy.capacity(); i++)
            {
                roomy.putByte(i, (byte)random.nextInt());
            }
            nh.hash(roomy, 0, length);
            assertThat(new long[] {nh.low(), nh.high()}).as("%d bytes, junk after", length).containsExactly(low, high);
            final UnsafeBuffer exact = new UnsafeBuffer(message);
            nh.hash(exact, 0, length);
            assertThat(new long[] {nh.low(), nh.high()}).as("%d bytes, none after", length).containsExactly(low, high);
        }
    }

    @Test
    void theSameChunkUnderTheSameKeyGivesTheSameSumAndAnotherKeyAnother()
    {
        final long[] key = new long[NhHash.KEY_WORDS];
        final SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < key.length; i++)
        {
            key[i] = random.nextLong();
        }
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[100]);
        buffer.putStringWithoutLengthAscii(0, "a chunk of a frame");
        final NhHash nh = new NhHash(key);
        nh.hash(buffer, 0, 100);
        final long low = nh.low();
        final long high = nh.high();
        nh.hash(buffer, 0, 100);
        assertThat(nh.low()).isEqualTo(low);
        assertThat(nh.high()).isEqualTo(high);
        key[0]++;
        final NhHash other = new NhHash(key);
        other.hash(buffer, 0, 100);
        assertThat(new long[] {other.low(), other.high()}).isNotEqualTo(new long[] {low, high});
    }

    @Test
    void aKeyOfAnotherLengthAChunkTooLongAndOneOutsideTheBufferAreRefused()
    {
        assertThatThrownBy(() -> new NhHash(new long[NhHash.KEY_WORDS - 1])).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("an NH key is 128 words, not 127");
        assertThatThrownBy(() -> new NhHash(null)).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("an NH key is 128 words, not missing");
        final NhHash nh = new NhHash(new long[NhHash.KEY_WORDS]);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[2 * NhHash.CHUNK_LENGTH_BYTES]);
        assertThatThrownBy(() -> nh.hash(buffer, 0, NhHash.CHUNK_LENGTH_BYTES + 1))
            .isInstanceOf(IllegalArgumentException.class).hasMessage("an NH chunk is 0 to 1024 bytes, not 1025");
        assertThatThrownBy(() -> nh.hash(buffer, 0, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> nh.hash(buffer, buffer.capacity() - 100, 101)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> nh.hash(buffer, -1, 10)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    /**
     * The sum over pairs of ((m[2i] + k[2i]) mod 2^64) * ((m[2i+1] + k[2i+1]) mod 2^64), mod 2^128, the
     * message zero-padded to a multiple of 16 bytes and read as little-endian 64-bit words.
     */
    private static BigInteger definition(final long[] key, final byte[] message)
    {
        final int words = (message.length + 15) / 16 * 2;
        BigInteger sum = BigInteger.ZERO;
        for (int i = 0; i < words; i += 2)
        {
            final BigInteger a = word(message, i).add(unsigned64(key[i])).mod(TWO_TO_64);
            final BigInteger b = word(message, i + 1).add(unsigned64(key[i + 1])).mod(TWO_TO_64);
            sum = sum.add(a.multiply(b)).mod(TWO_TO_128);
        }
        return sum;
    }

    private static BigInteger word(final byte[] message, final int index)
    {
        BigInteger value = BigInteger.ZERO;
        for (int b = 7; b >= 0; b--)
        {
            final int at = index * 8 + b;
            value = value.shiftLeft(8).or(BigInteger.valueOf(at < message.length ? message[at] & 0xff : 0));
        }
        return value;
    }

    private static BigInteger unsigned64(final long value)
    {
        return new BigInteger(Long.toUnsignedString(value));
    }

    private static BigInteger unsigned128(final long high, final long low)
    {
        return unsigned64(high).shiftLeft(64).or(unsigned64(low));
    }
}
