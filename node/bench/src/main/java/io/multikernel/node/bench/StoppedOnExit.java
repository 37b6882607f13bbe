package io.multikernel.node.bench;

import io.multikernel.node.launcher.ClusterStopper;
import io.multikernel.node.launcher.RunDirectory;

import java.io.PrintStream;

/**
 * A benchmark's cluster, stopped when the benchmark is done with it, and also when its JVM is
 * stopped first (Ctrl-C, SIGTERM): the cores and drivers run detached in sessions of their own, so
 * the terminal's signal never reaches them, and a JVM stopped by a signal runs its shutdown hooks but
 * no {@code finally} blocks.
 */
final class StoppedOnExit implements AutoCloseable
{
    private final ClusterStopper stopper;
    private final long timeoutMs;
    private final Thread hook;

    /**
     * @param runDirectory the cluster's run directory.
     * @param out          where the stop's lines go.
     * @param timeoutMs    how long a stop waits for the processes to exit, ms.
     */
    StoppedOnExit(final RunDirectory runDirectory, final PrintStream out, final long timeoutMs)
    {
        this.stopper = new ClusterStopper(runDirectory, out);
        this.timeoutMs = timeoutMs;
        this.hook = new Thread(this::stopQuietly, "mk-bench-cluster-stop");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Stops the cluster now; the shutdown hook goes. */
    @Override
    public void close() throws InterruptedException
    {
        try
        {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        catch (final IllegalStateException ex)
        {
            // The JVM is shutting down: the hook stops the cluster.
            return;
        }
        stopper.down(timeoutMs);
    }

    private void stopQuietly()
    {
        try
        {
            stopper.down(timeoutMs);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
