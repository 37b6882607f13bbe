package io.multikernel.node.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

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
    subcommands = { UpCommand.class, StatusCommand.class, DownCommand.class, CoreCommand.class, DriverCommand.class,
        BenchCommand.class, KvCommand.class, TwoPhaseCommand.class, LrpcCommand.class, NameCommand.class,
        CommandLine.HelpCommand.class },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = { "0:success", "1:the command failed (one line says why; --verbose adds the stack trace)",
        "2:bad usage: unknown command, flag or value" },
    footer = { "", "Run 'mk COMMAND --help' for a command's options." })
public final class MkCommand implements Runnable
{
    /** The command ran and failed. */
    public static final int EXIT_FAILURE = 1;
    /** Bad usage. */
    public static final int EXIT_USAGE = 2;

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
        final MkCommand root = new MkCommand();
        final CommandLine commandLine = new CommandLine(root).setOut(out).setErr(err);
        commandLine.setExitCodeExceptionMapper(ex -> ex instanceof CommandLine.ParameterException ? EXIT_USAGE : EXIT_FAILURE);
        commandLine.setParameterExceptionHandler((ex, arguments) ->
        {
            final PrintWriter usageErr = ex.getCommandLine().getErr();
            usageErr.println("mk: " + ex.getMessage());
            usageErr.println("Run '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for usage.");
            return EXIT_USAGE;
        });
        commandLine.setExecutionExceptionHandler((ex, cmd, parseResult) ->
        {
            final PrintWriter failureErr = cmd.getErr();
            if (ex instanceof CommandLine.ParameterException parameterException)
            {
                failureErr.println("mk: " + parameterException.getMessage());
                return EXIT_USAGE;
            }
            failureErr.println("mk: " + cmd.getCommandSpec().qualifiedName().replaceFirst("^mk ", "") + " failed: " +
                oneLine(ex));
            if (root.verbose)
            {
                ex.printStackTrace(failureErr);
            }
            else
            {
                failureErr.println("(run with --verbose for details)");
            }
            failureErr.flush();
            return EXIT_FAILURE;
        });
        return commandLine.execute(args);
    }

    static String oneLine(final Throwable ex)
    {
        Throwable cause = ex;
        while (null == cause.getMessage() && null != cause.getCause())
        {
            cause = cause.getCause();
        }
        return null == cause.getMessage() ? cause.getClass().getSimpleName() : cause.getMessage();
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
