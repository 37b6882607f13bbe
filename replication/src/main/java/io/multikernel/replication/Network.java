package io.multikernel.replication;

import io.multikernel.replication.protocol.MessageBatch;

/**
 * How the engine reaches other cores. The node implements it over URPC (encoding with
 * {@link io.multikernel.replication.protocol.TwoPhaseBatchCodec}); the simulator implements it with
 * virtual delays. Delivery must keep per-sender order to each destination (URPC does) and may lose
 * messages (the protocol retries and times out). Never called for the engine's own core id.
 * <p>
 * A network may hold accepted batches back to coalesce them (URPC batches per destination until
 * its publisher flushes); {@link #flush()} pushes them out. The engine flushes each time it has
 * handed batches over, so nothing it sent waits behind its own fsync or write.
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

    /**
     * Starts delivering every batch accepted so far, now. A batch the network cannot push out yet
     * (back pressure) stays accepted and goes later, in order. Default: nothing is held back.
     */
    default void flush()
    {
    }
}
