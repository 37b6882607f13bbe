package io.multikernel.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.multikernel.node.cli.MkCommand;
import io.multikernel.node.launcher.RunDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mk demo --duration 5s --cores 4} end to end: four core JVMs, an app per core over LRPC, the
 * whole mix, then the verdict. It passes only with no stale access and agreeing replicas; the JSON
 * holds the fields tools read, every call kind of the mix ran, and no process of the cluster is left.
 * Then {@code mk demo --attach} twice against a cluster {@code mk up} started: each run passes over
 * LRPC, and leaves the cluster running with no domain and no more capabilities than before.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DemoIT
{
    @TempDir
    Path tempDir;

    @Test
    void aFiveSecondDemoOnFourCoresPassesAndStopsItsCluster() throws Exception
    {
        final Path json = tempDir.resolve("demo.json");
        final Path runDir = tempDir.resolve("run");
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int exit = MkCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true),
            "demo", "--duration", "5s", "--cores", "4", "--seed", "42", "--run-dir", runDir.toString(),
            "--json", json.toString());
        assertThat(exit).as("stderr: %s", err).isZero();

        final JsonNode summary = new ObjectMapper().readTree(Files.readString(json));
        assertThat(summary.get("verdict").asText()).isEqualTo("pass");
        assertThat(summary.get("stale_accesses").asLong()).isZero();
        assertThat(summary.get("replicas_consistent").asBoolean()).isTrue();
        assertThat(summary.get("page_tables_compared").asBoolean()).as("every core answered /domains").isTrue();
        assertThat(summary.get("steps").asLong()).isPositive();
        for (final String call : new String[]{ "load", "store", "map", "unmap", "retype", "create" })
        {
            assertThat(summary.get("operations").has(call)).as("%s ran", call).isTrue();
            assertThat(summary.get("operations").get(call).get("count").asLong()).as("%s count", call).isPositive();
            assertThat(summary.get("operations").get(call).get("p99_us").asDouble()).as("%s p99", call)
                .isGreaterThanOrEqualTo(summary.get("operations").get(call).get("p50_us").asDouble());
        }
        assertThat(summary.get("shootdown_by_protocol").size()).as("unmaps took turns over the protocols").isPositive();
        assertThat(summary.get("two_phase_commit").get("committed").asLong()).isPositive();
        assertThat(summary.get("tlb_hit_rate").isNumber()).isTrue();
        assertThat(summary.get("metrics_urls")).hasSize(4);

        assertThat(ProcessHandle.allProcesses()
            .map(process -> process.info().commandLine().orElse(""))
            .filter(commandLine -> commandLine.contains(runDir.toString())))
            .as("processes of the demo's cluster still running").isEmpty();
    }

    @Test
    void aDemoToldToStopSaysSoStopsEveryProcessOfItsClusterAndGivesNoVerdict() throws Exception
    {
        final Path runDir = tempDir.resolve("interrupted");
        final List<ProcessHandle> cluster;
        try (ManagedProcess demo = ManagedProcess.start("demo-interrupted", MkCommand.class, List.of(),
            List.of("demo", "--duration", "60s", "--cores", "2", "--seed", "7", "--run-dir", runDir.toString())))
        {
            demo.awaitLine(line -> line.contains("] steps "), 120, TimeUnit.SECONDS);
            cluster = RunDirectory.resolve(runDir).processes().stream().map(RunDirectory::live)
                .flatMap(java.util.Optional::stream).toList();
            assertThat(cluster).as("two cores and a driver").hasSize(3);
            // SIGTERM rather than SIGINT: a JVM started by a non-interactive shell may ignore SIGINT, as its parent does.
            assertThat(new ProcessBuilder("kill", "-TERM", Long.toString(demo.pid())).start().waitFor()).isZero();

            assertThat(demo.awaitLine(line -> line.startsWith("mk demo: interrupted"), 30, TimeUnit.SECONDS))
                .isEqualTo("mk demo: interrupted; stopping the cluster, whose logs and data stay in " + runDir);
            assertThat(demo.awaitLine(line -> line.startsWith("stopped the cluster") || line.startsWith("verdict"),
                60, TimeUnit.SECONDS)).startsWith("stopped the cluster");
            assertThat(demo.awaitExit(60, TimeUnit.SECONDS)).as("128 + SIGTERM").isEqualTo(143);
            assertThat(demo.logTail()).as("stderr").doesNotContain("demo failed");
        }
        assertThat(cluster.stream().filter(ProcessHandle::isAlive)).as("processes of the stopped demo's cluster").isEmpty();
        assertThat(runDir.resolve("logs")).as("its logs stay").isDirectory();
    }

    @Test
    void aPassingDemoInATemporaryDirectoryOfItsOwnRemovesIt() throws Exception
    {
        final Path tmp = Files.createDirectories(tempDir.resolve("tmp"));
        try (ManagedProcess demo = ManagedProcess.start("demo-temporary", MkCommand.class,
            List.of("-Djava.io.tmpdir=" + tmp), List.of("demo", "--duration", "2s", "--cores", "2", "--seed", "8")))
        {
            final String cluster = demo.awaitLine(line -> line.startsWith("starting 2 core(s)"), 120, TimeUnit.SECONDS);
            assertThat(cluster).contains(tmp.toString());
            assertThat(demo.awaitLine(line -> line.startsWith("stopped the cluster"), 120, TimeUnit.SECONDS))
                .isEqualTo("stopped the cluster and removed its run directory (give --run-dir for one that stays)");
            assertThat(demo.awaitExit(60, TimeUnit.SECONDS)).isZero();
        }
        try (var left = Files.list(tmp))
        {
            assertThat(left.map(path -> path.getFileName().toString()).filter(name -> name.startsWith("mk-demo-")))
                .as("the demo's run directory").isEmpty();
        }
    }

    @Test
    void theDemoAttachedToARunningClusterPassesTwiceAndLeavesNothingBehind() throws Exception
    {
        final Path runDir = tempDir.resolve("attached");
        assertThat(mk("up", "--cores", "3", "--run-dir", runDir.toString())).as("mk up").isZero();
        try
        {
            // mk up's default compiler is C1 only (--jit c1): every core's recorded command line says so.
            for (int core = 0; core < 3; core++)
            {
                assertThat(Files.readAllLines(RunDirectory.resolve(runDir).coreCommandFile(core)))
                    .as("core %d's command line", core).contains("-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1");
            }
            final long capsBefore = json(mk("caps", "list", "--core", "0", "--json", "--run-dir", runDir.toString()),
                "count");
            for (int run = 0; run < 2; run++)
            {
                final Path summary = tempDir.resolve("attached-" + run + ".json");
                assertThat(mk("demo", "--attach", "--duration", "3s", "--seed", Integer.toString(run), "--run-dir",
                    runDir.toString(), "--json", summary.toString())).as("demo run %d: %s", run, err).isZero();
                final JsonNode report = new ObjectMapper().readTree(Files.readString(summary));
                assertThat(report.get("verdict").asText()).isEqualTo("pass");
                assertThat(report.get("cores").asInt()).isEqualTo(3);
                assertThat(report.get("operations").get("unmap").get("count").asLong()).isPositive();
                // The demo's last give-backs were answered at commit; a core may apply them a moment later.
                for (int core = 0; core < 3; core++)
                {
                    assertThat(settledCount(0, "vm", "list", "--core", Integer.toString(core), "--json", "--run-dir",
                        runDir.toString())).as("domains on core %d after run %d", core, run).isZero();
                }
                assertThat(settledCount(capsBefore, "caps", "list", "--core", "0", "--json", "--run-dir", runDir.toString()))
                    .as("capabilities after run %d", run).isEqualTo(capsBefore);
            }
        }
        finally
        {
            mk("down", "--run-dir", runDir.toString());
        }
    }

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int mk(final String... args)
    {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        return MkCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    /** @return the {@code count} a listing command prints, once it is {@code expected} or {@link Await#SETTLE_TIMEOUT_S} passed. */
    private long settledCount(final long expected, final String... args) throws Exception
    {
        return Await.settled(() -> json(mk(args), "count"), count -> expected == count);
    }

    /** @return a whole-number field of the JSON object the last command printed (the command must have passed). */
    private long json(final int exit, final String field) throws Exception
    {
        assertThat(exit).as("stderr: %s", err).isZero();
        final String text = out.toString();
        return new ObjectMapper().readTree(text.substring(text.indexOf('{'))).get(field).asLong();
    }
}
