package io.multikernel.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import io.multikernel.it.AdminClient.Reply;
import io.multikernel.node.replication.ChaosFreeze;
import io.multikernel.node.replication.CoreReplicationConfiguration;
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
 * Capabilities across real core JVMs started by the launcher. Every capability operation is one 2PC
 * transaction with every core as participant, so once it commits every core's replica has the same
 * fingerprint: retype, copy and revoke across cores (a revoke removes the other copies and every
 * descendant wherever they are held); two cores retyping overlapping ranges of one RAM object at the
 * same moment never both commit, and the one refused changed nothing; a revoke whose coordinator or
 * participant is killed with kill -9 in the middle completes on every core or changes nothing anywhere
 * once they restart from their data directories, never part of it.
 *
 * <p>How the interleavings are forced: two retypes are released together by a latch, on two threads,
 * to two cores; the coordinator of a revoke is stopped by the chaos freeze hook ({@code mk.chaos.freeze})
 * after its PREPAREs went out, or once its COMMIT record is durable, and killed there, and a participant
 * in doubt (it voted yes) is killed beside it; a participant stopped with kill -STOP before it could vote
 * is killed while the revoke is in flight.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CapabilityClusterIT
{
    static final int CORES = 3;
    /** The core whose RAM the tests allocate, retype and revoke, and the coordinator the chaos hook stops. */
    static final int OWNER = 0;
    /** PAGE_BYTES: a frame's size here, the smallest the database allows. */
    static final long PAGE_BYTES = 4096;
    /** RAM_BYTES: each allocation, 16 pages. */
    static final long RAM_BYTES = 16 * PAGE_BYTES;
    /** RACE_ROUNDS: rounds of two overlapping retypes released at once. */
    static final int RACE_ROUNDS = 10;
    /** LIST_LIMIT: capabilities one {@code GET /caps} lists here; far above what the tests make. */
    static final int LIST_LIMIT = 10_000;
    /** ANY_COUNT: an agreement on any number of capabilities. */
    static final int ANY_COUNT = -1;

    /** AGREE_TIMEOUT_S: longest until every replica applied what committed. */
    static final long AGREE_TIMEOUT_S = 20;
    /** ANSWER_TIMEOUT_S: longest an operation's answer may take; above the cores' admin timeout (3 s). */
    static final long ANSWER_TIMEOUT_S = 10;
    /** FROZEN_TIMEOUT_S: longest until a coordinator with the chaos hook armed reports frozen. */
    static final long FROZEN_TIMEOUT_S = 30;
    /** IN_DOUBT_TIMEOUT_S: longest until a participant of a frozen coordinator reports the transaction in doubt. */
    static final long IN_DOUBT_TIMEOUT_S = 20;
    /** RESOLVED_TIMEOUT_S: longest until a core has nothing in doubt, in flight or locked after recovery. */
    static final long RESOLVED_TIMEOUT_S = 30;
    /** IN_DOUBT_HOLD_MS: participants are watched staying in doubt past the prepare timeout (2 s). */
    static final long IN_DOUBT_HOLD_MS = 2_500;

    private TestCluster cluster;
    private AdminClient admin;

    @BeforeAll
    void launch(@TempDir final Path tempDir) throws Exception
    {
        cluster = new TestCluster(tempDir.resolve("run"), TestCluster.FAST_FAILURE_PROPERTIES);
        cluster.up(CORES);
        admin = cluster.admin();
    }

    @AfterAll
    void stop() throws Exception
    {
        if (null != cluster)
        {
            cluster.stop();
        }
    }

    @Test
    @Order(1)
    void retypeCopyAndRevokeAcrossCoresReachEveryReplica() throws Exception
    {
        final int base = awaitAgreement("replicas agree at the start", ANY_COUNT).get(0).count();

        final long ram = commit(OWNER, "alloc", allocation(RAM_BYTES)).get(0);
        List<Replica> replicas = awaitAgreement("alloc on core 0", base + 1);
        assertHeld(replicas, ram, OWNER, "ram");
        final Cap ramCap = replicas.get(0).capability(ram);
        assertThat(ramCap.length()).isEqualTo(RAM_BYTES);
        assertThat(ramCap.owner()).isEqualTo(OWNER);

        final List<Long> frames = commit(OWNER, "retype", frames(ram, 0, 4));
        assertThat(frames).hasSize(4);
        replicas = awaitAgreement("retype into 4 frames on core 0", base + 5);
        for (final long frame : frames)
        {
            assertHeld(replicas, frame, OWNER, "frame");
            assertThat(replicas.get(0).capability(frame).parent()).isEqualTo(ramCap.object());
        }
        assertThat(replicas.get(0).capability(ram).children()).isEqualTo(4);

        final String beforeOverlap = replicas.get(0).fingerprint();
        final Reply overlap = operate(OWNER, "retype", frames(ram, PAGE_BYTES, 1));
        assertThat(overlap.status()).as("overlapping retype: %s", overlap.body()).isEqualTo(409);
        assertThat(overlap.text("outcome")).isEqualTo("conflict");
        assertThat(overlap.text("error")).endsWith("revoke first");
        assertThat(awaitAgreement("refused overlapping retype", base + 5).get(0).fingerprint())
            .isEqualTo(beforeOverlap);

        final long frameAtCore1 = commit(OWNER, "copy", copy(frames.get(0), 1)).get(0);
        replicas = awaitAgreement("copy of a frame to core 1", base + 6);
        assertHeld(replicas, frameAtCore1, 1, "frame");
        assertThat(replicas.get(0).capability(frameAtCore1).object())
            .isEqualTo(replicas.get(0).capability(frames.get(0)).object());
        assertThat(replicas.get(0).capability(frames.get(0)).copies()).isEqualTo(2);

        final long ramAtCore2 = commit(OWNER, "copy", copy(ram, 2)).get(0);
        replicas = awaitAgreement("copy of the RAM to core 2", base + 7);
        assertHeld(replicas, ramAtCore2, 2, "ram");
        assertThat(replicas.get(0).capability(ramAtCore2).object()).isEqualTo(ramCap.object());

        final byte[] bytes = "written through core 0's frame".getBytes(StandardCharsets.UTF_8);
        final Reply written = operate(OWNER, "write", "{\"cap\":" + frames.get(0) + ",\"offset\":100,\"base64\":\"" +
            Base64.getEncoder().encodeToString(bytes) + "\"}");
        assertThat(written.status()).as("write: %s", written.body()).isEqualTo(200);
        assertThat(readFrame(OWNER, frames.get(0), 100, bytes.length)).as("read back on core 0").isEqualTo(bytes);
        assertThat(readFrame(1, frameAtCore1, 100, bytes.length))
            .as("read on core 1 of the same host, through its copy").isEqualTo(bytes);
        assertThat(operate(1, "read", frameRead(frames.get(0), 0, 8)).status()).as("core 1 reading core 0's capability")
            .isEqualTo(403);

        commit(2, "revoke", capability(ramAtCore2));
        replicas = awaitAgreement("revoke of core 2's RAM copy", base + 1);
        assertHeld(replicas, ramAtCore2, 2, "ram");
        assertThat(replicas.get(0).capability(ramAtCore2).copies()).isEqualTo(1);
        assertThat(replicas.get(0).capability(ramAtCore2).children()).isZero();
        final List<Long> revoked = new ArrayList<>(frames);
        revoked.addAll(List.of(ram, frameAtCore1));
        assertAbsent(replicas, revoked);
        assertThat(operate(OWNER, "read", frameRead(frames.get(0), 100, bytes.length)).status())
            .as("core 0 reading its revoked frame").isEqualTo(404);

        commit(2, "delete", capability(ramAtCore2));
        assertAbsent(awaitAgreement("delete of the last copy", base), List.of(ramAtCore2));
    }

    /**
     * The participants' locks never wait (a conflict votes no), so of two retypes in flight at once each
     * may find the other's lock first on some core and both abort; the one with the lower transaction
     * id then proposes again. Never both, never neither: exactly one commits.
     */
    @Test
    @Order(2)
    void ofTwoOverlappingRetypesFromTwoCoresAtOnceExactlyOneCommits() throws Exception
    {
        final int base = awaitAgreement("replicas agree at the start", ANY_COUNT).get(0).count();
        final long ram = commit(OWNER, "alloc", allocation(RAM_BYTES)).get(0);
        final long ramObject = awaitAgreement("alloc on core 0", base + 1).get(0).capability(ram).object();
        final Map<String, Integer> tally = new TreeMap<>();
        final ExecutorService executor = Executors.newFixedThreadPool(2);
        try
        {
            for (int round = 1; round <= RACE_ROUNDS; round++)
            {
                final long ramAtCore1 = commit(OWNER, "copy", copy(ram, 1)).get(0);
                awaitAgreement("round " + round + ": copy to core 1", base + 2);

                final List<Request> requests = List.of(new Request(OWNER, "retype", frames(ram, 0, 4)),
                    new Request(1, "retype", frames(ramAtCore1, PAGE_BYTES, 2)));
                final List<Reply> replies = race(executor, requests);
                tally.merge(replies.get(0).text("outcome") + "/" + replies.get(1).text("outcome"), 1, Integer::sum);
                final List<Integer> winners = new ArrayList<>();
                for (int i = 0; i < replies.size(); i++)
                {
                    final int core = requests.get(i).core();
                    final Reply reply = replies.get(i);
                    if ("committed".equals(reply.text("outcome")))
                    {
                        assertThat(reply.status()).isEqualTo(200);
                        winners.add(i);
                        continue;
                    }
                    assertThat(reply.status()).as("round %d, the retype of core %d: %s", round, core, reply.body())
                        .isEqualTo(409);
                    assertThat(reply.text("outcome")).isIn("conflict", "aborted");
                    assertThat(caps(reply)).isEmpty();
                }
                assertThat(winners).as("round %d: exactly one of two overlapping retypes commits: %s", round, replies)
                    .hasSize(1);
                final int winner = requests.get(winners.get(0)).core();
                final List<Long> made = caps(replies.get(winners.get(0)));
                final List<Replica> replicas = awaitAgreement("round " + round + ": core " + winner + " retyped",
                    base + 2 + made.size());
                made.forEach(frame -> assertHeld(replicas, frame, winner, "frame"));
                assertThat(replicas.get(0).capabilities().values()).as("frames of RAM object %d", ramObject)
                    .filteredOn(c -> c.parent() == ramObject).extracting(Cap::cap)
                    .containsExactlyInAnyOrderElementsOf(made);

                commit(OWNER, "revoke", capability(ram));
                assertAbsent(awaitAgreement("round " + round + ": revoke", base + 1), List.of(ramAtCore1));
            }
        }
        finally
        {
            executor.shutdownNow();
        }
        System.out.println("overlapping retypes at once, core 0/core 1 outcomes over " + RACE_ROUNDS + " rounds: " +
            tally);
        assertThat(tally.keySet()).as("an abort shows both retypes were in flight at once: %s", tally)
            .anyMatch(outcomes -> outcomes.contains("aborted"));

        commit(OWNER, "delete", capability(ram));
        awaitAgreement("delete of the RAM", base);
    }

    /**
     * Retypes of disjoint ranges of one RAM object are never refused for overlap. Both lock the
     * object while in flight, so one may abort on the other's lock: proposed again alone, it commits.
     */
    @Test
    @Order(3)
    void disjointRetypesFromTwoCoresAtOnceAreNeverRefusedForOverlap() throws Exception
    {
        final int base = awaitAgreement("replicas agree at the start", ANY_COUNT).get(0).count();
        final long ram = commit(OWNER, "alloc", allocation(RAM_BYTES)).get(0);
        final long ramAtCore1 = commit(OWNER, "copy", copy(ram, 1)).get(0);
        awaitAgreement("alloc and copy to core 1", base + 2);

        final List<Request> requests = List.of(new Request(OWNER, "retype", frames(ram, 0, 4)),
            new Request(1, "retype", frames(ramAtCore1, 8 * PAGE_BYTES, 2)));
        final ExecutorService executor = Executors.newFixedThreadPool(2);
        final List<Reply> replies;
        try
        {
            replies = race(executor, requests);
        }
        finally
        {
            executor.shutdownNow();
        }
        System.out.println("disjoint retypes at once, core 0/core 1 outcomes: " + replies.get(0).text("outcome") + "/" +
            replies.get(1).text("outcome"));
        // An aborted retype is sent again once the one that won has been applied on every core (its
        // coordinator answered at commit, and a core still holding its locks would refuse the retry).
        final int wonFrames = java.util.stream.IntStream.range(0, replies.size())
            .filter(i -> "committed".equals(replies.get(i).text("outcome"))).map(i -> caps(replies.get(i)).size()).sum();
        awaitAgreement("the retypes that won the race applied", base + 2 + wonFrames);
        final Map<Integer, List<Long>> made = new LinkedHashMap<>();
        for (int i = 0; i < requests.size(); i++)
        {
            final Request request = requests.get(i);
            Reply reply = replies.get(i);
            if (!"committed".equals(reply.text("outcome")))
            {
                assertThat(reply.status()).as("core %d's retype: %s", request.core(), reply.body()).isEqualTo(409);
                assertThat(reply.text("outcome")).as("core %d's retype: %s", request.core(), reply.body())
                    .isEqualTo("aborted");
                reply = operate(request.core(), request.operation(), request.json());
            }
            assertThat(reply.text("outcome")).as("core %d's retype: %s", request.core(), reply.body())
                .isEqualTo("committed");
            made.put(request.core(), caps(reply));
        }
        final List<Replica> replicas = awaitAgreement("both retyped", base + 2 + 6);
        made.forEach((core, frames) -> frames.forEach(frame -> assertHeld(replicas, frame, core, "frame")));
        assertThat(replicas.get(0).capability(ram).children()).isEqualTo(6);

        commit(OWNER, "revoke", capability(ram));
        commit(OWNER, "delete", capability(ram));
        awaitAgreement("revoke and delete of the RAM", base);
    }

    @Test
    @Order(4)
    void revokeWhoseCoordinatorDiesAfterPrepareChangesNothingAnywhere() throws Exception
    {
        final Tree tree = growTree("revoke killed after PREPARE");
        cluster.kill(OWNER);
        cluster.restart(OWNER, "caps-core-0-chaos-after-prepare", chaos(ChaosFreeze.Point.AFTER_PREPARE));
        final Replica before = tree.grown();
        assertUnchanged(awaitAgreement("core 0 restarted with the chaos hook", before.count()), before);

        final CompletableFuture<Reply> answer = admin.postAsync(OWNER, "/caps/revoke", capability(tree.ram()),
            Duration.ofSeconds(ANSWER_TIMEOUT_S));
        awaitFrozenAndKill(OWNER);
        final String transaction = awaitInDoubt(List.of(1, 2));
        assertAnswerClaimsNothingBut(answer, Set.of());
        assertUnchanged(replicas(List.of(1, 2)), before);

        cluster.kill(2);
        Thread.sleep(IN_DOUBT_HOLD_MS);
        assertThat(admin.inDoubtIds(1)).as("core 1 still in doubt").containsExactly(transaction);
        assertUnchanged(replicas(List.of(1)), before);

        cluster.restart(2, "caps-core-2-in-doubt-after-prepare", List.of());
        awaitTrue("restarted core 2 in doubt about " + transaction + " again, from its write-ahead log",
            () -> admin.inDoubtIds(2).equals(List.of(transaction)), IN_DOUBT_TIMEOUT_S);
        assertUnchanged(replicas(List.of(1, 2)), before);

        cluster.restart(OWNER, "caps-core-0-recovered-after-prepare", List.of());
        awaitResolved();
        assertUnchanged(awaitAgreement("revoke aborted by the coordinator's recovery", before.count()), before);

        commit(OWNER, "revoke", capability(tree.ram()));
        commit(OWNER, "delete", capability(tree.ram()));
        awaitAgreement("clean up", tree.base());
    }

    @Test
    @Order(5)
    void revokeWhoseCoordinatorDiesAfterItsCommitDecisionCompletesOnEveryCore() throws Exception
    {
        final Tree tree = growTree("revoke killed after the commit decision");
        cluster.kill(OWNER);
        cluster.restart(OWNER, "caps-core-0-chaos-after-commit-decision",
            chaos(ChaosFreeze.Point.AFTER_COMMIT_DECISION));
        final Replica before = tree.grown();
        assertUnchanged(awaitAgreement("core 0 restarted with the chaos hook", before.count()), before);

        final CompletableFuture<Reply> answer = admin.postAsync(OWNER, "/caps/revoke", capability(tree.ram()),
            Duration.ofSeconds(ANSWER_TIMEOUT_S));
        awaitFrozenAndKill(OWNER);
        final String transaction = awaitInDoubt(List.of(1, 2));
        assertAnswerClaimsNothingBut(answer, Set.of("committed"));
        assertUnchanged(replicas(List.of(1, 2)), before);

        cluster.kill(2);
        cluster.restart(OWNER, "caps-core-0-recovered-after-commit-decision", List.of());
        final List<Replica> partOfTheCluster = awaitReplicas("cores 0 and 1 applied the revoke while core 2 is down",
            List.of(OWNER, 1),
            replicas -> fingerprints(replicas).size() == 1 && replicas.get(0).count() == tree.base() + 1);
        assertRevoked(partOfTheCluster, tree);

        cluster.restart(2, "caps-core-2-in-doubt-after-commit-decision", List.of());
        awaitResolved();
        final List<Replica> replicas = awaitAgreement("revoke " + transaction + " completed on every core",
            tree.base() + 1);
        assertRevoked(replicas, tree);

        commit(OWNER, "delete", capability(tree.ram()));
        awaitAgreement("clean up", tree.base());
    }

    /**
     * A participant that never votes: core 2 is stopped (kill -STOP) before the revoke is proposed and
     * killed with kill -9 while it is in flight, so its PREPARE is never answered. The coordinator
     * answers aborted, and core 2, restarted from its data directory, agrees that nothing changed.
     */
    @Test
    @Order(6)
    void revokeWhoseParticipantIsKilledBeforeItVotesAbortsEverywhere() throws Exception
    {
        final Tree tree = growTree("participant killed before it votes");
        final Replica before = tree.grown();
        cluster.pause(2);
        final CompletableFuture<Reply> answer = admin.postAsync(OWNER, "/caps/revoke", capability(tree.ram()),
            Duration.ofSeconds(ANSWER_TIMEOUT_S));
        // Prepared on core 0 (not only in flight: an earlier transaction may still await core 2's
        // acknowledgement), or already answered when a slow poll missed the prepare timeout.
        awaitTrue("core 0 has the revoke prepared", () -> answer.isDone() || admin.getObject(OWNER, "/2pc")
            .map(status -> ((Number)status.get("prepared")).intValue() == 1).orElse(false), ANSWER_TIMEOUT_S);
        cluster.kill(2);

        final Reply reply = answer.get(ANSWER_TIMEOUT_S, TimeUnit.SECONDS);
        assertThat(reply.status()).as("the revoke's answer: %s", reply.body()).isEqualTo(409);
        assertThat(reply.text("outcome")).as("the revoke's answer: %s", reply.body()).isEqualTo("aborted");
        assertUnchanged(replicas(List.of(OWNER, 1)), before);

        cluster.restart(2, "caps-core-2-killed-before-it-voted", List.of());
        awaitResolved();
        assertUnchanged(awaitAgreement("core 2 restarted", before.count()), before);

        commit(OWNER, "revoke", capability(tree.ram()));
        commit(OWNER, "delete", capability(tree.ram()));
        awaitAgreement("clean up", tree.base());
    }

    /** A request to a core's capability API. */
    private record Request(int core, String operation, String json)
    {
    }

    /** One capability as {@code GET /caps} lists it. */
    private record Cap(long cap, long object, String type, long base, long length, String rights, int holder, int owner,
        long parent, int copies, int children)
    {
        static Cap of(final Map<String, Object> json)
        {
            return new Cap(number(json, "cap"), number(json, "object"), json.get("type").toString(),
                number(json, "base"), number(json, "length"), json.get("rights").toString(), (int)number(json, "holder"),
                (int)number(json, "owner"), number(json, "parent"), (int)number(json, "copies"),
                (int)number(json, "children"));
        }
    }

    /** A core's replica as {@code GET /caps} lists it. */
    private record Replica(int core, int count, String fingerprint, Map<Long, Cap> capabilities)
    {
        Cap capability(final long capId)
        {
            assertThat(capabilities).as("core %d's replica", core).containsKey(capId);
            return capabilities.get(capId);
        }

        @Override
        public String toString()
        {
            return "core " + core + ": " + count + " capabilities, fingerprint " + fingerprint;
        }
    }

    /** What growTree made: RAM of core 0 whose revoke removes every capability in {@code removed}. */
    private record Tree(int base, long ram, List<Long> removed, Replica grown)
    {
    }

    /**
     * Core 0 allocates RAM, copies it to cores 1 and 2, retypes it into frames and copies two frames to
     * cores 1 and 2: a revoke of core 0's RAM removes everything but that RAM, on every core.
     */
    private Tree growTree(final String what) throws Exception
    {
        final int base = awaitAgreement(what + ": replicas agree at the start", ANY_COUNT).get(0).count();
        final long ram = commit(OWNER, "alloc", allocation(RAM_BYTES)).get(0);
        final List<Long> removed = new ArrayList<>();
        removed.add(commit(OWNER, "copy", copy(ram, 1)).get(0));
        removed.add(commit(OWNER, "copy", copy(ram, 2)).get(0));
        final List<Long> frames = commit(OWNER, "retype", frames(ram, 0, 4));
        removed.addAll(frames);
        removed.add(commit(OWNER, "copy", copy(frames.get(0), 1)).get(0));
        removed.add(commit(OWNER, "copy", copy(frames.get(1), 2)).get(0));
        final List<Replica> replicas = awaitAgreement(what + ": RAM with copies and frames on every core",
            base + 1 + removed.size());
        removed.forEach(cap -> assertThat(replicas.get(0).capability(cap)).isNotNull());
        return new Tree(base, ram, List.copyOf(removed), replicas.get(0));
    }

    private static void assertRevoked(final List<Replica> replicas, final Tree tree)
    {
        assertHeld(replicas, tree.ram(), OWNER, "ram");
        for (final Replica replica : replicas)
        {
            final Cap ram = replica.capability(tree.ram());
            assertThat(ram.copies()).as("%s: copies of the revoked RAM", replica).isEqualTo(1);
            assertThat(ram.children()).as("%s: children of the revoked RAM", replica).isZero();
        }
        assertAbsent(replicas, tree.removed());
    }

    private static void assertUnchanged(final List<Replica> replicas, final Replica before)
    {
        for (final Replica replica : replicas)
        {
            assertThat(replica.fingerprint()).as("%s, unchanged since %s", replica, before)
                .isEqualTo(before.fingerprint());
            assertThat(replica.capabilities()).as("%s's capabilities", replica).isEqualTo(before.capabilities());
        }
    }

    private static void assertHeld(final List<Replica> replicas, final long capId, final int holder, final String type)
    {
        for (final Replica replica : replicas)
        {
            final Cap cap = replica.capability(capId);
            assertThat(cap.holder()).as("%s: holder of %d", replica, capId).isEqualTo(holder);
            assertThat(cap.type()).as("%s: type of %d", replica, capId).isEqualTo(type);
        }
    }

    private static void assertAbsent(final List<Replica> replicas, final Collection<Long> capIds)
    {
        for (final Replica replica : replicas)
        {
            assertThat(replica.capabilities().keySet()).as("%s", replica).doesNotContainAnyElementsOf(capIds);
        }
    }

    /**
     * The answer to an operation whose coordinator was frozen and killed: no answer (the connection died
     * with it), indefinite, or one of {@code definite} outcomes.
     */
    private static void assertAnswerClaimsNothingBut(final CompletableFuture<Reply> answer, final Set<String> definite)
        throws Exception
    {
        final Reply reply;
        try
        {
            reply = answer.get(ANSWER_TIMEOUT_S, TimeUnit.SECONDS);
        }
        catch (final ExecutionException ex)
        {
            assertThat(ex.getCause()).as("no answer from the killed coordinator").isInstanceOf(IOException.class);
            return;
        }
        final Set<String> allowed = new HashSet<>(definite);
        allowed.add("indefinite");
        assertThat(reply.text("outcome")).as("the frozen coordinator's answer: %s", reply.body()).isIn(allowed);
    }

    private void awaitFrozenAndKill(final int core)
    {
        awaitTrue("core " + core + " reports frozen on /health",
            () -> admin.health(core).map(h -> "frozen".equals(h.get("status"))).orElse(false), FROZEN_TIMEOUT_S);
        cluster.kill(core);
    }

    /**
     * @return the one transaction, coordinated by core 0 with every core, that {@code participants} are in
     *         doubt about.
     */
    private String awaitInDoubt(final List<Integer> participants)
    {
        final Set<String> ids = new HashSet<>();
        for (final int participant : participants)
        {
            awaitTrue("core " + participant + " in doubt (admin and metric)", () ->
                admin.inDoubtIds(participant).size() == 1 && admin.metric(participant, "mk_2pc_in_doubt") == 1.0,
                IN_DOUBT_TIMEOUT_S);
            final Map<String, Object> entry = admin.inDoubt(participant).get(0);
            assertThat(((Number)entry.get("coordinator")).intValue()).isEqualTo(OWNER);
            assertThat(entry.get("participants").toString()).isEqualTo("[0, 1, 2]");
            ids.add(entry.get("transaction").toString());
        }
        assertThat(ids).hasSize(1);
        return ids.iterator().next();
    }

    private void awaitResolved()
    {
        for (final int core : cluster.map().coreIds())
        {
            awaitTrue("core " + core + " has nothing in doubt, in flight or locked", () -> admin.resolved(core),
                RESOLVED_TIMEOUT_S);
        }
    }

    /** Sends the requests from as many threads, released together once every thread waits. */
    private List<Reply> race(final ExecutorService executor, final List<Request> requests) throws Exception
    {
        final CountDownLatch ready = new CountDownLatch(requests.size());
        final CountDownLatch go = new CountDownLatch(1);
        final List<Future<Reply>> futures = new ArrayList<>();
        for (final Request request : requests)
        {
            futures.add(executor.submit(() ->
            {
                ready.countDown();
                assertThat(go.await(ANSWER_TIMEOUT_S, TimeUnit.SECONDS)).as("released").isTrue();
                return operate(request.core(), request.operation(), request.json());
            }));
        }
        assertThat(ready.await(ANSWER_TIMEOUT_S, TimeUnit.SECONDS)).as("every racing thread waits").isTrue();
        go.countDown();
        final List<Reply> replies = new ArrayList<>();
        for (final Future<Reply> future : futures)
        {
            replies.add(future.get(ANSWER_TIMEOUT_S, TimeUnit.SECONDS));
        }
        return replies;
    }

    /** Waits until every core answers with {@code count} capabilities ({@link #ANY_COUNT}: any) and one fingerprint. */
    private List<Replica> awaitAgreement(final String step, final int count)
    {
        return awaitReplicas(step + ": every core's replica has " + (ANY_COUNT == count ? "any number of" : count) +
            " capabilities and one fingerprint", Arrays.stream(cluster.map().coreIds()).boxed().toList(),
            replicas -> fingerprints(replicas).size() == 1 && (ANY_COUNT == count || replicas.get(0).count() == count));
    }

    private List<Replica> awaitReplicas(final String what, final List<Integer> cores,
        final Predicate<List<Replica>> condition)
    {
        final AtomicReference<List<Replica>> last = new AtomicReference<>(List.of());
        try
        {
            awaitTrue(what, () ->
            {
                last.set(replicas(cores));
                return last.get().size() == cores.size() && condition.test(last.get());
            }, AGREE_TIMEOUT_S);
        }
        catch (final AssertionError ex)
        {
            throw new AssertionError(ex.getMessage() + "; last read: " + last.get(), ex);
        }
        return last.get();
    }

    private static Set<String> fingerprints(final List<Replica> replicas)
    {
        final Set<String> fingerprints = new HashSet<>();
        replicas.forEach(replica -> fingerprints.add(replica.fingerprint()));
        return fingerprints;
    }

    /** @return the replicas of those of {@code cores} that answer. */
    private List<Replica> replicas(final List<Integer> cores)
    {
        final List<Replica> replicas = new ArrayList<>();
        for (final int core : cores)
        {
            replica(core).ifPresent(replicas::add);
        }
        return replicas;
    }

    @SuppressWarnings("unchecked")
    private Optional<Replica> replica(final int core)
    {
        return admin.getObject(core, "/caps?limit=" + LIST_LIMIT).map(json ->
        {
            assertThat(json.get("truncated")).as("core %d's /caps truncated", core).isEqualTo(false);
            final Map<Long, Cap> capabilities = new TreeMap<>();
            for (final Map<String, Object> entry : (List<Map<String, Object>>)json.get("capabilities"))
            {
                final Cap cap = Cap.of(entry);
                capabilities.put(cap.cap(), cap);
            }
            return new Replica(core, (int)number(json, "count"), json.get("fingerprint").toString(), capabilities);
        });
    }

    private byte[] readFrame(final int core, final long frame, final long offset, final int length) throws Exception
    {
        final Reply reply = operate(core, "read", frameRead(frame, offset, length));
        assertThat(reply.status()).as("read of frame %d on core %d: %s", frame, core, reply.body()).isEqualTo(200);
        return Base64.getDecoder().decode(reply.text("base64"));
    }

    /** @return the capabilities the operation made; it must have committed. */
    private List<Long> commit(final int core, final String operation, final String json) throws Exception
    {
        final Reply reply = operate(core, operation, json);
        assertThat(reply.status()).as("%s %s on core %d: %s", operation, json, core, reply.body()).isEqualTo(200);
        assertThat(reply.text("outcome")).isEqualTo("committed");
        return caps(reply);
    }

    private Reply operate(final int core, final String operation, final String json)
        throws IOException, InterruptedException
    {
        return admin.post(core, "/caps/" + operation, json);
    }

    private static List<Long> caps(final Reply reply)
    {
        return ((List<?>)reply.body().get("caps")).stream().map(id -> ((Number)id).longValue()).toList();
    }

    private static long number(final Map<String, Object> json, final String field)
    {
        return ((Number)json.get(field)).longValue();
    }

    private static List<String> chaos(final ChaosFreeze.Point point)
    {
        return List.of("-D" + CoreReplicationConfiguration.CHAOS_FREEZE_PROP + "=" + point.text());
    }

    private static String allocation(final long bytes)
    {
        return "{\"bytes\":" + bytes + "}";
    }

    private static String frames(final long ram, final long offset, final int count)
    {
        return "{\"cap\":" + ram + ",\"type\":\"frame\",\"size\":" + PAGE_BYTES + ",\"offset\":" + offset +
            ",\"count\":" + count + "}";
    }

    private static String copy(final long cap, final int to)
    {
        return "{\"cap\":" + cap + ",\"to\":" + to + "}";
    }

    private static String capability(final long cap)
    {
        return "{\"cap\":" + cap + "}";
    }

    private static String frameRead(final long frame, final long offset, final int length)
    {
        return "{\"cap\":" + frame + ",\"offset\":" + offset + ",\"length\":" + length + "}";
    }
}
