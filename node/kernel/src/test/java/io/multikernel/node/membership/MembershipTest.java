package io.multikernel.node.membership;

import static io.multikernel.node.membership.RecordingSender.Kind.GOODBYE;
import static io.multikernel.node.membership.RecordingSender.Kind.HEARTBEAT;
import static io.multikernel.node.membership.RecordingSender.Kind.HELLO;
import static io.multikernel.node.membership.RecordingSender.Kind.HELLO_REPLY;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.multikernel.common.PeerIncarnations;
import io.multikernel.transport.SendOutcome;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Drives {@link Membership} directly with an advanceable clock, as the core's agent would.
 */
class MembershipTest
{
    private static final long HEARTBEAT_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long SUSPECT_TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final long DOWN_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(2);
    private static final long HELLO_RETRY_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(250);
    private static final long ONE_MS_NS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final int SELF = 0;
    private static final int PEER = 1;
    private static final int OTHER = 2;
    private static final long INCARNATION = 7_000;
    private static final int HOST = 3;

    private final RecordingSender sender = new RecordingSender();
    private final RecordingListener listener = new RecordingListener();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private long nowNs = 1_000_000_000L;
    private Membership membership = newMembership();

    private Membership newMembership()
    {
        return new Membership(new Membership.Context()
            .selfCoreId(SELF)
            .peerCoreIds(PEER, OTHER)
            .heartbeatIntervalNs(HEARTBEAT_INTERVAL_NS)
            .suspectTimeoutNs(SUSPECT_TIMEOUT_NS)
            .downTimeoutNs(DOWN_TIMEOUT_NS)
            .helloRetryIntervalNs(HELLO_RETRY_INTERVAL_NS)
            .sender(sender)
            .listener(listener)
            .meterRegistry(registry));
    }

    private int advanceAndWork(final long durationNs)
    {
        nowNs += durationNs;
        return membership.doWork(nowNs);
    }

    /** Advance in 1 ms steps, calling doWork on each, like an agent whose idle strategy parks 1 ms. */
    private int runFor(final long durationNs)
    {
        int workCount = 0;
        for (long elapsedNs = 0; elapsedNs < durationNs; elapsedNs += ONE_MS_NS)
        {
            workCount += advanceAndWork(ONE_MS_NS);
        }
        return workCount;
    }

    private void handshake(final int coreId)
    {
        membership.onHello(coreId, INCARNATION, HOST, true, nowNs);
    }

    @Test
    void startsWithEveryPeerUnknownAndSendsHelloToEach()
    {
        assertThat(membership.state(PEER)).isEqualTo(PeerState.UNKNOWN);
        assertThat(membership.count(PeerState.UNKNOWN)).isEqualTo(2);

        assertThat(membership.doWork(nowNs)).isEqualTo(2);

        assertThat(sender.sends).containsExactly(
            new RecordingSender.Send(HELLO, PEER, nowNs), new RecordingSender.Send(HELLO, OTHER, nowNs));
    }

    @Test
    void handshakeMakesThePeerUp()
    {
        membership.doWork(nowNs);
        nowNs += ONE_MS_NS;

        membership.onHello(PEER, INCARNATION, HOST, true, nowNs);

        assertThat(membership.state(PEER)).isEqualTo(PeerState.UP);
        assertThat(membership.incarnation(PEER)).isEqualTo(INCARNATION);
        assertThat(listener.last()).isEqualTo(new RecordingListener.Transition(PEER, INCARNATION, PeerState.UNKNOWN,
            PeerState.UP, TransitionCause.HELLO, Membership.NEVER_HEARD, nowNs));
        final PeerView view = membership.snapshot(nowNs).peer(PEER);
        assertThat(view.hostId()).isEqualTo(HOST);
        assertThat(view.handshaken()).isTrue();
        assertThat(view.lastHeardAgeNs()).isZero();
        // A snapshot taken at the duty cycle's start, before the message heard later in the cycle,
        // shows the peer just heard, not "never heard".
        assertThat(membership.snapshot(nowNs - ONE_MS_NS).peer(PEER).lastHeardAgeNs()).isZero();
        assertThat(membership.snapshot(nowNs + ONE_MS_NS).peer(PEER).lastHeardAgeNs()).isEqualTo(ONE_MS_NS);
        assertThat(membership.state(OTHER)).isEqualTo(PeerState.UNKNOWN);
    }

