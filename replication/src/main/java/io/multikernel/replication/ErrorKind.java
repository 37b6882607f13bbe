package io.multikernel.replication;

/**
 * The operating errors the engine counts (tag {@code kind} of {@code mk.2pc.errors}) and reports
 * once per interval.
 */
public enum ErrorKind
{
    /** An inbound frame could not be decoded. */
    MALFORMED_MESSAGE,
    /** A PREPARE's operations could not be decoded; the participant voted no. */
    MALFORMED_OPERATIONS,
    /** A batch from an older incarnation of a core that has since restarted. */
    STALE_INCARNATION,
    /** A batch addressed to another core. */
    MISROUTED_MESSAGE,
    /** A message that makes no sense in the transaction's state (duplicate, from a non-participant). */
    UNEXPECTED_MESSAGE,
    /** A batch dropped after MAX_SEND_ATTEMPTS under back pressure or while the peer was unreachable. */
    SEND_DROPPED,
    /** The write-ahead log failed; the engine stopped. */
    WAL_FAILURE,
    /** A decision arrived that contradicts what this core did (an operator's forced decision, or a bug). */
    DECISION_MISMATCH,
    /** A snapshot was not taken: it would be longer than a restart reads back; the log is kept whole. */
    SNAPSHOT_TOO_LARGE,
    /**
     * A peer knows a transaction committed that this core's log holds no trace of, though this core
     * voted on it: its log lost records, and its replicas lack committed writes.
     */
    LOST_TRANSACTION
}
