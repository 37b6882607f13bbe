package io.multikernel.transport;

import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.multikernel.schema.MessageHeaderDecoder;
import org.agrona.DirectBuffer;

/**
 * The inbound half of {@link LinkFaults}, in front of the inbox: it reads the sender a frame claims
 * and lets the link's rule drop it, hold it, or pass it to the {@link InboxAdapter} at once. It sits
 * before the seal check on purpose: a dropped frame must look lost (nothing at the inbox counts it),
 * and a held frame is checked in full, seal and sequence included, when {@link #releaseHeld()} hands it
 * on. The claimed sender only picks the rule; a forged frame that claims a faulted peer is held or
 * dropped like that peer's and, if handed on, refused by the inbox as it would have been.
 * <p>
 * Only an endpoint with link faults has one; without, the assemblers feed the inbox directly.
 */
final class InboundLinkFilter implements FragmentHandler
{
    private final LinkFaults linkFaults;
    private final InboxAdapter inbox;
    private final LinkFaults.FrameSink toInbox;

    InboundLinkFilter(final LinkFaults linkFaults, final InboxAdapter inbox)
    {
        this.linkFaults = linkFaults;
        this.inbox = inbox;
        this.toInbox = (peer, buffer, offset, length) ->
        {
            inbox.onFragment(buffer, offset, length, null);
            return true;
        };
    }

    @Override
    public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        // Too short to name a sender: the inbox refuses it as truncated, as without the filter.
        if (length < InboxAdapter.FRAME_LENGTH_MIN_BYTES ||
            linkFaults.admit(sourceCoreId(buffer, offset), LinkFaults.Direction.INBOUND, buffer, offset, length))
        {
            inbox.onFragment(buffer, offset, length, header);
        }
    }

    /**
     * Hand the held frames whose delay is over to the inbox, each link's in order.
     *
     * @return frames handed on.
     */
    int releaseHeld()
    {
        return linkFaults.release(LinkFaults.Direction.INBOUND, toInbox);
    }

    private static int sourceCoreId(final DirectBuffer buffer, final int offset)
    {
        final int blockOffset = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        return FrameLayout.sourceCoreId(buffer.getLong(blockOffset + FrameLayout.CORES_OFFSET, FrameLayout.BYTE_ORDER));
    }
}
