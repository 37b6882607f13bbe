package io.multikernel.node.launcher;

import com.sun.net.httpserver.HttpServer;
import io.multikernel.node.cluster.ClusterMap;
import io.multikernel.node.cluster.TransportKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code mk status} reads each core's {@code /status} strictly: a core that answers a document of
 * another shape is suspect, and the table says in one line what is wrong. The JSON of the rows keeps
 * its fields.
 */
class ClusterStatusTest
{
    /** A /status as a core writes it (CoreStatusWriter). */
    static final String STATUS = "{\"id\":%d,\"host\":0,\"pid\":4242,\"incarnation\":17,\"state\":\"up\"," +
        "\"uptime_ms\":1500,\"metrics_url\":\"http://127.0.0.1:9400/metrics\",\"peers_up\":2,\"peers_total\":2," +
        "\"peers\":[{\"id\":1,\"state\":\"up\",\"incarnation\":5,\"host\":0,\"last_heard_ms\":12,\"rtt_us\":30.5000," +
        "\"restarts\":0},{\"id\":2,\"state\":\"up\",\"incarnation\":6,\"host\":0,\"last_heard_ms\":-1," +
        "\"rtt_us\":-1.0000,\"restarts\":1}%s]}";

    @TempDir
    Path tempDir;

    private final List<HttpServer> servers = new ArrayList<>();

    @AfterEach
    void stopServers()
    {
        servers.forEach(server -> server.stop(0));
    }

    @Test
    void aMediaDriverWhoseProcessIsGoneIsSaidToBeAndOneRunningIsToo() throws Exception
    {
        final Process exited = new ProcessBuilder("true").start();
        exited.waitFor();
        final RunDirectory runDirectory = new RunDirectory(tempDir);
        runDirectory.writeProcesses(List.of(new RunDirectory.Entry("driver", 1, exited.pid()),
            new RunDirectory.Entry("core", 0, exited.pid()), new RunDirectory.Entry("driver", 0, exited.pid())));

        final List<ClusterStatus.DriverRow> drivers = ClusterStatus.drivers(runDirectory);

        assertThat(drivers).containsExactly(new ClusterStatus.DriverRow(0, exited.pid(), false, false),
            new ClusterStatus.DriverRow(1, exited.pid(), false, false));
        assertThat(ClusterStatus.driverLines(drivers)).startsWith("media driver of host 0: pid " + exited.pid() +
            ", gone: the cores of host 0 can no longer send or receive; 'mk down' then 'mk up' starts the host again");
        assertThat(ClusterStatus.driverLines(List.of(new ClusterStatus.DriverRow(2, 77, true, false))))
            .isEqualTo("media driver of host 2: pid 77, running" + System.lineSeparator());
        assertThat(ClusterStatus.drivers(new RunDirectory(tempDir.resolve("none")))).as("no cluster, no drivers").isEmpty();
    }

    @Test
    void readsEveryFieldOfACoresStatus()
    {
        final CoreStatus status = StrictJson.read(STATUS.formatted(0, ""), CoreStatus.class, "core 0's /status");

        assertThat(status.incarnation()).isEqualTo(17);
        assertThat(status.peersUp()).isEqualTo(2);
        assertThat(status.peer(2)).isEqualTo(new CoreStatus.Peer(2, "up", 6, 0, -1, -1.0, 1));
        assertThat(status.medianPeerRttUs()).isEqualTo(30.5);
        assertThatThrownBy(() -> status.peer(7)).hasMessage("core 0 lists no peer 7 in its /status");

        // Peer 1 down since its RTT was measured (its driver died): that RTT no longer counts.
        final CoreStatus cutOff = StrictJson.read(STATUS.formatted(0, "").replace("\"id\":1,\"state\":\"up\"",
            "\"id\":1,\"state\":\"down\""), CoreStatus.class, "core 0's /status");
        assertThat(cutOff.medianPeerRttUs()).isEqualTo(-1.0);
    }

