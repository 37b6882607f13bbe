package io.multikernel.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.multikernel.it.AdminClient.Reply;
import io.multikernel.node.cluster.ClusterMap;
import io.multikernel.node.cluster.CoreDescriptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

import static io.multikernel.it.Await.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The project's Prometheus and Grafana configuration ({@code deploy/prometheus}, {@code deploy/grafana})
 * against core JVMs and a real Prometheus: promtool accepts the configuration, the rules and every
 * core's {@code /metrics}; Prometheus, given the project's configuration with a targets file for the
 * cluster, scrapes every core with its {@code core} and {@code host} labels; after some traffic every
 * query of every dashboard panel and the watched query of every alert returns data; a healthy cluster
 * raises no alert about cores, and a killed core raises MkCoreDown and MkPeerDown.
 *
 * <p>Needs {@code prometheus} and {@code promtool} on the PATH ({@code apt-get install prometheus}).
 * Without them the Prometheus test is skipped, saying so; when {@code CI=true} it fails instead, as CI
 * installs them.
 */
class ObservabilityIT
{
    /** CORES: cores of the cluster, spread over HOSTS so that URPC runs over IPC and over UDP. */
    static final int CORES = 3;
    static final int HOSTS = 2;
    /** FILES_TEST_TIMEOUT_S: longest the check of the files alone may take. */
    static final long FILES_TEST_TIMEOUT_S = 30;
    /** PROMETHEUS_TEST_TIMEOUT_S: longest the test with a cluster and Prometheus may take (20-40 s on 2 CPUs). */
    static final long PROMETHEUS_TEST_TIMEOUT_S = 180;
    /** SCRAPE_INTERVAL: the test's scrape and rule evaluation interval, instead of the project's 15 s. */
    static final String SCRAPE_INTERVAL = "1s";
    /** RATE_WINDOW: what {@code $__rate_interval} stands for; longer than the test, so no sample ages out. */
    static final String RATE_WINDOW = "5m";
    /** TARGETS_UP_TIMEOUT_S: longest until Prometheus has scraped every core. */
    static final long TARGETS_UP_TIMEOUT_S = 30;
    /** RULES_LOADED_TIMEOUT_S: longest until every alerting rule has been evaluated without error. */
    static final long RULES_LOADED_TIMEOUT_S = 30;
    /** QUERY_DATA_TIMEOUT_MS: longest until every query returns data after the traffic. */
    static final long QUERY_DATA_TIMEOUT_MS = 30_000;
    /** RTT_MATRIX_TIMEOUT_S: longest until every core has an RTT to every peer in Prometheus. */
    static final long RTT_MATRIX_TIMEOUT_S = 30;
    /** QUERY_ROUND_PAUSE_MS: pause between rounds of the queries still without data. */
    static final long QUERY_ROUND_PAUSE_MS = 1_000;
    /** QUIET_TIMEOUT_S: longest until alerts raised during the traffic are gone once it stopped. */
    static final long QUIET_TIMEOUT_S = 15;
    /** ALERT_TIMEOUT_S: longest until a killed core's alerts are pending or firing. */
    static final long ALERT_TIMEOUT_S = 30;
    /** PUTS: replicated writes of the traffic. */
    static final int PUTS = 5;
    /** LOADS: loads through the mapping at each of two cores: the first misses its TLB, the rest hit. */
    static final int LOADS = 3;
    /** SHOOTDOWN_ROUNDS: measured rounds of the shootdown bench. */
    static final int SHOOTDOWN_ROUNDS = 5;
    static final long PAGE_BYTES = 4096;
    static final long VADDR = 0x400000;
    static final String JOB = "multikernel-cores";
    /** Alerts a healthy cluster must not raise, pending or firing. MkWalFsyncSlow depends on the disk. */
    static final Set<String> HEALTHY_CLUSTER_SILENT_ALERTS = Set.of("MkCoreDown", "MkPeerDown",
        "MkTransactionsInDoubt", "MkReplicasDiverged", "MkUrpcForgedFrames", "MkUrpcFramesRejected", "MkUrpcMessagesLost");

