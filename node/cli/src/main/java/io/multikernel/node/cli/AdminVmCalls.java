package io.multikernel.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.multikernel.node.caps.CapabilityLrpc;
import io.multikernel.node.caps.CapabilityResult;
import io.multikernel.node.caps.CapabilityType;
import io.multikernel.node.caps.Rights;
import io.multikernel.node.lrpc.LrpcStatus;
import io.multikernel.node.skb.RoutingProtocol;
import io.multikernel.node.vm.VmCalls;
import io.multikernel.node.vm.VmService;

import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@link VmCalls} over a core's admin API ({@code /caps} and {@code /domains}), for an app that is not
 * on the core's host and so cannot attach to its LRPC channel: the same operations, done by the same
 * core, with the same outcomes. An answer's outcome becomes the LRPC status the core would have
 * answered over LRPC ({@link CapabilityLrpc#status}); a refusal of the request itself maps by its
 * HTTP status; a request that got no answer is {@code not_delivered} (status -1), which a change
 * counts as indefinite. Times are this process's monotonic clock, taken before sending and after
 * the answer, so an access's interval holds the core's real access.
 */
final class AdminVmCalls implements VmCalls
{
    private static final Base64.Encoder BASE64 = Base64.getEncoder();
    private static final Base64.Decoder BASE64_DECODER = Base64.getDecoder();

    private final AdminClient admin;

    /** @param admin the core's admin API. */
    AdminVmCalls(final AdminClient admin)
    {
        this.admin = admin;
    }

    @Override
    public Call allocate(final long bytes)
    {
        return caps("/caps/alloc", new CapsApi.Allocation(bytes));
    }

    @Override
    public Call retype(final long capId, final CapabilityType type, final long offset, final long objectLength,
        final int count)
    {
        return caps("/caps/retype", new CapsApi.RetypeRequest(capId, type.name().toLowerCase(Locale.ROOT), objectLength,
            offset, count));
    }

    @Override
    public Call revoke(final long capId)
    {
        return caps("/caps/revoke", new CapsApi.CapRequest(capId));
    }

    @Override
    public Call delete(final long capId)
    {
        return caps("/caps/delete", new CapsApi.CapRequest(capId));
    }

    @Override
    public Call create(final long rootVnodeCapId, final int... cores)
    {
        return domains("/domains/create", new VmApi.CreateRequest(rootVnodeCapId,
            java.util.Arrays.stream(cores).boxed().toList()));
    }

    @Override
    public Call map(final long domain, final long vaddr, final long frameCapId, final long frameOffset, final long length,
        final int rights)
    {
        return domains("/domains/map", new VmApi.MapRequest(domain, vaddr, frameCapId, frameOffset, length,
            Rights.format(rights)));
    }

    @Override
    public Call unmap(final long domain, final long vaddr, final long length, final RoutingProtocol protocol)
    {
        return domains("/domains/unmap", new VmApi.UnmapRequest(domain, vaddr, length, name(protocol)));
    }

    @Override
    public Call protect(final long domain, final long vaddr, final long length, final int rights,
        final RoutingProtocol protocol)
    {
        return domains("/domains/protect", new VmApi.ProtectRequest(domain, vaddr, length, Rights.format(rights),
            name(protocol)));
    }

    @Override
    public Call span(final long domain, final int core)
    {
        return domains("/domains/span", new VmApi.SpanRequest(domain, core));
    }

    @Override
    public Call shrink(final long domain, final int core, final RoutingProtocol protocol)
    {
        return domains("/domains/shrink", new VmApi.ShrinkRequest(domain, core, name(protocol)));
    }

    @Override
    public Call destroy(final long domain, final RoutingProtocol protocol)
    {
        return domains("/domains/destroy", new VmApi.DestroyRequest(domain, name(protocol)));
    }

    @Override
    public Call load(final long domain, final long vaddr, final int length)
    {
        return domains("/domains/load", new VmApi.LoadRequest(domain, vaddr, length));
    }

    @Override
    public Call store(final long domain, final long vaddr, final byte[] bytes)
    {
        if (bytes.length > VmService.IO_LENGTH_MAX_BYTES)
        {
            throw new IllegalArgumentException("a store moves at most " + VmService.IO_LENGTH_MAX_BYTES + " bytes, not " +
                bytes.length);
        }
        return domains("/domains/store", new VmApi.StoreRequest(domain, vaddr, BASE64.encodeToString(bytes)));
    }

    @Override
    public String via()
    {
        return "admin";
    }

    @Override
    public void close()
    {
        // Nothing held: each call is one HTTP exchange.
    }

    private static String name(final RoutingProtocol protocol)
    {
        return null == protocol ? null : protocol.cliName();
    }

    /** A capability operation: its value is the first capability it made. */
    private Call caps(final String path, final Object request)
    {
        return post(path, request, true);
    }

    /** An address-space operation: its value is the id it made or the shootdown's nanoseconds. */
    private Call domains(final String path, final Object request)
    {
        return post(path, request, false);
    }

    private Call post(final String path, final Object request, final boolean capability)
    {
        final long issuedNs = System.nanoTime();
        final AdminClient.Reply reply;
        try
        {
            reply = admin.post(path, request);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return new Call(false, -1, "interrupted before core " + admin.coreId() + " answered " + path, 0,
                new byte[0], issuedNs, System.nanoTime());
        }
        catch (final RuntimeException ex)
        {
            return new Call(false, -1, ex.getMessage(), 0, new byte[0], issuedNs, System.nanoTime());
        }
        return answer(reply.status(), reply.body(), capability, issuedNs, System.nanoTime());
    }

    /**
     * @param status     the HTTP status.
     * @param body       the JSON answered.
     * @param capability true for a {@code /caps} answer (its value is {@code caps[0]}).
     * @return the call's answer as an app over LRPC would have had it.
     */
    static Call answer(final int status, final JsonNode body, final boolean capability, final long issuedNs,
        final long answeredNs)
    {
        final JsonNode outcomeNode = body.get("outcome");
        if (null == outcomeNode)
        {
            if (status / 100 == 2)
            {
                final JsonNode data = body.get("base64");
                final byte[] bytes = null == data ? new byte[0] : BASE64_DECODER.decode(data.asText());
                return new Call(true, -1, null, 0, bytes, issuedNs, answeredNs);
            }
            return new Call(false, httpStatus(status), text(body, "error", "HTTP " + status), 0, new byte[0], issuedNs,
                answeredNs);
        }
        final CapabilityResult.Outcome outcome;
        try
        {
            outcome = CapabilityResult.Outcome.valueOf(outcomeNode.asText().toUpperCase(Locale.ROOT));
        }
        catch (final IllegalArgumentException ex)
        {
            return new Call(false, -1, "the core answered an unknown outcome '" + outcomeNode.asText() + "'", 0,
                new byte[0], issuedNs, answeredNs);
        }
        final int lrpcStatus = CapabilityLrpc.status(outcome);
        if (LrpcStatus.OK != lrpcStatus)
        {
            return new Call(false, lrpcStatus, text(body, "error", outcome.name().toLowerCase(Locale.ROOT)), 0,
                new byte[0], issuedNs, answeredNs);
        }
        final long value;
        if (capability)
        {
            final JsonNode caps = body.get("caps");
            value = null != caps && caps.size() > 0 ? caps.get(0).asLong() : 0;
        }
        else if (body.hasNonNull("id"))
        {
            value = body.get("id").asLong();
        }
        else
        {
            value = body.hasNonNull("shootdown_us") ? TimeUnit.MICROSECONDS.toNanos(body.get("shootdown_us").asLong()) : 0;
        }
        return new Call(true, -1, null, value, new byte[0], issuedNs, answeredNs);
    }

    /** @return the LRPC status of a request the core refused before it reached an operation. */
    static int httpStatus(final int status)
    {
        return switch (status)
        {
            case 400 -> LrpcStatus.INVALID_ARGUMENT;
            case 401, 403 -> LrpcStatus.DENIED;
            case 404 -> LrpcStatus.NOT_FOUND;
            case 409 -> LrpcStatus.CONFLICT;
            case 413 -> LrpcStatus.TOO_LARGE;
            case 422 -> LrpcStatus.FAULT;
            case 503 -> LrpcStatus.UNAVAILABLE;
            default -> -1;
        };
    }

    private static String text(final JsonNode body, final String field, final String otherwise)
    {
        final JsonNode node = body.get(field);
        return null == node ? otherwise : node.asText();
    }
}
