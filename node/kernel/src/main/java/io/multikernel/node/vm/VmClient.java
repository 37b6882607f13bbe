package io.multikernel.node.vm;

import io.multikernel.node.caps.CapabilityType;
import io.multikernel.node.lrpc.LrpcClient;
import io.multikernel.node.lrpc.LrpcOperations;
import io.multikernel.node.lrpc.LrpcOutcome;
import io.multikernel.node.lrpc.LrpcResult;
import io.multikernel.node.skb.RoutingProtocol;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * {@link VmCalls} over the core's LRPC channel: the capability operations and the {@code vm.*}
 * operations of {@link VmLrpc}, as blocking calls over an attached {@link LrpcClient}. Each call's
 * times are on the host's monotonic clock (shared by every process of the host), so an app can
 * record exactly when each of its accesses happened. Not thread safe: one per app thread.
 */
public final class VmClient implements VmCalls
{
    /** REQUEST_LENGTH_MAX_BYTES: the largest request payload: a store of the largest load. */
    public static final int REQUEST_LENGTH_MAX_BYTES = 16 + VmService.IO_LENGTH_MAX_BYTES;

    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private final LrpcClient client;
    private final UnsafeBuffer request = new UnsafeBuffer(new byte[REQUEST_LENGTH_MAX_BYTES]);
    private LrpcOutcome lastOutcome = LrpcOutcome.SUCCESS;

    /** @param client an attached client of the core. */
    public VmClient(final LrpcClient client)
    {
        this.client = client;
    }

    public LrpcClient lrpc()
    {
        return client;
    }

    @Override
    public String via()
    {
        return "lrpc";
    }

    @Override
    public boolean coreGone()
    {
        return LrpcOutcome.CORE_NOT_RUNNING == lastOutcome || LrpcOutcome.CORE_DIED == lastOutcome ||
            LrpcOutcome.CLIENT_CLOSED == lastOutcome;
    }

    /** Closes the LRPC client. */
    @Override
    public void close()
    {
        client.close();
    }

    /** caps.alloc: RAM of {@code bytes} from the core's memory server; value = the capability. */
    @Override
    public Call allocate(final long bytes)
    {
        request.putLong(0, bytes, ORDER);
        return call(LrpcOperations.CAPS_ALLOC, 8);
    }

    /** caps.retype: {@code count} objects of {@code type}; value = the first new capability. */
    @Override
    public Call retype(final long capId, final CapabilityType type, final long offset, final long objectLength,
        final int count)
    {
        request.putLong(0, capId, ORDER);
        request.putInt(8, type.ordinal(), ORDER);
        request.putLong(12, offset, ORDER);
        request.putLong(20, objectLength, ORDER);
        request.putInt(28, count, ORDER);
        return call(LrpcOperations.CAPS_RETYPE, 32);
    }

    /** caps.revoke: every other copy and every descendant of the capability's object goes. */
    @Override
    public Call revoke(final long capId)
    {
        request.putLong(0, capId, ORDER);
        return call(LrpcOperations.CAPS_REVOKE, 8);
    }

    /** caps.delete. */
    @Override
    public Call delete(final long capId)
    {
        request.putLong(0, capId, ORDER);
        return call(LrpcOperations.CAPS_DELETE, 8);
    }

    /** vm.create: value = the domain. */
    @Override
    public Call create(final long rootVnodeCapId, final int... cores)
    {
        request.putLong(0, rootVnodeCapId, ORDER);
        request.putInt(8, cores.length, ORDER);
        for (int i = 0; i < cores.length; i++)
        {
            request.putInt(12 + 4 * i, cores[i], ORDER);
        }
        return call(LrpcOperations.VM_CREATE, 12 + 4 * cores.length);
    }

    /** vm.map: value = the mapping. */
    @Override
    public Call map(final long domain, final long vaddr, final long frameCapId, final long frameOffset, final long length,
        final int rights)
    {
        request.putLong(0, domain, ORDER);
        request.putLong(8, vaddr, ORDER);
        request.putLong(16, frameCapId, ORDER);
        request.putLong(24, frameOffset, ORDER);
        request.putLong(32, length, ORDER);
        request.putInt(40, rights, ORDER);
        return call(LrpcOperations.VM_MAP, 44);
    }

