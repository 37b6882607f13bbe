package io.multikernel.node.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The SVG of a {@link LatencyChart}, written by hand: a white page, the title on top, a plot area with
 * grid lines, both axes with ticks and labels, per series a {@code <polyline>} through its points and a
 * {@code <circle>} at each, and a legend to the right of the plot. Both axes start at 0 and end at
 * the first "nice" tick (1, 2 or 5 times a power of ten) at or above the largest value.
 * <p>
 * A chart has a handful of points, so this is a few kilobytes of text and needs no SVG library.
 */
final class SvgLatencyChart
{
    /** Gap between the plot area and the page's left edge (y tick labels and axis label), px. */
    private static final int MARGIN_LEFT_PX = 80;
    /** Gap between the plot area and the page's right edge (the legend), px. */
    private static final int MARGIN_RIGHT_PX = 170;
    /** Gap above the plot area (the title), px. */
    private static final int MARGIN_TOP_PX = 50;
    /** Gap below the plot area (x tick labels and axis label), px. */
    private static final int MARGIN_BOTTOM_PX = 60;
    /** About how many ticks an axis gets. */
    private static final int TICKS_TARGET = 6;
    private static final int TICK_LENGTH_PX = 5;
    private static final int MARKER_RADIUS_PX = 4;
    private static final int LEGEND_LINE_HEIGHT_PX = 20;

    private final String title;
    private final String xAxisLabel;
    private final String yAxisLabel;
    private final Map<String, List<LatencyChart.Point>> series;
    private final int widthPx;
    private final int heightPx;
    private final double plotLeft;
    private final double plotRight;
    private final double plotTop;
    private final double plotBottom;
    private final double xStep;
    private final double xMax;
    private final double yStep;
    private final double yMax;
    private final StringBuilder svg = new StringBuilder(4096);

    SvgLatencyChart(final String title, final String xAxisLabel, final String yAxisLabel,
        final Map<String, List<LatencyChart.Point>> series, final int widthPx, final int heightPx)
    {
        this.title = title;
        this.xAxisLabel = xAxisLabel;
        this.yAxisLabel = yAxisLabel;
        this.series = series;
        this.widthPx = widthPx;
        this.heightPx = heightPx;
        plotLeft = MARGIN_LEFT_PX;
        plotRight = widthPx - MARGIN_RIGHT_PX;
        plotTop = MARGIN_TOP_PX;
        plotBottom = heightPx - MARGIN_BOTTOM_PX;
        double largestCores = 1;
        double largestLatency = 0;
        for (final List<LatencyChart.Point> points : series.values())
        {
            for (final LatencyChart.Point point : points)
            {
                largestCores = Math.max(largestCores, point.cores());
                largestLatency = Math.max(largestLatency, point.latencyUs());
            }
        }
        xStep = Math.max(1, niceStep(largestCores));
        xMax = Math.ceil(largestCores / xStep) * xStep;
        yStep = niceStep(0 == largestLatency ? 1 : largestLatency);
        yMax = Math.max(yStep, Math.ceil(largestLatency / yStep) * yStep);
    }

