package io.multikernel.node.cli;

import io.multikernel.common.Sizes;
import io.multikernel.node.skb.RoutingProtocol;
import io.multikernel.node.util.Usage;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code mk vm}: address spaces through one core's admin API. A change of a domain is one 2PC
 * transaction with the domain's cores as participants, coordinated by the core that takes the
 * request, which must run the domain; an unmap, a protect that drops a right, a shrink and a destroy
 * are answered only after a TLB shootdown, whose protocol and time the command prints.
 *
 * <p>Outcomes are read as {@code mk caps} reads them: exit code 0 only when the change committed
 * (or the load or store was done); otherwise exit code 1 and one line that keeps the definite
 * ({@code core N refused: ...}, {@code aborted (transaction T): ...}: nothing changed) apart from
 * the indefinite ({@code indefinite ...: it may have committed}). Bad flags and values are refused
 * before any request, with exit code 2.
 */
@Command(name = "vm", mixinStandardHelpOptions = true,
    description = { "Address spaces: create domains, map frames into them, unmap, protect, span, shrink and " +
        "destroy them, and load and store through them, via one core's admin API.",
        "A change is one two-phase-commit transaction over the domain's cores, coordinated by --core, which must " +
            "run the domain. Changes that take a translation away finish with a TLB shootdown.",
        "Addresses take hex (0x400000) or a size (4m); sizes take a k, m or g suffix (4096, 64k, 1m)." },
    subcommands = { VmListCommand.class, VmChangeCommands.Create.class, VmChangeCommands.Map.class,
        VmChangeCommands.Unmap.class, VmChangeCommands.Protect.class, VmChangeCommands.Span.class,
        VmChangeCommands.Shrink.class, VmChangeCommands.Destroy.class, VmAccessCommands.Load.class,
        VmAccessCommands.Store.class },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = { VmCommand.EXIT_DONE, VmCommand.EXIT_NOT_DONE, VmCommand.EXIT_BAD_USAGE })
final class VmCommand implements Runnable
{
    static final String EXIT_DONE = "0:done: the change committed on the domain's cores (after its shootdown), " +
        "or the load or store was done";
    static final String EXIT_NOT_DONE = "1:not done: refused, aborted or a fault (nothing changed), or indefinite " +
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
     * What every {@code mk vm} subcommand has: the core to ask ({@code --core}, {@code --run-dir}),
     * {@code --json}, the reading of the core's answer, and the parsing of ids, addresses and sizes.
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
         * @return the answer, when done; printed as it is first with {@code --json}.
         * @throws IllegalStateException with one sentence when not done (after printing it with {@code --json}).
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

        long domainId(final long domain)
        {
            Usage.check(spec, domain > 0, "DOMAIN=" + domain + " is not a domain id: ids are positive (see mk vm list)");
            return domain;
        }

        long capId(final String flag, final long capId)
        {
            Usage.check(spec, capId > 0, flag + "=" + capId + " is not a capability id: ids are positive " +
                "(see mk caps list)");
            return capId;
        }

        int core(final String flag, final int core)
        {
            Usage.check(spec, core >= 0, flag + "=" + core + " is negative: cores are numbered from 0");
            return core;
        }

        /** @return bytes from {@code 4096}, {@code 64k}, {@code 1m}, within {@code min..max}. */
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

        /** @return a virtual address from hex ({@code 0x400000}) or a size ({@code 4m}). */
        long address(final String flag, final String text)
        {
            final String trimmed = text.trim().toLowerCase(Locale.ROOT);
            if (!trimmed.startsWith("0x"))
            {
                return size(flag, text, 0, Long.MAX_VALUE);
            }
            try
            {
                final long address = Long.parseLong(trimmed.substring(2).replace("_", ""), 16);
                Usage.check(spec, address >= 0, flag + "=" + text + " is negative");
                return address;
            }
            catch (final NumberFormatException ex)
            {
                throw Usage.error(spec, flag + "=" + text + " is not an address: give hex (0x400000) or a size " +
                    "(4m, 4194304)");
            }
        }

        /** @return the protocol's name as the core takes it, or null for the core's default. */
        String protocol(final String text)
        {
            if (null == text)
            {
                return null;
            }
            try
            {
                return RoutingProtocol.fromCliName(text.trim()).cliName();
            }
            catch (final IllegalArgumentException ex)
            {
                throw Usage.error(spec, "--protocol=" + text + " is not one of unicast, broadcast, multicast, topo");
            }
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
            final VmApi.Outcome outcome = reply.as(VmApi.Outcome.class);
            final String transaction = null == outcome.transaction() ? "" :
                " (transaction " + outcome.transaction() + ")";
            return switch (outcome.outcome())
            {
                case "committed", "done" -> 200 == status ? null : outcome.outcome() + " with HTTP " + status;
                case "aborted", "indefinite" -> outcome.outcome() + transaction + ": " + outcome.error();
                case "fault" -> "fault on core " + client.coreId() + ": " + outcome.error();
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
            return "indefinite (HTTP " + status + "): " + error + "; it may have committed: see mk vm list " +
                "before retrying";
        }
        return status >= 500 && 503 != status ? "core " + client.coreId() + " failed (HTTP " + status + "): " + error :
            "core " + client.coreId() + " refused: " + error;
    }

    /** @return {@code 0x400000}. */
    static String hex(final long address)
    {
        return "0x" + Long.toHexString(address);
    }

    /** @return {@code ; shootdown by multicast in 12 us}, or nothing when the change needed none. */
    static String shootdown(final VmApi.Outcome outcome)
    {
        return null == outcome.protocol() ? "; no shootdown needed" : "; shootdown by " + outcome.protocol() + " in " +
            (null == outcome.shootdownUs() ? "?" : outcome.shootdownUs()) + " us";
    }
}
