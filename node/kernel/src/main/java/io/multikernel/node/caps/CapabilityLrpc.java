package io.multikernel.node.caps;

import io.multikernel.node.lrpc.LrpcHandler;
import io.multikernel.node.lrpc.LrpcOperations;
import io.multikernel.node.lrpc.LrpcRecordDescriptor;
import io.multikernel.node.lrpc.LrpcServer;
import io.multikernel.node.lrpc.LrpcStatus;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * The capability operations of a core's LRPC channel, for apps: each request acts on capabilities
 * the core holds. Payloads are little-endian, fixed layouts (see {@link LrpcOperations}):
 * <pre>
 *   caps.alloc     int64 bytes                                              -> int64 cap
 *   caps.retype    int64 cap, int32 type, int64 offset, int64 size, int32 count -> int64 first cap, int32 count
 *   caps.copy      int64 cap, int32 to core                                 -> int64 new cap
 *   caps.mint      int64 cap, int32 to core, int32 rights                   -> int64 new cap
 *   caps.delete    int64 cap                                                -> (empty)
 *   caps.revoke    int64 cap                                                -> (empty)
 *   caps.identify  int64 cap     -> int64 object, int32 type, int64 base, int64 length, int32 rights,
 *                                   int32 holder, int32 owner
 *   frame.read     int64 cap, int64 offset, int32 length                    -> the bytes
 *   frame.write    int64 cap, int64 offset, then the bytes                  -> int32 bytes written
 * </pre>
 * Types are {@link CapabilityType} ordinals, rights {@link Rights} bits. Operations that change the
 * database are answered when their transaction's outcome is known: OK when committed; otherwise an
 * error line with NOT_FOUND, DENIED (held by another core, or a right missing), INVALID_ARGUMENT,
 * CONFLICT (overlap: revoke first; no free memory), ABORTED, UNAVAILABLE (nothing changed) or
 * INDEFINITE (it may have committed).
 */
public final class CapabilityLrpc
{
    static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final int IDENTIFY_REPLY_LENGTH_BYTES = 8 + 4 + 8 + 8 + 4 + 4 + 4;

    private final LrpcServer server;
    private final CapabilityService service;
    private final UnsafeBuffer reply;
    private final int frameIoLengthMax;

    private CapabilityLrpc(final LrpcServer server, final CapabilityService service)
    {
        this.server = server;
        this.service = service;
        final int replyPayloadMax = server.channel().layout().messageLengthMax() - LrpcRecordDescriptor.REPLY_HEADER_LENGTH_BYTES;
        this.frameIoLengthMax = Math.min(CapabilityService.FRAME_IO_LENGTH_MAX_BYTES, Math.max(0, replyPayloadMax));
        this.reply = new UnsafeBuffer(new byte[IDENTIFY_REPLY_LENGTH_BYTES]);
    }

    /**
     * Registers the operations with the core's LRPC server.
     */
    public static void register(final LrpcServer server, final CapabilityService service)
    {
        final CapabilityLrpc lrpc = new CapabilityLrpc(server, service);
        server.register(LrpcOperations.CAPS_ALLOC, "caps.alloc", LrpcHandler.fixedLength(8, lrpc::allocate));
        server.register(LrpcOperations.CAPS_RETYPE, "caps.retype", LrpcHandler.fixedLength(8 + 4 + 8 + 8 + 4, lrpc::retype));
        server.register(LrpcOperations.CAPS_COPY, "caps.copy", LrpcHandler.fixedLength(8 + 4, lrpc::copy));
        server.register(LrpcOperations.CAPS_MINT, "caps.mint", LrpcHandler.fixedLength(8 + 4 + 4, lrpc::mint));
        server.register(LrpcOperations.CAPS_DELETE, "caps.delete", LrpcHandler.fixedLength(8, lrpc::delete));
        server.register(LrpcOperations.CAPS_REVOKE, "caps.revoke", LrpcHandler.fixedLength(8, lrpc::revoke));
        server.register(LrpcOperations.CAPS_IDENTIFY, "caps.identify", LrpcHandler.fixedLength(8, lrpc::identify));
        server.register(LrpcOperations.FRAME_READ, "frame.read", LrpcHandler.fixedLength(8 + 8 + 4, lrpc::read));
        server.register(LrpcOperations.FRAME_WRITE, "frame.write", lrpc::write);
    }

    private void allocate(final LrpcServer s, final DirectBuffer payload, final int offset, final int length)
    {
        final long bytes = payload.getLong(offset, ORDER);
        deferred(callback -> service.allocate(bytes, callback), false);
    }

    private void retype(final LrpcServer s, final DirectBuffer payload, final int offset, final int length)
    {
        final long capId = payload.getLong(offset, ORDER);
        final int typeOrdinal = payload.getInt(offset + 8, ORDER);
        final long at = payload.getLong(offset + 12, ORDER);
        final long size = payload.getLong(offset + 20, ORDER);
        final int count = payload.getInt(offset + 28, ORDER);
        final CapabilityType[] types = CapabilityType.values();
        if (typeOrdinal < 0 || typeOrdinal >= types.length)
        {
            s.replyError(LrpcStatus.INVALID_ARGUMENT, "capability type " + typeOrdinal + " is unknown");
            return;
        }
        deferred(callback -> service.retype(capId, types[typeOrdinal], at, size, count, callback), true);
    }

