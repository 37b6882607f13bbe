package io.multikernel.it;

import io.multikernel.node.cluster.ClusterMap;
import io.multikernel.node.cluster.TransportKind;
import io.multikernel.node.launcher.ClusterLauncher;
import io.multikernel.node.launcher.ClusterStatus;
import io.multikernel.node.bench.SkbDocument;
import io.multikernel.node.core.KernelMain;
import io.multikernel.node.launcher.ClusterStopper;
import io.multikernel.node.launcher.CoreStatus;
import io.multikernel.node.launcher.CpuPlacement;
import io.multikernel.node.launcher.KernelClassPath;
import io.multikernel.node.launcher.RunDirectory;
import io.multikernel.node.launcher.FreePorts;
import io.multikernel.node.launcher.StrictJson;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real cluster of core processes started by the launcher, pinned to CPUs (spread): every core and
 * media driver runs on the kernel jar alone, handshakes, SKB convergence, failure detection of a
 * killed and of a paused core, a restart with a new incarnation, and rejection of frames from the old
 * incarnation. The kernel jar holds no tool.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class CoreClusterIT
{
    static final int CORES = 4;
    /** Failure-detector timeouts of the cores under test, ms (fast, so the test is short). */
    static final long SUSPECT_MS = 600;
    static final long DOWN_MS = 1_500;
    /** What the kernel jar must not hold: ZooKeeper (a benchmark's peer) and the tools. */
    static final List<String> TOOL_PREFIXES = List.of("org/apache/zookeeper/", "io/multikernel/node/bench/",
        "io/multikernel/node/cli/", "io/multikernel/node/launcher/");

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
    void theKernelJarHoldsTheKernelAndNoTool() throws IOException
    {
        try (JarFile jar = new JarFile(kernelJar().toFile()))
        {
            final List<String> entries = jar.stream().map(JarEntry::getName).toList();
            assertThat(entries).as("entries of %s", kernelJar()).contains(KernelMain.class.getName().replace('.', '/') + ".class");
            assertThat(entries).as("tool entries in %s", kernelJar())
                .filteredOn(entry -> TOOL_PREFIXES.stream().anyMatch(entry::startsWith)).isEmpty();
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

        // Every process the launcher started (the host's media driver, the cores) runs the kernel jar alone.
        final List<RunDirectory.Entry> processes = runDirectory.processes();
        assertThat(processes).extracting(RunDirectory.Entry::kind).containsOnly("driver", "core").hasSize(CORES + 1);
        for (final RunDirectory.Entry process : processes)
        {
            assertRunsOnTheKernelJarAlone(process.kind() + " " + process.id(), process.pid());
        }

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
                get(map, 0, "/skb", SkbDocument.class).map(Object::toString).orElse("none"), ex);
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
        assertRunsOnTheKernelJarAlone("restarted core " + victim.id(), restarted.pid());
        awaitPeerState(map, victim.id(), "up", 30);
        final CoreStatus.Peer peer = peerView(map, 0, victim.id());
        assertThat(peer.incarnation()).isGreaterThan(oldIncarnation);
        assertThat(peer.restarts()).isGreaterThanOrEqualTo(1);

        // Frames from the old incarnation are rejected and counted (the injector's five heartbeats may
        // arrive batched in one frame, which is rejected as a whole).
        final String aeronDir = map.host(map.core(victim.id()).hostId()).aeronDir().orElseThrow();
        try (ManagedProcess injector = ManagedProcess.start("stale-injector", StaleFrameInjector.class, List.of(),
            List.of(aeronDir, "" + victim.id(), "" + oldIncarnation, "0", "5",
                runDirectory.root().resolve("cluster.secret").toString())))
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

    /** The kernel jar, as failsafe names it: a test that needs it fails without it. */
    private static Path kernelJar()
    {
        final String configured = System.getProperty(KernelClassPath.CLASS_PATH_PROP_NAME);
        assertThat(configured).as("-D%s, which failsafe sets to the kernel jar", KernelClassPath.CLASS_PATH_PROP_NAME)
            .isNotBlank().doesNotContain(java.io.File.pathSeparator);
        assertThat(Path.of(configured)).as("the kernel jar").isRegularFile();
        return Path.of(configured);
    }

    /**
     * The process runs {@link KernelMain} with a class path of exactly the kernel jar, and nothing else
     * that names a class path or a jar.
     */
    private static void assertRunsOnTheKernelJarAlone(final String what, final long pid) throws IOException
    {
        final List<String> arguments = List.of(new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
            StandardCharsets.UTF_8).split("\0"));
        final int classPath = arguments.indexOf("-cp");
        assertThat(classPath).as("%s has -cp: %s", what, arguments).isPositive();
        assertThat(arguments.get(classPath + 1)).as("%s's class path", what).isEqualTo(kernelJar().toString());
        assertThat(arguments.get(classPath + 2)).as("%s's main class", what).isEqualTo(KernelMain.class.getName());
        assertThat(arguments).as("%s's arguments", what).doesNotContain("-classpath", "--class-path", "-jar")
            .noneMatch(argument -> argument.startsWith("-Djava.class.path"));
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
            fingerprints.add(get(map, core, "/skb", SkbDocument.class).map(SkbDocument::fingerprint).orElse("none"));
        }
        return fingerprints;
    }

    private boolean allRttsMeasured(final ClusterMap map)
    {
        return get(map, 0, "/skb", SkbDocument.class)
            .map(skb -> skb.rttNs().size() == CORES && null == skb.firstUnmeasuredRow()).orElse(false);
    }

    private CoreStatus.Peer peerView(final ClusterMap map, final int observer, final int peer)
    {
        return get(map, observer, "/status", CoreStatus.class).orElseThrow().peer(peer);
    }

    private void awaitPeerState(final ClusterMap map, final int peer, final String state, final long timeoutS)
        throws InterruptedException
    {
        for (final int observer : map.coreIds())
        {
            if (observer != peer)
            {
                awaitTrue("core " + observer + " sees core " + peer + " " + state,
                    () -> get(map, observer, "/status", CoreStatus.class).map(s -> state.equals(s.peer(peer).state()))
                        .orElse(false),
                    timeoutS);
            }
        }
    }

    /**
     * @return what the core answers at {@code path}, read strictly as {@code type} (a document of another
     *         shape fails the test), or empty while it does not answer.
     */
    private <T> Optional<T> get(final ClusterMap map, final int core, final String path, final Class<T> type)
    {
        final HttpResponse<String> response;
        try
        {
            response = http.send(HttpRequest.newBuilder(URI.create(map.adminUrl(core) + path))
                .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        }
        catch (final IOException ex)
        {
            return Optional.empty();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
        return 200 == response.statusCode() ?
            Optional.of(StrictJson.read(response.body(), type, "core " + core + "'s " + path)) : Optional.empty();
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
