package io.multikernel.transport;

import io.aeron.exceptions.ClientTimeoutException;
import io.aeron.exceptions.ConductorServiceTimeoutException;
import io.aeron.exceptions.DriverTimeoutException;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentTerminationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The error handler of an endpoint's Aeron client: one log line per error, and never the end of the
 * process. Aeron's default handler prints a stack trace for every error and, when the media driver
 * misses its heartbeat for the driver timeout, exits the JVM from a thread of its own. A core that
 * was paused (SIGSTOP, {@code docker pause}) or starved for longer than that meets exactly this when
 * it runs again, and its driver is usually fine. Here the client closes itself as Aeron does, and the
 * endpoint connects a new one on its next poll ({@code UrpcEndpoint.reconnect}); only when no driver
 * answers that does the core stop, with an error that says so.
 */
final class AeronClientErrors implements ErrorHandler
{
    private static final Logger LOGGER = LoggerFactory.getLogger(AeronClientErrors.class);

    private final String aeronDirectory;

    /**
     * @param aeronDirectory of the media driver the client talks to, named in each line.
     */
    AeronClientErrors(final String aeronDirectory)
    {
        this.aeronDirectory = aeronDirectory;
    }

    @Override
    public void onError(final Throwable error)
    {
        if (error instanceof DriverTimeoutException)
        {
            LOGGER.warn("the media driver in {} gave no sign of life within its timeout (it, or this process, was " +
                "stopped or starved, or it is gone): {}; the Aeron client closes and the core connects a new one once " +
                "the driver answers",
                aeronDirectory, error.getMessage());
        }
        else if (error instanceof ConductorServiceTimeoutException)
        {
            LOGGER.warn("this process's Aeron client was not serviced within its liveness timeout (the process was " +
                "stopped or starved): {}; the client closes and the core connects a new one", error.getMessage());
        }
        else if (error instanceof ClientTimeoutException)
        {
            LOGGER.warn("the media driver in {} timed this process's Aeron client out (no keepalive within its " +
                "timeout): {}; the client closes and the core connects a new one", aeronDirectory, error.getMessage());
        }
        else if (error instanceof AgentTerminationException)
        {
            // The closed client's conductor ending its thread: the line above already said why.
            LOGGER.debug("the Aeron client's conductor stopped: {}", error.toString());
        }
        else
        {
            LOGGER.warn("Aeron client error (media driver in {}): {}", aeronDirectory, error.toString(), error);
        }
    }
}