    /**
     * An alert's expression, {@code <query> <comparison> <number>}. The rules are written so (see the
     * header of rules/alerts.yml): the query alone is the series the alert watches, and it must return
     * data on a running cluster, whereas the whole expression returns data only while the alert's
     * condition holds. A rule of another shape fails the test rather than being half checked.
     */
    private static final Pattern THRESHOLD = Pattern.compile("(?s)(.+?)\\s*(==|!=|>=|<=|>|<)\\s*(bool\\s+)?" +
        "([-+]?[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?)");
    private static final Pattern SET_OPERATOR = Pattern.compile("\\b(and|or|unless)\\b");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path root;

    private TestCluster cluster;
    private PrometheusServer prometheus;

    @AfterEach
    void stop() throws Exception
    {
        if (null != prometheus)
        {
            prometheus.close();
        }
        if (null != cluster)
        {
            cluster.stop();
        }
    }

    @Test
    @Timeout(value = FILES_TEST_TIMEOUT_S, unit = TimeUnit.SECONDS)
    void dashboardsProvisioningAndComposeTargetsAgree() throws Exception
    {
        final Path deploy = Docker.projectRoot().resolve("deploy");
        final List<GrafanaDashboard> dashboards = GrafanaDashboard.readAll(deploy.resolve("grafana/dashboards"));
        assertThat(dashboards).extracting(GrafanaDashboard::uid)
            .containsExactlyInAnyOrder("mk-cluster-overview", "mk-urpc", "mk-2pc", "mk-os", "mk-jvm");
        assertThat(dashboards.stream().flatMap(dashboard -> dashboard.problems().stream()).toList())
            .as("panels without a Prometheus datasource or a query").isEmpty();
        assertRttMatrixAndIncarnationPanels(dashboards);

        final List<Map<String, Object>> datasources = list(yaml(deploy.resolve(
            "grafana/provisioning/datasources/prometheus.yml")), "datasources");
        assertThat(datasources).hasSize(1);
        assertThat(datasources.get(0)).containsEntry("uid", GrafanaDashboard.DATASOURCE_UID)
            .containsEntry("type", "prometheus").containsEntry("url", "http://prometheus:9090");
        final List<Map<String, Object>> providers = list(yaml(deploy.resolve(
            "grafana/provisioning/dashboards/dashboards.yml")), "providers");
        assertThat(providers).hasSize(1);
        assertThat(providers.get(0)).containsEntry("type", "file")
            .extracting("options").isEqualTo(Map.of("path", "/var/lib/grafana/dashboards",
                "foldersFromFilesStructure", false));

        // The compose cluster's targets: one per core of its map, at its host's name and admin port.
        final ClusterMap compose = ClusterMap.load(deploy.resolve("compose/cluster.yaml"));
        final JsonNode targets = JSON.readTree(deploy.resolve("prometheus/targets/compose.json").toFile());
        assertThat(targetsByAddress(targets)).isEqualTo(expectedTargets(compose));
    }

