package io.multikernel.node.launcher;

import io.multikernel.node.cluster.ClusterMap;
import io.multikernel.node.cluster.TransportKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What {@code mk up} writes into a run directory is owner-only from the moment it exists: the
 * directory, its logs, the processes file and the cluster map; a run directory of an older build that
 * was open to others is tightened.
 */
class RunDirectoryTest
{
    @TempDir
    Path dir;

    @Test
    void aRunDirectoryThatIsAFileOrCannotBeMadeIsNamedWithTheReason() throws Exception
    {
        final java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve("README.md"), "not a run directory");
        assertThatThrownBy(() -> new RunDirectory(file).createOwnerOnly()).isInstanceOf(java.io.UncheckedIOException.class)
            .hasMessage("the run directory " + file + " is a file, not a directory: give --run-dir (or $MK_RUN_DIR) " +
                "a directory");
        final java.nio.file.Path underAFile = file.resolve("run");
        assertThatThrownBy(() -> new RunDirectory(underAFile).createOwnerOnly())
            .hasMessageStartingWith("cannot make the run directory " + underAFile + " owner-only: cannot use ")
            .hasMessageNotContaining("owner-only: " + underAFile + " (");
    }

    @Test
    void oneCommandAtATimeStartsOrStopsTheProcessesOfARunDirectory() throws Exception
    {
        final RunDirectory missing = new RunDirectory(dir.resolve("none"));
        assertThat(missing.lockForChange("mk down")).as("nothing to change in a directory that is not there").isNull();
        assertThat(dir.resolve("none")).doesNotExist();

        final RunDirectory run = new RunDirectory(dir.resolve("run")).createOwnerOnly();
        final String pid = String.valueOf(ProcessHandle.current().pid());
        try (io.multikernel.common.ProcessLock first = run.lockForChange("mk restart --core 1"))
        {
            assertThat(first).isNotNull();
            final String refusal = "mk restart --core 1 (pid " + pid + ") is starting or stopping processes of " +
                run.root() + ": wait for it to finish, then try again";
            assertThatThrownBy(() -> run.lockForChange("mk restart --core 1")).hasMessage(refusal);
            assertThatThrownBy(() -> new ClusterLauncher(run, System.out).restartCore(1, false, 1_000))
                .hasMessage(refusal);
        }
        run.lockForChange("mk down").close();
        assertThat(run.root().resolve(RunDirectory.CHANGE_LOCK_FILE)).exists();
        assertThat(RunDirectory.CHANGE_LOCK_FILE).as("hidden: a directory holding only the lock is not taken for a " +
            "run directory").startsWith(".");
    }

    @Test
    void aDirectoryHoldingOnlyAClusterMapIsNotWhereItsCoresAreStoppedOrRestarted() throws Exception
    {
        // A container's /etc/mk: the hosts' map, mounted; its cores run under mk host, not mk up.
        final RunDirectory mounted = new RunDirectory(Files.createDirectories(dir.resolve("etc-mk")));
        ClusterMap.local(2, 1, TransportKind.IPC).writeTo(mounted.clusterFile());
        assertThat(mounted.notStartedHere()).isEqualTo(mounted.root() + " holds a cluster map but no processes that " +
            "mk up started here (no " + mounted.processesFile() + "): its cores run where their hosts run; stop or " +
            "restart them there (in docker-compose: docker-compose stop, or docker-compose restart host-N)");
        assertThatThrownBy(() -> new ClusterLauncher(mounted, System.out).restartCore(1, false, 1_000))
            .hasMessage("core 1 cannot be restarted from here: " + mounted.notStartedHere());

        // A run directory of mk up after mk down: the same map and no processes, but its logs stay.
        final RunDirectory stopped = new RunDirectory(dir.resolve("run")).createOwnerOnly();
        ClusterMap.local(2, 1, TransportKind.IPC).writeTo(stopped.clusterFile());
        assertThat(stopped.notStartedHere()).isNull();
    }

    @Test
    void aNewRunDirectoryAndEverythingWrittenIntoItAreOwnerOnly() throws IOException
    {
        final RunDirectory run = new RunDirectory(dir.resolve("run")).createOwnerOnly();
        ClusterMap.local(2, 1, TransportKind.IPC).writeTo(run.clusterFile());
        run.writeProcesses(List.of(new RunDirectory.Entry("driver", 0, 11), new RunDirectory.Entry("core", 0, 12)));
        final Path log = run.createLog("core", 0);

        assertThat(permissions(run.root())).isEqualTo("rwx------");
        assertThat(permissions(run.logs())).isEqualTo("rwx------");
        assertThat(permissions(log)).isEqualTo("rw-------");
        assertThat(permissions(run.processesFile())).isEqualTo("rw-------");
        assertThat(permissions(run.clusterFile())).isEqualTo("rw-------");
        assertThat(run.processes()).containsExactly(new RunDirectory.Entry("driver", 0, 11), new RunDirectory.Entry("core", 0, 12));
    }

    @Test
    void aRunDirectoryOpenToOthersIsTightenedAndItsLogsKept() throws IOException
    {
        final RunDirectory run = new RunDirectory(dir.resolve("old-run"));
        Files.createDirectories(run.logs());
        Files.createDirectories(run.dataDirectory(0));
        final Path log = Files.writeString(run.log("driver", 0), "earlier run\n");
        Files.writeString(run.processesFile(), "core 0 12\n");
        for (final Path path : List.of(run.root(), run.logs(), run.root().resolve("data")))
        {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.setPosixFilePermissions(log, PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(run.processesFile(), PosixFilePermissions.fromString("rw-rw-rw-"));

        run.createOwnerOnly();
        run.createLog("driver", 0);
        run.writeProcesses(List.of(new RunDirectory.Entry("core", 0, 13)));

        assertThat(permissions(run.root())).isEqualTo("rwx------");
        assertThat(permissions(run.logs())).isEqualTo("rwx------");
        assertThat(permissions(run.root().resolve("data"))).isEqualTo("rwx------");
        assertThat(permissions(log)).isEqualTo("rw-------");
        assertThat(Files.readString(log)).isEqualTo("earlier run\n");
        assertThat(permissions(run.processesFile())).isEqualTo("rw-------");
    }

    private static String permissions(final Path path) throws IOException
    {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    @Test
    void anLrpcFileIsFoundUnderTheRunDirectoryElseUnderMkHostsDataRoot(@TempDir final Path base) throws IOException
    {
        final RunDirectory run = new RunDirectory(base.resolve("etc-mk"));
        final Path dataRoot = base.resolve("var-lib-mk");
        assertThat(run.findLrpcFile(0, dataRoot.toString())).as("none exists: the run directory's, for the error")
            .isEqualTo(run.lrpcFile(0));

        final Path hosted = dataRoot.resolve("lrpc").resolve("core-0.lrpc");
        Files.createDirectories(hosted.getParent());
        Files.createFile(hosted);
        assertThat(run.findLrpcFile(0, dataRoot.toString())).as("$MK_DATA_ROOT, as in the image").isEqualTo(hosted);
        assertThat(run.findLrpcFile(0, null)).as("without it").isEqualTo(run.lrpcFile(0));

        final Path besideTheMap = run.root().resolve("data").resolve("lrpc").resolve("core-0.lrpc");
        Files.createDirectories(besideTheMap.getParent());
        Files.createFile(besideTheMap);
        assertThat(run.findLrpcFile(0, null)).as("mk host's default data root, data/ beside the map").isEqualTo(besideTheMap);

        Files.createDirectories(run.lrpcFile(0).getParent());
        Files.createFile(run.lrpcFile(0));
        assertThat(run.findLrpcFile(0, dataRoot.toString())).as("mk up's own comes first").isEqualTo(run.lrpcFile(0));
        assertThat(run.findLrpcFile(1, dataRoot.toString())).isEqualTo(run.lrpcFile(1));
    }
}
