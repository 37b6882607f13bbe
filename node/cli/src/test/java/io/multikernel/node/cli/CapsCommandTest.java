package io.multikernel.node.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mk caps} against a fake core's capability admin API: each subcommand's request (method, path,
 * JSON body), its human and {@code --json} output, the core's refusals as exit code 1 with the core's
 * sentence on one line, and bad flags refused with exit code 2 before any request.
 */
class CapsCommandTest
{
    private static final int MAX = io.multikernel.node.caps.CapabilityService.FRAME_IO_LENGTH_MAX_BYTES;

    private static final String NL = System.lineSeparator();
    private static final long RAM = 1099511627778L;
    private static final long FRAME = 1099511627781L;
    private static final String RAM_JSON = "{\"cap\":1099511627778,\"object\":1099511627777,\"type\":\"ram\",\"base\":0," +
        "\"length\":65536,\"rights\":\"read,write,execute,grant,identify\",\"holder\":0,\"owner\":0,\"parent\":0," +
        "\"copies\":1,\"children\":2}";
    private static final String FRAME_JSON = "{\"cap\":1099511627781,\"object\":1099511627779,\"type\":\"frame\"," +
        "\"base\":65536,\"length\":4096,\"rights\":\"read,execute\",\"holder\":1,\"owner\":0,\"parent\":1099511627777," +
        "\"copies\":2,\"children\":0}";
    private static final String MAPPING_JSON = "{\"cap\":1099511627790,\"object\":1099511627789,\"type\":\"mapping\"," +
        "\"base\":65536,\"length\":4096,\"rights\":\"read,execute\",\"holder\":1,\"owner\":1,\"parent\":1099511627779," +
        "\"copies\":1,\"children\":0,\"mapping\":{\"frame\":1099511627781,\"domain\":2199023255553,\"mapping\":" +
        "2199023255554,\"vaddr\":\"0x400000\"}}";
    private static final String VNODE_JSON = "{\"cap\":1099511627792,\"object\":1099511627791,\"type\":\"vnode\"," +
        "\"base\":69632,\"length\":4096,\"rights\":\"read,write,execute,grant,identify\",\"holder\":0,\"owner\":0," +
        "\"parent\":1099511627777,\"copies\":1,\"children\":0,\"root\":2199023255553}";
    private static final String VNODE_ROW = "1099511627792   1099511627791   vnode   0x11000            4096 rwxgi       0" +
        "     0 1099511627777        1        0  root of domain 2199023255553";
    private static final String LEAF_JSON = "{\"cap\":1099511627796,\"object\":1099511627795,\"type\":\"vnode\"," +
        "\"base\":73728,\"length\":4096,\"rights\":\"read,write,execute,grant,identify\",\"holder\":1,\"owner\":1," +
        "\"parent\":1099511627793,\"copies\":1,\"children\":0,\"leaf\":{\"domain\":2199023255553,\"leaf\":2," +
        "\"vaddr\":\"0x400000\",\"vnode\":true}}";
    private static final String LEAF_ROW = "1099511627796   1099511627795   vnode   0x12000            4096 rwxgi       1" +
        "     1 1099511627793        1        0  leaf page table 2 of domain 2199023255553 (from 0x400000)";
    private static final String HEADS = "CAP             OBJECT          TYPE    BASE             LENGTH RIGHTS HOLDER " +
        "OWNER PARENT          COPIES CHILDREN  USE";
    private static final String RAM_ROW = "1099511627778   1099511627777   ram     0x0               65536 rwxgi       0" +
        "     0 -                    1        2";
    private static final String FRAME_ROW = "1099511627781   1099511627779   frame   0x10000            4096 r-x--       1" +
        "     0 1099511627777        2        0";
    private static final String MAPPING_ROW = "1099511627790   1099511627789   mapping 0x10000            4096 r-x--       1" +
        "     1 1099511627779        1        0  maps 0x400000 of domain 2199023255553 (mapping 2199023255554, frame " +
        "1099511627781)";

    @TempDir
    Path runDir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private FakeCore core;

