package io.multikernel.node.cli;

import picocli.CommandLine;

/**
 * Turns a bad option value into picocli's usage error: exit code 2 and one line naming the flag.
 */
final class Usage
{
    private Usage()
    {
    }

    static void check(final CommandLine.Model.CommandSpec spec, final boolean condition, final String message)
    {
        if (!condition)
        {
            throw error(spec, message);
        }
    }

    static CommandLine.ParameterException error(final CommandLine.Model.CommandSpec spec, final String message)
    {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
