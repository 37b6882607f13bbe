package io.multikernel.transport;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.multikernel.transport.LinkFaults.Direction;
import io.multikernel.transport.LinkFaults.DropReason;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The link fault point alone, with an advanceable clock and seeded randomness: drop rates, the order
 * and deadlines of held frames, the delay queue's bounds, healing, directions kept apart, and the same
 * decisions from the same seed.
 */
class LinkFaultsTest
{
    private static final int[] PEERS = { 0, 2, 3 };
    private static final long SEED = 0x5eed_1234L;

    private final CachedNanoClock clock = new CachedNanoClock();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final UnsafeBuffer frame = new UnsafeBuffer(new byte[256]);
    private final List<String> delivered = new ArrayList<>();

    @Test
    void aSeededDropRateStaysWithinItsBounds()
    {
        for (final long seed : new long[]{ SEED, 1, 42, 1_000_003 })
        {
            final LinkFaults faults = faults(seed);
            faults.rule(2, Direction.OUTBOUND, 0.3, 0);
            final int frames = 20_000;
            int passed = 0;
            for (int i = 0; i < frames; i++)
            {
                if (faults.admit(2, Direction.OUTBOUND, frame, 0, 64))
                {
                    passed++;
                }
            }
            final long dropped = faults.droppedCount(2, Direction.OUTBOUND, DropReason.RULE);
            // 0.3 of 20,000 is 6,000 with a standard deviation of 65: 6 of them either side.
            assertThat(dropped).as("dropped of %d frames at 0.3 with seed %d", frames, seed).isBetween(5_600L, 6_400L);
            assertThat(passed + dropped).as("seed %d", seed).isEqualTo(frames);
        }
    }

    @Test
    void theSameSeedMakesTheSameDecisions()
    {
        final LinkFaults first = faults(SEED);
        final LinkFaults second = faults(SEED);
        final LinkFaults other = faults(SEED + 1);
        for (final LinkFaults faults : List.of(first, second, other))
        {
            faults.rule(3, Direction.INBOUND, 0.5, 0);
        }
        final StringBuilder firstDecisions = new StringBuilder();
        final StringBuilder secondDecisions = new StringBuilder();
        final StringBuilder otherDecisions = new StringBuilder();
        for (int i = 0; i < 500; i++)
        {
            firstDecisions.append(first.admit(3, Direction.INBOUND, frame, 0, 40) ? 'p' : 'd');
            secondDecisions.append(second.admit(3, Direction.INBOUND, frame, 0, 40) ? 'p' : 'd');
            otherDecisions.append(other.admit(3, Direction.INBOUND, frame, 0, 40) ? 'p' : 'd');
        }
        assertThat(secondDecisions.toString()).as("seed %d twice", SEED).isEqualTo(firstDecisions.toString());
        assertThat(otherDecisions.toString()).as("seeds %d and %d", SEED, SEED + 1).isNotEqualTo(firstDecisions.toString());
    }

    @Test
    void dropOneCutsTheLinkAndDropZeroPassesEverything()
    {
        final LinkFaults faults = faults(SEED);
        faults.rule(0, Direction.INBOUND, 1.0, 0);
        for (int i = 0; i < 100; i++)
        {
            assertThat(faults.admit(0, Direction.INBOUND, frame, 0, 40)).isFalse();
        }
        faults.rule(0, Direction.INBOUND, 0.0, 0);
        for (int i = 0; i < 100; i++)
        {
            assertThat(faults.admit(0, Direction.INBOUND, frame, 0, 40)).isTrue();
        }
        assertThat(faults.droppedCount(0, Direction.INBOUND, DropReason.RULE)).isEqualTo(100);
        assertThat(faults.isActive(0, Direction.INBOUND)).isFalse();
    }

    @Test
    void heldFramesLeaveAfterTheirDelayInTheOrderTheyCame()
    {
        final LinkFaults faults = faults(SEED);
        faults.rule(2, Direction.OUTBOUND, 0, 50);
        for (int i = 0; i < 5; i++)
        {
            assertThat(faults.admit(2, Direction.OUTBOUND, frame(i), 0, 8)).isFalse();
            clock.advance(TimeUnit.MILLISECONDS.toNanos(1));
        }
        assertThat(faults.queuedFrames()).isEqualTo(5);
        assertThat(faults.queuedBytes()).isEqualTo(40);

        clock.advance(TimeUnit.MILLISECONDS.toNanos(44));
        assertThat(faults.release(Direction.OUTBOUND, this::record)).as("49 ms after the first").isZero();
        clock.advance(TimeUnit.MILLISECONDS.toNanos(1));
        assertThat(faults.release(Direction.OUTBOUND, this::record)).as("50 ms after the first").isEqualTo(1);
        clock.advance(TimeUnit.MILLISECONDS.toNanos(10));
        assertThat(faults.release(Direction.OUTBOUND, this::record)).isEqualTo(4);
        assertThat(delivered).containsExactly("2:0", "2:1", "2:2", "2:3", "2:4");
        assertThat(faults.queuedFrames()).isZero();
        assertThat(faults.queuedBytes()).isZero();
        assertThat(faults.view(2, Direction.OUTBOUND).delayed()).isEqualTo(5);
    }

