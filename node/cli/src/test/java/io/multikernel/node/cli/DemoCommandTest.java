package io.multikernel.node.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mk demo}: every bad flag is a usage error (exit 2) with one line naming the flag and the
 * value, found before any cluster is started.
 */
class DemoCommandTest
{
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @TempDir
    Path tempDir;

    private int run(final String... args)
    {
        final String[] full = new String[args.length + 1];
        full[0] = "demo";
        System.arraycopy(args, 0, full, 1, args.length);
        return MkCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true), full);
    }

    private void assertUsageError(final String expected, final String... args)
    {
        err.getBuffer().setLength(0);
        assertThat(run(args)).as(String.join(" ", args)).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).as(String.join(" ", args)).startsWith("mk: ").contains(expected)
            .doesNotContain("\tat ");
    }

    @Test
    void helpListsEveryOption()
    {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("--cores", "--hosts", "--duration", "--rate", "--protocol", "--mix", "--json",
            "--keep", "--run-dir", "--seed", "--attach", "stale access");
    }

    @Test
    void aJsonFileThatCouldNotBeWrittenIsAUsageErrorBeforeTheRun() throws Exception
    {
        final Path file = Files.createFile(tempDir.resolve("a-file"));
        assertUsageError("--json " + file.resolve("out/summary.json") + " cannot be written: " + file +
            " is not a directory", "--json", file.resolve("out/summary.json").toString());
        assertUsageError("--json " + tempDir + " is a directory; name a file", "--json", tempDir.toString());
        assertThat(out.toString()).doesNotContain("verdict");
    }

    @Test
    void coresAndHostsOutsideTheirRangesAreUsageErrors()
    {
        assertUsageError("--cores=1 is outside 2..16", "--cores", "1");
        assertUsageError("--cores=17 is outside 2..16", "--cores", "17");
        assertUsageError("--cores", "--cores", "four");
        assertUsageError("--hosts=5 is outside 1..--cores (4)", "--hosts", "5");
        assertUsageError("--hosts=0 is outside", "--hosts", "0");
    }

    @Test
    void badDurationsAreUsageErrors()
    {
        assertUsageError("--duration=15 is not a whole number with a unit", "--duration", "15");
        assertUsageError("--duration=1.5s is not a whole number with a unit", "--duration", "1.5s");
        assertUsageError("--duration=PT15S is not a whole number", "--duration", "PT15S");
        assertUsageError("--duration=500ms is outside 1s..1h", "--duration", "500ms");
        assertUsageError("--duration=2h is outside 1s..1h", "--duration", "2h");
    }

    @Test
    void badMixesAreUsageErrors()
    {
        assertUsageError("--mix key 'jump' is unknown: use load, store, map", "--mix", "load=90,jump=10");
        assertUsageError("--mix percentages add up to 90, not 100", "--mix", "load=90");
        assertUsageError("--mix load=-5 is not a whole percentage", "--mix", "load=-5,store=105");
        assertUsageError("--mix names load twice", "--mix", "load=50,load=50");
        assertUsageError("--mix entry 'load' is not key=percent", "--mix", "load");
    }

    @Test
    void otherBadValuesAreUsageErrors() throws Exception
    {
        assertUsageError("--protocol=ring is not one of unicast, broadcast, multicast, topo, mixed", "--protocol", "ring");
        assertUsageError("--rate=-1 is outside 0..1000000", "--rate", "-1");
        assertUsageError("--timeout-s=0 is outside 1..3600", "--timeout-s", "0");
        Files.createDirectories(tempDir.resolve("used/data/core-0"));
        assertUsageError("holds the data of an earlier cluster", "--run-dir", tempDir.resolve("used").toString());
        assertThat(tempDir.resolve("used/cluster.yaml")).as("nothing started").doesNotExist();
    }

    @Test
    void goodFlagsMakeTheConfig() throws Exception
    {
        final picocli.CommandLine line = new picocli.CommandLine(new DemoCommand());
        line.parseArgs("--cores", "3", "--duration", "2m", "--protocol", "topo", "--seed", "9", "--rate", "100",
            "--run-dir", tempDir.resolve("run").toString(), "--mix", "load=100");
        final DemoRun.Config config = ((DemoCommand)line.getCommand()).config();
        assertThat(config.cores()).isEqualTo(3);
        assertThat(config.durationNs()).isEqualTo(120_000_000_000L);
        assertThat(config.protocol().cliName()).isEqualTo("topo");
        assertThat(config.seed()).isEqualTo(9);
        assertThat(config.ratePerS()).isEqualTo(100);
        assertThat(config.mix().toString()).isEqualTo("load=100");
        assertThat(config.runDirectory().root()).isEqualTo(tempDir.resolve("run"));
    }

    @Test
    void attachTakesTheRunningClustersCoresAndRefusesFlagsThatDoNotApply() throws Exception
    {
        final Path run = tempDir.resolve("attached");
        Files.createDirectories(run);
        Files.copy(Path.of(System.getProperty("user.dir")).resolve("../../deploy/compose/cluster.yaml").normalize(),
            run.resolve("cluster.yaml"));
        final picocli.CommandLine line = new picocli.CommandLine(new DemoCommand());
        line.parseArgs("--attach", "--run-dir", run.toString(), "--duration", "20s", "--seed", "4");
        final DemoRun.Config config = ((DemoCommand)line.getCommand()).config();
        assertThat(config.attach()).isTrue();
        assertThat(config.cores()).as("cores from the map").isEqualTo(4);
        assertThat(config.hosts()).as("hosts from the map").isEqualTo(3);
        assertThat(config.keep()).as("an attached cluster is never stopped, so nothing to keep").isFalse();
        assertThat(config.runDirectory().root()).isEqualTo(run);

        assertUsageError("--cores does not go with --attach", "--attach", "--run-dir", run.toString(), "--cores", "4");
        assertUsageError("--keep does not go with --attach", "--attach", "--run-dir", run.toString(), "--keep");

        err.getBuffer().setLength(0);
        assertThat(run("--attach", "--run-dir", tempDir.resolve("none").toString())).isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(err.toString()).contains("no cluster in").doesNotContain("\tat ");

        final Path gaps = tempDir.resolve("gaps");
        Files.createDirectories(gaps);
        Files.writeString(gaps.resolve("cluster.yaml"), Files.readAllLines(run.resolve("cluster.yaml")).stream()
            .filter(entry -> !entry.contains("{id: 1, host: 0")).collect(java.util.stream.Collectors.joining("\n")));
        assertUsageError("has cores [0, 2, 3]; the demo needs them numbered 0..2", "--attach", "--run-dir",
            gaps.toString());
    }
}
