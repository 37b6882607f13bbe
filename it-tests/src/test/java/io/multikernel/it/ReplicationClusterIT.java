package io.multikernel.it;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import com.fasterxml.jackson.core.type.TypeReference;
import io.multikernel.node.cli.MkCommand;
import io.multikernel.node.cluster.ClusterMap;
import io.multikernel.node.cluster.TransportKind;
import io.multikernel.node.launcher.ClusterLauncher;
import io.multikernel.node.launcher.ClusterStatus;
import io.multikernel.node.launcher.ClusterStopper;
import io.multikernel.node.launcher.CoreStatus;
import io.multikernel.node.launcher.RunDirectory;
import io.multikernel.node.launcher.FreePorts;
import io.multikernel.node.launcher.StrictJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Replication across real core JVMs started by the launcher: transactions reach every replica, and a
 * coordinator killed at a known point of 2PC (the chaos freeze hook, then kill -9) leaves its
 * participants in doubt, never guessing, until it restarts from its data directory and the
 * transaction resolves the way its write-ahead log says: aborted when it died after PREPARE, committed
 * when it died after its COMMIT record was durable.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicationClusterIT
{
    static final int CORES = 4;
    static final int COORDINATOR = 0;
    static final List<Integer> REPLICAS = List.of(0, 1, 2, 3);
    /** Core JVM settings: fast failure detection, a vote timeout that a cold 2-CPU machine meets. */
    static final List<String> CORE_PROPERTIES = List.of("-Dmk.membership.suspect.timeout.ms=600",
        "-Dmk.membership.down.timeout.ms=1500", "-Dmk.membership.heartbeat.interval.ms=100",
        "-Dmk.core.status.publish.interval.ms=50", "-Dmk.replication.prepare.timeout=2s",
        "-Dmk.replication.admin.timeout.ms=3000");
    /** The replication endpoints answer documents of their own shapes; these tests read them as maps. */
    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>()
    {
    };

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private RunDirectory runDirectory;
    private ClusterMap map;
    private long coordinatorPid;
    private List<ClusterStatus.CoreRow> launchedRows;
    private final List<ManagedProcess> restarted = new ArrayList<>();

    @BeforeAll
    void launch(@TempDir final Path tempDir) throws Exception
    {
        runDirectory = new RunDirectory(tempDir.resolve("run"));
        final ClusterLauncher launcher = new ClusterLauncher(runDirectory, new PrintStream(System.out, true),
            CORE_PROPERTIES);
        final List<ClusterStatus.CoreRow> rows = launcher.up(new ClusterLauncher.Options(CORES, 1, TransportKind.IPC,
            FreePorts.range(CORES), FreePorts.range(CORES), "backoff", 90_000, "group"));
        assertThat(rows).hasSize(CORES).allMatch(ClusterStatus.CoreRow::seesAllPeers);
        map = ClusterMap.load(runDirectory.clusterFile());
        coordinatorPid = rows.stream().filter(r -> r.id() == COORDINATOR).findFirst().orElseThrow().pid();
        launchedRows = rows;
    }

    @AfterAll
    void stop() throws Exception
    {
        for (final ManagedProcess process : restarted)
        {
            process.kill();
        }
        if (null != runDirectory)
        {
            new ClusterStopper(runDirectory, System.out).down(5_000);
        }
    }

    @Test
    @Order(1)
    void committedTransactionsReachEveryReplica() throws Exception
    {
        for (int i = 0; i < 6; i++)
        {
            final int coordinator = i % CORES;
            final Reply reply = put(coordinator, "key-" + i, "value-" + i);
            assertThat(reply.status()).as("put key-%d through core %d: %s", i, coordinator, reply.body()).isEqualTo(200);
            assertThat(reply.body()).containsEntry("outcome", "committed");
        }
        awaitTrue("all replicas equal with 6 keys", () -> fingerprints().size() == 1 && count(0) == 6, 20);
        for (final int core : map.coreIds())
        {
            assertThat(getObject(core, "/kv/key-3").orElseThrow()).containsEntry("value", "value-3");
        }
        final Reply bad = post(1, "/kv", "{\"replicas\":[0,9],\"key\":\"x\",\"value\":\"y\"}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body().get("error").toString()).contains("replica 9 is not a core of the cluster map");
    }

    @Test
    @Order(2)
    void coordinatorKilledAfterPrepareLeavesParticipantsInDoubtUntilItRecoversAndAborts() throws Exception
    {
        final String before = fingerprints().iterator().next();
        killCoordinatorAndRestart("after-prepare");

        final String key = "never-committed";
        proposeAsync(key, "lost");
        final long frozenPid = awaitFrozenAndKill();

        final String transaction = awaitInDoubtOnParticipants();
        // Nothing guessed: still in doubt well past every protocol timer, and the key nowhere.
        Thread.sleep(3_000);
        for (final int participant : participants())
        {
            assertThat(inDoubtIds(participant)).as("core %d in doubt", participant).containsExactly(transaction);
            assertThat(metric(participant, "mk_2pc_in_doubt")).isEqualTo(1.0);
            assertThat(getObject(participant, "/kv/" + key)).isEmpty();
        }
        assertThat(ProcessHandle.of(frozenPid)).isEmpty();

        restartCoordinator("recovered-after-prepare", null);
        awaitResolved();
        awaitTrue("replicas equal and unchanged", () -> fingerprints().equals(Set.of(before)), 20);
        for (final int core : map.coreIds())
        {
            assertThat(getObject(core, "/kv/" + key)).as("aborted key on core %d", core).isEmpty();
        }
    }

    @Test
    @Order(3)
    void coordinatorKilledAfterCommitDecisionLeavesParticipantsInDoubtUntilItRecoversAndCommits() throws Exception
    {
        killCoordinatorAndRestart("after-commit-decision");

        final String key = "decided-commit";
        proposeAsync(key, "kept");
        awaitFrozenAndKill();

        awaitInDoubtOnParticipants();
        Thread.sleep(2_000);
        for (final int participant : participants())
        {
            assertThat(metric(participant, "mk_2pc_in_doubt")).as("core %d in doubt", participant).isEqualTo(1.0);
            assertThat(getObject(participant, "/kv/" + key)).as("not applied yet on core %d", participant).isEmpty();
        }

        restartCoordinator("recovered-after-commit-decision", null);
        awaitResolved();
        awaitTrue("replicas equal", () -> fingerprints().size() == 1, 20);
        for (final int core : map.coreIds())
        {
            final int replica = core;
            awaitTrue("core " + core + " applied the commit",
                () -> getObject(replica, "/kv/" + key).map(m -> "kept".equals(m.get("value"))).orElse(false), 20);
        }
    }

    @Test
    @Order(4)
    void aNameRegisteredAtOneCoreIsFoundAtEveryCoreAndNeedsEveryCoreUp() throws Exception
    {
        final Mk registered = mk("name", "register", "--core", "1", "memory.server", "--serving-core", "2");
        assertThat(registered.exit()).as(registered.err()).isZero();
        assertThat(registered.out()).isEqualTo("memory.server -> core 2 (registered at core 1)");
        for (final int core : map.coreIds())
        {
            awaitTrue("memory.server found at core " + core, () ->
                "memory.server -> core 2".equals(mk("name", "lookup", "--core", "" + core, "memory.server").out()), 20);
            assertThat(getObject(core, "/kv/name/memory.server").orElseThrow()).containsEntry("value", "2");
        }
        assertThat(mk("name", "register", "--core", "3", "memory.server", "--serving-core", "2").exit()).isZero();
        final Mk conflict = mk("name", "register", "--core", "0", "memory.server", "--serving-core", "3");
        assertThat(conflict.exit()).isNotZero();
        assertThat(conflict.err()).isEqualTo("mk: name register failed: service name 'memory.server' is already " +
            "registered to core 2; nothing changed");

        final int down = 3;
        final long downPid = launchedRows.stream().filter(r -> r.id() == down).findFirst().orElseThrow().pid();
        ProcessHandle.of(downPid).orElseThrow().destroyForcibly();
        awaitTrue("core 3 killed", () -> ProcessHandle.of(downPid).isEmpty(), 10);
        final Mk refused = mk("name", "register", "--core", "1", "vm-1", "--serving-core", "1");
        System.out.println("registration with core 3 down: " + refused.err());
        assertThat(refused.exit()).isNotZero();
        assertThat(refused.err()).startsWith("mk: name register failed: service name 'vm-1' not registered")
            .contains("3 did not vote").endsWith("nothing changed");
        for (final int core : List.of(0, 1, 2))
        {
            final Mk missing = mk("name", "lookup", "--core", "" + core, "vm-1");
            assertThat(missing.err()).isEqualTo("mk: name lookup failed: service name 'vm-1' is not registered at core " +
                core);
            assertThat(mk("name", "lookup", "--core", "" + core, "memory.server").out())
                .isEqualTo("memory.server -> core 2");
        }

        final ManagedProcess restartedCore = ManagedProcess.startKernel("repl-core-3-names",
            coreJvmArgs(), List.of("core", "--id", "" + down, "--cluster", runDirectory.clusterFile().toString(),
                "--data-dir", runDirectory.dataDirectory(down).toString()));
        restarted.add(restartedCore);
        restartedCore.awaitLine(line -> line.startsWith("core " + down + " up:"), 60, TimeUnit.SECONDS);
        awaitTrue("restarted core 3 sees every peer and is seen by them", this::allSeeAll, 30);
        assertThat(mk("name", "lookup", "--core", "3", "memory.server").out())
            .as("recovered from core 3's write-ahead log").isEqualTo("memory.server -> core 2");
        final Mk again = mk("name", "register", "--core", "1", "vm-1", "--serving-core", "1");
        assertThat(again.exit()).as(again.err()).isZero();
    }

    private static List<String> coreJvmArgs()
    {
        final List<String> jvmArgs = new ArrayList<>(List.of("-Xmx128m"));
        jvmArgs.addAll(CORE_PROPERTIES);
        return jvmArgs;
    }

    /** Runs {@code mk} in this JVM against the cluster's run directory: its exit code, output, first error line. */
    private Mk mk(final String... args)
    {
        final List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--run-dir", runDirectory.root().toString()));
        final java.io.StringWriter out = new java.io.StringWriter();
        final java.io.StringWriter err = new java.io.StringWriter();
        final int exit = MkCommand.execute(new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true),
            all.toArray(new String[0]));
        return new Mk(exit, out.toString().trim(), err.toString().trim().lines().findFirst().orElse(""));
    }

    private record Mk(int exit, String out, String err)
    {
    }

    private void killCoordinatorAndRestart(final String chaos) throws Exception
    {
        ProcessHandle.of(coordinatorPid).ifPresent(ProcessHandle::destroyForcibly);
        awaitTrue("old coordinator gone", () -> ProcessHandle.of(coordinatorPid).isEmpty(), 10);
        restartCoordinator("chaos-" + chaos, chaos);
    }

    private void restartCoordinator(final String name, final String chaos) throws Exception
    {
        final List<String> jvmArgs = new ArrayList<>(List.of("-Xmx128m"));
        jvmArgs.addAll(CORE_PROPERTIES);
        if (null != chaos)
        {
            jvmArgs.add("-Dmk.chaos.freeze=" + chaos);
        }
        final ManagedProcess core = ManagedProcess.startKernel("repl-core-" + COORDINATOR + "-" + name, jvmArgs,
            List.of("core", "--id", "" + COORDINATOR, "--cluster", runDirectory.clusterFile().toString(),
                "--data-dir", runDirectory.dataDirectory(COORDINATOR).toString()));
        restarted.add(core);
        core.awaitLine(line -> line.startsWith("core " + COORDINATOR + " up:"), 60, TimeUnit.SECONDS);
        coordinatorPid = core.pid();
        awaitTrue("restarted coordinator sees every peer and is seen by them", this::allSeeAll, 30);
    }

    private void proposeAsync(final String key, final String value)
    {
        http.sendAsync(HttpRequest.newBuilder(URI.create(map.adminUrl(COORDINATOR) + "/kv"))
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofString("{\"replicas\":" + REPLICAS + ",\"key\":\"" + key +
                "\",\"value\":\"" + value + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
    }

    private long awaitFrozenAndKill() throws Exception
    {
        awaitTrue("coordinator reports frozen on /health", () ->
            health(COORDINATOR).map(h -> "frozen".equals(h.get("status"))).orElse(false), 30);
        final long pid = coordinatorPid;
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        awaitTrue("frozen coordinator killed", () -> ProcessHandle.of(pid).isEmpty(), 10);
        return pid;
    }

    /**
     * @return the one transaction every participant is in doubt about, coordinated by core 0.
     */
    private String awaitInDoubtOnParticipants() throws Exception
    {
        for (final int participant : participants())
        {
            awaitTrue("core " + participant + " in doubt (admin and metric)",
                () -> inDoubtIds(participant).size() == 1 && metric(participant, "mk_2pc_in_doubt") == 1.0, 20);
        }
        final Set<String> ids = new HashSet<>();
        for (final int participant : participants())
        {
            final Map<String, Object> entry = inDoubt(participant).get(0);
            assertThat(((Number)entry.get("coordinator")).intValue()).isEqualTo(COORDINATOR);
            assertThat(entry.get("participants").toString()).isEqualTo("[0, 1, 2, 3]");
            assertThat(((Number)entry.get("in_doubt_since_epoch_ms")).longValue()).isPositive();
            ids.add(entry.get("transaction").toString());
        }
        assertThat(ids).hasSize(1);
        return ids.iterator().next();
    }

    private void awaitResolved() throws InterruptedException
    {
        for (final int core : map.coreIds())
        {
            awaitTrue("core " + core + " has nothing in doubt, in flight or locked", () ->
            {
                final Optional<Map<String, Object>> status = getObject(core, "/2pc");
                return status.isPresent() && ((Number)status.get().get("in_doubt_count")).intValue() == 0 &&
                    ((Number)status.get().get("in_flight")).intValue() == 0 &&
                    ((Number)status.get().get("locks_held")).intValue() == 0 &&
                    metric(core, "mk_2pc_in_doubt") == 0.0;
            }, 30);
        }
    }

    private List<Integer> participants()
    {
        return REPLICAS.stream().filter(c -> c != COORDINATOR).toList();
    }

    private boolean allSeeAll()
    {
        for (final int core : map.coreIds())
        {
            final Optional<CoreStatus> status = get(core, "/status")
                .map(body -> StrictJson.read(body, CoreStatus.class, "core " + core + "'s /status"));
            if (status.isEmpty() || !status.get().peers().stream().allMatch(p -> "up".equals(p.state())))
            {
                return false;
            }
        }
        return true;
    }

    private Set<String> fingerprints()
    {
        final Set<String> fingerprints = new HashSet<>();
        for (final int core : map.coreIds())
        {
            fingerprints.add(String.valueOf(getObject(core, "/kv?limit=0").map(m -> m.get("fingerprint")).orElse("none")));
        }
        return fingerprints;
    }

    private long count(final int core)
    {
        return getObject(core, "/kv?limit=0").map(m -> ((Number)m.get("count")).longValue()).orElse(-1L);
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> inDoubt(final int core)
    {
        return getObject(core, "/2pc").map(m -> (List<Map<String, Object>>)m.get("in_doubt")).orElse(List.of());
    }

    private List<String> inDoubtIds(final int core)
    {
        return inDoubt(core).stream().map(m -> m.get("transaction").toString()).toList();
    }

    private Reply put(final int core, final String key, final String value) throws Exception
    {
        return post(core, "/kv", "{\"replicas\":" + REPLICAS + ",\"key\":\"" + key + "\",\"value\":\"" + value + "\"}");
    }

    private Reply post(final int core, final String path, final String json) throws Exception
    {
        final HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(map.adminUrl(core) + path))
            .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(json)).build(),
            HttpResponse.BodyHandlers.ofString());
        return new Reply(response.statusCode(), StrictJson.read(response.body(), OBJECT, "core " + core + "'s answer to " + path));
    }

    private Optional<Map<String, Object>> health(final int core)
    {
        try
        {
            final HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                URI.create(map.adminUrl(core) + "/health")).timeout(Duration.ofSeconds(2)).build(),
                HttpResponse.BodyHandlers.ofString());
            return Optional.of(StrictJson.read(response.body(), OBJECT, "core " + core + "'s /health"));
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
    }

    /**
     * @return the body the core answers at {@code path} with 200, or empty when it answers otherwise or not at all.
     */
    private Optional<String> get(final int core, final String path)
    {
        try
        {
            final HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(map.adminUrl(core) + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return 200 == response.statusCode() ? Optional.of(response.body()) : Optional.empty();
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
    }

    /** {@link #get}, read strictly as a JSON object: a document that is not one fails the test. */
    private Optional<Map<String, Object>> getObject(final int core, final String path)
    {
        return get(core, path).map(body -> StrictJson.read(body, OBJECT, "core " + core + "'s " + path));
    }

    private double metric(final int core, final String name)
    {
        try
        {
            final String body = http.send(HttpRequest.newBuilder(URI.create(map.adminUrl(core) + "/metrics"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
            return body.lines().filter(l -> l.startsWith(name + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
        }
        catch (final Exception ex)
        {
            return -1;
        }
    }

    private static void awaitTrue(final String what, final BooleanSupplier condition, final long timeoutS)
        throws InterruptedException
    {
        final long deadlineMs = System.currentTimeMillis() + TimeUnit.SECONDS.toMillis(timeoutS);
        while (!condition.getAsBoolean())
        {
            if (System.currentTimeMillis() > deadlineMs)
            {
                throw new AssertionError(what + ": not within " + timeoutS + " s");
            }
            Thread.sleep(50);
        }
    }

    private record Reply(int status, Map<String, Object> body)
    {
    }
}
