package io.multikernel.node.membership;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.multikernel.common.PeerIncarnations;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Random sequences of messages heard, clock advances and duty cycles, checked step by step against
 * a reference model that is little more than "last heard versus the timeouts". jqwik prints the
 * seed and the shrunk sequence of a failure; {@code @Property(seed = "...")} replays it.
 */
class MembershipPropertiesTest
{
    private static final long MS_NS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long HEARTBEAT_INTERVAL_NS = 10 * MS_NS;
    private static final long SUSPECT_TIMEOUT_NS = 50 * MS_NS;
    private static final long DOWN_TIMEOUT_NS = 200 * MS_NS;
    private static final long HELLO_RETRY_INTERVAL_NS = 25 * MS_NS;
    private static final int SELF = 0;
    private static final int[] PEERS = { 1, 2, 5 };
    private static final long FIRST_INCARNATION = 1_000;
    private static final int STEPS_MAX = 300;

    /** One thing that happens to the core. */
    sealed interface Step permits Advance, ToTimeout, Heard, Hello, Goodbye, NewIncarnation, Work, Leave
    {
    }

    /** Time passes. */
    record Advance(long durationNs) implements Step
    {
    }

    /**
     * Time passes until the peer has been silent for the suspect or down timeout plus {@code offsetNs}
     * (-1, 0 or 1), if that is still ahead: the boundaries are where off-by-one errors live.
     */
    record ToTimeout(int coreId, boolean down, int offsetNs) implements Step
    {
    }

    /** A message from the peer; its incarnation is the known one plus {@code incarnationDelta}. */
    record Heard(int coreId, int incarnationDelta) implements Step
    {
    }

    /** The peer's Hello. */
    record Hello(int coreId, int incarnationDelta, boolean reply) implements Step
    {
    }

    /** The peer's Goodbye. */
    record Goodbye(int coreId, int incarnationDelta) implements Step
    {
    }

    /** The transport's onNewIncarnation: the peer shows its next incarnation. */
    record NewIncarnation(int coreId) implements Step
    {
    }

    /** A duty cycle. */
    record Work() implements Step
    {
    }

    /** This core leaves (graceful shutdown). */
    record Leave() implements Step
    {
    }

    private static ch.qos.logback.classic.Level savedLevel;

    /** Hundreds of thousands of transitions are logged otherwise; the log is not under test here. */
    @BeforeContainer
    static void quietTheLog()
    {
        final ch.qos.logback.classic.Logger logger =
            (ch.qos.logback.classic.Logger)LoggerFactory.getLogger(Membership.class);
        savedLevel = logger.getLevel();
        logger.setLevel(ch.qos.logback.classic.Level.ERROR);
    }

    @AfterContainer
    static void restoreTheLog()
    {
        ((ch.qos.logback.classic.Logger)LoggerFactory.getLogger(Membership.class)).setLevel(savedLevel);
    }

    @Provide
    Arbitrary<List<Step>> steps()
    {
        final Arbitrary<Integer> peer = Arbitraries.of(1, 2, 5);
        final Arbitrary<Integer> delta = Arbitraries.frequency(Tuple.of(1, -1), Tuple.of(8, 0), Tuple.of(1, 1));
        final Arbitrary<Step> advance = Arbitraries.frequencyOf(
            Tuple.of(6, Arbitraries.longs().between(0, 2 * HEARTBEAT_INTERVAL_NS)),
            Tuple.of(1, Arbitraries.longs().between(0, 3 * DOWN_TIMEOUT_NS)))
            .map(durationNs -> new Advance(durationNs));
        final Arbitrary<Step> toTimeout = Combinators
            .combine(peer, Arbitraries.of(true, false), Arbitraries.of(-1, 0, 1))
            .as((coreId, down, offsetNs) -> new ToTimeout(coreId, down, offsetNs));
        final Arbitrary<Step> heard = Combinators.combine(peer, delta).as((coreId, d) -> new Heard(coreId, d));
        final Arbitrary<Step> hello = Combinators.combine(peer, delta, Arbitraries.of(true, false))
            .as((coreId, d, reply) -> new Hello(coreId, d, reply));
        final Arbitrary<Step> goodbye = Combinators.combine(peer, delta).as((coreId, d) -> new Goodbye(coreId, d));
        final Arbitrary<Step> newIncarnation = peer.map(coreId -> new NewIncarnation(coreId));
        final Arbitrary<Step> step = Arbitraries.frequencyOf(
            Tuple.of(30, Arbitraries.<Step>just(new Work())),
            Tuple.of(25, advance),
            Tuple.of(5, toTimeout),
            Tuple.of(20, heard),
            Tuple.of(8, hello),
            Tuple.of(3, goodbye),
            Tuple.of(3, newIncarnation),
            Tuple.of(1, Arbitraries.<Step>just(new Leave())));
        return step.list().ofMaxSize(STEPS_MAX);
    }

