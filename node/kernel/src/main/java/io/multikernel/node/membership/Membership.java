package io.multikernel.node.membership;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.multikernel.common.Bounds;
import io.multikernel.common.PeerIncarnations;
import io.multikernel.node.util.Ticks;
import io.multikernel.transport.PeerDescriptor;
import io.multikernel.transport.SendOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The monitor's failure detector: what this core believes about each peer ({@link PeerState}),
 * and when to send Hello and Heartbeat so that the peers can believe the same about it.
 * <p>
 * Inputs are the messages heard from peers ({@link #onHeard}, {@link #onHello}, {@link #onGoodbye},
 * {@link #onNewIncarnation}) and the passage of time ({@link #doWork}). Time is always passed in:
 * the agent reads its injected clock once per duty cycle, and tests advance a fake one.
 * <ul>
 *   <li>Anything valid heard from a peer's current incarnation makes it UP, unless it LEFT.</li>
 *   <li>Silence for the suspect timeout makes an UP peer SUSPECT; for the down timeout, DOWN.</li>
 *   <li>A newer incarnation, or a Hello, makes any peer UP; a newer incarnation after a known one
 *       is a restart, counted and told to the listener.</li>
 *   <li>Goodbye makes a peer LEFT: no timers, no messages to it. Only a new incarnation of the
 *       peer brings it back; neither a Hello nor anything else from the incarnation that left does.</li>
 *   <li>Until a peer's Hello is heard it gets a Hello every hello retry interval; after, a
 *       Heartbeat at every tick of the heartbeat interval ({@link Ticks}: aligned across the cores
 *       of a host, so idle cores wake for one burst). A peer's Hello that is not a reply is
 *       answered, at most once per heartbeat interval. Failed sends are counted and retried at the
 *       next tick.</li>
 * </ul>
 * Not thread safe: owned by the core's agent. Other threads read {@link #publishedSnapshot()}.
 */
public final class Membership
{
    /** Age or silence of a peer never heard from. */
    public static final long NEVER_HEARD = -1;
    /** Host id of a peer whose Hello has not been heard. */
    public static final int HOST_ID_UNKNOWN = -1;

    private static final Logger LOGGER = LoggerFactory.getLogger(Membership.class);

    private final int selfCoreId;
    private final long heartbeatIntervalNs;
    private final long suspectTimeoutNs;
    private final long downTimeoutNs;
    private final long helloRetryIntervalNs;
    private final MembershipSender sender;
    private final MembershipListener listener;
    private final MembershipMetrics metrics;
    private final PeerEntry[] peers;
    private final int[] indexByCoreId;
    private final PeerIncarnations incarnations;

    private boolean started;
    private boolean leaving;
    private boolean snapshotDirty = true;
    /** No timer of any peer is due before this; inputs that may bring one forward pull it in. */
    private long nextDeadlineNs;
    private long nextSnapshotNs;
    private volatile MembershipSnapshot publishedSnapshot;

    /**
     * @param ctx configuration; concluded here.
     */
    public Membership(final Context ctx)
    {
        ctx.conclude();
        selfCoreId = ctx.selfCoreId;
        heartbeatIntervalNs = ctx.heartbeatIntervalNs;
        suspectTimeoutNs = ctx.suspectTimeoutNs;
        downTimeoutNs = ctx.downTimeoutNs;
        helloRetryIntervalNs = ctx.helloRetryIntervalNs;
        sender = ctx.sender;
        listener = ctx.listener;
        incarnations = null != ctx.incarnations ? ctx.incarnations : PeerIncarnations.of(ctx.peerCoreIds);
        final int[] coreIds = ctx.peerCoreIds.clone();
        Arrays.sort(coreIds);
        metrics = new MembershipMetrics(ctx.meterRegistry, coreIds);
        peers = new PeerEntry[coreIds.length];
        indexByCoreId = new int[coreIds.length == 0 ? 0 : coreIds[coreIds.length - 1] + 1];
        Arrays.fill(indexByCoreId, -1);
        for (int i = 0; i < coreIds.length; i++)
        {
            peers[i] = new PeerEntry(coreIds[i]);
            indexByCoreId[coreIds[i]] = i;
            metrics.onPeerAdded(PeerState.UNKNOWN);
        }
        publishedSnapshot = snapshot(0);
    }

    /**
     * Any valid message from a peer: Heartbeat, Ping, Pong, a protocol message. For messages whose
     * callback carries no incarnation, pass {@link PeerIncarnations#incarnation(int)}.
     *
     * @param coreId      of the peer.
     * @param incarnation of the message's sender.
     * @param nowNs       current time.
     */
    public void onHeard(final int coreId, final long incarnation, final long nowNs)
    {
        final PeerEntry peer = admit(coreId, incarnation);
        if (null == peer)
        {
            return;
        }
        final boolean newer = peer.incarnation != incarnation;
        final boolean restarted = newer && newIncarnation(peer, incarnation, nowNs);
        final long silenceNs = touch(peer, nowNs);
        if (newer || PeerState.LEFT != peer.state)
        {
            final TransitionCause cause = restarted ? TransitionCause.NEW_INCARNATION : TransitionCause.HEARD;
            moveTo(peer, PeerState.UP, cause, silenceNs, nowNs);
        }
    }

    /**
     * A peer's Hello: completes the handshake with that incarnation; a Hello that is not a reply is
     * answered by the next {@link #doWork}.
     *
     * @param coreId      of the peer.
     * @param incarnation of the peer.
     * @param hostId      the peer's host ("package").
     * @param reply       true when the Hello answers ours.
     * @param nowNs       current time.
     */
    public void onHello(
        final int coreId, final long incarnation, final int hostId, final boolean reply, final long nowNs)
    {
        final PeerEntry peer = admit(coreId, incarnation);
        if (null == peer)
        {
            return;
        }
        if (PeerState.LEFT == peer.state && peer.incarnation == incarnation)
        {
            // It said goodbye: only a new incarnation comes back, never the one that left.
            touch(peer, nowNs);
            return;
        }
        final boolean restarted = peer.incarnation != incarnation && newIncarnation(peer, incarnation, nowNs);
        final long silenceNs = touch(peer, nowNs);
        if (peer.hostId != hostId)
        {
            peer.hostId = hostId;
            snapshotDirty = true;
        }
        if (!peer.handshaken)
        {
            peer.handshaken = true;
            snapshotDirty = true;
            if (peer.sentAny)
            {
                // Hellos may have been spaced wider than Heartbeats: do not make the peer wait.
                peer.nextSendNs = earliest(peer.nextSendNs, peer.lastSendNs + heartbeatIntervalNs);
            }
        }
        peer.helloReplyOwed |= !reply && !leaving;
        final TransitionCause cause = restarted ? TransitionCause.NEW_INCARNATION : TransitionCause.HELLO;
        moveTo(peer, PeerState.UP, cause, silenceNs, nowNs);
        arm(nowNs);
    }

    /**
     * A peer's Goodbye: it leaves cleanly.
     *
     * @param coreId      of the peer.
     * @param incarnation of the peer.
     * @param nowNs       current time.
     */
    public void onGoodbye(final int coreId, final long incarnation, final long nowNs)
    {
        final PeerEntry peer = admit(coreId, incarnation);
        if (null == peer)
        {
            return;
        }
        if (peer.incarnation != incarnation)
        {
            newIncarnation(peer, incarnation, nowNs);
        }
        final long silenceNs = touch(peer, nowNs);
        peer.handshaken = false;
        peer.helloReplyOwed = false;
        moveTo(peer, PeerState.LEFT, TransitionCause.GOODBYE, silenceNs, nowNs);
    }

    /**
     * The core's table of peer incarnations, which the URPC inbox keeps, saw a newer incarnation of a
     * peer ({@code UrpcHandler.onNewIncarnation}): on first contact {@code oldIncarnation} is
     * {@link PeerIncarnations#UNKNOWN_INCARNATION}, otherwise the peer restarted. Either way the peer is
     * UP with the new incarnation. The peer's entry resets once, when the incarnation it belongs to
     * differs from the current one, so calling this and then {@link #onHello} for the same frame
     * counts one restart, not two.
     *
     * @param coreId         of the peer.
     * @param oldIncarnation the transport knew; informational.
     * @param newIncarnation now seen.
     * @param nowNs          current time.
     */
    public void onNewIncarnation(
        final int coreId, final long oldIncarnation, final long newIncarnation, final long nowNs)
    {
        onHeard(coreId, newIncarnation, nowNs);
    }

    /**
     * Advance the timers: move silent peers towards DOWN, send what is due, publish the snapshot.
     *
     * @param nowNs current time.
     * @return transitions made plus messages sent (failed sends included), 0 when nothing was due.
     */
    public int doWork(final long nowNs)
    {
        if (!started)
        {
            start(nowNs);
        }
        if (nowNs - nextDeadlineNs < 0)
        {
            return 0;
        }
        int workCount = 0;
        long nextNs = nowNs + downTimeoutNs;
        for (final PeerEntry peer : peers)
        {
            workCount += checkSilence(peer, nowNs);
            if (!leaving && PeerState.LEFT != peer.state)
            {
                workCount += sendDue(peer, nowNs);
            }
            nextNs = deadline(peer, nowNs, nextNs);
        }
        if (snapshotDirty || nowNs - nextSnapshotNs >= 0)
        {
            publishedSnapshot = snapshot(nowNs);
            snapshotDirty = false;
            nextSnapshotNs = nowNs + heartbeatIntervalNs;
        }
        nextDeadlineNs = earliest(nextNs, nextSnapshotNs);
        return workCount;
    }

    /**
     * Leave cleanly: send Goodbye to every peer that has not left, then send nothing more. Called
     * once on graceful shutdown (SIGTERM); later calls do nothing.
     *
     * @param nowNs current time.
     * @return Goodbyes that went out.
     */
    public int leave(final long nowNs)
    {
        if (leaving)
        {
            return 0;
        }
        leaving = true;
        int sent = 0;
        for (final PeerEntry peer : peers)
        {
            peer.helloReplyOwed = false;
            if (PeerState.LEFT != peer.state)
            {
                if (SendOutcome.SENT == sender.sendGoodbye(peer.coreId))
                {
                    sent++;
                }
                else
                {
                    metrics.onSendFailed(MembershipMetrics.MESSAGE_GOODBYE);
                }
            }
        }
        snapshotDirty = true;
        arm(nowNs);
        return sent;
    }

    /**
     * @param coreId of a peer.
     * @return its state, or {@code null} when it is not a peer.
     */
    public PeerState state(final int coreId)
    {
        final PeerEntry peer = peer(coreId);
        return null == peer ? null : peer.state;
    }

    /**
     * @param coreId of a peer.
     * @return its current incarnation, as the core's table says, or {@link PeerIncarnations#UNKNOWN_INCARNATION}.
     */
    public long incarnation(final int coreId)
    {
        final PeerEntry peer = peer(coreId);
        return null == peer ? PeerIncarnations.UNKNOWN_INCARNATION : incarnations.incarnation(coreId);
    }

    /**
     * @return the table that decides which incarnation of each peer is current: the one given to the
     *         context (the core's URPC inbox updates it), or one of this membership's own.
     */
    public PeerIncarnations incarnations()
    {
        return incarnations;
    }

    /**
     * @param state to count.
     * @return peers in that state now.
     */
    public int count(final PeerState state)
    {
        return (int)metrics.peers(state);
    }

    public int peerCount()
    {
        return peers.length;
    }

    public int selfCoreId()
    {
        return selfCoreId;
    }

    public boolean isLeaving()
    {
        return leaving;
    }

    /**
     * Copy the current beliefs. On the agent thread only.
     *
     * @param nowNs current time, for ages.
     * @return an immutable snapshot.
     */
    public MembershipSnapshot snapshot(final long nowNs)
    {
        final List<PeerView> views = new ArrayList<>(peers.length);
        for (final PeerEntry peer : peers)
        {
            views.add(new PeerView(peer.coreId, peer.state, incarnations.incarnation(peer.coreId), peer.silenceNs(nowNs), peer.hostId,
                peer.handshaken, peer.restarts, peer.lastSendOutcome));
        }
        return new MembershipSnapshot(selfCoreId, nowNs, views);
    }

    /**
     * The snapshot last published by {@link #doWork}: at once after any change, and at least once per
     * heartbeat interval so ages stay fresh. Safe from any thread. Before the first duty cycle it
     * shows every peer UNKNOWN with {@code takenAtNs} 0.
     *
     * @return the published snapshot.
     */
    public MembershipSnapshot publishedSnapshot()
    {
        return publishedSnapshot;
    }

    long restartCount()
    {
        return metrics.restarts();
    }

    long sendFailureCount(final int message)
    {
        return metrics.sendFailures(message);
    }

    long ignoredCount(final int reason)
    {
        return metrics.ignored(reason);
    }

    private void start(final long nowNs)
    {
        started = true;
        for (final PeerEntry peer : peers)
        {
            peer.nextSendNs = nowNs;
        }
        nextDeadlineNs = nowNs;
        nextSnapshotNs = nowNs;
    }

    private PeerEntry peer(final int coreId)
    {
        final int index = coreId >= 0 && coreId < indexByCoreId.length ? indexByCoreId[coreId] : -1;
        return index < 0 ? null : peers[index];
    }

    /**
     * Asks the core's table whether the input's incarnation is current; on a node the inbox has
     * decided already, and this changes nothing. Afterwards the table's current incarnation is
     * {@code incarnation}, and the caller resets the peer's entry if it belongs to another.
     *
     * @return the peer when the input is from a known peer and not from an older incarnation, else
     * {@code null} with the reason counted.
     */
    private PeerEntry admit(final int coreId, final long incarnation)
    {
        final PeerEntry peer = peer(coreId);
        final int seen = null == peer ? PeerIncarnations.NOT_A_PEER : incarnations.observe(coreId, incarnation);
        if (PeerIncarnations.NOT_A_PEER == seen)
        {
            metrics.onIgnored(MembershipMetrics.IGNORED_UNKNOWN_PEER);
            return null;
        }
        if (PeerIncarnations.STALE == seen)
        {
            metrics.onIgnored(MembershipMetrics.IGNORED_STALE_INCARNATION);
            return null;
        }
        return peer;
    }

    /**
     * @return true when this is a restart, false on first contact.
     */
    private boolean newIncarnation(final PeerEntry peer, final long incarnation, final long nowNs)
    {
        final long oldIncarnation = peer.incarnation;
        peer.incarnation = incarnation;
        metrics.onIncarnation(indexByCoreId[peer.coreId], incarnation);
        // The new incarnation knows nothing of us: handshake again.
        peer.handshaken = false;
        peer.helloReplyOwed = false;
        snapshotDirty = true;
        arm(nowNs);
        if (PeerIncarnations.UNKNOWN_INCARNATION != oldIncarnation)
        {
            peer.restarts++;
            metrics.onRestart();
            LOGGER.info("core {}: peer {} restarted, incarnation {} -> {}", selfCoreId, peer.coreId, oldIncarnation,
                incarnation);
            listener.onRestart(peer.coreId, oldIncarnation, incarnation, nowNs);
            return true;
        }
        return false;
    }

    /**
     * @return the silence that this message ends, or {@link #NEVER_HEARD}.
     */
    private static long touch(final PeerEntry peer, final long nowNs)
    {
        final long silenceNs = peer.silenceNs(nowNs);
        peer.heard = true;
        peer.lastHeardNs = nowNs;
        return silenceNs;
    }

    private int checkSilence(final PeerEntry peer, final long nowNs)
    {
        if (!peer.state.isTimed())
        {
            return 0;
        }
        final long silenceNs = nowNs - peer.lastHeardNs;
        if (silenceNs >= downTimeoutNs)
        {
            moveTo(peer, PeerState.DOWN, TransitionCause.SILENCE, silenceNs, nowNs);
            return 1;
        }
        if (PeerState.UP == peer.state && silenceNs >= suspectTimeoutNs)
        {
            moveTo(peer, PeerState.SUSPECT, TransitionCause.SILENCE, silenceNs, nowNs);
            return 1;
        }
        return 0;
    }

    private int sendDue(final PeerEntry peer, final long nowNs)
    {
        int workCount = 0;
        if (peer.helloReplyOwed && (!peer.repliedAny || nowNs - (peer.lastHelloReplyNs + heartbeatIntervalNs) >= 0))
        {
            peer.helloReplyOwed = false;
            peer.repliedAny = true;
            peer.lastHelloReplyNs = nowNs;
            recordSend(peer, sender.sendHello(peer.coreId, true, nowNs), MembershipMetrics.MESSAGE_HELLO);
            workCount++;
        }
        if (nowNs - peer.nextSendNs >= 0)
        {
            final boolean handshaken = peer.handshaken;
            final SendOutcome outcome = handshaken ?
                sender.sendHeartbeat(peer.coreId, nowNs) : sender.sendHello(peer.coreId, false, nowNs);
            recordSend(peer, outcome,
                handshaken ? MembershipMetrics.MESSAGE_HEARTBEAT : MembershipMetrics.MESSAGE_HELLO);
            // From now, not from the missed deadline: a late duty cycle must not cause a burst.
            peer.sentAny = true;
            peer.lastSendNs = nowNs;
            // Heartbeats go out on the shared tick grid so idle cores exchange them in bursts.
            // The first tick at least half an interval away keeps two Heartbeats that far apart.
            peer.nextSendNs = handshaken ?
                Ticks.nextTick(nowNs + heartbeatIntervalNs / 2, heartbeatIntervalNs) : nowNs + helloRetryIntervalNs;
            workCount++;
        }
        return workCount;
    }

    private void recordSend(final PeerEntry peer, final SendOutcome outcome, final int message)
    {
        if (SendOutcome.SENT != outcome)
        {
            metrics.onSendFailed(message);
        }
        if (peer.lastSendOutcome != outcome)
        {
            peer.lastSendOutcome = outcome;
            snapshotDirty = true;
        }
    }

    /**
     * @return the earliest time anything about this peer is due, or {@code otherwiseNs} if earlier.
     */
    private long deadline(final PeerEntry peer, final long nowNs, final long otherwiseNs)
    {
        long deadlineNs = otherwiseNs;
        if (PeerState.UP == peer.state)
        {
            deadlineNs = earliest(deadlineNs, peer.lastHeardNs + suspectTimeoutNs);
        }
        else if (PeerState.SUSPECT == peer.state)
        {
            deadlineNs = earliest(deadlineNs, peer.lastHeardNs + downTimeoutNs);
        }
        if (!leaving && PeerState.LEFT != peer.state)
        {
            deadlineNs = earliest(deadlineNs, peer.nextSendNs);
            if (peer.helloReplyOwed)
            {
                final long replyNs = peer.repliedAny ? peer.lastHelloReplyNs + heartbeatIntervalNs : nowNs;
                deadlineNs = earliest(deadlineNs, replyNs);
            }
        }
        return deadlineNs;
    }

    private void moveTo(
        final PeerEntry peer, final PeerState to, final TransitionCause cause, final long silenceNs, final long nowNs)
    {
        final PeerState from = peer.state;
        if (from == to)
        {
            return;
        }
        if (!from.canMoveTo(to))
        {
            throw new IllegalStateException("core " + selfCoreId + ": peer " + peer.coreId + " cannot move from " +
                from + " to " + to + " (cause " + cause.logName() + ")");
        }
        peer.state = to;
        metrics.onTransition(indexByCoreId[peer.coreId], from, to);
        snapshotDirty = true;
        arm(nowNs);
        logTransition(peer, from, to, cause, silenceNs);
        listener.onTransition(peer.coreId, peer.incarnation, from, to, cause, silenceNs, nowNs);
    }

    private void logTransition(
        final PeerEntry peer,
        final PeerState from,
        final PeerState to,
        final TransitionCause cause,
        final long silenceNs)
    {
        final String silence = NEVER_HEARD == silenceNs ? "never heard before" :
            "silent " + TimeUnit.NANOSECONDS.toMillis(silenceNs) + " ms before";
        if (PeerState.SUSPECT == to || PeerState.DOWN == to)
        {
            LOGGER.warn("core {}: peer {} {} -> {} after {} (incarnation {})", selfCoreId, peer.coreId,
                from.metricTag(), to.metricTag(), NEVER_HEARD == silenceNs ? "hearing nothing from it" :
                TimeUnit.NANOSECONDS.toMillis(silenceNs) + " ms of silence", peer.incarnation);
        }
        else
        {
            LOGGER.info("core {}: peer {} {} -> {} on {} (incarnation {}, {})",
                selfCoreId, peer.coreId, from.metricTag(), to.metricTag(), cause.logName(), peer.incarnation, silence);
        }
    }

    /** Make the next {@link #doWork} at or after {@code nowNs} look at every peer. */
    private void arm(final long nowNs)
    {
        nextDeadlineNs = earliest(nextDeadlineNs, nowNs);
    }

    /** Deadlines compare by difference, so the arithmetic stays right across the long wrap. */
    private static long earliest(final long aNs, final long bNs)
    {
        return aNs - bNs < 0 ? aNs : bNs;
    }

    /**
     * Configuration of a {@link Membership}. Defaults come from {@link MembershipConfiguration};
     * {@link #conclude()} validates once and names the offending value and the limit.
     */
    public static final class Context
    {
        private int selfCoreId = -1;
        private int[] peerCoreIds = new int[0];
        private long heartbeatIntervalNs = MembershipConfiguration.heartbeatIntervalNs();
        private long suspectTimeoutNs = MembershipConfiguration.suspectTimeoutNs();
        private long downTimeoutNs = MembershipConfiguration.downTimeoutNs();
        private long helloRetryIntervalNs = MembershipConfiguration.helloRetryIntervalNs();
        private MembershipSender sender;
        private MembershipListener listener = MembershipListener.NO_OP;
        private MeterRegistry meterRegistry;
        private PeerIncarnations incarnations;

        /**
         * Validate and fill derived defaults.
         *
         * @return this.
         * @throws IllegalArgumentException naming the bad value and the limit.
         */
        public Context conclude()
        {
            checkCoreId("selfCoreId", selfCoreId);
            checkPeers();
            checkRange("heartbeatIntervalNs", MembershipConfiguration.HEARTBEAT_INTERVAL_PROP, heartbeatIntervalNs,
                MembershipConfiguration.HEARTBEAT_INTERVAL_MIN_NS, MembershipConfiguration.HEARTBEAT_INTERVAL_MAX_NS);
            checkRange("suspectTimeoutNs", MembershipConfiguration.SUSPECT_TIMEOUT_PROP, suspectTimeoutNs,
                MembershipConfiguration.SUSPECT_TIMEOUT_MIN_NS, MembershipConfiguration.SUSPECT_TIMEOUT_MAX_NS);
            checkRange("downTimeoutNs", MembershipConfiguration.DOWN_TIMEOUT_PROP, downTimeoutNs,
                MembershipConfiguration.DOWN_TIMEOUT_MIN_NS, MembershipConfiguration.DOWN_TIMEOUT_MAX_NS);
            checkRange("helloRetryIntervalNs", MembershipConfiguration.HELLO_RETRY_INTERVAL_PROP,
                helloRetryIntervalNs, MembershipConfiguration.HELLO_RETRY_INTERVAL_MIN_NS,
                MembershipConfiguration.HELLO_RETRY_INTERVAL_MAX_NS);
            checkOrder("suspectTimeoutNs", suspectTimeoutNs, "heartbeatIntervalNs", heartbeatIntervalNs, false);
            checkOrder("downTimeoutNs", downTimeoutNs, "suspectTimeoutNs", suspectTimeoutNs, false);
            checkOrder("helloRetryIntervalNs", helloRetryIntervalNs, "heartbeatIntervalNs", heartbeatIntervalNs, true);
            Objects.requireNonNull(sender, "sender");
            Objects.requireNonNull(listener, "listener");
            checkIncarnations();
            if (null == meterRegistry)
            {
                meterRegistry = new SimpleMeterRegistry();
            }
            return this;
        }

        /**
         * The core's table of peer incarnations, which decides which incarnation of a peer is current;
         * without one the membership makes a table of its own (tests).
         */
        public Context incarnations(final PeerIncarnations incarnations)
        {
            this.incarnations = incarnations;
            return this;
        }

        /** This core's id. */
        public Context selfCoreId(final int selfCoreId)
        {
            this.selfCoreId = selfCoreId;
            return this;
        }

        /** Every other core in the cluster map: static membership. */
        public Context peerCoreIds(final int... peerCoreIds)
        {
            this.peerCoreIds = Objects.requireNonNull(peerCoreIds, "peerCoreIds").clone();
            return this;
        }

        /** Every other core in the cluster map, as given to the URPC endpoint. */
        public Context peers(final List<PeerDescriptor> peers)
        {
            return peerCoreIds(peers.stream().mapToInt(PeerDescriptor::coreId).toArray());
        }

        /** Time between two Heartbeats to one peer. */
        public Context heartbeatIntervalNs(final long heartbeatIntervalNs)
        {
            this.heartbeatIntervalNs = heartbeatIntervalNs;
            return this;
        }

        /** Silence after which an UP peer is SUSPECT. */
        public Context suspectTimeoutNs(final long suspectTimeoutNs)
        {
            this.suspectTimeoutNs = suspectTimeoutNs;
            return this;
        }

        /** Silence after which a peer is DOWN. */
        public Context downTimeoutNs(final long downTimeoutNs)
        {
            this.downTimeoutNs = downTimeoutNs;
            return this;
        }

        /** Time between two Hellos to a peer not yet handshaken. */
        public Context helloRetryIntervalNs(final long helloRetryIntervalNs)
        {
            this.helloRetryIntervalNs = helloRetryIntervalNs;
            return this;
        }

        /** How Hello, Heartbeat and Goodbye go out; required. */
        public Context sender(final MembershipSender sender)
        {
            this.sender = sender;
            return this;
        }

        /** Told about every transition and restart; defaults to {@link MembershipListener#NO_OP}. */
        public Context listener(final MembershipListener listener)
        {
            this.listener = listener;
            return this;
        }

        /** Where the meters go; defaults to a private {@link SimpleMeterRegistry}. */
        public Context meterRegistry(final MeterRegistry meterRegistry)
        {
            this.meterRegistry = meterRegistry;
            return this;
        }

        public long heartbeatIntervalNs()
        {
            return heartbeatIntervalNs;
        }

        public long suspectTimeoutNs()
        {
            return suspectTimeoutNs;
        }

        public long downTimeoutNs()
        {
            return downTimeoutNs;
        }

        public long helloRetryIntervalNs()
        {
            return helloRetryIntervalNs;
        }

        private void checkPeers()
        {
            Bounds.check("peer count", peerCoreIds.length, 0, MembershipConfiguration.PEER_COUNT_MAX);
            final int[] sorted = peerCoreIds.clone();
            Arrays.sort(sorted);
            for (int i = 0; i < sorted.length; i++)
            {
                checkCoreId("peer coreId", sorted[i]);
                if (sorted[i] == selfCoreId)
                {
                    throw new IllegalArgumentException("peer coreId=" + selfCoreId + " is this core itself");
                }
                if (i > 0 && sorted[i] == sorted[i - 1])
                {
                    throw new IllegalArgumentException("peer coreId=" + sorted[i] + " appears twice");
                }
            }
        }

        private void checkIncarnations()
        {
            for (final int coreId : peerCoreIds)
            {
                if (null != incarnations && !incarnations.isPeer(coreId))
                {
                    throw new IllegalArgumentException("the incarnations table given has no entry for peer core " +
                        coreId + ": build it from the same peers");
                }
            }
        }

        private static void checkCoreId(final String name, final int coreId)
        {
            Bounds.check(name, coreId, 0, PeerDescriptor.CORE_ID_MAX);
        }

        private static void checkRange(
            final String name, final String property, final long valueNs, final long minNs, final long maxNs)
        {
            if (valueNs < minNs || valueNs > maxNs)
            {
                // The property is set in ms: say its range too.
                throw new IllegalArgumentException(Bounds.message(name, valueNs, minNs, maxNs, "ns") + " (" + property +
                    " " + TimeUnit.NANOSECONDS.toMillis(minNs) + ".." + TimeUnit.NANOSECONDS.toMillis(maxNs) + ")");
            }
        }

        private static void checkOrder(
            final String name,
            final long valueNs,
            final String limitName,
            final long limitNs,
            final boolean equalAllowed)
        {
            if (valueNs < limitNs || (!equalAllowed && valueNs == limitNs))
            {
                throw new IllegalArgumentException(name + "=" + valueNs + " must be " +
                    (equalAllowed ? "at least " : "greater than ") + limitName + "=" + limitNs);
            }
        }
    }
}
