package io.multikernel.node.cluster;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Transport settings every core of a cluster shares. Each is optional: an absent value means the
 * transport's own default (the transport's {@code Configuration} stays the one place for defaults).
 *
 * @param idleStrategy    idle strategy of each core's kernel loop, one of
 *                        {@link ClusterLimits#IDLE_STRATEGY_NAMES}, unless {@code mk core --idle} names one.
 * @param termLengthBytes Aeron term length of the cores' inbox publications (every core of the cluster
 *                        must use the same), a power of two in
 *                        {@link ClusterLimits#TERM_LENGTH_MIN_BYTES}..{@link ClusterLimits#TERM_LENGTH_MAX_BYTES}.
 * @param secretFile      the cluster secret's file (URPC frame key, admin token), relative to the
 *                        map's directory unless absolute; absent means {@code cluster.secret} there.
 */
public record TransportSettings(Optional<String> idleStrategy, OptionalInt termLengthBytes, Optional<String> secretFile)
{
    /** No settings: the transport's defaults throughout. */
    public static final TransportSettings DEFAULTS =
        new TransportSettings(Optional.empty(), OptionalInt.empty(), Optional.empty());

    /**
     * @param idleStrategy    as the record.
     * @param termLengthBytes as the record.
     */
    public TransportSettings(final Optional<String> idleStrategy, final OptionalInt termLengthBytes)
    {
        this(idleStrategy, termLengthBytes, Optional.empty());
    }

    /**
     * Checks the invariants; parsers report bad user input before they get here.
     */
    public TransportSettings
    {
        Objects.requireNonNull(idleStrategy, "idleStrategy");
        Objects.requireNonNull(termLengthBytes, "termLengthBytes");
        Objects.requireNonNull(secretFile, "secretFile");
        if (idleStrategy.map(ClusterLimits::idleStrategyProblem).isPresent() ||
            (termLengthBytes.isPresent() && null != ClusterLimits.termLengthProblem(termLengthBytes.getAsInt())))
        {
            throw new IllegalArgumentException(
                "invalid idleStrategy=" + idleStrategy + " termLengthBytes=" + termLengthBytes);
        }
    }

    /**
     * @param idleStrategy the new idle strategy, or empty.
     * @return a copy with the idle strategy replaced.
     */
    public TransportSettings withIdleStrategy(final Optional<String> idleStrategy)
    {
        return new TransportSettings(idleStrategy, termLengthBytes, secretFile);
    }

    /**
     * @param termLengthBytes the new term length, or empty.
     * @return a copy with the term length replaced.
     */
    public TransportSettings withTermLengthBytes(final OptionalInt termLengthBytes)
    {
        return new TransportSettings(idleStrategy, termLengthBytes, secretFile);
    }

    /**
     * @param secretFile the new secret file, or empty.
     * @return a copy with the secret file replaced.
     */
    public TransportSettings withSecretFile(final Optional<String> secretFile)
    {
        return new TransportSettings(idleStrategy, termLengthBytes, secretFile);
    }

    /**
     * @return true when no setting is given.
     */
    public boolean isEmpty()
    {
        return idleStrategy.isEmpty() && termLengthBytes.isEmpty() && secretFile.isEmpty();
    }
}
