package io.multikernel.node.shootdown;

import io.multikernel.schema.MessageHeaderEncoder;
import io.multikernel.schema.ShootdownAckEncoder;
import io.multikernel.schema.ShootdownRequestEncoder;
import io.multikernel.transport.SendOutcome;
import io.multikernel.transport.UrpcPublisher;

/**
 * Encodes ShootdownRequest (201) and ShootdownAck (202) straight into the URPC publisher's frame.
 * The round id doubles as the envelope's correlation id. Reuses its encoders; allocates nothing.
 */
public final class ShootdownPublisher implements ShootdownSender
{
    private final UrpcPublisher publisher;
    private final ShootdownRequestEncoder requestEncoder = new ShootdownRequestEncoder();
    private final ShootdownAckEncoder ackEncoder = new ShootdownAckEncoder();

    /**
     * @param publisher the core's URPC publisher.
     */
    public ShootdownPublisher(final UrpcPublisher publisher)
    {
        this.publisher = publisher;
    }

    @Override
    public SendOutcome sendRequest(final int destination, final long roundId, final int initiatorCoreId,
        final long domainId, final long firstPage, final long pageCount, final int[] forwardCores,
        final int[] subtreeSizes, final int offset, final int length)
    {
        final int messageLength = MessageHeaderEncoder.ENCODED_LENGTH + ShootdownRequestEncoder.BLOCK_LENGTH +
            ShootdownRequestEncoder.ForwardToEncoder.sbeHeaderSize() +
            length * ShootdownRequestEncoder.ForwardToEncoder.sbeBlockLength();
        final SendOutcome outcome = publisher.begin(destination, ShootdownRequestEncoder.TEMPLATE_ID,
            ShootdownRequestEncoder.BLOCK_LENGTH, messageLength, roundId);
        if (SendOutcome.SENT != outcome)
        {
            return outcome;
        }
        requestEncoder.wrap(publisher.buffer(), publisher.blockOffset())
            .roundId(roundId)
            .initiatorCoreId(initiatorCoreId)
            .domainId(domainId)
            .firstPage(firstPage)
            .pageCount(pageCount);
        final ShootdownRequestEncoder.ForwardToEncoder group = requestEncoder.forwardToCount(length);
        for (int i = offset, end = offset + length; i < end; i++)
        {
            group.next().coreId(forwardCores[i]).subtreeSize(subtreeSizes[i]);
        }
        return publisher.commit(requestEncoder.limit());
    }

    @Override
    public SendOutcome sendAck(final int destination, final long roundId, final int acknowledgedCores)
    {
        final SendOutcome outcome = publisher.begin(destination, ShootdownAckEncoder.TEMPLATE_ID,
            ShootdownAckEncoder.BLOCK_LENGTH, MessageHeaderEncoder.ENCODED_LENGTH + ShootdownAckEncoder.BLOCK_LENGTH, roundId);
        if (SendOutcome.SENT != outcome)
        {
            return outcome;
        }
        ackEncoder.wrap(publisher.buffer(), publisher.blockOffset())
            .roundId(roundId)
            .acknowledgedCores(acknowledgedCores);
        return publisher.commit(ackEncoder.limit());
    }
}
