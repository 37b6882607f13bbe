package io.multikernel.node.lrpc;

import org.agrona.DirectBuffer;

/**
 * Serves one operation on the kernel loop's thread. It must answer every request exactly once:
 * at once with {@link LrpcServer#reply}/{@link LrpcServer#replyError}, or later, by taking a token
 * with {@link LrpcServer#defer()} and answering with {@link LrpcServer#replyDeferred} when the outcome
 * is known (for example when the 2PC engine decides).
 */
@FunctionalInterface
public interface LrpcHandler
{
    /**
     * @param server  to answer through.
     * @param payload the request's payload, valid only during the call.
     * @param offset  where it starts.
     * @param length  its length.
     */
    void onRequest(LrpcServer server, DirectBuffer payload, int offset, int length);

    /**
     * @param length  the only payload length the operation takes, bytes.
     * @param handler serves a payload of that length.
     * @return a handler that answers any other length MALFORMED with one sentence.
     */
    static LrpcHandler fixedLength(final int length, final LrpcHandler handler)
    {
        return (server, payload, offset, actual) ->
        {
            if (actual != length)
            {
                server.replyError(LrpcStatus.MALFORMED, "payload of " + actual + " bytes, expected " + length);
                return;
            }
            handler.onRequest(server, payload, offset, actual);
        };
    }
}