    @Test
    @Timeout(value = PROMETHEUS_TEST_TIMEOUT_S, unit = TimeUnit.SECONDS)
    void prometheusScrapesEveryCoreAndEveryDashboardAndAlertQueryReturnsData() throws Exception
    {
        assumeToolsInstalled();
        final Path deploy = Docker.projectRoot().resolve("deploy");
        final Path projectConfig = deploy.resolve("prometheus/prometheus.yml");
        assertPromtoolAccepts(List.of("check", "config", projectConfig.toString()));
        try (Stream<Path> rules = Files.list(deploy.resolve("prometheus/rules")))
        {
            for (final Path rule : rules.toList())
            {
                assertPromtoolAccepts(List.of("check", "rules", rule.toString()));
            }
        }

        cluster = new TestCluster(root.resolve("run"), TestCluster.FAST_FAILURE_PROPERTIES);
        cluster.up(CORES, HOSTS);
        final AdminClient admin = cluster.admin();
        assertPromtoolAcceptsEveryCoresMetrics(admin);

        final Path config = testConfiguration(projectConfig, cluster.map());
        assertPromtoolAccepts(List.of("check", "config", config.toString()));
        prometheus = PrometheusServer.start(config, root.resolve("prometheus-data"));
        awaitEveryCoreScraped(cluster.map());
        final List<JsonNode> alertRules = awaitAlertingRulesEvaluated();

        traffic(admin);
        final List<GrafanaDashboard> dashboards = GrafanaDashboard.readAll(deploy.resolve("grafana/dashboards"));
        assertEveryVariableHasValues(dashboards);
        final Map<String, String> queries = dashboardQueries(dashboards);
        queries.putAll(alertQueries(alertRules));
        assertEveryQueryReturnsData(queries);
        awaitRttMatrixAndIncarnationsComplete();

        assertThat(prometheus.query("count({__name__=~\"mk_.+\", exported_core!=\"\"})").path("result"))
            .as("series whose core label Prometheus renamed to exported_core (honor_labels)").isEmpty();
        // A transaction's participants are in doubt between their vote and the decision, so a scrape
        // in the middle of one makes MkTransactionsInDoubt pending; once quiet, nothing is pending.
        awaitTrue("no alert of " + HEALTHY_CLUSTER_SILENT_ALERTS + " pending or firing once the cluster is quiet",
            () -> alertNames().stream().noneMatch(HEALTHY_CLUSTER_SILENT_ALERTS::contains), QUIET_TIMEOUT_S);

        final int victim = CORES - 1;
        cluster.kill(victim);
        awaitTrue("MkCoreDown for core " + victim + " and MkPeerDown at every other core", () ->
        {
            final Set<String> alerts = alertNames();
            boolean all = alerts.contains("MkCoreDown{core=" + victim + "}");
            for (int core = 0; core < victim; core++)
            {
                all &= alerts.contains("MkPeerDown{core=" + core + "}");
            }
            return all;
        }, ALERT_TIMEOUT_S);
        awaitTrue("every other core's mk_membership_peer_state says core " + victim + " is down (3)", () ->
            prometheus.query("mk_membership_peer_state{peer=\"" + victim + "\"} == 3").path("result").size() ==
                CORES - 1, ALERT_TIMEOUT_S);
    }

    /**
     * Every core has an RTT to every peer, so the matrix is full; and the incarnation each core knows
     * of each peer is the one that peer reports of itself.
     */
    private void awaitRttMatrixAndIncarnationsComplete()
    {
        final int pairs = CORES * (CORES - 1);
        awaitTrue(pairs + " series of mk_skb_peer_rtt_seconds above 0 (not NaN), one per core and peer", () ->
            prometheus.query("mk_skb_peer_rtt_seconds > 0").path("result").size() == pairs, RTT_MATRIX_TIMEOUT_S);
        final Map<String, String> own = new TreeMap<>();
        for (final JsonNode series : prometheus.query("mk_core_incarnation").path("result"))
        {
            own.put(series.path("metric").path("core").asText(), series.path("value").path(1).asText());
        }
        assertThat(own).as("mk_core_incarnation of each core").hasSize(CORES);
        final Map<String, String> known = new TreeMap<>();
        for (final JsonNode series : prometheus.query("mk_membership_peer_incarnation").path("result"))
        {
            final JsonNode metric = series.path("metric");
            known.put(metric.path("core").asText() + "->" + metric.path("peer").asText(),
                series.path("value").path(1).asText());
        }
        assertThat(known).as("mk_membership_peer_incarnation, core->peer").hasSize(pairs);
        known.forEach((pair, incarnation) -> assertThat(incarnation)
            .as("incarnation core %s knows, against what the peer reports", pair)
            .isEqualTo(own.get(pair.substring(pair.indexOf("->") + 2))));
    }

