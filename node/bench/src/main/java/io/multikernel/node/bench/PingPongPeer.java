package io.multikernel.node.bench;

/**
 * The pinging side of one benchmarked system (raw Aeron or URPC), run in the benchmark's own JVM
 * against a ponging peer in another JVM.
 */
interface PingPongPeer extends AutoCloseable
{
    /**
     * @return true once both directions are connected.
     */
    boolean isConnected();

    /**
     * Send one ping carrying {@code timestampNs} and wait for its echo.
     *
     * @param timestampNs stamped into the message; the echo carries it back.
     * @return the echoed timestamp.
     */
    long roundTrip(long timestampNs);

    /**
     * Send {@code count} messages one way as fast as the receiver drains them; the last one asks for
     * an echo, which (per-sender FIFO) arrives only after the receiver processed all of them.
     *
     * @param count of messages.
     */
    void stream(long count);

    /**
     * Read whatever is pending without waiting.
     *
     * @return fragments read.
     */
    int poll();

    @Override
    void close();
}
