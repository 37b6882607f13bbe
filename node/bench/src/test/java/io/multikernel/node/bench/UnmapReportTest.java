package io.multikernel.node.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.multikernel.node.launcher.StrictJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code mk bench unmap}'s report from synthetic rows: the table, the JSON as written and read back
 * strictly, the chart's lines, and the Fig. 7 shape check in each of its verdicts.
 */
class UnmapReportTest
{
    private static final List<UnmapReport.Row> PAPER_SHAPE = List.of(
        row("unicast", 2, 100), row("multicast", 2, 110), row("topo", 2, 105),
        row("unicast", 8, 400), row("multicast", 8, 150), row("topo", 8, 140),
        UnmapReport.Row.of(new SharedMemoryUnmap.Row(SharedMemoryUnmap.PROTOCOL, 2, 1, 3.0, 9.0)),
        UnmapReport.Row.of(new SharedMemoryUnmap.Row(SharedMemoryUnmap.PROTOCOL, 8, 1, 12.0, 40.0)));

    @Test
    void theTableHasARowPerProtocolAndCountThenTheTarget()
    {
        final UnmapReport report = UnmapReport.of(100, 20, true, "none", PAPER_SHAPE);

        final String[] lines = report.table().split(System.lineSeparator());
        assertThat(lines).hasSize(10);
        assertThat(lines[0]).isEqualTo("protocol      cores hosts     p50 us     p99 us  shootdown p50");
        assertThat(lines[4]).isEqualTo("unicast           8     1      400.0      800.0          200.0");
        assertThat(lines[8]).isEqualTo("shared-memory     8     1       12.0       40.0           12.0");
        assertThat(lines[9]).isEqualTo("target (multicast and topo p50 below unicast's at the largest count, growing " +
            "less): holds: unicast 400.0 us at 8 cores (+300.0 us from 2), multicast 150.0 us (+40.0 us), " +
            "topo 140.0 us (+35.0 us)");
    }

    @Test
    void theJsonHasTheRowsAndTheTargetAndReadsBackStrictly()
    {
        final UnmapReport report = UnmapReport.of(100, 20, true, "none", PAPER_SHAPE);

        final String json = report.json();
        assertThat(json).startsWith("{\"benchmark\":\"unmap\",\"rounds\":100,\"warmup\":20,\"fill_tlbs\":true," +
            "\"fsync\":\"none\",\"repeat\":1,\"rows\":[{\"protocol\":\"unicast\",\"cores\":2,\"hosts\":1,\"p50_us\":100.0000," +
            "\"p99_us\":200.0000,\"shootdown_p50_us\":50.0000},")
            .contains("{\"protocol\":\"shared-memory\",\"cores\":8,\"hosts\":1,\"p50_us\":12.0000,\"p99_us\":40.0000,")
            .endsWith("\"target\":{\"verdict\":\"holds\",\"detail\":\"unicast 400.0 us at 8 cores (+300.0 us from 2), " +
                "multicast 150.0 us (+40.0 us), topo 140.0 us (+35.0 us)\"}}");
        assertThat(StrictJson.read(json, UnmapReport.class, "the report")).isEqualTo(report);
    }

    @Test
    void theChartHasALinePerProtocolAndOneForSharedMemory(@TempDir final Path dir) throws Exception
    {
        final LatencyChart chart = UnmapReport.of(100, 20, true, "none", PAPER_SHAPE).chart();

        assertThat(chart.series().keySet()).containsExactly("unicast", "multicast", "topo", "shared-memory");
        assertThat(chart.series().get("shared-memory")).containsExactly(new LatencyChart.Point(2, 3.0),
            new LatencyChart.Point(8, 12.0));
        final Path svg = dir.resolve("fig7.svg");
        chart.write(svg);
        assertThat(Files.readString(svg)).contains(">shared-memory</text>", "Fig. 7");
        assertThat(Files.readString(svg).split("<polyline", -1)).hasSize(5);
        chart.write(dir.resolve("fig7.png"));
        assertThat(dir.resolve("fig7.png")).isNotEmptyFile();
        assertThatThrownBy(() -> UnmapReport.of(1, 0, true, "none", List.of()).chart())
            .hasMessage("no unmap was measured, so there is nothing to chart");
    }

    @Test
    void theTargetDoesNotHoldWhenAMulticastIsSlowerOrGrowsMore()
    {
        final UnmapTarget slower = UnmapTarget.check(List.of(row("unicast", 2, 100), row("unicast", 8, 400),
            row("multicast", 2, 100), row("multicast", 8, 450)));
        assertThat(slower.verdict()).isEqualTo(UnmapTarget.DOES_NOT_HOLD);
        assertThat(slower.detail()).isEqualTo("unicast 400.0 us at 8 cores (+300.0 us from 2), multicast 450.0 us " +
            "(+350.0 us)");

        // Below unicast at the largest count, but from a low start it grew more: the curve is not flatter.
        final UnmapTarget steeper = UnmapTarget.check(List.of(row("unicast", 2, 300), row("unicast", 8, 400),
            row("topo", 2, 10), row("topo", 8, 390)));
        assertThat(steeper.verdict()).isEqualTo(UnmapTarget.DOES_NOT_HOLD);
    }

    @Test
    void theTargetIsNotCheckedWithoutTheRowsItCompares()
    {
        assertThat(UnmapTarget.check(List.of(row("multicast", 2, 1), row("multicast", 4, 2))))
            .isEqualTo(new UnmapTarget(UnmapTarget.NOT_CHECKED, "no unicast row to compare with"));
        assertThat(UnmapTarget.check(List.of(row("unicast", 2, 1), row("multicast", 2, 2))))
            .isEqualTo(new UnmapTarget(UnmapTarget.NOT_CHECKED, "one core count (2): growth needs two"));
        assertThat(UnmapTarget.check(List.of(row("unicast", 2, 1), row("unicast", 4, 2), row("broadcast", 4, 1))))
            .isEqualTo(new UnmapTarget(UnmapTarget.NOT_CHECKED, "neither multicast nor topo ran at both 2 and 4 cores"));
    }

    @Test
    void repeatedRunsBecomeOneRowOfMediansPerProtocolAndCountInTheOrderFirstMeasured()
    {
        final List<UnmapReport.Row> runs = List.of(
            new UnmapReport.Row("unicast", 2, 1, 100, 300, 40), new UnmapReport.Row("multicast", 2, 1, 90, 200, 30),
            new UnmapReport.Row("unicast", 2, 1, 140, 100, 60), new UnmapReport.Row("multicast", 2, 1, 70, 400, 10),
            new UnmapReport.Row("unicast", 2, 1, 120, 200, 50), new UnmapReport.Row("unicast", 2, 2, 500, 600, 70));

        assertThat(UnmapReport.medians(runs)).containsExactly(
            new UnmapReport.Row("unicast", 2, 1, 120, 200, 50),
            new UnmapReport.Row("multicast", 2, 1, 80, 300, 20),
            new UnmapReport.Row("unicast", 2, 2, 500, 600, 70));
        assertThat(UnmapReport.of(100, 20, true, "none", 3, UnmapReport.medians(runs)).json()).contains("\"repeat\":3,");
        assertThat(UnmapReport.medians(List.of())).isEmpty();
    }

    private static UnmapReport.Row row(final String protocol, final int cores, final double p50Us)
    {
        return new UnmapReport.Row(protocol, cores, 1, p50Us, 2 * p50Us, p50Us / 2);
    }
}