    @BeforeEach
    void startFakeCore() throws IOException
    {
        core = FakeCore.start(runDir, 3);
    }

    @AfterEach
    void stopFakeCore()
    {
        core.close();
    }

    private int run(final String... args)
    {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        final String[] full = Stream.concat(Stream.of("caps"),
            Stream.concat(Stream.of(args), Stream.of("--run-dir", runDir.toString()))).toArray(String[]::new);
        return MkCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true), full);
    }

    /** The failure's one line (a hint to use --verbose follows it). */
    private String failure()
    {
        return err.toString().lines().findFirst().orElse("");
    }

    private static String committed(final String transaction, final long... caps)
    {
        final StringBuilder ids = new StringBuilder();
        for (final long cap : caps)
        {
            ids.append(ids.length() > 0 ? "," : "").append(cap);
        }
        return "{\"core\":0,\"outcome\":\"committed\",\"transaction\":\"" + transaction + "\",\"caps\":[" + ids + "]}";
    }

    @Test
    void listPrintsTheHeaderAndATableOfTheReplica()
    {
        final String listing = "{\"core\":0,\"count\":3,\"objects\":3,\"fingerprint\":\"4cbbd8ca\",\"changes\":2," +
            "\"limit\":100,\"truncated\":false,\"memory\":{\"core\":0,\"base\":0,\"length\":5591040,\"used\":65536," +
            "\"free\":5525504,\"returned\":0},\"capabilities\":[" + RAM_JSON + "," + FRAME_JSON + "," + MAPPING_JSON + "," + VNODE_JSON + "," +
            LEAF_JSON + "]}";
        core.answer("GET /caps?limit=100", listing);
        assertThat(run("list")).as(err.toString()).isZero();
        assertThat(out.toString().lines()).containsExactly(
            "core 0: 3 capabilities, fingerprint 4cbbd8ca, memory server 65536 bytes used, 5525504 free",
            HEADS, RAM_ROW, FRAME_ROW, MAPPING_ROW, VNODE_ROW, LEAF_ROW);

        assertThat(run("list", "--json")).isZero();
        assertThat(out.toString()).isEqualTo(listing + NL);

        core.answer("GET /caps?limit=1&holder=1", "{\"core\":0,\"count\":3,\"objects\":3,\"fingerprint\":\"4cbbd8ca\"," +
            "\"changes\":2,\"limit\":1,\"truncated\":true,\"capabilities\":[" + FRAME_JSON + "]}");
        assertThat(run("list", "--holder", "1", "--limit", "1", "--core", "0")).as(err.toString()).isZero();
        assertThat(out.toString().lines()).containsExactly(
            "core 0: 3 capabilities (first 1 listed), fingerprint 4cbbd8ca, memory server none", HEADS, FRAME_ROW);

        core.answer("GET /caps?limit=100", "{\"core\":0,\"count\":0,\"objects\":0,\"fingerprint\":\"ab\",\"changes\":0," +
            "\"limit\":100,\"truncated\":false,\"capabilities\":[]}");
        assertThat(run("list")).isZero();
        assertThat(out.toString()).isEqualTo("core 0: 0 capabilities, fingerprint ab, memory server none" + NL);
    }

    @Test
    void aListingOfAnotherShapeFailsInOneLine()
    {
        core.answer("GET /caps?limit=100", "{\"core\":0,\"count\":0,\"fingerprint\":\"ab\"}");
        assertThat(run("list")).isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(failure()).isEqualTo("mk: caps list failed: core 0's answer (HTTP 200) to GET /caps?limit=100 " +
            "is not valid: field 'objects' is missing");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void allocSendsBytesAndPrintsTheNewCapability()
    {
        core.answer("POST /caps/alloc", committed("0:9:1", RAM));
        assertThat(run("alloc", "--bytes", "64k")).as(err.toString()).isZero();
        assertThat(core.body("POST /caps/alloc")).isEqualTo("{\"bytes\":65536}");
        assertThat(out.toString()).isEqualTo("committed 0:9:1: RAM capability 1099511627778 of 65536 bytes" + NL);

        assertThat(run("alloc", "--bytes", "4096", "--json")).isZero();
        assertThat(core.body("POST /caps/alloc")).isEqualTo("{\"bytes\":4096}");
        assertThat(out.toString()).isEqualTo(committed("0:9:1", RAM) + NL);
    }

    @Test
    void retypeSendsTypeSizeOffsetAndCount()
    {
        core.answer("POST /caps/retype", committed("0:9:2", FRAME, FRAME + 1));
        assertThat(run("retype", Long.toString(RAM), "--type", "FRAME", "--size", "4k", "--offset", "0x2000", "--count", "2"))
            .as("sizes take hex, as addresses do: " + err).isZero();
        assertThat(core.body("POST /caps/retype")).isEqualTo("{\"cap\":1099511627778,\"type\":\"frame\",\"size\":4096," +
            "\"offset\":8192,\"count\":2}");
        assertThat(out.toString()).isEqualTo("committed 0:9:2: 2 FRAME capabilities of 4096 bytes: 1099511627781 " +
            "1099511627782" + NL);

        core.answer("POST /caps/retype", committed("0:9:3", FRAME));
        assertThat(run("retype", Long.toString(RAM), "--type", "cnode", "--size", "16384")).isZero();
        assertThat(core.body("POST /caps/retype")).isEqualTo("{\"cap\":1099511627778,\"type\":\"cnode\",\"size\":16384," +
            "\"offset\":0,\"count\":1}");
        assertThat(out.toString()).isEqualTo("committed 0:9:3: 1 CNODE capability of 16384 bytes: 1099511627781" + NL);
    }

    @Test
    void copyAndMintNameTheCoreAndTheRights()
    {
        core.answer("POST /caps/copy", committed("0:9:4", FRAME + 7));
        assertThat(run("copy", Long.toString(FRAME), "--to", "2")).as(err.toString()).isZero();
        assertThat(core.body("POST /caps/copy")).isEqualTo("{\"cap\":1099511627781,\"to\":2}");
        assertThat(out.toString()).isEqualTo("committed 0:9:4: capability 1099511627788 on core 2, a copy of " +
            "1099511627781" + NL);

        core.answer("POST /caps/mint", committed("0:9:5", FRAME + 8));
        assertThat(run("mint", Long.toString(FRAME), "--to", "1", "--rights", "Write, read")).as(err.toString()).isZero();
        assertThat(core.body("POST /caps/mint")).isEqualTo("{\"cap\":1099511627781,\"to\":1,\"rights\":\"read,write\"}");
        assertThat(out.toString()).isEqualTo("committed 0:9:5: capability 1099511627789 on core 1, minted from " +
            "1099511627781 with those of the rights read,write that it holds" + NL);

        assertThat(run("mint", Long.toString(FRAME), "--rights", "none")).isZero();
        assertThat(core.body("POST /caps/mint")).isEqualTo("{\"cap\":1099511627781,\"rights\":\"none\"}");
        assertThat(out.toString()).isEqualTo("committed 0:9:5: capability 1099511627789 on core 0, minted from " +
            "1099511627781 with no rights" + NL);

        assertThat(run("mint", Long.toString(FRAME), "--rights", "all", "--json")).isZero();
        assertThat(core.body("POST /caps/mint"))
            .isEqualTo("{\"cap\":1099511627781,\"rights\":\"read,write,execute,grant,identify\"}");
        assertThat(out.toString()).isEqualTo(committed("0:9:5", FRAME + 8) + NL);
    }

    @Test
    void deleteAndRevokeSendTheCapability()
    {
        core.answer("POST /caps/delete", committed("0:9:6"));
        assertThat(run("delete", Long.toString(FRAME))).as(err.toString()).isZero();
        assertThat(core.body("POST /caps/delete")).isEqualTo("{\"cap\":1099511627781}");
        assertThat(out.toString()).isEqualTo("committed 0:9:6: capability 1099511627781 deleted" + NL);

        core.answer("POST /caps/revoke", committed("0:9:7"));
        assertThat(run("revoke", Long.toString(RAM))).as(err.toString()).isZero();
        assertThat(core.body("POST /caps/revoke")).isEqualTo("{\"cap\":1099511627778}");
        assertThat(out.toString()).isEqualTo("committed 0:9:7: every other copy and every descendant of capability " +
            "1099511627778 revoked, and every mapping into its range unmapped" + NL);

        assertThat(run("revoke", Long.toString(RAM), "--json")).isZero();
        assertThat(out.toString()).isEqualTo(committed("0:9:7") + NL);
    }

    @Test
    void identifyPrintsOneRowOfTheTable()
    {
        core.answer("POST /caps/identify", RAM_JSON);
        assertThat(run("identify", Long.toString(RAM))).as(err.toString()).isZero();
        assertThat(core.body("POST /caps/identify")).isEqualTo("{\"cap\":1099511627778}");
        assertThat(out.toString().lines()).containsExactly(HEADS, RAM_ROW);

        assertThat(run("identify", Long.toString(RAM), "--json")).isZero();
        assertThat(out.toString()).isEqualTo(RAM_JSON + NL);
    }

    @Test
    void readPrintsAHexDumpTextOrTheAnswer()
    {
        final byte[] bytes = new byte[20];
        System.arraycopy("hello, frame\n".getBytes(StandardCharsets.UTF_8), 0, bytes, 0, 13);
        final String answer = "{\"cap\":1099511627781,\"offset\":4096,\"length\":20,\"base64\":\"" +
            Base64.getEncoder().encodeToString(bytes) + "\"}";
        core.answer("POST /caps/read", answer);
        assertThat(run("read", Long.toString(FRAME), "--offset", "4k", "--length", "20")).as(err.toString()).isZero();
        assertThat(core.body("POST /caps/read")).isEqualTo("{\"cap\":1099511627781,\"offset\":4096,\"length\":20}");
        assertThat(out.toString().lines()).containsExactly(
            "00001000  68 65 6c 6c 6f 2c 20 66  72 61 6d 65 0a 00 00 00  |hello, frame....|",
            "00001010  00 00 00 00                                       |....|");

        assertThat(run("read", Long.toString(FRAME), "--offset", "4k", "--length", "20", "--text")).isZero();
        assertThat(out.toString()).isEqualTo("hello, frame\n");

        assertThat(run("read", Long.toString(FRAME), "--offset", "4k", "--length", "20", "--json")).isZero();
        assertThat(out.toString()).isEqualTo(answer + NL);

        core.answer("POST /caps/read", "{\"cap\":1099511627781,\"offset\":0,\"length\":2,\"base64\":\"" +
            Base64.getEncoder().encodeToString(new byte[]{ (byte)0xc3, 0x28 }) + "\"}");
        assertThat(run("read", Long.toString(FRAME), "--length", "2", "--text")).isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(failure()).isEqualTo("mk: caps read failed: the 2 bytes at offset 0 of capability 1099511627781 " +
            "are not UTF-8 text; read them without --text for a hex dump");
    }

    @Test
    void writeSendsTextHexOrAFileInBase64(@TempDir final Path dir) throws IOException
    {
        final String done = "{\"cap\":1099511627781,\"offset\":16,\"length\":5}";
        core.answer("POST /caps/write", done);
        assertThat(run("write", Long.toString(FRAME), "--offset", "16", "--text", "héllo")).as(err.toString()).isZero();
        assertThat(core.body("POST /caps/write")).isEqualTo("{\"cap\":1099511627781,\"offset\":16,\"base64\":\"" +
            Base64.getEncoder().encodeToString("héllo".getBytes(StandardCharsets.UTF_8)) + "\"}");
        assertThat(out.toString()).isEqualTo("wrote 5 bytes at offset 16 of capability 1099511627781" + NL);

        assertThat(run("write", Long.toString(FRAME), "--hex", "de ad BE ef")).isZero();
        assertThat(core.body("POST /caps/write")).isEqualTo("{\"cap\":1099511627781,\"offset\":0,\"base64\":\"3q2+7w==\"}");

        final Path file = Files.write(dir.resolve("bytes"), new byte[]{ 0, 1, 2 });
        assertThat(run("write", Long.toString(FRAME), "--file", file.toString(), "--json")).isZero();
        assertThat(core.body("POST /caps/write")).isEqualTo("{\"cap\":1099511627781,\"offset\":0,\"base64\":\"AAEC\"}");
        assertThat(out.toString()).isEqualTo(done + NL);

        core.answer("POST /caps/write", "{\"cap\":1099511627781,\"offset\":0,\"length\":1}");
        assertThat(run("write", Long.toString(FRAME), "--hex", "00")).isZero();
        assertThat(out.toString()).isEqualTo("wrote 1 byte at offset 0 of capability 1099511627781" + NL);
    }

    @Test
    void refusalsExitOneWithTheCoresSentence()
    {
        core.answer("POST /caps/delete", 403, "{\"core\":0,\"outcome\":\"forbidden\",\"caps\":[],\"error\":" +
            "\"capability 1099511627781 is held by core 1, not core 0; ask core 1\"}");
        assertThat(run("delete", Long.toString(FRAME))).isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(failure()).isEqualTo("mk: caps delete failed: core 0 refused: capability 1099511627781 is held by " +
            "core 1, not core 0; ask core 1");
        assertThat(out.toString()).isEmpty();

        final String conflict = "{\"core\":0,\"outcome\":\"conflict\",\"caps\":[],\"error\":\"the range overlaps live " +
            "descendant object 1099511627779 (FRAME at offset 0): revoke first\"}";
        core.answer("POST /caps/retype", 409, conflict);
        assertThat(run("retype", Long.toString(RAM), "--type", "frame", "--size", "4k")).isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(failure()).isEqualTo("mk: caps retype failed: core 0 refused: the range overlaps live descendant " +
            "object 1099511627779 (FRAME at offset 0): revoke first");
        assertThat(run("retype", Long.toString(RAM), "--type", "frame", "--size", "4k", "--json"))
            .isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(out.toString()).as("--json prints the refusal as it is").isEqualTo(conflict + NL);
        assertThat(failure()).startsWith("mk: caps retype failed: core 0 refused: the range overlaps");

        core.answer("POST /caps/copy", 409, "{\"core\":0,\"outcome\":\"aborted\",\"transaction\":\"0:9:8\",\"caps\":[]," +
            "\"error\":\"core 2 voted no: object 1099511627779 is locked\"}");
        assertThat(run("copy", Long.toString(FRAME), "--to", "2")).isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(failure()).isEqualTo("mk: caps copy failed: aborted (transaction 0:9:8): core 2 voted no: object " +
            "1099511627779 is locked");

        core.answer("POST /caps/alloc", 503, "{\"core\":0,\"outcome\":\"unavailable\",\"caps\":[],\"error\":" +
            "\"not proposed: the kernel loop did not take the request within 5000 ms\"}");
        assertThat(run("alloc", "--bytes", "4k")).isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(failure()).isEqualTo("mk: caps alloc failed: core 0 refused: not proposed: the kernel loop did not " +
            "take the request within 5000 ms");

        core.answer("POST /caps/read", 404, "{\"core\":0,\"outcome\":\"not_found\",\"caps\":[],\"error\":" +
            "\"capability 5 does not exist\"}");
        assertThat(run("read", "5", "--length", "1")).isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(failure()).isEqualTo("mk: caps read failed: core 0 refused: capability 5 does not exist");

        core.answer("POST /caps/identify", 400, "{\"error\":\"field 'capp' is unknown; use cap\",\"path\":\"/caps/identify\"}");
        assertThat(run("identify", "5")).isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(failure()).isEqualTo("mk: caps identify failed: core 0 refused: field 'capp' is unknown; use cap");
    }

    @Test
    void indefiniteOutcomesSayItMayHaveCommitted()
    {
        core.answer("POST /caps/revoke", 504, "{\"core\":0,\"outcome\":\"indefinite\",\"caps\":[],\"error\":" +
            "\"no outcome within 5000 ms; it may have committed: read /caps before retrying\"}");
        assertThat(run("revoke", Long.toString(RAM))).isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(failure()).isEqualTo("mk: caps revoke failed: indefinite: no outcome within 5000 ms; it may have " +
            "committed: read /caps before retrying");

        core.answer("POST /caps/revoke", 500, "{\"core\":0,\"outcome\":\"indefinite\",\"transaction\":\"0:9:9\"," +
            "\"caps\":[],\"error\":\"core 0's log failed while deciding; it may have committed\"}");
        assertThat(run("revoke", Long.toString(RAM))).isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(failure()).isEqualTo("mk: caps revoke failed: indefinite (transaction 0:9:9): core 0's log failed " +
            "while deciding; it may have committed");

        core.answer("POST /caps/delete", 500, "{\"error\":\"no answer recorded\",\"path\":\"/caps/delete\"}");
        assertThat(run("delete", Long.toString(RAM))).isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(failure()).isEqualTo("mk: caps delete failed: indefinite (HTTP 500): no answer recorded; it may have " +
            "committed: see mk caps list before retrying");

        core.answer("POST /caps/identify", 500, "{\"error\":\"no answer recorded\",\"path\":\"/caps/identify\"}");
        assertThat(run("identify", Long.toString(RAM))).isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(failure()).as("a read changes nothing").isEqualTo("mk: caps identify failed: core 0 failed " +
            "(HTTP 500): no answer recorded");
    }

    @Test
    void badFlagsAreRefusedBeforeAnyRequest()
    {
        final String cap = Long.toString(FRAME);
        refused("--bytes=-4k is negative: sizes are bytes, e.g. 4096, 64k or 1m", "alloc", "--bytes", "-4k");
        refused("--bytes=lots is not a size: expected a number with optional k, m or g suffix",
            "alloc", "--bytes", "lots");
        refused("--bytes=0 is outside 1..9223372036854775807", "alloc", "--bytes", "0");
        refused("--bytes=4097 is not a multiple of 4096 bytes (a page): e.g. 4096", "alloc", "--bytes", "4097");
        refused("--bytes=100 is not a multiple of 4096 bytes (a page): e.g. 4096", "alloc", "--bytes", "100");
        refused("--bytes=9223372036854775807 is not a multiple of 4096 bytes (a page): e.g. 9223372036854771712", "alloc",
            "--bytes", "9223372036854775807");
        refused("--type=mapping is not one of ram, frame, cnode, vnode", "retype", cap, "--type", "mapping", "--size", "4k");
        refused("--size=4097 is not a multiple of 4096 bytes (a page): objects are whole pages", "retype", cap, "--type",
            "frame", "--size", "4097");
        refused("--offset=100 is not page-aligned (a multiple of 4096 bytes)", "retype", cap, "--type", "frame",
            "--size", "4k", "--offset", "100");
        refused("--size=0xzz is not a size: give hex (0x1000) or a number with an optional k, m or g suffix", "retype",
            cap, "--type", "frame", "--size", "0xzz");
        refused("--size=-1 is negative", "retype", cap, "--type", "frame", "--size", "-1");
        refused("--offset=-8k is negative", "retype", cap, "--type", "frame", "--size", "4k", "--offset", "-8k");
        refused("--count=0 is outside 1..4096", "retype", cap, "--type", "frame", "--size", "4k", "--count", "0");
        refused("CAP=0 is not a capability id: ids are positive (see mk caps list)", "delete", "0");
        refused("'x1' is not a long", "revoke", "x1");
        refused("--to=-1 is negative: cores are numbered from 0", "copy", cap, "--to", "-1");
        refused("Missing required option: '--to=CORE'", "copy", cap);
        refused("--rights=read,fly is not valid: right 'fly' is unknown: use read, write, execute, grant, identify, " +
            "all or none", "mint", cap, "--rights", "read,fly");
        refused("--rights is empty: name the rights to keep (e.g. read,write), or none", "mint", cap, "--rights", "");
        refused("--holder=-2 is negative", "list", "--holder", "-2");
        refused("--holder=9: core 9 is not in the cluster map (cores: [0, 1, 2])", "list", "--holder", "9");
        refused("--to=9: core 9 is not in the cluster map (cores: [0, 1, 2])", "copy", cap, "--to", "9");
        refused("--to=9: core 9 is not in the cluster map (cores: [0, 1, 2])", "mint", cap, "--to", "9", "--rights", "read");
        refused("--core=3: core 3 is not in the cluster map (cores: [0, 1, 2])", "list", "--core", "3");
        refused("--limit=10001 is outside 0..10000", "list", "--limit", "10001");
        refused("--length=0 is outside 1.." + MAX, "read", cap, "--length", "0");
        refused("--length=" + (MAX + 1) + " is outside 1.." + MAX, "read", cap, "--length", String.valueOf(MAX + 1));
        refused("--text and --json: choose one", "read", cap, "--length", "4", "--text", "--json");
        refused("--hex=abz is not hex: give two digits 0-9, a-f per byte, e.g. 48690a", "write", cap, "--hex", "abz");
        refused("--hex=abc is not hex", "write", cap, "--hex", "abc");
        refused("nothing to write: --text is empty", "write", cap, "--text", "");
        refused("--text=STRING, --hex=HEX are mutually exclusive", "write", cap, "--text", "a", "--hex", "61");
        refused("Missing required argument (specify one of these)", "write", cap);
        refused("--text holds " + (MAX + 1) + " bytes, more than one write moves (" + MAX + "); write it in parts with --offset",
            "write", cap, "--text", "x".repeat(MAX + 1));
        refused("--file=" + runDir.resolve("absent") + " cannot be read (NoSuchFileException",
            "write", cap, "--file", runDir.resolve("absent").toString());
        refused("--file=/dev/zero holds more than " + MAX + " bytes, more than one write moves; write it in parts " +
            "with --offset", "write", cap, "--file", "/dev/zero");
        refused("--core=-1 is negative", "list", "--core", "-1");
        assertThat(core.received()).isEmpty();

        assertThat(MkCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true), "caps"))
            .isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("a subcommand is required: list, alloc, retype, copy, mint, delete, " +
            "revoke, identify, read, write");
    }

    private void refused(final String sentence, final String... args)
    {
        assertThat(run(args)).as("%s: %s", String.join(" ", args), err).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).as(String.join(" ", args)).contains(sentence).doesNotContain("\tat ");
    }

    @Test
    void everySubcommandHasCompleteHelp()
    {
        final String[][] expected = {
            { "list", "--holder", "--limit", "RIGHTS (r read" },
            { "alloc", "--bytes", "64k" },
            { "retype", "--type", "--size", "--offset", "--count", "cnode", "revoke first" },
            { "copy", "--to", "grant" },
            { "mint", "--to", "--rights", "identify" },
            { "delete", "revoke it first" },
            { "revoke", "every descendant" },
            { "identify", "identify right" },
            { "read", "--offset", "--length", "--text", "base64" },
            { "write", "--offset", "--text", "--hex", "--file" },
        };
        for (final String[] command : expected)
        {
            assertThat(run(command[0], "--help")).isZero();
            assertThat(out.toString().replaceAll("\\s+", " ")).as("caps %s --help", command[0])
                .contains("--core", "--run-dir", "--json", "Exit codes:",
                    "indefinite (it may have committed")
                .contains(Stream.of(command).skip(1).toArray(String[]::new));
        }
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("list", "alloc", "retype", "write", "Exit codes:");
    }

    @Test
    void hexDumpLinesMatchHexdumpC()
    {
        assertThat(HexDump.lines(0, new byte[0])).isEmpty();
        assertThat(HexDump.lines(0x20, "0123456789abcdefXY".getBytes(StandardCharsets.US_ASCII)).lines()).containsExactly(
            "00000020  30 31 32 33 34 35 36 37  38 39 61 62 63 64 65 66  |0123456789abcdef|",
            "00000030  58 59                                             |XY|");
        assertThat(HexDump.lines(0, new byte[]{ 0x7f, (byte)0x80, 0x1f, 0x20 }))
            .isEqualTo("00000000  7f 80 1f 20                                       |... |" + NL);
    }
}
