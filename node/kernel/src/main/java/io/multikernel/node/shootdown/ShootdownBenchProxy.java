package io.multikernel.node.shootdown;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import io.multikernel.node.service.ServiceApi;
import io.multikernel.node.service.ServiceEndpoint;
import io.multikernel.node.service.ServiceException;
import io.multikernel.node.service.ServiceRequest;
import io.multikernel.node.service.ServiceResponse;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

/**
 * How threads other than the kernel loop ask it to run a shootdown benchmark: a bounded queue of
 * commands the loop drains ({@link ShootdownBench}), with failed offers counted. As the endpoint
 * {@code POST /bench/shootdown} of the admin server it parses the request, offers it, and waits at
 * most {@link #RUN_WAIT_MAX_NS} for the loop's answer; a run it stops waiting for is cancelled.
 */
public final class ShootdownBenchProxy implements ServiceApi
{
    /** Commands waiting for the kernel loop; one runs at a time. */
    public static final int COMMAND_QUEUE_CAPACITY = 4;
    /** Longest an admin thread waits for one run. */
    public static final long RUN_WAIT_MAX_NS = TimeUnit.MINUTES.toNanos(10);

    private final ManyToOneConcurrentArrayQueue<ShootdownBenchCommand> commands =
        new ManyToOneConcurrentArrayQueue<>(COMMAND_QUEUE_CAPACITY);
    private final AtomicLong failedOffers = new AtomicLong();
    private final long waitMaxNs;

    public ShootdownBenchProxy()
    {
        this(RUN_WAIT_MAX_NS);
    }

    /**
     * @param waitMaxNs longest {@link #run} waits for the kernel loop.
     */
    public ShootdownBenchProxy(final long waitMaxNs)
    {
        this.waitMaxNs = waitMaxNs;
    }

    @Override
    public List<ServiceEndpoint> endpoints()
    {
        return List.of(ServiceEndpoint.exact("bench_shootdown", "/bench/shootdown", this::handle, "POST"));
    }

    private ServiceResponse handle(final ServiceRequest request) throws ServiceException
    {
        return ServiceResponse.ok(run(ShootdownBenchRequest.of(request)));
    }

    /**
     * Run a benchmark and wait for its summary.
     *
     * @param parameters {@code protocol}, and optionally {@code rounds} and {@code warmup}.
     * @return the summary as JSON.
     * @throws ServiceException 400 for a bad request, 503 when the queue is full or the run failed,
     *                          504 when it did not finish in time.
     */
    public String run(final Map<String, String> parameters) throws ServiceException
    {
        final ShootdownBenchRequest request;
        try
        {
            request = ShootdownBenchRequest.parse(parameters);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ServiceException(400, ex.getMessage());
        }
        return run(request);
    }

    private String run(final ShootdownBenchRequest request) throws ServiceException
    {
        final ShootdownBenchCommand command = new ShootdownBenchCommand(request);
        if (!commands.offer(command))
        {
            failedOffers.incrementAndGet();
            throw new ServiceException(503, COMMAND_QUEUE_CAPACITY + " benchmark runs are already queued; " +
                "retry when they finish");
        }
        try
        {
            return command.result().get(waitMaxNs, TimeUnit.NANOSECONDS).toJson();
        }
        catch (final TimeoutException ex)
        {
            command.cancel();
            throw new ServiceException(504, "the run did not finish within " +
                TimeUnit.NANOSECONDS.toSeconds(waitMaxNs) + " s and was cancelled; ask for fewer rounds");
        }
        catch (final InterruptedException ex)
        {
            command.cancel();
            Thread.currentThread().interrupt();
            throw new ServiceException(503, "the admin server is stopping; the run was cancelled");
        }
        catch (final ExecutionException ex)
        {
            if (ex.getCause() instanceof ServiceException refused)
            {
                throw refused;
            }
            throw new ServiceException(500, "the run failed: " + ex.getCause());
        }
    }

    /**
     * @return commands refused because the queue was full.
     */
    public long failedOffers()
    {
        return failedOffers.get();
    }

    ShootdownBenchCommand poll()
    {
        return commands.poll();
    }
}
