package io.multikernel.node.cli;

import io.multikernel.node.util.Usage;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code mk chaos}: fault injection against the local cluster.
 */
@Command(name = "chaos", mixinStandardHelpOptions = true,
    description = "Break the cluster on purpose: a seeded fault schedule under a write load, then a verdict.",
    subcommands = { ChaosRunCommand.class, CommandLine.HelpCommand.class })
final class ChaosCommand implements Runnable
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run()
    {
        throw Usage.missingSubcommand(spec, "a subcommand");
    }
}
