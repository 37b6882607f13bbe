package io.multikernel.node.caps;

import java.util.List;

/**
 * What a capability request came to. Only {@link Outcome#COMMITTED} changed anything;
 * {@link Outcome#INDEFINITE} may have. Every other outcome changed nothing, and its message is one
 * sentence saying why.
 *
 * @param outcome     what happened.
 * @param message     why, for anything but a commit; null when committed.
 * @param transaction the 2PC transaction's id when one was proposed, else null.
 * @param capIds      capabilities the operation made (allocate, retype, copy, mint), in order.
 */
public record CapabilityResult(Outcome outcome, String message, String transaction, List<Long> capIds)
{
    /** Outcomes, each with the HTTP status the admin API answers. */
    public enum Outcome
    {
        /** Committed on every replica. */
        COMMITTED(200),
        /** Done without a transaction: identify, frame read and write. */
        DONE(200),
        /** The capability does not exist; nothing proposed. */
        NOT_FOUND(404),
        /** The capability is held by another core or lacks a right the operation needs; nothing proposed. */
        FORBIDDEN(403),
        /** Arguments the operation refuses: wrong type, misaligned, out of range; nothing proposed. */
        INVALID(400),
        /** Conflicts with live state: overlap with a live descendant (revoke first), memory exhausted. */
        CONFLICT(409),
        /** Proposed and aborted (a participant refused, or a core was unreachable): nothing changed. */
        ABORTED(409),
        /** Not proposed now (too many in flight, engine stopping): nothing changed, retry. */
        UNAVAILABLE(503),
        /** The coordinator cannot tell whether it committed: read {@code /caps} before retrying. */
        INDEFINITE(500),
        /** A load or store found no mapping at the address, or the mapping lacks the right: nothing read or written. */
        FAULT(422);

        private final int httpStatus;

        Outcome(final int httpStatus)
        {
            this.httpStatus = httpStatus;
        }

        public int httpStatus()
        {
            return httpStatus;
        }
    }

    public CapabilityResult
    {
        capIds = List.copyOf(capIds);
    }

    /** @return a refusal before anything was proposed. */
    /** @return the outcome a transaction's end status is answered with. */
    public static Outcome of(final io.multikernel.replication.TransactionOutcome.Status status)
    {
        return switch (status)
        {
            case COMMITTED -> Outcome.COMMITTED;
            case ABORTED -> Outcome.ABORTED;
            case INDEFINITE -> Outcome.INDEFINITE;
        };
    }

    public static CapabilityResult refused(final Outcome outcome, final String message)
    {
        return new CapabilityResult(outcome, message, null, List.of());
    }

    public boolean committed()
    {
        return Outcome.COMMITTED == outcome;
    }
}
