package io.multikernel.node.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.multikernel.node.launcher.StrictJson;

/**
 * The JSON report of {@code mk bench unmap}, and its table and chart: one row per protocol and core
 * count, the cluster's protocols and the shared-memory baseline alike, and the {@link UnmapTarget}.
 * <pre>
 * {"benchmark":"unmap","rounds","warmup","fill_tlbs","fsync","rows":[{"protocol","cores","hosts","p50_us","p99_us","shootdown_p50_us"}],
 *  "target":{"verdict","detail"}}
 * </pre>
 *
 * @param benchmark always {@link #BENCHMARK}.
 * @param rounds    measured unmaps per protocol and core count.
 * @param warmup    unmaps before measuring.
 * @param fillTlbs  whether every other core loaded the page before each unmap.
 * @param repeat    runs of the whole set; each row holds the medians of its runs.
 * @param rows      the results, in the order they were measured.
 * @param target    the Fig. 7 shape check.
 */
public record UnmapReport(String benchmark, int rounds, int warmup, boolean fillTlbs, String fsync, int repeat,
    List<Row> rows, UnmapTarget target)
{
    /** The value of {@code benchmark}. */
    public static final String BENCHMARK = "unmap";

    /**
     * One protocol (or {@link SharedMemoryUnmap#PROTOCOL}) on one core count.
     *
     * @param protocol unicast, broadcast, multicast, topo or shared-memory.
     * @param cores    cores the domain spans, the initiator included.
     * @param hosts    hosts (packages) of the cluster; 1 for shared memory.
     * @param p50Us    median unmap latency, µs.
     * @param p99Us    99th percentile, µs.
     * @param shootdownP50Us median of the shootdown alone as the initiator timed it, µs: the unmap without the
     *                 app's LRPC and the page-table change's 2PC. For shared memory the unmap is the shootdown.
     */
    public record Row(String protocol, int cores, int hosts, double p50Us, double p99Us, double shootdownP50Us)
    {
        /** @return the baseline's row in this shape. */
        public static Row of(final SharedMemoryUnmap.Row row)
        {
            return new Row(row.protocol(), row.cores(), row.hosts(), row.p50Us(), row.p99Us(), row.p50Us());
        }
    }

    /**
     * @param rounds   measured unmaps.
     * @param warmup   unmaps before measuring.
     * @param fillTlbs whether TLBs were filled before each unmap.
     * @param fsync    the cores' write-ahead log fsync policy.
     * @param rows     the results.
     * @return the report with its target checked.
     */
    public static UnmapReport of(final int rounds, final int warmup, final boolean fillTlbs, final String fsync,
        final List<Row> rows)
    {
        return of(rounds, warmup, fillTlbs, fsync, 1, rows);
    }

    /**
     * @param repeat runs the rows are medians of.
     * @return the report with its target checked.
     */
    public static UnmapReport of(final int rounds, final int warmup, final boolean fillTlbs, final String fsync,
        final int repeat, final List<Row> rows)
    {
        return new UnmapReport(BENCHMARK, rounds, warmup, fillTlbs, fsync, repeat, List.copyOf(rows),
            UnmapTarget.check(rows));
    }

    /**
     * @param runs rows of repeated runs, in the order they were measured.
     * @return one row per (protocol, cores, hosts), in the order first measured, each field the median
     *         of that row's runs (of an even count, the mean of the middle two).
     */
    public static List<Row> medians(final List<Row> runs)
    {
        final Map<List<Object>, List<Row>> byRow = new LinkedHashMap<>();
        for (final Row row : runs)
        {
            byRow.computeIfAbsent(List.of(row.protocol(), row.cores(), row.hosts()), key -> new ArrayList<>()).add(row);
        }
        final List<Row> medians = new ArrayList<>();
        for (final List<Row> same : byRow.values())
        {
            final Row first = same.get(0);
            medians.add(new Row(first.protocol(), first.cores(), first.hosts(), median(same, Row::p50Us),
                median(same, Row::p99Us), median(same, Row::shootdownP50Us)));
        }
        return medians;
    }

    private static double median(final List<Row> rows, final java.util.function.ToDoubleFunction<Row> field)
    {
        final double[] values = rows.stream().mapToDouble(field).sorted().toArray();
        final int middle = values.length / 2;
        return values.length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }

    /** @return the header of the table {@link #tableRow} prints rows of. */
    public static String tableHeader()
    {
        return String.format(Locale.ROOT, "%-13s %5s %5s %10s %10s %14s%n", "protocol", "cores", "hosts", "p50 us",
            "p99 us", "shootdown p50");
    }

    /** @return one line of the table. */
    public static String tableRow(final Row row)
    {
        return String.format(Locale.ROOT, "%-13s %5d %5d %10.1f %10.1f %14.1f%n", row.protocol(), row.cores(),
            row.hosts(), row.p50Us(), row.p99Us(), row.shootdownP50Us());
    }

    /** @return the table with its header, then the target's sentence. */
    public String table()
    {
        final StringBuilder table = new StringBuilder(tableHeader());
        rows.forEach(row -> table.append(tableRow(row)));
        return table.append(target.sentence()).append(System.lineSeparator()).toString();
    }

    /** @return the report as JSON. */
    public String json()
    {
        return StrictJson.write(this);
    }

    /**
     * @param file where to write the JSON; parent directories are created.
     */
    public void writeJson(final Path file) throws IOException
    {
        final Path parent = file.toAbsolutePath().getParent();
        if (null != parent)
        {
            Files.createDirectories(parent);
        }
        Files.writeString(file, json());
    }

    /**
     * The paper's Fig. 7: one line per protocol and one for shared memory, x = cores, y = p50 µs.
     *
     * @return the chart, ready to {@link LatencyChart#write(Path) write}.
     * @throws IllegalArgumentException when there is no row.
     */
    public LatencyChart chart()
    {
        final Map<String, List<LatencyChart.Point>> series = new LinkedHashMap<>();
        for (final Row row : rows)
        {
            series.computeIfAbsent(row.protocol(), name -> new ArrayList<>())
                .add(new LatencyChart.Point(row.cores(), row.p50Us()));
        }
        if (series.isEmpty())
        {
            throw new IllegalArgumentException("no unmap was measured, so there is nothing to chart");
        }
        return new LatencyChart("Unmap latency: p50 per protocol vs shared memory (Fig. 7)", "cores",
            "p50 unmap latency (\u00b5s)", series);
    }
}