    @Property(tries = 500)
    void agreesWithTheReferenceModelAfterEveryStep(@ForAll final long startNs, @ForAll("steps") final List<Step> steps)
    {
        final Run run = new Run(startNs);
        for (final Step step : steps)
        {
            run.apply(step);
            run.check(step);
        }
        run.checkSendSpacing();
    }

    /** The system under test, the reference model and what the test observed of the first. */
    private static final class Run
    {
        private final RecordingSender sender = new RecordingSender();
        private final RecordingListener listener = new RecordingListener();
        private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        private final Membership membership;
        private final ReferenceModel model = new ReferenceModel(PEERS);
        private final PeerState[] replayed = new PeerState[PEERS[PEERS.length - 1] + 1];
        private int sendsChecked;
        private int transitionsReplayed;
        private long nowNs;

        Run(final long startNs)
        {
            nowNs = startNs;
            java.util.Arrays.fill(replayed, PeerState.UNKNOWN);
            membership = new Membership(new Membership.Context()
                .selfCoreId(SELF)
                .peerCoreIds(PEERS)
                .heartbeatIntervalNs(HEARTBEAT_INTERVAL_NS)
                .suspectTimeoutNs(SUSPECT_TIMEOUT_NS)
                .downTimeoutNs(DOWN_TIMEOUT_NS)
                .helloRetryIntervalNs(HELLO_RETRY_INTERVAL_NS)
                .sender(sender)
                .listener(listener)
                .meterRegistry(registry));
        }

        void apply(final Step step)
        {
            sender.now(nowNs);
            if (step instanceof Advance advance)
            {
                nowNs += advance.durationNs();
            }
            else if (step instanceof ToTimeout toTimeout)
            {
                final ReferenceModel.Peer peer = model.peer(toTimeout.coreId());
                final long targetNs = peer.lastHeardNs + toTimeout.offsetNs() +
                    (toTimeout.down() ? DOWN_TIMEOUT_NS : SUSPECT_TIMEOUT_NS);
                if (peer.heard && targetNs - nowNs > 0)
                {
                    nowNs = targetNs;
                }
            }
            else if (step instanceof Heard heard)
            {
                final long incarnation = model.incarnationFor(heard.coreId(), heard.incarnationDelta());
                membership.onHeard(heard.coreId(), incarnation, nowNs);
                model.heard(heard.coreId(), incarnation, nowNs);
            }
            else if (step instanceof Hello hello)
            {
                final long incarnation = model.incarnationFor(hello.coreId(), hello.incarnationDelta());
                membership.onHello(hello.coreId(), incarnation, 3, hello.reply(), nowNs);
                model.hello(hello.coreId(), incarnation, hello.reply(), nowNs);
            }
            else if (step instanceof Goodbye goodbye)
            {
                final long incarnation = model.incarnationFor(goodbye.coreId(), goodbye.incarnationDelta());
                membership.onGoodbye(goodbye.coreId(), incarnation, nowNs);
                model.goodbye(goodbye.coreId(), incarnation, nowNs);
            }
            else if (step instanceof NewIncarnation next)
            {
                final long old = model.peer(next.coreId()).incarnation;
                final long incarnation = model.incarnationFor(next.coreId(), 1);
                membership.onNewIncarnation(next.coreId(), old, incarnation, nowNs);
                model.heard(next.coreId(), incarnation, nowNs);
            }
            else if (step instanceof Work)
            {
                applyWork();
            }
            else if (step instanceof Leave)
            {
                membership.leave(nowNs);
                checkGoodbyes();
                model.leave();
            }
        }

