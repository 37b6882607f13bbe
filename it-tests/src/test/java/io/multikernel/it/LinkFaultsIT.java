package io.multikernel.it;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.multikernel.it.AdminClient.Reply;
import io.multikernel.node.launcher.CoreStatus;
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

import static io.multikernel.it.Await.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Link faults across real core JVMs started by the launcher with chaos enabled ({@code mk up --chaos}):
 * a partition cut on both sides through {@code /chaos/links} makes the two cores see each other down
 * while the others still see both up, and keeps a transaction with the cut core as participant from
 * committing; once healed every core sees every other again and a transaction commits on every
 * replica. A delay on a link adds itself to the RTT both of its cores report.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LinkFaultsIT
{
    static final int CORES = 4;
    /** Fast failure detection, and RTT probes every 100 ms so that a probe window (8 samples) fills in 0.8 s. */
    static final List<String> CORE_PROPERTIES = properties();
    /** DELAY_MS: the delay put on one link, each way. */
    static final long DELAY_MS = 40;
    /**
     * RTT_SLACK_US: how far above its delays an RTT may be: the peer's answer, and for each held frame the
     * duty cycle that releases it (a parked kernel loop wakes within 10 ms), on two busy CPUs.
     */
    static final double RTT_SLACK_US = 60_000;
    /** DOWN_TIMEOUT_S: longest until cut cores see each other down (down after 1.5 s of silence). */
    static final long DOWN_TIMEOUT_S = 15;
    /** HEAL_TIMEOUT_S: longest until healed cores see each other up again (heartbeats every 100 ms). */
    static final long HEAL_TIMEOUT_S = 20;
    /** RTT_TIMEOUT_S: longest until the RTTs the cores report reflect a changed link. */
    static final long RTT_TIMEOUT_S = 20;

    private TestCluster cluster;
    private AdminClient admin;

    private static List<String> properties()
    {
        final List<String> properties = new ArrayList<>(TestCluster.FAST_FAILURE_PROPERTIES);
        properties.add("-Dmk.core.rtt.probe.interval.ms=100");
        properties.add("-Dmk.chaos.seed=20240607");
        return List.copyOf(properties);
    }

    @BeforeAll
    void launch(@TempDir final Path tempDir) throws Exception
    {
        cluster = new TestCluster(tempDir.resolve("run"), CORE_PROPERTIES);
        cluster.up(CORES, 1, true);
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
    void aPartitionKeepsATransactionFromCommittingUntilItHeals() throws Exception
    {
        cut(0, 2);
        cut(2, 0);
        awaitTrue("cores 0 and 2 see each other down", () -> state(0, 2).equals("down") && state(2, 0).equals("down"),
            DOWN_TIMEOUT_S);
        for (final int other : List.of(1, 3))
        {
            // Up, or back up within the wait after a heartbeat a stall held past the suspect timeout.
            awaitTrue("core " + other + " sees cores 0 and 2 up", () -> state(other, 0).equals("up") &&
                state(other, 2).equals("up"), DOWN_TIMEOUT_S);
        }

        final Reply partitioned = put(0, List.of(0, 1, 2), "partitioned", "lost");
        assertThat(partitioned.status()).as("a write with the cut core as participant: %s", partitioned.body())
            .isEqualTo(409);
        assertThat(partitioned.body()).containsEntry("outcome", "aborted");
        assertThat(put(1, List.of(1, 3), "unaffected", "yes").body()).as("a write among the others")
            .containsEntry("outcome", "committed");
        final Map<String, Object> links = admin.getObject(0, "/chaos/links").orElseThrow();
        assertThat(link(links, 2, "outbound").get("dropped_by_rule")).as("core 0's frames to core 2 dropped")
            .isNotEqualTo(0L);
        assertThat(admin.metric(0, "mk_urpc_chaos_dropped_total")).isPositive();

        assertThat(admin.delete(0, "/chaos/links").status()).isEqualTo(200);
        assertThat(admin.delete(2, "/chaos/links?peer=0").status()).isEqualTo(200);
        awaitTrue("every core sees every other up after healing", admin::allSeeAll, HEAL_TIMEOUT_S);
        final Reply healed = put(0, List.of(0, 1, 2, 3), "healed", "everywhere");
        assertThat(healed.status()).as("a write on every replica after healing: %s", healed.body()).isEqualTo(200);
        awaitTrue("every replica holds the write", () -> cluster.running().stream()
            .allMatch(core -> admin.get(core, "/kv/healed").isPresent()), HEAL_TIMEOUT_S);
        // Cores 1 and 3 also hold the write made among them while 0 and 2 were cut apart.
        awaitTrue("replicas of the same writes are equal", () -> fingerprint(0).equals(fingerprint(2)) &&
            fingerprint(1).equals(fingerprint(3)) && !fingerprint(0).equals(fingerprint(1)), HEAL_TIMEOUT_S);
        assertThat(admin.get(2, "/kv/partitioned")).as("the aborted write left nothing").isEmpty();
        assertThat(admin.get(1, "/kv/partitioned")).isEmpty();
    }

    @Test
    @Order(2)
    void aDelayedLinkAddsItsDelayToTheRttItsCoresReport() throws Exception
    {
        awaitTrue("RTTs measured between cores 0, 1 and 3", () -> rttUs(0, 1) >= 0 && rttUs(1, 0) >= 0 &&
            rttUs(0, 3) >= 0, RTT_TIMEOUT_S);
        final double before = rttUs(0, 1);
        System.out.printf("RTT 0->1 before the delay: %.0f us%n", before);
        assertThat(before).as("RTT 0->1 before the delay, us").isLessThan(DELAY_MS * 1000.0);

        // Both directions on core 0 alone: a probe from either end is held once each way.
        final Reply delayed = admin.post(0, "/chaos/links",
            "{\"peer\":1,\"direction\":\"both\",\"delay_ms\":" + DELAY_MS + "}");
        assertThat(delayed.status()).as("%s", delayed.body()).isEqualTo(200);
        final double heldUs = 2 * DELAY_MS * 1000.0;
        awaitTrue("RTTs between cores 0 and 1 grow by the delay each way", () -> rttUs(0, 1) >= heldUs &&
            rttUs(1, 0) >= heldUs, RTT_TIMEOUT_S);
        // The RTT is the minimum of the last 8 probes: wait for a window of delayed probes only.
        Thread.sleep(TimeUnit.SECONDS.toMillis(1));
        final double rtt01 = rttUs(0, 1);
        final double rtt10 = rttUs(1, 0);
        System.out.printf("RTT with %d ms each way: 0->1 %.0f us, 1->0 %.0f us%n", DELAY_MS, rtt01, rtt10);
        assertThat(rtt01).as("RTT 0->1, us").isBetween(heldUs, heldUs + RTT_SLACK_US);
        assertThat(rtt10).as("RTT 1->0, us").isBetween(heldUs, heldUs + RTT_SLACK_US);
        assertThat(rttUs(0, 3)).as("RTT 0->3 over a link without a rule, us").isLessThan(DELAY_MS * 1000.0);
        assertThat(link(admin.getObject(0, "/chaos/links").orElseThrow(), 1, "inbound").get("delayed"))
            .isNotEqualTo(0L);

        assertThat(admin.delete(0, "/chaos/links").status()).isEqualTo(200);
        awaitTrue("RTT 0->1 back below the delay after healing", () -> rttUs(0, 1) >= 0 &&
            rttUs(0, 1) < DELAY_MS * 1000.0, RTT_TIMEOUT_S);
        assertThat(admin.metric(0, "mk_urpc_rejected_total")).as("no held frame was refused (replayed, ...)").isZero();
        assertThat(admin.metric(1, "mk_urpc_rejected_total")).isZero();
    }

    private void cut(final int core, final int peer) throws Exception
    {
        final Reply reply = admin.post(core, "/chaos/links", "{\"peer\":" + peer + ",\"direction\":\"both\",\"drop\":1}");
        assertThat(reply.status()).as("cut %d -> %d: %s", core, peer, reply.body()).isEqualTo(200);
    }

    private Reply put(final int core, final List<Integer> replicas, final String key, final String value) throws Exception
    {
        return admin.post(core, "/kv", "{\"replicas\":" + replicas + ",\"key\":\"" + key + "\",\"value\":\"" + value +
            "\"}");
    }

    /** @return how {@code core} sees {@code peer}: up, suspect, down...; "unanswered" when it does not answer. */
    private String state(final int core, final int peer)
    {
        return status(core).map(status -> status.peer(peer).state()).orElse("unanswered");
    }

    /** @return the RTT {@code core} reports to {@code peer}, us; -1 when none is measured or it does not answer. */
    private double rttUs(final int core, final int peer)
    {
        return status(core).map(status -> status.peer(peer).rttUs()).orElse(-1.0);
    }

    private Optional<CoreStatus> status(final int core)
    {
        return admin.get(core, "/status").map(body -> StrictJson.read(body, CoreStatus.class, "core " + core + "'s /status"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> link(final Map<String, Object> links, final int peer, final String direction)
    {
        return ((List<Map<String, Object>>)links.get("links")).stream()
            .filter(link -> ((Number)link.get("peer")).intValue() == peer && direction.equals(link.get("direction")))
            .findFirst().orElseThrow(() -> new AssertionError("no link to core " + peer + " " + direction + " in " + links));
    }

    private String fingerprint(final int core)
    {
        return String.valueOf(admin.getObject(core, "/kv?limit=0").map(m -> m.get("fingerprint")).orElse("none " + core));
    }
}
