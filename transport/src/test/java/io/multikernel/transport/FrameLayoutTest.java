package io.multikernel.transport;

import io.multikernel.schema.EnvelopeDecoder;
import io.multikernel.schema.EnvelopeEncoder;
import io.multikernel.schema.HeartbeatDecoder;
import io.multikernel.schema.HeartbeatEncoder;
import io.multikernel.schema.MessageHeaderDecoder;
import io.multikernel.schema.MessageHeaderEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The word-wide header and envelope agree with the generated codecs in both directions, including
 * values that use the top bit of each field.
 */
class FrameLayoutTest
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(64));

    @Test
    void wordsWrittenByTheLayoutDecodeWithTheGeneratedDecoders()
    {
        final int blockOffset = FrameLayout.HEADER_LENGTH;
        buffer.putLong(0, FrameLayout.header(0xFFFE, 0x8001), FrameLayout.BYTE_ORDER);
        buffer.putLong(blockOffset + FrameLayout.CORES_OFFSET, FrameLayout.cores(-7, 0x7FFF_FFFF), FrameLayout.BYTE_ORDER);
        buffer.putLong(blockOffset + FrameLayout.INCARNATION_OFFSET, Long.MIN_VALUE + 3, FrameLayout.BYTE_ORDER);
        buffer.putLong(blockOffset + FrameLayout.CORRELATION_OFFSET, -2L, FrameLayout.BYTE_ORDER);

        final MessageHeaderDecoder header = new MessageHeaderDecoder().wrap(buffer, 0);
        assertThat(header.blockLength()).isEqualTo(0xFFFE);
        assertThat(header.templateId()).isEqualTo(0x8001);
        assertThat(header.schemaId()).isEqualTo(MessageHeaderEncoder.SCHEMA_ID);
        assertThat(header.version()).isEqualTo(MessageHeaderEncoder.SCHEMA_VERSION);
        final EnvelopeDecoder envelope = new EnvelopeDecoder().wrap(buffer, blockOffset);
        assertThat(envelope.sourceCoreId()).isEqualTo(-7);
        assertThat(envelope.destinationCoreId()).isEqualTo(0x7FFF_FFFF);
        assertThat(envelope.sourceIncarnation()).isEqualTo(Long.MIN_VALUE + 3);
        assertThat(envelope.correlationId()).isEqualTo(-2L);
    }

    @Test
    void wordsReadByTheLayoutMatchWhatTheGeneratedEncodersWrote()
    {
        final HeartbeatEncoder heartbeat = new HeartbeatEncoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder());
        heartbeat.envelope().sourceCoreId(Integer.MIN_VALUE).destinationCoreId(-1).sourceIncarnation(5).correlationId(6);
        final long header = buffer.getLong(0, FrameLayout.BYTE_ORDER);
        assertThat(FrameLayout.blockLength(header)).isEqualTo(HeartbeatEncoder.BLOCK_LENGTH);
        assertThat(FrameLayout.templateId(header)).isEqualTo(HeartbeatDecoder.TEMPLATE_ID);
        assertThat(FrameLayout.schemaId(header)).isEqualTo(MessageHeaderDecoder.SCHEMA_ID);
        assertThat(FrameLayout.version(header)).isEqualTo(MessageHeaderDecoder.SCHEMA_VERSION);
        final long cores = buffer.getLong(FrameLayout.HEADER_LENGTH + FrameLayout.CORES_OFFSET, FrameLayout.BYTE_ORDER);
        assertThat(FrameLayout.sourceCoreId(cores)).isEqualTo(Integer.MIN_VALUE);
        assertThat(FrameLayout.destinationCoreId(cores)).isEqualTo(-1);
        assertThat(FrameLayout.header(HeartbeatEncoder.BLOCK_LENGTH, HeartbeatEncoder.TEMPLATE_ID)).isEqualTo(header);
        assertThat(EnvelopeEncoder.ENCODED_LENGTH).isEqualTo(FrameLayout.CORRELATION_OFFSET + Long.BYTES);
    }
}