    private void copy(final LrpcServer s, final DirectBuffer payload, final int offset, final int length)
    {
        final long capId = payload.getLong(offset, ORDER);
        final int to = payload.getInt(offset + 8, ORDER);
        deferred(callback -> service.copy(capId, to, callback), false);
    }

    private void mint(final LrpcServer s, final DirectBuffer payload, final int offset, final int length)
    {
        final long capId = payload.getLong(offset, ORDER);
        final int to = payload.getInt(offset + 8, ORDER);
        final int rights = payload.getInt(offset + 12, ORDER);
        deferred(callback -> service.mint(capId, to, rights, callback), false);
    }

    private void delete(final LrpcServer s, final DirectBuffer payload, final int offset, final int length)
    {
        final long capId = payload.getLong(offset, ORDER);
        deferred(callback -> service.delete(capId, callback), false);
    }

    private void revoke(final LrpcServer s, final DirectBuffer payload, final int offset, final int length)
    {
        final long capId = payload.getLong(offset, ORDER);
        deferred(callback -> service.revoke(capId, callback), false);
    }

    private void identify(final LrpcServer s, final DirectBuffer payload, final int offset, final int length)
    {
        try
        {
            final CapabilityView view = service.identify(payload.getLong(offset, ORDER));
            reply.putLong(0, view.objectId(), ORDER);
            reply.putInt(8, view.type().ordinal(), ORDER);
            reply.putLong(12, view.base(), ORDER);
            reply.putLong(20, view.length(), ORDER);
            reply.putInt(28, view.rights(), ORDER);
            reply.putInt(32, view.holderCore(), ORDER);
            reply.putInt(36, view.ownerCore(), ORDER);
            s.reply(reply, 0, IDENTIFY_REPLY_LENGTH_BYTES);
        }
        catch (final CapabilityException ex)
        {
            s.replyError(status(ex.result().outcome()), ex.getMessage());
        }
    }

    private void read(final LrpcServer s, final DirectBuffer payload, final int offset, final int length)
    {
        final long capId = payload.getLong(offset, ORDER);
        final long at = payload.getLong(offset + 8, ORDER);
        final int bytes = payload.getInt(offset + 16, ORDER);
        if (bytes < 0 || bytes > frameIoLengthMax)
        {
            s.replyError(LrpcStatus.INVALID_ARGUMENT, "a frame read moves 0.." + frameIoLengthMax + " bytes, not " + bytes);
            return;
        }
        final long token = server.defer();
        if (LrpcServer.NO_TOKEN != token)
        {
            service.frames().read(capId, at, bytes, (result, data, dataOffset, dataLength) ->
                answerFrame(token, result, data, dataOffset, dataLength));
        }
    }

    private void write(final LrpcServer s, final DirectBuffer payload, final int offset, final int length)
    {
        if (length < 16)
        {
            s.replyError(LrpcStatus.MALFORMED, "payload of " + length + " bytes, expected at least 16");
            return;
        }
        final long capId = payload.getLong(offset, ORDER);
        final long at = payload.getLong(offset + 8, ORDER);
        final long token = server.defer();
        if (LrpcServer.NO_TOKEN != token)
        {
            service.frames().write(capId, at, payload, offset + 16, length - 16, (result, data, dataOffset, dataLength) ->
            {
                reply.putInt(0, length - 16, ORDER);
                answerFrame(token, result, reply, 0, 4);
            });
        }
    }

    private void answerFrame(final long token, final CapabilityResult result, final DirectBuffer data, final int offset,
        final int length)
    {
        if (CapabilityResult.Outcome.DONE == result.outcome())
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
        void start(CapabilityService.Callback callback);
    }

    /**
     * Defers the reply before anything is proposed (so a full deferred table refuses with nothing
     * changed), then answers from the result.
     */
    private void deferred(final Call call, final boolean withCount)
    {
        final long token = server.defer();
        if (LrpcServer.NO_TOKEN == token)
        {
            return;
        }
        call.start(result ->
        {
            if (result.committed())
            {
                final int replyLength;
                if (result.capIds().isEmpty())
                {
                    replyLength = 0;
                }
                else
                {
                    reply.putLong(0, result.capIds().get(0), ORDER);
                    reply.putInt(8, result.capIds().size(), ORDER);
                    replyLength = withCount ? 12 : 8;
                }
                server.replyDeferred(token, LrpcStatus.OK, reply, 0, replyLength);
            }
            else
            {
                server.replyDeferredError(token, status(result.outcome()), result.message());
            }
        });
    }

    /** @return the LRPC status of an outcome other than a commit. */
    public static int status(final CapabilityResult.Outcome outcome)
    {
        return switch (outcome)
        {
            case COMMITTED, DONE -> LrpcStatus.OK;
            case NOT_FOUND -> LrpcStatus.NOT_FOUND;
            case FORBIDDEN -> LrpcStatus.DENIED;
            case INVALID -> LrpcStatus.INVALID_ARGUMENT;
            case CONFLICT -> LrpcStatus.CONFLICT;
            case ABORTED -> LrpcStatus.ABORTED;
            case UNAVAILABLE -> LrpcStatus.UNAVAILABLE;
            case INDEFINITE -> LrpcStatus.INDEFINITE;
            case FAULT -> LrpcStatus.FAULT;
        };
    }
}
