package io.multikernel.node.cli;

import io.multikernel.node.core.CoreCommand;
import io.multikernel.node.core.DriverCommand;
import io.multikernel.node.util.CommandLines;
import io.multikernel.node.util.RootCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/**
 * {@code mk}: the multikernel's command line.
 *
 * <p>Exit codes: 0 success; 1 the command ran and failed (the message says what and why);
 * 2 bad usage (unknown command, bad flag or value).
 */
@Command(
    name = "mk",
    mixinStandardHelpOptions = true,
    versionProvider = MkCommand.Version.class,
    description = "A multikernel over networked JVMs: one JVM per core, URPC over Aeron, replicated OS state.",
    subcommands = { UpCommand.class, StatusCommand.class, DownCommand.class, RestartCommand.class, CoreCommand.class,
        DriverCommand.class,
        DemoCommand.class, BenchCommand.class, KvCommand.class, TwoPhaseCommand.class, CapsCommand.class,
        VmCommand.class, LrpcCommand.class, NameCommand.class, ConfigCommand.class, SecretCommand.class,
        HostCommand.class, ChaosCommand.class,
        HelpCommand.class },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = { "0:success", "1:the command failed (one line says why; --verbose adds the stack trace)",
        "2:bad usage: unknown command, flag or value" },
    footer = { "", "Run 'mk COMMAND --help' for a command's options." })
public final class MkCommand extends RootCommand
{
    /** The command ran and failed. */
    public static final int EXIT_FAILURE = CommandLines.EXIT_FAILURE;
    /** Bad usage. */
    public static final int EXIT_USAGE = CommandLines.EXIT_USAGE;

    public static void main(final String[] args)
    {
        System.exit(execute(args));
    }

    /**
     * Run the CLI without exiting the JVM.
     *
     * @param args command line.
     * @return the exit code.
     */
    public static int execute(final String... args)
    {
        return execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /**
     * Run the CLI with its own output streams (tests capture them).
     *
     * @param out  for results and help.
     * @param err  for errors.
     * @param args command line.
     * @return the exit code.
     */
    public static int execute(final PrintWriter out, final PrintWriter err, final String... args)
    {
        try
        {
            return new MkCommand().runWith(out, err, args);
        }
        finally
        {
            // A command's last print() without a newline is not flushed by the writer itself; main exits next.
            out.flush();
            err.flush();
        }
    }

    static final class Version implements CommandLine.IVersionProvider
    {
        public String[] getVersion()
        {
            final String version = MkCommand.class.getPackage().getImplementationVersion();
            return new String[]{ "mk " + (null == version ? "development build" : version) };
        }
    }
}
