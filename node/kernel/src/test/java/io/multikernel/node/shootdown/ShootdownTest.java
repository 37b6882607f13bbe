package io.multikernel.node.shootdown;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import io.multikernel.node.skb.RoutingProtocol;
import io.multikernel.node.skb.SendPlan;
import io.multikernel.transport.SendOutcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ShootdownTest
{
    private static final long TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(100);

    @ParameterizedTest
    @EnumSource(RoutingProtocol.class)
    void everyTargetGetsOneRequestAndAcksOnceAndTheInitiatorCompletesOnce(final RoutingProtocol protocol)
    {
        final ShootdownNetwork network = new ShootdownNetwork(ShootdownNetwork.packages(8, 2), TIMEOUT_NS, 4);
        final SendPlan plan = network.planner.plan(protocol, 0, network.allBut(0));

        for (int round = 0; round < 3; round++)
        {
            network.delivered.clear();
            final long roundId = network.core(0).startRound(plan);
            network.deliverAll();

            for (final int target : plan.targets())
            {
                assertThat(network.delivered.stream().filter(m -> m.request() && m.destination() == target).count())
                    .as("requests to core %d in round %d (%s)", target, round, plan).isOne();
                assertThat(network.delivered.stream().filter(m -> !m.request() && m.source() == target).count())
                    .as("acks from core %d", target).isOne();
                assertThat(network.delivered.stream()
                    .filter(m -> !m.request() && m.source() == target).findFirst().orElseThrow().destination())
                    .as("core %d acks to the core that sent it the request", target).isEqualTo(plan.parentOf(target));
            }
            assertThat(network.outcomes(0).completed).hasSize(round + 1);
            assertThat(network.outcomes(0).completed.get(round)[0]).isEqualTo(roundId);
        }
        final Shootdown initiator = network.core(0);
        assertThat(initiator.roundsCompleted()).isEqualTo(3);
        assertThat(initiator.roundsInFlight()).isZero();
        assertThat(initiator.requestsSent()).as("appends per round: one per child of the initiator")
            .isEqualTo(3L * plan.childrenOf(0).length);
        assertThat(network.outcomes(0).failed).isEmpty();
        assertThat(initiator.staleAcks() + initiator.duplicateAcks() + initiator.unexpectedAcks() +
            initiator.miscountedAcks()).isZero();
    }

    @Test
    void multicastAggregatesOneAckPerPackageCoveringThePackage()
    {
        final ShootdownNetwork network = new ShootdownNetwork(ShootdownNetwork.packages(8, 2), TIMEOUT_NS, 4);
        final SendPlan plan = network.planner.plan(RoutingProtocol.MULTICAST, 0, network.allBut(0));
        assertThat(plan.initiatorMessages()).isEqualTo(2);

        network.core(0).startRound(plan);
        network.deliverAll();

        final List<ShootdownNetwork.Message> acksToInitiator = network.delivered.stream()
            .filter(m -> !m.request() && m.destination() == 0).collect(Collectors.toList());
        assertThat(acksToInitiator).hasSize(2);
        assertThat(acksToInitiator.stream().mapToInt(ShootdownNetwork.Message::acknowledgedCores).sorted().toArray())
            .containsExactly(3, 4);
        assertThat(network.outcomes(0).completed).hasSize(1);
    }

    @Test
    void theInitiatorCompletesOnlyWithTheLastAck()
    {
        final ShootdownNetwork network = new ShootdownNetwork(ShootdownNetwork.packages(4, 1), TIMEOUT_NS, 4);
        final SendPlan plan = network.planner.plan(RoutingProtocol.UNICAST, 0, network.allBut(0));
        network.core(0).startRound(plan);
        for (int i = 0; i < 3; i++)
        {
            network.deliverOne(); // the three requests; each queues an ack
        }
        network.clock.advance(5_000);

        network.deliverOne();
        network.deliverOne();
        assertThat(network.outcomes(0).completed).isEmpty();
        assertThat(network.core(0).roundsInFlight()).isOne();

        network.deliverOne();
        assertThat(network.outcomes(0).completed).hasSize(1);
        assertThat(network.outcomes(0).completed.get(0)[1]).as("latency by the injected clock").isEqualTo(5_000);
    }

    @Test
    void aMissingAckFailsTheRoundAtTheDeadlineNamingTheSilentCore()
    {
        final ShootdownNetwork network = new ShootdownNetwork(ShootdownNetwork.packages(4, 1), TIMEOUT_NS, 4);
        final SendPlan plan = network.planner.plan(RoutingProtocol.UNICAST, 0, network.allBut(0));
        final long roundId = network.core(0).startRound(plan);
        network.deliverAll(message -> !message.request() && message.source() == 2);

        network.clock.advance(TIMEOUT_NS - 1);
        assertThat(network.core(0).doWork(network.clock.nanoTime())).isZero();
        assertThat(network.outcomes(0).failed).isEmpty();

        network.clock.advance(1);
        assertThat(network.core(0).doWork(network.clock.nanoTime())).isOne();
        assertThat(network.outcomes(0).failed).containsExactly("round " + roundId +
            " timed out after 100 ms: 2 of 3 cores acknowledged, no ack from core(s) [2]");
        assertThat(network.outcomes(0).completed).isEmpty();
        assertThat(network.core(0).roundsTimedOut()).isOne();
        assertThat(network.core(0).roundsInFlight()).isZero();
    }

    @Test
    void eachSilentRoundFailsAtItsOwnDeadlineWhenSeveralOverlap()
    {
        final ShootdownNetwork network = new ShootdownNetwork(ShootdownNetwork.packages(4, 1), TIMEOUT_NS, 4);
        final SendPlan plan = network.planner.plan(RoutingProtocol.UNICAST, 0, network.allBut(0));
        final long first = network.core(0).startRound(plan);
        network.clock.advance(TIMEOUT_NS / 2);
        final long second = network.core(0).startRound(plan);
        network.deliverAll(message -> !message.request() && message.source() == 2);
        assertThat(network.core(0).roundsInFlight()).isEqualTo(2);

        network.clock.advance(TIMEOUT_NS / 2 - 1);
        assertThat(network.core(0).doWork(network.clock.nanoTime())).isZero();
        network.clock.advance(1);
        assertThat(network.core(0).doWork(network.clock.nanoTime())).isOne();
        assertThat(network.outcomes(0).failed).hasSize(1).first().asString().startsWith("round " + first + " ");

        network.clock.advance(TIMEOUT_NS / 2 - 1);
        assertThat(network.core(0).doWork(network.clock.nanoTime())).isZero();
        network.clock.advance(1);
        assertThat(network.core(0).doWork(network.clock.nanoTime())).isOne();
        assertThat(network.outcomes(0).failed).hasSize(2).last().asString().startsWith("round " + second + " ");
        assertThat(network.core(0).roundsInFlight()).isZero();
    }

    @Test
    void aLateAckAfterTheTimeoutAndAnAckForAnUnknownRoundAreCountedAsStale()
    {
        final ShootdownNetwork network = new ShootdownNetwork(ShootdownNetwork.packages(3, 1), TIMEOUT_NS, 4);
        final SendPlan plan = network.planner.plan(RoutingProtocol.UNICAST, 0, network.allBut(0));
        final long roundId = network.core(0).startRound(plan);
        network.deliverOne();
        network.deliverOne();
        network.clock.advance(TIMEOUT_NS);
        network.core(0).doWork(network.clock.nanoTime());

        network.deliverAll();
        network.core(0).onAck(1, roundId + 1000, 1);

        assertThat(network.core(0).staleAcks()).isEqualTo(3);
        assertThat(network.outcomes(0).completed).isEmpty();
        assertThat(network.outcomes(0).failed).hasSize(1);
    }

    @Test
    void aSecondAckFromOneChildIsADuplicateAndDoesNotCompleteTheRound()
    {
        final ShootdownNetwork network = new ShootdownNetwork(ShootdownNetwork.packages(3, 1), TIMEOUT_NS, 4);
        final SendPlan plan = network.planner.plan(RoutingProtocol.UNICAST, 0, network.allBut(0));
        final long roundId = network.core(0).startRound(plan);

        network.core(0).onAck(1, roundId, 1);
        network.core(0).onAck(1, roundId, 1);
        network.core(0).onAck(7, roundId, 1);

        assertThat(network.core(0).duplicateAcks()).isOne();
        assertThat(network.core(0).unexpectedAcks()).isOne();
        assertThat(network.outcomes(0).completed).isEmpty();
        network.core(0).onAck(2, roundId, 1);
        assertThat(network.outcomes(0).completed).hasSize(1);
    }

    @Test
    void roundsBeyondTheInFlightLimitAreRefused()
    {
        final ShootdownNetwork network = new ShootdownNetwork(ShootdownNetwork.packages(3, 1), TIMEOUT_NS, 2);
        final SendPlan plan = network.planner.plan(RoutingProtocol.UNICAST, 0, network.allBut(0));

        final long first = network.core(0).startRound(plan);
        final long second = network.core(0).startRound(plan);
        final long third = network.core(0).startRound(plan);

        assertThat(first).isNotEqualTo(second).isNotEqualTo(Shootdown.NO_ROUND);
        assertThat(third).isEqualTo(Shootdown.NO_ROUND);
        assertThat(network.core(0).roundsRefused()).isOne();
        network.deliverAll();
        assertThat(network.outcomes(0).completed).hasSize(2);
        assertThat(network.core(0).startRound(plan)).isNotEqualTo(Shootdown.NO_ROUND);
    }

    @Test
    void aRequestThatCannotBeSentFailsTheRoundAtOnce()
    {
        final ShootdownNetwork network = new ShootdownNetwork(ShootdownNetwork.packages(3, 1), TIMEOUT_NS, 2);
        final SendPlan plan = network.planner.plan(RoutingProtocol.UNICAST, 0, network.allBut(0));
        network.nextOutcome = SendOutcome.NOT_CONNECTED;

        final long roundId = network.core(0).startRound(plan);

        assertThat(network.outcomes(0).failed).containsExactly("round " + roundId +
            " failed: the request to core 1 was not sent (NOT_CONNECTED)");
        assertThat(network.core(0).roundsInFlight()).isZero();
        assertThat(network.core(0).sendFailures()).isOne();
    }

    @Test
    void aRelayWhoseSubtreeStaysSilentGivesUpItsSlotAndTheRoundTimesOut()
    {
        final ShootdownNetwork network = new ShootdownNetwork(ShootdownNetwork.packages(4, 1), TIMEOUT_NS, 2);
        final SendPlan plan = network.planner.plan(RoutingProtocol.MULTICAST, 0, network.allBut(0));
        assertThat(plan.childrenOf(1)).containsExactly(2, 3);
        network.core(0).startRound(plan);
        network.deliverAll(message -> !message.request() && message.source() == 3);

        network.clock.advance(TIMEOUT_NS);
        for (final Shootdown core : network.cores)
        {
            core.doWork(network.clock.nanoTime());
        }

        assertThat(network.core(1).relaysExpired()).isOne();
        // Core 1 relayed and acknowledged nothing because core 3 is silent: core 1 alone is not named.
        assertThat(network.outcomes(0).failed).singleElement().asString()
            .contains("no ack from core(s) [1 (or one of the 2 cores it relays to)]");
    }

    @Test
    void malformedForwardListsAndDuplicateRequestsAreCountedAndNotAcknowledged()
    {
        final ShootdownNetwork network = new ShootdownNetwork(ShootdownNetwork.packages(4, 1), TIMEOUT_NS, 2);
        final Shootdown core = network.core(1);

        core.onRequest(0, 77, 0, 0, 0, 0, new int[] {2, 3}, new int[] {2, 0}, 2);
        core.onRequest(0, 78, 0, 0, 0, 0, new int[] {2}, new int[] {-1}, 1);
        core.onRequest(0, 79, 0, 0, 0, 0, new int[0], new int[0], -1);
        assertThat(core.requestsMalformed()).isEqualTo(3);
        assertThat(network.inFlight).isEmpty();

        core.onRequest(0, 80, 0, 0, 0, 0, new int[] {2, 3}, new int[] {0, 0}, 2);
        core.onRequest(0, 80, 0, 0, 0, 0, new int[] {2, 3}, new int[] {0, 0}, 2);
        assertThat(core.requestsDuplicate()).isOne();
        assertThat(network.inFlight).hasSize(2);
    }

    @Test
    void roundIdsCarryTheInitiatorSoRelaysAndInitiatorsNeverShareThem()
    {
        final ShootdownNetwork network = new ShootdownNetwork(ShootdownNetwork.packages(4, 1), TIMEOUT_NS, 2);
        final long fromZero = network.core(0).startRound(network.planner.plan(RoutingProtocol.UNICAST, 0, new int[] {1}));
        final long fromThree = network.core(3).startRound(network.planner.plan(RoutingProtocol.UNICAST, 3, new int[] {1}));

        assertThat(fromZero >>> Shootdown.ROUND_SEQUENCE_BITS).isZero();
        assertThat(fromThree >>> Shootdown.ROUND_SEQUENCE_BITS).isEqualTo(3);
        assertThat(fromZero).isNotEqualTo(fromThree);
    }

    @Test
    void aPlanWithoutTargetsCompletesAtOnceAndAPlanFromAnotherCoreIsRefused()
    {
        final ShootdownNetwork network = new ShootdownNetwork(ShootdownNetwork.packages(2, 1), TIMEOUT_NS, 2);
        network.core(0).startRound(network.planner.plan(RoutingProtocol.UNICAST, 0, new int[0]));
        assertThat(network.outcomes(0).completed).hasSize(1);

        assertThatThrownBy(() -> network.core(0).startRound(network.planner.plan(RoutingProtocol.UNICAST, 1, new int[] {0})))
            .isInstanceOf(IllegalArgumentException.class).hasMessage("plan starts at core 1, not at core 0");
    }

    @Test
    void everyTargetIsAskedToInvalidateTheRoundsRangeWhateverThePlan()
    {
        for (final RoutingProtocol protocol : RoutingProtocol.values())
        {
            final ShootdownNetwork network = new ShootdownNetwork(ShootdownNetwork.packages(8, 2), TIMEOUT_NS, 4);
            network.core(0).startRound(network.planner.plan(protocol, 0, network.allBut(0)), 42, 512, 3);
            network.deliverAll();
            assertThat(network.outcomes(0).completed).as(protocol.toString()).hasSize(1);
            for (final int core : network.allBut(0))
            {
                assertThat(network.invalidated.get(core)).as("%s: core %d", protocol, core)
                    .singleElement().isEqualTo(new long[]{ 42, 512, 3 });
            }
            assertThat(network.invalidated).as("the initiator invalidates its own itself").doesNotContainKey(0);
        }
    }

    @Test
    void aTargetWhoseInvalidationIsUnfinishedAcknowledgesOnlyOnceItFinishes()
    {
        for (final RoutingProtocol protocol : new RoutingProtocol[]{ RoutingProtocol.UNICAST, RoutingProtocol.MULTICAST })
        {
            final ShootdownNetwork network = new ShootdownNetwork(ShootdownNetwork.packages(8, 2), TIMEOUT_NS, 4);
            // Core 4 relays for its package under multicast and is a leaf under unicast.
            network.busy.add(4);
            network.core(0).startRound(network.planner.plan(protocol, 0, network.allBut(0)), 7, 0, 1);
            network.deliverAll();
            assertThat(network.outcomes(0).completed).as("%s: waits for core 4", protocol).isEmpty();
            network.clock.advance(TIMEOUT_NS / 2);
            network.core(4).doWork(network.clock.nanoTime());
            network.deliverAll();
            assertThat(network.outcomes(0).completed).as("%s: still in flight", protocol).isEmpty();

            network.busy.remove(4);
            assertThat(network.core(4).doWork(network.clock.nanoTime())).isPositive();
            network.deliverAll();
            assertThat(network.outcomes(0).completed).as(protocol.toString()).hasSize(1);
            assertThat(network.outcomes(0).failed).isEmpty();
            assertThat(network.invalidated.get(4)).as("its translations dropped once").hasSize(1);
            assertThat(network.drainPolls.get(4)).as("asked again until drained").isGreaterThan(1);
        }
    }

    @Test
    void roundIdsCountOnFromWhereTheCoreStartsThemAndNeverAreNoRound()
    {
        final long mask = (1L << Shootdown.ROUND_SEQUENCE_BITS) - 1;
        final ShootdownNetwork restarted = new ShootdownNetwork(ShootdownNetwork.packages(4, 1), TIMEOUT_NS, 4, 1_000);
        final SendPlan plan = restarted.planner.plan(RoutingProtocol.UNICAST, 1, restarted.allBut(1));
        assertThat(restarted.core(1).startRound(plan)).isEqualTo((1L << Shootdown.ROUND_SEQUENCE_BITS) | 1_001);

        final ShootdownNetwork wrapping = new ShootdownNetwork(ShootdownNetwork.packages(4, 1), TIMEOUT_NS, 4, mask - 1);
        final SendPlan fromZero = wrapping.planner.plan(RoutingProtocol.UNICAST, 0, wrapping.allBut(0));
        assertThat(wrapping.core(0).startRound(fromZero)).isEqualTo(mask);
        wrapping.deliverAll();
        assertThat(wrapping.core(0).startRound(fromZero)).as("core 0's sequence 0 would be NO_ROUND").isEqualTo(1);
        wrapping.deliverAll();
        assertThat(wrapping.outcomes(0).completed).hasSize(2);
    }

    @Test
    void aTargetThatNeverFinishesFailsTheRoundAtItsDeadline()
    {
        final ShootdownNetwork network = new ShootdownNetwork(ShootdownNetwork.packages(4, 1), TIMEOUT_NS, 4);
        network.busy.add(2);
        network.core(0).startRound(network.planner.plan(RoutingProtocol.UNICAST, 0, network.allBut(0)), 7, 0, 1);
        network.deliverAll();
        network.clock.advance(TIMEOUT_NS);
        network.core(0).doWork(network.clock.nanoTime());
        network.core(2).doWork(network.clock.nanoTime());
        assertThat(network.outcomes(0).failed).singleElement().asString().contains("no ack from core(s) [2]");
        network.busy.remove(2);
        network.core(2).doWork(network.clock.nanoTime());
        network.deliverAll();
        assertThat(network.outcomes(0).completed).as("the expired relay is gone, nothing acked late").isEmpty();
    }

    @Test
    void contextRejectsValuesOutsideTheirLimits()
    {
        final ShootdownListener listener = new ShootdownNetwork.Outcomes();
        final ShootdownSender sender = new ShootdownSender()
        {
            @Override
            public SendOutcome sendRequest(final int d, final long r, final int i, final long domain, final long first,
                final long pages, final int[] c, final int[] s, final int o, final int l)
            {
                return SendOutcome.SENT;
            }

            @Override
            public SendOutcome sendAck(final int d, final long r, final int a)
            {
                return SendOutcome.SENT;
            }
        };
        assertThatThrownBy(() -> new Shootdown.Context().sender(sender).listener(listener).conclude())
            .hasMessage("selfCoreId=-1 is outside 0..65535");
        assertThatThrownBy(() -> new Shootdown.Context().selfCoreId(0).sender(sender).listener(listener)
            .roundTimeoutNs(0).conclude())
            .hasMessage("mk.shootdown.round.timeout.ms=0 ms is outside 1..60000 ms");
        assertThatThrownBy(() -> new Shootdown.Context().selfCoreId(0).sender(sender).listener(listener)
            .roundsInFlightMax(0).conclude())
            .hasMessage("mk.shootdown.rounds.in.flight.max=0 is outside 1..1024");
        assertThatThrownBy(() -> new Shootdown.Context().selfCoreId(0).sender(sender).listener(listener)
            .relaysInFlightMax(5000).conclude())
            .hasMessage("mk.shootdown.relays.in.flight.max=5000 is outside 1..4096");
        assertThatThrownBy(() -> new Shootdown.Context().selfCoreId(0).listener(listener).conclude())
            .isInstanceOf(NullPointerException.class).hasMessage("sender");
        assertThat(Arrays.asList(1, 2)).hasSize(2);
    }
}
