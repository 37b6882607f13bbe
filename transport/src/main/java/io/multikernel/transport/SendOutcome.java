package io.multikernel.transport;

/**
 * The explicit outcome of every URPC send. Nothing is dropped silently: anything but {@link #SENT}
 * means the message was not handed to the interconnect, and the caller decides what to do.
 */
public enum SendOutcome
{
    /**
     * Accepted, in order: in the destination's inbox log, or (batching) queued in this core's batch
     * for it, which the next flush in this duty cycle puts in the log. It arrives unless this core or
     * the destination dies first; a batch that finds its destination gone is counted as failed sends.
     */
    SENT("sent"),
    /** No inbox of the destination is attached: the core is down, not started yet, or cut off. */
    NOT_CONNECTED("not_connected"),
    /** The destination did not drain its inbox within the send retry budget. */
    BACK_PRESSURED("back_pressured"),
    /** The publication is closed (this endpoint is shutting down) or its log is exhausted. */
    CLOSED("closed"),
    /** The encoded message is larger than the channel's maximum message length. */
    TOO_LARGE("too_large"),
    /** The destination core id is not in the cluster map. */
    UNKNOWN_DESTINATION("unknown_destination");

    private final String metricTag;

    SendOutcome(final String metricTag)
    {
        this.metricTag = metricTag;
    }

    /**
     * @return the value used for the {@code reason} tag of {@code mk_urpc_send_failures_total}.
     */
    public String metricTag()
    {
        return metricTag;
    }
}