    /**
     * The URPC dashboard shows the RTT as a matrix, core by peer: a table whose per-peer RTT series are
     * grouped into rows by core and columns by peer. The cluster overview shows how the cores see each
     * core, the incarnations each core knows as the same kind of matrix, and each core's restarts.
     */
    private static void assertRttMatrixAndIncarnationPanels(final List<GrafanaDashboard> dashboards)
    {
        final Map<String, String> coreByPeer = Map.of("rowField", "core", "columnField", "peer", "valueField", "Value");
        assertThat(panelsQuerying(dashboards, "mk-urpc", "mk_skb_peer_rtt_seconds"))
            .as("a core-by-peer RTT matrix in the URPC dashboard")
            .anySatisfy(panel ->
            {
                assertThat(panel.type()).isEqualTo("table");
                assertThat(panel.transformations()).extracting(GrafanaDashboard.Transformation::id)
                    .containsExactly("groupingToMatrix");
                assertThat(panel.transformations().get(0).options()).containsAllEntriesOf(coreByPeer);
                assertThat(panel.queries().get(0).expr()).startsWith("max by (core, peer) (");
            });
        assertThat(panelsQuerying(dashboards, "mk-cluster-overview", "mk_membership_peer_incarnation"))
            .as("a core-by-peer matrix of known incarnations in the cluster overview")
            .anySatisfy(panel ->
            {
                assertThat(panel.type()).isEqualTo("table");
                assertThat(panel.transformations().get(0).options()).containsAllEntriesOf(coreByPeer);
            });
        assertThat(panelsQuerying(dashboards, "mk-cluster-overview", "mk_membership_peer_state"))
            .as("each core's state as its peers see it").extracting(GrafanaDashboard.Panel::type)
            .contains("state-timeline");
        assertThat(panelsQuerying(dashboards, "mk-cluster-overview", "changes(mk_core_incarnation"))
            .as("restarts of each core").isNotEmpty();
    }

    private static List<GrafanaDashboard.Panel> panelsQuerying(final List<GrafanaDashboard> dashboards,
        final String uid, final String text)
    {
        return dashboards.stream().filter(dashboard -> uid.equals(dashboard.uid()))
            .flatMap(dashboard -> dashboard.panels().stream())
            .filter(panel -> panel.queries().stream().anyMatch(query -> query.expr().contains(text)))
            .toList();
    }

    private static void assumeToolsInstalled()
    {
        final List<String> missing = PrometheusServer.missingTools();
        if (!missing.isEmpty() && "true".equals(System.getenv("CI")))
        {
            throw new AssertionError(missing + " not on the PATH, and CI=true says they must be: " +
                "CI installs them with apt-get install prometheus");
        }
        assumeTrue(missing.isEmpty(), () -> missing + " not on the PATH: the observability test runs a real " +
            "Prometheus; install it (apt-get install -y prometheus gives prometheus and promtool)");
    }

    private static void assertPromtoolAcceptsEveryCoresMetrics(final AdminClient admin)
        throws IOException, InterruptedException
    {
        for (int core = 0; core < CORES; core++)
        {
            final int self = core;
            final String metrics = admin.get(core, "/metrics")
                .orElseThrow(() -> new AssertionError("core " + self + " does not answer /metrics"));
            final PrometheusServer.ToolRun check = PrometheusServer.promtool(List.of("check", "metrics"), metrics);
            assertThat(check.exitCode()).as("promtool check metrics on core %d's /metrics: %s", core, check.output())
                .isZero();
            assertThat(check.output()).as("promtool check metrics on core %d's /metrics", core).isEmpty();
        }
    }

    private static void assertPromtoolAccepts(final List<String> args) throws IOException, InterruptedException
    {
        final PrometheusServer.ToolRun run = PrometheusServer.promtool(args, null);
        assertThat(run.exitCode()).as("promtool %s: %s", String.join(" ", args), run.output()).isZero();
        assertThat(run.output()).as("promtool %s", String.join(" ", args)).contains("SUCCESS");
    }

    /**
     * A copy of the project's configuration and rules in the test's directory, scraping every
     * {@link #SCRAPE_INTERVAL}, with a targets file for the cluster instead of the compose one.
     *
     * @return the copy's prometheus.yml.
     */
    @SuppressWarnings("unchecked")
    private Path testConfiguration(final Path projectConfig, final ClusterMap map) throws IOException
    {
        final Path directory = Files.createDirectories(root.resolve("prometheus"));
        final Map<String, Object> settings = yaml(projectConfig);
        final Map<String, Object> global = (Map<String, Object>)settings.get("global");
        assertThat(global).as("global section of %s", projectConfig).containsKeys("scrape_interval",
            "evaluation_interval");
        global.put("scrape_interval", SCRAPE_INTERVAL);
        global.put("evaluation_interval", SCRAPE_INTERVAL);
        final DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        final Path config = directory.resolve("prometheus.yml");
        Files.writeString(config, new Yaml(options).dump(settings));

        final Path rules = Files.createDirectories(directory.resolve("rules"));
        try (Stream<Path> files = Files.list(projectConfig.resolveSibling("rules")))
        {
            for (final Path rule : files.toList())
            {
                Files.copy(rule, rules.resolve(rule.getFileName()));
            }
        }
        final List<Map<String, Object>> targets = new ArrayList<>();
        for (final CoreDescriptor core : map.cores())
        {
            targets.add(Map.of("targets", List.of(map.adminUrl(core.id()).substring("http://".length())),
                "labels", Map.of("core", "" + core.id(), "host", "" + core.hostId())));
        }
        final Path targetsFile = Files.createDirectories(directory.resolve("targets")).resolve("cluster.json");
        JSON.writerWithDefaultPrettyPrinter().writeValue(targetsFile.toFile(), targets);
        return config;
    }

