package io.multikernel.node.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.multikernel.node.admin.AdminServer;
import io.multikernel.node.admin.PrometheusLint;
import io.multikernel.node.chaos.LinkFaultsAdmin;
import io.multikernel.node.chaos.LinkFaultsProxy;
import io.multikernel.node.cluster.ClusterMap;
import io.multikernel.node.cluster.TransportKind;
import io.multikernel.node.replication.ReplicationAdmin;
import io.multikernel.node.replication.ReplicationProxy;
import io.multikernel.node.service.Health;
import io.multikernel.node.service.JsonSnapshot;
import io.multikernel.node.util.TestJson;
import io.multikernel.transport.LinkFaults;
import io.multikernel.transport.UrpcMediaDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A one-core cluster's kernel loop, driven by the test through {@code doWork()}, with an embedded
 * media driver: what its admin views say, field by field, and what a core that fails to start
 * leaves behind (nothing).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CoreAgentTest
{
    private static final long ANSWER_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(20);

    @TempDir
    Path tempDir;

    private UrpcMediaDriver driver;
    private final CoreMetrics metrics = new CoreMetrics(0, 0);
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void launchDriver()
    {
        driver = UrpcMediaDriver.launch(new UrpcMediaDriver.Context()
            .aeronDirectory(tempDir.resolve("aeron").toString())
            .idleStrategy("yielding")
            .termLength(64 * 1024)
            .deleteDirectoryOnStart(true));
    }

    @AfterEach
    void close()
    {
        driver.close();
        metrics.close();
    }

    @Test
    void theAdminViewsOfACoreKeepTheirFieldNamesAndOrder() throws Exception
    {
        final ReplicationProxy proxy = new ReplicationProxy(16, metrics.registry());
        final JsonSnapshot status = new JsonSnapshot();
        final SkbView.Source skb = new SkbView.Source();
        final AtomicReference<Health> health = new AtomicReference<>(Health.down("core is starting"));
        final CoreAgent agent = new CoreAgent(context(), metrics, status, skb, health, proxy, CoreAgent.capabilityService(context(), metrics, null));
        try (AdminServer server = AdminServer.launch(new AdminServer.Context()
            .meterRegistry(metrics.registry())
            .statusSource(status)
            .skbSource(skb)
            .healthSource(health::get)
            .services(List.of(new ReplicationAdmin(proxy, new int[]{ 0 }, TimeUnit.SECONDS.toNanos(10))))))
        {
            agent.onStart();

            final Map<String, Object> put = answer(agent, server, "POST", "/kv", "{\"key\":\"k\",\"value\":\"v\"}", 200);
            assertThat(put.keySet()).containsExactly("outcome", "transaction", "replicas");
            assertThat(put).containsEntry("outcome", "committed").containsEntry("replicas", List.of(0L));

            final Map<String, Object> replica = answer(agent, server, "GET", "/kv", null, 200);
            assertThat(replica.keySet())
                .containsExactly("core", "count", "fingerprint", "changes", "limit", "truncated", "entries");
            assertThat(replica).containsEntry("count", 1L).containsEntry("truncated", false)
                .containsEntry("entries", Map.of("k", "v"));
            assertThat(answer(agent, server, "GET", "/kv/k", null, 200))
                .containsExactly(Map.entry("key", "k"), Map.entry("value", "v"), Map.entry("core", 0L));

            final Map<String, Object> twoPhaseCommit = answer(agent, server, "GET", "/2pc", null, 200);
            assertThat(twoPhaseCommit.keySet()).containsExactly("core", "incarnation", "fsync", "data_dir", "failed",
                "in_flight", "prepared", "locks_held", "in_doubt_count", "in_doubt");
            assertThat(twoPhaseCommit).containsEntry("in_doubt", List.of());

            final Map<String, Object> core = answer(agent, server, "GET", "/status", null, 200);
            assertThat(core.keySet()).containsExactly("id", "host", "pid", "incarnation", "state", "uptime_ms",
                "metrics_url", "peers_up", "peers_total", "peers");
            assertThat(core).containsEntry("state", "up").containsEntry("peers", List.of());

            final Map<String, Object> skbView = answer(agent, server, "GET", "/skb", null, 200);
            assertThat(skbView.keySet()).containsExactly("cores", "rtt_ns", "fingerprint");
            assertThat(skbView).containsEntry("cores", List.of(Map.of("id", 0L, "host", 0L)));
            assertThat(skbView.get("rtt_ns")).isEqualTo(Map.of("0", Map.of("0", 0L)));

            assertThat(answer(agent, server, "GET", "/health", null, 200)).containsExactly(Map.entry("status", "up"));
            assertThat(metrics.registry().scrape()).as("the core's /metrics")
                .contains("mk_shootdown_rounds_started_total{core=\"0\",host=\"0\"} 0.0");
        }
        finally
        {
            agent.onClose();
        }
    }

    @Test
    void everyMeterOfACoreHasHelpTextAndANamePromtoolAccepts() throws Exception
    {
        final ReplicationProxy proxy = new ReplicationProxy(16, metrics.registry());
        final AtomicReference<Health> health = new AtomicReference<>(Health.down("core is starting"));
        final CoreAgent agent = new CoreAgent(context(), metrics, new JsonSnapshot(), new SkbView.Source(), health,
            proxy, CoreAgent.capabilityService(context(), metrics, null));
        try (AdminServer server = AdminServer.launch(new AdminServer.Context()
            .meterRegistry(metrics.registry())
            .healthSource(health::get)
            .services(List.of(new ReplicationAdmin(proxy, new int[]{ 0 }, TimeUnit.SECONDS.toNanos(10))))))
        {
            agent.onStart();
            answer(agent, server, "POST", "/kv", "{\"key\":\"k\",\"value\":\"v\"}", 200);
            answer(agent, server, "GET", "/kv/k", null, 200);

            final String scrape = metrics.registry().scrape();
            assertThat(scrape).as("the core's /metrics").contains("# TYPE mk_2pc_snapshots_total counter",
                "# TYPE mk_urpc_rejected_total counter", "# TYPE process_cpu_seconds_total counter",
                "# TYPE system_cpu_available_processors gauge");
            assertThat(PrometheusLint.problems(scrape)).as("what promtool check metrics would report").isEmpty();
        }
        finally
        {
            agent.onClose();
        }
    }

    @Test
    void aCoreStartedWithChaosSetsLinkRulesInItsKernelLoopAndOneWithoutHasNoLinkFaults() throws Exception
    {
        final CoreContext plainContext = context(ClusterMap.local(2, 1, TransportKind.IPC), false);
        final CoreAgent plain = new CoreAgent(plainContext, metrics, new JsonSnapshot(), new SkbView.Source(),
            new AtomicReference<>(Health.UP));
        try
        {
            assertThat(plain.endpoint().linkFaults()).isNull();
        }
        finally
        {
            plain.onClose();
        }

        final CoreContext ctx = context(ClusterMap.local(2, 1, TransportKind.IPC), true).chaosSeed(99);
        final LinkFaultsProxy linkFaultsProxy = new LinkFaultsProxy(metrics.registry());
        final ReplicationProxy proxy = new ReplicationProxy(16, metrics.registry());
        final io.multikernel.node.caps.CapabilityService capabilities = CoreAgent.capabilityService(ctx, metrics, null);
        final CoreAgent agent = new CoreAgent(ctx, metrics, new JsonSnapshot(), new SkbView.Source(),
            new AtomicReference<>(Health.UP), proxy, capabilities, CoreAgent.vmService(ctx, metrics, capabilities),
            linkFaultsProxy);
        try (AdminServer server = AdminServer.launch(new AdminServer.Context()
            .meterRegistry(metrics.registry())
            .services(List.of(new LinkFaultsAdmin(0, new int[]{ 0, 1 }, linkFaultsProxy, ctx.chaosSeed(),
                LinkFaultsAdmin.KERNEL_LOOP_WAIT_MAX_NS)))))
        {
            agent.onStart();
            final Map<String, Object> links = answer(agent, server, "POST", "/chaos/links",
                "{\"peer\":1,\"direction\":\"both\",\"drop\":1}", 200);
            assertThat(links.keySet()).containsExactly("core", "seed", "delay_ms_max", "delay_queue_frames_max",
                "delay_queue_bytes_max", "queued_frames", "queued_bytes", "links");
            assertThat(links).containsEntry("seed", 99L);
            assertThat(agent.endpoint().linkFaults().view(1, LinkFaults.Direction.INBOUND).drop()).isEqualTo(1.0);
            assertThat(agent.endpoint().linkFaults().view(1, LinkFaults.Direction.OUTBOUND).drop()).isEqualTo(1.0);
            assertThat(metrics.registry().scrape()).contains(
                "mk_urpc_chaos_dropped_total{core=\"0\",direction=\"outbound\",host=\"0\",peer=\"1\",reason=\"rule\"}");
        }
        finally
        {
            agent.onClose();
        }
    }

    @Test
    void aCorePublishesItsIncarnationItsPeersStateAndIncarnationAndItsRttToEachPeer()
    {
        final CoreContext ctx = context(ClusterMap.local(2, 1, TransportKind.IPC), false);
        final CoreAgent agent = new CoreAgent(ctx, metrics, new JsonSnapshot(), new SkbView.Source(),
            new AtomicReference<>(Health.UP));
        try
        {
            agent.onStart();
            assertThat(metrics.registry().get(CoreAgent.INCARNATION_METRIC_NAME).gauge().value())
                .isEqualTo((double)ctx.incarnation());
            assertThat(metrics.registry().find(PeerRttGauges.NAME).gauges()).as("no pong yet").isEmpty();

            final long peerIncarnation = 1_000;
            agent.onNewIncarnation(1, io.multikernel.common.PeerIncarnations.UNKNOWN_INCARNATION, peerIncarnation);
            agent.onHello(1, peerIncarnation, 0, 0, 0, 0, true);
            final long rttNs = TimeUnit.MICROSECONDS.toNanos(150);
            agent.onPong(1, 1, ctx.nanoClock().nanoTime() - rttNs, null, 0, 0);

            assertThat(metrics.registry().get(PeerRttGauges.NAME).tag("peer", "1").gauge().value())
                .as("at least the round trip the pong closed, in seconds").isBetween(150e-6, 10.0);
            final String scrape = metrics.registry().scrape();
            assertThat(scrape).contains("mk_membership_peer_state{core=\"0\",host=\"0\",peer=\"1\"} 1.0",
                "mk_membership_peer_incarnation{core=\"0\",host=\"0\",peer=\"1\"} 1000.0",
                "mk_skb_peer_rtt_seconds{core=\"0\",host=\"0\",peer=\"1\"}",
                "# TYPE mk_core_incarnation gauge");
            assertThat(PrometheusLint.problems(scrape)).as("what promtool check metrics would report").isEmpty();

            agent.onNewIncarnation(1, peerIncarnation, peerIncarnation + 1);
            assertThat(metrics.registry().get(PeerRttGauges.NAME).tag("peer", "1").gauge().value())
                .as("the old incarnation's RTT is gone").isNaN();
            assertThat(metrics.registry().get("mk.membership.peer.incarnation").tag("peer", "1").gauge().value())
                .isEqualTo(peerIncarnation + 1);
        }
        finally
        {
            agent.onClose();
        }
    }

    @Test
    void theMapsTransportSettingsChooseACoresIdleStrategyAndTermLengthUnlessItsOwnAreGiven()
    {
        final ClusterMap map = ClusterMap.parse("""
            transport: {idleStrategy: yielding, termLengthBytes: 131072}
            hosts: [{id: 0}]
            cores: [{id: 0, host: 0, inbox: {ipc: true}, adminPort: 9400}]
            """, "cluster.yaml", io.multikernel.node.cluster.ClusterOverrides.NONE);
        final CoreContext ctx = context(map, false);
        assertThat(ctx.idleStrategy()).isEqualTo("yielding");
        assertThat(ctx.termLength()).isEqualTo(131_072);
        final CoreAgent agent = new CoreAgent(ctx, metrics, new JsonSnapshot(), new SkbView.Source(),
            new AtomicReference<>(Health.UP));
        try
        {
            assertThat(agent.endpoint().publisher().messageLengthMax())
                .as("the longest message follows the map's term length")
                .isEqualTo(io.multikernel.transport.TransportConfiguration.messageLengthMax(131_072));
        }
        finally
        {
            agent.onClose();
        }

        final CoreContext own = new CoreContext().clusterMap(map).coreId(0).idleStrategy("busy-spin")
            .aeronDirectory(driver.aeronDirectory()).dataDirectory(tempDir.resolve("data-own"))
            .clusterSecret(io.multikernel.common.ClusterSecret.generate(new java.security.SecureRandom())).conclude();
        assertThat(own.idleStrategy()).as("mk core --idle wins over the map").isEqualTo("busy-spin");
        final CoreContext plain = new CoreContext().clusterMap(ClusterMap.local(1, 1, TransportKind.IPC)).coreId(0)
            .aeronDirectory(driver.aeronDirectory()).dataDirectory(tempDir.resolve("data-plain"))
            .clusterSecret(io.multikernel.common.ClusterSecret.generate(new java.security.SecureRandom())).conclude();
        assertThat(plain.idleStrategy()).isEqualTo(CoreConfiguration.coreIdle());
        assertThat(plain.termLength()).isEqualTo(io.multikernel.transport.TransportConfiguration.termLength());
    }

    @Test
    void aCoreThatFailsToStartAfterItsWriteAheadLogOpenedClosesWhatItOpened() throws Exception
    {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs /proc to see open files and mappings");
        final Path dataDirectory = tempDir.resolve("data");
        final Path notADirectory = Files.writeString(tempDir.resolve("not-a-directory"), "x");
        final Set<Thread> threadsBefore = Thread.getAllStackTraces().keySet();

        assertThatThrownBy(() -> new CoreAgent(context().lrpcDirectory(notADirectory), metrics, new JsonSnapshot(),
            new SkbView.Source(), new AtomicReference<>(Health.UP)))
            .isInstanceOf(UncheckedIOException.class)
            .hasMessageContaining("cannot create the LRPC file");

        try (Stream<Path> files = Files.list(dataDirectory))
        {
            assertThat(files.toList()).as("the write-ahead log was opened").isNotEmpty();
        }
        assertThat(openFilesUnder(dataDirectory)).as("files of the write-ahead log still open").isEmpty();
        assertThat(mappingsUnder(dataDirectory)).as("segments of the write-ahead log still mapped").isEmpty();
        await().pollInSameThread().atMost(10, TimeUnit.SECONDS).untilAsserted(() ->
            assertThat(newThreads(threadsBefore)).as("threads the endpoint's Aeron client started").isEmpty());

        final CoreAgent again = new CoreAgent(context(), metrics, new JsonSnapshot(), new SkbView.Source(),
            new AtomicReference<>(Health.UP));
        again.onClose();
        assertThat(openFilesUnder(dataDirectory)).isEmpty();
    }

    private static List<String> openFilesUnder(final Path directory) throws IOException
    {
        final List<String> open = new ArrayList<>();
        try (DirectoryStream<Path> descriptors = Files.newDirectoryStream(Path.of("/proc/self/fd")))
        {
            for (final Path descriptor : descriptors)
            {
                try
                {
                    final Path target = Files.readSymbolicLink(descriptor);
                    if (target.startsWith(directory.toAbsolutePath()))
                    {
                        open.add(target.toString());
                    }
                }
                catch (final IOException ex)
                {
                    // The descriptor closed while we listed (the listing's own, for one).
                }
            }
        }
        return open;
    }

    private static List<String> mappingsUnder(final Path directory) throws IOException
    {
        final String prefix = directory.toAbsolutePath().toString();
        return Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(line -> line.contains(prefix)).toList();
    }

    private static List<String> newThreads(final Set<Thread> before)
    {
        return Thread.getAllStackTraces().keySet().stream()
            .filter(thread -> thread.isAlive() && !before.contains(thread))
            .map(Thread::getName)
            .filter(name -> !name.startsWith("HttpClient"))
            .toList();
    }

    private CoreContext context()
    {
        return context(ClusterMap.local(1, 1, TransportKind.IPC), false);
    }

    private CoreContext context(final ClusterMap map, final boolean chaos)
    {
        return new CoreContext()
            .clusterMap(map)
            .coreId(0)
            .aeronDirectory(driver.aeronDirectory())
            .dataDirectory(tempDir.resolve("data"))
            .clusterSecret(io.multikernel.common.ClusterSecret.generate(new java.security.SecureRandom()))
            .chaos(chaos)
            .conclude();
    }

    /**
     * Send a request and run the kernel loop until it is answered.
     */
    private Map<String, Object> answer(final CoreAgent agent, final AdminServer server, final String method,
        final String path, final String body, final int status) throws Exception
    {
        final CompletableFuture<HttpResponse<String>> response = http.sendAsync(
            HttpRequest.newBuilder(URI.create(server.url() + path))
                .timeout(Duration.ofSeconds(20))
                .method(method, null == body ? HttpRequest.BodyPublishers.noBody() :
                    HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build(),
            HttpResponse.BodyHandlers.ofString());
        final long deadlineNs = System.nanoTime() + ANSWER_TIMEOUT_NS;
        while (!response.isDone())
        {
            agent.doWork();
            assertThat(System.nanoTime() - deadlineNs).as("%s %s answered in time", method, path).isNegative();
            Thread.yield();
        }
        assertThat(response.get().statusCode()).as("%s %s: %s", method, path, response.get().body()).isEqualTo(status);
        return TestJson.parseObject(response.get().body());
    }
}
