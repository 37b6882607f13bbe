package io.multikernel.node.cli;

import io.multikernel.common.Sizes;
import io.multikernel.node.util.Usage;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * {@code mk caps}: the capability system through one core's admin API. Every change is one 2PC
 * transaction with every core as participant, coordinated by the core that takes the request; the
 * core acts only for capabilities it holds.
 *
 * <p>Outcomes are read the way {@code mk kv put} reads them: exit code 0 only when the change
 * committed (or the read was done); otherwise exit code 1 and one line that keeps the definite
 * ({@code core N refused: ...}, {@code aborted (transaction T): ...}: nothing changed) apart from
 * the indefinite ({@code indefinite ...: it may have committed}). Bad flags and values are refused
 * before any request, with exit code 2.
 */
@Command(name = "caps", mixinStandardHelpOptions = true,
    description = { "Capabilities: allocate, retype, copy, mint, delete, revoke and identify them, and read and " +
        "write frames, through one core's admin API.",
        "A change is one two-phase-commit transaction over every core, coordinated by --core; that core acts only " +
            "for capabilities it holds. Every core's replica lists the same capabilities with the same fingerprint.",
        "Sizes take a k, m or g suffix (4096, 64k, 1m)." },
    subcommands = { CapsListCommand.class, CapsChangeCommands.Alloc.class, CapsChangeCommands.Retype.class,
        CapsChangeCommands.Copy.class, CapsChangeCommands.Mint.class, CapsChangeCommands.Delete.class,
        CapsChangeCommands.Revoke.class, CapsListCommand.Identify.class, CapsFrameCommands.Read.class,
        CapsFrameCommands.Write.class },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = { CapsCommand.EXIT_DONE, CapsCommand.EXIT_NOT_DONE, CapsCommand.EXIT_BAD_USAGE })
final class CapsCommand implements Runnable
{
    static final String EXIT_DONE = "0:done: the change committed on every core, or the read was answered";
    static final String EXIT_NOT_DONE = "1:not done: refused or aborted (nothing changed), or indefinite " +
        "(it may have committed: list before retrying); one line says which and why";
    static final String EXIT_BAD_USAGE = "2:bad usage: unknown flag or bad value; no request was sent";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run()
    {
        throw Usage.missingSubcommand(spec, "a subcommand");
    }

    /**
     * What every {@code mk caps} subcommand has: the core to ask ({@code --core}, {@code --run-dir}),
     * {@code --json}, and the reading of the core's answer.
     */
    abstract static class Subcommand implements Callable<Integer>
    {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        KvCommand.Target target = new KvCommand.Target();

        @Option(names = "--json", description = "Print the core's JSON answer as it is, also when the core " +
            "refused (the exit code still says whether it was done).")
        boolean json;

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
            final String failure = failure(client, reply, change);
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

        long capId(final long capId)
        {
            Usage.check(spec, capId > 0, "CAP=" + capId + " is not a capability id: ids are positive (see mk caps list)");
            return capId;
        }

        int core(final String flag, final int core)
        {
            Usage.check(spec, core >= 0, flag + "=" + core + " is negative: cores are numbered from 0");
            return core;
        }

        /**
         * @param flag the option, as the user spells it.
         * @param text what the user gave: 4096, 64k, 1m.
         * @param min  smallest allowed, bytes.
         * @param max  largest allowed, bytes.
         * @return the size in bytes.
         */
        long size(final String flag, final String text, final long min, final long max)
        {
            Usage.check(spec, !text.trim().startsWith("-"), flag + "=" + text + " is negative: sizes are bytes, " +
                "e.g. 4096, 64k or 1m");
            final long bytes;
            try
            {
                bytes = Sizes.parse(flag, text);
            }
            catch (final IllegalArgumentException ex)
            {
                throw Usage.error(spec, ex.getMessage());
            }
            Usage.checkRange(spec, flag, bytes, min, max);
            return bytes;
        }
    }

    /**
     * @return null when the core did it; otherwise the sentence to fail with.
     */
    static String failure(final AdminClient client, final AdminClient.Reply reply, final boolean change)
    {
        final int status = reply.status();
        if (reply.body().has("outcome"))
        {
            final CapsApi.Outcome outcome = reply.as(CapsApi.Outcome.class);
            final String transaction = null == outcome.transaction() ? "" :
                " (transaction " + outcome.transaction() + ")";
            return switch (outcome.outcome())
            {
                case "committed", "done" -> 200 == status ? null : outcome.outcome() + " with HTTP " + status;
                case "aborted", "indefinite" -> outcome.outcome() + transaction + ": " + outcome.error();
                default -> "core " + client.coreId() + " refused: " + outcome.error();
            };
        }
        if (200 == status)
        {
            return null;
        }
        final String error = reply.error();
        if (change && status >= 500 && 503 != status)
        {
            return "indefinite (HTTP " + status + "): " + error + "; it may have committed: see mk caps list " +
                "before retrying";
        }
        return status >= 500 && 503 != status ? "core " + client.coreId() + " failed (HTTP " + status + "): " + error :
            "core " + client.coreId() + " refused: " + error;
    }
}
