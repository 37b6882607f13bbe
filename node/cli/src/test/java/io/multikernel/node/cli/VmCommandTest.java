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
 * {@code mk vm} against a fake core's address-space admin API: each subcommand's request (method,
 * path, JSON body), its human and {@code --json} output, the core's refusals and faults as exit code 1
 * with the core's sentence on one line, and bad flags refused with exit code 2 before any request.
 */
class VmCommandTest
{
    private static final int MAX = io.multikernel.node.vm.VmService.IO_LENGTH_MAX_BYTES;
    private static final String NL = System.lineSeparator();
    private static final long DOMAIN = 1099511627777L;
    private static final String DOMAIN_JSON = "{\"domain\":1099511627777,\"root\":1099511627780,\"cores\":[0,1]," +
        "\"version\":3,\"fingerprint\":\"0123456789abcdef0123456789abcdef\",\"mappings\":[{\"mapping\":1099511627778," +
        "\"vaddr\":4194304,\"length\":8192,\"frame\":1099511627790,\"frame_offset\":4096,\"rights\":\"read,write\"}]," +
        "\"leaves\":[{\"leaf\":2,\"vaddr\":4194304,\"vnode\":1099511627794,\"pages\":2}]}";
    private static final String DOMAIN_ROW = "1099511627777   0,1                 1      1       3 0123456789abcdef";
    private static final String DOMAIN_HEADS = "DOMAIN          CORES        MAPPINGS LEAVES VERSION FINGERPRINT";

    @TempDir
    Path runDir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private FakeCore core;

