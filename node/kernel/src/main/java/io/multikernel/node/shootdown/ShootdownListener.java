package io.multikernel.node.shootdown;

/**
 * Told by the initiator side of {@link Shootdown} how each round it started ended. Called on the
 * kernel loop's thread, from {@link Shootdown#onAck} or {@link Shootdown#doWork}.
 */
public interface ShootdownListener
{
    /**
     * @param roundId   the round.
     * @param latencyNs from the first send to the last acknowledgement, by the injected clock.
     */
    void onRoundComplete(long roundId, long latencyNs);

    /**
     * @param roundId the round.
     * @param reason  one sentence: why it failed (a send failed, or acks missing at the deadline).
     */
    void onRoundFailed(long roundId, String reason);
}