    /**
     * @return the whole document.
     */
    String document()
    {
        svg.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
            .append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" " +
                "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", widthPx, heightPx, widthPx, heightPx))
            .append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", widthPx, heightPx));
        text(widthPx / 2.0, MARGIN_TOP_PX / 2.0 + 6, "middle", "font-size=\"16\"", title);
        axes();
        int index = 0;
        for (final Map.Entry<String, List<LatencyChart.Point>> entry : series.entrySet())
        {
            line(entry.getKey(), entry.getValue(), LatencyChart.PALETTE[index % LatencyChart.PALETTE.length]);
            index++;
        }
        legend();
        return svg.append("</svg>\n").toString();
    }

    private void axes()
    {
        svg.append("<g class=\"axes\" stroke=\"black\">\n");
        final long xTicks = Math.round(xMax / xStep);
        for (long i = 0; i <= xTicks; i++)
        {
            final double x = i * xStep;
            final double px = xPx(x);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#dddddd\"/>%n",
                px, plotTop, px, plotBottom));
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>%n",
                px, plotBottom, px, plotBottom + TICK_LENGTH_PX));
            text(px, plotBottom + TICK_LENGTH_PX + 14, "middle", "stroke=\"none\"", label(x, xStep));
        }
        final long yTicks = Math.round(yMax / yStep);
        for (long i = 0; i <= yTicks; i++)
        {
            final double y = i * yStep;
            final double py = yPx(y);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#dddddd\"/>%n",
                plotLeft, py, plotRight, py));
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>%n",
                plotLeft - TICK_LENGTH_PX, py, plotLeft, py));
            text(plotLeft - TICK_LENGTH_PX - 3, py + 4, "end", "stroke=\"none\"", label(y, yStep));
        }
        svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>%n",
            plotLeft, plotBottom, plotRight, plotBottom));
        svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>%n",
            plotLeft, plotTop, plotLeft, plotBottom));
        svg.append("</g>\n");
        text((plotLeft + plotRight) / 2, heightPx - 15, "middle", "", xAxisLabel);
        final double yLabelX = 20;
        final double yLabelY = (plotTop + plotBottom) / 2;
        text(yLabelX, yLabelY, "middle",
            String.format(Locale.ROOT, "transform=\"rotate(-90 %.1f %.1f)\"", yLabelX, yLabelY), yAxisLabel);
    }

    private void line(final String name, final List<LatencyChart.Point> points, final String colour)
    {
        svg.append("<g class=\"series\" data-series=\"").append(escape(name)).append("\">\n");
        svg.append("<polyline fill=\"none\" stroke=\"").append(colour).append("\" stroke-width=\"2\" points=\"");
        for (int i = 0; i < points.size(); i++)
        {
            final LatencyChart.Point point = points.get(i);
            svg.append(String.format(Locale.ROOT, "%s%.1f,%.1f", 0 == i ? "" : " ", xPx(point.cores()),
                yPx(point.latencyUs())));
        }
        svg.append("\"/>\n");
        for (final LatencyChart.Point point : points)
        {
            svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%d\" fill=\"%s\">" +
                "<title>%d cores: %.2f us</title></circle>%n", xPx(point.cores()), yPx(point.latencyUs()),
                MARKER_RADIUS_PX, colour, point.cores(), point.latencyUs()));
        }
        svg.append("</g>\n");
    }

    private void legend()
    {
        svg.append("<g class=\"legend\">\n");
        final double left = plotRight + 20;
        double y = plotTop + 10;
        int index = 0;
        for (final String name : series.keySet())
        {
            final String colour = LatencyChart.PALETTE[index % LatencyChart.PALETTE.length];
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" " +
                "stroke-width=\"2\"/>%n", left, y, left + 24, y, colour));
            svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%d\" fill=\"%s\"/>%n",
                left + 12, y, MARKER_RADIUS_PX, colour));
            text(left + 32, y + 4, "start", "", name);
            y += LEGEND_LINE_HEIGHT_PX;
            index++;
        }
        svg.append("</g>\n");
    }

    private void text(final double x, final double y, final String anchor, final String attributes, final String content)
    {
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\"%s%s>", x, y, anchor,
            attributes.isEmpty() ? "" : " ", attributes)).append(escape(content)).append("</text>\n");
    }

    private double xPx(final double x)
    {
        return plotLeft + x / xMax * (plotRight - plotLeft);
    }

    private double yPx(final double y)
    {
        return plotBottom - y / yMax * (plotBottom - plotTop);
    }

    /**
     * @param range the largest value, positive.
     * @return a step of 1, 2 or 5 times a power of ten that cuts {@code 0..range} into about
     *         {@link #TICKS_TARGET} ticks.
     */
    static double niceStep(final double range)
    {
        final double rough = range / TICKS_TARGET;
        final double magnitude = Math.pow(10, Math.floor(Math.log10(rough)));
        final double fraction = rough / magnitude;
        final double nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
        return nice * magnitude;
    }

    private static String label(final double value, final double step)
    {
        final int decimals = (int)Math.max(0, -Math.floor(Math.log10(step)));
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    static String escape(final String text)
    {
        final StringBuilder escaped = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            switch (c)
            {
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                case '&' -> escaped.append("&amp;");
                case '"' -> escaped.append("&quot;");
                case '\'' -> escaped.append("&apos;");
                default -> escaped.append(c);
            }
        }
        return escaped.toString();
    }
}
