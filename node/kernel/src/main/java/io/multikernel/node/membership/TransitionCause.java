package io.multikernel.node.membership;

/**
 * Why a peer changed state; carried to the {@link MembershipListener} and into the log line.
 */
public enum TransitionCause
{
    /** A message from the peer's current incarnation (Heartbeat, Ping, anything valid). */
    HEARD("heard"),
    /** The peer's Hello. */
    HELLO("hello"),
    /** A message from a newer incarnation than a known one: the peer restarted. First contact is not this. */
    NEW_INCARNATION("new_incarnation"),
    /** The peer's Goodbye: a clean leave. */
    GOODBYE("goodbye"),
    /** Nothing heard from the peer for the suspect or down timeout. */
    SILENCE("silence");

    private final String logName;

    TransitionCause(final String logName)
    {
        this.logName = logName;
    }

    /**
     * @return the lower-case name used in log lines.
     */
    public String logName()
    {
        return logName;
    }
}
