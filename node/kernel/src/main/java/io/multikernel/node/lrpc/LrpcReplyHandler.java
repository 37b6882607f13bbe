package io.multikernel.node.lrpc;

import org.agrona.DirectBuffer;

/**
 * Receives the outcome of one call on the app's thread, from {@link LrpcClient#poll()}. The buffer is
 * valid only during the call.
 */
@FunctionalInterface
public interface LrpcReplyHandler
{
    /**
     * @param correlationId what {@link LrpcClient#send} returned for the call.
     * @param outcome       how it ended.
     * @param status        the reply's {@link LrpcStatus} for SUCCESS and REJECTED, else -1.
     * @param buffer        the result (SUCCESS), the core's error line (REJECTED), or a local error line.
     * @param offset        where it starts.
     * @param length        its length.
     */
    void onReply(long correlationId, LrpcOutcome outcome, int status, DirectBuffer buffer, int offset, int length);
}
