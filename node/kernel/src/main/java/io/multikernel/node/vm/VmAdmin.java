package io.multikernel.node.vm;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.multikernel.node.caps.CapabilityResult.Outcome;
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
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The address-space service's admin API, on admin worker threads; every request runs on the kernel
 * loop through the {@link ReplicationProxy}'s bounded queue and waits at most the admin timeout.
 *
 * <pre>
 * GET  /domains            the domains this core runs: cores, version, fingerprint, mappings; the TLB's counters
 * GET  /domains/ID         one of them; 404 when this core does not run it
 * POST /domains/create     {"root":CAP,"cores":[0,1]}
 * POST /domains/map        {"domain":D,"vaddr":V,"frame":CAP,"offset":0,"length":N,"rights":"read,write"}
 * POST /domains/unmap      {"domain":D,"vaddr":V,"length":N,"protocol":"topo"}     protocol optional
 * POST /domains/protect    {"domain":D,"vaddr":V,"length":N,"rights":"read","protocol":"unicast"}
 * POST /domains/span       {"domain":D,"core":C}
 * POST /domains/shrink     {"domain":D,"core":C,"protocol":...}
 * POST /domains/destroy    {"domain":D,"protocol":...}
 * POST /domains/load       {"domain":D,"vaddr":V,"length":N}        the bytes, base64
 * POST /domains/store      {"domain":D,"vaddr":V,"base64":"..."}
 * </pre>
 * Answers carry the outcome's HTTP status: 200 done (with the id a create or map made, and for a
 * change that needed one the shootdown's protocol and microseconds), 400 bad arguments, 403 a frame
 * or root held elsewhere or a right missing, 404 no such domain here, 409 conflict or aborted, 422 a
 * load or store that faulted, 503 not proposed; each with one sentence in {@code error}. 500 or 504
 * {@code indefinite}: it may have committed.
 */
public final class VmAdmin implements ServiceApi
{
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

    /** The body of every POST; each operation takes the fields it names and refuses none it does not read. */
    record Request(Long root, List<Integer> cores, Long domain, Long vaddr, Long frame, Long offset, Long length,
        String rights, String protocol, Integer core, String base64)
    {
    }

