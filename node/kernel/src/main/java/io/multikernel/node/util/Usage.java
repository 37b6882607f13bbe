package io.multikernel.node.util;

import io.multikernel.common.Bounds;
import picocli.CommandLine;

/**
 * Turns a bad option value into picocli's usage error: exit code 2 and one line naming the flag. Shared by
 * the {@code mk} CLI and the kernel's own entry point.
 */
public final class Usage
{
    private Usage()
    {
    }

    public static void check(final CommandLine.Model.CommandSpec spec, final boolean condition, final String message)
    {
        if (!condition)
        {
            throw error(spec, message);
        }
    }

    /**
     * A usage error unless {@code min <= value <= max}, worded by {@link Bounds}:
     * {@code --repeat=0 is outside 1..20}.
     */
    public static void checkRange(final CommandLine.Model.CommandSpec spec, final String flag, final long value,
        final long min, final long max)
    {
        if (value < min || value > max)
        {
            throw error(spec, Bounds.message(flag, value, min, max, ""));
        }
    }

    public static CommandLine.ParameterException error(final CommandLine.Model.CommandSpec spec, final String message)
    {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    /**
     * @param spec of a command that only groups subcommands.
     * @param what the kind of subcommand, e.g. "a benchmark".
     * @return the usage error for running it without one, naming the choices.
     */
    public static CommandLine.ParameterException missingSubcommand(final CommandLine.Model.CommandSpec spec, final String what)
    {
        return error(spec, what + " is required: " + String.join(", ", spec.subcommands().keySet()));
    }
}
