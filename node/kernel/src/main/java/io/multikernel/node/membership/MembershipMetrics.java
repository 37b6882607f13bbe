package io.multikernel.node.membership;

import io.micrometer.core.instrument.MeterRegistry;
import io.multikernel.common.PeerIncarnations;
import io.multikernel.node.util.CounterSlots;


/**
 * Membership's meters. The agent is the only writer, so an update is a plain read and an ordered
 * write; Micrometer reads the values on another thread when scraped. Cardinality is fixed: 5 states,
 * the 11 legal moves of {@link PeerState#canMoveTo}, 3 message kinds, 2 ignore reasons, and two
 * series per peer of the cluster map. The per-peer state is registered up front; a peer's incarnation
 * when the first one is known, since before that there is no value to show.
 *
 * <pre>
 *   mk_membership_peers{state}                   gauge: peers in each state now
 *   mk_membership_peer_state{peer}               gauge: the state of each peer, as a code (below)
 *   mk_membership_peer_incarnation{peer}         gauge: each peer's current incarnation, once known
 *   mk_membership_transitions_total{from,to}     moves between states
 *   mk_membership_peer_restarts_total            peers seen with a newer incarnation than a known one
 *   mk_membership_send_failures_total{message}   Hello/Heartbeat/Goodbye sends that did not go out
 *   mk_membership_ignored_total{reason}          inputs ignored: stale incarnation, unknown peer
 * </pre>
 *
 * A state's code is its place in {@link PeerState}'s order, worst last but for LEFT: 0 unknown, 1 up,
 * 2 suspect, 3 down, 4 left. So {@code max by (peer)} over the cores is the worst any core believes
 * of a peer. An incarnation is an identifier that only grows (the core's start time in nanoseconds
 * since the epoch); as a gauge it is a float64, exact to about 256 ns, which still tells any two
 * incarnations of a core apart.
 *
 * One {@link Membership} per registry: Micrometer hands back the existing meter for a repeated
 * name and tags, so a second instance on the same registry would not be seen.
 */
final class MembershipMetrics
{
    static final int MESSAGE_HELLO = 0;
    static final int MESSAGE_HEARTBEAT = 1;
    static final int MESSAGE_GOODBYE = 2;
    static final int IGNORED_STALE_INCARNATION = 0;
    static final int IGNORED_UNKNOWN_PEER = 1;

    private static final String[] MESSAGE_TAGS = { "hello", "heartbeat", "goodbye" };
    private static final String[] IGNORED_TAGS = { "stale_incarnation", "unknown_peer" };

    private static final int STATES = PeerState.count();
    private static final int PEERS_BY_STATE = 0;
    private static final int TRANSITIONS = PEERS_BY_STATE + STATES;
    private static final int RESTARTS = TRANSITIONS + STATES * STATES;
    private static final int SEND_FAILURES = RESTARTS + 1;
    private static final int IGNORED = SEND_FAILURES + MESSAGE_TAGS.length;
    private static final int PEER_STATES = IGNORED + IGNORED_TAGS.length;
    /** Label naming the peer of a per-peer series. */
    static final String PEER_TAG = "peer";

    private final MeterRegistry registry;
    private final int[] peerCoreIds;
    private final int peerIncarnations;
    private final boolean[] incarnationRegistered;
    private final CounterSlots values;

