package io.multikernel.node.cli;

import io.multikernel.node.skb.RoutingProtocol;
import io.multikernel.node.util.Usage;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.Locale;

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
        "Addresses take hex (0x400000) or a size (4m); sizes take a k, m or g suffix (4096, 64k, 1m), or hex (0x1000)." },
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
    abstract static class Subcommand extends AdminSubcommand
    {
        @Override
        String listCommand()
        {
            return "mk vm list";
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

        /**
         * @return {@code value}, which a page-granular flag gave; a usage error when it is not a multiple
         *         of the page size (the core would refuse it).
         */
        long pageMultiple(final String flag, final String text, final long value)
        {
            final long page = io.multikernel.node.vm.VmService.PAGE_BYTES;
            Usage.check(spec, 0 == value % page, flag + "=" + text + " is not a multiple of the page size " + page +
                " (0x" + Long.toHexString(page) + ")");
            return value;
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
