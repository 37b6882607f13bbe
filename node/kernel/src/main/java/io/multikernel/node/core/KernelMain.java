package io.multikernel.node.core;

import io.multikernel.node.util.CommandLines;
import io.multikernel.node.util.Usage;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;

/**
 * The entry point of the kernel jar ({@code mk-core.jar}): what a core process and a host's media
 * driver run. It offers the same {@code core} and {@code driver} commands as {@code mk}, on a class
 * path that holds the kernel and its libraries only (no CLI tools, benchmarks or their peers).
 */
@Command(name = "mk", mixinStandardHelpOptions = true,
    description = "The multikernel's kernel: run one core, or a host's media driver.",
    subcommands = { CoreCommand.class, DriverCommand.class, CommandLine.HelpCommand.class })
public final class KernelMain implements Runnable
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT, description = "Show stack traces of failures.")
    boolean verbose;

    @Override
    public void run()
    {
        throw Usage.missingSubcommand(spec, "a command");
    }

    public static void main(final String[] args)
    {
        final KernelMain root = new KernelMain();
        System.exit(CommandLines.execute(root, () -> root.verbose,
            new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }
}
