package io.multikernel.node.lrpc;

import io.multikernel.common.Bounds;

/**
 * Operation codes of the LRPC channel (the ring record's type) and the payload of each. A new
 * operation takes the next free code here and registers a handler with
 * {@link LrpcServer#register(int, String, LrpcHandler)}.
 * <pre>
 *   code  name            request payload                    reply payload (OK)
 *   1     echo            any bytes                          the same bytes
 *   2     name.register   int32 serving core, ASCII name     int32 serving core
 *   3     name.lookup     ASCII name                         int32 serving core (NOT_FOUND if none)
 *   4     kv.put          replicas, key, value (KvPutCodec)  transaction id, 20 bytes (when committed)
 *   5..11 caps.alloc, caps.retype, caps.copy, caps.mint, caps.delete, caps.revoke, caps.identify
 *   12, 13 frame.read, frame.write      (payloads: io.multikernel.node.caps.CapabilityLrpc)
 *   14..22 vm.create, vm.map, vm.unmap, vm.protect, vm.span, vm.shrink, vm.destroy, vm.load, vm.store
 *          (payloads: io.multikernel.node.vm.VmLrpc)
 * </pre>
 * Integers are little-endian, as everything on the channel.
 */
public final class LrpcOperations
{
    /** Largest operation code. */
    public static final int OPERATION_CODE_MAX = 1023;

    public static final int ECHO = 1;
    public static final int NAME_REGISTER = 2;
    public static final int NAME_LOOKUP = 3;
    /** A replicated put coordinated by the core: {@code io.multikernel.node.replication.KvPutService}. */
    public static final int KV_PUT = 4;
    /** Capability operations and frame access: {@code io.multikernel.node.caps.CapabilityLrpc}. */
    public static final int CAPS_ALLOC = 5;
    public static final int CAPS_RETYPE = 6;
    public static final int CAPS_COPY = 7;
    public static final int CAPS_MINT = 8;
    public static final int CAPS_DELETE = 9;
    public static final int CAPS_REVOKE = 10;
    public static final int CAPS_IDENTIFY = 11;
    public static final int FRAME_READ = 12;
    public static final int FRAME_WRITE = 13;
    /** Address spaces, loads and stores: {@code io.multikernel.node.vm.VmLrpc}. */
    public static final int VM_CREATE = 14;
    public static final int VM_MAP = 15;
    public static final int VM_UNMAP = 16;
    public static final int VM_PROTECT = 17;
    public static final int VM_SPAN = 18;
    public static final int VM_SHRINK = 19;
    public static final int VM_DESTROY = 20;
    public static final int VM_LOAD = 21;
    public static final int VM_STORE = 22;

    private LrpcOperations()
    {
    }

    /**
     * @param operation a code.
     * @throws IllegalArgumentException when outside 1..{@value #OPERATION_CODE_MAX}.
     */
    public static void checkOperation(final int operation)
    {
        Bounds.check("LRPC operation", operation, 1, OPERATION_CODE_MAX);
    }
}
