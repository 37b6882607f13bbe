package io.multikernel.node.vm;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.multikernel.node.caps.CapabilityResult.Outcome;
import io.multikernel.node.caps.LeafTable;
import io.multikernel.node.caps.Rights;
import io.multikernel.node.replication.ReplicationCommand;
import io.multikernel.node.replication.ReplicationProxy;
import io.multikernel.node.service.ServiceApi;
import io.multikernel.node.service.ServiceEndpoint;
import io.multikernel.node.service.ServiceException;
import io.multikernel.node.service.ServiceJson;
import io.multikernel.node.service.ServiceRequest;
import io.multikernel.node.service.ServiceResponse;
import io.multikernel.node.skb.RoutingProtocol;
import org.agrona.DirectBuffer;
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
 * The address-space service's admin API, on admin worker threads; every request runs on the kernel
 * loop through the {@link ReplicationProxy}'s bounded queue and waits at most the admin timeout.
 *
 * <pre>
 * GET  /domains                   the domains this core runs, their mappings, the TLB's counters
 * GET  /domains/ID                one of them; 404 when this core does not run it
 * POST /domains/create   {"root":CAP,"cores":[0,1]}                            id: the domain
 * POST /domains/map      {"domain":D,"vaddr":V,"frame":CAP,"offset":0,"length":L,"rights":"read,write"}
 * POST /domains/unmap    {"domain":D,"vaddr":V,"length":L,"protocol":"topo"}   protocol optional
 * POST /domains/protect  {"domain":D,"vaddr":V,"length":L,"rights":"read","protocol":"topo"}
 * POST /domains/span     {"domain":D,"core":C}
 * POST /domains/shrink   {"domain":D,"core":C,"protocol":"topo"}
 * POST /domains/destroy  {"domain":D,"protocol":"topo"}
 * POST /domains/load     {"domain":D,"vaddr":V,"length":N}                     the bytes, base64
 * POST /domains/store    {"domain":D,"vaddr":V,"base64":"..."}
 * </pre>
 * Addresses, offsets and lengths are bytes. A change answers its outcome with the outcome's status
 * (200 committed; 400, 403, 404, 409, 503 with one sentence and nothing changed), the shootdown's
 * protocol and microseconds when it needed one, and 500 or 504 {@code indefinite} when it may have
 * committed. A load or store that finds no mapping, or a mapping without the right, is a 422 fault.
 */
public final class VmAdmin implements ServiceApi
{
    private static final List<String> OPERATIONS =
        List.of("create", "map", "unmap", "protect", "span", "shrink", "destroy", "load", "store");
    private static final long PAGE = io.multikernel.node.caps.CapabilityType.PAGE_LENGTH_BYTES;

    private final ReplicationProxy proxy;
    private final VmService service;
    private final long timeoutNs;

    /**
     * @param proxy     the kernel loop's command queue.
     * @param service   the kernel loop's address-space service; touched only by commands on the kernel loop.
     * @param timeoutNs longest wait for the kernel loop.
     */
    public VmAdmin(final ReplicationProxy proxy, final VmService service, final long timeoutNs)
    {
        this.proxy = proxy;
        this.service = service;
        this.timeoutNs = timeoutNs;
    }

    @Override
    public List<ServiceEndpoint> endpoints()
    {
        return List.of(ServiceEndpoint.prefix("domains", "/domains", this::handle, "GET", "POST"));
    }

    /** {@code POST /domains/create}. */
    record CreateRequest(Long root,
        @JsonPropertyDescription("a non-empty array of core ids") List<Integer> cores)
    {
    }

    /** {@code POST /domains/map}. */
    record MapRequest(Long domain, Long vaddr, Long frame, Long offset, Long length,
        @JsonPropertyDescription("comma-separated rights: read, write, execute") String rights)
    {
    }

    /** {@code POST /domains/unmap}. */
    record UnmapRequest(Long domain, Long vaddr, Long length,
        @JsonPropertyDescription("one of unicast, broadcast, multicast, topo") String protocol)
    {
    }

    /** {@code POST /domains/protect}. */
    record ProtectRequest(Long domain, Long vaddr, Long length,
        @JsonPropertyDescription("comma-separated rights: read, write, execute; or none") String rights,
        @JsonPropertyDescription("one of unicast, broadcast, multicast, topo") String protocol)
    {
    }

