package io.multikernel.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.multikernel.common.ClusterSecret;
import io.multikernel.node.cli.MkCommand;
import io.multikernel.node.cluster.ClusterMap;
import io.multikernel.node.cluster.ClusterOverrides;
import io.multikernel.node.cluster.OverrideField;
import io.multikernel.node.cluster.TransportKind;
import io.multikernel.node.launcher.FreePorts;
import io.multikernel.node.launcher.RunDirectory;
import io.multikernel.transport.TransportConfiguration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static io.multikernel.it.Await.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mk host}, as a container runs it: two hosts of one cluster map, each a supervisor process
 * with its media driver and cores as children. A core killed with kill -9 takes its host down with a
 * failure status (for the restart policy) and nothing of that host is left running; the host started
 * again rejoins with a new incarnation over its data; SIGTERM stops a host's cores and driver.
 */
class HostSupervisorIT
{
    private static final int CORES = 3;
    private static final int HOSTS = 2;
    /** Longest until every core sees every peer after the hosts start, s. */
    private static final long UP_TIMEOUT_S = 90;
    /** Longest a host may take to stop after losing a core or after SIGTERM, s. */
    private static final long STOP_TIMEOUT_S = 30;

    @TempDir
    Path dir;

    private final List<ManagedProcess> hosts = new ArrayList<>();
    /** The hosts' media driver directories (in /dev/shm), this prefix and the host id. */
    private String aeronBase;

    @AfterEach
    void stopHosts() throws InterruptedException, IOException
    {
        final List<ProcessHandle> children = new ArrayList<>();
        try
        {
            for (final ManagedProcess host : hosts)
            {
                ProcessHandle.of(host.pid()).ifPresent(handle -> handle.descendants().forEach(child ->
                {
                    children.add(child);
                    child.destroyForcibly();
                }));
                host.kill();
            }
            awaitTrue("every host's driver and cores exited", () -> children.stream().noneMatch(ProcessHandle::isAlive),
                STOP_TIMEOUT_S);
        }
        finally
        {
            // A driver killed with its host leaves its directory behind: in memory, until removed.
            for (int host = 0; null != aeronBase && host < HOSTS; host++)
            {
                final Path aeronDir = Path.of(aeronBase + "-" + host);
                TestFiles.deleteTree(aeronDir);
                assertThat(aeronDir).as("host %d's driver directory, removed", host).doesNotExist();
            }
        }
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void aHostRunsItsCoresLosesThemTogetherComesBackAndStopsOnSigterm() throws Exception
    {
        final Path mapFile = writeMap();
        final ClusterMap map = ClusterMap.load(mapFile);
        assertThat(map.coresOn(0)).hasSize(2);
        assertThat(map.coresOn(1)).hasSize(1);
        final int lonely = map.coresOn(1).get(0).id();
        final AdminClient admin = new AdminClient(map);

        assertThat(check(mapFile, 0)).as("health of a host that is not running").isEqualTo(MkCommand.EXIT_FAILURE);

        final ManagedProcess host0 = startHost(mapFile, 0, "host-0");
        final ManagedProcess host1 = startHost(mapFile, 1, "host-1");
        awaitTrue("every core sees every other", admin::allSeeAll, UP_TIMEOUT_S);
        assertThat(check(mapFile, 0)).isZero();
        assertThat(check(mapFile, 1)).isZero();
        assertThat(children(host0)).as("host 0 runs a driver and two cores").hasSize(3);
        final long incarnationBefore = incarnation(admin, lonely);

        // kill -9 of host 1's only core: host 1 stops its driver and exits with 1.
        final ProcessHandle core = children(host1).stream()
            .filter(p -> RunDirectory.commandLine(p).orElse("").contains("--id " + lonely)).findFirst().orElseThrow();
        final List<ProcessHandle> host1Children = children(host1);
        core.destroyForcibly();
        host1.awaitLine(line -> line.equals("host 1 stopped because core " + lonely +
            " exited (status 137, killed by signal 9)"), STOP_TIMEOUT_S, TimeUnit.SECONDS);
        awaitTrue("host 1's supervisor exited", () -> !host1.isAlive(), STOP_TIMEOUT_S);
        assertThat(ProcessHandle.of(host1.pid()).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(host1Children).as("nothing of host 1 is left running").noneMatch(ProcessHandle::isAlive);
        assertThat(check(mapFile, 1)).isEqualTo(MkCommand.EXIT_FAILURE);

        // Started again: the core rejoins as a new incarnation.
        final ManagedProcess host1Again = startHost(mapFile, 1, "host-1-again");
        awaitTrue("every core sees every other after host 1 came back", admin::allSeeAll, UP_TIMEOUT_S);
        assertThat(incarnation(admin, lonely)).isGreaterThan(incarnationBefore);

        // SIGTERM: cores say goodbye and stop, then the driver; nothing is left.
        final List<ProcessHandle> host0Children = children(host0);
        ProcessHandle.of(host0.pid()).orElseThrow().destroy();
        host0.awaitLine("host 0 stopped"::equals, STOP_TIMEOUT_S, TimeUnit.SECONDS);
        awaitTrue("host 0's supervisor exited", () -> !host0.isAlive(), STOP_TIMEOUT_S);
        assertThat(host0Children).noneMatch(ProcessHandle::isAlive);
        awaitTrue("core " + lonely + " sees host 0's cores as gone", () -> admin.getObject(lonely, "/status")
            .map(status -> 0 == ((Number)status.get("peers_up")).intValue()).orElse(false), STOP_TIMEOUT_S);
        assertThat(host1Again.isAlive()).as("host 1 keeps running while its peers are gone").isTrue();
    }

    private Path writeMap() throws Exception
    {
        aeronBase = TransportConfiguration.aeronDirectory() + "-host-it-" + Long.toHexString(System.nanoTime());
        final Map<String, String> overrides = new HashMap<>();
        for (int host = 0; host < HOSTS; host++)
        {
            overrides.put(OverrideField.HOST_AERON_DIR.key(host), aeronBase + "-" + host);
            overrides.put(OverrideField.HOST_MEMORY_FILE.key(host), dir.resolve("memory-" + host).toString());
        }
        final ClusterMap map = ClusterMap.local(CORES, HOSTS, TransportKind.IPC, FreePorts.range(CORES), FreePorts.range(CORES))
            .withOverrides(ClusterOverrides.of(overrides));
        final Path file = dir.resolve("cluster.yaml");
        map.writeTo(file);
        ClusterSecret.create(dir.resolve(ClusterSecret.DEFAULT_FILE_NAME), new SecureRandom());
        return file;
    }

    private ManagedProcess startHost(final Path mapFile, final int host, final String name) throws Exception
    {
        final ManagedProcess process = ManagedProcess.start(name, MkCommand.class, List.of("-Xmx64m"),
            List.of("host", "--cluster", mapFile.toString(), "--host", Integer.toString(host),
                "--data-root", dir.resolve("data").toString()));
        hosts.add(process);
        return process;
    }

    private static int check(final Path mapFile, final int host)
    {
        return MkCommand.execute("host", "--check", "--cluster", mapFile.toString(), "--host", Integer.toString(host));
    }

    private static List<ProcessHandle> children(final ManagedProcess process)
    {
        return ProcessHandle.of(process.pid()).map(handle -> handle.children().toList()).orElse(List.of());
    }

    private static long incarnation(final AdminClient admin, final int core)
    {
        final Optional<Map<String, Object>> status = admin.getObject(core, "/status");
        assertThat(status).as("core %d's status", core).isPresent();
        return ((Number)status.get().get("incarnation")).longValue();
    }
}
