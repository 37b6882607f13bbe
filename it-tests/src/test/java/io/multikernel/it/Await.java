package io.multikernel.it;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

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

    /**
     * SETTLE_TIMEOUT_S: how long a read is made again until a change every core applies has reached
     * the core it asks (its coordinator answers at commit; the others apply a moment later).
     */
    static final long SETTLE_TIMEOUT_S = 10;

    /** A read of a core's state, which may throw. */
    @FunctionalInterface
    interface Read<T>
    {
        T read() throws Exception;
    }

    /**
     * Reads until {@code settled} holds of the answer, for at most {@link #SETTLE_TIMEOUT_S}, and
     * returns the last answer: the caller asserts on it, so a failure shows what was read last.
     */
    static <T> T settled(final Read<T> read, final Predicate<T> settled) throws Exception
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(SETTLE_TIMEOUT_S);
        T answer = read.read();
        while (!settled.test(answer) && System.nanoTime() - deadlineNs < 0)
        {
            Thread.sleep(POLL_INTERVAL.toMillis());
            answer = read.read();
        }
        return answer;
    }
}