    private ServiceResponse handle(final ServiceRequest request) throws ServiceException
    {
        final String path = request.path();
        try
        {
            if ("/domains".equals(path))
            {
                requireMethod(request, "GET");
                if (!request.parameters().isEmpty())
                {
                    throw new ServiceException(400, "/domains takes no parameters, not '" +
                        ServiceException.echo(request.parameters().keySet().iterator().next(), 32) + "'");
                }
                return ServiceResponse.ok(proxy.call(ReplicationCommand.query(replication -> listJson()), timeoutNs));
            }
            final String name = path.substring("/domains/".length());
            if ("GET".equals(request.method()))
            {
                return lookup(domainId(name));
            }
            final Request body = ServiceJson.read(request.body(), Request.class);
            return switch (name)
            {
                case "create" -> create(body);
                case "map" -> map(body);
                case "unmap" -> unmap(body);
                case "protect" -> protect(body);
                case "span" -> span(body);
                case "shrink" -> shrink(body);
                case "destroy" -> destroy(body);
                case "load" -> load(body);
                case "store" -> store(body);
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

    private ServiceResponse create(final Request r) throws InterruptedException, ServiceException
    {
        final long root = required(r.root(), "root", "the VNODE capability this core holds for the page table's root");
        if (null == r.cores() || r.cores().isEmpty() || r.cores().contains(null))
        {
            throw new ServiceException(400, "cores is required: the cores that run the domain, e.g. [0,1]");
        }
        final int[] cores = r.cores().stream().mapToInt(Integer::intValue).toArray();
        return mutate(callback -> service.create(root, cores, callback));
    }

    private ServiceResponse map(final Request r) throws InterruptedException, ServiceException
    {
        final long domain = domain(r);
        final long vaddr = required(r.vaddr(), "vaddr", "a page-aligned virtual address");
        final long frame = required(r.frame(), "frame", "a FRAME capability this core holds");
        final long offset = null == r.offset() ? 0 : r.offset();
        final long length = required(r.length(), "length", "bytes, a multiple of 4096");
        final int rights = rights(r.rights(), true);
        return mutate(callback -> service.map(domain, vaddr, frame, offset, length, rights, callback));
    }

    private ServiceResponse unmap(final Request r) throws InterruptedException, ServiceException
    {
        final long domain = domain(r);
        final long vaddr = required(r.vaddr(), "vaddr", "a page-aligned virtual address");
        final long length = required(r.length(), "length", "bytes, a multiple of 4096");
        final RoutingProtocol protocol = protocol(r.protocol());
        return mutate(callback -> service.unmap(domain, vaddr, length, protocol, callback));
    }

    private ServiceResponse protect(final Request r) throws InterruptedException, ServiceException
    {
        final long domain = domain(r);
        final long vaddr = required(r.vaddr(), "vaddr", "a page-aligned virtual address");
        final long length = required(r.length(), "length", "bytes, a multiple of 4096");
        final int rights = rights(r.rights(), true);
        final RoutingProtocol protocol = protocol(r.protocol());
        return mutate(callback -> service.protect(domain, vaddr, length, rights, protocol, callback));
    }

    private ServiceResponse span(final Request r) throws InterruptedException, ServiceException
    {
        final long domain = domain(r);
        final int core = requiredCore(r.core());
        return mutate(callback -> service.span(domain, core, callback));
    }

    private ServiceResponse shrink(final Request r) throws InterruptedException, ServiceException
    {
        final long domain = domain(r);
        final int core = requiredCore(r.core());
        final RoutingProtocol protocol = protocol(r.protocol());
        return mutate(callback -> service.shrink(domain, core, protocol, callback));
    }

    private ServiceResponse destroy(final Request r) throws InterruptedException, ServiceException
    {
        final long domain = domain(r);
        final RoutingProtocol protocol = protocol(r.protocol());
        return mutate(callback -> service.destroy(domain, protocol, callback));
    }

    private ServiceResponse load(final Request r) throws InterruptedException, ServiceException
    {
        final long domain = domain(r);
        final long vaddr = required(r.vaddr(), "vaddr", "a virtual address");
        if (null == r.length() || null != r.base64())
        {
            throw new ServiceException(400, "a load takes domain, vaddr and length (1.." + VmService.IO_LENGTH_MAX_BYTES +
                "), and no base64");
        }
        final long length = r.length();
        if (length < 1 || length > VmService.IO_LENGTH_MAX_BYTES)
        {
            throw new ServiceException(400, "length " + length + " is outside 1.." + VmService.IO_LENGTH_MAX_BYTES);
        }
        return access(callback -> service.load(domain, vaddr, (int)length, callback), (data, at, count) ->
        {
            final byte[] bytes = new byte[count];
            data.getBytes(at, bytes);
            return ServiceJson.write(new AccessJson(service.coreId(), domain, vaddr, count,
                Base64.getEncoder().encodeToString(bytes)));
        });
    }

    private ServiceResponse store(final Request r) throws InterruptedException, ServiceException
    {
        final long domain = domain(r);
        final long vaddr = required(r.vaddr(), "vaddr", "a virtual address");
        if (null == r.base64() || null != r.length())
        {
            throw new ServiceException(400, "a store takes domain, vaddr and base64 (the bytes), and no length");
        }
        final byte[] bytes;
        try
        {
            bytes = Base64.getDecoder().decode(r.base64());
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ServiceException(400, "base64 is not valid base64: " + ex.getMessage());
        }
        if (bytes.length < 1 || bytes.length > VmService.IO_LENGTH_MAX_BYTES)
        {
            throw new ServiceException(400, bytes.length + " bytes: a store moves 1.." + VmService.IO_LENGTH_MAX_BYTES);
        }
        return access(callback -> service.store(domain, vaddr, new UnsafeBuffer(bytes), 0, bytes.length, callback),
            (data, at, count) -> ServiceJson.write(new AccessJson(service.coreId(), domain, vaddr, bytes.length, null)));
    }

    /** Makes an access answer's JSON from its bytes (valid only during the call). */
    @FunctionalInterface
    private interface AccessAnswer
    {
        String json(DirectBuffer data, int offset, int length);
    }

    private ServiceResponse access(final Consumer<VmService.AccessCallback> access, final AccessAnswer answer)
        throws InterruptedException, ServiceException
    {
        final Object result = proxy.call(new ReplicationCommand<Object>((replication, self) ->
            access.accept((outcome, data, offset, length) ->
                self.complete(outcome.succeeded() ? answer.json(data, offset, length) : outcome))), timeoutNs);
        return result instanceof VmResult refusal ? resultResponse(refusal) : ServiceResponse.ok((String)result);
    }

    private ServiceResponse mutate(final Consumer<VmService.Callback> operation)
        throws InterruptedException, ServiceException
    {
        final ReplicationCommand<VmResult> command =
            new ReplicationCommand<>((replication, self) -> operation.accept(self::complete));
        if (!proxy.offer(command))
        {
            return resultResponse(VmResult.refused(Outcome.UNAVAILABLE,
                "not proposed: the kernel loop's command queue is full (" + proxy.capacity() + " commands); retry shortly"));
        }
        final ReplicationCommand.Wait wait = command.await(timeoutNs);
        final long timeoutMs = TimeUnit.NANOSECONDS.toMillis(timeoutNs);
        if (ReplicationCommand.Wait.NOT_TAKEN == wait)
        {
            return resultResponse(VmResult.refused(Outcome.UNAVAILABLE,
                "not proposed: the kernel loop did not take the request within " + timeoutMs + " ms"));
        }
        if (ReplicationCommand.Wait.TAKEN_NO_ANSWER == wait)
        {
            return new ServiceResponse(504, ServiceJson.write(new OutcomeJson(service.coreId(), "indefinite", null, null,
                null, null, "no answer within " + timeoutMs + " ms; it may have committed: read /domains before retrying")));
        }
        try
        {
            return resultResponse(command.answer());
        }
        catch (final IllegalStateException ex)
        {
            throw new ServiceException(500, ex.getMessage());
        }
    }

    private ServiceResponse resultResponse(final VmResult result)
    {
        final boolean shot = null != result.protocol();
        return new ServiceResponse(result.outcome().httpStatus(), ServiceJson.write(new OutcomeJson(service.coreId(),
            result.outcome().name().toLowerCase(Locale.ROOT), result.transaction(), 0 == result.id() ? null : result.id(),
            result.protocol(), shot ? TimeUnit.NANOSECONDS.toMicros(result.shootdownNs()) : null, result.message())));
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

    private DomainJson json(final Domain domain)
    {
        final List<MappingJson> mappings = new ArrayList<>();
        for (final Mapping m : domain.mappings().values())
        {
            mappings.add(new MappingJson(m.mappingId(), m.vpage() * VmService.PAGE_BYTES, (long)m.pages() * VmService.PAGE_BYTES,
                m.frameCapId(), m.frameOffsetPages() * VmService.PAGE_BYTES, Rights.format(m.rights())));
        }
        return new DomainJson(domain.domainId(), domain.rootVnodeCapId(), domain.cores(), domain.version(),
            service.spaces().fingerprint(domain.domainId()), mappings);
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
            throw new ServiceException(404, "domain " + domainId + " does not run on core " + service.coreId());
        }
        return ServiceResponse.ok(json);
    }

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

    private static long domain(final Request r) throws ServiceException
    {
        return required(r.domain(), "domain", "the id of a domain this core runs");
    }

    private static long required(final Long value, final String name, final String meaning) throws ServiceException
    {
        if (null == value)
        {
            throw new ServiceException(400, name + " is required: " + meaning);
        }
        return value;
    }

    private static int requiredCore(final Integer core) throws ServiceException
    {
        if (null == core)
        {
            throw new ServiceException(400, "core is required: the core that joins or leaves the domain");
        }
        return core;
    }

    private static int rights(final String text, final boolean required) throws ServiceException
    {
        if (null == text)
        {
            throw new ServiceException(400, "rights is required: e.g. \"read,write\" (read, write, execute)");
        }
        try
        {
            return Rights.parse(text);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ServiceException(400, ex.getMessage());
        }
    }

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
            throw new ServiceException(400, ex.getMessage());
        }
    }

    private static void requireMethod(final ServiceRequest request, final String allowed) throws ServiceException
    {
        if (!allowed.equals(request.method()))
        {
            throw ServiceException.methodNotAllowed(request.method(), request.path(), List.of(allowed));
        }
    }

    /** The answer to a change. */
    private record OutcomeJson(int core, String outcome, @JsonInclude(JsonInclude.Include.NON_NULL) String transaction,
        @JsonInclude(JsonInclude.Include.NON_NULL) Long id, @JsonInclude(JsonInclude.Include.NON_NULL) String protocol,
        @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("shootdown_us") Long shootdownUs,
        @JsonInclude(JsonInclude.Include.NON_NULL) String error)
    {
    }

    /** One mapping. */
    record MappingJson(long mapping, long vaddr, long length, long frame, @JsonProperty("frame_offset") long frameOffset,
        String rights)
    {
    }

    /** One domain. */
    record DomainJson(long domain, long root, int[] cores, long version, String fingerprint, List<MappingJson> mappings)
    {
    }

    /** This core's TLB. */
    record TlbJson(int entries, long hits, long misses, long invalidations)
    {
    }

    /** {@code GET /domains}. */
    private record Listing(int core, int count, TlbJson tlb, String protocol, List<DomainJson> domains)
    {
    }

    /** A load's bytes, or a store's count. */
    private record AccessJson(int core, long domain, long vaddr, int length,
        @JsonInclude(JsonInclude.Include.NON_NULL) String base64)
    {
    }
}
