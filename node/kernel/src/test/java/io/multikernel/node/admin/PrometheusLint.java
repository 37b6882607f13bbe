package io.multikernel.node.admin;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Test helper: the checks {@code promtool check metrics} (Prometheus 2.42, client_golang's promlint)
 * makes on a scrape's metric families, for tests that run without promtool. Each problem is one line,
 * {@code "<family> <problem>"}, in promtool's words. The observability integration test runs the real
 * promtool on every core's {@code /metrics}; this keeps the unit tests honest where it is not installed.
 */
public final class PrometheusLint
{
    /** Name parts promtool refuses as abbreviated units. */
    private static final Set<String> UNIT_ABBREVIATIONS =
        Set.of("s", "ms", "us", "ns", "sec", "b", "kb", "mb", "gb", "tb", "pb", "m", "h", "d");
    /** Suffixes only histograms and summaries may have. */
    private static final List<String> RESERVED_SUFFIXES = List.of("_count", "_sum", "_bucket");

    private PrometheusLint()
    {
    }

    /**
     * @param text a scrape in text exposition format 0.0.4.
     * @return the problems found, one line each; empty when promtool would report none.
     */
    public static List<String> problems(final String text)
    {
        final Map<String, String> types = new LinkedHashMap<>();
        final Map<String, String> helps = new LinkedHashMap<>();
        for (final String line : text.split("\n"))
        {
            if (line.startsWith("# TYPE "))
            {
                final String[] parts = line.substring("# TYPE ".length()).split(" ", 2);
                types.put(parts[0], parts[1]);
            }
            else if (line.startsWith("# HELP "))
            {
                final String[] parts = line.substring("# HELP ".length()).split(" ", 2);
                helps.put(parts[0], parts.length > 1 ? parts[1] : "");
            }
        }
        final List<String> problems = new ArrayList<>();
        types.forEach((name, type) -> problems.addAll(problems(name, type, helps.getOrDefault(name, ""))));
        return problems;
    }

    private static List<String> problems(final String name, final String type, final String help)
    {
        final List<String> problems = new ArrayList<>();
        if (help.isBlank())
        {
            problems.add(name + " no help text");
        }
        final boolean counter = "counter".equals(type);
        if (counter && !name.endsWith("_total"))
        {
            problems.add(name + " counter metrics should have \"_total\" suffix");
        }
        if (!counter && name.endsWith("_total"))
        {
            problems.add(name + " non-counter metrics should not have \"_total\" suffix");
        }
        if (!"histogram".equals(type) && !"summary".equals(type))
        {
            RESERVED_SUFFIXES.stream().filter(name::endsWith).forEach(suffix -> problems.add(name +
                " non-histogram and non-summary metrics should not have \"" + suffix + "\" suffix"));
        }
        for (final String part : name.split("_"))
        {
            if (UNIT_ABBREVIATIONS.contains(part))
            {
                problems.add(name + " metric names should not contain abbreviated units");
                break;
            }
        }
        if (!name.equals(name.toLowerCase()))
        {
            problems.add(name + " metric names should be written in 'snake_case' not 'camelCase'");
        }
        if (name.contains(":"))
        {
            problems.add(name + " metric names should not contain ':'");
        }
        return problems;
    }
}
