package io.multikernel.node.launcher.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The faults of a chaos run, drawn from a seed: the same seed, duration, cores and kinds give the same
 * schedule, so a run that found a violation replays. Faults follow each other: one starts a random
 * gap after the previous one was undone, so at most one core is faulty at a time, and the last one is
 * undone before the run ends.
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

    private ChaosSchedule()
    {
    }

    /**
     * @param seed       the seed.
     * @param durationMs the length of the run; every fault starts and ends inside it.
     * @param cores      the cores faults may hit, at least one.
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
            faults.add(new ChaosFault(at, kinds.get(random.nextInt(kinds.size())), cores.get(random.nextInt(cores.size())),
                length));
            at += length + random.nextLong(GAP_MIN_MS, GAP_MAX_MS + 1);
        }
        return faults;
    }
}