    @Test
    void answersAHelloThatIsNotAReplyAtMostOncePerHeartbeatInterval()
    {
        membership.doWork(nowNs);
        membership.onHello(PEER, INCARNATION, HOST, false, nowNs);
        assertThat(membership.doWork(nowNs)).isEqualTo(1);
        assertThat(sender.count(HELLO_REPLY, PEER)).isEqualTo(1);

        // The peer's Hellos keep coming (it did not get our reply yet): answered again, but not at once.
        for (int i = 0; i < 50; i++)
        {
            nowNs += ONE_MS_NS;
            membership.onHello(PEER, INCARNATION, HOST, false, nowNs);
            membership.doWork(nowNs);
        }
        assertThat(sender.count(HELLO_REPLY, PEER)).isEqualTo(1);
        runFor(HEARTBEAT_INTERVAL_NS);
        assertThat(sender.count(HELLO_REPLY, PEER)).isEqualTo(2);
        runFor(10 * HEARTBEAT_INTERVAL_NS);
        assertThat(sender.count(HELLO_REPLY, PEER)).isEqualTo(2);
    }

    @Test
    void aReplyIsNotAnswered()
    {
        membership.doWork(nowNs);
        handshake(PEER);
        runFor(DOWN_TIMEOUT_NS);
        assertThat(sender.count(HELLO_REPLY)).isZero();
    }

    @Test
    void silenceMakesThePeerSuspectAtTheSuspectTimeoutAndDownAtTheDownTimeout()
    {
        membership.doWork(nowNs);
        handshake(PEER);
        final long heardNs = nowNs;

        membership.doWork(heardNs + SUSPECT_TIMEOUT_NS - 1);
        assertThat(membership.state(PEER)).isEqualTo(PeerState.UP);
        membership.doWork(heardNs + SUSPECT_TIMEOUT_NS);
        assertThat(membership.state(PEER)).isEqualTo(PeerState.SUSPECT);
        assertThat(listener.last()).isEqualTo(new RecordingListener.Transition(PEER, INCARNATION, PeerState.UP,
            PeerState.SUSPECT, TransitionCause.SILENCE, SUSPECT_TIMEOUT_NS, heardNs + SUSPECT_TIMEOUT_NS));

        membership.doWork(heardNs + DOWN_TIMEOUT_NS - 1);
        assertThat(membership.state(PEER)).isEqualTo(PeerState.SUSPECT);
        membership.doWork(heardNs + DOWN_TIMEOUT_NS);
        assertThat(membership.state(PEER)).isEqualTo(PeerState.DOWN);
        assertThat(listener.last().from()).isEqualTo(PeerState.SUSPECT);
        assertThat(listener.last().cause()).isEqualTo(TransitionCause.SILENCE);
    }

    @Test
    void heartbeatsKeepThePeerUp()
    {
        membership.doWork(nowNs);
        handshake(PEER);
        for (int i = 0; i < 100; i++)
        {
            runFor(HEARTBEAT_INTERVAL_NS);
            membership.onHeard(PEER, INCARNATION, nowNs);
        }
        assertThat(membership.state(PEER)).isEqualTo(PeerState.UP);
        assertThat(listener.transitions).hasSize(1);
    }

    @Test
    void aLateDutyCycleGoesStraightFromUpToDown()
    {
        membership.doWork(nowNs);
        handshake(PEER);

        assertThat(advanceAndWork(DOWN_TIMEOUT_NS + SUSPECT_TIMEOUT_NS)).isPositive();

        assertThat(membership.state(PEER)).isEqualTo(PeerState.DOWN);
        assertThat(listener.last().from()).isEqualTo(PeerState.UP);
    }

    @Test
    void aDownPeerHeardAgainIsUp()
    {
        membership.doWork(nowNs);
        handshake(PEER);
        runFor(DOWN_TIMEOUT_NS);
        assertThat(membership.state(PEER)).isEqualTo(PeerState.DOWN);

        runFor(HEARTBEAT_INTERVAL_NS);
        membership.onHeard(PEER, INCARNATION, nowNs);

        assertThat(membership.state(PEER)).isEqualTo(PeerState.UP);
        assertThat(listener.last().from()).isEqualTo(PeerState.DOWN);
        assertThat(listener.last().cause()).isEqualTo(TransitionCause.HEARD);
        assertThat(listener.last().silenceNs()).isEqualTo(DOWN_TIMEOUT_NS + HEARTBEAT_INTERVAL_NS);
        assertThat(listener.restarts).isEmpty();
    }

