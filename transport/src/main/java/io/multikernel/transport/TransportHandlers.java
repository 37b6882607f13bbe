package io.multikernel.transport;

import io.multikernel.schema.BooleanType;
import io.multikernel.schema.EnvelopeDecoder;
import io.multikernel.schema.GoodbyeDecoder;
import io.multikernel.schema.HeartbeatDecoder;
import io.multikernel.schema.HelloDecoder;
import io.multikernel.schema.PingDecoder;
import io.multikernel.schema.PongDecoder;
import org.agrona.DirectBuffer;

/**
 * Registers the transport's messages (Hello, Heartbeat, Ping, Pong, Goodbye) in a dispatch table,
 * decoding each into primitives for a {@link UrpcHandler}.
 */
final class TransportHandlers
{
    private TransportHandlers()
    {
    }

    static void register(final MessageDispatcher dispatcher, final UrpcHandler handler)
    {
        dispatcher.register("hello", new DecodingHandler<>(new HelloDecoder())
        {
            protected int skipToEnd(final HelloDecoder decoder)
            {
                return decoder.sbeSkip().limit();
            }

            protected void onDecoded(final HelloDecoder decoder)
            {
                final EnvelopeDecoder envelope = decoder.envelope();
                handler.onHello(envelope.sourceCoreId(), envelope.sourceIncarnation(), envelope.correlationId(),
                    decoder.schemaVersion(), decoder.hostId(), decoder.timestampNs(),
                    BooleanType.TRUE.value() == decoder.replyRaw());
            }
        });
        dispatcher.register("heartbeat", new DecodingHandler<>(new HeartbeatDecoder())
        {
            protected int skipToEnd(final HeartbeatDecoder decoder)
            {
                return decoder.sbeSkip().limit();
            }

            protected void onDecoded(final HeartbeatDecoder decoder)
            {
                final EnvelopeDecoder envelope = decoder.envelope();
                handler.onHeartbeat(envelope.sourceCoreId(), envelope.sourceIncarnation(), envelope.correlationId(),
                    decoder.timestampNs());
            }
        });
        dispatcher.register("ping", new PingHandler(handler));
        dispatcher.register("pong", new PongHandler(handler));
        dispatcher.register("goodbye", new DecodingHandler<>(new GoodbyeDecoder())
        {
            protected int skipToEnd(final GoodbyeDecoder decoder)
            {
                return decoder.sbeSkip().limit();
            }

            protected void onDecoded(final GoodbyeDecoder decoder)
            {
                final EnvelopeDecoder envelope = decoder.envelope();
                handler.onGoodbye(envelope.sourceCoreId(), envelope.sourceIncarnation(), decoder.reason());
            }
        });
    }

    private static final class PingHandler extends DecodingHandler<PingDecoder>
    {
        private final UrpcHandler handler;

        PingHandler(final UrpcHandler handler)
        {
            super(new PingDecoder());
            this.handler = handler;
        }

        protected int skipToEnd(final PingDecoder decoder)
        {
            // Freshly wrapped: the payload is the only variable part.
            decoder.skipPayload();
            return decoder.limit();
        }

        protected void onDecoded(final PingDecoder decoder)
        {
            final EnvelopeDecoder envelope = decoder.envelope();
            final int sourceCoreId = envelope.sourceCoreId();
            final long correlationId = envelope.correlationId();
            final long timestampNs = decoder.timestampNs();
            final int length = decoder.payloadLength();
            final DirectBuffer buffer = decoder.buffer();
            final int offset = decoder.limit() + PingDecoder.payloadHeaderLength();
            handler.onPing(sourceCoreId, correlationId, timestampNs, buffer, offset, length);
        }
    }

    private static final class PongHandler extends DecodingHandler<PongDecoder>
    {
        private final UrpcHandler handler;

        PongHandler(final UrpcHandler handler)
        {
            super(new PongDecoder());
            this.handler = handler;
        }

        protected int skipToEnd(final PongDecoder decoder)
        {
            // Freshly wrapped: the payload is the only variable part.
            decoder.skipPayload();
            return decoder.limit();
        }

        protected void onDecoded(final PongDecoder decoder)
        {
            final EnvelopeDecoder envelope = decoder.envelope();
            final int length = decoder.payloadLength();
            final int offset = decoder.limit() + PongDecoder.payloadHeaderLength();
            handler.onPong(envelope.sourceCoreId(), envelope.correlationId(), decoder.pingTimestampNs(),
                decoder.buffer(), offset, length);
        }
    }
}
