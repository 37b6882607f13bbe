package io.multikernel.it;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.multikernel.it.AdminClient.Reply;
import io.multikernel.node.cli.MkCommand;
import io.multikernel.node.cluster.ClusterMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static io.multikernel.it.Await.awaitTrue;
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
    static final List<String> CORE_PROPERTIES = TestCluster.FAST_FAILURE_PROPERTIES;
    /** STOPPED_PAST_SERVICE_INTERVAL_MS: a stop longer than the Aeron client's 5 s service interval. */
    static final long STOPPED_PAST_SERVICE_INTERVAL_MS = 7_000;

    private TestCluster cluster;
    private AdminClient admin;
    private ClusterMap map;

    @BeforeAll
    void launch(@TempDir final Path tempDir) throws Exception
    {
        cluster = new TestCluster(tempDir.resolve("run"), CORE_PROPERTIES);
        cluster.up(CORES);
        admin = cluster.admin();
        map = cluster.map();
    }

    @AfterAll
    void stop() throws Exception
    {
        if (null != cluster)
        {
            cluster.stop();
        }
    }

    /** PUT_BYTES_MAX: a put's key and value together at most, bytes, at the default term length (README). */
    private static final int PUT_BYTES_MAX = 16_351;

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
            assertThat(admin.getObject(core, "/kv/key-3").orElseThrow()).containsEntry("value", "value-3");
        }
        final Reply bad = admin.post(1, "/kv", "{\"replicas\":[0,9],\"key\":\"x\",\"value\":\"y\"}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body().get("error").toString()).contains("replica 9 is not a core of the cluster map");

        // The README's limit at the default term length: a put's key and value together take at most 16,351 bytes.
        final Reply fits = put(1, "k", "v".repeat(PUT_BYTES_MAX - 1));
        assertThat(fits.body()).as("%s", fits.body()).containsEntry("outcome", "committed");
        final Reply tooLong = put(1, "k", "v".repeat(PUT_BYTES_MAX));
        assertThat(tooLong.status()).as("refused before any transaction").isEqualTo(400);
        assertThat(tooLong.body().get("error").toString()).startsWith("the keys and values take " + (PUT_BYTES_MAX + 1) +
            " bytes, more than the " + PUT_BYTES_MAX + " that fit one transaction of 1 operation");
        assertThat(admin.post(1, "/kv", "{\"replicas\":" + REPLICAS + ",\"key\":\"k\",\"delete\":true}").body())
            .containsEntry("outcome", "committed");
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
            assertThat(admin.inDoubtIds(participant)).as("core %d in doubt", participant).containsExactly(transaction);
            // Its coordinator is killed: the participant says so, which is what makes a decision by hand safe.
            assertThat(admin.inDoubt(participant)).singleElement().extracting(m -> m.get("coordinator_state"))
                .as("core %d's view of the killed coordinator", participant).isIn("suspect", "down");
            assertThat(admin.metric(participant, "mk_2pc_in_doubt")).isEqualTo(1.0);
            assertThat(admin.getObject(participant, "/kv/" + key)).isEmpty();
        }
        assertThat(ProcessHandle.of(frozenPid)).isEmpty();

        restartCoordinator("recovered-after-prepare", null);
        awaitResolved();
        awaitTrue("replicas equal and unchanged", () -> fingerprints().equals(Set.of(before)), 20);
        for (final int core : map.coreIds())
        {
            assertThat(admin.getObject(core, "/kv/" + key)).as("aborted key on core %d", core).isEmpty();
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
            assertThat(admin.metric(participant, "mk_2pc_in_doubt")).as("core %d in doubt", participant).isEqualTo(1.0);
            assertThat(admin.getObject(participant, "/kv/" + key)).as("not applied yet on core %d", participant).isEmpty();
        }

        restartCoordinator("recovered-after-commit-decision", null);
        awaitResolved();
        awaitTrue("replicas equal", () -> fingerprints().size() == 1, 20);
        for (final int core : map.coreIds())
        {
            final int replica = core;
            awaitTrue("core " + core + " applied the commit",
                () -> admin.getObject(replica, "/kv/" + key).map(m -> "kept".equals(m.get("value"))).orElse(false), 20);
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
            assertThat(admin.getObject(core, "/kv/name/memory.server").orElseThrow()).containsEntry("value", "2");
        }
        assertThat(mk("name", "register", "--core", "3", "memory.server", "--serving-core", "2").exit()).isZero();
        final Mk conflict = mk("name", "register", "--core", "0", "memory.server", "--serving-core", "3");
        assertThat(conflict.exit()).isNotZero();
        assertThat(conflict.err()).isEqualTo("mk: name register failed: service name 'memory.server' is already " +
            "registered to core 2; nothing changed");

        final int down = 3;
        cluster.kill(down);
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

        // Once core 1 sees core 3 down, a transaction naming it is refused at once, without a PREPARE.
        final java.util.concurrent.atomic.AtomicReference<Mk> fast = new java.util.concurrent.atomic.AtomicReference<>();
        awaitTrue("core 1 refuses at once a registration that needs core 3", () ->
        {
            fast.set(mk("name", "register", "--core", "1", "vm-1", "--serving-core", "1"));
            return fast.get().err().contains("replica core 3 is down as core 1 sees it");
        }, 20);
        assertThat(fast.get().err()).contains("replica core 3 is down as core 1 sees it, so it cannot vote; retry once " +
            "it is back; nothing changed");

        cluster.restart(down, "repl-core-3-names", List.of());
        assertThat(mk("name", "lookup", "--core", "3", "memory.server").out())
            .as("recovered from core 3's write-ahead log").isEqualTo("memory.server -> core 2");
        final Mk again = mk("name", "register", "--core", "1", "vm-1", "--serving-core", "1");
        assertThat(again.exit()).as(again.err()).isZero();
    }

    /** Runs {@code mk} in this JVM against the cluster's run directory: its exit code, output, first error line. */
    /**
     * A core stopped (SIGSTOP) for longer than its Aeron client's 5 s service interval finds, on
     * waking, that the client closed itself with every publication and subscription. It connects a
     * new one and is the same core again: its peers hear it, a write it coordinates commits on every
     * replica, and nothing is left in doubt.
     */
    @Test
    @Order(5)
    void aCoreStoppedPastItsAeronClientsServiceIntervalReconnectsAndCoordinatesAgain() throws Exception
    {
        final int stopped = 1;
        final long incarnation = incarnation(stopped);
        cluster.pause(stopped);
        Thread.sleep(STOPPED_PAST_SERVICE_INTERVAL_MS);
        cluster.resume(stopped);

        awaitTrue("core 1 connected a new Aeron client",
            () -> admin.metric(stopped, "mk_urpc_aeron_reconnects_total") >= 1.0, 30);
        awaitTrue("core 1 sees every peer up again, and they see it", admin::allSeeAll, 30);
        assertThat(incarnation(stopped)).as("the same incarnation, not a restart").isEqualTo(incarnation);
        final Reply reply = put(stopped, "after-the-pause", "heard");
        assertThat(reply.status()).as("put through core 1: %s", reply.body()).isEqualTo(200);
        assertThat(reply.body()).containsEntry("outcome", "committed");
        awaitResolved();
        awaitTrue("replicas equal", () -> fingerprints().size() == 1, 20);
        for (final int core : map.coreIds())
        {
            assertThat(admin.getObject(core, "/kv/after-the-pause").orElseThrow()).containsEntry("value", "heard");
        }
    }

    private long incarnation(final int core)
    {
        return admin.getObject(core, "/2pc").map(status -> ((Number)status.get("incarnation")).longValue())
            .orElseThrow();
    }

    private Mk mk(final String... args)
    {
        final List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--run-dir", cluster.runDirectory().root().toString()));
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
        cluster.kill(COORDINATOR);
        restartCoordinator("chaos-" + chaos, chaos);
    }

    private void restartCoordinator(final String name, final String chaos) throws Exception
    {
        cluster.restart(COORDINATOR, "repl-core-" + COORDINATOR + "-" + name,
            null == chaos ? List.of() : List.of("-Dmk.chaos.freeze=" + chaos));
    }

    private void proposeAsync(final String key, final String value)
    {
        admin.postAsync(COORDINATOR, "/kv", "{\"replicas\":" + REPLICAS + ",\"key\":\"" + key + "\",\"value\":\"" +
            value + "\"}", Duration.ofSeconds(30));
    }

    private long awaitFrozenAndKill() throws Exception
    {
        awaitTrue("coordinator reports frozen on /health", () ->
            admin.health(COORDINATOR).map(h -> "frozen".equals(h.get("status"))).orElse(false), 30);
        return cluster.kill(COORDINATOR);
    }

    /**
     * @return the one transaction every participant is in doubt about, coordinated by core 0.
     */
    private String awaitInDoubtOnParticipants() throws Exception
    {
        for (final int participant : participants())
        {
            awaitTrue("core " + participant + " in doubt (admin and metric)",
                () -> admin.inDoubtIds(participant).size() == 1 &&
                    admin.metric(participant, "mk_2pc_in_doubt") == 1.0, 20);
        }
        final Set<String> ids = new HashSet<>();
        for (final int participant : participants())
        {
            final Map<String, Object> entry = admin.inDoubt(participant).get(0);
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
            awaitTrue("core " + core + " has nothing in doubt, in flight or locked", () -> admin.resolved(core), 30);
        }
    }

    private List<Integer> participants()
    {
        return REPLICAS.stream().filter(c -> c != COORDINATOR).toList();
    }

    private Set<String> fingerprints()
    {
        final Set<String> fingerprints = new HashSet<>();
        for (final int core : map.coreIds())
        {
            fingerprints.add(String.valueOf(admin.getObject(core, "/kv?limit=0").map(m -> m.get("fingerprint"))
                .orElse("none")));
        }
        return fingerprints;
    }

    private long count(final int core)
    {
        return admin.getObject(core, "/kv?limit=0").map(m -> ((Number)m.get("count")).longValue()).orElse(-1L);
    }

    private Reply put(final int core, final String key, final String value) throws Exception
    {
        return admin.post(core, "/kv", "{\"replicas\":" + REPLICAS + ",\"key\":\"" + key + "\",\"value\":\"" + value +
            "\"}");
    }
}