    /** {@code POST /domains/span}. */
    record SpanRequest(Long domain, Integer core)
    {
    }

    /** {@code POST /domains/shrink}. */
    record ShrinkRequest(Long domain, Integer core,
        @JsonPropertyDescription("one of unicast, broadcast, multicast, topo") String protocol)
    {
    }

    /** {@code POST /domains/destroy}. */
    record DestroyRequest(Long domain,
        @JsonPropertyDescription("one of unicast, broadcast, multicast, topo") String protocol)
    {
    }

    /** {@code POST /domains/load}. */
    record LoadRequest(Long domain, Long vaddr, Integer length)
    {
    }

    /** {@code POST /domains/store}. */
    record StoreRequest(Long domain, Long vaddr, String base64)
    {
    }

    private ServiceResponse handle(final ServiceRequest request) throws ServiceException
    {
        final String path = request.path();
        try
        {
            noParameters(request);
            if ("/domains".equals(path))
            {
                requireMethod(request, "GET");
                return list();
            }
            final String name = path.substring("/domains/".length());
            if ("GET".equals(request.method()))
            {
                if (OPERATIONS.contains(name))
                {
                    throw ServiceException.methodNotAllowed(request.method(), path, List.of("POST"));
                }
                return lookup(domainId(name));
            }
            final byte[] body = request.body();
            return switch (name)
            {
                case "create" -> create(ServiceJson.read(body, CreateRequest.class));
                case "map" -> map(ServiceJson.read(body, MapRequest.class));
                case "unmap" -> unmap(ServiceJson.read(body, UnmapRequest.class));
                case "protect" -> protect(ServiceJson.read(body, ProtectRequest.class));
                case "span" -> span(ServiceJson.read(body, SpanRequest.class));
                case "shrink" -> shrink(ServiceJson.read(body, ShrinkRequest.class));
                case "destroy" -> destroy(ServiceJson.read(body, DestroyRequest.class));
                case "load" -> load(ServiceJson.read(body, LoadRequest.class));
                case "store" -> store(ServiceJson.read(body, StoreRequest.class));
                default -> throw new ServiceException(404, "no address-space operation '" +
                    ServiceException.echo(name, 32) + "'; use create, map, unmap, protect, span, shrink, destroy, " +
                    "load or store");
            };
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new ServiceException(503, "the admin server is stopping; retry on a running core");
        }
    }

    // ----------------------------------------------------------------------------------------
    // Changes
    // ----------------------------------------------------------------------------------------

    private ServiceResponse create(final CreateRequest request) throws InterruptedException, ServiceException
    {
        final long root = required(request.root(), "root", "the id of a VNODE capability this core holds");
        if (null == request.cores() || request.cores().isEmpty() || request.cores().size() > AddressSpaces.CORES_MAX)
        {
            throw new ServiceException(400, "cores is required: an array of 1.." + AddressSpaces.CORES_MAX +
                " core ids that run the domain, this core among them");
        }
        final int[] cores = new int[request.cores().size()];
        for (int i = 0; i < cores.length; i++)
        {
            final Integer core = request.cores().get(i);
            if (null == core || core < 0)
            {
                throw new ServiceException(400, "cores[" + i + "]=" + core + " is not a core id: cores are numbered " +
                    "from 0");
            }
            cores[i] = core;
        }
        return change(callback -> service.create(root, cores, callback));
    }

    private ServiceResponse map(final MapRequest request) throws InterruptedException, ServiceException
    {
        final long domain = domain(request.domain());
        final long vaddr = required(request.vaddr(), "vaddr", "a page-aligned virtual address, bytes");
        final long frame = required(request.frame(), "frame", "the id of a FRAME capability this core holds");
        final long offset = null == request.offset() ? 0 : request.offset();
        final long length = length(request.length());
        if (null == request.rights())
        {
            throw new ServiceException(400, "rights is required: e.g. \"read,write\"");
        }
        final int rights = rights(request.rights());
        return change(callback -> service.map(domain, vaddr, frame, offset, length, rights, callback));
    }

    private ServiceResponse unmap(final UnmapRequest request) throws InterruptedException, ServiceException
    {
        final long domain = domain(request.domain());
        final long vaddr = required(request.vaddr(), "vaddr", "the page-aligned virtual address the range starts at");
        final long length = length(request.length());
        final RoutingProtocol protocol = protocol(request.protocol());
        return change(callback -> service.unmap(domain, vaddr, length, protocol, callback));
    }

