package io.multikernel.node.cli;

import io.multikernel.node.caps.CapabilityDatabase;
import io.multikernel.node.caps.Rights;
import io.multikernel.node.util.Usage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The {@code mk caps} subcommands that change the capability database: each is one transaction over
 * every core, answered with its outcome. Each prints {@code committed TXN: ...} with the capabilities
 * it made, and fails otherwise (see {@link CapsCommand}).
 */
final class CapsChangeCommands
{
    /** The types a retype makes; a MAPPING is made by map only. */
    static final List<String> RETYPE_TYPES = List.of("ram", "frame", "cnode", "vnode");

    private CapsChangeCommands()
    {
    }

    /** Sends one change and returns its committed outcome. */
    abstract static class Change extends CapsCommand.Subcommand
    {
        @Override
        public final Integer call() throws InterruptedException
        {
            final String path = validate();
            final AdminClient client = target.client(spec);
            checkCores(client);
            final CapsApi.Outcome outcome = answer(client, client.post(path, request()), CapsApi.Outcome.class, true);
            if (!json)
            {
                out().println("committed " + outcome.transaction() + ": " + describe(outcome.caps()));
                out().flush();
            }
            return 0;
        }

        /**
         * Checks the flags, before any request.
         *
         * @return the endpoint.
         */
        abstract String validate();

        /** Checks the cores the flags name against the map, before any request; most changes name none. */
        void checkCores(final AdminClient client)
        {
        }

        abstract Object request();

        /** @return what was done, given the capabilities the change made. */
        abstract String describe(List<Long> made);
    }

    @Command(name = "alloc", mixinStandardHelpOptions = true,
        description = { "Allocate RAM from the core's memory server: a new RAM capability, with every right, held " +
            "by that core.",
            "Prints: committed TXN: RAM capability CAP of BYTES bytes." },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = { CapsCommand.EXIT_DONE, CapsCommand.EXIT_NOT_DONE, CapsCommand.EXIT_BAD_USAGE })
    static final class Alloc extends Change
    {
        /** Memory is allocated in whole pages, bytes. */
        static final long ALLOC_UNIT_BYTES = 4096;

        @Option(names = "--bytes", required = true, paramLabel = "SIZE",
            description = "How much: a positive multiple of 4096 bytes, e.g. 4096, 64k or 1m.")
        String bytesText;

        private long bytes;

        @Override
        String validate()
        {
            bytes = size("--bytes", bytesText, 1, Long.MAX_VALUE);
            if (0 != bytes % ALLOC_UNIT_BYTES)
            {
                throw Usage.error(spec, "--bytes=" + bytesText + " is not a multiple of " + ALLOC_UNIT_BYTES +
                    " bytes (a page): e.g. " + (bytes / ALLOC_UNIT_BYTES * ALLOC_UNIT_BYTES > 0 ?
                    bytes / ALLOC_UNIT_BYTES * ALLOC_UNIT_BYTES : ALLOC_UNIT_BYTES));
            }
            return "/caps/alloc";
        }

        @Override
        Object request()
        {
            return new CapsApi.Allocation(bytes);
        }

        @Override
        String describe(final List<Long> made)
        {
            return "RAM capability " + ids(made) + " of " + bytes + " bytes";
        }
    }

    @Command(name = "retype", mixinStandardHelpOptions = true,
        description = { "Retype a held RAM or frame capability into COUNT new objects of a type, side by side from " +
            "an offset inside it.",
            "RAM retypes into ram, frame, cnode (exactly 16k) or vnode (exactly 4k); a frame into smaller frames. " +
                "The new capabilities keep the source's rights; the core refuses a range that overlaps a live " +
                "descendant (revoke first).",
            "Prints: committed TXN: COUNT TYPE capabilities of SIZE bytes: CAP..." },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = { CapsCommand.EXIT_DONE, CapsCommand.EXIT_NOT_DONE, CapsCommand.EXIT_BAD_USAGE })
    static final class Retype extends Change
    {
        @Parameters(index = "0", paramLabel = "CAP", description = "The capability to retype; held by --core.")
        long cap;

        @Option(names = "--type", required = true, paramLabel = "TYPE",
            description = "What to make: ram, frame, cnode or vnode.")
        String type;

        @Option(names = "--size", required = true, paramLabel = "SIZE",
            description = "Bytes of each new object: a multiple of 4096 (cnode: 16k, vnode: 4k).")
        String sizeText;

        @Option(names = "--offset", paramLabel = "OFFSET", defaultValue = "0",
            description = "Where in the source the first object starts, page-aligned (default: ${DEFAULT-VALUE}).")
        String offsetText;

        @Option(names = "--count", defaultValue = "1", paramLabel = "N",
            description = "How many objects, side by side (default: ${DEFAULT-VALUE}).")
        int count;

        private long objectSize;
        private long offset;
        private String typeName;

        @Override
        String validate()
        {
            capId(cap);
            typeName = type.trim().toLowerCase(Locale.ROOT);
            Usage.check(spec, RETYPE_TYPES.contains(typeName), "--type=" + type + " is not one of " +
                String.join(", ", RETYPE_TYPES));
            objectSize = size("--size", sizeText, 1, Long.MAX_VALUE);
            offset = size("--offset", offsetText, 0, Long.MAX_VALUE);
            Usage.check(spec, 0 == objectSize % Alloc.ALLOC_UNIT_BYTES, "--size=" + sizeText + " is not a multiple of " +
                Alloc.ALLOC_UNIT_BYTES + " bytes (a page): objects are whole pages");
            Usage.check(spec, 0 == offset % Alloc.ALLOC_UNIT_BYTES, "--offset=" + offsetText + " is not page-aligned " +
                "(a multiple of " + Alloc.ALLOC_UNIT_BYTES + " bytes)");
            Usage.checkRange(spec, "--count", count, 1, CapabilityDatabase.RETYPE_COUNT_MAX);
            return "/caps/retype";
        }

