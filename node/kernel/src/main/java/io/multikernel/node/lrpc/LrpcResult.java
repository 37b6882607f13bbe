package io.multikernel.node.lrpc;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The outcome of a blocking {@link LrpcClient#call}.
 *
 * @param outcome how it ended.
 * @param status  the reply's {@link LrpcStatus} (SUCCESS, REJECTED), else -1.
 * @param payload the result on SUCCESS (a copy).
 * @param message one line saying why, for anything but SUCCESS; else null.
 */
public record LrpcResult(LrpcOutcome outcome, int status, byte[] payload, String message)
{
    /**
     * @return true on SUCCESS.
     */
    public boolean isSuccess()
    {
        return LrpcOutcome.SUCCESS == outcome;
    }

    /**
     * @return the first four bytes of the payload as a little-endian int.
     */
    public int intResult()
    {
        return ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
    }
}
