package io.multikernel.node.cli;

import io.multikernel.node.cluster.ClusterMap;
import io.multikernel.node.cluster.TransportKind;
import io.multikernel.node.launcher.FreePorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class HostCommandTest
{
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(final String... args)
    {
        return MkCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    private Path map() throws Exception
    {
        final Path file = dir.resolve("cluster.yaml");
        ClusterMap.local(2, 2, TransportKind.IPC, FreePorts.range(2), FreePorts.range(2)).writeTo(file);
        return file;
    }

    @Test
    void withoutAMapOrAHostItSaysWhichIsMissing() throws Exception
    {
        assertThat(run("host", "--host", "0")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("no cluster map: give --cluster FILE or set $MK_CLUSTER_MAP");
        assertThat(run("host", "--cluster", map().toString())).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("no host: give --host ID or set $MK_HOST_ID");
        assertThat(run("host", "--cluster", map().toString(), "--host", "zero")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).as("the value may have come from the environment: both are named")
            .contains("--host (or $MK_HOST_ID)='zero' is not a host id: a host of the cluster map, numbered from 0");
    }

    @Test
    void aHostTheMapDoesNotListOrAMissingMapIsOneSentenceAndStartsNothing() throws Exception
    {
        assertThat(run("host", "--cluster", map().toString(), "--host", "7")).isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(err.toString()).contains("host 7 is not in cluster map").doesNotContain("Exception");
        assertThat(run("host", "--check", "--cluster", map().toString(), "--host", "7")).isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(run("host", "--cluster", dir.resolve("absent.yaml").toString(), "--host", "0"))
            .isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(err.toString()).contains("absent.yaml").doesNotContain("Exception");
        assertThat(Files.exists(dir.resolve("data"))).as("no data directory was made").isFalse();

        assertThat(run("host", "--cluster", map().toString(), "--host", "0", "--jit", "c2")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--jit=c2 is unknown: use tiered or c1");
        assertThat(Files.exists(dir.resolve("data"))).as("nothing started for a bad --jit").isFalse();
        assertThat(run("host", "--cluster", map().toString(), "--host", "0", "--fsync", "x")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--fsync=x is unknown: use always, group or none");
        assertThat(run("host", "--check", "--cluster", map().toString(), "--host", "0", "--fsync", "x"))
            .as("not ignored with --check").isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(Files.exists(dir.resolve("data"))).as("nothing started for a bad --fsync").isFalse();

        assertThat(run("host", "--cluster", map().toString(), "--host", "0", "--idle", "yield")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--idle=yield is not one of busy-spin, yielding, backoff, sleeping");
        assertThat(Files.exists(dir.resolve("data"))).as("nothing started for a bad --idle").isFalse();
    }

    @Test
    void preparingTheClassDataArchiveGoesAloneAndNeedsTheKernelAsOneJar()
    {
        assertThat(run("host", "--prepare-class-data-archive", "--check")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--prepare-class-data-archive does not go with --check");
        assertThat(run("host", "--prepare-class-data-archive", "--cluster", "cluster.yaml", "--host", "0"))
            .isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--prepare-class-data-archive does not go with --cluster: it starts no " +
            "host of a map");

        // Here the kernel is class directories, not a jar: refused before any cluster starts.
        assertThat(run("host", "--prepare-class-data-archive")).isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(err.toString()).contains("is not one jar").contains("no class-data archive goes with it")
            .doesNotContain("Exception");
        assertThat(out.toString()).doesNotContain("runs the demo");
    }

    @Test
    void theCheckOfAHostWhoseCoresDoNotRunFailsNamingTheCore() throws Exception
    {
        assertThat(run("host", "--check", "--cluster", map().toString(), "--host", "1")).isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(err.toString()).contains("core 1 does not answer at http://127.0.0.1:");
    }
}