    /** vm.unmap, answered after the TLB shootdown; value = its nanoseconds. Null protocol: the core's default. */
    @Override
    public Call unmap(final long domain, final long vaddr, final long length, final RoutingProtocol protocol)
    {
        request.putLong(0, domain, ORDER);
        request.putLong(8, vaddr, ORDER);
        request.putLong(16, length, ORDER);
        request.putInt(24, protocol(protocol), ORDER);
        return call(LrpcOperations.VM_UNMAP, 28);
    }

    /** vm.protect; value = the shootdown's nanoseconds (0 when it added rights only). */
    @Override
    public Call protect(final long domain, final long vaddr, final long length, final int rights,
        final RoutingProtocol protocol)
    {
        request.putLong(0, domain, ORDER);
        request.putLong(8, vaddr, ORDER);
        request.putLong(16, length, ORDER);
        request.putInt(24, rights, ORDER);
        request.putInt(28, protocol(protocol), ORDER);
        return call(LrpcOperations.VM_PROTECT, 32);
    }

    /** vm.span: the domain reaches {@code core}. */
    @Override
    public Call span(final long domain, final int core)
    {
        request.putLong(0, domain, ORDER);
        request.putInt(8, core, ORDER);
        return call(LrpcOperations.VM_SPAN, 12);
    }

    /** vm.shrink: {@code core} leaves the domain. */
    @Override
    public Call shrink(final long domain, final int core, final RoutingProtocol protocol)
    {
        request.putLong(0, domain, ORDER);
        request.putInt(8, core, ORDER);
        request.putInt(12, protocol(protocol), ORDER);
        return call(LrpcOperations.VM_SHRINK, 16);
    }

    /** vm.destroy. */
    @Override
    public Call destroy(final long domain, final RoutingProtocol protocol)
    {
        request.putLong(0, domain, ORDER);
        request.putInt(8, protocol(protocol), ORDER);
        return call(LrpcOperations.VM_DESTROY, 12);
    }

    /** vm.load: {@code data} = the bytes. */
    @Override
    public Call load(final long domain, final long vaddr, final int length)
    {
        request.putLong(0, domain, ORDER);
        request.putLong(8, vaddr, ORDER);
        request.putInt(16, length, ORDER);
        return call(LrpcOperations.VM_LOAD, 20);
    }

    /** vm.store of {@code bytes} (at most {@link VmService#IO_LENGTH_MAX_BYTES}). */
    @Override
    public Call store(final long domain, final long vaddr, final byte[] bytes)
    {
        if (bytes.length > VmService.IO_LENGTH_MAX_BYTES)
        {
            throw new IllegalArgumentException("a store moves at most " + VmService.IO_LENGTH_MAX_BYTES + " bytes, not " +
                bytes.length);
        }
        request.putLong(0, domain, ORDER);
        request.putLong(8, vaddr, ORDER);
        request.putBytes(16, bytes);
        return call(LrpcOperations.VM_STORE, 16 + bytes.length);
    }

    private static int protocol(final RoutingProtocol protocol)
    {
        return null == protocol ? -1 : protocol.ordinal();
    }

    private Call call(final int operation, final int length)
    {
        final long issuedNs = System.nanoTime();
        final LrpcResult result = client.call(operation, request, 0, length);
        final long answeredNs = System.nanoTime();
        lastOutcome = result.outcome();
        if (result.isSuccess())
        {
            final byte[] payload = result.payload();
            final long value = payload.length >= 8 ? ByteBuffer.wrap(payload).order(ORDER).getLong(0) :
                payload.length >= 4 ? ByteBuffer.wrap(payload).order(ORDER).getInt(0) : 0;
            return new Call(true, -1, null, value, payload, issuedNs, answeredNs);
        }
        final int status = LrpcOutcome.REJECTED == result.outcome() ? result.status() : -1;
        return new Call(false, status, result.message(), 0, new byte[0], issuedNs, answeredNs);
    }
}
