package io.multikernel.node.shootdown;

import io.multikernel.schema.ShootdownAckDecoder;
import io.multikernel.schema.ShootdownRequestDecoder;
import io.multikernel.transport.DecodingHandler;
import io.multikernel.transport.MessageDispatcher;

/**
 * Decodes inbound ShootdownRequest and ShootdownAck frames (already validated by the inbox) and
 * hands their fields to {@link Shootdown}. A request whose forward list is longer than
 * {@link ShootdownConfiguration#FORWARD_ENTRIES_MAX} is passed on with a count the shootdown
 * rejects as malformed. Reuses its decoders and arrays; allocates nothing per message.
 */
public final class ShootdownAdapter
{
    private final Shootdown shootdown;
    private final int[] cores = new int[ShootdownConfiguration.FORWARD_ENTRIES_MAX];
    private final int[] sizes = new int[ShootdownConfiguration.FORWARD_ENTRIES_MAX];
    private long messagesHandled;

    /**
     * @param shootdown receives the decoded messages.
     */
    public ShootdownAdapter(final Shootdown shootdown)
    {
        this.shootdown = shootdown;
    }

    /**
     * @return requests and acks decoded so far (kernel loop only).
     */
    public long messagesHandled()
    {
        return messagesHandled;
    }

    /**
     * @param dispatcher the core's inbox dispatch table.
     */
    public void registerWith(final MessageDispatcher dispatcher)
    {
        dispatcher.register("shootdown_request", new RequestHandler());
        dispatcher.register("shootdown_ack", new AckHandler());
    }

    private final class RequestHandler extends DecodingHandler<ShootdownRequestDecoder>
    {
        RequestHandler()
        {
            super(new ShootdownRequestDecoder());
        }

        @Override
        protected int skipToEnd(final ShootdownRequestDecoder decoder)
        {
            final ShootdownRequestDecoder.ForwardToDecoder forwardTo = decoder.forwardTo();
            if (!groupHoldsItsFields(forwardTo.count(), forwardTo.actingBlockLength(),
                ShootdownRequestDecoder.ForwardToDecoder.sbeBlockLength()))
            {
                return UNWALKABLE;
            }
            return decoder.sbeSkip().limit();
        }

        @Override
        protected void onDecoded(final ShootdownRequestDecoder decoder)
        {
            messagesHandled++;
            final int source = decoder.envelope().sourceCoreId();
            final long roundId = decoder.roundId();
            final int initiator = decoder.initiatorCoreId();
            // A sender of schema version 3 sends no range: its round invalidates nothing.
            final boolean ranged = decoder.actingVersion() >= 4;
            final long domainId = ranged ? decoder.domainId() : 0;
            final long firstPage = ranged ? decoder.firstPage() : 0;
            final long pageCount = ranged ? decoder.pageCount() : 0;
            final ShootdownRequestDecoder.ForwardToDecoder group = decoder.forwardTo();
            final int count = group.count();
            if (count > cores.length)
            {
                shootdown.onRequest(source, roundId, initiator, domainId, firstPage, pageCount, cores, sizes, -1);
                return;
            }
            int i = 0;
            for (final ShootdownRequestDecoder.ForwardToDecoder entry : group)
            {
                cores[i] = entry.coreId();
                sizes[i] = entry.subtreeSize();
                i++;
            }
            shootdown.onRequest(source, roundId, initiator, domainId, firstPage, pageCount, cores, sizes, count);
        }
    }

    private final class AckHandler extends DecodingHandler<ShootdownAckDecoder>
    {
        AckHandler()
        {
            super(new ShootdownAckDecoder());
        }

        @Override
        protected int skipToEnd(final ShootdownAckDecoder decoder)
        {
            return decoder.sbeSkip().limit();
        }

        @Override
        protected void onDecoded(final ShootdownAckDecoder decoder)
        {
            messagesHandled++;
            shootdown.onAck(decoder.envelope().sourceCoreId(), decoder.roundId(), decoder.acknowledgedCores());
        }
    }
}
