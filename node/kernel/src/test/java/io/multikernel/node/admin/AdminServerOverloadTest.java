package io.multikernel.node.admin;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AdminServerOverloadTest
{
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final HttpClient client = AdminHttp.newClient();
    private AdminServer server;

    @AfterEach
    void stop()
    {
        release.countDown();
        if (null != server)
        {
            server.close();
        }
        registry.close();
    }

    @Test
    void requestsBeyondTheWorkersAndTheirQueueAnswer503AtOnceWithoutCallingTheSource() throws Exception
    {
        server = AdminServer.launch(new AdminServer.Context()
            .meterRegistry(registry)
            .threadCount(1)
            .queueCapacity(1)
            .statusSource(this::blockingStatus));

        final CompletableFuture<HttpResponse<String>> running = sendAsync("/status");
        assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
        final CompletableFuture<HttpResponse<String>> queued = sendAsync("/status");
        await().atMost(5, TimeUnit.SECONDS).until(() -> 1 == server.queuedRequests());

        final HttpResponse<String> refused = AdminHttp.get(client, server, "/status");

        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(refused.body()).isEqualTo("{\"error\":\"admin server is busy; retry after 1 s\",\"path\":\"/status\"}");
        release.countDown();
        assertThat(running.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(queued.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        // A request is counted after its answer is written, so the client may see it first.
        await().atMost(5, TimeUnit.SECONDS).untilAsserted(() ->
        {
            assertThat(registry.get("mk.admin.requests").tag("endpoint", "status").tag("status", "503").counter()
                .count()).isEqualTo(1.0);
            assertThat(registry.get("mk.admin.requests").tag("endpoint", "status").tag("status", "200").counter()
                .count()).isEqualTo(2.0);
        });
    }

    @Test
    void clientsThatNeverFinishTheirRequestAreCutOffAndFreeTheWorkers() throws Exception
    {
        server = AdminServer.launch(new AdminServer.Context()
            .meterRegistry(registry)
            .threadCount(2)
            .statusSource(() -> "{}"));
        // One client stops halfway through its headers, the other halfway through its body: each holds a worker.
        final String[] halves = {
            "GET /status HTTP/1.1\r\nHost: x\r\n",
            "POST /status HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789"};
        final java.util.List<java.net.Socket> slow = new java.util.ArrayList<>();
        try
        {
            for (final String half : halves)
            {
                final java.net.Socket socket = new java.net.Socket(server.boundAddress().getAddress(), server.port());
                socket.getOutputStream().write(half.getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                slow.add(socket);
            }
            final long startNs = System.nanoTime();
            final java.time.Duration patience = java.time.Duration.ofSeconds(AdminConfiguration.REQUEST_READ_TIMEOUT_S + 10);
            final HttpResponse<String> answered = client.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(server.url() + "/status")).timeout(patience).GET().build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            assertThat(answered.statusCode()).isEqualTo(200);
            assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNs))
                .as("answered once the slow clients were cut off")
                .isLessThanOrEqualTo(AdminConfiguration.REQUEST_READ_TIMEOUT_S + 5);
            for (final java.net.Socket socket : slow)
            {
                // Whatever the server wrote before it closed the connection, it did close it (no read timeout).
                socket.setSoTimeout(5_000);
                assertThat(socket.getInputStream().readAllBytes()).as("the slow client's connection was closed")
                    .hasSizeLessThan(1024);
            }
        }
        finally
        {
            for (final java.net.Socket socket : slow)
            {
                socket.close();
            }
        }
    }

    /** Clients stalled mid-request that still leave the default workers one for everyone else. */
    private static final int STALLED_CLIENTS_LEFT_A_WORKER = 3;

    @Test
    void withTheDefaultWorkersClientsStalledMidRequestDoNotDelayOthers() throws Exception
    {
        server = AdminServer.launch(new AdminServer.Context()
            .meterRegistry(registry)
            .statusSource(() -> "{}"));
        final java.util.List<java.net.Socket> slow = new java.util.ArrayList<>();
        try
        {
            // Three, as docs/SECURITY.md promises: with two workers (the old default) the request below
            // waited until the stalled clients were cut off.
            for (int i = 0; i < STALLED_CLIENTS_LEFT_A_WORKER; i++)
            {
                final java.net.Socket socket = new java.net.Socket(server.boundAddress().getAddress(), server.port());
                socket.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                slow.add(socket);
            }
            Thread.sleep(200); // each has been taken by a worker
            final long startNs = System.nanoTime();
            final HttpResponse<String> answered = client.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(server.url() + "/status")).timeout(java.time.Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            assertThat(answered.statusCode()).isEqualTo(200);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs))
                .as("answered by the worker the stalled clients left free, not after they were cut off")
                .isLessThan(TimeUnit.SECONDS.toMillis(AdminConfiguration.REQUEST_READ_TIMEOUT_S));
        }
        finally
        {
            for (final java.net.Socket socket : slow)
            {
                socket.close();
            }
        }
    }

    @Test
    void stopInterruptsABlockedSourceAndStillReleasesThePortPromptly() throws Exception
    {
        server = AdminServer.launch(new AdminServer.Context()
            .meterRegistry(registry)
            .statusSource(this::blockingStatus));
        final int port = server.port();
        final CompletableFuture<HttpResponse<String>> running = sendAsync("/status");
        assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();

        final long startNs = System.nanoTime();
        server.stop();

        assertThat(System.nanoTime() - startNs).isLessThan(TimeUnit.SECONDS.toNanos(3));
        assertThat(running).failsWithin(5, TimeUnit.SECONDS);
        try (java.net.ServerSocket rebound = new java.net.ServerSocket())
        {
            rebound.setReuseAddress(true);
            rebound.bind(new java.net.InetSocketAddress("127.0.0.1", port));
            assertThat(rebound.getLocalPort()).isEqualTo(port);
        }
    }

    private String blockingStatus()
    {
        entered.countDown();
        try
        {
            if (!release.await(10, TimeUnit.SECONDS))
            {
                throw new IllegalStateException("test never released the source");
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", ex);
        }
        return "{\"core\":0}";
    }

    private CompletableFuture<HttpResponse<String>> sendAsync(final String path)
    {
        return client.sendAsync(
            AdminHttp.request(server, "GET", path), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }
}