    /**
     * @param registry    where.
     * @param peerCoreIds the peers, in the order of the indexes the other methods take.
     */
    MembershipMetrics(final MeterRegistry registry, final int[] peerCoreIds)
    {
        this.registry = registry;
        this.peerCoreIds = peerCoreIds.clone();
        this.peerIncarnations = PEER_STATES + peerCoreIds.length;
        this.incarnationRegistered = new boolean[peerCoreIds.length];
        this.values = new CounterSlots(peerIncarnations + peerCoreIds.length);
        for (int peer = 0; peer < peerCoreIds.length; peer++)
        {
            values.set(PEER_STATES + peer, PeerState.UNKNOWN.ordinal());
            values.gauge(registry, "mk.membership.peer.state", "State of each peer: 0 unknown, 1 up, 2 suspect, " +
                "3 down, 4 left", PEER_STATES + peer, PEER_TAG, Integer.toString(peerCoreIds[peer]));
        }
        for (int state = 0; state < STATES; state++)
        {
            values.gauge(registry, "mk.membership.peers", "Peers in each membership state", PEERS_BY_STATE + state,
                "state", PeerState.get(state).metricTag());
        }
        for (final PeerState from : PeerState.values())
        {
            for (final PeerState to : PeerState.values())
            {
                if (from.canMoveTo(to))
                {
                    values.counter(registry, "mk.membership.transitions", "Peer state transitions",
                        transitionSlot(from, to), "from", from.metricTag(), "to", to.metricTag());
                }
            }
        }
        counter(registry, "mk.membership.peer.restarts", "Peers seen with a newer incarnation than a known one",
            null, null, RESTARTS);
        for (int i = 0; i < MESSAGE_TAGS.length; i++)
        {
            counter(registry, "mk.membership.send.failures", "Membership messages that did not go out",
                "message", MESSAGE_TAGS[i], SEND_FAILURES + i);
        }
        for (int i = 0; i < IGNORED_TAGS.length; i++)
        {
            counter(registry, "mk.membership.ignored", "Membership inputs ignored", "reason", IGNORED_TAGS[i],
                IGNORED + i);
        }
    }

    void onPeerAdded(final PeerState state)
    {
        add(PEERS_BY_STATE + state.ordinal(), 1);
    }

    void onTransition(final int peer, final PeerState from, final PeerState to)
    {
        add(PEERS_BY_STATE + from.ordinal(), -1);
        add(PEERS_BY_STATE + to.ordinal(), 1);
        add(transitionSlot(from, to), 1);
        values.set(PEER_STATES + peer, to.ordinal());
    }

    /**
     * A peer's incarnation became known or changed; its gauge is registered the first time.
     *
     * @param peer        index of the peer.
     * @param incarnation now current.
     */
    void onIncarnation(final int peer, final long incarnation)
    {
        if (PeerIncarnations.UNKNOWN_INCARNATION == incarnation)
        {
            return;
        }
        values.set(peerIncarnations + peer, incarnation);
        if (!incarnationRegistered[peer])
        {
            incarnationRegistered[peer] = true;
            values.gauge(registry, "mk.membership.peer.incarnation", "Current incarnation of each peer, once known " +
                "(its start time in nanoseconds since the epoch)", peerIncarnations + peer, PEER_TAG,
                Integer.toString(peerCoreIds[peer]));
        }
    }

    void onRestart()
    {
        add(RESTARTS, 1);
    }

    void onSendFailed(final int message)
    {
        add(SEND_FAILURES + message, 1);
    }

    void onIgnored(final int reason)
    {
        add(IGNORED + reason, 1);
    }

    long peers(final PeerState state)
    {
        return values.get(PEERS_BY_STATE + state.ordinal());
    }

    long transitions(final PeerState from, final PeerState to)
    {
        return values.get(transitionSlot(from, to));
    }

    long peerState(final int peer)
    {
        return values.get(PEER_STATES + peer);
    }

    long restarts()
    {
        return values.get(RESTARTS);
    }

    long sendFailures(final int message)
    {
        return values.get(SEND_FAILURES + message);
    }

    long ignored(final int reason)
    {
        return values.get(IGNORED + reason);
    }

    private static int transitionSlot(final PeerState from, final PeerState to)
    {
        return TRANSITIONS + from.ordinal() * STATES + to.ordinal();
    }

    private void add(final int slot, final long delta)
    {
        values.add(slot, delta);
    }

    private void counter(
        final MeterRegistry registry, final String name, final String description, final String tagKey,
        final String tagValue, final int slot)
    {
        values.counter(registry, name, description, slot, null == tagKey ? new String[0] : new String[]{ tagKey, tagValue });
    }
}
