package io.multikernel.node.util;

import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.io.PrintWriter;

/**
 * What every top-level command of the project has: {@code --verbose} for every subcommand, a usage
 * error when no subcommand is given, and {@link CommandLines}' error handling. The {@code mk} CLI and
 * the kernel's entry point extend it.
 */
public abstract class RootCommand implements Runnable
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

    /**
     * @param out  for results and help.
     * @param err  for errors.
     * @param args the command line.
     * @return the exit code.
     */
    public final int runWith(final PrintWriter out, final PrintWriter err, final String... args)
    {
        return CommandLines.execute(this, () -> verbose, out, err, args);
    }
}
