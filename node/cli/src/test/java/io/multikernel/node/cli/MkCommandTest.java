package io.multikernel.node.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad command lines get exit code 2 and one clear line, failures exit 1 without a stack trace unless
 * --verbose, and --help works everywhere.
 */
class MkCommandTest
{
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(final String... args)
    {
        return MkCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    @Test
    void helpIsAvailableAtEveryLevel()
    {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("driver", "bench", "Exit codes");
        assertThat(run("bench", "--help")).isZero();
        assertThat(out.toString()).contains("urpc");
        assertThat(run("bench", "urpc", "--help")).isZero();
        assertThat(out.toString()).contains("--transport", "--json", "--repeat");
        assertThat(run("driver", "--help")).isZero();
        assertThat(out.toString()).contains("--aeron-dir");
    }

    @Test
    void downInADirectoryHoldingOnlyAHostsMapSaysWhereItsCoresAreStopped(@org.junit.jupiter.api.io.TempDir
        final java.nio.file.Path dir) throws Exception
    {
        io.multikernel.node.cluster.ClusterMap.local(2, 1, io.multikernel.node.cluster.TransportKind.IPC)
            .writeTo(dir.resolve("cluster.yaml"));
        assertThat(run("down", "--run-dir", dir.toString())).isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(err.toString()).contains("nothing stopped: " + dir + " holds a cluster map but no processes that " +
            "mk up started here").contains("docker-compose stop");
    }

    @Test
    void helpNamesACommandAtAnyDepth()
    {
        assertThat(run("help", "kv", "put")).isZero();
        assertThat(out.toString()).startsWith("Usage: mk kv put ").contains("--replicas");
        out.getBuffer().setLength(0);
        assertThat(run("help", "2pc")).isZero();
        assertThat(out.toString()).startsWith("Usage: mk 2pc ").contains("in-doubt", "decide");
        out.getBuffer().setLength(0);
        assertThat(run("help")).isZero();
        assertThat(out.toString()).startsWith("Usage: mk ");
        assertThat(run("help", "kv", "nope")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("'nope' is not a command of mk kv: it has put, get");
    }

    @Test
    void anArgumentTakenForAnUnknownOptionIsNamedBeforeAMissingOne()
    {
        assertThat(run("2pc", "decide", "-1:-1:-1", "commit", "--reason", "r")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("unknown option '-1:-1:-1'; a value that starts with '-' goes after '--'")
            .doesNotContain("DECISION");
        assertThat(run("2pc", "decide", "--reason", "r", "--", "-1:-1:-1", "commit")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("TRANSACTION: transaction id '-1:-1:-1' is not core:incarnation:sequence: " +
            "none of them is negative");
    }

    @Test
    void versionIsAvailableAtEveryLevel()
    {
        for (final String[] args : new String[][]{ { "--version" }, { "kv", "--version" }, { "up", "-V" },
            { "kv", "put", "--version" }, { "bench", "urpc", "--version" } })
        {
            out.getBuffer().setLength(0);
            assertThat(run(args)).as(String.join(" ", args)).isZero();
            assertThat(out.toString()).as(String.join(" ", args)).startsWith("mk ");
        }
    }

    @Test
    void unknownCommandsAndFlagsAreUsageErrors()
    {
        assertThat(run("launch-missiles")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("mk: ").contains("launch-missiles");
        assertThat(run("bench", "urpc", "--no-such-flag")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--no-such-flag");
        assertThat(run()).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("a command is required");
        assertThat(run("bench")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("a benchmark is required: urpc");
        assertThat(run("stauts")).as("a near miss").isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("'stauts'; did you mean 'status'");
        assertThat(run("up", "--core", "3")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("did you mean '--cores'?");
        err.getBuffer().setLength(0);
        assertThat(run("launch-missiles")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).as("nothing near it").contains("launch-missiles").doesNotContain("did you mean");
        assertThat(run("ls")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).as("a short word is near no two-letter command").doesNotContain("did you mean");
    }

    @Test
    void badBenchmarkValuesNameTheFlagAndValue()
    {
        assertThat(run("bench", "urpc", "--repeat", "0")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--repeat=0 is outside 1..100");
        assertThat(run("bench", "urpc", "--transport", "carrier-pigeon")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--transport=carrier-pigeon is unknown");
        assertThat(run("bench", "urpc", "--idle", "nap")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("idle strategy 'nap' is unknown");
        assertThat(run("bench", "urpc", "--term-length", "1000")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--term-length=1000 is not a power of two");
        assertThat(run("bench", "urpc", "--term-length", "lots")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--term-length=lots is not a size");
        assertThat(run("bench", "urpc", "--payload", "-1")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(run("bench", "urpc", "--transport", "udp", "--payload", "2000")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--payload=2000: a payload of 2000 bytes is more than raw Aeron sends as " +
            "one message on udp with 262144-byte terms (1368 bytes in one frame)");
        assertThat(run("bench", "urpc", "--round-trips", "many")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).doesNotContain("Exception", "\tat ");
    }

    @Test
    void clusterCommandsRejectBadValuesAndMissingClusters(@org.junit.jupiter.api.io.TempDir final java.nio.file.Path dir)
        throws Exception
    {
        assertThat(run("up", "--cores", "0")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--cores=0 is outside 1..256");
        // mk down: a timeout outside its range is refused before anything is signalled.
        assertThat(run("down", "--timeout-s", "-1", "--run-dir", dir.toString())).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--timeout-s=-1 is outside 1..3600");
        assertThat(run("down", "--timeout-s", "10000000000000000", "--run-dir", dir.toString()))
            .as("a timeout whose milliseconds would overflow").isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(out.toString()).doesNotContain("stopped");
        assertThat(run("down", "--run-dir", dir.toString())).isZero();
        assertThat(out.toString()).contains("no cluster running in");
        assertThat(run("up", "--cores", "2", "--hosts", "3")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--hosts=3 is outside 1..--cores (2)");
        assertThat(run("up", "--transport", "pigeon")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--transport=pigeon is unknown: use ipc or udp");
        assertThat(run("up", "--admin-base-port", "65530", "--cores", "8")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--admin-base-port=65530 leaves no room for 8 cores");
        assertThat(run("up", "--admin-base-port", String.valueOf(Integer.MAX_VALUE), "--cores", "1"))
            .as("a base port whose sum with the cores overflows an int").isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--admin-base-port=" + Integer.MAX_VALUE + " leaves no room for 1 cores");
        assertThat(run("up", "--udp-base-port", String.valueOf(Integer.MAX_VALUE), "--cores", "1"))
            .isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--udp-base-port=" + Integer.MAX_VALUE + " leaves no room for 1 cores");
        assertThat(run("up", "--admin-base-port", "-1")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--admin-base-port=-1 is below 1024 (ports below it are privileged)");
        assertThat(run("up", "--udp-base-port", "0")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--udp-base-port=0 is below 1024");
        assertThat(run("up", "--shootdown-protocol", "smoke")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--shootdown-protocol=smoke is not one of unicast, broadcast, multicast, topo");

        final String empty = dir.resolve("none").toString();
        assertThat(run("status", "--run-dir", empty)).isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(err.toString()).contains("no cluster in " + empty + ": start one with 'mk up'");
        assertThat(run("down", "--run-dir", empty)).isZero();
        assertThat(out.toString()).contains("no cluster running in " + empty);

        assertThat(run("core", "--id", "1", "--cluster", dir.resolve("missing.yaml").toString()))
            .isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(err.toString()).contains("mk: core failed:").contains("missing.yaml").doesNotContain("\tat ");
        final java.nio.file.Path map = dir.resolve("cluster.yaml");
        java.nio.file.Files.writeString(map, "cores:\n  - {id: 0, host: 0, inbox: {ipc: true}, adminPort: 9400}\n" +
            "hosts:\n  - {id: 0}\n");
        assertThat(run("core", "--id", "0", "--cluster", map.toString())).isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(err.toString()).contains("cluster secret " + dir.resolve("cluster.secret") + " does not exist")
            .contains("mk secret --out");
        assertThat(run("secret", "--out", dir.resolve("cluster.secret").toString())).isZero();
        java.nio.file.Files.setPosixFilePermissions(dir.resolve("cluster.secret"),
            java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
        assertThat(run("core", "--id", "0", "--cluster", map.toString())).isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(err.toString()).contains("is accessible to others (mode rw-r-----)").contains("chmod 600");
        java.nio.file.Files.setPosixFilePermissions(dir.resolve("cluster.secret"),
            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        assertThat(run("core", "--id", "7", "--cluster", map.toString())).isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(err.toString()).contains("core 7 is not in the cluster map (cores: [0])");
        assertThat(run("core", "--cluster", map.toString())).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--id");
        assertThat(run("core", "--cluster", map.toString(), "--id", "0", "--idle", "x")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--idle=x: idle strategy 'x' is unknown");
    }

    @Test
    void failuresAreOneLineUnlessVerbose(@org.junit.jupiter.api.io.TempDir final java.nio.file.Path dir)
    {
        final String none = dir.resolve("none").toString();
        assertThat(run("status", "--run-dir", none)).isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(err.toString()).contains("mk: status failed: no cluster in")
            .contains("--verbose").doesNotContain("\tat ");

        err.getBuffer().setLength(0);
        assertThat(run("--verbose", "status", "--run-dir", none)).isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(err.toString()).contains("no cluster in").contains("\tat ");
    }

    @Test
    void theDriversFlagsAreCheckedBeforeItStartsAndABadOneIsBadUsage()
    {
        final String never = "/tmp/mk-test-never-started";
        assertThat(run("driver", "--threading", "turbo", "--aeron-dir", never)).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("threading=turbo is unknown");
        assertThat(run("driver", "--idle", "nap", "--aeron-dir", never)).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("idle strategy 'nap' is unknown");
        assertThat(run("driver", "--term-length", "2g", "--aeron-dir", never)).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--term-length=2147483648 bytes is outside 65536..1073741824 bytes");
        assertThat(run("driver", "--term-length", "3m", "--aeron-dir", never)).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("power of two");
        assertThat(run("driver", "--term-length", "abc", "--aeron-dir", never)).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(run("driver", "--liveness-timeout-ms", "-1", "--aeron-dir", never)).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--liveness-timeout-ms=-1 ms is outside 200..");
        assertThat(java.nio.file.Files.exists(java.nio.file.Path.of(never))).as("nothing started").isFalse();
        assertThat(run("driver", "--help")).isZero();
        assertThat(out.toString()).contains("mk-aeron-$USER under /dev/shm").doesNotContain("default: null");
    }

    @Test
    void replicationCommandsHaveHelpAndRefuseBadUsage()
    {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("kv", "2pc");
        assertThat(run("kv", "put", "--help")).isZero();
        assertThat(out.toString()).contains("--replicas", "--core", "--run-dir", "indefinite");
        assertThat(run("2pc", "decide", "--help")).isZero();
        assertThat(out.toString()).contains("--reason");
        assertThat(run("kv")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("a subcommand is required: put, get");
        assertThat(run("kv", "put")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(run("kv", "put", "k")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("VALUE is required");
        assertThat(run("kv", "put", "k", "v", "--delete")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--delete takes no VALUE");
        assertThat(run("kv", "put", "k", "x".repeat(100_000))).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("VALUE of 100000 bytes is longer than 16384 bytes");
        assertThat(run("kv", "put", "\u00e9".repeat(9_000), "v")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("KEY of 18000 bytes is longer than 16384 bytes");
        assertThat(run("kv", "put", "--help")).isZero();
        assertThat(out.toString()).contains("at most 16384 bytes of UTF-8");
        assertThat(run("kv", "put", "k", "v", "--replicas", "a,b")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(run("kv", "get", "--limit", "-1")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--limit=-1 is outside 0..10000");
        assertThat(run("2pc", "decide", "0:1:2", "maybe", "--reason", "r")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("DECISION=maybe is not commit or abort");
        assertThat(run("2pc", "decide", "0:1:2", "abort")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--reason");
        assertThat(run("2pc", "decide", "0:1:2", "abort", "--reason", "r", "--operator", " ")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--operator is blank");
        assertThat(run("kv", "put", "a\nb", "v")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("KEY contains a control character");
        assertThat(run("kv", "put", "k", "v", "--replicas", "0,-1")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--replicas=-1 is negative: cores are numbered from 0");
        assertThat(run("restart", "--core", "-1")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--core=-1 is negative");
        assertThat(run("up", "--fsync", "sometimes")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--fsync=sometimes is unknown: use always, group or none");
        assertThat(run("up", "--cpus", "all")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--cpus=all is unknown: use none, spread or dedicated");
        final java.nio.file.Path never = java.nio.file.Path.of("target", "mk-up-jit-never-" + ProcessHandle.current().pid());
        assertThat(run("up", "--jit", "c2", "--run-dir", never.toString())).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--jit=c2 is unknown: use tiered or c1");
        assertThat(never).as("nothing started").doesNotExist();
    }

    @Test
    void upTakesEachHostsMemoryAsASizeAndRejectsBadOnes()
    {
        assertThat(run("up", "--help")).isZero();
        assertThat(out.toString().replaceAll("\\s+", " ")).contains("--memory=SIZE", "(default: 16m)", "at most 1g");
        assertThat(io.multikernel.common.Sizes.parse("--memory", "16m"))
            .isEqualTo(io.multikernel.node.cluster.ClusterLimits.DEFAULT_HOST_MEMORY_BYTES);
        assertThat(io.multikernel.common.Sizes.parse("--memory", "1g"))
            .isEqualTo(io.multikernel.node.cluster.ClusterLimits.HOST_MEMORY_MAX_BYTES);

        assertThat(run("up", "--memory", "lots")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--memory=lots is not a size: expected a number with optional k, m or g suffix");
        assertThat(run("up", "--memory", "5000")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--memory=5000 is not a multiple of the 4096-byte page");
        assertThat(run("up", "--memory", "2g")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--memory=2g is out of range 4096..1073741824");
        assertThat(run("up", "--memory", "0")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--memory=0 is out of range 4096..1073741824");
        assertThat(run("up", "--cores", "5", "--hosts", "2", "--memory", "8k")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--memory=8k holds 2 page(s) of 4096 bytes, fewer than the 3 cores of a " +
            "host; use at least 12k or more --hosts");
        assertThat(err.toString()).doesNotContain("Exception", "\tat ");
    }

    @Test
    void replicationCommandsWithoutAClusterFailInOneLine(@org.junit.jupiter.api.io.TempDir final java.nio.file.Path dir)
    {
        assertThat(run("kv", "put", "k", "v", "--run-dir", dir.toString())).isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(err.toString()).contains("mk: kv put failed: no cluster in " + dir + ": start one with 'mk up'")
            .doesNotContain("\tat ");
        assertThat(run("2pc", "in-doubt", "--run-dir", dir.toString())).isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(err.toString()).contains("mk: 2pc in-doubt failed: no cluster in");
    }
}
