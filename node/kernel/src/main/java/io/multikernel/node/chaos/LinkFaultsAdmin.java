package io.multikernel.node.chaos;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.multikernel.node.service.ServiceApi;
import io.multikernel.node.service.ServiceEndpoint;
import io.multikernel.node.service.ServiceException;
import io.multikernel.node.service.ServiceJson;
import io.multikernel.node.service.ServiceRequest;
import io.multikernel.node.service.ServiceResponse;
import io.multikernel.transport.LinkFaults;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API of the link fault point, on admin worker threads. Requests are checked here and then
 * applied by the kernel loop, which owns the rules, through the {@link LinkFaultsProxy}'s bounded queue.
 *
 * <pre>
 * GET    /chaos/links          every link that has had a rule: rule, drop and delay counts, frames held
 * POST   /chaos/links          {"peer":2,"direction":"inbound|outbound|both","drop":0.3,"delay_ms":50}
 * DELETE /chaos/links[?peer=N] heal every link, or both directions of the link to core N
 * </pre>
 * Each answers the {@code GET} document (200). A bad request is 400 with one sentence; a core not
 * started with {@code --chaos} answers 409; a kernel loop that does not take the request in time, 503
 * (nothing changed).
 */
public final class LinkFaultsAdmin implements ServiceApi
{
    /** The path of the routes. */
    public static final String PATH = "/chaos/links";
    /** Longest an admin thread waits for the kernel loop to take and apply a request. */
    public static final long KERNEL_LOOP_WAIT_MAX_NS = TimeUnit.SECONDS.toNanos(5);
    private static final Logger LOGGER = LoggerFactory.getLogger(LinkFaultsAdmin.class);
    /** Longest piece of client text echoed in an error. */
    private static final int ECHO_LENGTH_MAX_CHARS = 32;

    private final int selfCoreId;
    private final int[] coreIds;
    private final LinkFaultsProxy proxy;
    private final long seed;
    private final long waitNs;

    /**
     * @param selfCoreId this core.
     * @param coreIds    every core of the cluster map.
     * @param proxy      the kernel loop's queue, or {@code null} when the core runs without chaos.
     * @param seed       the seed of the link faults' drop decisions, reported by {@code GET}.
     * @param waitNs     longest wait for the kernel loop, at most {@link #KERNEL_LOOP_WAIT_MAX_NS}.
     */
    public LinkFaultsAdmin(final int selfCoreId, final int[] coreIds, final LinkFaultsProxy proxy, final long seed,
        final long waitNs)
    {
        if (waitNs <= 0 || waitNs > KERNEL_LOOP_WAIT_MAX_NS)
        {
            throw new IllegalArgumentException("waitNs=" + waitNs + " is outside 1.." + KERNEL_LOOP_WAIT_MAX_NS + " ns");
        }
        this.selfCoreId = selfCoreId;
        this.coreIds = coreIds.clone();
        Arrays.sort(this.coreIds);
        this.proxy = proxy;
        this.seed = seed;
        this.waitNs = waitNs;
    }

    @Override
    public List<ServiceEndpoint> endpoints()
    {
        return List.of(ServiceEndpoint.exact("chaos_links", PATH, this::handle, "GET", "POST", "DELETE"));
    }

    private ServiceResponse handle(final ServiceRequest request) throws ServiceException
    {
        if (null == proxy)
        {
            throw new ServiceException(409, "core " + selfCoreId + " was not started with --chaos, so its links have " +
                "no fault point; start the cluster with mk up --chaos (or the core with mk core --chaos; " +
                "MK_CHAOS=true for the docker-compose cluster)");
        }
        switch (request.method())
        {
            case "GET":
                noParameters(request);
                return apply(faults -> null);
            case "POST":
                noParameters(request);
                final List<LinkRuleRequest.Rule> rules =
                    ServiceJson.read(request.body(), LinkRuleRequest.class).rules(selfCoreId, coreIds);
                return apply(faults ->
                {
                    for (final LinkRuleRequest.Rule rule : rules)
                    {
                        faults.rule(rule.peer(), rule.direction(), rule.drop(), rule.delayMs());
                        LOGGER.warn("core {}: chaos rule for the link to core {}, {}: drop {}, delay {} ms", selfCoreId,
                            rule.peer(), rule.direction().tag(), rule.drop(), rule.delayMs());
                    }
                    return null;
                });
            case "DELETE":
                final int peer = healedPeer(request.parameters());
                return apply(faults ->
                {
                    if (peer < 0)
                    {
                        faults.healAll();
                        LOGGER.warn("core {}: chaos healed every link", selfCoreId);
                    }
                    else
                    {
                        faults.heal(peer);
                        LOGGER.warn("core {}: chaos healed the link to core {}", selfCoreId, peer);
                    }
                    return null;
                });
            default:
                throw ServiceException.methodNotAllowed(request.method(), request.path(), List.of("GET", "POST", "DELETE"));
        }
    }

