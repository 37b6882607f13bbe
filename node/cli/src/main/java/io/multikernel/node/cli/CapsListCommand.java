package io.multikernel.node.cli;

import io.multikernel.node.caps.CapabilityAdmin;
import io.multikernel.node.caps.Rights;
import io.multikernel.node.util.Usage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.List;

/**
 * {@code mk caps list}: a core's replica of the capability database as a table, and
 * {@code mk caps identify}, one capability the core holds as a row of the same table.
 */
@Command(name = "list", mixinStandardHelpOptions = true,
    description = { "List the core's replica of the capability database: count, fingerprint, the core's memory " +
        "server and a table of capabilities.",
        "Every core's replica holds every capability, whichever core holds it; equal fingerprints mean equal " +
            "replicas.",
        CapsListCommand.COLUMNS },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = { CapsCommand.EXIT_DONE, CapsCommand.EXIT_NOT_DONE, CapsCommand.EXIT_BAD_USAGE })
final class CapsListCommand extends CapsCommand.Subcommand
{
    static final String COLUMNS = "Columns: CAP, OBJECT (the kernel object it refers to), TYPE, BASE (physical, hex), " +
        "LENGTH (bytes), RIGHTS (r read, w write, x execute, g grant, i identify), HOLDER (core), OWNER (core of the " +
        "object), PARENT (object retyped from, or the frame a mapping maps; - for RAM from a memory server), COPIES (of " +
        "the object), CHILDREN (objects retyped from it, and its MAPPINGs), USE (where a MAPPING maps, which domain a " +
        "VNODE is the page-table root of).";
    private static final String ROW = "%-15s %-15s %-7s %-12s %10s %-6s %6s %5s %-15s %6s %8s  %s";
    private static final String RIGHT_LETTERS = "rwxgi";

    @Option(names = "--holder", paramLabel = "CORE", description = "Only capabilities this core holds.")
    Integer holder;

    @Option(names = "--limit", defaultValue = "" + CapabilityAdmin.LIST_LIMIT_DEFAULT, paramLabel = "N",
        description = "Most capabilities listed (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() throws InterruptedException
    {
        Usage.checkRange(spec, "--limit", limit, 0, CapabilityAdmin.LIST_LIMIT_MAX);
        if (null != holder)
        {
            core("--holder", holder);
        }
        final AdminClient client = target.client(spec);
        inMap(client, "--holder", holder);
        final CapsApi.Listing listing = answer(client,
            client.get("/caps?limit=" + limit + (null == holder ? "" : "&holder=" + holder)), CapsApi.Listing.class,
            false);
        if (!json)
        {
            final PrintWriter out = out();
            out.println(header(listing));
            printTable(out, listing.capabilities());
            out.flush();
        }
        return 0;
    }

    private static String header(final CapsApi.Listing listing)
    {
        final CapsApi.MemoryServer memory = listing.memory();
        return "core " + listing.core() + ": " + listing.count() + (1 == listing.count() ? " capability" : " capabilities") +
            (listing.truncated() ? " (first " + listing.limit() + " listed)" : "") +
            ", fingerprint " + listing.fingerprint() + ", memory server " +
            (null == memory ? "none" : memory.used() + " bytes used, " + memory.free() + " free");
    }

    /** Prints the column heads and one row per capability; nothing when there are none. */
    static void printTable(final PrintWriter out, final List<CapsApi.Capability> capabilities)
    {
        if (capabilities.isEmpty())
        {
            return;
        }
        out.println(String.format(ROW, "CAP", "OBJECT", "TYPE", "BASE", "LENGTH", "RIGHTS", "HOLDER", "OWNER", "PARENT",
            "COPIES", "CHILDREN", "USE").stripTrailing());
        for (final CapsApi.Capability capability : capabilities)
        {
            out.println(String.format(ROW, capability.cap(), capability.object(), capability.type(),
                "0x" + Long.toHexString(capability.base()), capability.length(), rightLetters(capability.rights()),
                capability.holder(), capability.owner(), 0 == capability.parent() ? "-" : capability.parent(),
                capability.copies(), capability.children(), use(capability)).stripTrailing());
        }
    }

    /**
     * @return what uses the capability's object: a mapping's place, a root VNODE's domain, a leaf page
     *         table; empty for others.
     */
    private static String use(final CapsApi.Capability capability)
    {
        final CapsApi.Mapping mapping = capability.mapping();
        if (null != mapping)
        {
            return "maps " + mapping.vaddr() + " of domain " + mapping.domain() + " (mapping " + mapping.mapping() +
                ", frame " + mapping.frame() + ")";
        }
        final CapsApi.Leaf leaf = capability.leaf();
        if (null != leaf)
        {
            return (leaf.vnode() ? "leaf page table " : "RAM of leaf page table ") + leaf.leaf() + " of domain " +
                leaf.domain() + " (from " + leaf.vaddr() + ")";
        }
        return null == capability.root() ? "" : "root of domain " + capability.root();
    }

    /**
     * @param rights as the core writes them: {@code read,write}, {@code none}.
     * @return one letter per right, {@code -} where missing: {@code rw---}.
     */
    static String rightLetters(final String rights)
    {
        final int bits = Rights.parse(rights);
        final StringBuilder letters = new StringBuilder(RIGHT_LETTERS.length());
        for (int i = 0; i < RIGHT_LETTERS.length(); i++)
        {
            letters.append(0 != (bits & (1 << i)) ? RIGHT_LETTERS.charAt(i) : '-');
        }
        return letters.toString();
    }

    @Command(name = "identify", mixinStandardHelpOptions = true,
        description = { "Identify a capability the core holds (it needs the identify right): its object, type, " +
            "range, rights, holder and owner.",
            "Prints one row of the list table.", COLUMNS },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = { CapsCommand.EXIT_DONE, CapsCommand.EXIT_NOT_DONE, CapsCommand.EXIT_BAD_USAGE })
    static final class Identify extends CapsCommand.Subcommand
    {
        @Parameters(index = "0", paramLabel = "CAP", description = "The capability; held by --core.")
        long cap;

        @Override
        public Integer call() throws InterruptedException
        {
            capId(cap);
            final AdminClient client = target.client(spec);
            final CapsApi.Capability capability = answer(client,
                client.post("/caps/identify", new CapsApi.CapRequest(cap)), CapsApi.Capability.class, false);
            if (!json)
            {
                printTable(out(), List.of(capability));
                out().flush();
            }
            return 0;
        }
    }
}