    @Test
    void aFrameNeverOvertakesOneHeldBeforeItWhenTheDelayShrinksOrHeals()
    {
        final LinkFaults faults = faults(SEED);
        faults.rule(3, Direction.INBOUND, 0, 100);
        assertThat(faults.admit(3, Direction.INBOUND, frame(1), 0, 8)).isFalse();
        faults.rule(3, Direction.INBOUND, 0, 10);
        assertThat(faults.admit(3, Direction.INBOUND, frame(2), 0, 8)).as("behind a frame held longer").isFalse();
        faults.heal(3);
        assertThat(faults.isActive(3, Direction.INBOUND)).as("healed, but still holding frames").isTrue();
        assertThat(faults.admit(3, Direction.INBOUND, frame(3), 0, 8)).as("behind held frames after healing").isFalse();

        clock.advance(TimeUnit.MILLISECONDS.toNanos(99));
        assertThat(faults.release(Direction.INBOUND, this::record)).as("nothing leaves before the first").isZero();
        clock.advance(TimeUnit.MILLISECONDS.toNanos(1));
        assertThat(faults.release(Direction.INBOUND, this::record)).isEqualTo(3);
        assertThat(delivered).containsExactly("3:1", "3:2", "3:3");
        assertThat(faults.isActive(3, Direction.INBOUND)).isFalse();
        assertThat(faults.admit(3, Direction.INBOUND, frame(4), 0, 8)).as("healed and empty: passes").isTrue();
    }

    @Test
    void aSinkUnderBackPressureKeepsTheFrameAndTheOnesBehindIt()
    {
        final LinkFaults faults = faults(SEED);
        faults.rule(2, Direction.OUTBOUND, 0, 5);
        faults.admit(2, Direction.OUTBOUND, frame(1), 0, 8);
        faults.admit(2, Direction.OUTBOUND, frame(2), 0, 8);
        clock.advance(TimeUnit.MILLISECONDS.toNanos(5));
        assertThat(faults.release(Direction.OUTBOUND, (peer, buffer, offset, length) -> false)).isZero();
        assertThat(faults.queuedFrames()).isEqualTo(2);
        assertThat(faults.release(Direction.OUTBOUND, this::record)).isEqualTo(2);
        assertThat(delivered).containsExactly("2:1", "2:2");
    }

    @Test
    void theDelayQueueIsBoundedInFramesAndInBytes()
    {
        final LinkFaults faults = faults(SEED);
        faults.rule(0, Direction.OUTBOUND, 0, 1000);
        for (int i = 0; i < LinkFaults.DELAY_QUEUE_FRAMES_MAX; i++)
        {
            assertThat(faults.admit(0, Direction.OUTBOUND, frame, 0, 8)).isFalse();
        }
        assertThat(faults.admit(0, Direction.OUTBOUND, frame, 0, 8)).isFalse();
        assertThat(faults.queuedFrames()).isEqualTo(LinkFaults.DELAY_QUEUE_FRAMES_MAX);
        assertThat(faults.droppedCount(0, Direction.OUTBOUND, DropReason.DELAY_QUEUE_FULL)).isEqualTo(1);

        final LinkFaults bytes = faults(SEED);
        bytes.rule(2, Direction.INBOUND, 0, 1000);
        final int frameLength = 64 * 1024;
        final UnsafeBuffer big = new UnsafeBuffer(new byte[frameLength]);
        final long fitting = LinkFaults.DELAY_QUEUE_BYTES_MAX / frameLength;
        for (int i = 0; i < fitting; i++)
        {
            assertThat(bytes.admit(2, Direction.INBOUND, big, 0, frameLength)).isFalse();
        }
        assertThat(bytes.queuedBytes()).isEqualTo(fitting * frameLength);
        assertThat(bytes.admit(2, Direction.INBOUND, big, 0, frameLength)).isFalse();
        assertThat(bytes.queuedBytes()).isEqualTo(fitting * frameLength);
        assertThat(bytes.droppedCount(2, Direction.INBOUND, DropReason.DELAY_QUEUE_FULL)).isEqualTo(1);
        assertThat(bytes.view(2, Direction.INBOUND).delayed()).isEqualTo(fitting);
    }

    @Test
    void directionsAndPeersAreIndependent()
    {
        final LinkFaults faults = faults(SEED);
        faults.rule(2, Direction.INBOUND, 1.0, 0);
        assertThat(faults.admit(2, Direction.INBOUND, frame, 0, 8)).isFalse();
        assertThat(faults.admit(2, Direction.OUTBOUND, frame, 0, 8)).isTrue();
        assertThat(faults.admit(3, Direction.INBOUND, frame, 0, 8)).isTrue();
        assertThat(faults.admit(7, Direction.INBOUND, frame, 0, 8)).as("not a peer").isTrue();
        assertThat(faults.admit(-1, Direction.INBOUND, frame, 0, 8)).as("a garbled sender").isTrue();
        faults.rule(2, Direction.OUTBOUND, 0, 20);
        faults.rule(2, Direction.INBOUND, 0, 0);
        assertThat(faults.admit(2, Direction.OUTBOUND, frame(9), 0, 8)).isFalse();
        assertThat(faults.admit(2, Direction.INBOUND, frame, 0, 8)).isTrue();
        clock.advance(TimeUnit.MILLISECONDS.toNanos(20));
        assertThat(faults.release(Direction.INBOUND, this::record)).isZero();
        assertThat(faults.release(Direction.OUTBOUND, this::record)).isEqualTo(1);
        assertThat(delivered).containsExactly("2:9");
    }

