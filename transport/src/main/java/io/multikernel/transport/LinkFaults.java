package io.multikernel.transport;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.random.RandomGenerator;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.multikernel.common.Bounds;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The project's own fault point for links, for chaos tests: per peer core and direction (inbound:
 * frames from that peer; outbound: frames to it) a rule that drops frames with a probability (1 cuts
 * the link: a partition) and holds the others for a delay before they go on. It exists only in a core
 * started with chaos enabled; without it the endpoint has no filter at all.
 * <p>
 * Where it sits: outbound in {@link UrpcPublisher}, after a frame is sealed and before it is offered,
 * so a delayed frame later leaves as the same sealed bytes; inbound in front of {@link InboxAdapter},
 * before the seal is checked, so a dropped frame is one that never arrived (no counter of the inbox
 * moves) and a delayed one goes through the whole check when it is finally handed on.
 * <p>
 * Order: a link's frames leave it in the order they entered. A frame is dropped or passed at once; a
 * frame that is to wait, and every later frame of a link that still holds frames (whatever its rule
 * says by then), joins the link's queue with a deadline no earlier than the one before it. So no
 * delayed frame is overtaken, and the receiver's replay check (each sender's sequence numbers must
 * rise) accepts every delayed frame.
 * <p>
 * Bounds: held frames are copies, at most {@link #DELAY_QUEUE_FRAMES_MAX} frames and
 * {@link #DELAY_QUEUE_BYTES_MAX} bytes over all links and both directions; a frame that does not fit
 * is dropped and counted ({@link DropReason#DELAY_QUEUE_FULL}). A delay is at most
 * {@link #DELAY_MS_MAX} ms. Each held frame is one array allocated: chaos runs only, never a measured
 * path.
 * <p>
 * Held frames are handed on by {@link #release} from the owner's duty cycle (the endpoint's poll and
 * flush), so a frame leaves at the first duty cycle after its deadline: up to one idle park late.
 * Frames still held when the core closes are lost, as frames on a wire are. Drop decisions draw from
 * the injected random source, and deadlines read the injected clock: the same seed and the same
 * frames give the same decisions. Counted in {@code mk_urpc_chaos_dropped_total{peer,direction,reason}}
 * and {@code mk_urpc_chaos_delayed_total{peer,direction}}, registered for a peer when it first gets a
 * rule.
 * <p>
 * Not thread safe: owned by the core's agent; other threads change rules through the agent.
 */
public final class LinkFaults
{
    /** Longest delay a rule may give, ms. */
    public static final long DELAY_MS_MAX = 10_000;
    /** Most frames held for delay at once, over every link and both directions. */
    public static final int DELAY_QUEUE_FRAMES_MAX = 4096;
    /** Most bytes of frames held for delay at once, over every link and both directions. */
    public static final long DELAY_QUEUE_BYTES_MAX = 8L * 1024 * 1024;

    private static final int DROPPED_BY_RULE = 0;
    private static final int DROPPED_QUEUE_FULL = 1;
    private static final int DELAYED = 2;
    private static final int COUNTS = 3;

    /** Which frames of a link a rule applies to. */
    public enum Direction
    {
        /** Frames from the peer to this core. */
        INBOUND,
        /** Frames from this core to the peer. */
        OUTBOUND;

        /** @return the metric label and JSON value: {@code inbound}, {@code outbound}. */
        public String tag()
        {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Why a frame was dropped. */
    public enum DropReason
    {
        /** The link's rule drew it. */
        RULE("rule"),
        /** It was to be delayed, but the delay queue was at its bound. */
        DELAY_QUEUE_FULL("delay_queue_full");

        private final String tag;

        DropReason(final String tag)
        {
            this.tag = tag;
        }

        /** @return the metric label. */
        public String tag()
        {
            return tag;
        }
    }

    /**
     * Where held frames go when their time comes.
     */
    @FunctionalInterface
    public interface FrameSink
    {
        /**
         * @param peerCoreId the link's peer.
         * @param buffer     holding the frame, valid during the call only.
         * @param offset     of the frame.
         * @param length     of the frame.
         * @return false to keep the frame and try again at the next release (back pressure); true when
         *         it is gone, delivered or not.
         */
        boolean deliver(int peerCoreId, DirectBuffer buffer, int offset, int length);
    }

    /**
     * One link's rule and counts.
     *
     * @param peer             the peer core.
     * @param direction        which frames.
     * @param drop             probability that a frame is dropped, 0..1.
     * @param delayMs          how long frames are held, ms.
     * @param droppedByRule    frames the rule dropped.
     * @param droppedQueueFull frames dropped because the delay queue was full.
     * @param delayed          frames held.
     * @param queuedFrames     frames held now.
     */
    public record LinkView(int peer, Direction direction, double drop, long delayMs, long droppedByRule,
        long droppedQueueFull, long delayed, int queuedFrames)
    {
    }

    /**
     * Every link that ever had a rule, in peer and direction order, and what the delay queue holds.
     *
     * @param links        the links.
     * @param queuedFrames frames held now, every link.
     * @param queuedBytes  bytes held now, every link.
     */
    public record Snapshot(List<LinkView> links, int queuedFrames, long queuedBytes)
    {
        public Snapshot
        {
            links = List.copyOf(links);
        }
    }

    private final NanoClock clock;
    private final RandomGenerator random;
    private final MeterRegistry registry;
    private final boolean[] isPeer;
    private final int[] peerCoreIds;
    /** Per direction, per peer core id: the link, created with its first rule. */
    private final Link[][] linksByDirection;
    private final int[] queuedFramesByDirection = new int[Direction.values().length];
    private final UnsafeBuffer releaseBuffer = new UnsafeBuffer(new byte[0]);
    private int queuedFrames;
    private long queuedBytes;

    /**
     * @param peerCoreIds the cores this core talks to; rules name one of them.
     * @param clock       deadlines of held frames.
     * @param random      drop decisions; seeded, for replayable runs.
     * @param registry    where the counters go.
     */
    public LinkFaults(final int[] peerCoreIds, final NanoClock clock, final RandomGenerator random,
        final MeterRegistry registry)
    {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.peerCoreIds = peerCoreIds.clone();
        Arrays.sort(this.peerCoreIds);
        final int idLimit = 0 == this.peerCoreIds.length ? 0 : this.peerCoreIds[this.peerCoreIds.length - 1] + 1;
        this.isPeer = new boolean[idLimit];
        for (final int id : this.peerCoreIds)
        {
            Bounds.check("peer core id", id, 0, PeerDescriptor.CORE_ID_MAX);
            isPeer[id] = true;
        }
        this.linksByDirection = new Link[Direction.values().length][idLimit];
    }

    /**
     * Set the rule of one link; a drop of 0 and a delay of 0 heal it. Frames it already holds still
     * leave at their deadlines, in order.
     *
     * @param peer            a peer core.
     * @param direction       which frames.
     * @param dropProbability 0..1; 1 drops every frame.
     * @param delayMs         0..{@link #DELAY_MS_MAX}.
     * @throws IllegalArgumentException naming a value out of range or a core that is not a peer.
     */
    public void rule(final int peer, final Direction direction, final double dropProbability, final long delayMs)
    {
        checkPeer(peer);
        Objects.requireNonNull(direction, "direction");
        if (!(dropProbability >= 0.0 && dropProbability <= 1.0))
        {
            throw new IllegalArgumentException("drop=" + dropProbability + " is outside 0..1");
        }
        Bounds.check("delay", delayMs, 0, DELAY_MS_MAX, "ms");
        final Link link = link(peer, direction);
        link.dropProbability = dropProbability;
        link.delayNs = TimeUnit.MILLISECONDS.toNanos(delayMs);
        link.refresh();
    }

    /**
     * Heal both directions of the link to one peer.
     *
     * @param peer a peer core.
     */
    public void heal(final int peer)
    {
        checkPeer(peer);
        for (final Direction direction : Direction.values())
        {
            final Link link = linksByDirection[direction.ordinal()][peer];
            if (null != link)
            {
                link.dropProbability = 0;
                link.delayNs = 0;
                link.refresh();
            }
        }
    }

    /**
     * Heal every link.
     */
    public void healAll()
    {
        for (final int peer : peerCoreIds)
        {
            heal(peer);
        }
    }

    /**
     * @param peer a core id.
     * @return true when rules may name it.
     */
    public boolean isPeer(final int peer)
    {
        return peer >= 0 && peer < isPeer.length && isPeer[peer];
    }

    /**
     * @return the peers rules may name, ascending.
     */
    public int[] peers()
    {
        return peerCoreIds.clone();
    }

    /**
     * @param peer      any core id.
     * @param direction which frames.
     * @return true when the link may take frames: it has a rule, or still holds frames.
     */
    public boolean isActive(final int peer, final Direction direction)
    {
        final Link[] links = linksByDirection[direction.ordinal()];
        return peer >= 0 && peer < links.length && null != links[peer] && links[peer].active;
    }

    /**
     * Decide what happens to one frame on a link now.
     *
     * @param peer      the frame's peer: its sender inbound (as the frame claims; the inbox checks it
     *                  later), its destination outbound. Any int; one that is not a peer passes.
     * @param direction the frame's direction.
     * @param buffer    holding the frame.
     * @param offset    of the frame.
     * @param length    of the frame.
     * @return true when the caller passes the frame on now; false when the link took it: dropped
     *         (counted) or held, to be handed to {@link #release}'s sink later.
     */
    public boolean admit(final int peer, final Direction direction, final DirectBuffer buffer, final int offset,
        final int length)
    {
        final Link[] links = linksByDirection[direction.ordinal()];
        final Link link = peer >= 0 && peer < links.length ? links[peer] : null;
        if (null == link || !link.active)
        {
            return true;
        }
        if (link.dropProbability > 0.0 && random.nextDouble() < link.dropProbability)
        {
            link.count(DROPPED_BY_RULE);
            return false;
        }
        if (0 == link.delayNs && link.queue.isEmpty())
        {
            return true;
        }
        if (queuedFrames >= DELAY_QUEUE_FRAMES_MAX || queuedBytes + length > DELAY_QUEUE_BYTES_MAX)
        {
            link.count(DROPPED_QUEUE_FULL);
            return false;
        }
        // Never before the frame ahead of it: a link's frames leave in the order they came.
        final long deadlineNs = Math.max(clock.nanoTime() + link.delayNs, link.lastDeadlineNs);
        final byte[] copy = new byte[length];
        buffer.getBytes(offset, copy);
        link.queue.addLast(new HeldFrame(deadlineNs, copy));
        link.lastDeadlineNs = deadlineNs;
        link.active = true;
        link.count(DELAYED);
        queuedFrames++;
        queuedBytes += length;
        queuedFramesByDirection[direction.ordinal()]++;
        return false;
    }

    /**
     * Hand every held frame of one direction whose deadline has passed to {@code sink}, each link's in
     * order. A frame the sink keeps (back pressure) stops its link until the next release.
     *
     * @param direction which frames.
     * @param sink      where they go.
     * @return frames handed on.
     */
    public int release(final Direction direction, final FrameSink sink)
    {
        if (0 == queuedFramesByDirection[direction.ordinal()])
        {
            return 0;
        }
        final long nowNs = clock.nanoTime();
        int released = 0;
        for (final Link link : linksByDirection[direction.ordinal()])
        {
            if (null == link)
            {
                continue;
            }
            HeldFrame frame;
            while (null != (frame = link.queue.peekFirst()) && frame.deadlineNs - nowNs <= 0)
            {
                releaseBuffer.wrap(frame.bytes);
                if (!sink.deliver(link.peer, releaseBuffer, 0, frame.bytes.length))
                {
                    break;
                }
                link.queue.pollFirst();
                queuedFrames--;
                queuedBytes -= frame.bytes.length;
                queuedFramesByDirection[direction.ordinal()]--;
                released++;
            }
            link.refresh();
        }
        return released;
    }

    /**
     * @return frames held now, every link and direction.
     */
    public int queuedFrames()
    {
        return queuedFrames;
    }

    /**
     * @return bytes held now, every link and direction.
     */
    public long queuedBytes()
    {
        return queuedBytes;
    }

    /**
     * @param peer      a peer core.
     * @param direction which frames.
     * @return the link's rule and counts; a link without a rule yet has all zero.
     */
    public LinkView view(final int peer, final Direction direction)
    {
        checkPeer(peer);
        final Link link = linksByDirection[direction.ordinal()][peer];
        return null == link ? new LinkView(peer, direction, 0, 0, 0, 0, 0, 0) : link.view();
    }

    /**
     * @return every link that ever had a rule, and what the delay queue holds.
     */
    public Snapshot snapshot()
    {
        final List<LinkView> views = new ArrayList<>();
        for (final int peer : peerCoreIds)
        {
            for (final Direction direction : Direction.values())
            {
                final Link link = linksByDirection[direction.ordinal()][peer];
                if (null != link)
                {
                    views.add(link.view());
                }
            }
        }
        return new Snapshot(views, queuedFrames, queuedBytes);
    }

    /**
     * @param peer      a peer core.
     * @param direction which frames.
     * @param reason    why.
     * @return frames of the link dropped for that reason.
     */
    public long droppedCount(final int peer, final Direction direction, final DropReason reason)
    {
        final LinkView view = view(peer, direction);
        return DropReason.RULE == reason ? view.droppedByRule() : view.droppedQueueFull();
    }

    private void checkPeer(final int peer)
    {
        if (!isPeer(peer))
        {
            throw new IllegalArgumentException("core " + peer + " is not a peer of this core (peers: " +
                Arrays.toString(peerCoreIds) + ")");
        }
    }

    /**
     * The link, created with its meters (and its reverse's, so a peer's series appear together) the
     * first time a rule names it.
     */
    private Link link(final int peer, final Direction direction)
    {
        Link link = linksByDirection[direction.ordinal()][peer];
        if (null == link)
        {
            for (final Direction each : Direction.values())
            {
                linksByDirection[each.ordinal()][peer] = new Link(peer, each, registry);
            }
            link = linksByDirection[direction.ordinal()][peer];
        }
        return link;
    }

    /** A held frame: a copy of its bytes and when it may go on. */
    private record HeldFrame(long deadlineNs, byte[] bytes)
    {
    }

    /** One direction of the link to one peer. */
    private static final class Link
    {
        final int peer;
        final Direction direction;
        final ArrayDeque<HeldFrame> queue = new ArrayDeque<>();
        /** The agent's counts, and their copies for scrapes (single writer, ordered stores). */
        final long[] counts = new long[COUNTS];
        final AtomicLongArray published = new AtomicLongArray(COUNTS);
        double dropProbability;
        long delayNs;
        long lastDeadlineNs = Long.MIN_VALUE;
        /** Whether frames must be looked at: a rule, or frames still held. */
        boolean active;

        Link(final int peer, final Direction direction, final MeterRegistry registry)
        {
            this.peer = peer;
            this.direction = direction;
            final String peerTag = Integer.toString(peer);
            for (final DropReason reason : DropReason.values())
            {
                FunctionCounter.builder("mk.urpc.chaos.dropped", published,
                        values -> values.get(DropReason.RULE == reason ? DROPPED_BY_RULE : DROPPED_QUEUE_FULL))
                    .description("URPC frames the chaos link filter dropped, by peer, direction and reason " +
                        "(rule: the link's drop probability; delay_queue_full: no room to hold a delayed frame)")
                    .tag("peer", peerTag).tag("direction", direction.tag()).tag("reason", reason.tag())
                    .register(registry);
            }
            FunctionCounter.builder("mk.urpc.chaos.delayed", published, values -> values.get(DELAYED))
                .description("URPC frames the chaos link filter held back for the link's delay, by peer and direction")
                .tag("peer", peerTag).tag("direction", direction.tag())
                .register(registry);
        }

        void count(final int slot)
        {
            counts[slot]++;
            published.lazySet(slot, counts[slot]);
        }

        void refresh()
        {
            active = dropProbability > 0.0 || delayNs > 0 || !queue.isEmpty();
        }

        LinkView view()
        {
            return new LinkView(peer, direction, dropProbability, TimeUnit.NANOSECONDS.toMillis(delayNs),
                counts[DROPPED_BY_RULE], counts[DROPPED_QUEUE_FULL], counts[DELAYED], queue.size());
        }
    }
}
