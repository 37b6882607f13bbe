package io.multikernel.node.caps;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.multikernel.node.replication.ReplicationCommand;
import io.multikernel.node.replication.ReplicationProxy;
import io.multikernel.node.service.ServiceApi;
import io.multikernel.node.service.ServiceEndpoint;
import io.multikernel.node.service.ServiceException;
import io.multikernel.node.service.ServiceJson;
import io.multikernel.node.service.ServiceRequest;
import io.multikernel.node.service.ServiceResponse;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The capability service's admin API, on admin worker threads; every request runs on the kernel
 * loop through the {@link ReplicationProxy}'s bounded queue and waits at most the admin timeout.
 *
 * <pre>
 * GET  /caps[?limit=N][&amp;holder=C]  this core's replica: count, fingerprint, memory server, capabilities
 * GET  /caps/ID                      one capability of the replica (any holder); 404 when absent
 * POST /caps/alloc     {"bytes":N}                                   RAM from this core's memory server
 * POST /caps/retype    {"cap":ID,"type":"frame","size":4096,"offset":0,"count":1}
 * POST /caps/copy      {"cap":ID,"to":CORE}
 * POST /caps/mint      {"cap":ID,"to":CORE,"rights":"read,write"}    "to" defaults to this core
 * POST /caps/delete    {"cap":ID}
 * POST /caps/revoke    {"cap":ID}
 * POST /caps/identify  {"cap":ID}                                    needs the identify right
 * POST /caps/read      {"cap":ID,"offset":0,"length":N}              a Frame's bytes, base64
 * POST /caps/write     {"cap":ID,"offset":0,"base64":"..."}
 * </pre>
 * The core acts for capabilities it holds. Answers: 200 done, with the capabilities made; 400 bad
 * arguments, 403 held elsewhere or a right missing, 404 no such capability, 409 conflict (overlap:
 * revoke first; no free memory) or aborted, 503 not proposed: each with one sentence in
 * {@code error}, and nothing changed. 500 or 504 {@code indefinite}: it may have committed.
 */
public final class CapabilityAdmin implements ServiceApi
{
    /** LIST_LIMIT_DEFAULT: capabilities {@code GET /caps} lists without {@code limit}. */
    public static final int LIST_LIMIT_DEFAULT = 100;
    /** LIST_LIMIT_MAX: most capabilities one {@code GET /caps} lists. */
    public static final int LIST_LIMIT_MAX = 10_000;

    private final ReplicationProxy proxy;
    private final CapabilityService service;
    private final long timeoutNs;

    /**
     * @param proxy     the kernel loop's command queue.
     * @param service   the kernel loop's capability service; touched only by commands on the kernel loop.
     * @param timeoutNs longest wait for the kernel loop.
     */
    public CapabilityAdmin(final ReplicationProxy proxy, final CapabilityService service, final long timeoutNs)
    {
        this.proxy = proxy;
        this.service = service;
        this.timeoutNs = timeoutNs;
    }

    @Override
    public List<ServiceEndpoint> endpoints()
    {
        return List.of(ServiceEndpoint.prefix("caps", "/caps", this::handle, "GET", "POST"));
    }

    /** {@code POST /caps/alloc}. */
    record Allocation(@JsonPropertyDescription("bytes, a positive multiple of 4096") Long bytes)
    {
    }

    /** {@code POST /caps/retype}. */
    record RetypeRequest(Long cap,
        @JsonPropertyDescription("one of ram, frame, cnode, vnode") String type,
        @JsonPropertyDescription("bytes of each new object") Long size,
        Long offset,
        Integer count)
    {
    }

    /** {@code POST /caps/copy} and {@code /caps/mint}. */
    record GiveRequest(Long cap, Integer to,
        @JsonPropertyDescription("comma-separated rights: read, write, execute, grant, identify; or all, none")
        String rights)
    {
    }

    /** {@code POST /caps/delete}, {@code /caps/revoke}, {@code /caps/identify}. */
    record CapRequest(Long cap)
    {
    }

    /** {@code POST /caps/read} and {@code /caps/write}. */
    record FrameRequest(Long cap, Long offset, Integer length, String base64)
    {
    }

