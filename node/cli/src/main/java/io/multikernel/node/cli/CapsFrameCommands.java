package io.multikernel.node.cli;

import io.multikernel.node.caps.CapabilityService;
import io.multikernel.node.util.Usage;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;

/**
 * {@code mk caps read} and {@code mk caps write}: a frame's bytes, through a frame capability the
 * core holds. The core reads and writes its host's physical memory directly; there is no transaction.
 */
final class CapsFrameCommands
{
    /** Longest hex shown back in an error. */
    private static final int ECHO_LENGTH_MAX_CHARS = 40;

    private CapsFrameCommands()
    {
    }

    @Command(name = "read", mixinStandardHelpOptions = true,
        description = { "Read bytes of a frame the core holds (it needs the read right) and print them as a hex " +
            "dump, or as text with --text.",
            "With --json the core's answer is printed as it is: the bytes in base64." },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = { CapsCommand.EXIT_DONE, CapsCommand.EXIT_NOT_DONE, CapsCommand.EXIT_BAD_USAGE })
    static final class Read extends CapsCommand.Subcommand
    {
        @Parameters(index = "0", paramLabel = "CAP", description = "A frame capability; held by --core.")
        long cap;

        @Option(names = "--offset", paramLabel = "OFFSET", defaultValue = "0",
            description = "Where in the frame to start, bytes (default: ${DEFAULT-VALUE}).")
        String offsetText;

        @Option(names = "--length", required = true, paramLabel = "SIZE",
            description = "How many bytes: 1 to 32k.")
        String lengthText;

        @Option(names = "--text", description = "Print the bytes as UTF-8 text, without the zero bytes at the end " +
            "(memory never written); fails when they are not UTF-8.")
        boolean text;

        @Override
        public Integer call() throws InterruptedException
        {
            capId(cap);
            final long offset = size("--offset", offsetText, 0, Long.MAX_VALUE);
            final int length = (int)size("--length", lengthText, 1, CapabilityService.FRAME_IO_LENGTH_MAX_BYTES);
            Usage.check(spec, !(text && json), "--text and --json: choose one");
            final AdminClient client = target.client(spec);
            final CapsApi.FrameData data = answer(client,
                client.post("/caps/read", new CapsApi.ReadRequest(cap, offset, length)), CapsApi.FrameData.class, false);
            if (json)
            {
                return 0;
            }
            final byte[] bytes = bytes(client, data);
            if (text)
            {
                final String decoded = utf8(withoutTrailingZeros(bytes), offset);
                out().print(decoded);
                if (!decoded.isEmpty() && !decoded.endsWith("\n"))
                {
                    out().println();
                }
            }
            else
            {
                out().print(HexDump.lines(offset, bytes));
            }
            out().flush();
            return 0;
        }

        private static byte[] bytes(final AdminClient client, final CapsApi.FrameData data)
        {
            if (null == data.base64())
            {
                throw new IllegalArgumentException("core " + client.coreId() + "'s answer to POST /caps/read " +
                    "is not valid: field 'base64' is missing");
            }
            try
            {
                return Base64.getDecoder().decode(data.base64());
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalArgumentException("core " + client.coreId() + "'s answer to POST /caps/read " +
                    "is not valid: field 'base64': " + ex.getMessage(), ex);
            }
        }

        private String utf8(final byte[] bytes, final long offset)
        {
            try
            {
                return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
            }
            catch (final CharacterCodingException ex)
            {
                throw new IllegalStateException("the " + bytes.length + " bytes at offset " + offset + " of capability " +
                    cap + " are not UTF-8 text; read them without --text for a hex dump", ex);
            }
        }

        private static byte[] withoutTrailingZeros(final byte[] bytes)
        {
            int end = bytes.length;
            while (end > 0 && 0 == bytes[end - 1])
            {
                end--;
            }
            return java.util.Arrays.copyOf(bytes, end);
        }
    }

    @Command(name = "write", mixinStandardHelpOptions = true,
        description = { "Write bytes into a frame the core holds (it needs the write right): text, hex or a " +
            "file's contents.",
            "At most 32k bytes per write; prints: wrote N bytes at offset OFFSET of capability CAP." },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = { CapsCommand.EXIT_DONE, CapsCommand.EXIT_NOT_DONE, CapsCommand.EXIT_BAD_USAGE })
    static final class Write extends CapsCommand.Subcommand
    {
        @Parameters(index = "0", paramLabel = "CAP", description = "A frame capability; held by --core.")
        long cap;

        @Option(names = "--offset", paramLabel = "OFFSET", defaultValue = "0",
            description = "Where in the frame to start, bytes (default: ${DEFAULT-VALUE}).")
        String offsetText;

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

            @Option(names = "--file", paramLabel = "PATH", description = "This file's contents.")
            Path file;
        }

        @Override
        public Integer call() throws InterruptedException
        {
            capId(cap);
            final long offset = size("--offset", offsetText, 0, Long.MAX_VALUE);
            final byte[] bytes = bytes();
            Usage.check(spec, bytes.length > 0, "nothing to write: " + which() + " is empty");
            Usage.check(spec, bytes.length <= CapabilityService.FRAME_IO_LENGTH_MAX_BYTES, which() + " holds " +
                bytes.length + " bytes, more than one write moves (" + CapabilityService.FRAME_IO_LENGTH_MAX_BYTES +
                "); write it in parts with --offset");
            final AdminClient client = target.client(spec);
            final CapsApi.FrameData data = answer(client, client.post("/caps/write",
                new CapsApi.WriteRequest(cap, offset, Base64.getEncoder().encodeToString(bytes))),
                CapsApi.FrameData.class, false);
            if (!json)
            {
                out().println("wrote " + data.length() + (1 == data.length() ? " byte" : " bytes") + " at offset " +
                    data.offset() + " of capability " + data.cap());
                out().flush();
            }
            return 0;
        }

        private String which()
        {
            return null != source.text ? "--text" : null != source.hex ? "--hex" : "--file=" + source.file;
        }

        private byte[] bytes()
        {
            if (null != source.text)
            {
                return source.text.getBytes(StandardCharsets.UTF_8);
            }
            if (null != source.hex)
            {
                final String digits = source.hex.replaceAll("\\s", "");
                try
                {
                    return HexFormat.of().parseHex(digits);
                }
                catch (final IllegalArgumentException ex)
                {
                    final String shown = source.hex.length() > ECHO_LENGTH_MAX_CHARS ?
                        source.hex.substring(0, ECHO_LENGTH_MAX_CHARS) + "..." : source.hex;
                    throw Usage.error(spec, "--hex=" + shown + " is not hex: give two digits 0-9, a-f per byte, " +
                        "e.g. 48690a");
                }
            }
            return Usage.readFile(spec, which(), source.file, CapabilityService.FRAME_IO_LENGTH_MAX_BYTES,
                "more than one write moves; write it in parts with --offset");
        }
    }
}
