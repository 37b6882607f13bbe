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
        int status;
        try
        {
            status = new KernelMain().runWith(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
        }
        catch (final Throwable failure)
        {
            // An Error the command did not handle (a fault in a memory-mapped file on a full file system):
            // without an exit the JVM would live on in its non-daemon threads, holding the data directory's
            // lock and the admin port, answering that it is starting.
            System.err.println("mk: the kernel process failed: " + failure);
            failure.printStackTrace();
            status = io.multikernel.node.util.CommandLines.EXIT_FAILURE;
        }
        System.exit(status);
    }
}
