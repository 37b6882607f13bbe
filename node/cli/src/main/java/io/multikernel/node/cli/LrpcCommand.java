package io.multikernel.node.cli;

import io.multikernel.node.util.Usage;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code mk lrpc}: talk to a core over its LRPC channel, as an app on the same host does.
 */
@Command(name = "lrpc", mixinStandardHelpOptions = true,
    description = "Talk to a core of the local cluster over its LRPC channel (the ring buffer apps use).",
    subcommands = { LrpcPingCommand.class })
final class LrpcCommand implements Runnable
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run()
    {
        throw Usage.missingSubcommand(spec, "an lrpc command");
    }
}
