package io.multikernel.node.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.multikernel.common.Bounds;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * A latency-vs-cores line chart, the shape of the paper's Fig. 6 (shootdown cost per protocol) and
 * Fig. 7 (unmap latency per system): one line per series with a marker at each measured point,
 * x = cores spanned, y = latency in µs, y starting at 0 so flat and linear growth read as such.
 * <p>
 * {@link #write(Path)} picks the format from the file name: {@code .png} is drawn by JFreeChart,
 * {@code .svg} is written here as a small hand-made document (a polyline and circles per series,
 * axes with ticks, a legend), which keeps a vector format without a second charting library.
 * Any other name is refused with one sentence before anything is written; {@link #formatOf(Path)}
 * lets a caller check a name up front, before a long benchmark runs.
 * <p>
 * Usage:
 * <pre>{@code
 * final Map<String, List<LatencyChart.Point>> series = new LinkedHashMap<>();
 * series.put("shared-memory", List.of(new LatencyChart.Point(2, 1.5), new LatencyChart.Point(4, 2.9)));
 * new LatencyChart("Unmap latency", "cores", "latency (µs)", series).write(Path.of("unmap.svg"));
 * }</pre>
 * PNG rendering needs no display: the class asks AWT for headless mode unless the JVM was told otherwise.
 */
public final class LatencyChart
{
    /** Width of a chart written by {@link #write(Path)}, pixels (SVG user units). */
    public static final int WIDTH_PX = 800;
    /** Height of a chart written by {@link #write(Path)}, pixels (SVG user units). */
    public static final int HEIGHT_PX = 500;
    /** Smallest width or height {@link #write(Path, int, int)} accepts, pixels. */
    public static final int SIZE_MIN_PX = 200;
    /** Largest width or height {@link #write(Path, int, int)} accepts, pixels. */
    public static final int SIZE_MAX_PX = 8000;
    /** Series a chart may hold: beyond this the colours repeat and the legend no longer fits. */
    public static final int SERIES_MAX = 16;

    /** One colour per series, in order, shared by the PNG and the SVG so that both read the same. */
    static final String[] PALETTE =
        { "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f" };

    static
    {
        if (null == System.getProperty("java.awt.headless"))
        {
            // Benchmarks run on servers and in CI: never look for a display to draw a PNG.
            System.setProperty("java.awt.headless", "true");
        }
    }

    /**
     * The file formats {@link #write(Path)} writes, chosen by the file name's extension.
     */
    public enum Format
    {
        /** A raster image drawn by JFreeChart. */
        PNG,
        /** A vector image written by {@link #svg(int, int)}. */
        SVG
    }

    /**
     * One measured point.
     *
     * @param cores     cores spanned, at least 1.
     * @param latencyUs latency, µs, finite and not negative.
     */
    public record Point(int cores, double latencyUs)
    {
        public Point
        {
            Bounds.check("cores", cores, 1, Integer.MAX_VALUE);
            if (!Double.isFinite(latencyUs) || latencyUs < 0)
            {
                throw new IllegalArgumentException("latency " + latencyUs + " us at " + cores +
                    " cores is not a finite, non-negative number");
            }
        }
    }

    private final String title;
    private final String xAxisLabel;
    private final String yAxisLabel;
    private final Map<String, List<Point>> series = new LinkedHashMap<>();

    /**
     * @param title      the chart's title.
     * @param xAxisLabel the x axis's label, for example {@code "cores"}.
     * @param yAxisLabel the y axis's label, for example {@code "p50 latency (µs)"}.
     * @param series     name to points, in legend order; 1..{@link #SERIES_MAX} series, each with at least
     *                   one point. Points are drawn in order of cores, whatever order they come in.
     * @throws IllegalArgumentException naming the series when one is empty or there are none or too many.
     */
    public LatencyChart(final String title, final String xAxisLabel, final String yAxisLabel,
        final Map<String, List<Point>> series)
    {
        this.title = title;
        this.xAxisLabel = xAxisLabel;
        this.yAxisLabel = yAxisLabel;
        Bounds.check("series", series.size(), 1, SERIES_MAX);
        series.forEach((name, points) ->
        {
            if (points.isEmpty())
            {
                throw new IllegalArgumentException("series '" + name + "' has no points: leave it out of the chart");
            }
            final List<Point> sorted = new ArrayList<>(points);
            sorted.sort(Comparator.comparingInt(Point::cores));
            this.series.put(name, List.copyOf(sorted));
        });
    }

    /**
     * @param file a chart file's name.
     * @return its format.
     * @throws IllegalArgumentException with one sentence when the name ends in neither {@code .png}
     *         nor {@code .svg} (either case).
     */
    public static Format formatOf(final Path file)
    {
        final Path name = file.getFileName();
        final String lower = null == name ? "" : name.toString().toLowerCase(Locale.ROOT);
        if (lower.endsWith(".png"))
        {
            return Format.PNG;
        }
        if (lower.endsWith(".svg"))
        {
            return Format.SVG;
        }
        throw new IllegalArgumentException("chart file " + file + " ends in neither .png nor .svg: name a .png or .svg file");
    }

    /**
     * @return the series as drawn: name to points in order of cores.
     */
    public Map<String, List<Point>> series()
    {
        return Collections.unmodifiableMap(series);
    }

    /**
     * Writes the chart at {@link #WIDTH_PX} x {@link #HEIGHT_PX}.
     *
     * @param file where; its name picks the format ({@link #formatOf}); parent directories are created.
     * @return the format written.
     */
    public Format write(final Path file) throws IOException
    {
        return write(file, WIDTH_PX, HEIGHT_PX);
    }

    /**
     * @param file     where; its name picks the format ({@link #formatOf}); parent directories are created.
     * @param widthPx  width, {@link #SIZE_MIN_PX}..{@link #SIZE_MAX_PX} pixels.
     * @param heightPx height, {@link #SIZE_MIN_PX}..{@link #SIZE_MAX_PX} pixels.
     * @return the format written.
     */
    public Format write(final Path file, final int widthPx, final int heightPx) throws IOException
    {
        final Format format = formatOf(file);
        Bounds.check("widthPx", widthPx, SIZE_MIN_PX, SIZE_MAX_PX);
        Bounds.check("heightPx", heightPx, SIZE_MIN_PX, SIZE_MAX_PX);
        final Path parent = file.toAbsolutePath().getParent();
        if (null != parent)
        {
            Files.createDirectories(parent);
        }
        if (Format.PNG == format)
        {
            ChartUtils.saveChartAsPNG(file.toFile(), jfreeChart(), widthPx, heightPx);
        }
        else
        {
            Files.writeString(file, svg(widthPx, heightPx), StandardCharsets.UTF_8);
        }
        return format;
    }

    /**
     * @return the chart as JFreeChart draws it: an XY line chart with shapes at the points.
     */
    JFreeChart jfreeChart()
    {
        final XYSeriesCollection dataset = new XYSeriesCollection();
        series.forEach((name, points) ->
        {
            final XYSeries line = new XYSeries(name, true, true);
            points.forEach(point -> line.add(point.cores(), point.latencyUs()));
            dataset.addSeries(line);
        });
        final JFreeChart chart = ChartFactory.createXYLineChart(title, xAxisLabel, yAxisLabel, dataset,
            PlotOrientation.VERTICAL, true, false, false);
        chart.setBackgroundPaint(Color.WHITE);
        final XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        final XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < series.size(); i++)
        {
            renderer.setSeriesPaint(i, Color.decode(PALETTE[i % PALETTE.length]));
            renderer.setSeriesStroke(i, new BasicStroke(2f));
        }
        plot.setRenderer(renderer);
        final NumberAxis xAxis = (NumberAxis)plot.getDomainAxis();
        xAxis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        final NumberAxis yAxis = (NumberAxis)plot.getRangeAxis();
        yAxis.setAutoRangeIncludesZero(true);
        return chart;
    }

    /**
     * @param widthPx  width, pixels (user units).
     * @param heightPx height, pixels (user units).
     * @return the chart as a standalone SVG document.
     */
    public String svg(final int widthPx, final int heightPx)
    {
        return new SvgLatencyChart(title, xAxisLabel, yAxisLabel, series, widthPx, heightPx).document();
    }
}
