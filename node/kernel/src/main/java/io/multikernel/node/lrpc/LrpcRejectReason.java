package io.multikernel.node.lrpc;

/**
 * Why the kernel loop did not dispatch a request, or could not deliver a reply. Each has a counter
 * ({@code mk_lrpc_rejected_total{reason}}) and a rate-limited log line.
 */
public enum LrpcRejectReason
{
    /** Shorter than the request header: nobody to answer. */
    MALFORMED("malformed"),
    /** Client slot out of range or not held by the token in the request: nobody to answer. */
    UNKNOWN_CLIENT_SLOT("unknown_client_slot"),
    /** Longer than the channel's message length limit: answered TOO_LARGE. */
    TOO_LARGE("too_large"),
    /**
     * No handler for the operation code: answered UNKNOWN_OPERATION; a code below 1, which only an app
     * writing the ring's memory directly can send, is dropped unanswered (a reply's record type is the
     * request's code, and must be positive).
     */
    UNKNOWN_OPERATION("unknown_operation"),
    /** The table of deferred replies is full: answered UNAVAILABLE. */
    DEFERRED_REPLIES_FULL("deferred_replies_full"),
    /** The client's reply ring was full (it exceeded its outstanding limit or stopped reading). */
    REPLY_RING_FULL("reply_ring_full"),
    /** The client left before its reply was ready. */
    CLIENT_GONE("client_gone"),
    /** An app died in the middle of writing a request; the hole in the request ring was padded. */
    REQUEST_RING_UNBLOCKED("request_ring_unblocked"),
    /**
     * A record in the request ring claimed a length the ring cannot hold (only an app writing the
     * shared memory directly can do that): the requests waiting were dropped and the ring reset.
     */
    REQUEST_RING_CORRUPT("request_ring_corrupt");

    private final String label;

    LrpcRejectReason(final String label)
    {
        this.label = label;
    }

    /**
     * @return the metric label value.
     */
    public String label()
    {
        return label;
    }
}