    private ServiceResponse handle(final ServiceRequest request) throws ServiceException
    {
        final String path = request.path();
        try
        {
            if ("/caps".equals(path))
            {
                requireMethod(request, "GET");
                return list(request.parameters());
            }
            final String name = path.substring("/caps/".length());
            if ("GET".equals(request.method()))
            {
                return lookup(capId(name));
            }
            final byte[] body = request.body();
            return switch (name)
            {
                case "alloc" -> allocate(ServiceJson.read(body, Allocation.class));
                case "retype" -> retype(ServiceJson.read(body, RetypeRequest.class));
                case "copy" -> give(false, ServiceJson.read(body, GiveRequest.class));
                case "mint" -> give(true, ServiceJson.read(body, GiveRequest.class));
                case "delete" -> delete(false, ServiceJson.read(body, CapRequest.class));
                case "revoke" -> delete(true, ServiceJson.read(body, CapRequest.class));
                case "identify" -> identify(ServiceJson.read(body, CapRequest.class));
                case "read" -> read(ServiceJson.read(body, FrameRequest.class));
                case "write" -> write(ServiceJson.read(body, FrameRequest.class));
                default -> throw new ServiceException(404, "no capability operation '" +
                    ServiceException.echo(name, 32) + "'; use alloc, retype, copy, mint, delete, revoke, identify, " +
                    "read or write");
            };
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new ServiceException(503, "the admin server is stopping; retry on a running core");
        }
    }

    private ServiceResponse delete(final boolean revoke, final CapRequest request)
        throws InterruptedException, ServiceException
    {
        final long capId = required(request.cap());
        return revoke ? mutate(callback -> service.revoke(capId, callback)) :
            mutate(callback -> service.delete(capId, callback));
    }

    private ServiceResponse allocate(final Allocation request) throws InterruptedException, ServiceException
    {
        if (null == request.bytes())
        {
            throw new ServiceException(400, "bytes is required: a positive multiple of " +
                CapabilityType.PAGE_LENGTH_BYTES);
        }
        final long bytes = request.bytes();
        return mutate(callback -> service.allocate(bytes, callback));
    }

    private ServiceResponse retype(final RetypeRequest request) throws InterruptedException, ServiceException
    {
        final long capId = required(request.cap());
        final CapabilityType type = type(request.type());
        if (null == request.size())
        {
            throw new ServiceException(400, "size is required: bytes of each new object");
        }
        final long size = request.size();
        final long offset = null == request.offset() ? 0 : request.offset();
        final int count = null == request.count() ? 1 : request.count();
        return mutate(callback -> service.retype(capId, type, offset, size, count, callback));
    }

    private ServiceResponse give(final boolean mint, final GiveRequest request)
        throws InterruptedException, ServiceException
    {
        final long capId = required(request.cap());
        final int to = null == request.to() ? service.coreId() : request.to();
        if (!mint)
        {
            if (null != request.rights())
            {
                throw new ServiceException(400, "copy keeps the rights; use /caps/mint to give fewer");
            }
            if (null == request.to())
            {
                throw new ServiceException(400, "to is required: the core that gets the copy");
            }
            return mutate(callback -> service.copy(capId, to, callback));
        }
        if (null == request.rights())
        {
            throw new ServiceException(400, "rights is required: e.g. \"read,write\", \"all\" or \"none\"");
        }
        final int rights;
        try
        {
            rights = Rights.parse(request.rights());
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ServiceException(400, ex.getMessage());
        }
        return mutate(callback -> service.mint(capId, to, rights, callback));
    }

    private ServiceResponse identify(final CapRequest request) throws InterruptedException, ServiceException
    {
        final long capId = required(request.cap());
        return answerOrRefusal(() -> ServiceJson.write(json(service.identify(capId), service.database())));
    }

    private ServiceResponse read(final FrameRequest request) throws InterruptedException, ServiceException
    {
        final long capId = required(request.cap());
        final long offset = null == request.offset() ? 0 : request.offset();
        if (null == request.length() || null != request.base64())
        {
            throw new ServiceException(400, "a read takes cap, offset and length (1.." +
                CapabilityService.FRAME_IO_LENGTH_MAX_BYTES + "), and no base64");
        }
        final int length = request.length();
        if (length < 0 || length > CapabilityService.FRAME_IO_LENGTH_MAX_BYTES)
        {
            throw new ServiceException(400, "length " + length + " is outside 0.." + CapabilityService.FRAME_IO_LENGTH_MAX_BYTES);
        }
        return frame(callback -> service.frames().read(capId, offset, length, callback), (data, at, count) ->
        {
            final byte[] bytes = new byte[count];
            data.getBytes(at, bytes);
            return ServiceJson.write(new FrameData(capId, offset, count, Base64.getEncoder().encodeToString(bytes)));
        }, false);
    }

