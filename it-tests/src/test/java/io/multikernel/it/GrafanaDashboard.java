package io.multikernel.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A Grafana dashboard of {@code deploy/grafana/dashboards}, as the observability test reads it: its
 * panels with their datasources and PromQL queries, and its template variables. {@link #problems()}
 * lists what would leave a panel empty in Grafana whatever the data: no Prometheus datasource, no query.
 */
record GrafanaDashboard(Path file, String uid, String title, List<Panel> panels, List<Variable> variables)
{
    /** The datasource every panel and query names: provisioned by deploy/grafana/provisioning/datasources. */
    static final String DATASOURCE_UID = "prometheus";
    static final String DATASOURCE_TYPE = "prometheus";

    /** Grafana's {@code $name}, {@code ${name}} or {@code ${name:format}} and {@code [[name]]}. */
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)(?::\\w+)?}|\\$(\\w+)|\\[\\[(\\w+)]]");
    /** {@code label_values(query, label)}: the one kind of variable query the dashboards use. */
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.+),\\s*(\\w+)\\s*\\)");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One panel: its type, its datasource, its queries, and the transformations Grafana applies to their data. */
    record Panel(int id, String title, String type, String datasourceType, String datasourceUid, List<Query> queries,
        List<Transformation> transformations)
    {
    }

    /** A transformation of a panel's data, such as {@code groupingToMatrix}, with its options as text. */
    record Transformation(String id, Map<String, String> options)
    {
    }

    /** One query of a panel, as Grafana sends it, variables unexpanded. */
    record Query(String refId, String expr, String datasourceUid)
    {
    }

    /** A template variable filled by {@code label_values(query, label)}. */
    record Variable(String name, String definition, String datasourceUid)
    {
        /**
         * @return the PromQL inside {@code label_values(...)}, and the label whose values fill the variable.
         * @throws AssertionError when the definition is not of that form.
         */
        String[] queryAndLabel()
        {
            final Matcher matcher = LABEL_VALUES.matcher(definition);
            if (!matcher.matches())
            {
                throw new AssertionError("variable " + name + " is not label_values(query, label): " + definition);
            }
            return new String[]{ matcher.group(1), matcher.group(2) };
        }
    }

    /** @return every {@code *.json} in {@code directory}, parsed; a file that is not JSON fails the test. */
    static List<GrafanaDashboard> readAll(final Path directory) throws IOException
    {
        final List<GrafanaDashboard> dashboards = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory))
        {
            for (final Path file : files.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList())
            {
                dashboards.add(read(file));
            }
        }
        return dashboards;
    }

    static GrafanaDashboard read(final Path file) throws IOException
    {
        final JsonNode root;
        try
        {
            root = JSON.readTree(file.toFile());
        }
        catch (final IOException ex)
        {
            throw new AssertionError(file + " is not JSON: " + ex.getMessage(), ex);
        }
        final List<Panel> panels = new ArrayList<>();
        for (final JsonNode panel : root.path("panels"))
        {
            final List<Query> queries = new ArrayList<>();
            for (final JsonNode target : panel.path("targets"))
            {
                queries.add(new Query(target.path("refId").asText(), target.path("expr").asText(),
                    target.path("datasource").path("uid").asText(DATASOURCE_UID)));
            }
            final List<Transformation> transformations = new ArrayList<>();
            for (final JsonNode transformation : panel.path("transformations"))
            {
                final Map<String, String> options = new TreeMap<>();
                transformation.path("options").fields().forEachRemaining(option ->
                    options.put(option.getKey(), option.getValue().asText()));
                transformations.add(new Transformation(transformation.path("id").asText(), options));
            }
            panels.add(new Panel(panel.path("id").asInt(-1), panel.path("title").asText(), panel.path("type").asText(),
                panel.path("datasource").path("type").asText(), panel.path("datasource").path("uid").asText(), queries,
                transformations));
        }
        final List<Variable> variables = new ArrayList<>();
        for (final JsonNode variable : root.path("templating").path("list"))
        {
            variables.add(new Variable(variable.path("name").asText(), variable.path("definition").asText(),
                variable.path("datasource").path("uid").asText()));
        }
        return new GrafanaDashboard(file, root.path("uid").asText(), root.path("title").asText(), panels, variables);
    }

    /** @return one sentence per problem that would leave a panel of this dashboard empty; empty when none. */
    List<String> problems()
    {
        final String name = file.getFileName().toString();
        final List<String> problems = new ArrayList<>();
        if (uid.isBlank() || title.isBlank())
        {
            problems.add(name + " has no uid or no title");
        }
        if (panels.isEmpty())
        {
            problems.add(name + " has no panels");
        }
        final Set<Integer> ids = new HashSet<>();
        for (final Panel panel : panels)
        {
            final String where = name + " panel " + panel.id() + " '" + panel.title() + "'";
            if (!ids.add(panel.id()))
            {
                problems.add(where + " has the id of another panel");
            }
            if (!DATASOURCE_TYPE.equals(panel.datasourceType()) || !DATASOURCE_UID.equals(panel.datasourceUid()))
            {
                problems.add(where + " has datasource " + panel.datasourceType() + "/" + panel.datasourceUid() +
                    ", not " + DATASOURCE_TYPE + "/" + DATASOURCE_UID);
            }
            if (panel.queries().isEmpty())
            {
                problems.add(where + " has no query");
            }
            for (final Query query : panel.queries())
            {
                if (query.expr().isBlank())
                {
                    problems.add(where + " query " + query.refId() + " has no expression");
                }
                if (!DATASOURCE_UID.equals(query.datasourceUid()))
                {
                    problems.add(where + " query " + query.refId() + " has datasource " + query.datasourceUid());
                }
            }
        }
        for (final Variable variable : variables)
        {
            if (!DATASOURCE_UID.equals(variable.datasourceUid()) || !LABEL_VALUES.matcher(variable.definition()).matches())
            {
                problems.add(name + " variable " + variable.name() + " is not label_values(...) on datasource " +
                    DATASOURCE_UID);
            }
        }
        return problems;
    }

    /**
     * @param expr   a query as a panel holds it.
     * @param values the value of each variable, Grafana's built-in ones ({@code __rate_interval}) included.
     * @return the PromQL Grafana would send with these values.
     * @throws AssertionError when the query uses a variable {@code values} does not hold.
     */
    static String expand(final String expr, final Map<String, String> values)
    {
        final Matcher matcher = VARIABLE.matcher(expr);
        final StringBuilder promql = new StringBuilder();
        while (matcher.find())
        {
            final String variable = null != matcher.group(1) ? matcher.group(1) :
                null != matcher.group(2) ? matcher.group(2) : matcher.group(3);
            final String value = values.get(variable);
            if (null == value)
            {
                throw new AssertionError("query uses variable $" + variable + ", which the test does not know: " + expr);
            }
            matcher.appendReplacement(promql, Matcher.quoteReplacement(value));
        }
        matcher.appendTail(promql);
        return promql.toString();
    }
}
