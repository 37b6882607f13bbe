package io.multikernel.node.skb;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Measured round-trip times between cores, in nanoseconds: row {@code i} holds core {@code i}'s
 * measurements to every other core. Each core measures its own row (Ping/Pong) and publishes it
 * with a version; cores exchange rows, and {@link #mergeRow} keeps, per row, the version that is
 * newest. Since that choice does not depend on the order rows arrive in, every core that has seen
 * the same rows holds the same matrix.
 *
 * <p>A row's version is {@code (incarnation, sequence)}, compared in that order: a restarted core
 * has a larger incarnation, so its first row replaces rows of its previous life even though its
 * sequence starts again at 1. Two different rows with one version should never exist (only the
 * owner writes its row); if they do, the lexicographically smaller row wins everywhere, so the
 * cores still converge, and the outcome says so to be counted.
 *
 * <p>Layout: primitive arrays indexed by core index ({@link Topology#indexOf}), row-major
 * {@code rttNs[from * coreCount + to]}; no allocation on merge. Owned by one agent; not
 * thread-safe; hand other threads a {@link #copy()}.
 */
public final class RttMatrix
{
    /** An RTT not measured (yet). */
    public static final long RTT_UNKNOWN_NS = -1;
    /** Largest RTT a row may carry; a larger value is taken as corruption and the row refused. */
    public static final long RTT_MAX_NS = TimeUnit.SECONDS.toNanos(60);

    /** What {@link #mergeRow} did with a row. */
    public enum MergeOutcome
    {
        /** The row was newer and replaced the held one. */
        APPLIED,
        /** The row was older than the held one and was dropped. */
        STALE,
        /** The row equals the held one. */
        DUPLICATE,
        /** Same version, different content; the received row won the tie-break and replaced the held one. */
        CONFLICT_APPLIED,
        /** Same version, different content; the held row won the tie-break. */
        CONFLICT_IGNORED,
        /** The row was malformed (unknown owner, wrong length, bad value or version) and was dropped. */
        REJECTED;

        /**
         * @return true when the matrix changed, so the row is worth passing on.
         */
        public boolean changed()
        {
            return this == APPLIED || this == CONFLICT_APPLIED;
        }
    }

    private final Topology topology;
    private final int coreCount;
    private final long[] rttNs;
    private final long[] rowIncarnation;
    private final long[] rowSequence;
    private long version;

    /**
     * @param topology the cores; every RTT starts unknown.
     */
    public RttMatrix(final Topology topology)
    {
        this.topology = topology;
        this.coreCount = topology.coreCount();
        this.rttNs = new long[coreCount * coreCount];
        this.rowIncarnation = new long[coreCount];
        this.rowSequence = new long[coreCount];
        Arrays.fill(rttNs, RTT_UNKNOWN_NS);
    }

    private RttMatrix(final RttMatrix source)
    {
        this.topology = source.topology;
        this.coreCount = source.coreCount;
        this.rttNs = source.rttNs.clone();
        this.rowIncarnation = source.rowIncarnation.clone();
        this.rowSequence = source.rowSequence.clone();
    }

    /**
     * @return the cores this matrix covers.
     */
    public Topology topology()
    {
        return topology;
    }

    /**
     * @param fromCoreId the measuring core.
     * @param toCoreId   the measured core.
     * @return the RTT {@code fromCoreId} measured to {@code toCoreId}, 0 to itself, or {@link #RTT_UNKNOWN_NS}.
     */
    public long rttNs(final int fromCoreId, final int toCoreId)
    {
        return rttNsAt(topology.requireIndex(fromCoreId), topology.requireIndex(toCoreId));
    }

    /**
     * @param fromIndex core index of the measuring core.
     * @param toIndex   core index of the measured core.
     * @return as {@link #rttNs(int, int)}.
     */
    public long rttNsAt(final int fromIndex, final int toIndex)
    {
        return fromIndex == toIndex ? 0 : rttNs[fromIndex * coreCount + toIndex];
    }

    /**
     * The best estimate of the distance between two cores: {@code a}'s measurement of {@code b},
     * else {@code b}'s of {@code a} (RTT is symmetric), else unknown.
     *
     * @param coreA a core id.
     * @param coreB a core id.
     * @return the RTT in nanoseconds, or {@link #RTT_UNKNOWN_NS}.
     */
    public long distanceNs(final int coreA, final int coreB)
    {
        final int a = topology.requireIndex(coreA);
        final int b = topology.requireIndex(coreB);
        final long forward = rttNsAt(a, b);
        return forward != RTT_UNKNOWN_NS ? forward : rttNsAt(b, a);
    }

    /**
     * @param coreId a core id.
     * @return true when a row from that core has been merged.
     */
    public boolean hasRow(final int coreId)
    {
        return rowSequence[topology.requireIndex(coreId)] != 0;
    }

    /**
     * @param coreId a core id.
     * @return the incarnation of the held row; meaningless when {@link #hasRow} is false.
     */
    public long rowIncarnation(final int coreId)
    {
        return rowIncarnation[topology.requireIndex(coreId)];
    }

    /**
     * @param coreId a core id.
     * @return the sequence of the held row, 0 when there is none.
     */
    public long rowSequence(final int coreId)
    {
        return rowSequence[topology.requireIndex(coreId)];
    }

    /**
     * Copies a core's row, in core index order, for sending to peers.
     *
     * @param coreId a core id.
     * @param dst    at least {@code coreCount} long.
     * @return true when the core has a row; otherwise {@code dst} holds unknowns.
     */
    public boolean copyRow(final int coreId, final long[] dst)
    {
        final int index = topology.requireIndex(coreId);
        System.arraycopy(rttNs, index * coreCount, dst, 0, coreCount);
        dst[index] = 0;
        return rowSequence[index] != 0;
    }

    /**
     * Records the owner's own fresh measurements as its next row version.
     *
     * @param ownerCoreId the local core.
     * @param incarnation the local core's incarnation; never smaller than the one it published before.
     * @param rowNs       RTTs to every core in core index order; the entry for the owner is ignored.
     * @return the sequence given to the row.
     * @throws IllegalStateException    when the incarnation went backwards.
     * @throws IllegalArgumentException when the row is malformed.
     */
    public long publishOwnRow(final int ownerCoreId, final long incarnation, final long[] rowNs)
    {
        final int index = topology.requireIndex(ownerCoreId);
        final boolean sameLife = rowSequence[index] != 0 && rowIncarnation[index] == incarnation;
        if (rowSequence[index] != 0 && incarnation < rowIncarnation[index])
        {
            throw new IllegalStateException("core " + ownerCoreId + " incarnation=" + incarnation +
                " is older than its published incarnation=" + rowIncarnation[index]);
        }
        final long sequence = sameLife ? rowSequence[index] + 1 : 1;
        final long[] row = Arrays.copyOf(rowNs, rowNs.length);
        if (row.length == coreCount)
        {
            row[index] = 0;
        }
        final MergeOutcome outcome = mergeRow(ownerCoreId, incarnation, sequence, row);
        if (outcome != MergeOutcome.APPLIED)
        {
            throw new IllegalArgumentException("own row of core " + ownerCoreId + " was " + outcome +
                "; expected " + coreCount + " values, each 0.." + RTT_MAX_NS + " or " + RTT_UNKNOWN_NS);
        }
        return sequence;
    }

    /**
     * Merges a row received from a peer (or read back from our own publication): the newer
     * version wins. Malformed rows are refused, never thrown: they are bad input from the network.
     *
     * @param ownerCoreId the core whose measurements the row holds.
     * @param incarnation the owner's incarnation when it measured.
     * @param sequence    the owner's row sequence within that incarnation, from 1.
     * @param rowNs       RTTs in core index order: {@code coreCount} values, each
     *                    {@code 0..RTT_MAX_NS} or {@link #RTT_UNKNOWN_NS}, 0 for the owner itself.
     * @return what happened to the row.
     */
    public MergeOutcome mergeRow(final int ownerCoreId, final long incarnation, final long sequence, final long[] rowNs)
    {
        final int index = topology.indexOf(ownerCoreId);
        if (index == Topology.NO_INDEX || sequence < 1 || !isWellFormed(index, rowNs))
        {
            return MergeOutcome.REJECTED;
        }
        final int base = index * coreCount;
        if (rowSequence[index] != 0)
        {
            final int byVersion = rowIncarnation[index] != incarnation ?
                Long.compare(incarnation, rowIncarnation[index]) : Long.compare(sequence, rowSequence[index]);
            if (byVersion < 0)
            {
                return MergeOutcome.STALE;
            }
            if (byVersion == 0)
            {
                final int byContent = Arrays.compare(rowNs, 0, coreCount, rttNs, base, base + coreCount);
                if (byContent >= 0)
                {
                    return byContent == 0 ? MergeOutcome.DUPLICATE : MergeOutcome.CONFLICT_IGNORED;
                }
                System.arraycopy(rowNs, 0, rttNs, base, coreCount);
                version++;
                return MergeOutcome.CONFLICT_APPLIED;
            }
        }
        System.arraycopy(rowNs, 0, rttNs, base, coreCount);
        rowIncarnation[index] = incarnation;
        rowSequence[index] = sequence;
        version++;
        return MergeOutcome.APPLIED;
    }

    /**
     * @return a counter that moves whenever a row is applied: equal values mean the matrix has not
     *         changed in between (cheaper than comparing {@link #fingerprint()}s).
     */
    public long version()
    {
        return version;
    }

    /**
     * The p50 of a core's measured RTTs to its peers, as the status table shows it.
     *
     * @param coreId a core id.
     * @return the lower median of the known RTTs to other cores, or {@link #RTT_UNKNOWN_NS} if none.
     */
    public long medianRttNs(final int coreId)
    {
        final int index = topology.requireIndex(coreId);
        final long[] known = new long[coreCount];
        int count = 0;
        for (int to = 0; to < coreCount; to++)
        {
            final long rtt = rttNsAt(index, to);
            if (to != index && rtt != RTT_UNKNOWN_NS)
            {
                known[count++] = rtt;
            }
        }
        if (count == 0)
        {
            return RTT_UNKNOWN_NS;
        }
        Arrays.sort(known, 0, count);
        return known[(count - 1) / 2];
    }

    /**
     * A digest of versions and values; cores whose matrices have equal fingerprints have, barring
     * a hash collision, converged. Cheap to compare across cores in {@code /skb}.
     *
     * @return a 64-bit FNV-1a style hash.
     */
    public long fingerprint()
    {
        long hash = 0xcbf29ce484222325L;
        for (int i = 0; i < coreCount; i++)
        {
            hash = mix(mix(hash, rowIncarnation[i]), rowSequence[i]);
        }
        for (final long value : rttNs)
        {
            hash = mix(hash, value);
        }
        return hash;
    }

    /**
     * @param other another matrix.
     * @return true when both cover the same topology and hold the same versions and values.
     */
    public boolean sameContent(final RttMatrix other)
    {
        return topology.equals(other.topology) && Arrays.equals(rttNs, other.rttNs) &&
            Arrays.equals(rowIncarnation, other.rowIncarnation) && Arrays.equals(rowSequence, other.rowSequence);
    }

    /**
     * @return an independent copy, for example for another thread to read.
     */
    public RttMatrix copy()
    {
        return new RttMatrix(this);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        int rows = 0;
        for (final long sequence : rowSequence)
        {
            rows += sequence != 0 ? 1 : 0;
        }
        return "RttMatrix{cores=" + coreCount + ", rows=" + rows +
            ", fingerprint=" + Long.toHexString(fingerprint()) + "}";
    }

    private boolean isWellFormed(final int ownerIndex, final long[] rowNs)
    {
        if (null == rowNs || rowNs.length != coreCount || rowNs[ownerIndex] != 0)
        {
            return false;
        }
        for (final long value : rowNs)
        {
            if (value != RTT_UNKNOWN_NS && (value < 0 || value > RTT_MAX_NS))
            {
                return false;
            }
        }
        return true;
    }

    private static long mix(final long hash, final long value)
    {
        long result = hash;
        for (int shift = 0; shift < Long.SIZE; shift += Byte.SIZE)
        {
            result = (result ^ ((value >>> shift) & 0xFF)) * 0x100000001b3L;
        }
        return result;
    }
}