    private ServiceResponse protect(final ProtectRequest request) throws InterruptedException, ServiceException
    {
        final long domain = domain(request.domain());
        final long vaddr = required(request.vaddr(), "vaddr", "the page-aligned virtual address the range starts at");
        final long length = length(request.length());
        if (null == request.rights())
        {
            throw new ServiceException(400, "rights is required: the mappings' new rights, e.g. \"read\" or \"none\"");
        }
        final int rights = rights(request.rights());
        final RoutingProtocol protocol = protocol(request.protocol());
        return change(callback -> service.protect(domain, vaddr, length, rights, protocol, callback));
    }

    private ServiceResponse span(final SpanRequest request) throws InterruptedException, ServiceException
    {
        final long domain = domain(request.domain());
        final int core = core(request.core(), "the core that joins the domain");
        return change(callback -> service.span(domain, core, callback));
    }

    private ServiceResponse shrink(final ShrinkRequest request) throws InterruptedException, ServiceException
    {
        final long domain = domain(request.domain());
        final int core = core(request.core(), "the core that leaves the domain");
        final RoutingProtocol protocol = protocol(request.protocol());
        return change(callback -> service.shrink(domain, core, protocol, callback));
    }

    private ServiceResponse destroy(final DestroyRequest request) throws InterruptedException, ServiceException
    {
        final long domain = domain(request.domain());
        final RoutingProtocol protocol = protocol(request.protocol());
        return change(callback -> service.destroy(domain, protocol, callback));
    }

    private ServiceResponse change(final Consumer<VmService.Callback> operation)
        throws InterruptedException, ServiceException
    {
        return submit(new ReplicationCommand<>((replication, self) -> operation.accept(self::complete)), "not proposed",
            "it may have committed: read /domains before retrying");
    }

    // ----------------------------------------------------------------------------------------
    // Loads and stores
    // ----------------------------------------------------------------------------------------

    private ServiceResponse load(final LoadRequest request) throws InterruptedException, ServiceException
    {
        final long domain = domain(request.domain());
        final long vaddr = required(request.vaddr(), "vaddr", "the virtual address to load from, bytes");
        if (null == request.length() || request.length() < 1 || request.length() > VmService.IO_LENGTH_MAX_BYTES)
        {
            throw new ServiceException(400, "length=" + request.length() + " is not 1.." + VmService.IO_LENGTH_MAX_BYTES +
                ": the bytes one load moves");
        }
        final int length = request.length();
        final int core = service.coreId();
        return submit(new ReplicationCommand<>((replication, self) -> service.load(domain, vaddr, length,
            (result, data, offset, count) -> self.complete(result.succeeded() ?
                ServiceJson.write(new AccessData(core, domain, vaddr, count, base64(data, offset, count))) : result))),
            "not done", null);
    }