    @Test
    void aCoreAnsweringAnotherShapeIsSuspectAndItsRowSaysWhy() throws IOException
    {
        final int adminBase = FreePorts.range(3);
        serve(adminBase, STATUS.formatted(0, ""));
        serve(adminBase + 1, STATUS.formatted(1, ",{\"id\":3,\"colour\":\"red\"}"));
        serve(adminBase + 2, STATUS.formatted(2, "") + "{}");
        final ClusterMap map = ClusterMap.local(4, 1, TransportKind.IPC, FreePorts.range(4), adminBase);

        final List<ClusterStatus.CoreRow> rows = new ClusterStatus().query(map, new RunDirectory(tempDir));

        assertThat(rows).extracting(ClusterStatus.CoreRow::state).containsExactly("up", "suspect", "suspect", "down");
        assertThat(rows.get(0).seesAllPeers()).isTrue();
        assertThat(rows.get(0).problem()).isNull();
        assertThat(rows.get(1).problem()).isEqualTo("core 1's /status is not valid: unknown field 'peers[2].colour'");
        assertThat(rows.get(2).problem()).startsWith("core 2's /status is not valid: data after the end of the JSON value");
        assertThat(rows.get(3).problem()).isNull();
        assertThat(ClusterStatus.table(rows)).contains(rows.get(1).problem() + System.lineSeparator(),
            rows.get(2).problem() + System.lineSeparator());
        assertThat(ClusterStatus.json(rows)).doesNotContain("problem", "not valid");
    }

    @Test
    void aDivergedCoreIsNotUpAndItsRowSaysWhyAndWhatCanBeDone() throws IOException
    {
        final int adminBase = FreePorts.range(2);
        serve(adminBase, STATUS.formatted(0, ""));
        serve(adminBase + 1, STATUS.formatted(1, "").replace("\"state\":\"up\",\"uptime_ms\"",
            "\"state\":\"diverged\",\"uptime_ms\"").replace("]}", "],\"reason\":\"core 0 knows transaction 0:1:9 " +
            "committed with core 1 as a participant, but core 1's write-ahead log holds no trace of it\"}"));
        final ClusterMap map = ClusterMap.local(2, 1, TransportKind.IPC, FreePorts.range(2), adminBase);

        final List<ClusterStatus.CoreRow> rows = new ClusterStatus().query(map, new RunDirectory(tempDir));

        assertThat(rows.get(0).isDiverged()).isFalse();
        assertThat(rows.get(0).problem()).isNull();
        assertThat(rows.get(1).state()).isEqualTo("diverged");
        assertThat(rows.get(1).isDiverged()).isTrue();
        assertThat(rows.get(1).seesAllPeers()).as("diverged is not up").isFalse();
        assertThat(rows.get(1).problem()).isEqualTo("core 1 runs, but its replicas diverged: core 0 knows transaction " +
            "0:1:9 committed with core 1 as a participant, but core 1's write-ahead log holds no trace of it. Nothing " +
            "rebuilds a core's replicas from its peers: restore its data directory from a backup taken after those " +
            "writes, or start a new cluster; until then read them from the other participants (mk kv get --core N)");
        assertThat(ClusterStatus.table(rows)).containsPattern("(?m)^1 +diverged ").contains(rows.get(1).problem());
        assertThat(ClusterStatus.json(rows)).contains("\"state\":\"diverged\"").doesNotContain("\"diverged\":");
    }

    @Test
    void aCoreWhosePortAnotherProcessAnswersIsNotTakenForUp() throws IOException
    {
        final int adminBase = FreePorts.range(2);
        serve(adminBase, STATUS.formatted(0, ""));
        serve(adminBase + 1, STATUS.formatted(1, ""));
        final ClusterMap map = ClusterMap.local(2, 1, TransportKind.IPC, FreePorts.range(2), adminBase);
        final RunDirectory runDirectory = new RunDirectory(tempDir);
        // Core 0 is recorded with the pid its /status gives; core 1 with another (it could not bind, say).
        runDirectory.writeProcesses(List.of(new RunDirectory.Entry("core", 0, 4242),
            new RunDirectory.Entry("core", 1, 4243)));

        final List<ClusterStatus.CoreRow> rows = new ClusterStatus().query(map, runDirectory);

        assertThat(rows.get(0).state()).isEqualTo("up");
        assertThat(rows.get(0).problem()).isNull();
        assertThat(rows.get(1).state()).isNotEqualTo("up");
        assertThat(rows.get(1).state()).as("its recorded process (no mk of ours) is gone").isEqualTo("down");
        assertThat(rows.get(1).seesAllPeers()).isFalse();
        assertThat(rows.get(1).problem()).isEqualTo("core 1's admin address " + map.adminUrl(1) + " is answered by " +
            "process 4242, not by the core this run directory started (pid 4243): another cluster holds its ports; " +
            "stop that one with mk down, or give this one other --admin-base-port and --udp-base-port");
    }

