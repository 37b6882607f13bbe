package io.multikernel.node.chaos;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import io.multikernel.transport.LinkFaults;

/**
 * One request from an admin thread to the kernel loop's {@link LinkFaults}, with its answer. The
 * kernel loop takes it before acting and a waiter that gives up cancels it; exactly one of the two
 * wins, so a waiter that gave up knows the rules were not changed.
 *
 * @param <T> the answer.
 */
final class LinkFaultsCommand<T>
{
    private static final int PENDING = 0;
    private static final int TAKEN = 1;
    private static final int CANCELLED = 2;

    private final AtomicInteger state = new AtomicInteger(PENDING);
    private final CompletableFuture<T> answer = new CompletableFuture<>();
    private final Function<LinkFaults, T> action;

    /**
     * @param action run on the kernel loop; its result is the answer.
     */
    LinkFaultsCommand(final Function<LinkFaults, T> action)
    {
        this.action = action;
    }

    /**
     * Kernel loop: run the action unless the waiter gave up.
     *
     * @param linkFaults the core's link fault point.
     */
    void run(final LinkFaults linkFaults)
    {
        if (state.compareAndSet(PENDING, TAKEN))
        {
            try
            {
                answer.complete(action.apply(linkFaults));
            }
            catch (final RuntimeException ex)
            {
                answer.completeExceptionally(ex);
            }
        }
    }

    /**
     * Waiter: the answer, or {@code null} when the kernel loop did not take the command in time (it
     * then never will).
     *
     * @param timeoutNs longest wait.
     * @return the answer, or null when not taken.
     * @throws IllegalArgumentException when the action refused the request.
     * @throws InterruptedException     when the waiting thread is interrupted.
     */
    T await(final long timeoutNs) throws InterruptedException
    {
        try
        {
            return answer.get(timeoutNs, TimeUnit.NANOSECONDS);
        }
        catch (final TimeoutException ex)
        {
            if (state.compareAndSet(PENDING, CANCELLED))
            {
                return null;
            }
            // Taken just now: the action runs to its end without blocking, so its answer is close.
            return await(timeoutNs);
        }
        catch (final ExecutionException ex)
        {
            if (ex.getCause() instanceof IllegalArgumentException refused)
            {
                throw refused;
            }
            throw new IllegalStateException("the kernel loop failed to apply the link fault command: " + ex.getCause(),
                ex.getCause());
        }
    }
}
