package io.multikernel.replication.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.multikernel.replication.StateMachine;

/**
 * Runs many seeds on a few threads (each seed is single-threaded and independent) and collects the
 * failures. Also a command line:
 *
 * <pre>
 * java -cp ... io.multikernel.replication.sim.SimulationRunner [--seeds N] [--from S] [--threads T] [--steps K]
 * java -cp ... io.multikernel.replication.sim.SimulationRunner --seed S      (replay one seed with a trace)
 * </pre>
 */
public final class SimulationRunner
{
    /** What a batch of seeds did. */
    public record Summary(long seeds, long committed, long aborted, long crashes, long tornTails, long restarts,
        long cooperativeDecisions, long refusals, long snapshots, List<SimulationFailure> failures, long elapsedMs)
    {
    }

    private SimulationRunner()
    {
    }

    /**
     * Runs seeds {@code from .. from + count - 1} of the key-value store, each with
     * {@link SimulationConfig#forSeed} then {@code customise} applied.
     */
    public static Summary runSeeds(
        final long from, final int count, final int threads, final java.util.function.UnaryOperator<SimulationConfig> customise)
        throws InterruptedException
    {
        return runSeeds(from, count, threads, customise, KeyValueSimulatedState.FACTORY);
    }

    /**
     * Runs seeds {@code from .. from + count - 1} of the state {@code stateFactory} makes, each with
     * {@link SimulationConfig#forSeed} then {@code customise} applied.
     */
    public static <O, R extends StateMachine<O>> Summary runSeeds(final long from, final int count, final int threads,
        final java.util.function.UnaryOperator<SimulationConfig> customise, final SimulatedState.Factory<O, R> stateFactory)
        throws InterruptedException
    {
        final long startNs = System.nanoTime();
        final ExecutorService executor = Executors.newFixedThreadPool(threads);
        final AtomicLong committed = new AtomicLong();
        final AtomicLong aborted = new AtomicLong();
        final AtomicLong crashes = new AtomicLong();
        final AtomicLong tornTails = new AtomicLong();
        final AtomicLong restarts = new AtomicLong();
        final AtomicLong cooperative = new AtomicLong();
        final AtomicLong refusals = new AtomicLong();
        final AtomicLong snapshots = new AtomicLong();
        final List<Future<SimulationFailure>> futures = new ArrayList<>();
        for (long seed = from; seed < from + count; seed++)
        {
            final long s = seed;
            futures.add(executor.submit(() ->
            {
                try
                {
                    final SimulationResult result = Simulation.run(customise.apply(SimulationConfig.forSeed(s)), stateFactory);
                    committed.addAndGet(result.committed());
                    aborted.addAndGet(result.aborted());
                    crashes.addAndGet(result.crashes());
                    tornTails.addAndGet(result.tornTails());
                    restarts.addAndGet(result.restarts());
                    cooperative.addAndGet(result.cooperativeDecisions());
                    refusals.addAndGet(result.refusals());
                    snapshots.addAndGet(result.snapshots());
                    return null;
                }
                catch (final SimulationFailure failure)
                {
                    return failure;
                }
                catch (final RuntimeException | Error ex)
                {
                    final SimulationFailure failure = new SimulationFailure(s, -1, "unexpected " + ex, "");
                    failure.initCause(ex);
                    return failure;
                }
            }));
        }
        final List<SimulationFailure> failures = new ArrayList<>();
        for (final Future<SimulationFailure> future : futures)
        {
            try
            {
                final SimulationFailure failure = future.get();
                if (null != failure)
                {
                    failures.add(failure);
                }
            }
            catch (final java.util.concurrent.ExecutionException ex)
            {
                throw new IllegalStateException(ex.getCause());
            }
        }
        executor.shutdown();
        executor.awaitTermination(1, TimeUnit.MINUTES);
        return new Summary(count, committed.get(), aborted.get(), crashes.get(), tornTails.get(), restarts.get(),
            cooperative.get(), refusals.get(), snapshots.get(), failures, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs));
    }

    public static void main(final String[] args) throws InterruptedException
    {
        long from = 1;
        int seeds = 1000;
        int threads = Runtime.getRuntime().availableProcessors();
        int steps = -1;
        Long replay = null;
        for (int i = 0; i < args.length; i++)
        {
            switch (args[i])
            {
                case "--seeds": seeds = Integer.parseInt(args[++i]); break;
                case "--from": from = Long.parseLong(args[++i]); break;
                case "--threads": threads = Integer.parseInt(args[++i]); break;
                case "--steps": steps = Integer.parseInt(args[++i]); break;
                case "--seed": replay = Long.parseLong(args[++i]); break;
                default:
                    System.err.println("unknown argument '" + args[i] + "'; see the class comment for usage");
                    System.exit(2);
            }
        }
        final int stepCount = steps;
        if (null != replay)
        {
            final SimulationConfig config = SimulationConfig.forSeed(replay).trace(true);
            if (stepCount > 0)
            {
                config.steps(stepCount);
            }
            System.out.println(Simulation.run(config));
            return;
        }
        final Summary summary = runSeeds(from, seeds, threads, (config) -> stepCount > 0 ? config.steps(stepCount) : config);
        System.out.println(summary.seeds() + " seeds in " + summary.elapsedMs() + " ms: " + summary.committed() +
            " committed, " + summary.aborted() + " aborted, " + summary.crashes() + " crashes (" + summary.tornTails() +
            " mid-write), " + summary.restarts() + " restarts, " + summary.cooperativeDecisions() +
            " cooperative decisions, " + summary.refusals() + " refusals, " + summary.snapshots() + " snapshots, " +
            summary.failures().size() + " failures");
        summary.failures().forEach((failure) -> System.out.println(failure.getMessage()));
        System.exit(summary.failures().isEmpty() ? 0 : 1);
    }
}
