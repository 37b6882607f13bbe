package io.multikernel.node.lrpc;

import io.multikernel.node.skb.NameService;
import io.multikernel.node.skb.NameServiceException;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.OptionalInt;

/**
 * The operations every core serves over LRPC: {@code echo} (for tests and benchmarks) and the SKB
 * name service ({@code name.register}, {@code name.lookup}) against the core's {@link NameService}.
 * Registrations are local to the core for now; agreeing on them across cores is the monitor's job.
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
     * @param server      to register with.
     * @param nameService the core's name service, owned by the same kernel loop.
     */
    public static void register(final LrpcServer server, final NameService nameService)
    {
        final LrpcCoreServices services = new LrpcCoreServices(nameService);
        server.register(LrpcOperations.ECHO, "echo", (s, payload, offset, length) -> s.reply(payload, offset, length));
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
