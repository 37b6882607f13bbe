package io.multikernel.it;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.awaitility.core.ConditionTimeoutException;

import static org.awaitility.Awaitility.await;

/**
 * The multi-process tests' bounded waits: each names what it waits for and how long it may take,
 * and fails the test with both when the time is up.
 */
final class Await
{
    /** POLL_INTERVAL: how often a condition is asked again. */
    static final Duration POLL_INTERVAL = Duration.ofMillis(50);

    private Await()
    {
    }

    /**
     * Waits until {@code condition} holds, asking it on this thread.
     *
     * @throws AssertionError "{@code what}: not within {@code timeoutS} s" when it does not hold in time.
     */
    static void awaitTrue(final String what, final BooleanSupplier condition, final long timeoutS)
    {
        try
        {
            await(what).pollInSameThread().pollDelay(Duration.ZERO).pollInterval(POLL_INTERVAL)
                .atMost(timeoutS, TimeUnit.SECONDS).until(condition::getAsBoolean);
        }
        catch (final ConditionTimeoutException ex)
        {
            throw new AssertionError(what + ": not within " + timeoutS + " s", ex);
        }
    }
}