    private ServiceResponse write(final FrameRequest request) throws InterruptedException, ServiceException
    {
        final long capId = required(request.cap());
        final long offset = null == request.offset() ? 0 : request.offset();
        if (null == request.base64() || null != request.length())
        {
            throw new ServiceException(400, "a write takes cap, offset and base64 (the bytes), and no length");
        }
        final byte[] bytes;
        try
        {
            bytes = Base64.getDecoder().decode(request.base64());
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ServiceException(400, "base64 is not valid base64: " + ex.getMessage());
        }
        if (bytes.length > CapabilityService.FRAME_IO_LENGTH_MAX_BYTES)
        {
            throw new ServiceException(400, bytes.length + " bytes are more than one write moves (" +
                CapabilityService.FRAME_IO_LENGTH_MAX_BYTES + ")");
        }
        return frame(callback -> service.frames().write(capId, offset, new UnsafeBuffer(bytes), 0, bytes.length, callback),
            (data, at, count) -> ServiceJson.write(new FrameData(capId, offset, bytes.length, null)), true);
    }

    /** Makes a frame answer's JSON from its bytes (valid only during the call). */
    @FunctionalInterface
    private interface FrameAnswer
    {
        String json(org.agrona.DirectBuffer data, int offset, int length);
    }

    /**
     * Runs a frame access on the kernel loop; a remote one answers when the frame's host replies. A
     * write the kernel loop took has been sent to the frame's host, so one that is not answered in time
     * may have been done: indefinite (504), where an unanswered read changed nothing (503).
     */
    private ServiceResponse frame(final Consumer<FrameAccess.Callback> access, final FrameAnswer answer,
        final boolean writes) throws InterruptedException, ServiceException
    {
        final ReplicationCommand<Object> command = new ReplicationCommand<>((replication, self) ->
            access.accept((outcome, data, offset, length) ->
                self.complete(CapabilityResult.Outcome.DONE == outcome.outcome() ? answer.json(data, offset, length) :
                    outcome)));
        return submit(command, "not done", writes ?
            "it may have been written (the frame's host may be slow): read the frame before retrying" : null,
            result -> result instanceof CapabilityResult refusal ? resultResponse(refusal) :
                ServiceResponse.ok((String)result));
    }

    /**
     * Offers a command to the kernel loop and waits for its answer.
     *
     * @param notStarted what a command the kernel loop never took is: "not proposed", "not done".
     * @param mayHave    what may have happened when the kernel loop took it and did not answer in time
     *                   (answered indefinite, 504); null when nothing can have changed (503).
     * @param answered   the response to the answer.
     */
    private <T> ServiceResponse submit(final ReplicationCommand<T> command, final String notStarted,
        final String mayHave, final java.util.function.Function<T, ServiceResponse> answered)
        throws InterruptedException, ServiceException
    {
        if (!proxy.offer(command))
        {
            return resultResponse(CapabilityResult.refused(CapabilityResult.Outcome.UNAVAILABLE, notStarted +
                ": the kernel loop's command queue is full (" + proxy.capacity() + " commands); retry shortly"));
        }
        final ReplicationCommand.Wait wait = command.await(timeoutNs);
        final long timeoutMs = TimeUnit.NANOSECONDS.toMillis(timeoutNs);
        if (ReplicationCommand.Wait.NOT_TAKEN == wait)
        {
            return resultResponse(CapabilityResult.refused(CapabilityResult.Outcome.UNAVAILABLE, notStarted +
                ": the kernel loop did not take the request within " + timeoutMs + " ms"));
        }
        if (ReplicationCommand.Wait.TAKEN_NO_ANSWER == wait)
        {
            return null == mayHave ?
                resultResponse(CapabilityResult.refused(CapabilityResult.Outcome.UNAVAILABLE, "no answer within " +
                    timeoutMs + " ms (the frame's host may be slow); nothing changed, retry")) :
                new ServiceResponse(504, ServiceJson.write(new Outcome(service.coreId(), "indefinite", null, List.of(),
                    "no outcome within " + timeoutMs + " ms; " + mayHave)));
        }
        try
        {
            return answered.apply(command.answer());
        }
        catch (final IllegalStateException ex)
        {
            throw new ServiceException(500, ex.getMessage());
        }
    }

