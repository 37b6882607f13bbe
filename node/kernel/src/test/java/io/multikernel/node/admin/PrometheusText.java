package io.multikernel.node.admin;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test helper (also for other packages' metric tests): parses Prometheus text exposition format 0.0.4 into samples and TYPE lines, failing
 * on any line that does not parse, so a scrape that a Prometheus server would reject fails the test.
 */
public final class PrometheusText
{
    public record Sample(String name, Map<String, String> labels, double value)
    {
    }

    private final List<Sample> samples = new ArrayList<>();
    private final Map<String, String> types = new HashMap<>();

    private PrometheusText()
    {
    }

    public static PrometheusText parse(final String text)
    {
        final PrometheusText parsed = new PrometheusText();
        for (final String line : text.split("\n"))
        {
            if (line.isEmpty())
            {
                continue;
            }
            if (line.startsWith("# TYPE "))
            {
                final String[] parts = line.substring("# TYPE ".length()).split(" ");
                parsed.types.put(parts[0], parts[1]);
            }
            else if (!line.startsWith("#"))
            {
                parsed.samples.add(parseSample(line));
            }
        }
        return parsed;
    }

    public List<Sample> samples()
    {
        return samples;
    }

    public List<Sample> samples(final String name)
    {
        return samples.stream().filter(sample -> sample.name().equals(name)).toList();
    }

    /** @return the one sample with this name whose labels include all the given ones. */
    public Sample sample(final String name, final Map<String, String> labels)
    {
        final List<Sample> matches = samples(name).stream()
            .filter(sample -> sample.labels().entrySet().containsAll(labels.entrySet()))
            .toList();
        if (1 != matches.size())
        {
            throw new AssertionError(matches.size() + " samples of " + name + " match " + labels + ": " + matches);
        }
        return matches.get(0);
    }

    public String type(final String name)
    {
        return types.get(name);
    }

    private static Sample parseSample(final String line)
    {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ')
        {
            i++;
        }
        final String name = line.substring(0, i);
        if (!name.matches("[a-zA-Z_:][a-zA-Z0-9_:]*"))
        {
            throw new AssertionError("bad metric name in: " + line);
        }
        final Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{')
        {
            i = parseLabels(line, i + 1, labels);
        }
        final String[] rest = line.substring(i).trim().split(" ");
        return new Sample(name, labels, Double.parseDouble(rest[0]));
    }

    private static int parseLabels(final String line, final int start, final Map<String, String> labels)
    {
        int i = start;
        while (line.charAt(i) != '}')
        {
            final int equals = line.indexOf('=', i);
            final String key = line.substring(i, equals);
            if (line.charAt(equals + 1) != '"')
            {
                throw new AssertionError("unquoted label value in: " + line);
            }
            final StringBuilder value = new StringBuilder();
            i = equals + 2;
            while (line.charAt(i) != '"')
            {
                if (line.charAt(i) == '\\')
                {
                    i++;
                    value.append(line.charAt(i) == 'n' ? '\n' : line.charAt(i));
                }
                else
                {
                    value.append(line.charAt(i));
                }
                i++;
            }
            labels.put(key, value.toString());
            i++;
            if (line.charAt(i) == ',')
            {
                i++;
            }
        }
        return i + 1;
    }
}