    private void awaitEveryCoreScraped(final ClusterMap map)
    {
        final Map<String, Map<String, String>> expected = expectedTargets(map);
        expected.values().forEach(labels -> labels.put("job", JOB));
        awaitTrue("prometheus scraped every core with its labels, " + expected, () ->
        {
            final Map<String, Map<String, String>> up = new TreeMap<>();
            for (final JsonNode target : prometheus.targets().path("activeTargets"))
            {
                if ("up".equals(target.path("health").asText()))
                {
                    final Map<String, String> labels = PrometheusServer.labels(target.path("labels"));
                    up.put(labels.remove("instance"), labels);
                }
            }
            return up.equals(expected);
        }, TARGETS_UP_TIMEOUT_S);
    }

    /** @return the alerting rules Prometheus loaded, once each has been evaluated without error. */
    private List<JsonNode> awaitAlertingRulesEvaluated()
    {
        final List<JsonNode> alerting = new ArrayList<>();
        awaitTrue("prometheus evaluated every alerting rule without error", () ->
        {
            alerting.clear();
            for (final JsonNode group : prometheus.rules().path("groups"))
            {
                for (final JsonNode rule : group.path("rules"))
                {
                    if ("alerting".equals(rule.path("type").asText()))
                    {
                        alerting.add(rule);
                    }
                }
            }
            return !alerting.isEmpty() && alerting.stream().allMatch(rule -> "ok".equals(rule.path("health").asText()));
        }, RULES_LOADED_TIMEOUT_S);
        assertThat(alerting).extracting(rule -> rule.path("name").asText()).containsExactlyInAnyOrder("MkCoreDown",
            "MkPeerDown", "MkTransactionsInDoubt", "MkReplicasDiverged", "MkWalFsyncSlow", "MkUrpcForgedFrames",
            "MkUrpcFramesRejected", "MkUrpcMessagesLost");
        return alerting;
    }

    /**
     * Moves the counters every panel shows: replicated writes; capabilities retyped into a VNODE and a
     * frame; a domain on every core, a mapping, a store, loads at two cores (TLB misses and hits) and
     * an unmap (a TLB shootdown); and shootdown bench rounds.
     */
    private static void traffic(final AdminClient admin) throws Exception
    {
        final List<Integer> every = new ArrayList<>();
        for (int core = 0; core < CORES; core++)
        {
            every.add(core);
        }
        for (int i = 0; i < PUTS; i++)
        {
            ok(admin.post(0, "/kv", JSON.writeValueAsString(Map.of("replicas", every, "key", "k" + i,
                "value", "v" + i))), "put k" + i);
        }
        final long ram = firstCap(ok(admin.post(0, "/caps/alloc", "{\"bytes\":" + 2 * PAGE_BYTES + "}"), "alloc"));
        final long vnode = firstCap(ok(admin.post(0, "/caps/retype", "{\"cap\":" + ram + ",\"type\":\"vnode\"," +
            "\"size\":" + PAGE_BYTES + ",\"offset\":0,\"count\":1}"), "retype a VNODE"));
        final long frame = firstCap(ok(admin.post(0, "/caps/retype", "{\"cap\":" + ram + ",\"type\":\"frame\"," +
            "\"size\":" + PAGE_BYTES + ",\"offset\":" + PAGE_BYTES + ",\"count\":1}"), "retype a frame"));
        final long domain = number(ok(admin.post(0, "/domains/create",
            JSON.writeValueAsString(Map.of("root", vnode, "cores", every))), "create a domain"), "id");
        ok(admin.post(0, "/domains/map", JSON.writeValueAsString(Map.of("domain", domain, "vaddr", VADDR,
            "frame", frame, "offset", 0, "length", PAGE_BYTES, "rights", "read,write"))), "map");
        final String store = JSON.writeValueAsString(Map.of("domain", domain, "vaddr", VADDR, "base64", "aGVsbG8="));
        okOnceApplied(() -> admin.post(1, "/domains/store", store), "store");
        final String load = JSON.writeValueAsString(Map.of("domain", domain, "vaddr", VADDR, "length", 5));
        for (int i = 0; i < LOADS; i++)
        {
            for (final int core : List.of(1, 2))
            {
                okOnceApplied(() -> admin.post(core, "/domains/load", load), "load at core " + core);
            }
        }
        ok(admin.post(0, "/domains/unmap", JSON.writeValueAsString(Map.of("domain", domain, "vaddr", VADDR,
            "length", PAGE_BYTES, "protocol", "topo"))), "unmap");
        ok(admin.post(0, "/bench/shootdown?protocol=unicast&rounds=" + SHOOTDOWN_ROUNDS + "&warmup=0", ""),
            "shootdown rounds");
    }

