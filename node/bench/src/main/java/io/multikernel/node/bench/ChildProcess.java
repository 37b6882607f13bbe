package io.multikernel.node.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A forked JVM that signals readiness with a line on stdout and ends when its stdin closes. Its
 * stderr goes to a log file that is quoted when the child fails.
 */
final class ChildProcess implements AutoCloseable
{
    /** How long a child may take to start and say it is ready, seconds. */
    static final long READY_TIMEOUT_S = 30;
    /** How long a child may take to exit after its stdin closed, seconds. */
    static final long EXIT_TIMEOUT_S = 10;

    private final Process process;
    private final Path log;
    private final String name;

    private ChildProcess(final String name, final Process process, final Path log)
    {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    static ChildProcess start(final String name, final List<String> command, final Path log, final String readyLine)
        throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(command)
            .redirectError(log.toFile())
            .start();
        final ChildProcess child = new ChildProcess(name, process, log);
        child.awaitLine(readyLine);
        return child;
    }

    private void awaitLine(final String readyLine) throws InterruptedException
    {
        final BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        final String[] seen = new String[1];
        final Thread readerThread = new Thread(() ->
        {
            try
            {
                String line;
                while (null != (line = reader.readLine()))
                {
                    if (readyLine.equals(line.trim()))
                    {
                        seen[0] = line;
                        return;
                    }
                }
            }
            catch (final IOException ignore)
            {
                // The process died; reported below.
            }
        }, name + "-stdout");
        readerThread.setDaemon(true);
        readerThread.start();
        readerThread.join(TimeUnit.SECONDS.toMillis(READY_TIMEOUT_S));
        if (null == seen[0])
        {
            process.destroyForcibly();
            throw new IllegalStateException(name + " did not become ready within " + READY_TIMEOUT_S + " s" +
                (process.isAlive() ? "" : " (exit code " + process.exitValue() + ")") + "; its log: " + tail());
        }
    }

    long pid()
    {
        return process.pid();
    }

    String tail()
    {
        return io.multikernel.node.launcher.RunDirectory.tail(log, 5);
    }

    @Override
    public void close()
    {
        try
        {
            process.getOutputStream().close();
            if (!process.waitFor(EXIT_TIMEOUT_S, TimeUnit.SECONDS))
            {
                process.destroyForcibly().waitFor(EXIT_TIMEOUT_S, TimeUnit.SECONDS);
            }
        }
        catch (final IOException | InterruptedException ex)
        {
            process.destroyForcibly();
        }
    }
}
