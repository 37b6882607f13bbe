package io.multikernel.node.shootdown;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.multikernel.schema.MessageHeaderEncoder;
import io.multikernel.schema.ShootdownRequestEncoder;
import io.multikernel.transport.MessageDispatcher;
import io.multikernel.transport.MessageHandler;
import io.multikernel.transport.UrpcMetrics;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A ShootdownRequest whose forward entries are shorter on the wire than their fields is malformed:
 * the decoder would read each entry's core id from the bytes after it.
 */
class ShootdownAdapterTest
{
    @Test
    void forwardEntriesShorterThanTheirFieldsAreMalformedAndReachNoShootdown()
    {
        final MessageDispatcher dispatcher = new MessageDispatcher(new UrpcMetrics(new SimpleMeterRegistry()));
        // No shootdown behind the adapter: a request that got through would fail on it.
        new ShootdownAdapter(null).registerWith(dispatcher);
        final MessageHandler handler = dispatcher.handler(ShootdownRequestEncoder.TEMPLATE_ID);

        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        final ShootdownRequestEncoder encoder =
            new ShootdownRequestEncoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder());
        encoder.roundId(1).initiatorCoreId(0).domainId(0).firstPage(0).pageCount(0);
        final int groupAt = encoder.limit();
        encoder.forwardToCount(3).next().coreId(1).subtreeSize(0).next().coreId(2).subtreeSize(0).next().coreId(3)
            .subtreeSize(0);
        final int frameEnd = encoder.limit();
        final int blockOffset = MessageHeaderEncoder.ENCODED_LENGTH;

        // The group header says each entry is 0 bytes long.
        buffer.putShort(groupAt, (short)0, ByteOrder.LITTLE_ENDIAN);
        final int result = handler.onMessage(buffer, blockOffset, ShootdownRequestEncoder.BLOCK_LENGTH,
            ShootdownRequestEncoder.SCHEMA_VERSION, frameEnd);
        assertThat(result).as("a negative result is a rejection").isNegative();
    }
}
