package io.multikernel.node.cli;

import io.multikernel.node.vm.VmService;
import io.multikernel.node.util.Usage;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;

/**
 * {@code mk vm load} and {@code mk vm store}: bytes at a virtual address of a domain, translated
 * through the core's TLB to a frame (on any host). A missing mapping, or one without the right, is a
 * fault: exit code 1 with the core's sentence.
 */
final class VmAccessCommands
{
    /** Longest hex shown back in an error. */
    private static final int ECHO_LENGTH_MAX_CHARS = 40;

    private VmAccessCommands()
    {
    }

    @Command(name = "load", mixinStandardHelpOptions = true,
        description = { "Load bytes at a virtual address of a domain the core runs (the mapping needs the read " +
            "right) and print them as a hex dump, or write them to a file with --out.",
            "With --json the core's answer is printed as it is: the bytes in base64." },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = { VmCommand.EXIT_DONE, VmCommand.EXIT_NOT_DONE, VmCommand.EXIT_BAD_USAGE })
    static final class Load extends VmCommand.Subcommand
    {
        @Parameters(index = "0", paramLabel = "DOMAIN", description = "The domain; run by --core.")
        long domain;

        @Option(names = "--vaddr", required = true, paramLabel = "ADDRESS",
            description = "Where to start: hex (0x400000) or a size (4m).")
        String vaddrText;

        @Option(names = "--length", required = true, paramLabel = "SIZE", description = "How many bytes: 1 to 32k, " +
            "inside one mapping.")
        String lengthText;

        @Option(names = "--out", paramLabel = "FILE", description = "Write the bytes to this file instead of printing " +
            "a hex dump.")
        Path outFile;

        @Override
        public Integer call() throws InterruptedException
        {
            domainId(domain);
            final long vaddr = address("--vaddr", vaddrText);
            final int length = (int)size("--length", lengthText, 1, VmService.IO_LENGTH_MAX_BYTES);
            Usage.check(spec, !(null != outFile && json), "--out and --json: choose one");
            Usage.checkOutputFile(spec, "--out", outFile);
            final AdminClient client = target.client(spec);
            final VmApi.Access data = answer(client,
                client.post("/domains/load", new VmApi.LoadRequest(domain, vaddr, length)), VmApi.Access.class, false);
            if (json)
            {
                return 0;
            }
            final byte[] bytes = bytes(client, data);
            if (null != outFile)
            {
                try
                {
                    Files.write(outFile, bytes);
                }
                catch (final IOException ex)
                {
                    throw new IllegalStateException("--out=" + outFile + " cannot be written (" +
                        ex.getClass().getSimpleName() + (null == ex.getMessage() ? "" : ": " + ex.getMessage()) + ")", ex);
                }
                out().println("loaded " + bytes.length + (1 == bytes.length ? " byte" : " bytes") + " at " +
                    VmCommand.hex(vaddr) + " of domain " + domain + " into " + outFile);
            }
            else
            {
                out().print(HexDump.lines(vaddr, bytes));
            }
            out().flush();
            return 0;
        }

        private static byte[] bytes(final AdminClient client, final VmApi.Access data)
        {
            if (null == data.base64())
            {
                throw new IllegalArgumentException("core " + client.coreId() + "'s answer to POST /domains/load " +
                    "is not valid: field 'base64' is missing");
            }
            try
            {
                return Base64.getDecoder().decode(data.base64());
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalArgumentException("core " + client.coreId() + "'s answer to POST /domains/load " +
                    "is not valid: field 'base64': " + ex.getMessage(), ex);
            }
        }
    }

    @Command(name = "store", mixinStandardHelpOptions = true,
        description = { "Store bytes at a virtual address of a domain the core runs (the mapping needs the write " +
            "right): text, hex or a file's contents.",
            "At most 32k bytes, inside one mapping; prints: stored N bytes at VADDR of domain DOMAIN." },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = { VmCommand.EXIT_DONE, VmCommand.EXIT_NOT_DONE, VmCommand.EXIT_BAD_USAGE })
    static final class Store extends VmCommand.Subcommand
    {
        @Parameters(index = "0", paramLabel = "DOMAIN", description = "The domain; run by --core.")
        long domain;

        @Option(names = "--vaddr", required = true, paramLabel = "ADDRESS",
            description = "Where to start: hex (0x400000) or a size (4m).")
        String vaddrText;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Source source;

        /** Exactly one of the three. */
        static final class Source
        {
            @Option(names = "--text", paramLabel = "STRING", description = "These characters, as UTF-8.")
            String text;

            @Option(names = "--hex", paramLabel = "HEX", description = "These bytes: two hex digits each, e.g. " +
                "48690a (spaces allowed).")
            String hex;

            @Option(names = "--in", paramLabel = "FILE", description = "This file's contents.")
            Path file;
        }

        @Override
        public Integer call() throws InterruptedException
        {
            domainId(domain);
            final long vaddr = address("--vaddr", vaddrText);
            final byte[] bytes = bytes();
            Usage.check(spec, bytes.length > 0, "nothing to store: " + which() + " is empty");
            Usage.check(spec, bytes.length <= VmService.IO_LENGTH_MAX_BYTES, which() + " holds " + bytes.length +
                " bytes, more than one store moves (" + VmService.IO_LENGTH_MAX_BYTES + "); store it in parts");
            final AdminClient client = target.client(spec);
            final VmApi.Access data = answer(client, client.post("/domains/store",
                new VmApi.StoreRequest(domain, vaddr, Base64.getEncoder().encodeToString(bytes))), VmApi.Access.class,
                false);
            if (!json)
            {
                out().println("stored " + data.length() + (1 == data.length() ? " byte" : " bytes") + " at " +
                    VmCommand.hex(data.vaddr()) + " of domain " + data.domain());
                out().flush();
            }
            return 0;
        }

        private String which()
        {
            return null != source.text ? "--text" : null != source.hex ? "--hex" : "--in=" + source.file;
        }

        private byte[] bytes()
        {
            if (null != source.text)
            {
                return source.text.getBytes(StandardCharsets.UTF_8);
            }
            if (null != source.hex)
            {
                try
                {
                    return HexFormat.of().parseHex(source.hex.replaceAll("\\s", ""));
                }
                catch (final IllegalArgumentException ex)
                {
                    final String shown = source.hex.length() > ECHO_LENGTH_MAX_CHARS ?
                        source.hex.substring(0, ECHO_LENGTH_MAX_CHARS) + "..." : source.hex;
                    throw Usage.error(spec, "--hex=" + shown + " is not hex: give two digits 0-9, a-f per byte, " +
                        "e.g. 48690a");
                }
            }
            return Usage.readFile(spec, which(), source.file, VmService.IO_LENGTH_MAX_BYTES,
                "more than one store moves; store it in parts");
        }
    }
}
