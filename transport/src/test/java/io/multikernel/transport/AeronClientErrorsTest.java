package io.multikernel.transport;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.aeron.exceptions.ConductorServiceTimeoutException;
import io.aeron.exceptions.DriverTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An endpoint's Aeron client reports its errors in one line each and never ends the process: Aeron's
 * default handler would exit the JVM on a media driver timeout (the test JVM would die with it).
 */
class AeronClientErrorsTest
{
    private final Logger logger = (Logger)LoggerFactory.getLogger(AeronClientErrors.class);
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

    @BeforeEach
    void capture()
    {
        lines.start();
        logger.addAppender(lines);
    }

    @AfterEach
    void release()
    {
        logger.detachAppender(lines);
    }

    @Test
    void anEndpointsClientLogsTimeoutsInOneLineAndLeavesTheProcessRunning()
    {
        final AeronClientErrors errors = (AeronClientErrors)UrpcEndpoint.clientContext("/dev/shm/aeron-x").errorHandler();

        errors.onError(new DriverTimeoutException("no driver heartbeat for 10000 ms"));
        errors.onError(new ConductorServiceTimeoutException("service interval exceeded"));

        assertThat(lines.list).hasSize(2).allSatisfy(line ->
        {
            assertThat(line.getLevel()).isEqualTo(Level.WARN);
            assertThat(line.getThrowableProxy()).as("a known timeout needs no stack trace").isNull();
        });
        assertThat(lines.list.get(0).getFormattedMessage()).contains("/dev/shm/aeron-x")
            .contains("no driver heartbeat for 10000 ms").contains("connects a new one");
        assertThat(lines.list.get(1).getFormattedMessage()).contains("not serviced within its liveness timeout")
            .contains("service interval exceeded");
    }

    @Test
    void anErrorOfAnotherKindKeepsItsStackTrace()
    {
        new AeronClientErrors("/dev/shm/aeron-y").onError(new IllegalStateException("unexpected"));

        assertThat(lines.list).singleElement().satisfies(line ->
        {
            assertThat(line.getFormattedMessage()).contains("/dev/shm/aeron-y").contains("unexpected");
            assertThat(line.getThrowableProxy()).isNotNull();
        });
    }
}
