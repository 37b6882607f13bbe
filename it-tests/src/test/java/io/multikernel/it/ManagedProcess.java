package io.multikernel.it;

import io.multikernel.node.core.KernelMain;
import io.multikernel.node.launcher.KernelClassPath;
import io.multikernel.transport.JvmFlags;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A JVM forked by a test: stdout lines are queued for assertions, stderr goes to a log file under
 * {@code target/it-logs} that failures quote, stdin carries commands. Closing it ends the process.
 */
final class ManagedProcess implements AutoCloseable
{
    /** Lines kept from stdout until a test reads them. */
    private static final int STDOUT_QUEUE_LINES_MAX = 100_000;

    private final String name;
    private final Process process;
    private final Path log;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>(STDOUT_QUEUE_LINES_MAX);
    private final Writer stdin;

    private ManagedProcess(final String name, final Process process, final Path log)
    {
        this.name = name;
        this.process = process;
        this.log = log;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        final Thread reader = new Thread(this::readStdout, name + "-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    static ManagedProcess start(final String name, final Class<?> mainClass, final List<String> jvmArgs,
        final List<String> args) throws IOException
    {
        return start(name, JvmFlags.javaCommand(mainClass, jvmArgs), args);
    }

    /**
     * A core or media driver, as the launcher starts them: {@code KernelMain} on the kernel's class
     * path only.
     */
    static ManagedProcess startKernel(final String name, final List<String> jvmArgs, final List<String> args)
        throws IOException
    {
        return start(name, KernelClassPath.javaCommand(KernelMain.class, jvmArgs), args);
    }

    private static ManagedProcess start(final String name, final List<String> command, final List<String> args)
        throws IOException
    {
        command.addAll(args);
        final Path logDir = Path.of("target", "it-logs");
        Files.createDirectories(logDir);
        final Path log = logDir.resolve(name + ".log");
        final Process process = new ProcessBuilder(command).redirectError(log.toFile()).start();
        return new ManagedProcess(name, process, log);
    }

    /**
     * @param match   what the line must satisfy.
     * @param timeout how long to wait.
     * @param unit    of the timeout.
     * @return the first matching line; earlier lines are dropped.
     * @throws AssertionError naming the process and quoting its log when no line matches in time.
     */
    String awaitLine(final Predicate<String> match, final long timeout, final TimeUnit unit) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + unit.toNanos(timeout);
        final List<String> seen = new ArrayList<>();
        while (true)
        {
            final long leftNs = deadlineNs - System.nanoTime();
            final String line = leftNs > 0 ? lines.poll(leftNs, TimeUnit.NANOSECONDS) : null;
            if (null == line)
            {
                throw new AssertionError(name + " printed no matching line within " + unit.toSeconds(timeout) +
                    " s (alive=" + process.isAlive() + "); last stdout: " + tailOf(seen) + "; stderr: " + logTail());
            }
            if (match.test(line))
            {
                return line;
            }
            seen.add(line);
        }
    }

    void send(final String command) throws IOException
    {
        stdin.write(command);
        stdin.write('\n');
        stdin.flush();
    }

    /** kill -9. */
    void kill() throws InterruptedException
    {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /**
     * @return the exit status, once the process has ended.
     * @throws AssertionError quoting its log when it still runs after the timeout.
     */
    int awaitExit(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        if (!process.waitFor(timeout, unit))
        {
            throw new AssertionError(name + " still runs after " + unit.toSeconds(timeout) + " s; stderr: " + logTail());
        }
        return process.exitValue();
    }

    long pid()
    {
        return process.pid();
    }

    boolean isAlive()
    {
        return process.isAlive();
    }

    /**
     * For a failure message about another process: takes every stdout line not yet read.
     *
     * @return whether it runs, the last of those lines and the tail of its log.
     */
    String drainedOutput()
    {
        final List<String> unread = new ArrayList<>();
        lines.drainTo(unread);
        return name + " (alive=" + process.isAlive() + "); unread stdout: " + tailOf(unread) + "; stderr: " + logTail();
    }

    String logTail()
    {
        try
        {
            final List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return tailOf(all);
        }
        catch (final IOException ex)
        {
            return "(no log at " + log + ")";
        }
    }

    @Override
    public void close() throws InterruptedException
    {
        try
        {
            stdin.close();
        }
        catch (final IOException ignore)
        {
            // Already gone.
        }
        if (!process.waitFor(10, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private void readStdout()
    {
        try (BufferedReader reader = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while (null != (line = reader.readLine()))
            {
                if (!lines.offer(line))
                {
                    throw new IllegalStateException(name + " printed more than " + STDOUT_QUEUE_LINES_MAX + " unread lines");
                }
            }
        }
        catch (final IOException ignore)
        {
            // Process ended.
        }
    }

    private static String tailOf(final List<String> all)
    {
        return all.isEmpty() ? "(none)" : String.join(" | ", all.subList(Math.max(0, all.size() - 8), all.size()));
    }
}