    /** A kernel-loop action that answers JSON or is refused. */
    @FunctionalInterface
    private interface Action
    {
        String run() throws CapabilityException;
    }

    private ServiceResponse answerOrRefusal(final Action action) throws InterruptedException, ServiceException
    {
        final Object answer = proxy.call(ReplicationCommand.query(replication ->
        {
            try
            {
                return action.run();
            }
            catch (final CapabilityException ex)
            {
                return ex.result();
            }
        }), timeoutNs);
        if (answer instanceof CapabilityResult refusal)
        {
            return resultResponse(refusal);
        }
        return ServiceResponse.ok((String)answer);
    }

    private ServiceResponse mutate(final Consumer<CapabilityService.Callback> operation)
        throws InterruptedException, ServiceException
    {
        final ReplicationCommand<CapabilityResult> command =
            new ReplicationCommand<>((replication, self) -> operation.accept(self::complete));
        return submit(command, "not proposed", "it may have committed: read /caps before retrying",
            this::resultResponse);
    }

    private ServiceResponse resultResponse(final CapabilityResult result)
    {
        return new ServiceResponse(result.outcome().httpStatus(), ServiceJson.write(new Outcome(service.coreId(),
            result.outcome().name().toLowerCase(Locale.ROOT), result.transaction(), result.capIds(), result.message())));
    }

    private ServiceResponse list(final Map<String, String> parameters) throws InterruptedException, ServiceException
    {
        for (final String name : parameters.keySet())
        {
            if (!"limit".equals(name) && !"holder".equals(name))
            {
                throw new ServiceException(400, "unknown parameter '" + ServiceException.echo(name, 32) +
                    "'; /caps takes limit and holder");
            }
        }
        final int limit = (int)number(parameters, "limit", LIST_LIMIT_DEFAULT, 0, LIST_LIMIT_MAX);
        final int holder = (int)number(parameters, "holder", -1, 0, Integer.MAX_VALUE);
        return ServiceResponse.ok(proxy.call(ReplicationCommand.query(replication -> listJson(limit, holder)), timeoutNs));
    }

    private static long number(final Map<String, String> parameters, final String name, final long absent, final long min,
        final long max) throws ServiceException
    {
        final String text = parameters.get(name);
        if (null == text)
        {
            return absent;
        }
        final OptionalLong value = ServiceJson.wholeNumber(text);
        if (value.isEmpty() || value.getAsLong() < min || value.getAsLong() > max)
        {
            throw new ServiceException(400, name + "='" + ServiceException.echo(text, 32) + "' is not a whole number in " +
                min + ".." + max);
        }
        return value.getAsLong();
    }

    /** Kernel loop: {@code GET /caps}. */
    private String listJson(final int limit, final int holder)
    {
        final CapabilityDatabase database = service.database();
        final List<CapabilityJson> listed = new ArrayList<>();
        int matching = 0;
        for (final Capability capability : database.capabilities().values())
        {
            if (holder >= 0 && capability.holderCore() != holder)
            {
                continue;
            }
            if (matching++ < limit)
            {
                listed.add(json(service.view(capability), database));
            }
        }
        final int core = service.coreId();
        final PhysicalRange range = database.serverRanges().get(core);
        final MemoryServer memory = null == range ? null : new MemoryServer(core, range.base(), range.length(),
            database.allocatedBytes(core), database.freeBytes(core), database.returnedBytes(core));
        return ServiceJson.write(new Listing(core, database.capabilities().size(), database.objects().size(),
            database.fingerprint(), database.changes(), limit, matching > limit, memory, listed));
    }

    private ServiceResponse lookup(final long capId) throws InterruptedException, ServiceException
    {
        final String json = proxy.call(ReplicationCommand.query(replication ->
        {
            final CapabilityView view = service.lookup(capId);
            return null == view ? null :
                ServiceJson.write(json(view, service.database()));
        }), timeoutNs);
        if (null == json)
        {
            throw new ServiceException(404, "capability " + capId + " does not exist in core " + service.coreId() +
                "'s replica");
        }
        return ServiceResponse.ok(json);
    }

