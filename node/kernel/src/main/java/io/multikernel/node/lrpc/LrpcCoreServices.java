package io.multikernel.node.lrpc;

/**
 * The operation every LRPC server serves: {@code echo}, for tests and benchmarks. A core's name
 * service ({@code name.register}, {@code name.lookup}) is agreed by every core through the replicated
 * store: {@code io.multikernel.node.replication.AgreedNameService}.
 */
public final class LrpcCoreServices
{
    private LrpcCoreServices()
    {
    }

    /**
     * Registers {@code echo}.
     *
     * @param server to register with.
     */
    public static void register(final LrpcServer server)
    {
        server.register(LrpcOperations.ECHO, "echo", (s, payload, offset, length) -> s.reply(payload, offset, length));
    }
}
