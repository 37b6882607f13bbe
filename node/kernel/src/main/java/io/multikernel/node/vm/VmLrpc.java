package io.multikernel.node.vm;

import io.multikernel.node.caps.CapabilityResult.Outcome;
import io.multikernel.node.lrpc.LrpcHandler;
import io.multikernel.node.lrpc.LrpcOperations;
import io.multikernel.node.lrpc.LrpcRecordDescriptor;
import io.multikernel.node.lrpc.LrpcServer;
import io.multikernel.node.lrpc.LrpcStatus;
import io.multikernel.node.skb.RoutingProtocol;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * The address-space operations of a core's LRPC channel, for apps. Payloads are little-endian,
 * fixed layouts (see {@link LrpcOperations}); a protocol is a {@link RoutingProtocol} ordinal, or -1
 * for the core's default:
 * <pre>
 *   vm.create   int64 root VNODE cap, int32 n, int32 cores[n]                  -> int64 domain
 *   vm.map      int64 domain, int64 vaddr, int64 frame cap, int64 frame offset,
 *               int64 length, int32 rights                                     -> int64 mapping
 *   vm.unmap    int64 domain, int64 vaddr, int64 length, int32 protocol         -> int64 shootdown ns
 *   vm.protect  int64 domain, int64 vaddr, int64 length, int32 rights, int32 protocol -> int64 shootdown ns
 *   vm.span     int64 domain, int32 core                                       -> int64 0
 *   vm.shrink   int64 domain, int32 core, int32 protocol                       -> int64 shootdown ns
 *   vm.destroy  int64 domain, int32 protocol                                   -> int64 shootdown ns
 *   vm.load     int64 domain, int64 vaddr, int32 length                        -> the bytes
 *   vm.store    int64 domain, int64 vaddr, then the bytes                      -> int32 bytes stored
 * </pre>
 * Changes are answered when committed and, for those that take translations away, after their TLB
 * shootdown. A load or store without a mapping or right is answered FAULT with the address; other
 * errors as the capability operations (NOT_FOUND, DENIED, INVALID_ARGUMENT, CONFLICT, ABORTED,
 * UNAVAILABLE: retry, INDEFINITE).
 */
public final class VmLrpc
{
    static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final int CREATE_CORES_MAX = AddressSpaces.CORES_MAX;

    private final LrpcServer server;
    private final VmService service;
    private final UnsafeBuffer reply = new UnsafeBuffer(new byte[8]);
    private final int ioLengthMax;

    private VmLrpc(final LrpcServer server, final VmService service)
    {
        this.server = server;
        this.service = service;
        final int replyPayloadMax = server.channel().layout().messageLengthMax() - LrpcRecordDescriptor.REPLY_HEADER_LENGTH_BYTES;
        this.ioLengthMax = Math.min(VmService.IO_LENGTH_MAX_BYTES, Math.max(0, replyPayloadMax));
    }

    /** Registers the operations with the core's LRPC server. */
    public static void register(final LrpcServer server, final VmService service)
    {
        final VmLrpc lrpc = new VmLrpc(server, service);
        server.register(LrpcOperations.VM_CREATE, "vm.create", lrpc::create);
        server.register(LrpcOperations.VM_MAP, "vm.map", LrpcHandler.fixedLength(8 * 5 + 4, lrpc::map));
        server.register(LrpcOperations.VM_UNMAP, "vm.unmap", LrpcHandler.fixedLength(8 * 3 + 4, lrpc::unmap));
        server.register(LrpcOperations.VM_PROTECT, "vm.protect", LrpcHandler.fixedLength(8 * 3 + 4 + 4, lrpc::protect));
        server.register(LrpcOperations.VM_SPAN, "vm.span", LrpcHandler.fixedLength(8 + 4, lrpc::span));
        server.register(LrpcOperations.VM_SHRINK, "vm.shrink", LrpcHandler.fixedLength(8 + 4 + 4, lrpc::shrink));
        server.register(LrpcOperations.VM_DESTROY, "vm.destroy", LrpcHandler.fixedLength(8 + 4, lrpc::destroy));
        server.register(LrpcOperations.VM_LOAD, "vm.load", LrpcHandler.fixedLength(8 + 8 + 4, lrpc::load));
        server.register(LrpcOperations.VM_STORE, "vm.store", lrpc::store);
    }

    private void create(final LrpcServer s, final DirectBuffer payload, final int offset, final int length)
    {
        if (length < 12)
        {
            s.replyError(LrpcStatus.MALFORMED, "payload of " + length + " bytes, expected at least 12");
            return;
        }
        final long root = payload.getLong(offset, ORDER);
        final int count = payload.getInt(offset + 8, ORDER);
        if (count < 1 || count > CREATE_CORES_MAX || length != 12 + 4 * count)
        {
            s.replyError(LrpcStatus.MALFORMED, "payload of " + length + " bytes does not hold " + count + " cores");
            return;
        }
        final int[] cores = new int[count];
        for (int i = 0; i < count; i++)
        {
            cores[i] = payload.getInt(offset + 12 + 4 * i, ORDER);
        }
        deferred(callback -> service.create(root, cores, callback), true);
    }

    private void map(final LrpcServer s, final DirectBuffer payload, final int offset, final int length)
    {
        final long domain = payload.getLong(offset, ORDER);
        final long vaddr = payload.getLong(offset + 8, ORDER);
        final long frame = payload.getLong(offset + 16, ORDER);
        final long frameOffset = payload.getLong(offset + 24, ORDER);
        final long bytes = payload.getLong(offset + 32, ORDER);
        final int rights = payload.getInt(offset + 40, ORDER);
        deferred(callback -> service.map(domain, vaddr, frame, frameOffset, bytes, rights, callback), true);
    }

