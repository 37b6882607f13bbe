package io.multikernel.node.util;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.util.List;

/**
 * Runs a picocli command the way every entry point of the project does: usage errors exit with
 * {@link #EXIT_USAGE} and one line naming the flag, failures with {@link #EXIT_FAILURE} and one line
 * saying why (the stack trace only with {@code --verbose}). Shared by the {@code mk} CLI and the
 * kernel's own entry point, so a core started either way reports errors the same way.
 */
public final class CommandLines
{
    /** The command ran and failed. */
    public static final int EXIT_FAILURE = 1;
    /** Bad usage: unknown command, flag or value. */
    public static final int EXIT_USAGE = 2;

    private CommandLines()
    {
    }

    /**
     * @param root    the top command object.
     * @param verbose tells, once parsing is done, whether the user asked for stack traces.
     * @param out     for results and help.
     * @param err     for errors.
     * @param args    the command line.
     * @return the exit code.
     */
    public static int execute(
        final Object root, final java.util.function.BooleanSupplier verbose, final PrintWriter out, final PrintWriter err,
        final String... args)
    {
        final CommandLine commandLine = new CommandLine(root).setOut(out).setErr(err);
        // Every command offers --version (mixinStandardHelpOptions): each answers with the root's.
        shareVersion(commandLine, commandLine.getCommandSpec().versionProvider());
        commandLine.setExitCodeExceptionMapper(ex -> ex instanceof CommandLine.ParameterException ? EXIT_USAGE : EXIT_FAILURE);
        commandLine.setParameterExceptionHandler((ex, arguments) ->
        {
            final PrintWriter usageErr = ex.getCommandLine().getErr();
            usageErr.println("mk: " + usageProblem(ex));
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
            if (verbose.getAsBoolean())
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

    /**
     * Picocli reports a missing parameter before an argument it took for an unknown option, so
     * {@code mk 2pc decide -1:-1:-1 commit} said DECISION was missing. The argument that started
     * with a dash is the mistake: name it, and say how to pass such a value.
     */
    static String usageProblem(final CommandLine.ParameterException ex)
    {
        if (ex instanceof CommandLine.MissingParameterException && null != ex.getCommandLine().getParseResult())
        {
            for (final String unmatched : ex.getCommandLine().getParseResult().unmatched())
            {
                if (unmatched.startsWith("-"))
                {
                    return "unknown option '" + unmatched + "'; a value that starts with '-' goes after '--' " +
                        "(which ends the options), e.g. " + ex.getCommandLine().getCommandSpec().qualifiedName() +
                        " [OPTIONS] -- " + unmatched;
                }
            }
        }
        if (ex instanceof CommandLine.UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty())
        {
            // Name the near misses (mk stauts, mk up --core); picocli offers any command, so keep the close ones.
            final String typed = unmatched.getUnmatched().get(0);
            final List<String> near = unmatched.getSuggestions().stream()
                .filter(candidate -> EditDistance.between(typed, candidate) <=
                    Math.min(2, Math.max(1, typed.length() / 3)))
                .limit(SUGGESTIONS_MAX).map(candidate -> "'" + candidate + "'").toList();
            if (!near.isEmpty())
            {
                return ex.getMessage() + "; did you mean " + String.join(" or ", near) + "?";
            }
        }
        return ex.getMessage();
    }

    /** SUGGESTIONS_MAX: near misses named for an unknown command or option. */
    static final int SUGGESTIONS_MAX = 2;

    private static void shareVersion(final CommandLine command, final CommandLine.IVersionProvider version)
    {
        if (null == version)
        {
            return;
        }
        for (final CommandLine sub : command.getSubcommands().values())
        {
            if (null == sub.getCommandSpec().versionProvider() && 0 == sub.getCommandSpec().version().length)
            {
                sub.getCommandSpec().versionProvider(version);
            }
            shareVersion(sub, version);
        }
    }

    /**
     * @param ex a failure.
     * @return its first message along the cause chain, or its class name when none has one.
     */
    public static String oneLine(final Throwable ex)
    {
        Throwable cause = ex;
        while (null == cause.getMessage() && null != cause.getCause())
        {
            cause = cause.getCause();
        }
        final String message = null == cause.getMessage() ? cause.getClass().getSimpleName() : cause.getMessage();
        java.nio.file.FileSystemException files = null;
        for (Throwable t = ex; null != t && null == files; t = t.getCause())
        {
            files = t instanceof java.nio.file.FileSystemException f ? f : null;
        }
        if (null == files || null == files.getMessage())
        {
            return message;
        }
        // As the message, or at its end ("cannot write the report: /x/y.json"): the path alone says nothing.
        if (message.equals(files.getMessage()) || message.equals(files.toString()))
        {
            return fileProblem(files);
        }
        return message.endsWith(files.getMessage()) ?
            message.substring(0, message.length() - files.getMessage().length()) + fileProblem(files) : message;
    }

    /**
     * The JDK's file exceptions carry only the path as their message ({@code /proc/nope.json}), and
     * the reason in their type: this says both.
     */
    public static String fileProblem(final java.nio.file.FileSystemException ex)
    {
        final String what = null == ex.getOtherFile() ? String.valueOf(ex.getFile()) :
            ex.getFile() + " -> " + ex.getOtherFile();
        final String reason;
        if (ex instanceof java.nio.file.NoSuchFileException)
        {
            reason = "no such file or directory";
        }
        else if (ex instanceof java.nio.file.AccessDeniedException)
        {
            reason = "permission denied";
        }
        else if (ex instanceof java.nio.file.FileAlreadyExistsException)
        {
            reason = "it already exists";
        }
        else if (ex instanceof java.nio.file.NotDirectoryException)
        {
            reason = "not a directory";
        }
        else if (ex instanceof java.nio.file.DirectoryNotEmptyException)
        {
            reason = "the directory is not empty";
        }
        else
        {
            reason = null == ex.getReason() ? ex.getClass().getSimpleName() : ex.getReason();
        }
        return "cannot use " + what + ": " + reason;
    }
}
