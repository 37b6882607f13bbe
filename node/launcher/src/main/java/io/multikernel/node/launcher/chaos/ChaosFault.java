package io.multikernel.node.launcher.chaos;

import java.util.List;
import java.util.Locale;

/**
 * One fault of a chaos schedule.
 *
 * @param atMs       when it starts, from the start of the run.
 * @param kind       what it does.
 * @param cores      the cores it hits: one, or for a partition the cores cut from the rest.
 * @param durationMs how long until it is undone: the killed core is started again, the paused one
 *                   continued, the links healed.
 * @param direction  for a partition, which of the hit cores' frames are cut: {@code both},
 *                   {@code outbound} (they cannot send to the rest) or {@code inbound} (they cannot
 *                   receive from it); {@code both} for lossy and slow links, {@code none} otherwise.
 * @param drop       for a lossy link, the fraction of frames dropped; 1 for a partition; else 0.
 * @param delayMs    for a slow link, how long frames are held, ms; else 0.
 */
public record ChaosFault(long atMs, Kind kind, List<Integer> cores, long durationMs, String direction, double drop,
    long delayMs)
{
    /** The {@code direction} of a fault that is not a link fault. */
    public static final String NO_DIRECTION = "none";

    /** The kinds of fault. */
    public enum Kind
    {
        /** kill -9 of the core's process; started again over its data after the duration. */
        KILL(false),
        /** SIGSTOP of the core's process, SIGCONT after the duration: a core that freezes and comes back. */
        PAUSE(false),
        /** Every link between the hit cores and the rest cut, both ways or one way. */
        PARTITION(true),
        /** Every link of the core drops a fraction of its frames, both ways. */
        LOSSY(true),
        /** Every link of the core holds its frames for a delay, both ways. */
        SLOW(true);

        private final boolean link;

        Kind(final boolean link)
        {
            this.link = link;
        }

        /** @return whether it is made by the cores' link fault points ({@code /chaos/links}). */
        public boolean link()
        {
            return link;
        }

        /** @return the name on the command line and in reports. */
        public String cliName()
        {
            return name().toLowerCase(Locale.ROOT);
        }

        /**
         * @param name a name as {@link #cliName()} gives it.
         * @return the kind.
         * @throws IllegalArgumentException with one sentence naming the kinds when it is none of them.
         */
        public static Kind of(final String name)
        {
            for (final Kind kind : values())
            {
                if (kind.cliName().equals(name.strip().toLowerCase(Locale.ROOT)))
                {
                    return kind;
                }
            }
            throw new IllegalArgumentException("'" + name + "' is not a kind of fault; use " + names(List.of(values())));
        }

        /**
         * @param kinds some kinds.
         * @return their names, separated by commas.
         */
        public static String names(final List<Kind> kinds)
        {
            return String.join(", ", kinds.stream().map(Kind::cliName).toList());
        }
    }

    public ChaosFault
    {
        cores = List.copyOf(cores);
        if (cores.isEmpty())
        {
            throw new IllegalArgumentException("a fault hits at least one core");
        }
    }

    /**
     * @param atMs       when it starts.
     * @param kind       kill or pause.
     * @param core       the core.
     * @param durationMs how long.
     * @return a fault of the core's process.
     */
    public static ChaosFault process(final long atMs, final Kind kind, final int core, final long durationMs)
    {
        return new ChaosFault(atMs, kind, List.of(core), durationMs, NO_DIRECTION, 0, 0);
    }

    /** @return the core hit first (the only one but for a partition). */
    public int core()
    {
        return cores.get(0);
    }

    @Override
    public String toString()
    {
        final String what;
        switch (kind)
        {
            case PARTITION:
                what = "partition cores " + cores + " from the rest (" + direction + ")";
                break;
            case LOSSY:
                what = String.format(Locale.ROOT, "lossy links of core %d (drop %.2f)", core(), drop);
                break;
            case SLOW:
                what = "slow links of core " + core() + " (" + delayMs + " ms)";
                break;
            default:
                what = kind.cliName() + " core " + core();
                break;
        }
        return String.format(Locale.ROOT, "%6.1f s %s for %.1f s", atMs / 1000.0, what, durationMs / 1000.0);
    }
}