    @Test
    void aSuspectPeerHeardAgainIsUp()
    {
        membership.doWork(nowNs);
        handshake(PEER);
        runFor(SUSPECT_TIMEOUT_NS);
        assertThat(membership.state(PEER)).isEqualTo(PeerState.SUSPECT);

        membership.onHeard(PEER, INCARNATION, nowNs);

        assertThat(membership.state(PEER)).isEqualTo(PeerState.UP);
    }

    @Test
    void aNewIncarnationIsUpAndCountedAsARestart()
    {
        membership.doWork(nowNs);
        handshake(PEER);
        runFor(DOWN_TIMEOUT_NS);
        assertThat(membership.state(PEER)).isEqualTo(PeerState.DOWN);

        // The transport reports the new incarnation first, then the frame that carried it: one restart.
        membership.onNewIncarnation(PEER, INCARNATION, INCARNATION + 1, nowNs);
        membership.onHello(PEER, INCARNATION + 1, HOST, false, nowNs);

        assertThat(membership.state(PEER)).isEqualTo(PeerState.UP);
        assertThat(membership.incarnation(PEER)).isEqualTo(INCARNATION + 1);
        assertThat(listener.restarts).containsExactly(
            new RecordingListener.Restart(PEER, INCARNATION, INCARNATION + 1, nowNs));
        assertThat(listener.last().cause()).isEqualTo(TransitionCause.NEW_INCARNATION);
        assertThat(membership.snapshot(nowNs).peer(PEER).restarts()).isEqualTo(1);
        assertThat(registry.get("mk.membership.peer.restarts").functionCounter().count()).isEqualTo(1);
        membership.doWork(nowNs);
        assertThat(sender.count(HELLO_REPLY, PEER)).isEqualTo(1);
    }

    @Test
    void aNewIncarnationOfAnUpPeerIsARestartWithoutATransition()
    {
        membership.doWork(nowNs);
        handshake(PEER);

        membership.onHeard(PEER, INCARNATION + 5, nowNs);

        assertThat(membership.state(PEER)).isEqualTo(PeerState.UP);
        assertThat(listener.transitions).hasSize(1);
        assertThat(membership.restartCount()).isEqualTo(1);
        // This incarnation has not said Hello: ask for it instead of heartbeating.
        assertThat(membership.snapshot(nowNs).peer(PEER).handshaken()).isFalse();
        runFor(HEARTBEAT_INTERVAL_NS);
        assertThat(sender.to(PEER).get(sender.to(PEER).size() - 1).kind()).isEqualTo(HELLO);
    }

    @Test
    void firstContactIsNotARestart()
    {
        membership.onNewIncarnation(PEER, PeerIncarnations.UNKNOWN_INCARNATION, INCARNATION, nowNs);

        assertThat(membership.state(PEER)).isEqualTo(PeerState.UP);
        assertThat(listener.last().cause()).isEqualTo(TransitionCause.HEARD);
        assertThat(listener.restarts).isEmpty();
        assertThat(membership.restartCount()).isZero();
    }

    @Test
    void anOlderIncarnationIsIgnoredAndCounted()
    {
        handshake(PEER);
        runFor(DOWN_TIMEOUT_NS);

        membership.onHeard(PEER, INCARNATION - 1, nowNs);
        membership.onHello(PEER, INCARNATION - 1, HOST, false, nowNs);
        membership.onGoodbye(PEER, INCARNATION - 1, nowNs);

        assertThat(membership.state(PEER)).isEqualTo(PeerState.DOWN);
        assertThat(membership.incarnation(PEER)).isEqualTo(INCARNATION);
        assertThat(membership.ignoredCount(MembershipMetrics.IGNORED_STALE_INCARNATION)).isEqualTo(3);
        assertThat(registry.get("mk.membership.ignored").tag("reason", "stale_incarnation").functionCounter().count())
            .isEqualTo(3);
    }

