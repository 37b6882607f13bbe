package io.multikernel.node.launcher.chaos;

import java.util.List;

/**
 * What makes a chaos run's faults happen and undoes them: the processes of {@code mk up}'s cores
 * ({@link ProcessInjector}), the cores' link fault points ({@link LinkInjector}), or whatever runs the
 * cores elsewhere (containers). {@link ChaosRun} calls it from one thread, one fault at a time:
 * {@link #inject}, then after the fault's length {@link #heal}; {@link #healAll} once at the end, and
 * when the run stops early.
 */
public interface ChaosInjector
{
    /**
     * @param kind a kind of fault.
     * @return whether it is the one that makes faults of that kind, on a cluster that allows them.
     */
    boolean makes(ChaosFault.Kind kind);

    /**
     * @return the kinds of fault it can make on this cluster as it is now (a link fault point that the
     *         cores were not started with is not there).
     */
    List<ChaosFault.Kind> available();

    /**
     * Checks, before the run, that it can make every one of these kinds.
     *
     * @param kinds the kinds the schedule draws from.
     * @throws IllegalStateException with one sentence saying what is missing and how to get it.
     */
    void prepare(List<ChaosFault.Kind> kinds);

    /**
     * @param fault the fault to make, of a kind {@link #prepare} accepted.
     * @throws Exception when it could not be made; the run stops.
     */
    void inject(ChaosFault fault) throws Exception;

    /**
     * @param fault the fault {@link #inject} made, to undo.
     * @throws Exception when it could not be undone; the run stops.
     */
    void heal(ChaosFault fault) throws Exception;

    /**
     * Undoes whatever fault may still hold, also one it did not make (a run stopped before, by hand).
     *
     * @throws Exception when that fails.
     */
    void healAll() throws Exception;

    /**
     * @param first  one injector.
     * @param second another, for kinds the first does not make.
     * @return one that hands each fault to the injector that makes its kind, the first one first.
     */
    static ChaosInjector combine(final ChaosInjector first, final ChaosInjector second)
    {
        return new CombinedInjector(first, second);
    }

    /**
     * The check every injector's {@link #prepare} starts with.
     *
     * @param kinds what the schedule draws from.
     * @param made  the kinds the injector makes.
     * @param where what makes them, for the error: "on containers", "by a link fault point".
     * @throws IllegalStateException naming the first kind it does not make and the kinds it does.
     */
    static void requireMade(final List<ChaosFault.Kind> kinds, final List<ChaosFault.Kind> made, final String where)
    {
        for (final ChaosFault.Kind kind : kinds)
        {
            if (!made.contains(kind))
            {
                throw new IllegalStateException(kind.cliName() + " faults are not made " + where + "; use " +
                    ChaosFault.Kind.names(made));
            }
        }
    }
}
