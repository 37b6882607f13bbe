package io.multikernel.it;

import io.multikernel.node.cluster.ClusterMap;
import io.multikernel.node.cluster.TransportKind;
import io.multikernel.node.launcher.ClusterLauncher;
import io.multikernel.node.launcher.ClusterStatus;
import io.multikernel.node.launcher.ClusterStopper;
import io.multikernel.node.launcher.CpuPlacement;
import io.multikernel.node.launcher.RunDirectory;
import io.multikernel.node.launcher.FreePorts;
import io.multikernel.node.util.JsonReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real cluster of core processes started by the launcher, pinned to CPUs (spread): handshakes, SKB convergence, failure
 * detection of a killed and of a paused core, a restart with a new incarnation, and rejection of
 * frames from the old incarnation.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class CoreClusterIT
{
    static final int CORES = 4;
    /** Failure-detector timeouts of the cores under test, ms (fast, so the test is short). */
    static final long SUSPECT_MS = 600;
    static final long DOWN_MS = 1_500;

    @TempDir
    Path tempDir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private RunDirectory runDirectory;
    private ManagedProcess restarted;

    @AfterEach
    void stop() throws Exception
    {
        if (null != restarted)
        {
            restarted.kill();
        }
        if (null != runDirectory)
        {
            new ClusterStopper(runDirectory, System.out).down(5_000);
        }
    }

    @Test
    void clusterLifecycleWithKillPauseAndRestart() throws Exception
    {
        runDirectory = new RunDirectory(tempDir.resolve("run"));
        final int adminBase = FreePorts.range(CORES);
        final List<ClusterStatus.CoreRow> rows = launch(adminBase);
        assertThat(rows).hasSize(CORES).allMatch(ClusterStatus.CoreRow::seesAllPeers);
        final ClusterMap map = ClusterMap.load(runDirectory.clusterFile());

        // Spread placement: core i runs on CPU i mod C, every thread of it.
        final List<Integer> cpus = CpuPlacement.allowedCpus();
        for (int i = 0; i < CORES; i++)
        {
            final long pid = rows.get(i).pid();
            final String expected = Integer.toString(cpus.get(rows.get(i).id() % cpus.size()));
            try (var tasks = java.nio.file.Files.list(Path.of("/proc/" + pid + "/task")))
            {
                for (final Path task : tasks.toList())
                {
                    assertThat(CpuPlacement.cpusAllowedList(task.resolve("status"))).as("core %d thread %s", rows.get(i).id(), task)
                        .contains(expected);
                }
            }
        }

        // Every core converges on the same SKB (RTT matrix with a measured entry for every pair).
        try
        {
            awaitTrue("SKB matrices converge", () -> skbFingerprints(map).size() == 1 && allRttsMeasured(map), 60);
        }
        catch (final AssertionError ex)
        {
            throw new AssertionError(ex.getMessage() + "; fingerprints " + skbFingerprints(map) + ", core 0 /skb " +
                get(map, 0, "/skb").orElse(Map.of()), ex);
        }

        // kill -9: the others mark it down within the timeout.
        final ClusterStatus.CoreRow victim = rows.get(CORES - 1);
        final long oldIncarnation = victim.incarnation();
        ProcessHandle.of(victim.pid()).orElseThrow().destroyForcibly();
        final long killedAtMs = System.currentTimeMillis();
        awaitPeerState(map, victim.id(), "down", 10);
        assertThat(System.currentTimeMillis() - killedAtMs).isLessThan(DOWN_MS + 5_000);

        // Restart: accepted as a new incarnation.
        restarted = ManagedProcess.startKernel("core-" + victim.id() + "-restarted", coreJvmArgs(),
            List.of("core", "--id", "" + victim.id(), "--cluster", runDirectory.clusterFile().toString()));
        restarted.awaitLine(line -> line.startsWith("core " + victim.id() + " up:"), 60, TimeUnit.SECONDS);
        awaitPeerState(map, victim.id(), "up", 30);
        final Map<String, Object> peer = peerView(map, 0, victim.id());
        assertThat(((Number)peer.get("incarnation")).longValue()).isGreaterThan(oldIncarnation);
        assertThat(((Number)peer.get("restarts")).longValue()).isGreaterThanOrEqualTo(1);

        // Frames from the old incarnation are rejected and counted (the injector's five heartbeats may
        // arrive batched in one frame, which is rejected as a whole).
        final String aeronDir = map.host(map.core(victim.id()).hostId()).aeronDir().orElseThrow();
        try (ManagedProcess injector = ManagedProcess.start("stale-injector", StaleFrameInjector.class, List.of(),
            List.of(aeronDir, "" + victim.id(), "" + oldIncarnation, "0", "5")))
        {
            injector.awaitLine("SENT 5"::equals, 60, TimeUnit.SECONDS);
        }
        awaitTrue("stale frames counted at core 0",
            () -> metric(map, 0, "mk_urpc_rejected_total", "reason=\"stale_incarnation\"") >= 1, 20);

        // SIGSTOP longer than the down timeout, then SIGCONT: down, then up again.
        final long pausedPid = rows.get(1).pid();
        signal("STOP", pausedPid);
        try
        {
            awaitPeerState(map, rows.get(1).id(), "down", 10);
        }
        finally
        {
            signal("CONT", pausedPid);
        }
        awaitPeerState(map, rows.get(1).id(), "up", 20);
    }

    private List<ClusterStatus.CoreRow> launch(final int adminBase) throws Exception
    {
        final String props = "-Dmk.membership.suspect.timeout.ms=" + SUSPECT_MS +
            " -Dmk.membership.down.timeout.ms=" + DOWN_MS + " -Dmk.membership.heartbeat.interval.ms=100" +
            " -Dmk.core.rtt.probe.interval.ms=200 -Dmk.core.skb.row.interval.ms=1000" +
            " -Dmk.core.status.publish.interval.ms=50";
        final ClusterLauncher launcher = new ClusterLauncher(runDirectory, new PrintStream(System.out, true),
            List.of(props.trim().split(" ")));
        return launcher.up(new ClusterLauncher.Options(CORES, 1, TransportKind.IPC, adminBase, FreePorts.range(CORES),
            "backoff", 90_000, "group", "backoff", CpuPlacement.onAllowedCpus(CpuPlacement.Mode.SPREAD)));
    }

    private static List<String> coreJvmArgs()
    {
        return List.of("-Xmx128m", "-Dmk.membership.suspect.timeout.ms=" + SUSPECT_MS,
            "-Dmk.membership.down.timeout.ms=" + DOWN_MS, "-Dmk.membership.heartbeat.interval.ms=100");
    }

    private Set<String> skbFingerprints(final ClusterMap map)
    {
        final Set<String> fingerprints = new HashSet<>();
        for (final int core : map.coreIds())
        {
            fingerprints.add(String.valueOf(get(map, core, "/skb").map(m -> m.get("fingerprint")).orElse("none")));
        }
        return fingerprints;
    }

    @SuppressWarnings("unchecked")
    private boolean allRttsMeasured(final ClusterMap map)
    {
        final Map<String, Object> skb = get(map, 0, "/skb").orElse(Map.of());
        final Map<String, Object> rows = (Map<String, Object>)skb.getOrDefault("rtt_ns", Map.of());
        return rows.size() == CORES && rows.values().stream()
            .allMatch(row -> ((Map<String, Object>)row).values().stream().allMatch(v -> ((Number)v).longValue() >= 0));
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> peerView(final ClusterMap map, final int observer, final int peer)
    {
        final Map<String, Object> status = get(map, observer, "/status").orElseThrow();
        return ((List<Map<String, Object>>)status.get("peers")).stream()
            .filter(p -> ((Number)p.get("id")).intValue() == peer).findFirst().orElseThrow();
    }

    private void awaitPeerState(final ClusterMap map, final int peer, final String state, final long timeoutS)
        throws InterruptedException
    {
        for (final int observer : map.coreIds())
        {
            if (observer != peer)
            {
                awaitTrue("core " + observer + " sees core " + peer + " " + state,
                    () -> get(map, observer, "/status").isPresent() && state.equals(peerView(map, observer, peer).get("state")),
                    timeoutS);
            }
        }
    }

    private java.util.Optional<Map<String, Object>> get(final ClusterMap map, final int core, final String path)
    {
        try
        {
            final HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(map.adminUrl(core) + path))
                .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            return 200 == response.statusCode() ? java.util.Optional.of(JsonReader.parseObject(response.body())) :
                java.util.Optional.empty();
        }
        catch (final Exception ex)
        {
            return java.util.Optional.empty();
        }
    }

    private double metric(final ClusterMap map, final int core, final String name, final String label)
    {
        try
        {
            final String body = http.send(HttpRequest.newBuilder(URI.create(map.adminUrl(core) + "/metrics"))
                .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).body();
            return body.lines().filter(l -> l.startsWith(name + "{") && l.contains(label))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
        }
        catch (final Exception ex)
        {
            return -1;
        }
    }

    private static void awaitTrue(final String what, final java.util.function.BooleanSupplier condition,
        final long timeoutS) throws InterruptedException
    {
        final long deadlineMs = System.currentTimeMillis() + TimeUnit.SECONDS.toMillis(timeoutS);
        while (!condition.getAsBoolean())
        {
            if (System.currentTimeMillis() > deadlineMs)
            {
                throw new AssertionError(what + ": not within " + timeoutS + " s");
            }
            Thread.sleep(20);
        }
    }

    private static void signal(final String signal, final long pid) throws IOException, InterruptedException
    {
        final Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        assertThat(kill.waitFor()).as("kill -%s %d", signal, pid).isZero();
    }
}
