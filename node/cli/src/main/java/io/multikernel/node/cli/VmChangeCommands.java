package io.multikernel.node.cli;

import io.multikernel.node.caps.Rights;
import io.multikernel.node.util.Usage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The {@code mk vm} subcommands that change a domain: each is one transaction over the domain's
 * cores, answered with its outcome (after the TLB shootdown when it takes a translation away). Each
 * prints {@code committed TXN: ...} and fails otherwise (see {@link VmCommand}).
 */
final class VmChangeCommands
{
    /** The rights a mapping may have. */
    private static final int MAPPING_RIGHTS = Rights.READ | Rights.WRITE | Rights.EXECUTE;
    private static final String PROTOCOL_HELP = "How the TLB shootdown reaches the domain's other cores: unicast, " +
        "broadcast, multicast or topo (default: the core's, see mk vm list).";

    private VmChangeCommands()
    {
    }

    /** Sends one change and prints its committed outcome. */
    abstract static class Change extends VmCommand.Subcommand
    {
        @Override
        public final Integer call() throws InterruptedException
        {
            final String path = validate();
            final AdminClient client = target.client(spec);
            checkCores(client);
            final VmApi.Outcome outcome = answer(client, client.post(path, request()), VmApi.Outcome.class, true);
            if (!json)
            {
                out().println("committed " + outcome.transaction() + ": " + describe(outcome));
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

        /**
         * Checks the cores the flags name against the map, before any request. Not --from of shrink: a
         * domain written before its cores were checked may name a core the map lost, and shrink takes it out.
         */
        void checkCores(final AdminClient client)
        {
        }

        abstract Object request();

        /** @return what was done. */
        abstract String describe(VmApi.Outcome outcome);

        String rights(final String text)
        {
            final int bits;
            try
            {
                bits = Rights.parse(text);
            }
            catch (final IllegalArgumentException ex)
            {
                throw Usage.error(spec, "--rights=" + text + " is not valid: " + ex.getMessage());
            }
            Usage.check(spec, (bits & ~MAPPING_RIGHTS) == 0, "--rights=" + text + " is not valid: a mapping has " +
                "read, write and execute only");
            Usage.check(spec, 0 != bits, "--rights=" + text + " leaves a mapping no access: give read, write or " +
                "execute (unmap takes all access away)");
            return Rights.format(bits);
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
        description = { "Create a domain run by --cores (--core among them) whose page-table root is a VNODE " +
            "capability --core holds.",
            "Prints: committed TXN: domain DOMAIN on cores CORES." },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = { VmCommand.EXIT_DONE, VmCommand.EXIT_NOT_DONE, VmCommand.EXIT_BAD_USAGE })
    static final class Create extends Change
    {
        @Option(names = "--root", required = true, paramLabel = "CAP",
            description = "A VNODE capability held by --core (mk caps retype RAM --type vnode --size 4k).")
        long root;

        @Option(names = "--cores", required = true, split = ",", paramLabel = "CORE",
            description = "The cores that run the domain, comma-separated, e.g. 0,1,2.")
        List<Integer> cores;

        private List<Integer> sorted;

        @Override
        String validate()
        {
            capId("--root", root);
            for (final int core : cores)
            {
                core("--cores", core);
            }
            sorted = List.copyOf(new TreeSet<>(cores));
            Usage.check(spec, sorted.size() == cores.size(), "--cores=" + cores.stream().map(String::valueOf)
                .collect(Collectors.joining(",")) + " names a core twice");
            return "/domains/create";
        }

        @Override
        void checkCores(final AdminClient client)
        {
            cores.forEach(core -> inMap(client, "--cores", core));
        }

        @Override
        Object request()
        {
            return new VmApi.CreateRequest(root, sorted);
        }

        @Override
        String describe(final VmApi.Outcome outcome)
        {
            return "domain " + outcome.id() + " on cores " + sorted.stream().map(String::valueOf)
                .collect(Collectors.joining(","));
        }
    }

    @Command(name = "map", mixinStandardHelpOptions = true,
        description = { "Map --length bytes of a frame capability --core holds, from --offset, at --vaddr of a " +
            "domain; all page-aligned.",
            "Rights: read, write, execute, within the frame capability's.",
            "Prints: committed TXN: mapping MAPPING: LENGTH bytes of frame CAP at VADDR of domain DOMAIN, RIGHTS." },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = { VmCommand.EXIT_DONE, VmCommand.EXIT_NOT_DONE, VmCommand.EXIT_BAD_USAGE })
    static final class Map extends Change
    {
        @Parameters(index = "0", paramLabel = "DOMAIN", description = "The domain; run by --core.")
        long domain;

        @Option(names = "--vaddr", required = true, paramLabel = "ADDRESS",
            description = "Where in the address space, page-aligned: hex (0x400000) or a size (4m).")
        String vaddrText;

        @Option(names = "--frame", required = true, paramLabel = "CAP", description = "A frame capability; held by --core.")
        long frame;

        @Option(names = "--offset", defaultValue = "0", paramLabel = "OFFSET",
            description = "Where in the frame the mapping starts, page-aligned (default: ${DEFAULT-VALUE}).")
        String offsetText;

        @Option(names = "--length", required = true, paramLabel = "SIZE",
            description = "How many bytes: a positive multiple of 4096, e.g. 4k or 1m.")
        String lengthText;

        @Option(names = "--rights", defaultValue = "read,write", paramLabel = "RIGHTS",
            description = "Comma-separated: read, write, execute (default: ${DEFAULT-VALUE}).")
        String rightsText;

        private long vaddr;
        private long offset;
        private long length;
        private String rights;

        @Override
        String validate()
        {
            domainId(domain);
            vaddr = pageMultiple("--vaddr", vaddrText, address("--vaddr", vaddrText));
            capId("--frame", frame);
            offset = pageMultiple("--offset", offsetText, size("--offset", offsetText, 0, Long.MAX_VALUE));
            length = pageMultiple("--length", lengthText, size("--length", lengthText, 1, Long.MAX_VALUE));
            rights = rights(rightsText);
            return "/domains/map";
        }

        @Override
        Object request()
        {
            return new VmApi.MapRequest(domain, vaddr, frame, offset, length, rights);
        }

        @Override
        String describe(final VmApi.Outcome outcome)
        {
            return "mapping " + outcome.id() + ": " + length + " bytes of frame " + frame +
                (0 == offset ? "" : " from offset " + offset) + " at " + VmCommand.hex(vaddr) + " of domain " + domain +
                ", " + rights;
        }
    }

    /** What unmap and protect share: a domain and a page-aligned range. */
    abstract static class RangeChange extends Change
    {
        @Parameters(index = "0", paramLabel = "DOMAIN", description = "The domain; run by --core.")
        long domain;

        @Option(names = "--vaddr", required = true, paramLabel = "ADDRESS",
            description = "Where the range starts, page-aligned: hex (0x400000) or a size (4m).")
        String vaddrText;

        @Option(names = "--length", required = true, paramLabel = "SIZE",
            description = "How many bytes: a positive multiple of 4096, whole mappings.")
        String lengthText;

        @Option(names = "--protocol", paramLabel = "PROTOCOL", description = PROTOCOL_HELP)
        String protocolText;

        long vaddr;
        long length;
        String protocol;

        void validateRange()
        {
            domainId(domain);
            vaddr = pageMultiple("--vaddr", vaddrText, address("--vaddr", vaddrText));
            length = pageMultiple("--length", lengthText, size("--length", lengthText, 1, Long.MAX_VALUE));
            protocol = protocol(protocolText);
        }

        String range()
        {
            return VmCommand.hex(vaddr) + ".." + VmCommand.hex(vaddr + length) + " of domain " + domain;
        }
    }

    @Command(name = "unmap", mixinStandardHelpOptions = true,
        description = { "Unmap every mapping in a range of a domain; answered after every core of the domain has " +
            "dropped its TLB entries of the range (the shootdown).",
            "Prints: committed TXN: unmapped VADDR..END of domain DOMAIN; shootdown by PROTOCOL in N us." },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = { VmCommand.EXIT_DONE, VmCommand.EXIT_NOT_DONE, VmCommand.EXIT_BAD_USAGE })
    static final class Unmap extends RangeChange
    {
        @Override
        String validate()
        {
            validateRange();
            return "/domains/unmap";
        }

        @Override
        Object request()
        {
            return new VmApi.UnmapRequest(domain, vaddr, length, protocol);
        }

        @Override
        String describe(final VmApi.Outcome outcome)
        {
            return "unmapped " + range() + VmCommand.shootdown(outcome);
        }
    }

    @Command(name = "protect", mixinStandardHelpOptions = true,
        description = { "Set the rights of every mapping in a range of a domain; a protect that drops a right is " +
            "answered after the TLB shootdown.",
            "Prints: committed TXN: VADDR..END of domain DOMAIN now RIGHTS; shootdown by PROTOCOL in N us." },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = { VmCommand.EXIT_DONE, VmCommand.EXIT_NOT_DONE, VmCommand.EXIT_BAD_USAGE })
    static final class Protect extends RangeChange
    {
        @Option(names = "--rights", required = true, paramLabel = "RIGHTS",
            description = "The new rights, comma-separated: at least one of read, write and execute (unmap takes " +
                "all access away).")
        String rightsText;

        private String rights;

        @Override
        String validate()
        {
            validateRange();
            rights = rights(rightsText);
            return "/domains/protect";
        }

        @Override
        Object request()
        {
            return new VmApi.ProtectRequest(domain, vaddr, length, rights, protocol);
        }

        @Override
        String describe(final VmApi.Outcome outcome)
        {
            return range() + " now " + rights + VmCommand.shootdown(outcome);
        }
    }

    @Command(name = "span", mixinStandardHelpOptions = true,
        description = { "Add a core to a domain: its page table reaches that core inside the transaction.",
            "Prints: committed TXN: domain DOMAIN now runs on core CORE too." },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = { VmCommand.EXIT_DONE, VmCommand.EXIT_NOT_DONE, VmCommand.EXIT_BAD_USAGE })
    static final class Span extends Change
    {
        @Parameters(index = "0", paramLabel = "DOMAIN", description = "The domain; run by --core.")
        long domain;

        @Option(names = "--to", required = true, paramLabel = "CORE", description = "The core that joins the domain.")
        int to;

        @Override
        String validate()
        {
            domainId(domain);
            core("--to", to);
            return "/domains/span";
        }

        @Override
        void checkCores(final AdminClient client)
        {
            inMap(client, "--to", to);
        }

        @Override
        Object request()
        {
            return new VmApi.SpanRequest(domain, to);
        }

        @Override
        String describe(final VmApi.Outcome outcome)
        {
            return "domain " + domain + " now runs on core " + to + " too";
        }
    }

    @Command(name = "shrink", mixinStandardHelpOptions = true,
        description = { "Remove a core from a domain: answered once that core has dropped the domain's TLB entries.",
            "Prints: committed TXN: domain DOMAIN left core CORE; shootdown by PROTOCOL in N us." },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = { VmCommand.EXIT_DONE, VmCommand.EXIT_NOT_DONE, VmCommand.EXIT_BAD_USAGE })
    static final class Shrink extends Change
    {
        @Parameters(index = "0", paramLabel = "DOMAIN", description = "The domain; run by --core.")
        long domain;

        @Option(names = "--from", required = true, paramLabel = "CORE", description = "The core that leaves the domain.")
        int from;

        @Option(names = "--protocol", paramLabel = "PROTOCOL", description = PROTOCOL_HELP)
        String protocolText;

        private String protocol;

        @Override
        String validate()
        {
            domainId(domain);
            core("--from", from);
            protocol = protocol(protocolText);
            return "/domains/shrink";
        }

        @Override
        Object request()
        {
            return new VmApi.ShrinkRequest(domain, from, protocol);
        }

        @Override
        String describe(final VmApi.Outcome outcome)
        {
            return "domain " + domain + " left core " + from + VmCommand.shootdown(outcome);
        }
    }

    @Command(name = "destroy", mixinStandardHelpOptions = true,
        description = { "Destroy a domain: answered once every core of it has dropped its TLB entries.",
            "Prints: committed TXN: domain DOMAIN destroyed; shootdown by PROTOCOL in N us." },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = { VmCommand.EXIT_DONE, VmCommand.EXIT_NOT_DONE, VmCommand.EXIT_BAD_USAGE })
    static final class Destroy extends Change
    {
        @Parameters(index = "0", paramLabel = "DOMAIN", description = "The domain; run by --core.")
        long domain;

        @Option(names = "--protocol", paramLabel = "PROTOCOL", description = PROTOCOL_HELP)
        String protocolText;

        private String protocol;

        @Override
        String validate()
        {
            domainId(domain);
            protocol = protocol(protocolText);
            return "/domains/destroy";
        }

        @Override
        Object request()
        {
            return new VmApi.DestroyRequest(domain, protocol);
        }

        @Override
        String describe(final VmApi.Outcome outcome)
        {
            return "domain " + domain + " destroyed" + VmCommand.shootdown(outcome);
        }
    }
}
