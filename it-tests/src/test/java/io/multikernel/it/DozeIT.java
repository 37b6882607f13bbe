package io.multikernel.it;

import io.multikernel.node.lrpc.LrpcClient;
import io.multikernel.node.lrpc.LrpcOperations;
import io.multikernel.node.lrpc.LrpcOutcome;
import io.multikernel.node.lrpc.LrpcResult;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.multikernel.it.Await.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Cores at rest doze, and whoever gives a dozing core work rings it: a replicated write through the
 * admin API (the coordinator woken in process, the participants rung by the coordinator) and an LRPC
 * call from an app (rung through the channel's doorbell port) take milliseconds, not the quarter
 * second a core dozes between its timer ticks. Separate core JVMs, the launcher's defaults.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DozeIT
{
    static final int CORES = 3;
    static final List<Integer> REPLICAS = List.of(0, 1, 2);
    /** WRITES: replicated writes, each after the cores have gone back to dozing. */
    static final int WRITES = 7;
    /**
     * QUIET_MS: pause before each write, past the 50 ms doze delay and the 250 ms tick, so every core
     * dozes when the write starts.
     */
    static final long QUIET_MS = 600;
    /**
     * RUNG_MEDIAN_MAX_MS: a write's median latency when the rings work. Without them each of the
     * write's two hops waits for a dozing core's next tick, 125 ms on average.
     */
    static final long RUNG_MEDIAN_MAX_MS = 100;
    static final long DOZE_TIMEOUT_S = 60;
    /**
     * RUNG_WAKEUPS_MIN: dozes each core must see ended by a ring over the writes (or calls): one per
     * write, but for two that a probe round or a slow previous write may have found it awake.
     */
    static final int RUNG_WAKEUPS_MIN = WRITES - 2;
    /** PROBE_INTERVAL_MS: probe rounds while a core has work; at rest, ten times as long. */
    static final long PROBE_INTERVAL_MS = 200;
    /** REST_WINDOW_MS: a window with no work, long enough for 15 busy probe rounds or 2 idle ones. */
    static final long REST_WINDOW_MS = 3_000;
    /** REST_PINGS_MAX: pings one core may send its 2 peers in the window: 2 idle rounds, and 1 busy. */
    static final long REST_PINGS_MAX = 6;

    private TestCluster cluster;
    private AdminClient admin;

    @BeforeAll
    void launch(@TempDir final Path tempDir) throws Exception
    {
        cluster = new TestCluster(tempDir.resolve("run"), List.of("-Dmk.core.rtt.probe.interval.ms=" + PROBE_INTERVAL_MS));
        cluster.up(CORES);
        admin = cluster.admin();
        for (int core = 0; core < CORES; core++)
        {
            final int c = core;
            awaitTrue("core " + c + " dozes", () -> admin.metric(c, "mk_core_dozes_total") >= 1, DOZE_TIMEOUT_S);
        }
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
    void aWriteToDozingCoresRingsThemAndTakesMilliseconds() throws Exception
    {
        final double[] rungBefore = rungWakeups();
        final double ringsBefore = admin.metric(0, "mk_core_doorbell_rings_sent_total");
        final List<Long> latenciesMs = new ArrayList<>();
        for (int i = 0; i < WRITES; i++)
        {
            Thread.sleep(QUIET_MS);
            final long startNs = System.nanoTime();
            final AdminClient.Reply reply = admin.post(0, "/kv",
                "{\"replicas\":" + REPLICAS + ",\"key\":\"dozing-" + i + "\",\"value\":\"" + i + "\"}");
            latenciesMs.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs));
            assertThat(reply.status()).as("write %d: %s", i, reply.body()).isEqualTo(200);
        }
        System.out.println("replicated writes to dozing cores, ms, in order: " + latenciesMs);
        Collections.sort(latenciesMs);
        assertThat(latenciesMs.get(WRITES / 2)).as("median write latency, ms, of %s", latenciesMs)
            .isLessThan(RUNG_MEDIAN_MAX_MS);
        final double[] rungAfter = rungWakeups();
        for (int core = 0; core < CORES; core++)
        {
            assertThat(rungAfter[core] - rungBefore[core]).as("core %d's dozes ended by a ring or wakeup", core)
                .isGreaterThanOrEqualTo(RUNG_WAKEUPS_MIN);
        }
        assertThat(admin.metric(0, "mk_core_doorbell_rings_sent_total")).isGreaterThanOrEqualTo(ringsBefore + 2);
        assertThat(admin.metric(0, "mk_core_doorbell_ring_failures_total")).isZero();
    }

    @Test
    void anLrpcCallToADozingCoreRingsItAndTakesMilliseconds() throws Exception
    {
        final int core = 1;
        final UnsafeBuffer payload = new UnsafeBuffer("ping".getBytes(StandardCharsets.US_ASCII));
        final double rungBefore = admin.metric(core, "mk_core_doze_rung_wakeups_total");
        try (LrpcClient client = LrpcClient.attach(new LrpcClient.Context()
            .file(cluster.runDirectory().lrpcFile(core)).coreId(core)))
        {
            final List<Long> latenciesMs = new ArrayList<>();
            for (int i = 0; i < WRITES; i++)
            {
                Thread.sleep(QUIET_MS);
                final long startNs = System.nanoTime();
                final LrpcResult result = client.call(LrpcOperations.ECHO, payload, 0, payload.capacity());
                latenciesMs.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs));
                assertThat(result.outcome()).isEqualTo(LrpcOutcome.SUCCESS);
            }
            System.out.println("LRPC echoes to a dozing core, ms, in order: " + latenciesMs);
            Collections.sort(latenciesMs);
            assertThat(latenciesMs.get(WRITES / 2)).as("median LRPC echo latency, ms, of %s", latenciesMs)
                .isLessThan(RUNG_MEDIAN_MAX_MS);
            assertThat(client.doorbellRings()).as("rings the client sent").isGreaterThanOrEqualTo(RUNG_WAKEUPS_MIN);
            assertThat(client.doorbellRingFailures()).isZero();
            assertThat(admin.metric(core, "mk_core_doze_rung_wakeups_total") - rungBefore)
                .as("core %d's dozes ended by a ring", core).isGreaterThanOrEqualTo(RUNG_WAKEUPS_MIN);
        }
    }

    @Test
    void aCoreAtRestProbesItsPeersTenTimesLessOften() throws Exception
    {
        final int core = 2;
        // Rest first: a whole idle round after the last work.
        Thread.sleep(PROBE_INTERVAL_MS * 12);
        final double before = pingsSent(core);
        Thread.sleep(REST_WINDOW_MS);
        final double sent = pingsSent(core) -
            before;
        System.out.println("pings core " + core + " sent at rest in " + REST_WINDOW_MS + " ms: " + sent);
        assertThat(before).isPositive();
        assertThat(sent).isBetween(0.0, (double)REST_PINGS_MAX);
    }

    private double pingsSent(final int core)
    {
        return admin.metric(core, "mk_urpc_messages_sent_total", "type=\"ping\"");
    }

    private double[] rungWakeups()
    {
        final double[] rung = new double[CORES];
        for (int core = 0; core < CORES; core++)
        {
            rung[core] = admin.metric(core, "mk_core_doze_rung_wakeups_total");
        }
        return rung;
    }
}
