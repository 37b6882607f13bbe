package io.multikernel.replication;

import io.multikernel.replication.protocol.MessageBatch;

/**
 * How the engine reaches other cores. The node implements it over URPC (encoding with
 * {@link io.multikernel.replication.protocol.TwoPhaseBatchCodec}); the simulator implements it with
 * virtual delays. Delivery must keep per-sender order to each destination (URPC does) and may lose
 * messages (the protocol retries and times out). Never called for the engine's own core id.
 */
@FunctionalInterface
public interface Network
{
    /**
     * @return true when the batch was accepted for delivery; false under back pressure or when the
     * destination is unreachable, in which case the engine tries again on its next duty cycles,
     * a bounded number of times.
     */
    boolean send(MessageBatch batch);
}
