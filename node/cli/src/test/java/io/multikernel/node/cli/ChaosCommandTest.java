package io.multikernel.node.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mk chaos link|heal|links} against a fake core's admin API: what each sends to
 * {@code /chaos/links}, how it prints the answer, a core without chaos refusing in one line, and bad
 * flags refused before any request.
 */
class ChaosCommandTest
{
    private static final String LINKS = "{\"core\":0,\"seed\":42,\"delay_ms_max\":10000,\"delay_queue_frames_max\":4096," +
        "\"delay_queue_bytes_max\":8388608,\"queued_frames\":3,\"queued_bytes\":120,\"links\":[" +
        "{\"peer\":2,\"direction\":\"inbound\",\"drop\":1.0,\"delay_ms\":0,\"dropped_by_rule\":12," +
        "\"dropped_queue_full\":0,\"delayed\":0,\"queued_frames\":0}," +
        "{\"peer\":2,\"direction\":\"outbound\",\"drop\":0.25,\"delay_ms\":50,\"dropped_by_rule\":4," +
        "\"dropped_queue_full\":1,\"delayed\":9,\"queued_frames\":3}]}";
    private static final String NO_LINKS = "{\"core\":0,\"seed\":42,\"delay_ms_max\":10000," +
        "\"delay_queue_frames_max\":4096,\"delay_queue_bytes_max\":8388608,\"queued_frames\":0,\"queued_bytes\":0," +
        "\"links\":[]}";

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

    @Test
    void linkSendsTheRuleAndPrintsTheLinks()
    {
        core.answer("POST /chaos/links", LINKS);
        assertThat(run("chaos", "link", "--peer", "2", "--drop", "1")).as(err.toString()).isZero();
        assertThat(core.body("POST /chaos/links")).isEqualTo("{\"peer\":2,\"direction\":\"both\",\"drop\":1.0000}");
        assertThat(out.toString().lines()).containsExactly(
            "core 0: link to core 2, both directions: drop 1.0, delay 0 ms",
            "core 0: 2 link direction(s), 3 frame(s) held (120 bytes), drop seed 42",
            "PEER  DIRECTION   DROP DELAY (ms)   DROPPED  QUEUE FULL  DELAYED  HELD",
            "2     inbound    1.000          0        12           0        0     0",
            "2     outbound   0.250         50         4           1        9     3");

        assertThat(run("chaos", "link", "--peer", "2", "--direction", "outbound", "--delay-ms", "50")).isZero();
        assertThat(core.body("POST /chaos/links")).isEqualTo("{\"peer\":2,\"direction\":\"outbound\",\"delay_ms\":50}");
        assertThat(out.toString()).startsWith("core 0: link to core 2, outbound: drop 0.0, delay 50 ms");

        assertThat(run("chaos", "link", "--peer", "2", "--drop", "0.25", "--delay-ms", "50", "--json")).isZero();
        assertThat(core.body("POST /chaos/links"))
            .isEqualTo("{\"peer\":2,\"direction\":\"both\",\"drop\":0.2500,\"delay_ms\":50}");
        assertThat(out.toString()).isEqualTo(LINKS + System.lineSeparator());
    }

    @Test
    void healDeletesEveryLinkOrOnePeersAndLinksLists()
    {
        core.answer("DELETE /chaos/links", NO_LINKS);
        assertThat(run("chaos", "heal")).as(err.toString()).isZero();
        assertThat(out.toString().lines()).containsExactly("core 0: every link healed",
            "core 0: no link has had a rule, 0 frame(s) held (0 bytes), drop seed 42");

        core.answer("DELETE /chaos/links?peer=2", NO_LINKS);
        assertThat(run("chaos", "heal", "--peer", "2")).as(err.toString()).isZero();
        assertThat(out.toString()).startsWith("core 0: link to core 2 healed");

        core.answer("GET /chaos/links", LINKS);
        assertThat(run("chaos", "links")).as(err.toString()).isZero();
        assertThat(out.toString().lines()).hasSize(4)
            .first().isEqualTo("core 0: 2 link direction(s), 3 frame(s) held (120 bytes), drop seed 42");
        assertThat(core.received()).containsExactly("DELETE /chaos/links", "DELETE /chaos/links?peer=2",
            "GET /chaos/links");
    }

    @Test
    void aCoreWithoutChaosRefusesInOneLine()
    {
        core.answer("POST /chaos/links", 409, "{\"error\":\"core 0 was not started with --chaos, so its links have no " +
            "fault point; start the cluster with mk up --chaos (or the core with mk core --chaos)\",\"path\":\"/chaos/links\"}");
        assertThat(run("chaos", "link", "--peer", "1", "--drop", "1")).isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(failure()).isEqualTo("mk: chaos link failed: core 0 refused: core 0 was not started with --chaos, " +
            "so its links have no fault point; start the cluster with mk up --chaos (or the core with mk core --chaos)");
    }

    @Test
    void badFlagsAreRefusedBeforeAnyRequest()
    {
        assertUsage("--peer=-1 is negative", "chaos", "link", "--peer", "-1", "--drop", "1");
        assertUsage("--direction=sideways is not inbound, outbound or both", "chaos", "link", "--peer", "1",
            "--direction", "sideways", "--drop", "1");
        assertUsage("give --drop, --delay-ms or both", "chaos", "link", "--peer", "1");
        assertUsage("--drop=1.5 is outside 0..1", "chaos", "link", "--peer", "1", "--drop", "1.5");
        assertUsage("--drop=NaN is outside 0..1", "chaos", "link", "--peer", "1", "--drop", "NaN");
        assertUsage("--delay-ms=20000 is outside 0..10000", "chaos", "link", "--peer", "1", "--delay-ms", "20000");
        assertUsage("--delay-ms=-1 is outside 0..10000", "chaos", "link", "--peer", "1", "--delay-ms", "-1");
        assertUsage("--peer=-2 is negative", "chaos", "heal", "--peer", "-2");
        assertUsage("Missing required option: '--peer=CORE'", "chaos", "link", "--drop", "1");
        assertUsage("--peer=9: core 9 is not in the cluster map", "chaos", "link", "--peer", "9", "--drop", "1");
        assertUsage("--peer=9: core 9 is not in the cluster map", "chaos", "heal", "--peer", "9");
        assertThat(core.received()).isEmpty();
        final StringWriter usage = new StringWriter();
        assertThat(MkCommand.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(usage, true), "chaos"))
            .isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(usage.toString()).contains("a subcommand is required: run, link, heal, links");
    }

    private void assertUsage(final String message, final String... args)
    {
        assertThat(run(args)).as(String.join(" ", args)).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).as(String.join(" ", args)).contains(message);
    }

    private int run(final String... args)
    {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        final String[] full = Stream.concat(Arrays.stream(args), Stream.of("--run-dir", runDir.toString()))
            .toArray(String[]::new);
        return MkCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true), full);
    }

    private String failure()
    {
        return err.toString().lines().findFirst().orElse("");
    }
}