    /**
     * {@link #ok} for a call at a core that may still hold the last page-table change prepared: it
     * answers {@code unavailable} ("retry") until it applies the commit, and is asked again until then,
     * for at most {@link Await#SETTLE_TIMEOUT_S}.
     */
    private static Reply okOnceApplied(final Await.Read<Reply> call, final String what) throws Exception
    {
        return ok(Await.settled(call, reply -> 200 == reply.status() || !"unavailable".equals(reply.text("outcome"))),
            what);
    }

    private static Reply ok(final Reply reply, final String what)
    {
        assertThat(reply.status()).as("%s: %s", what, reply.body()).isEqualTo(200);
        return reply;
    }

    private static long firstCap(final Reply reply)
    {
        assertThat(reply.body().get("caps")).as("caps of %s", reply.body()).isInstanceOf(List.class);
        final List<?> caps = (List<?>)reply.body().get("caps");
        assertThat(caps).as("caps of %s", reply.body()).isNotEmpty();
        return ((Number)caps.get(0)).longValue();
    }

    private static long number(final Reply reply, final String field)
    {
        assertThat(reply.body().get(field)).as("%s of %s", field, reply.body()).isInstanceOf(Number.class);
        return ((Number)reply.body().get(field)).longValue();
    }

    /**
     * @return every panel's queries as Grafana would send them with every core selected, by where they
     *         come from.
     */
    private static Map<String, String> dashboardQueries(final List<GrafanaDashboard> dashboards)
    {
        final Map<String, String> variables = Map.of("core", ".*", "__rate_interval", RATE_WINDOW,
            "__interval", SCRAPE_INTERVAL);
        final Map<String, String> queries = new LinkedHashMap<>();
        for (final GrafanaDashboard dashboard : dashboards)
        {
            for (final GrafanaDashboard.Panel panel : dashboard.panels())
            {
                for (final GrafanaDashboard.Query query : panel.queries())
                {
                    queries.put(dashboard.uid() + " '" + panel.title() + "' " + query.refId(),
                        GrafanaDashboard.expand(query.expr(), variables));
                }
            }
        }
        return queries;
    }

    /** Each variable's {@code label_values(query, label)}: the query's series carry the label. */
    private void assertEveryVariableHasValues(final List<GrafanaDashboard> dashboards)
    {
        for (final GrafanaDashboard dashboard : dashboards)
        {
            for (final GrafanaDashboard.Variable variable : dashboard.variables())
            {
                final String[] queryAndLabel = variable.queryAndLabel();
                final Set<String> values = new TreeSet<>();
                prometheus.query(queryAndLabel[0]).path("result").forEach(series ->
                    values.add(series.path("metric").path(queryAndLabel[1]).asText()));
                values.remove("");
                assertThat(values).as("%s variable %s: values of %s in %s", dashboard.uid(), variable.name(),
                    queryAndLabel[1], queryAndLabel[0]).hasSize(CORES);
            }
        }
    }

