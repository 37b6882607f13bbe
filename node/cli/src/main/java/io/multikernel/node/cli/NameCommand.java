package io.multikernel.node.cli;

import io.multikernel.node.util.Usage;
import io.multikernel.node.lrpc.LrpcClient;
import io.multikernel.node.lrpc.LrpcException;
import io.multikernel.node.lrpc.LrpcOperations;
import io.multikernel.node.lrpc.LrpcOutcome;
import io.multikernel.node.lrpc.LrpcResult;
import io.multikernel.node.skb.NameService;
import org.agrona.concurrent.UnsafeBuffer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/**
 * {@code mk name register|lookup}: the SKB name service of a core, over its LRPC channel.
 */
@Command(name = "name", mixinStandardHelpOptions = true,
    description = "The SKB name service of a core (service name -> core id), over the core's LRPC channel.",
    subcommands = { NameCommand.Register.class, NameCommand.Lookup.class })
final class NameCommand implements Runnable
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run()
    {
        throw Usage.missingSubcommand(spec, "a name command");
    }

    static void checkName(final CommandLine.Model.CommandSpec spec, final String name)
    {
        final String problem = NameService.nameProblem(name);
        Usage.check(spec, null == problem, problem);
    }

    static LrpcResult callOrFail(final LrpcClient client, final int operation, final UnsafeBuffer payload, final int length)
    {
        final LrpcResult result = client.call(operation, payload, 0, length);
        if (!result.isSuccess())
        {
            throw new LrpcException(result.message());
        }
        return result;
    }

    @Command(name = "register", mixinStandardHelpOptions = true,
        description = "Register NAME to a core (default: the core asked) at that core.")
    static final class Register implements Callable<Integer>
    {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        LrpcAttachOptions target;

        @Parameters(index = "0", paramLabel = "NAME", description = "Service name, e.g. memory.server.")
        String name;

        @Option(names = "--serving-core", description = "Core that serves the name (default: --core).")
        Integer servingCore;

        @Override
        public Integer call()
        {
            checkName(spec, name);
            final int serving = null == servingCore ? target.core : servingCore;
            Usage.check(spec, serving >= 0, "--serving-core=" + serving + " must not be negative");
            target.checkInMap(spec, "--serving-core", serving);
            try (LrpcClient client = target.attach(spec))
            {
                final UnsafeBuffer payload = new UnsafeBuffer(new byte[Integer.BYTES + name.length()]);
                payload.putInt(0, serving);
                payload.putStringWithoutLengthAscii(Integer.BYTES, name);
                final LrpcResult result = client.call(LrpcOperations.NAME_REGISTER, payload, 0, payload.capacity());
                if (LrpcOutcome.INDEFINITE == result.outcome())
                {
                    // Not "failed": the registration may have committed; a lookup tells.
                    spec.commandLine().getErr().println("mk: name register outcome unknown: " + result.message());
                    spec.commandLine().getErr().flush();
                    return MkCommand.EXIT_FAILURE;
                }
                if (!result.isSuccess())
                {
                    throw new LrpcException(result.message());
                }
                spec.commandLine().getOut().println(name + " -> core " + serving + " (registered at core " + target.core + ")");
                spec.commandLine().getOut().flush();
            }
            return 0;
        }
    }

    @Command(name = "lookup", mixinStandardHelpOptions = true, description = "Look NAME up at a core.")
    static final class Lookup implements Callable<Integer>
    {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        LrpcAttachOptions target;

        @Parameters(index = "0", paramLabel = "NAME", description = "Service name.")
        String name;

        @Override
        public Integer call()
        {
            checkName(spec, name);
            try (LrpcClient client = target.attach(spec))
            {
                final UnsafeBuffer payload = new UnsafeBuffer(new byte[name.length()]);
                payload.putStringWithoutLengthAscii(0, name);
                final LrpcResult result = callOrFail(client, LrpcOperations.NAME_LOOKUP, payload, payload.capacity());
                spec.commandLine().getOut().println(name + " -> core " + result.intResult());
                spec.commandLine().getOut().flush();
            }
            return 0;
        }
    }
}
