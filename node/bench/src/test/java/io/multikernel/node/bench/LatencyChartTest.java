package io.multikernel.node.bench;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link LatencyChart} writes a PNG of the asked size, an SVG that parses as XML with one polyline per
 * series and the legend names, and refuses any other file name with one sentence.
 */
class LatencyChartTest
{
    private static final byte[] PNG_SIGNATURE = { (byte)0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

    @TempDir
    Path dir;

    private static LatencyChart fig6()
    {
        final Map<String, List<LatencyChart.Point>> series = new LinkedHashMap<>();
        series.put("unicast", List.of(new LatencyChart.Point(8, 40.5), new LatencyChart.Point(2, 12.0),
            new LatencyChart.Point(4, 21.25)));
        series.put("broadcast", List.of(new LatencyChart.Point(2, 13.0), new LatencyChart.Point(4, 24.0),
            new LatencyChart.Point(8, 47.0)));
        series.put("multi<cast> & \"topo\"", List.of(new LatencyChart.Point(2, 12.5), new LatencyChart.Point(8, 20.0)));
        return new LatencyChart("Shootdown latency", "cores", "p50 latency (µs)", series);
    }

    @Test
    void writesAPngOfTheAskedSize() throws Exception
    {
        final Path file = dir.resolve("sub/fig6.png");

        assertThat(fig6().write(file)).isEqualTo(LatencyChart.Format.PNG);
        assertPng(Files.readAllBytes(file), LatencyChart.WIDTH_PX, LatencyChart.HEIGHT_PX);

        final Path small = dir.resolve("SMALL.PNG");
        fig6().write(small, 320, 240);
        assertPng(Files.readAllBytes(small), 320, 240);
    }

    private static void assertPng(final byte[] bytes, final int widthPx, final int heightPx) throws Exception
    {
        assertThat(bytes).startsWith(PNG_SIGNATURE);
        // The IHDR chunk comes first: length (4), "IHDR" (4), width (4), height (4), big-endian.
        assertThat(new String(bytes, 12, 4, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("IHDR");
        assertThat(ByteBuffer.wrap(bytes, 16, 8).getInt()).isEqualTo(widthPx);
        assertThat(ByteBuffer.wrap(bytes, 20, 4).getInt()).isEqualTo(heightPx);
        final java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(new ByteArrayInputStream(bytes));
        assertThat(image.getWidth()).isEqualTo(widthPx);
        assertThat(image.getHeight()).isEqualTo(heightPx);
    }

    @Test
    void writesAnSvgWithAPolylinePerSeriesAndTheLegendNames() throws Exception
    {
        final Path file = dir.resolve("fig6.svg");

        assertThat(fig6().write(file)).isEqualTo(LatencyChart.Format.SVG);
        final Document document = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());

        final Element root = document.getDocumentElement();
        assertThat(root.getTagName()).isEqualTo("svg");
        assertThat(root.getAttribute("width")).isEqualTo(String.valueOf(LatencyChart.WIDTH_PX));
        assertThat(root.getAttribute("height")).isEqualTo(String.valueOf(LatencyChart.HEIGHT_PX));
        final NodeList polylines = document.getElementsByTagName("polyline");
        assertThat(polylines.getLength()).isEqualTo(3);
        // Points go in order of cores whatever order they came in: x grows along each polyline.
        final String[] unicast = ((Element)polylines.item(0)).getAttribute("points").split(" ");
        assertThat(unicast).hasSize(3);
        assertThat(Double.parseDouble(unicast[0].split(",")[0])).isLessThan(Double.parseDouble(unicast[1].split(",")[0]));
        assertThat(Double.parseDouble(unicast[1].split(",")[0])).isLessThan(Double.parseDouble(unicast[2].split(",")[0]));
        assertThat(document.getElementsByTagName("circle").getLength()).as("a marker per point, one per legend entry")
            .isEqualTo(8 + 3);
        assertThat(texts(document)).contains("Shootdown latency", "cores", "p50 latency (µs)", "unicast", "broadcast",
            "multi<cast> & \"topo\"");
    }

    private static List<String> texts(final Document document)
    {
        final NodeList nodes = document.getElementsByTagName("text");
        final List<String> texts = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++)
        {
            texts.add(nodes.item(i).getTextContent());
        }
        return texts;
    }

    @Test
    void refusesOtherFileNamesWithOneSentenceAndWritesNothing()
    {
        final Path file = dir.resolve("fig6.jpg");

        assertThatThrownBy(() -> fig6().write(file)).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("chart file " + file + " ends in neither .png nor .svg: name a .png or .svg file");
        assertThat(file).doesNotExist();
        assertThatThrownBy(() -> LatencyChart.formatOf(Path.of("png"))).isInstanceOf(IllegalArgumentException.class);
        assertThat(LatencyChart.formatOf(Path.of("a/b.Svg"))).isEqualTo(LatencyChart.Format.SVG);
    }

    @Test
    void refusesEmptySeriesAndBadPoints()
    {
        assertThatThrownBy(() -> new LatencyChart("t", "x", "y", Map.of())).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("series=0 is outside 1..16");
        assertThatThrownBy(() -> new LatencyChart("t", "x", "y", Map.of("topo", List.of())))
            .isInstanceOf(IllegalArgumentException.class).hasMessage("series 'topo' has no points: leave it out of the chart");
        assertThatThrownBy(() -> new LatencyChart.Point(2, Double.NaN)).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("latency NaN us at 2 cores is not a finite, non-negative number");
        assertThatThrownBy(() -> new LatencyChart.Point(0, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ticksAreOneTwoOrFiveTimesAPowerOfTen()
    {
        assertThat(SvgLatencyChart.niceStep(32)).isEqualTo(10.0);
        assertThat(SvgLatencyChart.niceStep(16)).isEqualTo(5.0);
        assertThat(SvgLatencyChart.niceStep(8)).isEqualTo(2.0);
        assertThat(SvgLatencyChart.niceStep(0.9)).isEqualTo(0.2, org.assertj.core.data.Offset.offset(1e-12));
    }
}
