package io.multikernel.node.membership;

/**
 * What one core believes about a peer, from what it has heard and for how long it has heard nothing.
 *
 * <pre>
 *              any message            silence >= suspect        silence >= down
 *   UNKNOWN ---------------> UP -----------------------> SUSPECT -------------> DOWN
 *                            ^  <----- heard again -------  |                    |
 *                            |  <------------------- heard again ----------------+
 *                            |
 *      Hello, or a newer     |          Goodbye (from UNKNOWN, UP, SUSPECT or DOWN)
 *      incarnation           +------------------------------------------------ LEFT
 * </pre>
 *
 * A late duty cycle may take a peer from UP straight to DOWN. Nothing returns to UNKNOWN.
 */
public enum PeerState
{
    /** Never heard from since this core started. */
    UNKNOWN("unknown"),
    /** Heard within the suspect timeout. */
    UP("up"),
    /** Silent for at least the suspect timeout but less than the down timeout. */
    SUSPECT("suspect"),
    /** Silent for at least the down timeout: crashed, paused or cut off. */
    DOWN("down"),
    /** Said Goodbye: a clean leave. Stays so until a Hello or a newer incarnation. */
    LEFT("left");

    private static final PeerState[] VALUES = values();

    private final String metricTag;

    PeerState(final String metricTag)
    {
        this.metricTag = metricTag;
    }

    /**
     * @return the lower-case name used for the {@code state}, {@code from} and {@code to} metric tags
     * and in {@code mk status --json}.
     */
    public String metricTag()
    {
        return metricTag;
    }

    /**
     * @return true while the peer's silence is timed: {@link #UP} and {@link #SUSPECT}.
     */
    public boolean isTimed()
    {
        return this == UP || this == SUSPECT;
    }

    /**
     * The legal moves of the diagram above. Membership checks every move against this, always on,
     * so a broken invariant stops the core instead of corrupting what the monitor believes.
     *
     * @param to the state to move to.
     * @return true when moving from this state to {@code to} is legal.
     */
    public boolean canMoveTo(final PeerState to)
    {
        return switch (this)
        {
            case UNKNOWN -> to == UP || to == LEFT;
            case UP -> to == SUSPECT || to == DOWN || to == LEFT;
            case SUSPECT -> to == UP || to == DOWN || to == LEFT;
            case DOWN -> to == UP || to == LEFT;
            case LEFT -> to == UP;
        };
    }

    /**
     * @param ordinal of a state.
     * @return the state, without allocating the array {@link #values()} would.
     */
    static PeerState get(final int ordinal)
    {
        return VALUES[ordinal];
    }

    /**
     * @return the number of states.
     */
    static int count()
    {
        return VALUES.length;
    }
}