    private ServiceResponse store(final StoreRequest request) throws InterruptedException, ServiceException
    {
        final long domain = domain(request.domain());
        final long vaddr = required(request.vaddr(), "vaddr", "the virtual address to store at, bytes");
        if (null == request.base64())
        {
            throw new ServiceException(400, "base64 is required: the bytes to store, base64-encoded");
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
        if (bytes.length < 1 || bytes.length > VmService.IO_LENGTH_MAX_BYTES)
        {
            throw new ServiceException(400, "base64 holds " + bytes.length + " bytes; one store moves 1.." +
                VmService.IO_LENGTH_MAX_BYTES);
        }
        final int core = service.coreId();
        return submit(new ReplicationCommand<>((replication, self) -> service.store(domain, vaddr,
            new UnsafeBuffer(bytes), 0, bytes.length, (result, data, offset, count) -> self.complete(result.succeeded() ?
                ServiceJson.write(new AccessData(core, domain, vaddr, bytes.length, null)) : result))),
            "not done", "the bytes may have been stored: load them before retrying");
    }

    private static String base64(final DirectBuffer data, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        data.getBytes(offset, bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    /**
     * Offers a command that completes with a {@link VmResult} (a refusal, or a change's outcome) or
     * with the JSON of a load's or store's answer, and waits for it.
     *
     * @param notStarted what a command the kernel loop never took is: "not proposed", "not done".
     * @param mayHave    what may have happened when the kernel loop took it and did not answer in time;
     *                   null when nothing can have changed (a load), which is then answered unavailable.
     */
    private ServiceResponse submit(final ReplicationCommand<Object> command, final String notStarted,
        final String mayHave) throws InterruptedException, ServiceException
    {
        if (!proxy.offer(command))
        {
            return outcome(VmResult.refused(Outcome.UNAVAILABLE, notStarted + ": the kernel loop's command queue is " +
                "full (" + proxy.capacity() + " commands); retry shortly"));
        }
        final ReplicationCommand.Wait wait = command.await(timeoutNs);
        final long timeoutMs = TimeUnit.NANOSECONDS.toMillis(timeoutNs);
        if (ReplicationCommand.Wait.NOT_TAKEN == wait)
        {
            return outcome(VmResult.refused(Outcome.UNAVAILABLE, notStarted + ": the kernel loop did not take the " +
                "request within " + timeoutMs + " ms"));
        }
        if (ReplicationCommand.Wait.TAKEN_NO_ANSWER == wait)
        {
            if (null == mayHave)
            {
                return outcome(VmResult.refused(Outcome.UNAVAILABLE, "no answer within " + timeoutMs +
                    " ms (a frame's host may be slow); nothing changed, retry"));
            }
            return new ServiceResponse(504, ServiceJson.write(new Answer(service.coreId(), "indefinite", null, null, null,
                null, "no outcome within " + timeoutMs + " ms; " + mayHave)));
        }
        final Object answer;
        try
        {
            answer = command.answer();
        }
        catch (final IllegalStateException ex)
        {
            throw new ServiceException(500, ex.getMessage());
        }
        return answer instanceof VmResult result ? outcome(result) : ServiceResponse.ok((String)answer);
    }

    private ServiceResponse outcome(final VmResult result)
    {
        final boolean shootdown = null != result.protocol();
        return new ServiceResponse(result.outcome().httpStatus(), ServiceJson.write(new Answer(service.coreId(),
            result.outcome().name().toLowerCase(Locale.ROOT), result.transaction(), 0 == result.id() ? null : result.id(),
            result.protocol(), shootdown ? VmService.toMicros(result.shootdownNs()) : null, result.message())));
    }

    // ----------------------------------------------------------------------------------------
    // Views
    // ----------------------------------------------------------------------------------------

    private ServiceResponse list() throws InterruptedException, ServiceException
    {
        return ServiceResponse.ok(proxy.call(ReplicationCommand.query(replication -> listJson()), timeoutNs));
    }

    /** Kernel loop: {@code GET /domains}. */
    private String listJson()
    {
        final List<DomainJson> domains = new ArrayList<>();
        for (final Domain domain : service.spaces().domains())
        {
            domains.add(json(domain));
        }
        final Tlb tlb = service.tlb();
        return ServiceJson.write(new Listing(service.coreId(), domains.size(),
            new TlbJson(tlb.size(), tlb.hits(), tlb.misses(), tlb.invalidations()), service.defaultProtocol().cliName(),
            domains));
    }

    private ServiceResponse lookup(final long domainId) throws InterruptedException, ServiceException
    {
        final String json = proxy.call(ReplicationCommand.query(replication ->
        {
            final Domain domain = service.spaces().domain(domainId);
            return null == domain ? null : ServiceJson.write(json(domain));
        }), timeoutNs);
        if (null == json)
        {
            throw new ServiceException(404, "domain " + domainId + " does not run on core " + service.coreId() +
                "; GET /domains lists the domains it runs");
        }
        return ServiceResponse.ok(json);
    }

    /** Kernel loop: one domain as JSON. */
    private DomainJson json(final Domain domain)
    {
        final List<MappingJson> mappings = new ArrayList<>(domain.mappingCount());
        for (final Mapping mapping : domain.mappings().values())
        {
            mappings.add(new MappingJson(mapping.mappingId(), mapping.vpage() * PAGE, mapping.pages() * PAGE,
                mapping.frameCapId(), mapping.frameOffsetPages() * PAGE, Rights.format(mapping.rights())));
        }
        final List<Integer> cores = new ArrayList<>(domain.coreCount());
        for (final int core : domain.cores())
        {
            cores.add(core);
        }
        final List<LeafJson> leaves = new ArrayList<>();
        for (final LeafTable leaf : service.leafTables(domain.domainId()).values())
        {
            leaves.add(new LeafJson(leaf.leaf(), leaf.leaf() * AddressSpaces.LEAF_PAGES * PAGE, leaf.vnodeCapId(),
                leaf.pages()));
        }
        return new DomainJson(domain.domainId(), domain.rootVnodeCapId(), cores, domain.version(),
            service.spaces().fingerprint(domain.domainId()), mappings, leaves);
    }

    // ----------------------------------------------------------------------------------------
    // Arguments
    // ----------------------------------------------------------------------------------------

    private static long domainId(final String text) throws ServiceException
    {
        final OptionalLong value = ServiceJson.wholeNumber(text);
        if (value.isEmpty() || value.getAsLong() <= 0)
        {
            throw new ServiceException(404, "'" + ServiceException.echo(text, 32) + "' is not a domain id; " +
                "GET /domains/ID takes a positive whole number");
        }
        return value.getAsLong();
    }

    private static long domain(final Long domain) throws ServiceException
    {
        return required(domain, "domain", "the id of a domain this core runs");
    }

    private static long length(final Long length) throws ServiceException
    {
        return required(length, "length", "bytes, a positive multiple of " + PAGE);
    }

    private static long required(final Long value, final String name, final String what) throws ServiceException
    {
        if (null == value)
        {
            throw new ServiceException(400, name + " is required: " + what);
        }
        return value;
    }

    private static int core(final Integer core, final String what) throws ServiceException
    {
        if (null == core || core < 0)
        {
            throw new ServiceException(400, null == core ? "core is required: " + what :
                "core=" + core + " is not a core id: cores are numbered from 0");
        }
        return core;
    }

    private static int rights(final String text) throws ServiceException
    {
        try
        {
            return Rights.parse(text);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ServiceException(400, ex.getMessage());
        }
    }

    /** @return the protocol, or null (the core's default) when absent. */
    private static RoutingProtocol protocol(final String text) throws ServiceException
    {
        if (null == text)
        {
            return null;
        }
        try
        {
            return RoutingProtocol.fromCliName(text);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ServiceException(400, "protocol '" + ServiceException.echo(text, 32) + "' is not one of " +
                "unicast, broadcast, multicast, topo");
        }
    }

    private static void noParameters(final ServiceRequest request) throws ServiceException
    {
        final Map<String, String> parameters = request.parameters();
        if (!parameters.isEmpty())
        {
            final String name = parameters.keySet().iterator().next();
            throw new ServiceException(400, "unknown parameter '" + ServiceException.echo(name, 32) + "'; " +
                ServiceException.echo(request.path(), 64) + " takes no parameters");
        }
    }

    private static void requireMethod(final ServiceRequest request, final String allowed) throws ServiceException
    {
        if (!allowed.equals(request.method()))
        {
            throw ServiceException.methodNotAllowed(request.method(), request.path(), List.of(allowed));
        }
    }

    /** The answer to a change, and to any request the core refused. */
    private record Answer(int core, String outcome, @JsonInclude(JsonInclude.Include.NON_NULL) String transaction,
        @JsonInclude(JsonInclude.Include.NON_NULL) Long id,
        @JsonInclude(JsonInclude.Include.NON_NULL) String protocol,
        @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("shootdown_us") Long shootdownUs,
        @JsonInclude(JsonInclude.Include.NON_NULL) String error)
    {
    }

    /** {@code GET /domains}. */
    private record Listing(int core, int count, TlbJson tlb, String protocol, List<DomainJson> domains)
    {
    }

    /** This core's TLB in {@code GET /domains}. */
    private record TlbJson(long entries, long hits, long misses, long invalidations)
    {
    }

    /** One domain as this core's replica holds it. */
    private record DomainJson(long domain, long root, List<Integer> cores, long version, String fingerprint,
        List<MappingJson> mappings, List<LeafJson> leaves)
    {
    }

    /** One leaf page table: the VNODE capability that maps {@code pages} pages from {@code vaddr}. */
    private record LeafJson(long leaf, long vaddr, long vnode, long pages)
    {
    }

    /** One mapping; addresses and lengths in bytes. */
    private record MappingJson(long mapping, long vaddr, long length, long frame,
        @JsonProperty("frame_offset") long frameOffset, String rights)
    {
    }

    /** A load's bytes, or a store's count. */
    private record AccessData(int core, long domain, long vaddr, int length,
        @JsonInclude(JsonInclude.Include.NON_NULL) String base64)
    {
    }
}