        private void applyWork()
        {
            final int workCount = membership.doWork(nowNs);
            final int sendsBefore = sendsChecked;
            checkNewSends();
            final int transitions = model.advance(nowNs);
            assertThat(workCount).as("work count: transitions + sends")
                .isEqualTo(transitions + sendsChecked - sendsBefore);
            assertThat(membership.doWork(nowNs)).as("a second duty cycle at the same time is idle").isZero();
            checkNothingOverdue();
            final MembershipSnapshot published = membership.publishedSnapshot();
            assertThat(nowNs - published.takenAtNs()).as("published snapshot age").isLessThan(HEARTBEAT_INTERVAL_NS);
            for (final int coreId : PEERS)
            {
                assertThat(published.peer(coreId).state()).as("published state of %d", coreId)
                    .isEqualTo(model.peer(coreId).state);
            }
        }

        /** Leaving says Goodbye once to each peer that has not left, and nothing else. */
        private void checkGoodbyes()
        {
            final int expected = model.leaving ? 0 : PEERS.length - model.count(PeerState.LEFT);
            assertThat(sender.sends.size() - sendsChecked).as("goodbyes").isEqualTo(expected);
            for (; sendsChecked < sender.sends.size(); sendsChecked++)
            {
                final RecordingSender.Send send = sender.sends.get(sendsChecked);
                assertThat(send.kind()).isEqualTo(RecordingSender.Kind.GOODBYE);
                assertThat(model.peer(send.coreId()).state).isNotEqualTo(PeerState.LEFT);
            }
        }

        /** Each send since the last check must suit the model's view of the peer when it was sent. */
        private void checkNewSends()
        {
            for (; sendsChecked < sender.sends.size(); sendsChecked++)
            {
                final RecordingSender.Send send = sender.sends.get(sendsChecked);
                final ReferenceModel.Peer peer = model.peer(send.coreId());
                assertThat(model.leaving).as("sent %s while leaving", send).isFalse();
                assertThat(peer.state).as("sent %s to a peer that left", send).isNotEqualTo(PeerState.LEFT);
                switch (send.kind())
                {
                    case HEARTBEAT -> assertThat(peer.handshaken).as("%s before the handshake", send).isTrue();
                    case HELLO -> assertThat(peer.handshaken).as("%s after the handshake", send).isFalse();
                    case HELLO_REPLY ->
                    {
                        assertThat(peer.helloReplyOwed).as("%s not owed", send).isTrue();
                        peer.helloReplyOwed = false;
                        peer.lastReplyNs = send.nowNs();
                        peer.repliedAny = true;
                    }
                    default -> throw new AssertionError("unexpected " + send);
                }
                if (RecordingSender.Kind.HELLO_REPLY != send.kind())
                {
                    peer.lastSendNs = send.nowNs();
                    peer.sentAny = true;
                }
            }
        }

        /** After a duty cycle, nothing that was due may be left unsent. */
        private void checkNothingOverdue()
        {
            if (model.leaving)
            {
                return;
            }
            for (final int coreId : PEERS)
            {
                final ReferenceModel.Peer peer = model.peer(coreId);
                if (PeerState.LEFT == peer.state)
                {
                    continue;
                }
                // The next tick at least half an interval on is at most one and a half intervals on.
                final long intervalNs = peer.handshaken ? HEARTBEAT_INTERVAL_NS * 3 / 2 : HELLO_RETRY_INTERVAL_NS;
                assertThat(peer.sentAny).as("peer %d never sent to", coreId).isTrue();
                assertThat(nowNs - peer.lastSendNs).as("peer %d overdue", coreId).isLessThan(intervalNs);
                final boolean replyDue = !peer.repliedAny || nowNs - peer.lastReplyNs >= HEARTBEAT_INTERVAL_NS;
                assertThat(peer.helloReplyOwed && replyDue)
                    .as("peer %d reply overdue", coreId).isFalse();
            }
        }

