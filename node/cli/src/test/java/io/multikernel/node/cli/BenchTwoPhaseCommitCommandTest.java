package io.multikernel.node.cli;

import io.multikernel.node.bench.ReplicatedWriteBenchmark;
import io.multikernel.node.bench.ReplicatedWriteSystems;
import io.multikernel.node.launcher.CpuPlacement;
import io.multikernel.replication.wal.FsyncPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code mk bench 2pc}: every bad value is a usage error naming the flag and value, the defaults
 * are the issue's.
 */
class BenchTwoPhaseCommitCommandTest
{
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @TempDir
    Path dir;

    private int run(final String... args)
    {
        return MkCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    /**
     * Checked through parsing alone, so a value that slipped through could never start a benchmark.
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "--replicas|3,,4|'' is not an int",
        "--replicas|three|'three' is not an int",
        "--replicas|1|--replicas=1 is outside 2..64",
        "--replicas|3,65|--replicas=65 is outside 2..64",
        "--replicas|-3|--replicas=-3 is outside 2..64",
        "--fsync|sometimes|--fsync=sometimes is unknown: use none, group, always",
        "--fsync|none,,group|--fsync= is unknown",
        "--systems|etcd|--systems=etcd is unknown: use multikernel, zookeeper, aeron-cluster",
        "--systems|zookeeper,,multikernel|--systems= is unknown",
        "--ops|0|--ops=0 is outside 1..10000000",
        "--ops|-5|--ops=-5 is outside 1..10000000",
        "--ops|lots|'lots' is not an int",
        "--warmup|-1|--warmup=-1 is outside 0..10000000",
        "--throughput-seconds|0|--throughput-seconds=0 is outside 1..3600",
        "--throughput-seconds|many|'many' is not an int",
        "--warmup-seconds|-1|--warmup-seconds=-1 is outside 0..3600",
        "--warmup-seconds|3601|--warmup-seconds=3601 is outside 0..3600",
        "--inflight|0|--inflight=0 is outside 1..4096",
        "--inflight|5000|--inflight=5000 is outside 1..4096",
        "--payload|-1|--payload=-1 is outside 0..4096",
        "--payload|1000000|--payload=1000000 is outside 0..4096",
        "--repeat|0|--repeat=0 is outside 1..100",
        "--repeat|101|--repeat=101 is outside 1..100",
        "--cpus|all|--cpus=all is unknown: use none, spread or dedicated",
        "--cpus|''|--cpus= is unknown" })
    void badValuesAreUsageErrorsNamingTheFlag(final String flag, final String value, final String message)
    {
        assertThatThrownBy(() -> parse("--run-dir", dir.toString(), flag, value))
            .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining(message);
        assertThat(dir.resolve("bench-2pc")).doesNotExist();
    }

    @Test
    void badValuesExitWithUsageCodeAndOneLine()
    {
        assertThat(run("bench", "2pc", "--run-dir", dir.toString(), "--fsync", "sometimes")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(run("bench", "2pc", "--run-dir", dir.toString(), "--ops", "0")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(run("bench", "2pc", "--run-dir", dir.toString(), "--replicas", "3,,4")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("mk: --fsync=sometimes is unknown", "mk: --ops=0 is outside 1..10000000",
            "Run 'mk bench 2pc --help' for usage.").doesNotContain("Exception", "\tat ");
        assertThat(out.toString()).doesNotContain("starting");
        assertThat(dir.resolve("bench-2pc")).doesNotExist();
    }

    @Test
    void helpListsEveryOption()
    {
        assertThat(run("bench", "2pc", "--help")).isZero();
        assertThat(out.toString()).contains("--replicas", "--fsync", "--ops", "--warmup", "--warmup-seconds", "--throughput-seconds", "--inflight", "--systems",
            "--json", "--payload", "--repeat", "--run-dir", "--keep-data", "--cpus", "always group-commits");
        assertThat(run("bench", "--help")).isZero();
        assertThat(out.toString()).contains("2pc", "urpc");
    }

    @Test
    void defaultsAreTheIssuesAndListsAreDeduplicated()
    {
        final ReplicatedWriteBenchmark.Config defaults = parse("--run-dir", dir.toString());
        assertThat(defaults.systems()).containsExactly(ReplicatedWriteSystems.MULTIKERNEL, ReplicatedWriteSystems.ZOOKEEPER,
            ReplicatedWriteSystems.AERON_CLUSTER);
        assertThat(defaults.floor()).as("the floor is measured unless --no-floor").isTrue();
        assertThat(defaults.fsyncs()).containsExactly(FsyncPolicy.NONE, FsyncPolicy.GROUP, FsyncPolicy.ALWAYS);
        assertThat(defaults.replicas()).containsExactly(3, 4);
        assertThat(defaults.inflight()).isEqualTo(256);
        assertThat(List.of(defaults.ops(), defaults.warmupOps(), defaults.warmupSeconds(), defaults.throughputSeconds()))
            .containsExactly(10_000, 10_000, 10, 10);
        assertThat(defaults.runDirectory()).isEqualTo(dir.toAbsolutePath().normalize().resolve("bench-2pc"));
        assertThat(defaults.keepData()).isFalse();
        assertThat(defaults.cpus().mode()).isEqualTo(CpuPlacement.Mode.DEDICATED);
        assertThat(parse("--run-dir", dir.toString(), "--cpus", "None").cpus()).isSameAs(CpuPlacement.none());

        final ReplicatedWriteBenchmark.Config config = parse("--systems", "ZooKeeper,zookeeper", "--fsync",
            "always, NONE,always", "--replicas", "4,3,4", "--ops", "7", "--warmup", "0", "--warmup-seconds", "0",
            "--throughput-seconds", "9", "--inflight", "1",
            "--payload", "0", "--repeat", "3", "--keep-data", "--no-floor");
        assertThat(config.systems()).containsExactly(ReplicatedWriteSystems.ZOOKEEPER);
        assertThat(config.fsyncs()).containsExactly(FsyncPolicy.ALWAYS, FsyncPolicy.NONE);
        assertThat(config.replicas()).containsExactly(4, 3);
        assertThat(List.of(config.ops(), config.warmupOps(), config.warmupSeconds(), config.throughputSeconds(),
            config.inflight(), config.payloadBytes(), config.repeat())).containsExactly(7, 0, 0, 9, 1, 0, 3);
        assertThat(config.keepData()).isTrue();
        assertThat(config.floor()).isFalse();
        assertThat(Files.exists(dir.resolve("bench-2pc"))).isFalse();
    }

    private static ReplicatedWriteBenchmark.Config parse(final String... args)
    {
        final BenchTwoPhaseCommitCommand command = new BenchTwoPhaseCommitCommand();
        new CommandLine(command).parseArgs(args);
        return command.config();
    }
}