    @Test
    void anUnknownCoreIsIgnoredAndCounted()
    {
        membership.onHeard(99, INCARNATION, nowNs);
        membership.onHeard(-1, INCARNATION, nowNs);
        membership.onHello(SELF, INCARNATION, HOST, false, nowNs);

        assertThat(membership.ignoredCount(MembershipMetrics.IGNORED_UNKNOWN_PEER)).isEqualTo(3);
        assertThat(membership.count(PeerState.UNKNOWN)).isEqualTo(2);
        assertThat(membership.state(99)).isNull();
    }

    @Test
    void goodbyeMakesThePeerLeftAndOnlyANewIncarnationBringsItBack()
    {
        membership.doWork(nowNs);
        handshake(PEER);
        runFor(HEARTBEAT_INTERVAL_NS);

        membership.onGoodbye(PEER, INCARNATION, nowNs);
        assertThat(membership.state(PEER)).isEqualTo(PeerState.LEFT);
        assertThat(listener.last().cause()).isEqualTo(TransitionCause.GOODBYE);

        membership.onHeard(PEER, INCARNATION, nowNs);
        final long sendsBefore = sender.to(PEER).size();
        runFor(3 * DOWN_TIMEOUT_NS);
        assertThat(membership.state(PEER)).isEqualTo(PeerState.LEFT);
        assertThat(sender.to(PEER)).hasSize((int)sendsBefore);

        // A Hello of the incarnation that left (a replay, or a confused peer) changes nothing.
        final long repliesBefore = sender.count(HELLO_REPLY, PEER);
        membership.onHello(PEER, INCARNATION, HOST, false, nowNs);
        assertThat(membership.state(PEER)).isEqualTo(PeerState.LEFT);
        membership.doWork(nowNs);
        assertThat(sender.count(HELLO_REPLY, PEER)).isEqualTo(repliesBefore);

        membership.onHello(PEER, INCARNATION + 1, HOST, false, nowNs);
        assertThat(membership.state(PEER)).isEqualTo(PeerState.UP);
        assertThat(listener.last().from()).isEqualTo(PeerState.LEFT);
        assertThat(listener.last().cause()).isEqualTo(TransitionCause.NEW_INCARNATION);
        membership.doWork(nowNs);
        assertThat(sender.count(HELLO_REPLY, PEER)).isEqualTo(repliesBefore + 1);
    }

    @Test
    void aLeftPeerHeardWithANewIncarnationIsUp()
    {
        handshake(PEER);
        membership.onGoodbye(PEER, INCARNATION, nowNs);

        membership.onHeard(PEER, INCARNATION + 1, nowNs + ONE_MS_NS);

        assertThat(membership.state(PEER)).isEqualTo(PeerState.UP);
        assertThat(membership.restartCount()).isEqualTo(1);
    }

    @Test
    void goodbyeFromAPeerNeverHeardIsLeft()
    {
        membership.onGoodbye(PEER, INCARNATION, nowNs);

        assertThat(membership.state(PEER)).isEqualTo(PeerState.LEFT);
        assertThat(listener.last().from()).isEqualTo(PeerState.UNKNOWN);
    }

    @Test
    void sendsHeartbeatsAtTheIntervalAndNotMoreOften()
    {
        membership.doWork(nowNs);
        handshake(PEER);
        handshake(OTHER);
        final long startNs = nowNs;
        sender.sends.clear();

        runFor(TimeUnit.SECONDS.toNanos(10));
        for (int i = 0; i < 1000; i++)
        {
            // Messages heard do not change when heartbeats go out.
            membership.onHeard(PEER, INCARNATION, nowNs);
            membership.doWork(nowNs);
        }

        final long expected = (nowNs - startNs) / HEARTBEAT_INTERVAL_NS;
        for (final int coreId : new int[] { PEER, OTHER })
        {
            final List<RecordingSender.Send> sends = sender.to(coreId);
            assertThat(sends).allMatch(send -> send.kind() == HEARTBEAT);
            assertThat((long)sends.size()).isBetween(expected - 1, expected);
            for (int i = 1; i < sends.size(); i++)
            {
                assertThat(sends.get(i).nowNs() - sends.get(i - 1).nowNs())
                    .isGreaterThanOrEqualTo(HEARTBEAT_INTERVAL_NS);
            }
        }
    }

