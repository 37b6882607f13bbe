package io.multikernel.node.bench;

import io.multikernel.replication.wal.FsyncPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What the ensemble writes and checks before it starts anything (the running ensemble is tested in
 * it-tests).
 */
class ZooKeeperEnsembleTest
{
    @TempDir
    Path dir;

    @Test
    void configurationListsEveryServerOnLoopbackWithAdminOffAndItsOwnDataDirectory()
    {
        final List<ZooKeeperEnsemble.Server> servers = List.of(
            new ZooKeeperEnsemble.Server(1, 2181, 2881, 3881, dir),
            new ZooKeeperEnsemble.Server(2, 2182, 2882, 3882, dir),
            new ZooKeeperEnsemble.Server(3, 2183, 2883, 3883, dir));

        final String config = ZooKeeperEnsemble.configuration(servers.get(1), servers, 200);

        assertThat(config).contains("tickTime=200\n", "initLimit=50\n", "syncLimit=25\n",
            "dataDir=" + dir.resolve("server-2").toAbsolutePath() + "\n", "clientPort=2182\n",
            "clientPortAddress=127.0.0.1\n", "admin.enableServer=false\n", "4lw.commands.whitelist=srvr\n",
            "server.1=127.0.0.1:2881:3881\n", "server.2=127.0.0.1:2882:3882\n", "server.3=127.0.0.1:2883:3883\n");
        assertThat(config).doesNotContain("forceSync", "2181\n");
        assertThat(servers.get(1).config).isEqualTo(dir.resolve("server-2.cfg"));
        assertThat(servers.get(1).log).isEqualTo(dir.resolve("server-2.log"));
        assertThat(ZooKeeperEnsemble.configuration(servers.get(0), servers, 2000))
            .contains("initLimit=10\n", "syncLimit=5\n");
    }

    @Test
    void freePortsAreDistinctAndUsable() throws Exception
    {
        final int[] ports = ZooKeeperEnsemble.freeLoopbackPorts(9);
        assertThat(Arrays.stream(ports).distinct().count()).isEqualTo(9);
        assertThat(Arrays.stream(ports).boxed().toList()).allMatch(port -> port > 0 && port <= 65_535);
    }

    @Test
    void contextRejectsBadValuesNamingThem()
    {
        assertThatThrownBy(() -> new ZooKeeperEnsemble.Context().conclude())
            .hasMessage("directory is not set");
        assertThatThrownBy(() -> new ZooKeeperEnsemble.Context().directory(dir).servers(0).conclude())
            .hasMessage("servers=0 is outside 1..9");
        assertThatThrownBy(() -> new ZooKeeperEnsemble.Context().directory(dir).servers(10).conclude())
            .hasMessage("servers=10 is outside 1..9");
        assertThatThrownBy(() -> new ZooKeeperEnsemble.Context().directory(dir).tickTimeMs(1).conclude())
            .hasMessage("tickTimeMs=1 is outside 10..10000");
        assertThatThrownBy(() -> new ZooKeeperEnsemble.Context().directory(dir).serverHeapMb(8).conclude())
            .hasMessage("serverHeapMb=8 is outside 32..32768");
        assertThatThrownBy(() -> new ZooKeeperEnsemble.Context().directory(dir).startTimeoutNs(0).conclude())
            .hasMessage("startTimeoutNs=0 is not positive");
        assertThat(new ZooKeeperEnsemble.Context().directory(dir).conclude().nanoClock()).isNotNull();
    }

    @Test
    void dataDirectoryNoteWarnsWhenFsyncCannotReachADisk()
    {
        final String note = ReplicatedWriteBenchmark.dataDirectoryNote(dir, List.of(FsyncPolicy.GROUP));
        assertThat(note).startsWith("data and logs under " + dir.toAbsolutePath());
        final Path shm = Path.of("/dev/shm");
        if (shm.toFile().isDirectory())
        {
            assertThat(ReplicatedWriteBenchmark.dataDirectoryNote(shm, List.of(FsyncPolicy.ALWAYS)))
                .contains("(tmpfs)", "WARNING", "never reaches a disk");
            assertThat(ReplicatedWriteBenchmark.dataDirectoryNote(shm, List.of(FsyncPolicy.NONE)))
                .doesNotContain("WARNING");
        }
    }
}
