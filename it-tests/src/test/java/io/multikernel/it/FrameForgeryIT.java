package io.multikernel.it;

import io.multikernel.it.AdminClient.Reply;
import io.multikernel.node.cluster.ClusterMap;
import io.multikernel.node.launcher.CoreStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.multikernel.it.Await.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Core JVMs under attack from a process on their host that can reach an inbox but lacks the cluster
 * secret ({@link FrameForger}): captured heartbeats, SKB rows, 2PC batches and shootdown requests
 * sent again, stripped of their seal, altered under the old tag or re-sealed with another key, and a
 * forged Hello and Goodbye of a much newer incarnation. Over IPC on one host and over UDP between two.
 * Every forged and replayed frame is rejected and counted at the target; afterwards every core still
 * sees every other up at the incarnations it had, the replicas agree, and a new transaction commits.
 */
class FrameForgeryIT
{
    private static final String KEY = "forgery-witness";
    private static final long CAPTURE_TIMEOUT_MS = 30_000;
    private static final Pattern ATTACKED = Pattern.compile("ATTACKED replayed=(\\d+) forged=(\\d+)");
    /** Heartbeat, 2PC batch, SKB row, shootdown request. */
    private static final String CAPTURED_TEMPLATES = "2,100,200,201";

    @TempDir
    Path root;

    private TestCluster cluster;

    @AfterEach
    void stop() throws Exception
    {
        if (null != cluster)
        {
            cluster.stop();
        }
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void overIpcOnOneHostForgedAndReplayedFramesChangeNothing() throws Exception
    {
        attack(3, 1);
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void overUdpBetweenHostsForgedAndReplayedFramesChangeNothing() throws Exception
    {
        attack(4, 2);
    }

    private void attack(final int cores, final int hosts) throws Exception
    {
        cluster = new TestCluster(root.resolve("run"), List.of());
        cluster.up(cores, hosts);
        final ClusterMap map = cluster.map();
        final AdminClient admin = cluster.admin();
        // Core 0 coordinates and sends shootdowns; the target is the last core: on another host than
        // core 0 when there are two, so what the attacker captures and sends there travels over UDP.
        final int target = cores - 1;
        final int attackerHost = map.core(0).hostId();
        final boolean udp = map.core(target).hostId() != attackerHost;
        assertThat(udp).isEqualTo(hosts > 1);
        final String aeronDir = map.host(attackerHost).aeronDir().orElseThrow();
        final String endpoint = udp ? map.core(target).inbox().udp().orElseThrow().toString() : "-";

        assertThat(put(admin, cores, "before", "kept").status()).isEqualTo(200);
        final Map<Integer, Long> incarnationsBefore = incarnationsSeenBy(admin, target);
        final double rejectedBefore = rejected(admin, target, "replayed") + rejected(admin, target, "unauthenticated") +
            rejected(admin, target, "truncated");

        final String attacked;
        try (ManagedProcess forger = ManagedProcess.start("frame-forger-" + (udp ? "udp" : "ipc"), FrameForger.class,
            List.of("-Xmx128m"), List.of(aeronDir, "" + target, endpoint, "0", "" + CAPTURE_TIMEOUT_MS, CAPTURED_TEMPLATES)))
        {
            forger.awaitLine("SPYING"::equals, 60, TimeUnit.SECONDS);
            // Traffic to capture: a replicated write and shootdown rounds, both from core 0.
            final CompletableFuture<Reply> write = admin.postAsync(0, "/kv", body(cores, KEY, "real"),
                java.time.Duration.ofSeconds(20));
            final Reply shootdown = admin.post(0, "/bench/shootdown?protocol=unicast&rounds=20&warmup=0", "");
            assertThat(shootdown.status()).as("shootdown rounds: %s", shootdown.body()).isEqualTo(200);
            assertThat(write.get(30, TimeUnit.SECONDS).status()).isEqualTo(200);
            final String captured = forger.awaitLine(line -> line.startsWith("CAPTURED"), 60, TimeUnit.SECONDS);
            assertThat(captured).as("what the attacker captured").startsWith("CAPTURED " + CAPTURED_TEMPLATES + " (");
            attacked = forger.awaitLine(line -> line.startsWith("ATTACKED"), 60, TimeUnit.SECONDS);
        }
        final Matcher counts = ATTACKED.matcher(attacked);
        assertThat(counts.matches()).as(attacked).isTrue();
        final int replayed = Integer.parseInt(counts.group(1));
        final int forged = Integer.parseInt(counts.group(2));
        assertThat(replayed).isEqualTo(4);
        assertThat(forged).isEqualTo(16);

        awaitTrue("core " + target + " counted every replay", () -> rejected(admin, target, "replayed") >= replayed, 20);
        awaitTrue("core " + target + " counted every forgery", () ->
            rejected(admin, target, "unauthenticated") + rejected(admin, target, "truncated") >= forged, 20);
        final double rejectedAfter = rejected(admin, target, "replayed") + rejected(admin, target, "unauthenticated") +
            rejected(admin, target, "truncated");
        assertThat(rejectedAfter - rejectedBefore).as("rejections at core %d", target).isEqualTo(replayed + forged);

        // No state changed: peers up at the same incarnations, the replicas agree, 2PC works.
        assertThat(admin.allSeeAll()).as("every core sees every other up").isTrue();
        assertThat(incarnationsSeenBy(admin, target)).isEqualTo(incarnationsBefore);
        for (int core = 0; core < cores; core++)
        {
            assertThat(value(admin, core, KEY)).as("core %d's replica of %s", core, KEY).isEqualTo("real");
            assertThat(value(admin, core, "before")).as("core %d's replica of before", core).isEqualTo("kept");
            assertThat(admin.metric(core, "mk_2pc_in_doubt")).as("core %d in doubt", core).isZero();
        }
        assertThat(put(admin, cores, "after", "committed").status()).as("a transaction after the attack").isEqualTo(200);
        for (int core = 0; core < cores; core++)
        {
            final int self = core;
            awaitTrue("core " + core + " applied the write after the attack",
                () -> "committed".equals(value(admin, self, "after")), 20);
        }
    }

    private static Map<Integer, Long> incarnationsSeenBy(final AdminClient admin, final int core)
    {
        final CoreStatus status = admin.get(core, "/status")
            .map(body -> io.multikernel.node.launcher.StrictJson.read(body, CoreStatus.class, "status"))
            .orElseThrow();
        final Map<Integer, Long> incarnations = new TreeMap<>();
        for (final CoreStatus.Peer peer : status.peers())
        {
            assertThat(peer.state()).as("core %d's view of core %d", core, peer.id()).isEqualTo("up");
            incarnations.put(peer.id(), peer.incarnation());
        }
        return incarnations;
    }

    private static double rejected(final AdminClient admin, final int core, final String reason)
    {
        return admin.get(core, "/metrics").map(body -> body.lines()
            .filter(line -> line.startsWith("mk_urpc_rejected_total{") && line.contains("reason=\"" + reason + "\""))
            .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum()).orElse(-1.0);
    }

    private static String value(final AdminClient admin, final int core, final String key)
    {
        return admin.getObject(core, "/kv/" + key).map(body -> String.valueOf(body.get("value"))).orElse(null);
    }

    private static Reply put(final AdminClient admin, final int replicas, final String key, final String value)
        throws Exception
    {
        return admin.post(0, "/kv", body(replicas, key, value));
    }

    private static String body(final int replicas, final String key, final String value)
    {
        // No replicas named: every core of the cluster holds the key.
        return "{\"key\":\"" + key + "\",\"value\":\"" + value + "\"}";
    }
}