    @Test
    void aLateDutyCycleSendsOneHeartbeatNotABurst()
    {
        membership.doWork(nowNs);
        handshake(PEER);
        advanceAndWork(HEARTBEAT_INTERVAL_NS);
        sender.sends.clear();

        advanceAndWork(10 * HEARTBEAT_INTERVAL_NS);
        membership.doWork(nowNs);

        assertThat(sender.count(HEARTBEAT, PEER)).isEqualTo(1);
    }

    @Test
    void retriesHelloAtTheRetryIntervalUntilTheHandshake()
    {
        membership.doWork(nowNs);
        runFor(TimeUnit.SECONDS.toNanos(1));

        assertThat(sender.count(HELLO, PEER)).isEqualTo(1 + TimeUnit.SECONDS.toNanos(1) / HELLO_RETRY_INTERVAL_NS);
        assertThat(sender.count(HEARTBEAT)).isZero();

        handshake(PEER);
        final long lastHelloNs = sender.to(PEER).get(sender.to(PEER).size() - 1).nowNs();
        runFor(HELLO_RETRY_INTERVAL_NS);

        // After the handshake the next message comes one heartbeat interval after the last Hello.
        final List<RecordingSender.Send> after = sender.to(PEER).stream().filter(s -> s.nowNs() > lastHelloNs).toList();
        assertThat(after).isNotEmpty().allMatch(send -> send.kind() == HEARTBEAT);
        assertThat(after.get(0).nowNs()).isEqualTo(lastHelloNs + HEARTBEAT_INTERVAL_NS);
    }

    @Test
    void doWorkReturnsZeroWhenIdle()
    {
        assertThat(membership.doWork(nowNs)).isEqualTo(2);
        assertThat(membership.doWork(nowNs)).isZero();
        handshake(PEER);
        handshake(OTHER);
        assertThat(membership.doWork(nowNs)).isZero();

        int nonZero = 0;
        for (int i = 0; i < 10_000; i++)
        {
            nowNs += TimeUnit.MICROSECONDS.toNanos(100);
            membership.onHeard(PEER, INCARNATION, nowNs);
            membership.onHeard(OTHER, INCARNATION, nowNs);
            final int workCount = membership.doWork(nowNs);
            nonZero += workCount > 0 ? 1 : 0;
            assertThat(membership.doWork(nowNs)).as("second doWork at the same time").isZero();
        }
        // One second of peers heard every 100 us: only the heartbeat ticks did work.
        assertThat(nonZero).isBetween(9, 10);
    }

    @Test
    void doWorkWithNoPeersIsAlwaysIdle()
    {
        membership = new Membership(new Membership.Context().selfCoreId(SELF).sender(sender));
        for (int i = 0; i < 1000; i++)
        {
            assertThat(advanceAndWork(ONE_MS_NS)).isZero();
        }
        assertThat(sender.sends).isEmpty();
    }

    @Test
    void failedSendsAreCountedAndRetriedAtTheNextIntervalNotAtOnce()
    {
        sender.outcome(PEER, SendOutcome.NOT_CONNECTED);
        membership.doWork(nowNs);
        runFor(TimeUnit.SECONDS.toNanos(1));

        final long hellos = sender.count(HELLO, PEER);
        assertThat(hellos).isEqualTo(1 + TimeUnit.SECONDS.toNanos(1) / HELLO_RETRY_INTERVAL_NS);
        assertThat(membership.sendFailureCount(MembershipMetrics.MESSAGE_HELLO)).isEqualTo(hellos);
        assertThat(registry.get("mk.membership.send.failures").tag("message", "hello").functionCounter().count())
            .isEqualTo(hellos);
        assertThat(membership.snapshot(nowNs).peer(PEER).lastSendOutcome()).isEqualTo(SendOutcome.NOT_CONNECTED);
        assertThat(membership.snapshot(nowNs).peer(OTHER).lastSendOutcome()).isEqualTo(SendOutcome.SENT);
    }