    @Test
    void aCoreWhoseProcessIsStoppedBySignalIsNamedWithHowToContinueIt() throws Exception
    {
        try (io.multikernel.node.util.StoppedProcess stopped = io.multikernel.node.util.StoppedProcess.start())
        {
            final List<ClusterStatus.CoreRow> rows = List.of(
                new ClusterStatus.CoreRow(0, 0, "up", ProcessHandle.current().pid(), 17, 1, 1, 12.3, "url", null),
                new ClusterStatus.CoreRow(1, 0, "suspect", stopped.pid(), -1, -1, -1, -1, "url", null),
                new ClusterStatus.CoreRow(2, 0, "down", -1, -1, -1, -1, -1, "url", null));

            assertThat(ClusterStatus.stoppedLines(rows)).isEqualTo("core 1 (pid " + stopped.pid() + ") is stopped by " +
                "a signal (SIGSTOP, or a debugger): its peers see it suspect, then down, until it continues (kill -CONT " +
                stopped.pid() + ")" + System.lineSeparator());
        }
    }

    @Test
    void jsonKeepsItsFieldsAndFigures()
    {
        assertThat(ClusterStatus.json(List.of(
            new ClusterStatus.CoreRow(0, 0, "up", 1234, 17, 3, 3, 12.3456789, "http://127.0.0.1:9400/metrics", null),
            new ClusterStatus.CoreRow(1, 1, "down", -1, -1, -1, -1, -1, "http://127.0.0.1:9401/metrics", null))))
            .isEqualTo("[{\"id\":0,\"host\":0,\"state\":\"up\",\"pid\":1234,\"incarnation\":17,\"peers_up\":3,\"peers_total\":3," +
                "\"rtt_p50_us\":12.3457,\"metrics_url\":\"http://127.0.0.1:9400/metrics\",\"rss_bytes\":-1," +
                "\"pss_bytes\":-1,\"cpu_percent\":-1.0000},{\"id\":1,\"host\":1,\"state\":\"down\"," +
                "\"pid\":-1,\"incarnation\":-1,\"peers_up\":-1,\"peers_total\":-1,\"rtt_p50_us\":-1.0000," +
                "\"metrics_url\":\"http://127.0.0.1:9401/metrics\",\"rss_bytes\":-1,\"pss_bytes\":-1," +
                "\"cpu_percent\":-1.0000}]");
    }

    @Test
    void theTableShowsWhatACoreCostsAndADashWhereItIsUnknown()
    {
        final String table = ClusterStatus.table(List.of(
            new ClusterStatus.CoreRow(0, 0, "up", 1234, 17, 3, 3, 12.3, "http://127.0.0.1:9400/metrics", null,
                118_372_000L, 86_567_000L, 1.25),
            new ClusterStatus.CoreRow(1, 1, "down", -1, -1, -1, -1, -1, "http://127.0.0.1:9401/metrics", null)));

        assertThat(table.lines().findFirst().orElseThrow()).contains("rss MB", "pss MB", "cpu %");
        assertThat(table.lines().skip(1).findFirst().orElseThrow()).contains(" 118.4 ", " 86.6 ", " 1.3 ");
        assertThat(table.lines().skip(2).findFirst().orElseThrow()).containsPattern("down +- +- +- +- +- +- +- ");
    }

    private void serve(final int port, final String body) throws IOException
    {
        servers.add(LoopbackHttp.serve(port, "/status", 200, body));
    }
}
