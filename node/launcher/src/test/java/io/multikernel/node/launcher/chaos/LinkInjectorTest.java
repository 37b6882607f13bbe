package io.multikernel.node.launcher.chaos;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpServer;
import io.multikernel.node.launcher.AdminCredentials;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LinkInjectorTest
{
    private static final List<Integer> CORES = List.of(0, 1, 2, 3);

    @Test
    void aPartitionBothWaysCutsEveryLinkBetweenTheSidesAtBothEnds()
    {
        final ChaosFault fault = new ChaosFault(0, ChaosFault.Kind.PARTITION, List.of(0, 2), 4_000, "both", 1, 0);
        assertThat(LinkInjector.rules(fault, CORES)).containsExactlyInAnyOrder(
            new LinkInjector.Rule(0, 1, "both", 1, 0), new LinkInjector.Rule(1, 0, "both", 1, 0),
            new LinkInjector.Rule(0, 3, "both", 1, 0), new LinkInjector.Rule(3, 0, "both", 1, 0),
            new LinkInjector.Rule(2, 1, "both", 1, 0), new LinkInjector.Rule(1, 2, "both", 1, 0),
            new LinkInjector.Rule(2, 3, "both", 1, 0), new LinkInjector.Rule(3, 2, "both", 1, 0));
    }

    @Test
    void aOneWayPartitionCutsTheSameDirectionAtBothEnds()
    {
        final ChaosFault outbound = new ChaosFault(0, ChaosFault.Kind.PARTITION, List.of(3), 4_000, "outbound", 1, 0);
        assertThat(LinkInjector.rules(outbound, CORES)).containsExactlyInAnyOrder(
            new LinkInjector.Rule(3, 0, "outbound", 1, 0), new LinkInjector.Rule(0, 3, "inbound", 1, 0),
            new LinkInjector.Rule(3, 1, "outbound", 1, 0), new LinkInjector.Rule(1, 3, "inbound", 1, 0),
            new LinkInjector.Rule(3, 2, "outbound", 1, 0), new LinkInjector.Rule(2, 3, "inbound", 1, 0));
        final ChaosFault inbound = new ChaosFault(0, ChaosFault.Kind.PARTITION, List.of(3), 4_000, "inbound", 1, 0);
        assertThat(LinkInjector.rules(inbound, CORES)).contains(
            new LinkInjector.Rule(3, 0, "inbound", 1, 0), new LinkInjector.Rule(0, 3, "outbound", 1, 0)).hasSize(6);
    }

    @Test
    void lossyAndSlowLinksAreRulesOnTheCoreItselfTowardsEveryPeer()
    {
        final ChaosFault lossy = new ChaosFault(0, ChaosFault.Kind.LOSSY, List.of(1), 4_000, "both", 0.3, 0);
        assertThat(LinkInjector.rules(lossy, CORES)).containsExactly(new LinkInjector.Rule(1, 0, "both", 0.3, 0),
            new LinkInjector.Rule(1, 2, "both", 0.3, 0), new LinkInjector.Rule(1, 3, "both", 0.3, 0));
        final ChaosFault slow = new ChaosFault(0, ChaosFault.Kind.SLOW, List.of(0), 4_000, "both", 0, 120);
        assertThat(LinkInjector.rules(slow, CORES)).containsExactly(new LinkInjector.Rule(0, 1, "both", 0, 120),
            new LinkInjector.Rule(0, 2, "both", 0, 120), new LinkInjector.Rule(0, 3, "both", 0, 120));
        assertThatThrownBy(() -> LinkInjector.rules(ChaosFault.process(0, ChaosFault.Kind.KILL, 1, 4_000), CORES))
            .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void healingGoesOnPastACoreThatDoesNotAnswerAndNamesEveryCoreLeftUnhealed() throws Exception
    {
        final List<String> requests = new CopyOnWriteArrayList<>();
        final HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange ->
        {
            requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
            final byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        final int deadPort;
        try (ServerSocket socket = new ServerSocket(0))
        {
            deadPort = socket.getLocalPort();
        }
        try
        {
            final String live = "http://127.0.0.1:" + server.getAddress().getPort();
            final Map<Integer, String> oneDown = new TreeMap<>(Map.of(0, "http://127.0.0.1:" + deadPort,
                1, live + "/core1", 2, live + "/core2"));
            final LinkInjector injector = new LinkInjector(new ChaosTarget(oneDown, AdminCredentials.NONE), 2);
            assertThatThrownBy(injector::healAll).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("core 0's links could not be healed in 2 attempts (ConnectException)");
            assertThat(requests).as("the cores after the one that did not answer were healed all the same")
                .contains("DELETE /core1/chaos/links", "DELETE /core2/chaos/links");

            requests.clear();
            final Map<Integer, String> twoDown = new TreeMap<>(Map.of(0, "http://127.0.0.1:" + deadPort,
                1, live + "/core1", 2, "http://127.0.0.1:" + deadPort));
            final LinkInjector partitioned = new LinkInjector(new ChaosTarget(twoDown, AdminCredentials.NONE), 2);
            assertThatThrownBy(() -> partitioned.heal(new ChaosFault(0, ChaosFault.Kind.PARTITION, List.of(0), 1_000, "both", 1, 0)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("cores [0, 2] could not be healed");
            assertThat(requests).contains("DELETE /core1/chaos/links");
        }
        finally
        {
            server.stop(0);
        }
    }
}