        void check(final Step step)
        {
            final MembershipSnapshot snapshot = membership.snapshot(nowNs);
            for (final int coreId : PEERS)
            {
                final ReferenceModel.Peer expected = model.peer(coreId);
                final PeerView actual = snapshot.peer(coreId);
                assertThat(actual.state()).as("state of %d after %s", coreId, step).isEqualTo(expected.state);
                assertThat(actual.incarnation()).as("incarnation of %d", coreId).isEqualTo(expected.incarnation);
                assertThat(actual.handshaken()).as("handshaken %d", coreId).isEqualTo(expected.handshaken);
                assertThat(actual.restarts()).as("restarts of %d", coreId).isEqualTo(expected.restarts);
                assertThat(actual.lastHeardAgeNs()).as("age of %d", coreId)
                    .isEqualTo(expected.heard ? nowNs - expected.lastHeardNs : Membership.NEVER_HEARD);
            }
            for (final PeerState state : PeerState.values())
            {
                assertThat(membership.count(state)).as("count of %s", state).isEqualTo(model.count(state));
                if (step instanceof Work)
                {
                    assertThat(registry.get("mk.membership.peers").tag("state", state.metricTag()).gauge().value())
                        .isEqualTo(model.count(state));
                }
            }
            assertThat(membership.restartCount()).isEqualTo(model.restarts);
            assertThat(membership.ignoredCount(MembershipMetrics.IGNORED_STALE_INCARNATION)).isEqualTo(model.stale);
            checkTransitionsReplay();
        }

        /** Replaying the listener's transitions from UNKNOWN must give the current states, by legal moves. */
        private void checkTransitionsReplay()
        {
            for (; transitionsReplayed < listener.transitions.size(); transitionsReplayed++)
            {
                final RecordingListener.Transition transition = listener.transitions.get(transitionsReplayed);
                assertThat(transition.from()).isEqualTo(replayed[transition.coreId()]);
                assertThat(transition.from().canMoveTo(transition.to())).as("%s", transition).isTrue();
                replayed[transition.coreId()] = transition.to();
            }
            for (final int coreId : PEERS)
            {
                assertThat(replayed[coreId]).isEqualTo(model.peer(coreId).state);
            }
            assertThat(listener.restarts).hasSize((int)model.restarts);
        }

        /**
         * No peer gets a Hello reply more often than once per heartbeat interval, nor Hello-or-Heartbeat
         * more often than once per half interval, nor two Heartbeats in one tick interval of the grid.
         */
        void checkSendSpacing()
        {
            for (final int coreId : PEERS)
            {
                long previousNs = 0;
                boolean any = false;
                long previousReplyNs = 0;
                boolean anyReply = false;
                long previousTick = 0;
                long previousHeartbeatNs = 0;
                boolean anyHeartbeat = false;
                for (final RecordingSender.Send send : sender.to(coreId))
                {
                    if (RecordingSender.Kind.HELLO_REPLY == send.kind())
                    {
                        assertThat(!anyReply || send.nowNs() - previousReplyNs >= HEARTBEAT_INTERVAL_NS)
                            .as("reply %s too soon", send).isTrue();
                        previousReplyNs = send.nowNs();
                        anyReply = true;
                    }
                    else if (RecordingSender.Kind.GOODBYE != send.kind())
                    {
                        // Heartbeats ride the shared tick grid: never closer than half an interval,
                        // and never two in one tick interval.
                        assertThat(!any || send.nowNs() - previousNs >= HEARTBEAT_INTERVAL_NS / 2)
                            .as("%s too soon", send).isTrue();
                        if (RecordingSender.Kind.HEARTBEAT == send.kind())
                        {
                            // The grid shifts once where the clock wraps (2^64 is no multiple of
                            // the interval); there only the half-interval spacing holds. The wrap
                            // is between this heartbeat and the previous one, whatever was sent
                            // in between.
                            final long tick = Math.floorDiv(send.nowNs(), HEARTBEAT_INTERVAL_NS);
                            final boolean wrapped = send.nowNs() < previousHeartbeatNs;
                            assertThat(!anyHeartbeat || wrapped || tick > previousTick)
                                .as("%s is a second heartbeat in one tick interval", send).isTrue();
                            previousTick = tick;
                            previousHeartbeatNs = send.nowNs();
                            anyHeartbeat = true;
                        }
                        previousNs = send.nowNs();
                        any = true;
                    }
                }
            }
        }
    }

