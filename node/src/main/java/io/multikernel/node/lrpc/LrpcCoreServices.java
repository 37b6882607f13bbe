package io.multikernel.node.lrpc;

import io.multikernel.node.skb.NameService;
import io.multikernel.node.skb.NameServiceException;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.OptionalInt;

/**
 * The operation every LRPC server serves, {@code echo} (for tests and benchmarks), and, for a process
 * without replication, the name service ({@code name.register}, {@code name.lookup}) against an
 * in-memory {@link NameService} of that one process. A core serves the name service agreed by every
 * core through the replicated store instead: {@code io.multikernel.node.replication.AgreedNameService}.
 */
public final class LrpcCoreServices
{
    private final NameService nameService;
    private final UnsafeBuffer result = new UnsafeBuffer(new byte[Integer.BYTES]);

    private LrpcCoreServices(final NameService nameService)
    {
        this.nameService = nameService;
    }

    /**
     * Registers {@code echo} only.
     *
     * @param server to register with.
     */
    public static void register(final LrpcServer server)
    {
        server.register(LrpcOperations.ECHO, "echo", (s, payload, offset, length) -> s.reply(payload, offset, length));
    }

    /**
     * Registers {@code echo} and a name service local to this process (not agreed with any other core).
     *
     * @param server      to register with.
     * @param nameService the process's name service, owned by the server's thread; null for echo only.
     */
    public static void register(final LrpcServer server, final NameService nameService)
    {
        register(server);
        if (null == nameService)
        {
            return;
        }
        final LrpcCoreServices services = new LrpcCoreServices(nameService);
        server.register(LrpcOperations.NAME_REGISTER, "name.register", services::onNameRegister);
        server.register(LrpcOperations.NAME_LOOKUP, "name.lookup", services::onNameLookup);
    }

    private void onNameRegister(final LrpcServer server, final DirectBuffer payload, final int offset, final int length)
    {
        if (length < Integer.BYTES + 1)
        {
            server.replyError(LrpcStatus.MALFORMED, "name.register needs a 4-byte core id and a name, got " + length +
                " bytes");
            return;
        }
        final int servingCore = payload.getInt(offset);
        final String name = payload.getStringWithoutLengthAscii(offset + Integer.BYTES, length - Integer.BYTES);
        final String problem = NameService.nameProblem(name);
        if (null != problem)
        {
            server.replyError(LrpcStatus.INVALID_ARGUMENT, problem);
            return;
        }
        try
        {
            nameService.register(name, servingCore);
        }
        catch (final NameServiceException ex)
        {
            server.replyError(ex.getMessage().contains("already registered") ? LrpcStatus.CONFLICT :
                LrpcStatus.INVALID_ARGUMENT, ex.getMessage());
            return;
        }
        result.putInt(0, servingCore);
        server.reply(result, 0, Integer.BYTES);
    }

    private void onNameLookup(final LrpcServer server, final DirectBuffer payload, final int offset, final int length)
    {
        final String name = payload.getStringWithoutLengthAscii(offset, length);
        final String problem = NameService.nameProblem(name);
        if (null != problem)
        {
            server.replyError(LrpcStatus.INVALID_ARGUMENT, problem);
            return;
        }
        final OptionalInt core = nameService.lookup(name);
        if (core.isEmpty())
        {
            server.replyError(LrpcStatus.NOT_FOUND, "service name '" + name + "' is not registered at core " +
                server.coreId());
            return;
        }
        result.putInt(0, core.getAsInt());
        server.reply(result, 0, Integer.BYTES);
    }
}
