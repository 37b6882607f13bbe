package io.multikernel.node.launcher.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * The faults of a chaos run, drawn from a seed: the same seed, duration, cores and kinds give the same
 * schedule, so a run that found a violation replays. Faults follow each other: one starts a random
 * gap after the previous one was undone, so at most one fault holds at a time, and the last one is
 * undone before the run ends.
 *
 * <p>Each fault draws, in this order: its length, its kind, then what the kind needs. Kill, pause,
 * lossy and slow hit one core; a lossy link drops {@link #LOSSY_DROP_MIN} to {@link #LOSSY_DROP_MAX}
 * of its frames, a slow one holds them {@link #SLOW_DELAY_MIN_MS} to {@link #SLOW_DELAY_MAX_MS}. A
 * partition cuts 1 to half of the cores from the rest, both ways in half the draws, else one way
 * (the cut cores cannot send, or cannot receive).
 */
public final class ChaosSchedule
{
    /** Shortest gap between one fault being undone and the next starting, ms. */
    public static final long GAP_MIN_MS = 1_000;
    /** Longest such gap, ms. */
    public static final long GAP_MAX_MS = 4_000;
    /**
     * Shortest fault, ms: longer than the failure detector's default down timeout (3 s), so a killed or
     * paused core is declared down by its peers.
     */
    public static final long FAULT_MIN_MS = 3_500;
    /** Longest fault, ms. */
    public static final long FAULT_MAX_MS = 7_000;
    /** Most faults in one schedule. */
    public static final int FAULTS_MAX = 10_000;
    /** Least fraction of frames a lossy link drops. */
    public static final double LOSSY_DROP_MIN = 0.2;
    /** Most fraction of frames a lossy link drops. */
    public static final double LOSSY_DROP_MAX = 0.5;
    /** Drop fractions are drawn in steps of 1/this, so schedules print and compare exactly. */
    private static final int DROP_STEPS = 100;
    /** Shortest delay of a slow link, ms. */
    public static final long SLOW_DELAY_MIN_MS = 20;
    /** Longest delay of a slow link, ms. */
    public static final long SLOW_DELAY_MAX_MS = 200;
    /** Partition directions, drawn uniformly: both ways twice as often as each one-way cut. */
    private static final List<String> PARTITION_DIRECTIONS = List.of("both", "both", "outbound", "inbound");

    private ChaosSchedule()
    {
    }

    /**
     * @param seed       the seed.
     * @param durationMs the length of the run; every fault starts and ends inside it.
     * @param cores      the cores faults may hit: every core of the cluster, at least one, and at least
     *                   two for link faults (a link has two ends).
     * @param kinds      the kinds of fault to draw from, at least one.
     * @return the faults in the order they start.
     */
    public static List<ChaosFault> plan(final long seed, final long durationMs, final List<Integer> cores,
        final List<ChaosFault.Kind> kinds)
    {
        if (cores.isEmpty() || kinds.isEmpty())
        {
            throw new IllegalArgumentException("a chaos schedule needs at least one core and one kind of fault");
        }
        if (cores.size() < 2 && kinds.stream().anyMatch(ChaosFault.Kind::link))
        {
            throw new IllegalArgumentException("link faults need a cluster of at least two cores, not " + cores.size());
        }
        final SplittableRandom random = new SplittableRandom(seed);
        final List<ChaosFault> faults = new ArrayList<>();
        long at = random.nextLong(GAP_MIN_MS, GAP_MAX_MS + 1);
        while (faults.size() < FAULTS_MAX)
        {
            final long length = random.nextLong(FAULT_MIN_MS, FAULT_MAX_MS + 1);
            if (at + length > durationMs)
            {
                break;
            }
            faults.add(fault(random, at, length, kinds.get(random.nextInt(kinds.size())), cores));
            at += length + random.nextLong(GAP_MIN_MS, GAP_MAX_MS + 1);
        }
        return faults;
    }

    private static ChaosFault fault(final SplittableRandom random, final long at, final long length,
        final ChaosFault.Kind kind, final List<Integer> cores)
    {
        final int core = cores.get(random.nextInt(cores.size()));
        switch (kind)
        {
            case PARTITION:
                final TreeSet<Integer> cut = new TreeSet<>();
                cut.add(core);
                final int size = 1 + random.nextInt(Math.max(1, cores.size() / 2));
                while (cut.size() < size)
                {
                    cut.add(cores.get(random.nextInt(cores.size())));
                }
                return new ChaosFault(at, kind, new ArrayList<>(cut), length,
                    PARTITION_DIRECTIONS.get(random.nextInt(PARTITION_DIRECTIONS.size())), 1, 0);
            case LOSSY:
                final int steps = random.nextInt((int)Math.round(LOSSY_DROP_MIN * DROP_STEPS),
                    (int)Math.round(LOSSY_DROP_MAX * DROP_STEPS) + 1);
                return new ChaosFault(at, kind, List.of(core), length, "both", steps / (double)DROP_STEPS, 0);
            case SLOW:
                return new ChaosFault(at, kind, List.of(core), length, "both", 0,
                    random.nextLong(SLOW_DELAY_MIN_MS, SLOW_DELAY_MAX_MS + 1));
            default:
                return ChaosFault.process(at, kind, core, length);
        }
    }
}
