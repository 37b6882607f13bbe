package io.multikernel.node.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * For tests of what is said about a process stopped by a signal: a {@code sleep} stopped with
 * SIGSTOP, returned once the kernel shows it stopped; closing it kills it.
 */
public final class StoppedProcess implements AutoCloseable
{
    /** STOP_WAIT_MS: how long the kernel may take to show the process stopped, ms. */
    private static final long STOP_WAIT_MS = 5_000;
    private final Process process;

    private StoppedProcess(final Process process)
    {
        this.process = process;
    }

    /**
     * @return a process stopped by SIGSTOP.
     * @throws IOException          when it cannot be started or stopped.
     * @throws InterruptedException when interrupted while waiting.
     * @throws IllegalStateException when it does not show stopped in time.
     */
    public static StoppedProcess start() throws IOException, InterruptedException
    {
        final StoppedProcess stopped = new StoppedProcess(new ProcessBuilder("sleep", "60").start());
        if (0 != new ProcessBuilder("kill", "-STOP", Long.toString(stopped.pid())).start().waitFor())
        {
            stopped.close();
            throw new IllegalStateException("kill -STOP " + stopped.pid() + " failed");
        }
        final long deadlineMs = System.currentTimeMillis() + STOP_WAIT_MS;
        while (!stopped.showsStopped())
        {
            if (System.currentTimeMillis() > deadlineMs)
            {
                stopped.close();
                throw new IllegalStateException("process " + stopped.pid() + " did not show stopped in " + STOP_WAIT_MS +
                    " ms");
            }
            Thread.sleep(10);
        }
        return stopped;
    }

    public long pid()
    {
        return process.pid();
    }

    public ProcessHandle handle()
    {
        return process.toHandle();
    }

    /** @return whether the process ended (after a kill). */
    public boolean awaitGone(final long timeoutMs) throws InterruptedException
    {
        return process.waitFor(timeoutMs, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private boolean showsStopped() throws IOException
    {
        final String stat = Files.readString(Path.of("/proc", Long.toString(pid()), "stat"));
        final int end = stat.lastIndexOf(')');
        return end >= 0 && end + 2 < stat.length() && 'T' == stat.charAt(end + 2);
    }

    @Override
    public void close()
    {
        process.destroyForcibly();
    }
}