    /** @return each alerting rule's watched query: its expression without the threshold comparison. */
    private static Map<String, String> alertQueries(final List<JsonNode> rules)
    {
        final Map<String, String> queries = new LinkedHashMap<>();
        for (final JsonNode rule : rules)
        {
            final String name = rule.path("name").asText();
            final String expression = rule.path("query").asText();
            final Matcher threshold = THRESHOLD.matcher(expression);
            assertThat(threshold.matches()).as("alert %s is not '<query> <comparison> <number>': %s", name, expression)
                .isTrue();
            final String watched = threshold.group(1);
            assertThat(SET_OPERATOR.matcher(watched.replaceAll("\\{[^}]*}", "")).find())
                .as("alert %s: and/or/unless bind looser than its comparison: %s", name, expression).isFalse();
            queries.put("alert " + name, watched);
        }
        return queries;
    }

    /**
     * Asks every query again, a round every {@link #QUERY_ROUND_PAUSE_MS}, until each has returned at
     * least one series with a finite value (the rates need a scrape after the traffic).
     */
    private void assertEveryQueryReturnsData(final Map<String, String> queries) throws InterruptedException
    {
        final Map<String, String> empty = new LinkedHashMap<>(queries);
        final long deadlineMs = System.currentTimeMillis() + QUERY_DATA_TIMEOUT_MS;
        while (true)
        {
            empty.entrySet().removeIf(query -> hasFiniteValue(prometheus.query(query.getValue())));
            if (empty.isEmpty() || System.currentTimeMillis() - deadlineMs > 0)
            {
                break;
            }
            Thread.sleep(QUERY_ROUND_PAUSE_MS);
        }
        final List<String> lines = new ArrayList<>();
        empty.forEach((where, promql) -> lines.add(where + ": " + promql));
        assertThat(lines).as("of %d queries, those with no series of a finite value after %d ms", queries.size(),
            QUERY_DATA_TIMEOUT_MS).isEmpty();
        System.out.println("ObservabilityIT: " + queries.size() + " dashboard and alert queries returned data");
    }

    private static boolean hasFiniteValue(final JsonNode data)
    {
        final JsonNode result = data.path("result");
        if ("scalar".equals(data.path("resultType").asText()))
        {
            return isFinite(result.path(1).asText());
        }
        for (final JsonNode series : result)
        {
            if (isFinite(series.path("value").path(1).asText()))
            {
                return true;
            }
        }
        return false;
    }

    private static boolean isFinite(final String value)
    {
        try
        {
            return Double.isFinite(Double.parseDouble(value));
        }
        catch (final NumberFormatException ex)
        {
            return false; // "+Inf", "-Inf"
        }
    }

    /** @return the alerts pending or firing, as {@code Name{core=N}}, or {@code Name} without a core label. */
    private Set<String> alertNames()
    {
        final Set<String> names = new TreeSet<>();
        for (final JsonNode alert : prometheus.alerts().path("alerts"))
        {
            final String name = alert.path("labels").path("alertname").asText();
            final JsonNode core = alert.path("labels").path("core");
            names.add(core.isMissingNode() ? name : name + "{core=" + core.asText() + "}");
            names.add(name);
        }
        return names;
    }

    /** @return each core's target address ({@code host:port}) and the labels it must carry. */
    private static Map<String, Map<String, String>> expectedTargets(final ClusterMap map)
    {
        final Map<String, Map<String, String>> targets = new TreeMap<>();
        for (final CoreDescriptor core : map.cores())
        {
            final Map<String, String> labels = new TreeMap<>(Map.of("core", "" + core.id(), "host", "" + core.hostId()));
            targets.put(map.adminUrl(core.id()).substring("http://".length()), labels);
        }
        return targets;
    }

    /** @return a file_sd targets file's targets, each with its labels. */
    private static Map<String, Map<String, String>> targetsByAddress(final JsonNode groups)
    {
        final Map<String, Map<String, String>> targets = new TreeMap<>();
        for (final JsonNode group : groups)
        {
            for (final JsonNode address : group.path("targets"))
            {
                targets.put(address.asText(), PrometheusServer.labels(group.path("labels")));
            }
        }
        return targets;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(final Map<String, Object> document, final String key)
    {
        assertThat(document).as("YAML document").containsKey(key);
        return (List<Map<String, Object>>)document.get(key);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> yaml(final Path file) throws IOException
    {
        return (Map<String, Object>)new Yaml().load(Files.readString(file));
    }
}