    /**
     * @param database for what a MAPPING capability maps, the domain a VNODE capability is the root of,
     *                 and the leaf page table a VNODE (or the RAM it came from) belongs to.
     */
    static CapabilityJson json(final CapabilityView view, final CapabilityDatabase database)
    {
        final MappingCapability mapping = database.mappingCapabilities().get(view.capId());
        final LeafTable leaf = database.pageTableLeafOf(view.capId());
        return new CapabilityJson(view.capId(), view.objectId(), view.type().name().toLowerCase(Locale.ROOT), view.base(),
            view.length(), Rights.format(view.rights()), view.holderCore(), view.ownerCore(), view.parentId(),
            view.copies(), view.children(), null == mapping ? null : new MappingJson(mapping.frameCapId(),
            mapping.domainId(), mapping.mappingId(), "0x" + Long.toHexString(mapping.vpage() * CapabilityType.PAGE_LENGTH_BYTES)),
            database.roots().get(view.capId()), null == leaf ? null : new LeafJson(leaf.domainId(), leaf.leaf(),
            "0x" + Long.toHexString(leaf.leaf() * CapabilityDatabase.LEAF_PAGES * CapabilityType.PAGE_LENGTH_BYTES),
            leaf.vnodeCapId() == view.capId()));
    }

    private static long capId(final String text) throws ServiceException
    {
        final OptionalLong value = ServiceJson.wholeNumber(text);
        if (value.isEmpty() || value.getAsLong() <= 0)
        {
            throw new ServiceException(404, "'" + ServiceException.echo(text, 32) + "' is not a capability id; " +
                "GET /caps/ID takes a positive whole number");
        }
        return value.getAsLong();
    }

    private static long required(final Long capId) throws ServiceException
    {
        if (null == capId)
        {
            throw new ServiceException(400, "cap is required: the id of a capability this core holds");
        }
        return capId;
    }

    private static CapabilityType type(final String text) throws ServiceException
    {
        if (null != text)
        {
            for (final CapabilityType type : CapabilityType.values())
            {
                if (type.name().equalsIgnoreCase(text) && CapabilityType.MAPPING != type)
                {
                    return type;
                }
            }
        }
        throw new ServiceException(400, "type '" + ServiceException.echo(String.valueOf(text), 32) +
            "' is not one of ram, frame, cnode, vnode");
    }

    private static void requireMethod(final ServiceRequest request, final String allowed) throws ServiceException
    {
        if (!allowed.equals(request.method()))
        {
            throw ServiceException.methodNotAllowed(request.method(), request.path(), List.of(allowed));
        }
    }

    /** The answer to an operation. */
    private record Outcome(int core, String outcome, @JsonInclude(JsonInclude.Include.NON_NULL) String transaction,
        List<Long> caps, @JsonInclude(JsonInclude.Include.NON_NULL) String error)
    {
    }

    /** One capability as JSON. */
    record CapabilityJson(long cap, long object, String type, long base, long length, String rights, int holder,
        int owner, long parent, int copies, int children, @JsonInclude(JsonInclude.Include.NON_NULL) MappingJson mapping,
        @JsonInclude(JsonInclude.Include.NON_NULL) Long root, @JsonInclude(JsonInclude.Include.NON_NULL) LeafJson leaf)
    {
    }

    /**
     * The leaf page table a VNODE capability is ({@code vnode} true), or whose VNODE was retyped from
     * this RAM capability (false; for the first of its leaves when it holds several).
     */
    record LeafJson(long domain, long leaf, String vaddr, boolean vnode)
    {
    }

    /** What a MAPPING capability maps: the frame capability, the domain, the mapping and its virtual address. */
    record MappingJson(long frame, long domain, long mapping, String vaddr)
    {
    }

    /** {@code GET /caps}. */
    private record Listing(int core, int count, int objects, String fingerprint, long changes, int limit,
        boolean truncated, @JsonInclude(JsonInclude.Include.NON_NULL) MemoryServer memory,
        List<CapabilityJson> capabilities)
    {
    }

    /** This core's memory server in {@code GET /caps}. */
    private record MemoryServer(int core, long base, long length, long used, long free, long returned)
    {
    }

    /** A frame read's bytes, or a write's count. */
    private record FrameData(long cap, long offset, int length,
        @JsonInclude(JsonInclude.Include.NON_NULL) String base64)
    {
    }
}
