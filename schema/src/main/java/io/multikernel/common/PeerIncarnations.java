package io.multikernel.common;

import java.util.Arrays;
import java.util.Objects;

/**
 * Which incarnation of each peer core is current on this core: the one place a core decides it.
 * Incarnations only grow. A message from an older incarnation than the current one was sent before
 * the peer restarted and is stale; a newer one becomes current, and every listener hears of it once.
 * <p>
 * On a node the URPC inbox owns the table: it calls {@link #observe} for every frame before anything
 * else sees it, so the readers (membership, the 2PC engine) only ever get messages of the current
 * incarnation. They ask {@link #incarnation} or call {@link #observe} with what they received, which
 * changes nothing once the inbox has seen it, and learn of restarts through {@link IncarnationListener}.
 * Where nothing receives before them (a membership or an engine driven by a test or the simulator),
 * their own {@link #observe} is the first, and the same rule applies.
 * <p>
 * The table is dense by core id, at most {@link #CORE_ID_MAX} + 1 entries. Not thread safe: owned by
 * the core's agent thread.
 */
public final class PeerIncarnations
{
    /** Incarnation of a peer nothing has been heard from. */
    public static final long UNKNOWN_INCARNATION = Long.MIN_VALUE;
    /** CORE_ID_MAX: largest core id a table holds; bounds its memory to a long and a flag per id. */
    public static final int CORE_ID_MAX = 65_535;
    /** LISTENERS_MAX: readers that may listen for new incarnations. */
    public static final int LISTENERS_MAX = 8;

    /** {@link #observe} result: the core is not a peer (or its id is out of range). */
    public static final int NOT_A_PEER = -2;
    /** {@link #observe} result: older than the current incarnation. */
    public static final int STALE = -1;
    /** {@link #observe} result: the current incarnation. */
    public static final int CURRENT = 0;
    /** {@link #observe} result: newer than the current one, which it now is; listeners were told. */
    public static final int NEWER = 1;

    private final boolean anyCore;
    private long[] incarnationByCore;
    private boolean[] peerByCore;
    private IncarnationListener[] listeners = new IncarnationListener[0];

    /**
     * Told when a peer shows a newer incarnation than the current one: first contact, or a restart.
     */
    @FunctionalInterface
    public interface IncarnationListener
    {
        /**
         * @param coreId         of the peer.
         * @param oldIncarnation the one that was current, or {@link #UNKNOWN_INCARNATION} on first contact.
         * @param newIncarnation the one that is current now.
         */
        void onNewIncarnation(int coreId, long oldIncarnation, long newIncarnation);
    }

    private PeerIncarnations(final boolean anyCore, final int capacity)
    {
        this.anyCore = anyCore;
        this.incarnationByCore = new long[capacity];
        this.peerByCore = new boolean[capacity];
        Arrays.fill(incarnationByCore, UNKNOWN_INCARNATION);
    }

    /**
     * @param peerCoreIds the cores this core accepts messages from, each 0..{@link #CORE_ID_MAX}.
     * @return a table of exactly these peers; messages from any other core are {@link #NOT_A_PEER}.
     * @throws IllegalArgumentException naming a core id out of range.
     */
    public static PeerIncarnations of(final int... peerCoreIds)
    {
        int maxCoreId = -1;
        for (final int coreId : peerCoreIds)
        {
            maxCoreId = Math.max(maxCoreId, Bounds.check("peer coreId", coreId, 0, CORE_ID_MAX));
        }
        final PeerIncarnations table = new PeerIncarnations(false, maxCoreId + 1);
        for (final int coreId : peerCoreIds)
        {
            table.peerByCore[coreId] = true;
        }
        return table;
    }

    /**
     * @return a table that takes every core id 0..{@link #CORE_ID_MAX} as a peer when first observed:
     *         for a reader that does not know the cluster (the 2PC engine in tests and the simulator).
     */
    public static PeerIncarnations ofAnyCore()
    {
        return new PeerIncarnations(true, 0);
    }

    /**
     * @param coreId a core id, possibly from the wire.
     * @return true when messages from it are accepted.
     */
    public boolean isPeer(final int coreId)
    {
        return anyCore ? coreId >= 0 && coreId <= CORE_ID_MAX : coreId >= 0 && coreId < peerByCore.length && peerByCore[coreId];
    }

    /**
     * A message from {@code coreId} carries {@code incarnation}: decide whether it is current.
     *
     * @param coreId      the sender.
     * @param incarnation the sender's incarnation, as the message says.
     * @return {@link #CURRENT}, {@link #NEWER} (it is current now; listeners were told before this
     *         returns), {@link #STALE} or {@link #NOT_A_PEER}.
     */
    public int observe(final int coreId, final long incarnation)
    {
        if (!isPeer(coreId))
        {
            return NOT_A_PEER;
        }
        if (coreId >= incarnationByCore.length)
        {
            grow(coreId);
        }
        final long current = incarnationByCore[coreId];
        if (incarnation == current)
        {
            return CURRENT;
        }
        if (incarnation < current)
        {
            return STALE;
        }
        incarnationByCore[coreId] = incarnation;
        for (final IncarnationListener listener : listeners)
        {
            listener.onNewIncarnation(coreId, current, incarnation);
        }
        return NEWER;
    }

    /**
     * @param coreId a core id.
     * @return its current incarnation, or {@link #UNKNOWN_INCARNATION} when none was seen or it is not a peer.
     */
    public long incarnation(final int coreId)
    {
        return coreId >= 0 && coreId < incarnationByCore.length ? incarnationByCore[coreId] : UNKNOWN_INCARNATION;
    }

    /**
     * @param listener told of every new incarnation from now on, after those added before it.
     * @throws IllegalStateException when {@link #LISTENERS_MAX} listen already.
     */
    public void addListener(final IncarnationListener listener)
    {
        if (listeners.length >= LISTENERS_MAX)
        {
            throw new IllegalStateException("LISTENERS_MAX=" + LISTENERS_MAX + " listeners already listen");
        }
        final IncarnationListener[] more = Arrays.copyOf(listeners, listeners.length + 1);
        more[listeners.length] = Objects.requireNonNull(listener, "listener");
        listeners = more;
    }

    /**
     * @param listener added before (the same instance); nothing happens when it was not.
     */
    public void removeListener(final IncarnationListener listener)
    {
        for (int i = 0; i < listeners.length; i++)
        {
            if (listeners[i] == listener)
            {
                final IncarnationListener[] fewer = new IncarnationListener[listeners.length - 1];
                System.arraycopy(listeners, 0, fewer, 0, i);
                System.arraycopy(listeners, i + 1, fewer, i, listeners.length - i - 1);
                listeners = fewer;
                return;
            }
        }
    }

    private void grow(final int coreId)
    {
        // Only a table of any core grows: a fixed one holds its peers from the start.
        final int length = Math.min(CORE_ID_MAX + 1, Math.max(coreId + 1, 2 * incarnationByCore.length));
        final int oldLength = incarnationByCore.length;
        incarnationByCore = Arrays.copyOf(incarnationByCore, length);
        Arrays.fill(incarnationByCore, oldLength, length, UNKNOWN_INCARNATION);
        peerByCore = Arrays.copyOf(peerByCore, length);
    }
}
