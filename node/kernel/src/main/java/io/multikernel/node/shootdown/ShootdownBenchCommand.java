package io.multikernel.node.shootdown;

import java.util.concurrent.CompletableFuture;

/**
 * One benchmark run handed from an admin thread to the kernel loop: what to run, where the answer
 * goes, and a flag the admin thread sets when it stops waiting.
 */
final class ShootdownBenchCommand
{
    private final ShootdownBenchRequest request;
    private final CompletableFuture<ShootdownBenchResult> result = new CompletableFuture<>();
    private volatile boolean cancelled;

    ShootdownBenchCommand(final ShootdownBenchRequest request)
    {
        this.request = request;
    }

    ShootdownBenchRequest request()
    {
        return request;
    }

    CompletableFuture<ShootdownBenchResult> result()
    {
        return result;
    }

    void cancel()
    {
        cancelled = true;
    }

    boolean isCancelled()
    {
        return cancelled;
    }
}