    @BeforeEach
    void startFakeCore() throws IOException
    {
        core = FakeCore.start(runDir, 4);
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
        final String[] full = Stream.concat(Stream.of("vm"),
            Stream.concat(Stream.of(args), Stream.of("--run-dir", runDir.toString()))).toArray(String[]::new);
        return MkCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true), full);
    }

    private String failure()
    {
        return err.toString().lines().findFirst().orElse("");
    }

    private static String committed(final String transaction, final String rest)
    {
        return "{\"core\":0,\"outcome\":\"committed\",\"transaction\":\"" + transaction + "\"" + rest + "}";
    }

    @Test
    void listPrintsTheDomainsAndTheTlbOrOneDomainsMappings()
    {
        final String listing = "{\"core\":0,\"count\":1,\"tlb\":{\"entries\":2,\"hits\":10,\"misses\":3," +
            "\"invalidations\":1},\"protocol\":\"multicast\",\"domains\":[" + DOMAIN_JSON + "]}";
        core.answer("GET /domains", listing);
        assertThat(run("list")).as(err.toString()).isZero();
        assertThat(out.toString().lines()).containsExactly(
            "core 0: 1 domain; TLB 2 entries, 10 hits, 3 misses, 1 invalidations; shootdowns by multicast unless a " +
                "change names one",
            DOMAIN_HEADS, DOMAIN_ROW);
        assertThat(run("list", "--json")).isZero();
        assertThat(out.toString()).isEqualTo(listing + NL);

        core.answer("GET /domains/1099511627777", DOMAIN_JSON);
        assertThat(run("list", "--domain", Long.toString(DOMAIN))).as(err.toString()).isZero();
        assertThat(out.toString().lines()).containsExactly(DOMAIN_HEADS, DOMAIN_ROW, "",
            "MAPPING         VADDR              LENGTH FRAME               OFFSET RIGHTS",
            "1099511627778   0x400000             8192 1099511627790         4096 rw-", "",
            "LEAF     VADDR          VNODE           PAGES",
            "2        0x400000       1099511627794   2");

        core.answer("GET /domains", "{\"core\":0,\"count\":0,\"tlb\":{\"entries\":0,\"hits\":0,\"misses\":0," +
            "\"invalidations\":0},\"protocol\":\"topo\",\"domains\":[]}");
        assertThat(run("list")).isZero();
        assertThat(out.toString()).isEqualTo("core 0: 0 domains; TLB 0 entries, 0 hits, 0 misses, 0 invalidations; " +
            "shootdowns by topo unless a change names one" + NL);

        core.answer("GET /domains/5", 404, "{\"error\":\"domain 5 does not run on core 0; GET /domains lists the " +
            "domains it runs\",\"path\":\"/domains/5\"}");
        assertThat(run("list", "--domain", "5")).isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(failure()).isEqualTo("mk: vm list failed: core 0 refused: domain 5 does not run on core 0; " +
            "'mk vm list --core 0' lists the domains it runs");
    }

    @Test
    void createAndMapSendTheirFieldsAndPrintWhatTheyMade()
    {
        core.answer("POST /domains/create", committed("0:9:1", ",\"id\":1099511627777"));
        assertThat(run("create", "--root", "1099511627780", "--cores", "1,0")).as(err.toString()).isZero();
        assertThat(core.body("POST /domains/create")).isEqualTo("{\"root\":1099511627780,\"cores\":[0,1]}");
        assertThat(out.toString()).isEqualTo("committed 0:9:1: domain 1099511627777 on cores 0,1" + NL);

        core.answer("POST /domains/map", committed("0:9:2", ",\"id\":1099511627778"));
        assertThat(run("map", Long.toString(DOMAIN), "--vaddr", "0x400000", "--frame", "1099511627790", "--offset", "4k",
            "--length", "8k", "--rights", "write,read")).as(err.toString()).isZero();
        assertThat(core.body("POST /domains/map")).isEqualTo("{\"domain\":1099511627777,\"vaddr\":4194304," +
            "\"frame\":1099511627790,\"offset\":4096,\"length\":8192,\"rights\":\"read,write\"}");
        assertThat(out.toString()).isEqualTo("committed 0:9:2: mapping 1099511627778: 8192 bytes of frame " +
            "1099511627790 from offset 4096 at 0x400000 of domain 1099511627777, read,write" + NL);

        assertThat(run("map", Long.toString(DOMAIN), "--vaddr", "4m", "--frame", "7", "--length", "4096", "--json"))
            .isZero();
        assertThat(core.body("POST /domains/map")).isEqualTo("{\"domain\":1099511627777,\"vaddr\":4194304," +
            "\"frame\":7,\"offset\":0,\"length\":4096,\"rights\":\"read,write\"}");
        assertThat(out.toString()).isEqualTo(committed("0:9:2", ",\"id\":1099511627778") + NL);
    }

    @Test
    void changesThatShootDownPrintTheProtocolAndMicroseconds()
    {
        final String shot = ",\"protocol\":\"topo\",\"shootdown_us\":42";
        core.answer("POST /domains/unmap", committed("0:9:3", shot));
        assertThat(run("unmap", Long.toString(DOMAIN), "--vaddr", "0x400000", "--length", "8k", "--protocol", "TOPO"))
            .as(err.toString()).isZero();
        assertThat(core.body("POST /domains/unmap")).isEqualTo("{\"domain\":1099511627777,\"vaddr\":4194304," +
            "\"length\":8192,\"protocol\":\"topo\"}");
        assertThat(out.toString()).isEqualTo("committed 0:9:3: unmapped 0x400000..0x402000 of domain 1099511627777; " +
            "shootdown by topo in 42 us" + NL);

        core.answer("POST /domains/protect", committed("0:9:4", ""));
        assertThat(run("protect", Long.toString(DOMAIN), "--vaddr", "0x400000", "--length", "4k", "--rights",
            "read,write,execute")).as(err.toString()).isZero();
        assertThat(core.body("POST /domains/protect")).isEqualTo("{\"domain\":1099511627777,\"vaddr\":4194304," +
            "\"length\":4096,\"rights\":\"read,write,execute\"}");
        assertThat(out.toString()).isEqualTo("committed 0:9:4: 0x400000..0x401000 of domain 1099511627777 now " +
            "read,write,execute; no shootdown needed" + NL);

        core.answer("POST /domains/span", committed("0:9:5", ""));
        assertThat(run("span", Long.toString(DOMAIN), "--to", "2")).as(err.toString()).isZero();
        assertThat(core.body("POST /domains/span")).isEqualTo("{\"domain\":1099511627777,\"core\":2}");
        assertThat(out.toString()).isEqualTo("committed 0:9:5: domain 1099511627777 now runs on core 2 too" + NL);

        core.answer("POST /domains/shrink", committed("0:9:6", ",\"protocol\":\"unicast\",\"shootdown_us\":7"));
        assertThat(run("shrink", Long.toString(DOMAIN), "--from", "2", "--protocol", "unicast")).isZero();
        assertThat(core.body("POST /domains/shrink")).isEqualTo("{\"domain\":1099511627777,\"core\":2," +
            "\"protocol\":\"unicast\"}");
        assertThat(out.toString()).isEqualTo("committed 0:9:6: domain 1099511627777 left core 2; shootdown by " +
            "unicast in 7 us" + NL);

        core.answer("POST /domains/destroy", committed("0:9:7", ",\"protocol\":\"multicast\",\"shootdown_us\":0"));
        assertThat(run("destroy", Long.toString(DOMAIN))).isZero();
        assertThat(core.body("POST /domains/destroy")).isEqualTo("{\"domain\":1099511627777}");
        assertThat(out.toString()).isEqualTo("committed 0:9:7: domain 1099511627777 destroyed; shootdown by " +
            "multicast in 0 us" + NL);
    }

    @Test
    void loadPrintsAHexDumpOrWritesAFile(@TempDir final Path dir) throws IOException
    {
        final String answer = "{\"core\":0,\"domain\":1099511627777,\"vaddr\":4194312,\"length\":5,\"base64\":\"" +
            Base64.getEncoder().encodeToString("hello".getBytes(StandardCharsets.UTF_8)) + "\"}";
        core.answer("POST /domains/load", answer);
        assertThat(run("load", Long.toString(DOMAIN), "--vaddr", "0x400008", "--length", "5")).as(err.toString()).isZero();
        assertThat(core.body("POST /domains/load")).isEqualTo("{\"domain\":1099511627777,\"vaddr\":4194312,\"length\":5}");
        assertThat(out.toString().lines()).containsExactly(
            "00400008  68 65 6c 6c 6f                                    |hello|");

        final Path file = dir.resolve("bytes");
        assertThat(run("load", Long.toString(DOMAIN), "--vaddr", "0x400008", "--length", "5", "--out", file.toString()))
            .isZero();
        assertThat(Files.readString(file)).isEqualTo("hello");
        assertThat(out.toString()).isEqualTo("loaded 5 bytes at 0x400008 of domain 1099511627777 into " + file + NL);

        assertThat(run("load", Long.toString(DOMAIN), "--vaddr", "0x400008", "--length", "5", "--json")).isZero();
        assertThat(out.toString()).isEqualTo(answer + NL);
    }

    @Test
    void storeSendsTextHexOrAFileInBase64(@TempDir final Path dir) throws IOException
    {
        core.answer("POST /domains/store", "{\"core\":0,\"domain\":1099511627777,\"vaddr\":4194304,\"length\":5}");
        assertThat(run("store", Long.toString(DOMAIN), "--vaddr", "0x400000", "--text", "héllo")).as(err.toString())
            .isZero();
        assertThat(core.body("POST /domains/store")).isEqualTo("{\"domain\":1099511627777,\"vaddr\":4194304," +
            "\"base64\":\"" + Base64.getEncoder().encodeToString("héllo".getBytes(StandardCharsets.UTF_8)) + "\"}");
        assertThat(out.toString()).isEqualTo("stored 5 bytes at 0x400000 of domain 1099511627777" + NL);

        assertThat(run("store", Long.toString(DOMAIN), "--vaddr", "0x400000", "--hex", "de ad BE ef")).isZero();
        assertThat(core.body("POST /domains/store")).isEqualTo("{\"domain\":1099511627777,\"vaddr\":4194304," +
            "\"base64\":\"3q2+7w==\"}");

        final Path file = Files.write(dir.resolve("bytes"), new byte[]{ 0, 1, 2 });
        assertThat(run("store", Long.toString(DOMAIN), "--vaddr", "0x400000", "--in", file.toString(), "--json")).isZero();
        assertThat(core.body("POST /domains/store")).isEqualTo("{\"domain\":1099511627777,\"vaddr\":4194304," +
            "\"base64\":\"AAEC\"}");
        assertThat(out.toString()).isEqualTo("{\"core\":0,\"domain\":1099511627777,\"vaddr\":4194304,\"length\":5}" + NL);
    }

    @Test
    void refusalsFaultsAndIndefiniteOutcomesExitOneWithTheCoresSentence()
    {
        core.answer("POST /domains/map", 409, "{\"core\":0,\"outcome\":\"aborted\",\"transaction\":\"0:9:8\"," +
            "\"error\":\"core 1 voted no: the range overlaps mapping 5\"}");
        assertThat(run("map", Long.toString(DOMAIN), "--vaddr", "0", "--frame", "7", "--length", "4k"))
            .isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(failure()).isEqualTo("mk: vm map failed: aborted (transaction 0:9:8): core 1 voted no: the range " +
            "overlaps mapping 5");
        assertThat(out.toString()).isEmpty();

        final String fault = "{\"core\":0,\"outcome\":\"fault\",\"error\":\"load at 0x401000: no mapping at 0x401000 " +
            "in domain 1099511627777\"}";
        core.answer("POST /domains/load", 422, fault);
        assertThat(run("load", Long.toString(DOMAIN), "--vaddr", "0x401000", "--length", "4"))
            .isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(failure()).isEqualTo("mk: vm load failed: fault on core 0: load at 0x401000: no mapping at " +
            "0x401000 in domain 1099511627777");
        assertThat(run("load", Long.toString(DOMAIN), "--vaddr", "0x401000", "--length", "4", "--json"))
            .isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(out.toString()).as("--json prints the fault as it is").isEqualTo(fault + NL);

        core.answer("POST /domains/create", 400, "{\"core\":0,\"outcome\":\"invalid\",\"error\":\"core 0 creates only " +
            "domains it runs itself: add it to the cores [1, 2]\"}");
        assertThat(run("create", "--root", "5", "--cores", "1,2")).isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(failure()).isEqualTo("mk: vm create failed: core 0 refused: core 0 creates only domains it runs " +
            "itself: add it to the cores [1, 2]");

        core.answer("POST /domains/unmap", 504, "{\"core\":0,\"outcome\":\"indefinite\",\"error\":\"no outcome within " +
            "5000 ms; it may have committed: read /domains before retrying\"}");
        assertThat(run("unmap", Long.toString(DOMAIN), "--vaddr", "0", "--length", "4k")).isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(failure()).isEqualTo("mk: vm unmap failed: indefinite: no outcome within 5000 ms; it may have " +
            "committed: read /domains before retrying");

        core.answer("POST /domains/destroy", 500, "{\"error\":\"no answer recorded\",\"path\":\"/domains/destroy\"}");
        assertThat(run("destroy", Long.toString(DOMAIN))).isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(failure()).isEqualTo("mk: vm destroy failed: indefinite (HTTP 500): no answer recorded; it may have " +
            "committed: see mk vm list before retrying");
    }

    @Test
    void badFlagsAreRefusedBeforeAnyRequest()
    {
        final String domain = Long.toString(DOMAIN);
        refused("--root=0 is not a capability id", "create", "--root", "0", "--cores", "0");
        refused("--cores=-1 is negative: cores are numbered from 0", "create", "--root", "5", "--cores", "0,-1");
        refused("--cores=0,1,0 names a core twice", "create", "--root", "5", "--cores", "0,1,0");
        refused("--cores=5: core 5 is not in the cluster map", "create", "--root", "5", "--cores", "0,5");
        refused("--to=5: core 5 is not in the cluster map", "span", domain, "--to", "5");
        refused("--vaddr=0x400001 is not a multiple of the page size 4096 (0x1000)", "map", domain, "--vaddr",
            "0x400001", "--frame", "7", "--length", "4k");
        refused("--offset=100 is not a multiple of the page size 4096", "map", domain, "--vaddr", "0", "--frame", "7",
            "--length", "4k", "--offset", "100");
        refused("--length=5000 is not a multiple of the page size 4096", "unmap", domain, "--vaddr", "0", "--length",
            "5000");
        refused("--vaddr=1k is not a multiple of the page size 4096", "protect", domain, "--vaddr", "1k", "--length", "4k",
            "--rights", "read");
        refused("Missing required option: '--cores=CORE'", "create", "--root", "5");
        refused("DOMAIN=0 is not a domain id: ids are positive (see mk vm list)", "destroy", "0");
        refused("'x1' is not a long", "destroy", "x1");
        refused("--vaddr=0xzz is not an address: give hex (0x400000) or a size (4m, 4194304)",
            "map", domain, "--vaddr", "0xzz", "--frame", "7", "--length", "4k");
        refused("--vaddr=-4k is negative", "map", domain, "--vaddr", "-4k", "--frame", "7", "--length", "4k");
        refused("--length=0 is outside 1..", "map", domain, "--vaddr", "0", "--frame", "7", "--length", "0");
        refused("--frame=-7 is not a capability id", "map", domain, "--vaddr", "0", "--frame", "-7", "--length", "4k");
        refused("--rights=read,fly is not valid: right 'fly' is unknown", "map", domain, "--vaddr", "0", "--frame", "7",
            "--length", "4k", "--rights", "read,fly");
        refused("--rights=grant is not valid: a mapping has read, write and execute only", "map", domain, "--vaddr", "0",
            "--frame", "7", "--length", "4k", "--rights", "grant");
        refused("--rights=none leaves a mapping no access", "map", domain, "--vaddr", "0", "--frame", "7", "--length",
            "4k", "--rights", "none");
        refused("--rights=none leaves a mapping no access: give read, write or execute (unmap takes all access away)",
            "protect", domain, "--vaddr", "0", "--length", "4k", "--rights", "none");
        refused("--protocol=smoke is not one of unicast, broadcast, multicast, topo", "unmap", domain, "--vaddr", "0",
            "--length", "4k", "--protocol", "smoke");
        refused("Missing required option: '--rights=RIGHTS'", "protect", domain, "--vaddr", "0", "--length", "4k");
        refused("--to=-1 is negative", "span", domain, "--to", "-1");
        refused("--from=-3 is negative", "shrink", domain, "--from", "-3");
        refused("--length=" + (MAX + 1) + " is outside 1.." + MAX, "load", domain, "--vaddr", "0", "--length",
            String.valueOf(MAX + 1));
        refused("--out and --json: choose one", "load", domain, "--vaddr", "0", "--length", "4", "--out", "f", "--json");
        refused("is a directory; name a file", "load", domain, "--vaddr", "0", "--length", "4", "--out",
            System.getProperty("java.io.tmpdir"));
        refused("--hex=abz is not hex", "store", domain, "--vaddr", "0", "--hex", "abz");
        refused("nothing to store: --text is empty", "store", domain, "--vaddr", "0", "--text", "");
        refused("--text=STRING, --hex=HEX are mutually exclusive", "store", domain, "--vaddr", "0", "--text", "a",
            "--hex", "61");
        refused("Missing required argument (specify one of these)", "store", domain, "--vaddr", "0");
        refused("--text holds " + (MAX + 1) + " bytes, more than one store moves (" + MAX + ")", "store", domain,
            "--vaddr", "0", "--text", "x".repeat(MAX + 1));
        refused("--in=" + runDir.resolve("absent") + " cannot be read (NoSuchFileException", "store", domain,
            "--vaddr", "0", "--in", runDir.resolve("absent").toString());
        refused("--in=/dev/urandom holds more than " + MAX + " bytes, more than one store moves; store it in parts",
            "store", domain, "--vaddr", "0", "--in", "/dev/urandom");
        refused("DOMAIN=-2 is not a domain id", "list", "--domain", "-2");
        refused("--core=-1 is negative", "list", "--core", "-1");
        assertThat(core.received()).isEmpty();

        assertThat(MkCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true), "vm"))
            .isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("a subcommand is required: list, create, map, unmap, protect, span, " +
            "shrink, destroy, load, store");
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
            { "list", "--domain", "FINGERPRINT" },
            { "create", "--root", "--cores", "VNODE" },
            { "map", "--vaddr", "--frame", "--offset", "--length", "--rights" },
            { "unmap", "--vaddr", "--length", "--protocol", "shootdown" },
            { "protect", "--vaddr", "--length", "--rights", "--protocol" },
            { "span", "--to" },
            { "shrink", "--from", "--protocol" },
            { "destroy", "--protocol" },
            { "load", "--vaddr", "--length", "--out", "hex dump" },
            { "store", "--vaddr", "--text", "--hex", "--in" },
        };
        for (final String[] command : expected)
        {
            assertThat(run(command[0], "--help")).isZero();
            assertThat(out.toString().replaceAll("\\s+", " ")).as("vm %s --help", command[0])
                .contains("--core", "--run-dir", "--json", "Exit codes:", "indefinite (it may have committed")
                .contains(Stream.of(command).skip(1).toArray(String[]::new));
        }
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("list", "create", "map", "store", "Exit codes:");
    }
}
