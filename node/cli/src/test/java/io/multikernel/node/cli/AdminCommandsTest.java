package io.multikernel.node.cli;

import io.multikernel.common.ClusterSecret;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.security.SecureRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mk kv}, {@code mk 2pc} and {@code mk status} against a fake core's admin API: requests keep
 * their JSON, answers are read as the records each endpoint answers, and an answer of another shape
 * fails the command with one line naming the core, the request and what is wrong.
 */
class AdminCommandsTest
{
    /** A /status of a core that is up. */
    private static final String UP_STATUS = "{\"id\":0,\"host\":0,\"pid\":1,\"incarnation\":1,\"state\":\"up\"," +
        "\"uptime_ms\":5,\"metrics_url\":\"http://127.0.0.1/metrics\",\"peers_up\":0,\"peers_total\":0,\"peers\":[]}";

    @TempDir
    Path runDir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private FakeCore core;

    @BeforeEach
    void startFakeCore() throws IOException
    {
        core = FakeCore.start(runDir);
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
        final String[] full = java.util.stream.Stream.concat(java.util.Arrays.stream(args),
            java.util.stream.Stream.of("--run-dir", runDir.toString())).toArray(String[]::new);
        return MkCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true), full);
    }

    /** The failure's one line (a hint to use --verbose follows it). */
    private String failure()
    {
        return err.toString().lines().findFirst().orElse("");
    }

    @Test
    void putSendsTheRequestAsBeforeAndPrintsTheOutcome()
    {
        core.answer("POST /kv", "{\"outcome\":\"committed\",\"transaction\":\"0:7:3\",\"replicas\":[0]}");
        assertThat(run("kv", "put", "--replicas", "0", "k", "v")).as(err.toString()).isZero();
        assertThat(core.body("POST /kv")).isEqualTo("{\"replicas\":[0],\"key\":\"k\",\"value\":\"v\"}");
        assertThat(out.toString()).isEqualTo("committed 0:7:3 on replicas [0]" + System.lineSeparator());

        // Replicas the map does not list, or named twice, are usage errors: nothing is sent, no transaction spent.
        final int requests = core.received().size();
        assertThat(run("kv", "put", "--replicas", "0,9", "k", "v")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--replicas: core 9 is not in the cluster map");
        assertThat(run("kv", "put", "--replicas", "0,0", "k", "v")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--replicas names core 0 twice");
        assertThat(core.received()).hasSize(requests);

        assertThat(run("kv", "put", "--delete", "k")).isZero();
        assertThat(core.body("POST /kv")).isEqualTo("{\"key\":\"k\",\"delete\":true}");

        core.answer("POST /kv", "{\"outcome\":\"aborted\",\"transaction\":\"0:7:4\",\"replicas\":[0,1]," +
            "\"reason\":\"core 1 voted no: key locked\"}");
        core.status("POST /kv", 409);
        assertThat(run("kv", "put", "k", "v")).isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(failure()).isEqualTo("mk: kv put failed: aborted (transaction 0:7:4): core 1 voted no: key locked");

        core.answer("POST /kv", "{\"error\":\"replica 9 is not a core of the cluster map\",\"path\":\"/kv\"}");
        core.status("POST /kv", 400);
        assertThat(run("kv", "put", "k", "v")).isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(failure()).isEqualTo("mk: kv put failed: core 0 refused: replica 9 is not a core of the cluster map");
    }

    @Test
    void getReadsTheValueOrTheListing()
    {
        core.answer("GET /kv/k", "{\"key\":\"k\",\"value\":\"v\",\"core\":0}");
        assertThat(run("kv", "get", "k")).isZero();
        assertThat(out.toString()).isEqualTo("v" + System.lineSeparator());

        core.answer("GET /kv?limit=1", "{\"core\":0,\"count\":2,\"fingerprint\":\"ab12\",\"changes\":5,\"limit\":1," +
            "\"truncated\":true,\"entries\":{\"a\":\"1\"}}");
        assertThat(run("kv", "get", "--limit", "1")).isZero();
        assertThat(out.toString().lines()).containsExactly("core 0: 2 entries, fingerprint ab12 (first 1 shown)", "a=1");
        core.answer("GET /kv?limit=1", "{\"core\":0,\"count\":1,\"fingerprint\":\"ab12\",\"changes\":5,\"limit\":1," +
            "\"truncated\":false,\"entries\":{\"a\":\"1\"}}");
        out.getBuffer().setLength(0);
        assertThat(run("kv", "get", "--limit", "1")).isZero();
        assertThat(out.toString().lines().findFirst()).hasValueSatisfying(line -> assertThat(line)
            .startsWith("core 0: 1 entry, fingerprint ab12"));

        assertThat(run("kv", "get", "missing")).isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(failure()).isEqualTo("mk: kv get failed: no such endpoint");
    }

    @Test
    void anAnswerOfAnotherShapeFailsInOneLine()
    {
        core.answer("GET /kv/k", "{\"key\":\"k\",\"value\":\"v\",\"core\":0,\"colour\":\"red\"}");
        assertThat(run("kv", "get", "k")).isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(failure()).isEqualTo("mk: kv get failed: core 0's answer (HTTP 200) to GET /kv/k is not valid: " +
            "unknown field 'colour'");

        core.answer("GET /kv/k", "{\"key\":\"k\",\"value\":\"v\",\"core\":0}{}");
        assertThat(run("kv", "get", "k")).isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(failure()).isEqualTo("mk: kv get failed: core 0's answer (HTTP 200) to GET /kv/k is not valid: " +
            "data after the end of the JSON value at line 1, column 33");
        assertThat(err.toString()).doesNotContain("\tat ");

        core.answer("GET /2pc", "{\"core\":0,\"in_flight\":01}");
        assertThat(run("2pc", "in-doubt")).isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(failure()).isEqualTo("mk: 2pc in-doubt failed: core 0's answer (HTTP 200) to GET /2pc is not valid: " +
            "invalid numeric value: Leading zeroes not allowed at line 1, column 24");
    }

    @Test
    void inDoubtListsTheTransactionsAndDecideSendsTheDecision()
    {
        final String inDoubt = "{\"core\":0,\"incarnation\":9,\"fsync\":\"group\",\"data_dir\":\"/d\",\"failed\":false," +
            "\"in_flight\":1,\"prepared\":2,\"locks_held\":3,\"in_doubt_count\":1,\"in_doubt\":[{\"transaction\":\"1:4:2\"," +
            "\"coordinator\":1,\"coordinator_state\":\"down\",\"participants\":[0,1,2]," +
            "\"in_doubt_since_epoch_ms\":1700000000000,\"in_doubt_for_ms\":1500,\"queries_sent\":4}]}";
        core.answer("GET /2pc", inDoubt);
        assertThat(run("2pc", "in-doubt")).as(err.toString()).isZero();
        assertThat(out.toString().lines()).containsExactly("core 0: in doubt 1, in flight 1, prepared 2, locks held 3",
            String.format("%-32s %-16s %-20s %10s", "TRANSACTION", "COORDINATOR", "PARTICIPANTS", "FOR (ms)"),
            String.format("%-32s %-16s %-20s %10s", "1:4:2", "1 (down)", "[0, 1, 2]", "1500"));
        assertThat(run("2pc", "in-doubt", "--json")).isZero();
        assertThat(out.toString()).isEqualTo(inDoubt + System.lineSeparator());

        // A coordinator that is up still decides: the list says so rather than invite a decision by hand.
        core.answer("GET /2pc", inDoubt.replace("\"down\"", "\"up\""));
        out.getBuffer().setLength(0);
        assertThat(run("2pc", "in-doubt")).as(err.toString()).isZero();
        assertThat(out.toString().lines()).contains(String.format("%-32s %-16s %-20s %10s", "1:4:2", "1 (up)",
            "[0, 1, 2]", "1500"), "A transaction whose coordinator is up (or suspect, or this core) is waiting for its " +
            "decision, not lost: leave it; mk 2pc decide is for one whose coordinator is lost for good.");

        core.answer("POST /2pc/decide", "{\"transaction\":\"1:4:2\",\"decision\":\"abort\",\"applied\":true," +
            "\"message\":\"aborted by ops\"}");
        assertThat(run("2pc", "decide", "1:4", "abort", "--reason", "coordinator lost")).as("a malformed id")
            .isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("TRANSACTION: transaction id '1:4' is not core:incarnation:sequence, as " +
            "mk 2pc in-doubt lists it");
        assertThat(core.received()).as("nothing was sent").doesNotContain("POST /2pc/decide");
        assertThat(run("2pc", "decide", "1:4:2", "abort", "--reason", "coordinator lost", "--operator", "ops")).isZero();
        assertThat(core.body("POST /2pc/decide")).isEqualTo("{\"transaction\":\"1:4:2\",\"decision\":\"abort\"," +
            "\"reason\":\"coordinator lost\",\"operator\":\"ops\"}");
        assertThat(out.toString()).isEqualTo("abort of 1:4:2 applied on core 0: aborted by ops" + System.lineSeparator());
    }

    @Test
    void commandsSendTheClustersAdminTokenWhenTheRunDirectoryHasASecret()
    {
        core.answer("GET /kv/k", "{\"key\":\"k\",\"value\":\"v\",\"core\":0}");
        core.answer("GET /status", UP_STATUS);
        assertThat(run("kv", "get", "k")).as(err.toString()).isZero();
        assertThat(run("status")).as("every core up: " + out + err).isZero();
        assertThat(core.authorization("GET /kv/k")).as("no secret, no token").isEmpty();
        assertThat(core.authorization("GET /status")).isEmpty();

        final ClusterSecret secret = ClusterSecret.create(runDir.resolve(ClusterSecret.DEFAULT_FILE_NAME), new SecureRandom());
        assertThat(run("kv", "get", "k")).as(err.toString()).isZero();
        assertThat(run("status")).isZero();
        assertThat(core.authorization("GET /kv/k")).isEqualTo("Bearer " + secret.adminToken());
        assertThat(core.authorization("GET /status")).isEqualTo("Bearer " + secret.adminToken());
    }

    @Test
    void statusExitsWithItsOwnCodeWhenACoreIsDownSoScriptsCanWaitForTheCluster()
    {
        core.close();
        assertThat(run("status")).as(err.toString()).isEqualTo(StatusCommand.EXIT_NOT_ALL_UP);
        assertThat(out.toString()).contains("down");
        assertThat(run("status", "--json")).isEqualTo(StatusCommand.EXIT_NOT_ALL_UP);
        assertThat(out.toString()).startsWith("[{\"id\":0,\"host\":0,\"state\":\"down\"");
    }

    @Test
    void commandsNameTheProcessTheRunDirectoryRecordedForTheCore()
    {
        core.answer("GET /kv/k", "{\"key\":\"k\",\"value\":\"v\",\"core\":0}");
        assertThat(run("kv", "get", "k")).as(err.toString()).isZero();
        assertThat(core.expectedPid("GET /kv/k")).as("nothing recorded, nothing named").isEmpty();

        new io.multikernel.node.launcher.RunDirectory(runDir).writeProcesses(
            java.util.List.of(new io.multikernel.node.launcher.RunDirectory.Entry("core", 0, 4321)));
        assertThat(run("kv", "get", "k")).as(err.toString()).isZero();
        assertThat(core.expectedPid("GET /kv/k")).isEqualTo("4321");
    }

    @Test
    void aCommandThatRacesARestartOfItsCoreIsSentAgainToTheNewProcessAndOnlyThen()
    {
        final io.multikernel.node.launcher.RunDirectory runDirectory = new io.multikernel.node.launcher.RunDirectory(runDir);
        runDirectory.writeProcesses(java.util.List.of(new io.multikernel.node.launcher.RunDirectory.Entry("core", 0, 4321)));
        core.answer("GET /kv/k", "{\"key\":\"k\",\"value\":\"v\",\"core\":0}");
        // The core restarted as this command ran: its new process answers, and mk restart records it.
        core.servedAs(4322, () -> runDirectory.writeProcesses(
            java.util.List.of(new io.multikernel.node.launcher.RunDirectory.Entry("core", 0, 4322))));

        assertThat(run("kv", "get", "k")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("v");
        assertThat(core.expectedPid("GET /kv/k")).isEqualTo("4322");

        // Another process on the port, the record unchanged: refused, and not sent again.
        core.servedAs(9999, () -> { });
        assertThat(run("kv", "get", "k")).isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(failure()).contains("this admin port is served by process 9999, not by process 4322");
        assertThat(core.received().stream().filter("GET /kv/k"::equals).count()).as("twice for the first command, once for the second").isEqualTo(3);
    }

    @Test
    void aRecordedCoreStoppedBySignalIsNamedAtOnceInsteadOfWaitedFor() throws Exception
    {
        try (io.multikernel.node.util.StoppedProcess stopped = io.multikernel.node.util.StoppedProcess.start())
        {
            new io.multikernel.node.launcher.RunDirectory(runDir).writeProcesses(
                java.util.List.of(new io.multikernel.node.launcher.RunDirectory.Entry("core", 0, stopped.pid())));
            core.answer("GET /kv/k", "{\"key\":\"k\",\"value\":\"v\",\"core\":0}");

            final long startNs = System.nanoTime();
            assertThat(run("kv", "get", "k")).isEqualTo(MkCommand.EXIT_FAILURE);
            assertThat(java.time.Duration.ofNanos(System.nanoTime() - startNs)).as("no request timeout waited out")
                .isLessThan(AdminClient.REQUEST_TIMEOUT);
            assertThat(failure()).isEqualTo("mk: kv get failed: core 0 (pid " + stopped.pid() + ") is stopped by a " +
                "signal (SIGSTOP, or a debugger) and cannot answer until it continues (kill -CONT " + stopped.pid() + ")");
            assertThat(core.received()).as("nothing sent").doesNotContain("GET /kv/k");
        }
    }

    @Test
    void aCoreUpThatDoesNotSeeEveryPeerUpIsNoWholeClusterYet()
    {
        core.answer("GET /status", UP_STATUS.replace("\"peers_up\":0,\"peers_total\":0", "\"peers_up\":1,\"peers_total\":2"));
        assertThat(run("status")).as(out.toString()).isEqualTo(StatusCommand.EXIT_NOT_ALL_UP);
        assertThat(out.toString()).contains("1/2");
    }

    @Test
    void statusNamesAMediaDriverThatIsGoneAndExitsWithItsOwnCode() throws Exception
    {
        core.answer("GET /status", UP_STATUS);
        final Process exited = new ProcessBuilder("true").start();
        exited.waitFor();
        new io.multikernel.node.launcher.RunDirectory(runDir).writeProcesses(
            java.util.List.of(new io.multikernel.node.launcher.RunDirectory.Entry("driver", 0, exited.pid())));

        assertThat(run("status")).as(out.toString()).isEqualTo(StatusCommand.EXIT_NOT_ALL_UP);
        assertThat(out.toString()).contains("media driver of host 0: pid " + exited.pid() + ", gone");
        assertThat(run("status", "--json")).isEqualTo(StatusCommand.EXIT_NOT_ALL_UP);
        assertThat(out.toString()).startsWith("[{\"id\":0,\"host\":0,\"state\":\"up\"").doesNotContain("media driver");
        assertThat(err.toString()).startsWith("mk: media driver of host 0: pid " + exited.pid() + ", gone");
    }

    @Test
    void statusSaysWhyACoresAnswerIsNotAStatus()
    {
        core.answer("GET /status", "{\"id\":0,\"state\":\"up\"}");
        assertThat(run("status")).as("a suspect core").isEqualTo(StatusCommand.EXIT_NOT_ALL_UP);
        assertThat(out.toString()).contains("suspect")
            .contains("core 0's /status is not valid: field 'host' is missing" + System.lineSeparator());

        assertThat(run("status", "--json")).isEqualTo(StatusCommand.EXIT_NOT_ALL_UP);
        assertThat(out.toString()).startsWith("[{\"id\":0,\"host\":0,\"state\":\"suspect\",\"pid\":-1,").doesNotContain("not valid");
        assertThat(err.toString()).isEqualTo("mk: core 0's /status is not valid: field 'host' is missing" +
            System.lineSeparator());
    }
}
