package io.multikernel.replication.sim;

import java.util.Random;
import java.util.function.UnaryOperator;

import io.multikernel.replication.StateMachine;
import io.multikernel.replication.kv.KeyValueOperation;
import io.multikernel.replication.wal.FsyncPolicy;
import io.multikernel.replication.wal.MemoryStorage;

/**
 * Settings of one simulated run. {@link #forSeed(long)} derives the cluster's shape from the seed
 * (3 to 5 cores; fsync {@code group} or {@code always}; crashes of processes or whole machines), so
 * thousands of seeds cover many shapes; setters override.
 */
public final class SimulationConfig
{
    /**
     * Decorates a core's key-value store in runs of it ({@link Simulation#run(SimulationConfig)}):
     * identity for the real engine, a broken one to test the checker. Other states decorate their
     * replicas in {@link SimulatedState#stateMachine}.
     */
    public interface StateMachineDecorator
        extends UnaryOperator<StateMachine<KeyValueOperation>>
    {
    }

    private long seed;
    private int cores = 3;
    private int steps = 1500;
    private FsyncPolicy fsyncPolicy = FsyncPolicy.GROUP;
    private MemoryStorage.CrashMode crashMode = MemoryStorage.CrashMode.MACHINE;
    private double faultProbability = 0.01;
    private double proposeProbability = 0.3;
    private boolean deliverInFlightFromCrashed;
    private boolean lyingDisk;
    private boolean trace;
    private StateMachineDecorator stateMachineDecorator = (stateMachine) -> stateMachine;

    /**
     * @return a configuration whose shape is drawn from {@code seed}.
     */
    public static SimulationConfig forSeed(final long seed)
    {
        final Random random = new Random(seed ^ 0x5DEECE66DL);
        final SimulationConfig config = new SimulationConfig();
        config.seed = seed;
        config.cores = 3 + random.nextInt(3);
        config.fsyncPolicy = random.nextInt(4) == 0 ? FsyncPolicy.ALWAYS : FsyncPolicy.GROUP;
        config.crashMode = random.nextBoolean() ? MemoryStorage.CrashMode.MACHINE : MemoryStorage.CrashMode.PROCESS;
        config.deliverInFlightFromCrashed = random.nextBoolean();
        config.faultProbability = 0.004 + random.nextDouble() * 0.012;
        config.proposeProbability = 0.1 + random.nextDouble() * 0.3;
        return config;
    }

    public long seed()
    {
        return seed;
    }

    public int cores()
    {
        return cores;
    }

    public SimulationConfig cores(final int cores)
    {
        this.cores = cores;
        return this;
    }

    public int steps()
    {
        return steps;
    }

    public SimulationConfig steps(final int steps)
    {
        this.steps = steps;
        return this;
    }

    public FsyncPolicy fsyncPolicy()
    {
        return fsyncPolicy;
    }

    /**
     * @param fsyncPolicy with {@link FsyncPolicy#NONE}, use {@link MemoryStorage.CrashMode#PROCESS}
     *                    crashes: {@code none} promises nothing across a machine crash.
     */
    public SimulationConfig fsyncPolicy(final FsyncPolicy fsyncPolicy)
    {
        this.fsyncPolicy = fsyncPolicy;
        return this;
    }

    public MemoryStorage.CrashMode crashMode()
    {
        return crashMode;
    }

    public SimulationConfig crashMode(final MemoryStorage.CrashMode crashMode)
    {
        this.crashMode = crashMode;
        return this;
    }

    public double faultProbability()
    {
        return faultProbability;
    }

    /**
     * @param faultProbability chance per step of one fault: crash, restart, pause or partition.
     */
    public SimulationConfig faultProbability(final double faultProbability)
    {
        this.faultProbability = faultProbability;
        return this;
    }

    public double proposeProbability()
    {
        return proposeProbability;
    }

    public SimulationConfig proposeProbability(final double proposeProbability)
    {
        this.proposeProbability = proposeProbability;
        return this;
    }

    public boolean deliverInFlightFromCrashed()
    {
        return deliverInFlightFromCrashed;
    }

    /**
     * @param deliver when true, some messages a core sent before crashing still arrive (as a message
     *                already in a shared-memory log buffer would); when false all are lost.
     */
    public SimulationConfig deliverInFlightFromCrashed(final boolean deliver)
    {
        this.deliverInFlightFromCrashed = deliver;
        return this;
    }

    public boolean lyingDisk()
    {
        return lyingDisk;
    }

    /**
     * @param lyingDisk when true every core's disk acknowledges fsync without syncing (a broken disk).
     */
    public SimulationConfig lyingDisk(final boolean lyingDisk)
    {
        this.lyingDisk = lyingDisk;
        return this;
    }

    public boolean trace()
    {
        return trace;
    }

    /**
     * @param trace keep a readable log of every event, printed with a failure.
     */
    public SimulationConfig trace(final boolean trace)
    {
        this.trace = trace;
        return this;
    }

    public StateMachineDecorator stateMachineDecorator()
    {
        return stateMachineDecorator;
    }

    public SimulationConfig stateMachineDecorator(final StateMachineDecorator decorator)
    {
        this.stateMachineDecorator = decorator;
        return this;
    }

    @Override
    public String toString()
    {
        return "seed=" + seed + " cores=" + cores + " steps=" + steps + " fsync=" + fsyncPolicy +
            " crash=" + crashMode + " deliverInFlightFromCrashed=" + deliverInFlightFromCrashed +
            " faultProbability=" + String.format("%.4f", faultProbability) +
            " proposeProbability=" + String.format("%.3f", proposeProbability);
    }
}
