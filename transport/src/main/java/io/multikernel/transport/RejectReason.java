package io.multikernel.transport;

/**
 * Why an inbound frame was rejected. Each reason is a counter
 * ({@code mk_urpc_rejected_total{reason=...}}) and a rate-limited log line; a rejected frame never
 * throws out of the poll loop and never stops the core.
 */
public enum RejectReason
{
    /** Shorter than a message header plus envelope, or shorter than its header claims. */
    TRUNCATED("truncated"),
    /** Longer than the inbox's maximum message length. */
    OVERSIZED("oversized"),
    /** The header's schema id is not ours. */
    FOREIGN_SCHEMA("foreign_schema"),
    /** The header's schema version is below the oldest version we can decode. */
    UNSUPPORTED_VERSION("unsupported_version"),
    /** The header's blockLength is smaller than the fixed fields of that template at that version. */
    BAD_BLOCK_LENGTH("bad_block_length"),
    /** No handler is registered for the template id. */
    UNKNOWN_TEMPLATE("unknown_template"),
    /** The envelope's source core id is not in the cluster map. */
    UNKNOWN_SENDER("unknown_sender"),
    /** The envelope names another core as destination. */
    WRONG_DESTINATION("wrong_destination"),
    /** The sender's incarnation is older than one already seen: a frame from before a restart. */
    STALE_INCARNATION("stale_incarnation"),
    /** Variable-length data or a group runs past the end of the frame, or a field fails to decode. */
    MALFORMED("malformed"),
    /** The frame has no seal, or its tag is not the one the cluster's key gives: forged or damaged. */
    UNAUTHENTICATED("unauthenticated"),
    /** A validly sealed frame whose sequence number is not above the last one accepted from that sender's incarnation. */
    REPLAYED("replayed");

    private final String metricTag;

    RejectReason(final String metricTag)
    {
        this.metricTag = metricTag;
    }

    /**
     * @return the value of the {@code reason} tag of {@code mk_urpc_rejected_total}.
     */
    public String metricTag()
    {
        return metricTag;
    }
}