    private void unmap(final LrpcServer s, final DirectBuffer payload, final int offset, final int length)
    {
        final long domain = payload.getLong(offset, ORDER);
        final long vaddr = payload.getLong(offset + 8, ORDER);
        final long bytes = payload.getLong(offset + 16, ORDER);
        final RoutingProtocol protocol = protocol(s, payload.getInt(offset + 24, ORDER));
        if (null != protocol || payload.getInt(offset + 24, ORDER) == -1)
        {
            deferred(callback -> service.unmap(domain, vaddr, bytes, protocol, callback), false);
        }
    }

    private void protect(final LrpcServer s, final DirectBuffer payload, final int offset, final int length)
    {
        final long domain = payload.getLong(offset, ORDER);
        final long vaddr = payload.getLong(offset + 8, ORDER);
        final long bytes = payload.getLong(offset + 16, ORDER);
        final int rights = payload.getInt(offset + 24, ORDER);
        final RoutingProtocol protocol = protocol(s, payload.getInt(offset + 28, ORDER));
        if (null != protocol || payload.getInt(offset + 28, ORDER) == -1)
        {
            deferred(callback -> service.protect(domain, vaddr, bytes, rights, protocol, callback), false);
        }
    }

    private void span(final LrpcServer s, final DirectBuffer payload, final int offset, final int length)
    {
        final long domain = payload.getLong(offset, ORDER);
        final int core = payload.getInt(offset + 8, ORDER);
        deferred(callback -> service.span(domain, core, callback), false);
    }

    private void shrink(final LrpcServer s, final DirectBuffer payload, final int offset, final int length)
    {
        final long domain = payload.getLong(offset, ORDER);
        final int core = payload.getInt(offset + 8, ORDER);
        final RoutingProtocol protocol = protocol(s, payload.getInt(offset + 12, ORDER));
        if (null != protocol || payload.getInt(offset + 12, ORDER) == -1)
        {
            deferred(callback -> service.shrink(domain, core, protocol, callback), false);
        }
    }

    private void destroy(final LrpcServer s, final DirectBuffer payload, final int offset, final int length)
    {
        final long domain = payload.getLong(offset, ORDER);
        final RoutingProtocol protocol = protocol(s, payload.getInt(offset + 8, ORDER));
        if (null != protocol || payload.getInt(offset + 8, ORDER) == -1)
        {
            deferred(callback -> service.destroy(domain, protocol, callback), false);
        }
    }

    /** @return the protocol; null for -1 (the default) or after answering an unknown one. */
    private static RoutingProtocol protocol(final LrpcServer s, final int ordinal)
    {
        final RoutingProtocol[] protocols = RoutingProtocol.values();
        if (ordinal >= 0 && ordinal < protocols.length)
        {
            return protocols[ordinal];
        }
        if (-1 != ordinal)
        {
            s.replyError(LrpcStatus.INVALID_ARGUMENT, "routing protocol " + ordinal + " is unknown: 0.." +
                (protocols.length - 1) + ", or -1 for the core's default");
        }
        return null;
    }

    private void load(final LrpcServer s, final DirectBuffer payload, final int offset, final int length)
    {
        final long domain = payload.getLong(offset, ORDER);
        final long vaddr = payload.getLong(offset + 8, ORDER);
        final int bytes = payload.getInt(offset + 16, ORDER);
        if (bytes < 1 || bytes > ioLengthMax)
        {
            s.replyError(LrpcStatus.INVALID_ARGUMENT, "a load moves 1.." + ioLengthMax + " bytes, not " + bytes);
            return;
        }
        final long token = server.defer();
        if (LrpcServer.NO_TOKEN != token)
        {
            service.load(domain, vaddr, bytes, (result, data, dataOffset, dataLength) ->
                answerAccess(token, result, data, dataOffset, dataLength));
        }
    }

    private void store(final LrpcServer s, final DirectBuffer payload, final int offset, final int length)
    {
        if (length < 17)
        {
            s.replyError(LrpcStatus.MALFORMED, "payload of " + length + " bytes, expected at least 17");
            return;
        }
        final long domain = payload.getLong(offset, ORDER);
        final long vaddr = payload.getLong(offset + 8, ORDER);
        final long token = server.defer();
        if (LrpcServer.NO_TOKEN != token)
        {
            service.store(domain, vaddr, payload, offset + 16, length - 16, (result, data, dataOffset, dataLength) ->
            {
                reply.putInt(0, length - 16, ORDER);
                answerAccess(token, result, reply, 0, 4);
            });
        }
    }

    private void answerAccess(final long token, final VmResult result, final DirectBuffer data, final int offset,
        final int length)
    {
        if (result.succeeded())
        {
            server.replyDeferred(token, LrpcStatus.OK, data, offset, length);
        }
        else
        {
            server.replyDeferredError(token, status(result.outcome()), result.message());
        }
    }

    /** A service call that answers through its callback. */
    @FunctionalInterface
    private interface Call
    {
        void start(VmService.Callback callback);
    }

    /** Defers the reply before anything is proposed, then answers from the result. */
    private void deferred(final Call call, final boolean withId)
    {
        final long token = server.defer();
        if (LrpcServer.NO_TOKEN == token)
        {
            return;
        }
        call.start(result ->
        {
            if (result.succeeded())
            {
                reply.putLong(0, withId ? result.id() : result.shootdownNs(), ORDER);
                server.replyDeferred(token, LrpcStatus.OK, reply, 0, 8);
            }
            else
            {
                server.replyDeferredError(token, status(result.outcome()), result.message());
            }
        });
    }

    static int status(final Outcome outcome)
    {
        return io.multikernel.node.caps.CapabilityLrpc.status(outcome);
    }
}
