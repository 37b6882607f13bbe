package io.multikernel.node.shootdown;

import io.multikernel.transport.SendOutcome;

/**
 * The shootdown's outgoing messages: {@link ShootdownPublisher} over URPC in a core, a recording
 * fake in tests.
 */
public interface ShootdownSender
{
    /**
     * Send a ShootdownRequest whose forward list is {@code length} entries of the given arrays from
     * {@code offset}: the subtree the receiver is responsible for, in pre-order.
     *
     * @param destination     core to send to.
     * @param roundId         the round.
     * @param initiatorCoreId core that started the round.
     * @param domainId        the address space whose translations to invalidate; 0 for none.
     * @param firstPage       first virtual page of the range.
     * @param pageCount       pages of the range; 0 with a domain: all of it.
     * @param forwardCores    core ids of the subtree, pre-order.
     * @param subtreeSizes    for each entry, how many of the following entries are its own subtree.
     * @param offset          first entry for the receiver.
     * @param length          entries for the receiver.
     * @return the send's outcome.
     */
    SendOutcome sendRequest(int destination, long roundId, int initiatorCoreId, long domainId, long firstPage,
        long pageCount, int[] forwardCores, int[] subtreeSizes, int offset, int length);

    /**
     * @param destination       the core the request came from.
     * @param roundId           the round.
     * @param acknowledgedCores the sender and every core of its subtree.
     * @return the send's outcome.
     */
    SendOutcome sendAck(int destination, long roundId, int acknowledgedCores);
}
