package io.multikernel.node.membership;

import io.micrometer.core.instrument.MeterRegistry;
import io.multikernel.node.util.CounterSlots;


/**
 * Membership's meters. The agent is the only writer, so an update is a plain read and an ordered
 * write; Micrometer reads the values on another thread when scraped. Every series is registered up
 * front, and every tag comes from a small enum, so cardinality is fixed: 5 states, the 11 legal
 * moves of {@link PeerState#canMoveTo}, 3 message kinds, 2 ignore reasons.
 *
 * <pre>
 *   mk_membership_peers{state}                   gauge: peers in each state now
 *   mk_membership_transitions_total{from,to}     moves between states
 *   mk_membership_peer_restarts_total            peers seen with a newer incarnation than a known one
 *   mk_membership_send_failures_total{message}   Hello/Heartbeat/Goodbye sends that did not go out
 *   mk_membership_ignored_total{reason}          inputs ignored: stale incarnation, unknown peer
 * </pre>
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
    private static final int SLOTS = IGNORED + IGNORED_TAGS.length;

    private final CounterSlots values = new CounterSlots(SLOTS);

    MembershipMetrics(final MeterRegistry registry)
    {
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

    void onTransition(final PeerState from, final PeerState to)
    {
        add(PEERS_BY_STATE + from.ordinal(), -1);
        add(PEERS_BY_STATE + to.ordinal(), 1);
        add(transitionSlot(from, to), 1);
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
