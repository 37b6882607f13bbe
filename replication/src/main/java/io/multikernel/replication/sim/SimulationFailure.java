package io.multikernel.replication.sim;

/**
 * The checker found a violated invariant, or the cluster did not settle. The message names the
 * seed and the step, and says how to replay exactly this run.
 */
public final class SimulationFailure extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final long seed;
    private final long step;

    public SimulationFailure(final long seed, final long step, final String what, final String trace)
    {
        super("seed=" + seed + " step=" + step + ": " + what + " (replay with -Dsim.seed=" + seed + ")" +
            (trace.isEmpty() ? "" : "\nlast events:\n" + trace));
        this.seed = seed;
        this.step = step;
    }

    public long seed()
    {
        return seed;
    }

    public long step()
    {
        return step;
    }
}