    /** What the membership of each peer should be, written as plainly as possible. */
    private static final class ReferenceModel
    {
        /** One peer of the model. */
        static final class Peer
        {
            PeerState state = PeerState.UNKNOWN;
            long incarnation = PeerIncarnations.UNKNOWN_INCARNATION;
            boolean heard;
            long lastHeardNs;
            boolean handshaken;
            long restarts;
            boolean helloReplyOwed;
            boolean repliedAny;
            long lastReplyNs;
            boolean sentAny;
            long lastSendNs;
            boolean newIncarnation;
        }

        private final Peer[] peers;
        long restarts;
        long stale;
        boolean leaving;

        ReferenceModel(final int[] coreIds)
        {
            peers = new Peer[coreIds[coreIds.length - 1] + 1];
            for (final int coreId : coreIds)
            {
                peers[coreId] = new Peer();
            }
        }

        Peer peer(final int coreId)
        {
            return peers[coreId];
        }

        long incarnationFor(final int coreId, final int delta)
        {
            final long known = peers[coreId].incarnation;
            return (PeerIncarnations.UNKNOWN_INCARNATION == known ? FIRST_INCARNATION : known) + delta;
        }

        /** @return true when the input is from the known incarnation or a newer one. */
        private boolean admit(final Peer peer, final long incarnation, final long nowNs)
        {
            if (PeerIncarnations.UNKNOWN_INCARNATION != peer.incarnation && incarnation < peer.incarnation)
            {
                stale++;
                return false;
            }
            if (incarnation != peer.incarnation)
            {
                if (PeerIncarnations.UNKNOWN_INCARNATION != peer.incarnation)
                {
                    restarts++;
                    peer.restarts++;
                }
                peer.incarnation = incarnation;
                peer.handshaken = false;
                peer.helloReplyOwed = false;
                peer.newIncarnation = true;
            }
            peer.heard = true;
            peer.lastHeardNs = nowNs;
            return true;
        }

        void heard(final int coreId, final long incarnation, final long nowNs)
        {
            final Peer peer = peers[coreId];
            peer.newIncarnation = false;
            if (admit(peer, incarnation, nowNs) && (peer.newIncarnation || PeerState.LEFT != peer.state))
            {
                peer.state = PeerState.UP;
            }
        }

        void hello(final int coreId, final long incarnation, final boolean reply, final long nowNs)
        {
            final Peer peer = peers[coreId];
            peer.newIncarnation = false;
            if (admit(peer, incarnation, nowNs) && (peer.newIncarnation || PeerState.LEFT != peer.state))
            {
                peer.state = PeerState.UP;
                peer.handshaken = true;
                peer.helloReplyOwed |= !reply && !leaving;
            }
        }

        void goodbye(final int coreId, final long incarnation, final long nowNs)
        {
            final Peer peer = peers[coreId];
            if (admit(peer, incarnation, nowNs))
            {
                peer.state = PeerState.LEFT;
                peer.handshaken = false;
                peer.helloReplyOwed = false;
            }
        }

        void leave()
        {
            leaving = true;
            for (final Peer peer : peers)
            {
                if (null != peer)
                {
                    peer.helloReplyOwed = false;
                }
            }
        }

        /**
         * Silence decides: UP below the suspect timeout, SUSPECT below the down timeout, DOWN after.
         *
         * @return how many peers changed state.
         */
        int advance(final long nowNs)
        {
            int transitions = 0;
            for (final Peer peer : peers)
            {
                if (null == peer || (PeerState.UP != peer.state && PeerState.SUSPECT != peer.state))
                {
                    continue;
                }
                final long silenceNs = nowNs - peer.lastHeardNs;
                final PeerState expected = silenceNs >= DOWN_TIMEOUT_NS ? PeerState.DOWN :
                    silenceNs >= SUSPECT_TIMEOUT_NS ? PeerState.SUSPECT : PeerState.UP;
                if (expected != peer.state)
                {
                    peer.state = expected;
                    transitions++;
                }
            }
            return transitions;
        }

        int count(final PeerState state)
        {
            int count = 0;
            for (final Peer peer : peers)
            {
                count += null != peer && peer.state == state ? 1 : 0;
            }
            return count;
        }
    }
}
