package io.multikernel.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.multikernel.common.Sizes;
import io.multikernel.node.util.Usage;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * What every subcommand that asks one core's admin API for an operation has ({@code mk caps},
 * {@code mk vm}): the core to ask ({@code --core}, {@code --run-dir}), {@code --json}, the reading
 * of the core's answer into done or one sentence, and the checks of cores and sizes.
 */
abstract class AdminSubcommand implements Callable<Integer>
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    KvCommand.Target target = new KvCommand.Target();

    @Option(names = "--json", description = "Print the core's JSON answer as it is, also when the core " +
        "refused (the exit code still says whether it was done).")
    boolean json;

    /** @return the command that lists what the core holds, named in the advice after an indefinite answer. */
    abstract String listCommand();

    PrintWriter out()
    {
        return spec.commandLine().getOut();
    }

    /**
     * @param client the core asked.
     * @param reply  its answer.
     * @param type   the record the endpoint answers when done.
     * @param change whether the request proposes a transaction, so that a server error may mean it
     *               committed.
     * @return the answer, when done; printed as it is first with {@code --json}.
     * @throws IllegalStateException with one sentence when not done (after printing it with
     *                               {@code --json}), or IllegalArgumentException when the answer has
     *                               another shape.
     */
    <T> T answer(final AdminClient client, final AdminClient.Reply reply, final Class<T> type, final boolean change)
    {
        final String failure = failure(client, reply, change, listCommand());
        final T answer = null == failure ? reply.as(type) : null;
        if (json)
        {
            out().println(reply.raw());
            out().flush();
        }
        if (null != failure)
        {
            throw new IllegalStateException(failure);
        }
        return answer;
    }

    int core(final String flag, final int core)
    {
        Usage.check(spec, core >= 0, flag + "=" + core + " is negative: cores are numbered from 0");
        return core;
    }

    /**
     * A core a flag names that the cluster map does not list is a usage error found here, before any
     * request, as {@code --core} is.
     *
     * @param client the client, which knows the map.
     * @param flag   the option, as the user spells it.
     * @param core   the core it names; null when not given.
     */
    void inMap(final AdminClient client, final String flag, final Integer core)
    {
        if (null != core && null != client.unknownCore(core))
        {
            throw Usage.error(spec, flag + "=" + core + ": " + client.unknownCore(core));
        }
    }

    /**
     * @param flag the option, as the user spells it.
     * @param text what the user gave: 4096, 64k, 1m, or hex as addresses are given (0x1000).
     * @param min  smallest allowed, bytes.
     * @param max  largest allowed, bytes.
     * @return the size in bytes.
     */
    long size(final String flag, final String text, final long min, final long max)
    {
        Usage.check(spec, !text.trim().startsWith("-"), flag + "=" + text + " is negative: sizes are bytes, " +
            "e.g. 4096, 64k or 1m");
        final String trimmed = text.trim();
        final long bytes;
        try
        {
            bytes = trimmed.regionMatches(true, 0, "0x", 0, 2) ? Long.parseLong(trimmed.substring(2), 16) :
                Sizes.parse(flag, text);
        }
        catch (final NumberFormatException ex)
        {
            throw Usage.error(spec, flag + "=" + text + " is not a size: give hex (0x1000) or a number with an " +
                "optional k, m or g suffix");
        }
        catch (final IllegalArgumentException ex)
        {
            throw Usage.error(spec, ex.getMessage());
        }
        Usage.checkRange(spec, flag, bytes, min, max);
        return bytes;
    }

    /**
     * @param listCommand e.g. {@code mk caps list}, what to read before retrying an indefinite change.
     * @return null when the core did it; otherwise the sentence to fail with.
     */
    static String failure(final AdminClient client, final AdminClient.Reply reply, final boolean change,
        final String listCommand)
    {
        final int status = reply.status();
        final JsonNode body = reply.body();
        if (body.has("outcome"))
        {
            final String outcome = body.get("outcome").asText();
            final String transaction = body.hasNonNull("transaction") ?
                " (transaction " + body.get("transaction").asText() + ")" : "";
            final String error = body.hasNonNull("error") ? body.get("error").asText() : "null";
            return switch (outcome)
            {
                case "committed", "done" -> 200 == status ? null : outcome + " with HTTP " + status;
                case "aborted", "indefinite" -> outcome + transaction + ": " + error;
                case "fault" -> "fault on core " + client.coreId() + ": " + error;
                default -> "core " + client.coreId() + " refused: " + error;
            };
        }
        if (200 == status)
        {
            return null;
        }
        final String error = reply.error();
        if (change && status >= 500 && 503 != status)
        {
            return "indefinite (HTTP " + status + "): " + error + "; it may have committed: see " + listCommand +
                " before retrying";
        }
        return status >= 500 && 503 != status ? "core " + client.coreId() + " failed (HTTP " + status + "): " + error :
            "core " + client.coreId() + " refused: " + error;
    }
}
