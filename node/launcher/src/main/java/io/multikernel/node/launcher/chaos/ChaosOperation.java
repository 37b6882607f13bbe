package io.multikernel.node.launcher.chaos;

/**
 * One write of a chaos run's workload, as its client saw it: a key no other operation writes, the
 * core that coordinated it, when it was invoked and answered (this process's monotonic clock), and
 * its outcome.
 *
 * @param index   its position in the history.
 * @param core    the core whose admin API took it (its coordinator).
 * @param key     written by this operation only.
 * @param value   the value written.
 * @param startNs when the client sent it.
 * @param endNs   when the client had its answer or gave up.
 * @param outcome what the client learned.
 * @param detail  the core's reason or the client's error, for reports; may be empty.
 */
public record ChaosOperation(int index, int core, String key, String value, long startNs, long endNs, Outcome outcome,
    String detail)
{
    /** What the client learned of one write. */
    public enum Outcome
    {
        /** Acknowledged: it must be on every replica. */
        COMMITTED,
        /** Refused with a definite abort: it must be on no replica. */
        ABORTED,
        /** Never reached a core (connection refused): it must be on no replica. */
        NOT_SENT,
        /** No definite answer (timeout, connection lost after sending): on every replica or on none. */
        INDEFINITE
    }
}