        @Override
        Object request()
        {
            return new CapsApi.RetypeRequest(cap, typeName, objectSize, offset, count);
        }

        @Override
        String describe(final List<Long> made)
        {
            return made.size() + " " + typeName.toUpperCase(Locale.ROOT) +
                (1 == made.size() ? " capability" : " capabilities") + " of " + objectSize + " bytes: " + ids(made);
        }
    }

    @Command(name = "copy", mixinStandardHelpOptions = true,
        description = { "Copy a held capability to a core, with the same rights (another core needs the grant " +
            "right).",
            "Prints: committed TXN: capability NEW on core CORE, a copy of CAP." },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = { CapsCommand.EXIT_DONE, CapsCommand.EXIT_NOT_DONE, CapsCommand.EXIT_BAD_USAGE })
    static final class Copy extends Change
    {
        @Parameters(index = "0", paramLabel = "CAP", description = "The capability to copy; held by --core.")
        long cap;

        @Option(names = "--to", required = true, paramLabel = "CORE", description = "The core that gets the copy.")
        int to;

        @Override
        String validate()
        {
            capId(cap);
            core("--to", to);
            return "/caps/copy";
        }

        @Override
        void checkCores(final AdminClient client)
        {
            inMap(client, "--to", to);
        }

        @Override
        Object request()
        {
            return new CapsApi.CopyRequest(cap, to);
        }

        @Override
        String describe(final List<Long> made)
        {
            return "capability " + ids(made) + " on core " + to + ", a copy of " + cap;
        }
    }

    @Command(name = "mint", mixinStandardHelpOptions = true,
        description = { "Copy a held capability with fewer rights: the new one has the source's rights that " +
            "--rights names.",
            "Rights: read, write, execute, grant, identify; or all, none. Another core needs the grant right.",
            "Prints: committed TXN: capability NEW on core CORE with rights RIGHTS, minted from CAP." },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = { CapsCommand.EXIT_DONE, CapsCommand.EXIT_NOT_DONE, CapsCommand.EXIT_BAD_USAGE })
    static final class Mint extends Change
    {
        @Parameters(index = "0", paramLabel = "CAP", description = "The capability to mint from; held by --core.")
        long cap;

        @Option(names = "--to", paramLabel = "CORE", description = "The core that gets it (default: --core).")
        Integer to;

        @Option(names = "--rights", required = true, paramLabel = "RIGHTS",
            description = "Comma-separated rights to keep, e.g. read,write; or all, none.")
        String rightsText;

        private String rights;

        @Override
        void checkCores(final AdminClient client)
        {
            inMap(client, "--to", to);
        }

        @Override
        String validate()
        {
            capId(cap);
            if (null != to)
            {
                core("--to", to);
            }
            if (rightsText.isBlank())
            {
                throw Usage.error(spec, "--rights is empty: name the rights to keep (e.g. read,write), or none");
            }
            try
            {
                rights = Rights.format(Rights.parse(rightsText));
            }
            catch (final IllegalArgumentException ex)
            {
                throw Usage.error(spec, "--rights=" + rightsText + " is not valid: " + ex.getMessage());
            }
            return "/caps/mint";
        }

        @Override
        Object request()
        {
            return new CapsApi.MintRequest(cap, to, rights);
        }

        @Override
        String describe(final List<Long> made)
        {
            // The new capability has the source's rights that --rights names, not more: say so, not
            // the rights asked for as if it had them all (mk caps list shows what it has).
            return "capability " + ids(made) + " on core " + (null == to ? target.core : to) + ", minted from " + cap +
                " with " + ("none".equals(rights) ? "no rights" : "those of the rights " + rights + " that it holds");
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
        description = { "Delete a held capability; deleting the last copy of an object destroys it and gives RAM " +
            "back to its memory server.",
            "The last copy of an object with live descendants is refused: revoke it first." },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = { CapsCommand.EXIT_DONE, CapsCommand.EXIT_NOT_DONE, CapsCommand.EXIT_BAD_USAGE })
    static final class Delete extends Change
    {
        @Parameters(index = "0", paramLabel = "CAP", description = "The capability to delete; held by --core.")
        long cap;

        @Override
        String validate()
        {
            capId(cap);
            return "/caps/delete";
        }

        @Override
        Object request()
        {
            return new CapsApi.CapRequest(cap);
        }

        @Override
        String describe(final List<Long> made)
        {
            return "capability " + cap + " deleted";
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
        description = { "Revoke a held capability: every other copy of its object and every descendant, on every " +
            "core, go; CAP stays.",
            "Mappings into its range are unmapped in the same transaction, and the revoke returns after their TLB " +
            "shootdowns; a domain's root VNODE is refused (destroy the domain first)." },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = { CapsCommand.EXIT_DONE, CapsCommand.EXIT_NOT_DONE, CapsCommand.EXIT_BAD_USAGE })
    static final class Revoke extends Change
    {
        @Parameters(index = "0", paramLabel = "CAP", description = "The capability to revoke; held by --core.")
        long cap;

        @Override
        String validate()
        {
            capId(cap);
            return "/caps/revoke";
        }

        @Override
        Object request()
        {
            return new CapsApi.CapRequest(cap);
        }

        @Override
        String describe(final List<Long> made)
        {
            return "every other copy and every descendant of capability " + cap + " revoked, and every mapping into " +
                "its range unmapped";
        }
    }

    static String ids(final List<Long> ids)
    {
        return ids.stream().map(String::valueOf).collect(Collectors.joining(" "));
    }
}
