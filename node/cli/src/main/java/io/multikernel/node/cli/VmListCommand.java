package io.multikernel.node.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code mk vm list}: the domains a core runs as a table, with its TLB's counters; with
 * {@code --domain}, one domain and its mappings.
 */
@Command(name = "list", mixinStandardHelpOptions = true,
    description = { "List the domains the core runs: a table of domains and the core's TLB counters, or with " +
        "--domain one domain and its mappings.",
        "Each core holds a replica of the domains it runs only; equal fingerprints on the domain's cores mean " +
            "equal page tables.",
        VmListCommand.COLUMNS },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = { VmCommand.EXIT_DONE, VmCommand.EXIT_NOT_DONE, VmCommand.EXIT_BAD_USAGE })
final class VmListCommand extends VmCommand.Subcommand
{
    static final String COLUMNS = "Columns: DOMAIN, CORES (that run it), MAPPINGS, LEAVES (leaf page tables), VERSION " +
        "(changes applied), FINGERPRINT (first 16 hex digits); for mappings MAPPING, VADDR (hex), LENGTH (bytes), " +
        "FRAME (capability), OFFSET (into the frame, bytes), RIGHTS (r read, w write, x execute); for leaf page " +
        "tables LEAF, VADDR (hex, where its range starts), VNODE (its capability), PAGES (mapped in it).";
    /** FINGERPRINT_PREFIX_CHARS: hex digits of a fingerprint the table shows. */
    static final int FINGERPRINT_PREFIX_CHARS = 16;
    private static final String DOMAIN_ROW = "%-15s %-12s %8s %6s %7s %s";
    private static final String LEAF_ROW = "%-8s %-14s %-15s %s";
    private static final String MAPPING_ROW = "%-15s %-14s %10s %-15s %10s %s";
    private static final String RIGHT_LETTERS = "rwx";

    @Option(names = "--domain", paramLabel = "DOMAIN", description = "Only this domain, with its mappings.")
    Long domain;

    @Override
    public Integer call() throws InterruptedException
    {
        if (null != domain)
        {
            domainId(domain);
        }
        final AdminClient client = target.client(spec);
        if (null != domain)
        {
            final VmApi.Domain one;
            try
            {
                one = answer(client, client.get("/domains/" + domain), VmApi.Domain.class, false);
            }
            catch (final IllegalStateException ex)
            {
                // The core's sentence points at its HTTP API; here the command that lists them is the one to name.
                throw new IllegalStateException(ex.getMessage().replace("GET /domains lists the domains it runs",
                    "'mk vm list --core " + client.coreId() + "' lists the domains it runs"), ex);
            }
            if (!json)
            {
                final PrintWriter out = out();
                printDomains(out, List.of(one));
                out.println();
                printMappings(out, one.mappings());
                out.println();
                printLeaves(out, one.leaves());
                out.flush();
            }
            return 0;
        }
        final VmApi.Listing listing = answer(client, client.get("/domains"), VmApi.Listing.class, false);
        if (!json)
        {
            final PrintWriter out = out();
            out.println(header(listing));
            printDomains(out, listing.domains());
            out.flush();
        }
        return 0;
    }

    private static String header(final VmApi.Listing listing)
    {
        final VmApi.Tlb tlb = listing.tlb();
        return "core " + listing.core() + ": " + listing.count() + (1 == listing.count() ? " domain" : " domains") +
            "; TLB " + tlb.entries() + " entries, " + tlb.hits() + " hits, " + tlb.misses() + " misses, " +
            tlb.invalidations() + " invalidations; shootdowns by " + listing.protocol() + " unless a change names one";
    }

    /** Prints the column heads and one row per domain; nothing when there are none. */
    static void printDomains(final PrintWriter out, final List<VmApi.Domain> domains)
    {
        if (domains.isEmpty())
        {
            return;
        }
        out.println(String.format(DOMAIN_ROW, "DOMAIN", "CORES", "MAPPINGS", "LEAVES", "VERSION", "FINGERPRINT")
            .stripTrailing());
        for (final VmApi.Domain domain : domains)
        {
            final String fingerprint = domain.fingerprint();
            out.println(String.format(DOMAIN_ROW, domain.domain(),
                domain.cores().stream().map(String::valueOf).collect(Collectors.joining(",")), domain.mappings().size(),
                domain.leaves().size(), domain.version(),
                fingerprint.substring(0, Math.min(FINGERPRINT_PREFIX_CHARS, fingerprint.length())))
                .stripTrailing());
        }
    }

    /** Prints the column heads and one row per mapping, or that there are none. */
    static void printMappings(final PrintWriter out, final List<VmApi.Mapping> mappings)
    {
        if (mappings.isEmpty())
        {
            out.println("no mappings");
            return;
        }
        out.println(String.format(MAPPING_ROW, "MAPPING", "VADDR", "LENGTH", "FRAME", "OFFSET", "RIGHTS").stripTrailing());
        for (final VmApi.Mapping mapping : mappings)
        {
            out.println(String.format(MAPPING_ROW, mapping.mapping(), VmCommand.hex(mapping.vaddr()), mapping.length(),
                mapping.frame(), mapping.frameOffset(), rightLetters(mapping.rights())).stripTrailing());
        }
    }

    /** Prints the page table's leaf tables under its root, one row each, or that there are none. */
    static void printLeaves(final PrintWriter out, final List<VmApi.Leaf> leaves)
    {
        if (leaves.isEmpty())
        {
            out.println("no leaf page tables");
            return;
        }
        out.println(String.format(LEAF_ROW, "LEAF", "VADDR", "VNODE", "PAGES").stripTrailing());
        for (final VmApi.Leaf leaf : leaves)
        {
            out.println(String.format(LEAF_ROW, leaf.leaf(), VmCommand.hex(leaf.vaddr()), leaf.vnode(), leaf.pages())
                .stripTrailing());
        }
    }

    /** @return {@code rw-} for {@code read,write}. */
    static String rightLetters(final String rights)
    {
        final int bits = io.multikernel.node.caps.Rights.parse(rights);
        final StringBuilder letters = new StringBuilder(RIGHT_LETTERS.length());
        for (int i = 0; i < RIGHT_LETTERS.length(); i++)
        {
            letters.append(0 != (bits & (1 << i)) ? RIGHT_LETTERS.charAt(i) : '-');
        }
        return letters.toString();
    }
}
