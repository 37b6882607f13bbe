package io.multikernel.node.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code mk help [COMMAND...]}: the help of any command, however deep ({@code mk help kv put} is
 * {@code mk kv put --help}). Picocli's own help command looks up one level only, so it answered
 * {@code mk help kv put} with {@code mk kv}'s help.
 */
@Command(name = "help", helpCommand = true,
    description = "Show the help of mk or of a command, e.g. 'mk help kv put'.")
final class HelpCommand implements Callable<Integer>
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "COMMAND", arity = "0..*", description = "The command, with its subcommands.")
    List<String> command = List.of();

    @Override
    public Integer call()
    {
        CommandLine target = spec.commandLine().getParent();
        for (final String name : command)
        {
            final CommandLine sub = target.getSubcommands().get(name);
            if (null == sub)
            {
                throw new CommandLine.ParameterException(spec.commandLine(), "'" + name + "' is not a command of " +
                    target.getCommandSpec().qualifiedName() + ": it has " +
                    String.join(", ", target.getSubcommands().keySet()));
            }
            target = sub;
        }
        final PrintWriter out = spec.commandLine().getOut();
        target.usage(out);
        out.flush();
        return 0;
    }
}