    @Test
    void healingOnePeerOrAllStopsTheirRules()
    {
        final LinkFaults faults = faults(SEED);
        faults.rule(0, Direction.INBOUND, 1.0, 0);
        faults.rule(0, Direction.OUTBOUND, 1.0, 0);
        faults.rule(3, Direction.OUTBOUND, 1.0, 0);
        faults.heal(0);
        assertThat(faults.admit(0, Direction.INBOUND, frame, 0, 8)).isTrue();
        assertThat(faults.admit(0, Direction.OUTBOUND, frame, 0, 8)).isTrue();
        assertThat(faults.admit(3, Direction.OUTBOUND, frame, 0, 8)).isFalse();
        faults.healAll();
        assertThat(faults.admit(3, Direction.OUTBOUND, frame, 0, 8)).isTrue();
        assertThat(faults.snapshot().links()).hasSize(4)
            .allMatch(view -> 0 == view.drop() && 0 == view.delayMs());
        assertThat(faults.view(3, Direction.OUTBOUND).droppedByRule()).as("counts outlive healing").isEqualTo(1);
    }

    @Test
    void badRulesAreRefusedNamingTheValueAndTheLimit()
    {
        final LinkFaults faults = faults(SEED);
        assertThatThrownBy(() -> faults.rule(1, Direction.INBOUND, 1, 0))
            .hasMessage("core 1 is not a peer of this core (peers: [0, 2, 3])");
        assertThatThrownBy(() -> faults.rule(2, Direction.INBOUND, 1.5, 0)).hasMessage("drop=1.5 is outside 0..1");
        assertThatThrownBy(() -> faults.rule(2, Direction.INBOUND, -0.1, 0)).hasMessage("drop=-0.1 is outside 0..1");
        assertThatThrownBy(() -> faults.rule(2, Direction.INBOUND, Double.NaN, 0)).hasMessage("drop=NaN is outside 0..1");
        assertThatThrownBy(() -> faults.rule(2, Direction.INBOUND, 0, -1)).hasMessageContaining("delay=-1 ms")
            .hasMessageContaining("0..10000 ms");
        assertThatThrownBy(() -> faults.rule(2, Direction.INBOUND, 0, LinkFaults.DELAY_MS_MAX + 1))
            .hasMessageContaining("delay=10001 ms");
        assertThatThrownBy(() -> faults.heal(9)).hasMessageContaining("core 9 is not a peer");
        assertThat(faults.snapshot().links()).isEmpty();
    }

    @Test
    void countersAreMetersWithTheirPeerDirectionAndReason()
    {
        final LinkFaults faults = new LinkFaults(PEERS, clock, new SplittableRandom(SEED), registry);
        assertThat(registry.find("mk.urpc.chaos.dropped").meters()).as("nothing before a rule").isEmpty();
        faults.rule(2, Direction.OUTBOUND, 1.0, 0);
        faults.admit(2, Direction.OUTBOUND, frame, 0, 8);
        faults.admit(2, Direction.OUTBOUND, frame, 0, 8);
        faults.rule(2, Direction.OUTBOUND, 0, 5);
        faults.admit(2, Direction.OUTBOUND, frame, 0, 8);

        assertThat(registry.get("mk.urpc.chaos.dropped").tag("peer", "2").tag("direction", "outbound")
            .tag("reason", "rule").functionCounter().count()).isEqualTo(2.0);
        assertThat(registry.get("mk.urpc.chaos.dropped").tag("peer", "2").tag("direction", "outbound")
            .tag("reason", "delay_queue_full").functionCounter().count()).isZero();
        assertThat(registry.get("mk.urpc.chaos.delayed").tag("peer", "2").tag("direction", "outbound")
            .functionCounter().count()).isEqualTo(1.0);
        assertThat(registry.get("mk.urpc.chaos.delayed").tag("peer", "2").tag("direction", "inbound")
            .functionCounter().count()).isZero();
        assertThat(registry.find("mk.urpc.chaos.dropped").meters()).as("both directions, both reasons, peer 2 only")
            .hasSize(4).allMatch(meter -> null != meter.getId().getDescription());
    }

    private LinkFaults faults(final long seed)
    {
        return new LinkFaults(PEERS, clock, new SplittableRandom(seed), new SimpleMeterRegistry());
    }

    private UnsafeBuffer frame(final long marker)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[8]);
        buffer.putLong(0, marker);
        return buffer;
    }

    private boolean record(final int peer, final org.agrona.DirectBuffer buffer, final int offset, final int length)
    {
        delivered.add(peer + ":" + buffer.getLong(offset));
        return true;
    }
}
