package io.multikernel.transport;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

import org.agrona.concurrent.UnsafeBuffer;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SipHash128Test
{
    private static final long SEED = 0x5195_1285L;
    private static final int RANDOM_INPUTS = 20_000;
    private static final int LONGEST_INPUT_BYTES = 300;

    /** The reference key, 00 01 .. 0f. */
    private static byte[] referenceKey()
    {
        final byte[] key = new byte[16];
        for (int i = 0; i < key.length; i++)
        {
            key[i] = (byte)i;
        }
        return key;
    }

    @Test
    void theEmptyMessageUnderTheReferenceKeyGivesTheReferenceTag()
    {
        // vectors_sip128[0] of the SipHash reference implementation.
        final byte[] expected = {(byte)0xa3, (byte)0x81, 0x7f, 0x04, (byte)0xba, 0x25, (byte)0xa8, (byte)0xe6,
            0x6d, (byte)0xf6, 0x72, 0x14, (byte)0xc7, 0x55, 0x02, (byte)0x93};
        final SipHash128 mac = new SipHash128(referenceKey());
        mac.compute(new UnsafeBuffer(new byte[8]), 3, 0);
        assertThat(tagBytes(mac)).containsExactly(expected);
    }

    @Test
    void everyLengthAtEveryAlignmentAgreesWithAnIndependentImplementation()
    {
        final SplittableRandom random = new SplittableRandom(SEED);
        final UnsafeBuffer direct = new UnsafeBuffer(ByteBuffer.allocateDirect(LONGEST_INPUT_BYTES + 16));
        for (int n = 0; n < RANDOM_INPUTS; n++)
        {
            final byte[] key = new byte[16];
            random.nextBytes(key);
            final int length = n < LONGEST_INPUT_BYTES ? n : random.nextInt(LONGEST_INPUT_BYTES + 1);
            final int offset = random.nextInt(16);
            final byte[] message = new byte[length];
            random.nextBytes(message);
            direct.putBytes(offset, message);

            final SipHash128 ours = new SipHash128(key);
            ours.compute(direct, offset, length);
            assertThat(tagBytes(ours)).as("seed %d, input %d: %d bytes at offset %d", SEED, n, length, offset)
                .containsExactly(reference(key, message));
        }
    }

    @Test
    void aKeyOfAnotherLengthIsRefused()
    {
        assertThatThrownBy(() -> new SipHash128(new byte[15])).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("a SipHash key is 16 bytes, not 15");
        assertThatThrownBy(() -> new SipHash128(null)).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("a SipHash key is 16 bytes, not missing");
    }

    private static byte[] tagBytes(final SipHash128 mac)
    {
        return ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(mac.tagLow()).putLong(mac.tagHigh()).array();
    }

    private static byte[] reference(final byte[] key, final byte[] message)
    {
        final org.bouncycastle.crypto.macs.SipHash128 mac = new org.bouncycastle.crypto.macs.SipHash128();
        mac.init(new KeyParameter(key));
        mac.update(message, 0, message.length);
        final byte[] tag = new byte[16];
        mac.doFinal(tag, 0);
        return tag;
    }
}
