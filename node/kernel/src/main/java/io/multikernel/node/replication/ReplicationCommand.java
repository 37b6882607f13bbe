package io.multikernel.node.replication;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * One request from another thread to the kernel loop's replication, with its answer. The kernel
 * loop {@link #take()}s it before acting; a waiter that times out {@link #cancel()}s it. Exactly one
 * of the two wins, so a waiter knows for sure whether the kernel loop ever acted on the command:
 * a cancelled proposal was never proposed (a definite "nothing changed"), a taken one may have been
 * (indefinite until its outcome arrives).
 *
 * @param <T> the answer.
 */
public final class ReplicationCommand<T>
{
    private static final int PENDING = 0;
    private static final int TAKEN = 1;
    private static final int CANCELLED = 2;

    /** What the kernel loop does with a command; it completes the command now or later. */
    @FunctionalInterface
    public interface Action<T>
    {
        void run(CoreReplication replication, ReplicationCommand<T> command);
    }

    /** What a waiter learns. */
    public enum Wait
    {
        /** The answer arrived. */
        ANSWERED,
        /** The kernel loop never took the command and never will. */
        NOT_TAKEN,
        /** The kernel loop took the command but has not answered in time. */
        TAKEN_NO_ANSWER
    }

    private final AtomicInteger state = new AtomicInteger(PENDING);
    private final CompletableFuture<T> answer = new CompletableFuture<>();
    private final Action<T> action;

    public ReplicationCommand(final Action<T> action)
    {
        this.action = action;
    }

    /**
     * @param query run on the kernel loop; its result is the answer.
     * @return a command answered as soon as the kernel loop runs it.
     */
    public static <T> ReplicationCommand<T> query(final Function<CoreReplication, T> query)
    {
        return new ReplicationCommand<>((replication, command) -> command.complete(query.apply(replication)));
    }

    /**
     * Kernel loop: claim the command.
     *
     * @return false when its waiter has given up; then do nothing.
     */
    boolean take()
    {
        return state.compareAndSet(PENDING, TAKEN);
    }

    /**
     * Kernel loop: take and run.
     */
    void run(final CoreReplication replication)
    {
        if (take())
        {
            try
            {
                action.run(replication, this);
            }
            catch (final RuntimeException ex)
            {
                answer.completeExceptionally(ex);
            }
        }
    }

    /**
     * Waiter: give up unless the kernel loop already took it.
     *
     * @return true when the kernel loop will never act on it.
     */
    boolean cancel()
    {
        return state.compareAndSet(PENDING, CANCELLED);
    }

    /**
     * @param value the answer; later answers are ignored.
     */
    public void complete(final T value)
    {
        answer.complete(value);
    }

    /**
     * Waits for the answer at most {@code timeoutNs}.
     *
     * @return what happened; {@link #answer()} holds the answer when {@link Wait#ANSWERED}.
     * @throws InterruptedException when the waiting thread is interrupted.
     */
    public Wait await(final long timeoutNs) throws InterruptedException
    {
        try
        {
            answer.get(timeoutNs, TimeUnit.NANOSECONDS);
            return Wait.ANSWERED;
        }
        catch (final ExecutionException ex)
        {
            return Wait.ANSWERED;
        }
        catch (final TimeoutException ex)
        {
            if (cancel())
            {
                return Wait.NOT_TAKEN;
            }
            return answer.isDone() ? Wait.ANSWERED : Wait.TAKEN_NO_ANSWER;
        }
    }

    /**
     * @return the answer of a command that was answered.
     * @throws IllegalStateException carrying the kernel loop's failure when the action threw.
     */
    public T answer()
    {
        try
        {
            return answer.getNow(null);
        }
        catch (final RuntimeException ex)
        {
            final Throwable cause = null == ex.getCause() ? ex : ex.getCause();
            throw new IllegalStateException(null == cause.getMessage() ? cause.toString() : cause.getMessage(), cause);
        }
    }
}
