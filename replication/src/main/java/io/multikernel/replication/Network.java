package io.multikernel.replication;

import io.multikernel.common.PeerIncarnations;
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
 * <p>
 * Which incarnation of a peer is current is decided once per core, where messages arrive: a network
 * that receives before the engine (URPC's inbox, which drops frames of older incarnations) hands the
 * engine its table through {@link #incarnations()}; the engine reads it and listens to it for
 * restarts instead of keeping a table of its own.
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

    /**
     * @return the table in which this network's receive path decides which incarnation of each peer
     *         is current, or {@code null} (the default) when batches reach the engine with nothing
     *         before it (the simulator, tests): then the engine is the first to see each incarnation
     *         and keeps the table itself.
     */
    default PeerIncarnations incarnations()
    {
        return null;
    }
}
