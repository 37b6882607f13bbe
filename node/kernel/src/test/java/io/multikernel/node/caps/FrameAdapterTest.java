package io.multikernel.node.caps;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.multikernel.schema.BooleanType;
import io.multikernel.schema.FrameRequestEncoder;
import io.multikernel.schema.MessageHeaderEncoder;
import io.multikernel.transport.MessageDispatcher;
import io.multikernel.transport.MessageHandler;
import io.multikernel.transport.UrpcMetrics;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The inbound side of frame access: what a peer's FrameRequest does to the core that decodes it.
 */
class FrameAdapterTest
{
    @TempDir
    Path directory;

    private InProcessCapabilityCluster cluster;

    @AfterEach
    void close()
    {
        if (null != cluster)
        {
            cluster.close();
        }
    }

    /**
     * Found by InboxFuzzTest: the typed accessor of the {@code write} flag throws on a byte that is
     * neither TRUE nor FALSE, and a handler that throws stops the core.
     */
    @Test
    void aWriteFlagThatIsNeitherTrueNorFalseIsAReadAndDoesNotStopTheCore()
    {
        cluster = new InProcessCapabilityCluster(2, 2, directory);
        final MessageDispatcher dispatcher = new MessageDispatcher(new UrpcMetrics(new SimpleMeterRegistry()));
        new FrameAdapter(cluster.frames.get(0)).registerWith(dispatcher);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        final FrameRequestEncoder request = new FrameRequestEncoder()
            .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder());
        request.envelope().sourceCoreId(1).destinationCoreId(0).sourceIncarnation(1).correlationId(5);
        request.capId(12345).frameOffset(0).readLength(3).write(BooleanType.FALSE).holderCoreId(1)
            .putData(new byte[0], 0, 0);
        final int end = request.limit();
        buffer.putByte(MessageHeaderEncoder.ENCODED_LENGTH + FrameRequestEncoder.writeEncodingOffset(), (byte)209);

        final MessageHandler handler = dispatcher.handler(FrameRequestEncoder.TEMPLATE_ID);
        final int result = handler.onMessage(buffer, MessageHeaderEncoder.ENCODED_LENGTH, FrameRequestEncoder.BLOCK_LENGTH,
            FrameRequestEncoder.SCHEMA_VERSION, end);

        assertThat(result).as("dispatched, to the end of the message").isEqualTo(end);
        cluster.deliver();
        assertThat(cluster.frames.get(1).lateReplies()).as("answered, as any read of an unknown capability").isEqualTo(1);
    }
}
