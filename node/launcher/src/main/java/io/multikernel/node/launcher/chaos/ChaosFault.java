package io.multikernel.node.launcher.chaos;

import java.util.Locale;

/**
 * One fault of a chaos schedule.
 *
 * @param atMs       when it starts, from the start of the run.
 * @param kind       what it does.
 * @param core       the core it hits.
 * @param durationMs how long until it is undone: the killed core is started again, the paused one
 *                   continued.
 */
public record ChaosFault(long atMs, Kind kind, int core, long durationMs)
{
    /** The kinds of fault. */
    public enum Kind
    {
        /** kill -9 of the core's process; started again over its data after the duration. */
        KILL,
        /** SIGSTOP of the core's process, SIGCONT after the duration: a core that freezes and comes back. */
        PAUSE;

        /** @return the name on the command line and in reports. */
        public String cliName()
        {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    @Override
    public String toString()
    {
        return String.format(Locale.ROOT, "%6.1f s %s core %d for %.1f s", atMs / 1000.0, kind.cliName(), core,
            durationMs / 1000.0);
    }
}
