package io.multikernel.node.core;

import io.multikernel.node.util.RootCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/**
 * The entry point of the kernel jar ({@code mk-core.jar}): what a core process and a host's media
 * driver run. It offers the same {@code core} and {@code driver} commands as {@code mk}, on a class
 * path that holds the kernel and its libraries only (no CLI tools, benchmarks or their peers).
 */
@Command(name = "mk", mixinStandardHelpOptions = true,
    description = "The multikernel's kernel: run one core, or a host's media driver.",
    subcommands = { CoreCommand.class, DriverCommand.class, CommandLine.HelpCommand.class })
public final class KernelMain extends RootCommand
{
    public static void main(final String[] args)
    {
        System.exit(new KernelMain().runWith(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }
}