    /**
     * Run {@code change} on the kernel loop, then answer what the link fault point holds after it.
     */
    private ServiceResponse apply(final Function<LinkFaults, Void> change) throws ServiceException
    {
        final LinkFaultsCommand<LinkFaults.Snapshot> command = new LinkFaultsCommand<>(faults ->
        {
            change.apply(faults);
            return faults.snapshot();
        });
        if (!proxy.offer(command))
        {
            throw new ServiceException(503, "the kernel loop's chaos queue is full (" +
                LinkFaultsProxy.COMMAND_QUEUE_CAPACITY + " commands); nothing changed, retry shortly");
        }
        final LinkFaults.Snapshot snapshot;
        try
        {
            snapshot = command.await(waitNs);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ServiceException(400, ex.getMessage());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new ServiceException(503, "the admin server is stopping; retry on a running core");
        }
        if (null == snapshot)
        {
            throw new ServiceException(503, "the kernel loop did not take the request within " +
                TimeUnit.NANOSECONDS.toMillis(waitNs) + " ms; nothing changed (see /health)");
        }
        return ServiceResponse.ok(ServiceJson.write(links(snapshot)));
    }

    private static void noParameters(final ServiceRequest request) throws ServiceException
    {
        if (!request.parameters().isEmpty())
        {
            throw new ServiceException(400, "query parameter '" + ServiceException.echo(
                request.parameters().keySet().iterator().next(), ECHO_LENGTH_MAX_CHARS) + "' is unknown; " + request.method() + " " +
                PATH + " takes none");
        }
    }

    /**
     * @return the peer {@code ?peer=N} names, or -1 for every link.
     */
    private int healedPeer(final Map<String, String> parameters) throws ServiceException
    {
        for (final String name : parameters.keySet())
        {
            if (!"peer".equals(name))
            {
                throw new ServiceException(400, "query parameter '" + ServiceException.echo(name, ECHO_LENGTH_MAX_CHARS) +
                    "' is unknown; use peer=N or none");
            }
        }
        final String text = parameters.get("peer");
        if (null == text)
        {
            return -1;
        }
        final OptionalLong peer = ServiceJson.wholeNumber(text);
        if (peer.isEmpty() || peer.getAsLong() < 0 || peer.getAsLong() > Integer.MAX_VALUE)
        {
            throw new ServiceException(400, "peer=" + ServiceException.echo(text, ECHO_LENGTH_MAX_CHARS) + " is not a core id");
        }
        LinkRuleRequest.checkPeer((int)peer.getAsLong(), selfCoreId, coreIds);
        return (int)peer.getAsLong();
    }

    private Links links(final LinkFaults.Snapshot snapshot)
    {
        final List<Link> links = new ArrayList<>(snapshot.links().size());
        for (final LinkFaults.LinkView view : snapshot.links())
        {
            links.add(new Link(view.peer(), view.direction().tag(), view.drop(), view.delayMs(), view.droppedByRule(),
                view.droppedQueueFull(), view.delayed(), view.queuedFrames()));
        }
        return new Links(selfCoreId, seed, LinkFaults.DELAY_MS_MAX, LinkFaults.DELAY_QUEUE_FRAMES_MAX,
            LinkFaults.DELAY_QUEUE_BYTES_MAX, snapshot.queuedFrames(), snapshot.queuedBytes(), links);
    }

    /** The answer of every route. */
    record Links(
        int core,
        long seed,
        @JsonProperty("delay_ms_max") long delayMsMax,
        @JsonProperty("delay_queue_frames_max") int delayQueueFramesMax,
        @JsonProperty("delay_queue_bytes_max") long delayQueueBytesMax,
        @JsonProperty("queued_frames") int queuedFrames,
        @JsonProperty("queued_bytes") long queuedBytes,
        List<Link> links)
    {
    }

    /** One direction of a link. */
    record Link(
        int peer,
        String direction,
        double drop,
        @JsonProperty("delay_ms") long delayMs,
        @JsonProperty("dropped_by_rule") long droppedByRule,
        @JsonProperty("dropped_queue_full") long droppedQueueFull,
        long delayed,
        @JsonProperty("queued_frames") int queuedFrames)
    {
    }
}
