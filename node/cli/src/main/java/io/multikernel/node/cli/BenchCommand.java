package io.multikernel.node.cli;

import io.multikernel.node.util.Usage;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code mk bench}: benchmarks, each against its baseline in the same run.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Benchmarks; each runs its baseline in the same invocation and prints the ratio.",
    subcommands = { BenchUrpcCommand.class, BenchLrpcCommand.class, BenchShootdownCommand.class, BenchUnmapCommand.class,
        BenchTwoPhaseCommitCommand.class })
final class BenchCommand implements Runnable
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run()
    {
        throw Usage.missingSubcommand(spec, "a benchmark");
    }
}
