package io.multikernel.node.bench;

import io.multikernel.node.launcher.StrictJson;
import io.multikernel.node.shootdown.ShootdownBenchResult;
import io.multikernel.node.skb.RoutingProtocol;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/**
 * {@code mk bench shootdown} reads what the initiator answers exactly as the kernel writes it, and its
 * JSON report keeps its fields, their order and its figures.
 */
class ShootdownBenchmarkTest
{
    private static final ShootdownBenchResult UNICAST = new ShootdownBenchResult(RoutingProtocol.UNICAST, 2, 50, 10, 50, 0,
        12_000, 30_000, 45_000, 13_456.789, 1, 1, 1, 1.0, null, "UNICAST from 0: 0->[1]");
    private static final ShootdownBenchResult MULTICAST = new ShootdownBenchResult(RoutingProtocol.MULTICAST, 4, 50, 10, 48,
        2, 22_000, 60_000, 85_000, 23_456.5, 1, 3, 2, 3.0, "timed out", "MULTICAST from 0: 0->[1] 1->[2, 3]");

    @Test
    void readsTheInitiatorsSummaryAsTheKernelWritesIt()
    {
        final ShootdownSummary summary = StrictJson.read(MULTICAST.toJson(), ShootdownSummary.class, "the summary");

        assertThat(summary).isEqualTo(new ShootdownSummary("multicast", 4, 50, 10, 48, 2, 22_000, 60_000, 85_000, 23_456.5,
            1, 3, 2, 3.0, "MULTICAST from 0: 0->[1] 1->[2, 3]", "timed out"));
        assertThat(StrictJson.read(UNICAST.toJson(), ShootdownSummary.class, "the summary").firstFailure()).isNull();
        assertThatThrownBy(() -> StrictJson.read(UNICAST.toJson().replace("\"hops\"", "\"depth\""), ShootdownSummary.class,
            "core 0's answer")).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("core 0's answer is not valid: unknown field 'depth'");
    }

    @Test
    void tableRowAndJsonAreTheReportAsItWasWritten()
    {
        final ShootdownBenchmark benchmark = new ShootdownBenchmark(new ShootdownBenchmark.Config(List.of(2, 4),
            List.of(RoutingProtocol.values()), 1, 50, 10, "backoff", Path.of("run"), 1000),
            new PrintStream(OutputStream.nullOutputStream()));
        final List<ShootdownBenchmark.Row> rows = List.of(
            new ShootdownBenchmark.Row(RoutingProtocol.UNICAST, 2, 1,
                StrictJson.read(UNICAST.toJson(), ShootdownSummary.class, "the summary")),
            new ShootdownBenchmark.Row(RoutingProtocol.MULTICAST, 4, 1,
                StrictJson.read(MULTICAST.toJson(), ShootdownSummary.class, "the summary")));

        assertThat(ShootdownBenchmark.tableRow(rows.get(1))).isEqualTo(
            "multicast      4     1       22.0       60.0          1      2          3      2" + System.lineSeparator());
        // Byte for byte what the hand-written JSON writer produced for these rows.
        final String json = benchmark.json(rows);
        assertThat(json).isEqualTo(
            "{\"benchmark\":\"shootdown\",\"hosts\":1,\"rounds\":50,\"warmup\":10,\"idle\":\"backoff\",\"rows\":[{\"protocol\":\"unicast\"," +
            "\"cores\":2,\"hosts\":1,\"p50_ns\":12000,\"p99_ns\":30000,\"max_ns\":45000,\"initiator_messages\":1," +
            "\"hops\":1,\"total_messages\":1,\"measured\":50,\"rounds_failed\":0,\"wire_requests\":1.0000,\"plan\":\"UNICAST from 0: 0->[1]\"}," +
            "{\"protocol\":\"multicast\",\"cores\":4,\"hosts\":1,\"p50_ns\":22000,\"p99_ns\":60000,\"max_ns\":85000," +
            "\"initiator_messages\":1,\"hops\":2,\"total_messages\":3,\"measured\":48,\"rounds_failed\":2,\"wire_requests\":3.0000," +
            "\"plan\":\"MULTICAST from 0: 0->[1] 1->[2, 3]\"}]}");
        assertThat(StrictJson.read(json, ShootdownReport.class, "the report").rows())
            .extracting(ShootdownReport.Row::protocol, ShootdownReport.Row::roundsFailed)
            .containsExactly(tuple("unicast", 0L), tuple("multicast", 2L));
    }

    @Test
    void chartHasALinePerProtocolOfP50InMicroseconds()
    {
        final ShootdownBenchmark benchmark = new ShootdownBenchmark(new ShootdownBenchmark.Config(List.of(2, 4),
            List.of(RoutingProtocol.values()), 1, 50, 10, "backoff", Path.of("run"), 1000),
            new PrintStream(OutputStream.nullOutputStream()));
        final ShootdownSummary unicast = StrictJson.read(UNICAST.toJson(), ShootdownSummary.class, "the summary");
        final ShootdownSummary multicast = StrictJson.read(MULTICAST.toJson(), ShootdownSummary.class, "the summary");
        final ShootdownSummary nothingMeasured = new ShootdownSummary("unicast", 8, 50, 10, 0, 60, 0, 0, 0, 0, 1, 7, 1,
            7.0, "UNICAST from 0", "timed out");

        final LatencyChart chart = benchmark.chart(List.of(
            new ShootdownBenchmark.Row(RoutingProtocol.UNICAST, 2, 1, unicast),
            new ShootdownBenchmark.Row(RoutingProtocol.MULTICAST, 4, 1, multicast),
            new ShootdownBenchmark.Row(RoutingProtocol.UNICAST, 4, 1, multicast),
            new ShootdownBenchmark.Row(RoutingProtocol.UNICAST, 8, 1, nothingMeasured)));

        assertThat(chart.series()).containsOnlyKeys("unicast", "multicast");
        assertThat(chart.series().get("unicast")).containsExactly(new LatencyChart.Point(2, 12.0),
            new LatencyChart.Point(4, 22.0));
        assertThat(chart.series().get("multicast")).containsExactly(new LatencyChart.Point(4, 22.0));
        assertThatThrownBy(() -> benchmark.chart(List.of(new ShootdownBenchmark.Row(RoutingProtocol.UNICAST, 8, 1,
            nothingMeasured)))).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("no shootdown run measured a round, so there is nothing to chart");
    }
}