    @Test
    void leaveSaysGoodbyeToEveryPeerNotLeftAndThenSendsNothing()
    {
        membership.doWork(nowNs);
        handshake(PEER);
        membership.onGoodbye(OTHER, INCARNATION, nowNs);
        sender.sends.clear();

        assertThat(membership.leave(nowNs)).isEqualTo(1);
        assertThat(membership.leave(nowNs)).isZero();

        assertThat(sender.sends).extracting(RecordingSender.Send::kind, RecordingSender.Send::coreId)
            .containsExactly(org.assertj.core.groups.Tuple.tuple(GOODBYE, PEER));
        membership.onHello(PEER, INCARNATION, HOST, false, nowNs);
        runFor(DOWN_TIMEOUT_NS);
        assertThat(sender.sends).hasSize(1);
        assertThat(membership.isLeaving()).isTrue();
    }

    @Test
    void aFailedGoodbyeIsCounted()
    {
        sender.outcome(PEER, SendOutcome.BACK_PRESSURED);

        assertThat(membership.leave(nowNs)).isEqualTo(1);

        assertThat(membership.sendFailureCount(MembershipMetrics.MESSAGE_GOODBYE)).isEqualTo(1);
    }

    @Test
    void deadlinesSurviveTheWrapOfTheNanosecondClock()
    {
        nowNs = Long.MAX_VALUE - SUSPECT_TIMEOUT_NS / 2;
        membership.doWork(nowNs);
        handshake(PEER);

        runFor(SUSPECT_TIMEOUT_NS - ONE_MS_NS);
        assertThat(membership.state(PEER)).isEqualTo(PeerState.UP);
        assertThat(sender.count(HEARTBEAT, PEER)).isEqualTo(4);
        runFor(ONE_MS_NS);
        assertThat(membership.state(PEER)).isEqualTo(PeerState.SUSPECT);
        runFor(DOWN_TIMEOUT_NS - SUSPECT_TIMEOUT_NS);
        assertThat(membership.state(PEER)).isEqualTo(PeerState.DOWN);
    }

    @Test
    void snapshotIsAnImmutableCopyAndIsPublishedByDoWork()
    {
        membership.doWork(nowNs);
        final MembershipSnapshot before = membership.publishedSnapshot();
        assertThat(before.count(PeerState.UNKNOWN)).isEqualTo(2);

        handshake(PEER);
        final long heardNs = nowNs;
        advanceAndWork(ONE_MS_NS);

        final MembershipSnapshot published = membership.publishedSnapshot();
        assertThat(published).isNotSameAs(before);
        assertThat(published.takenAtNs()).isEqualTo(nowNs);
        assertThat(published.peer(PEER)).isEqualTo(new PeerView(PEER, PeerState.UP, INCARNATION, nowNs - heardNs, HOST,
            true, 0, SendOutcome.SENT));
        assertThat(published.peer(OTHER).lastHeardAgeNs()).isEqualTo(Membership.NEVER_HEARD);
        assertThat(published.peer(OTHER).incarnation()).isEqualTo(PeerIncarnations.UNKNOWN_INCARNATION);
        assertThat(published.peers()).isUnmodifiable();
        assertThat(before.peer(PEER).state()).isEqualTo(PeerState.UNKNOWN);

        // Ages are refreshed at least once per heartbeat interval even when nothing changes.
        runFor(HEARTBEAT_INTERVAL_NS);
        assertThat(nowNs - membership.publishedSnapshot().takenAtNs()).isLessThan(HEARTBEAT_INTERVAL_NS);
    }

    @Test
    void publishedSnapshotExistsBeforeTheFirstDutyCycle()
    {
        final MembershipSnapshot snapshot = membership.publishedSnapshot();

        assertThat(snapshot.selfCoreId()).isEqualTo(SELF);
        assertThat(snapshot.peers()).extracting(PeerView::coreId).containsExactly(PEER, OTHER);
        assertThat(snapshot.count(PeerState.UNKNOWN)).isEqualTo(2);
    }

    @Test
    void anIllegalMoveIsNeverMade()
    {
        for (final PeerState from : PeerState.values())
        {
            assertThat(from.canMoveTo(from)).as("%s to itself", from).isFalse();
            assertThat(from.canMoveTo(PeerState.UNKNOWN)).as("%s to unknown", from).isFalse();
        }
        assertThat(PeerState.LEFT.canMoveTo(PeerState.DOWN)).isFalse();
        assertThat(PeerState.DOWN.canMoveTo(PeerState.SUSPECT)).isFalse();
        assertThat(PeerState.UNKNOWN.canMoveTo(PeerState.SUSPECT)).isFalse();
    }
}
