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

    /**
     * Reads the file an option names, at most {@code maxBytes} of it, whatever kind of file it is: a
     * device or a FIFO has no size to check first, so the bytes are counted as they are read.
     *
     * @param spec     the command, for its usage errors.
     * @param option   the option as the user wrote it, {@code --file=PATH}.
     * @param file     the file.
     * @param maxBytes the most the command sends at once.
     * @param tooLong  what to do instead, after "holds more than N bytes, ".
     * @return the file's bytes.
     * @throws CommandLine.ParameterException when it holds more or cannot be read.
     */
    public static byte[] readFile(final CommandLine.Model.CommandSpec spec, final String option,
        final java.nio.file.Path file, final int maxBytes, final String tooLong)
    {
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(file))
        {
            final byte[] bytes = in.readNBytes(maxBytes + 1);
            check(spec, bytes.length <= maxBytes, option + " holds more than " + maxBytes + " bytes, " + tooLong);
            return bytes;
        }
        catch (final java.io.IOException ex)
        {
            throw error(spec, option + " cannot be read (" + ex.getClass().getSimpleName() +
                (null == ex.getMessage() ? "" : ": " + ex.getMessage()) + ")");
        }
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

    /**
     * A usage error unless {@code file} (when given) can be written once the command has run: it is
     * not a directory, the nearest of its directories that exists is a writable directory, and the
     * missing ones can be made (they are, now). Checked before a long run, so that its report is not
     * lost at the end.
     */
    public static void checkOutputFile(final CommandLine.Model.CommandSpec spec, final String flag,
        final java.nio.file.Path file)
    {
        if (null == file)
        {
            return;
        }
        if (file.toString().isBlank())
        {
            throw error(spec, flag + " is empty; name a file");
        }
        if (java.nio.file.Files.isDirectory(file))
        {
            throw error(spec, flag + " " + file + " is a directory; name a file");
        }
        java.nio.file.Path existing = file.toAbsolutePath().getParent();
        while (null != existing && !java.nio.file.Files.exists(existing))
        {
            existing = existing.getParent();
        }
        if (null == existing || !java.nio.file.Files.isDirectory(existing))
        {
            throw error(spec, flag + " " + file + " cannot be written: " + existing + " is not a directory");
        }
        if (!java.nio.file.Files.isWritable(existing) ||
            (java.nio.file.Files.exists(file) && !java.nio.file.Files.isWritable(file)))
        {
            throw error(spec, flag + " " + file + " cannot be written (permission denied)");
        }
        final java.nio.file.Path parent = file.toAbsolutePath().getParent();
        if (!parent.equals(existing))
        {
            // The writer would make them at the end; made now, a place where none can be made (a
            // read-only or virtual file system) is found before the run rather than after it.
            try
            {
                java.nio.file.Files.createDirectories(parent);
            }
            catch (final java.io.IOException | UnsupportedOperationException ex)
            {
                throw error(spec, flag + " " + file + " cannot be written: its directory " + parent +
                    " cannot be made (" + ex.getMessage() + ")");
            }
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
