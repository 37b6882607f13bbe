package io.multikernel.it;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.multikernel.node.launcher.FreePorts;

import static io.multikernel.it.Await.awaitTrue;

/**
 * A real Prometheus server for a test, on a free loopback port, its storage in a directory of the test's,
 * its output in {@code target/it-logs/prometheus.log}; and the few calls of its HTTP API the test makes.
 * Also runs {@code promtool}. Both must be on the PATH ({@link #missingTools()}).
 */
final class PrometheusServer implements AutoCloseable
{
    /** READY_TIMEOUT_S: longest until a started Prometheus answers {@code /-/ready}. */
    static final long READY_TIMEOUT_S = 30;
    /** STOP_TIMEOUT_S: longest a SIGTERM may take to end Prometheus before it is killed. */
    static final long STOP_TIMEOUT_S = 10;
    /** PROMTOOL_TIMEOUT_S: longest one promtool check may take. */
    static final long PROMTOOL_TIMEOUT_S = 30;
    /** HTTP_TIMEOUT: longest one API call may take. */
    static final Duration HTTP_TIMEOUT = Duration.ofSeconds(5);
    static final String PROMETHEUS = "prometheus";
    static final String PROMTOOL = "promtool";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Path log;
    private final String url;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(HTTP_TIMEOUT).build();

    /** What one promtool run said: its exit code and its output, stdout and stderr together. */
    record ToolRun(int exitCode, String output)
    {
    }

    private PrometheusServer(final Process process, final Path log, final String url)
    {
        this.process = process;
        this.log = log;
        this.url = url;
    }

    /** @return the names of the tools the observability test needs that are not on the PATH. */
    static List<String> missingTools()
    {
        final List<String> missing = new ArrayList<>();
        for (final String tool : List.of(PROMETHEUS, PROMTOOL))
        {
            if (onPath(tool).isEmpty())
            {
                missing.add(tool);
            }
        }
        return missing;
    }

    private static Optional<Path> onPath(final String tool)
    {
        final String path = System.getenv().getOrDefault("PATH", "");
        for (final String directory : path.split(File.pathSeparator))
        {
            final Path candidate = Path.of(directory.isEmpty() ? "." : directory, tool);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate))
            {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * Starts Prometheus on {@code configFile} and waits until it is ready.
     *
     * @param storage its TSDB directory.
     */
    static PrometheusServer start(final Path configFile, final Path storage) throws IOException
    {
        final int port = FreePorts.range(1);
        final Path logDir = Path.of("target", "it-logs");
        Files.createDirectories(logDir);
        final Path log = logDir.resolve("prometheus.log");
        final Process process = new ProcessBuilder(PROMETHEUS, "--config.file=" + configFile,
            "--storage.tsdb.path=" + storage, "--web.listen-address=127.0.0.1:" + port)
            .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        final PrometheusServer server = new PrometheusServer(process, log, "http://127.0.0.1:" + port);
        try
        {
            awaitTrue("prometheus on port " + port + " ready (log: " + log.toAbsolutePath() + ")", () ->
            {
                if (!process.isAlive())
                {
                    throw new AssertionError("prometheus exited with " + process.exitValue() + ": " + server.logTail());
                }
                return server.get("/-/ready").map(response -> 200 == response.statusCode()).orElse(false);
            }, READY_TIMEOUT_S);
        }
        catch (final RuntimeException | Error ex)
        {
            server.close();
            throw ex;
        }
        return server;
    }

    /**
     * Runs {@code promtool ARGS}, with {@code stdin} on its standard input when given.
     */
    static ToolRun promtool(final List<String> args, final String stdin) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(List.of(PROMTOOL));
        command.addAll(args);
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (null != stdin)
        {
            process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        process.getOutputStream().close();
        final byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(PROMTOOL_TIMEOUT_S, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not end within " + PROMTOOL_TIMEOUT_S + " s");
        }
        return new ToolRun(process.exitValue(), new String(output, StandardCharsets.UTF_8).strip());
    }

    /**
     * {@code GET /api/v1/query}: an instant query at the server's now.
     *
     * @return the {@code data} of a successful answer ({@code resultType}, {@code result}).
     * @throws AssertionError quoting the query and Prometheus's error when the query fails.
     */
    JsonNode query(final String promql)
    {
        return api("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8), "query " + promql);
    }

    /** @return {@code GET /api/v1/targets}'s data. */
    JsonNode targets()
    {
        return api("/api/v1/targets?state=active", "targets");
    }

    /** @return {@code GET /api/v1/rules}'s data. */
    JsonNode rules()
    {
        return api("/api/v1/rules", "rules");
    }

    /** @return {@code GET /api/v1/alerts}'s data: the alerts pending or firing. */
    JsonNode alerts()
    {
        return api("/api/v1/alerts", "alerts");
    }

    private JsonNode api(final String pathAndQuery, final String what)
    {
        final HttpResponse<String> response = get(pathAndQuery)
            .orElseThrow(() -> new AssertionError("prometheus did not answer " + what + ": " + logTail()));
        final JsonNode body;
        try
        {
            body = JSON.readTree(response.body());
        }
        catch (final IOException ex)
        {
            throw new AssertionError("prometheus answered " + what + " with " + response.statusCode() +
                " and no JSON: " + response.body(), ex);
        }
        if (200 != response.statusCode() || !"success".equals(body.path("status").asText()))
        {
            throw new AssertionError("prometheus refused " + what + " (" + response.statusCode() + "): " +
                body.path("errorType").asText() + ": " + body.path("error").asText());
        }
        return body.path("data");
    }

    private Optional<HttpResponse<String>> get(final String pathAndQuery)
    {
        try
        {
            return Optional.of(http.send(HttpRequest.newBuilder(URI.create(url + pathAndQuery)).timeout(HTTP_TIMEOUT)
                .build(), HttpResponse.BodyHandlers.ofString()));
        }
        catch (final IOException ex)
        {
            return Optional.empty();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** @return the last lines Prometheus logged, for failure messages. */
    String logTail()
    {
        try
        {
            final List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        }
        catch (final IOException ex)
        {
            return "(no log: " + ex.getMessage() + ")";
        }
    }

    /** SIGTERM, then SIGKILL when Prometheus has not ended within {@link #STOP_TIMEOUT_S}. */
    @Override
    public void close()
    {
        process.destroy();
        try
        {
            if (!process.waitFor(STOP_TIMEOUT_S, TimeUnit.SECONDS))
            {
                process.destroyForcibly().waitFor(STOP_TIMEOUT_S, TimeUnit.SECONDS);
            }
        }
        catch (final InterruptedException ex)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** @return the labels of a result or target entry as a map. */
    static Map<String, String> labels(final JsonNode labels)
    {
        final Map<String, String> map = new TreeMap<>();
        labels.fields().forEachRemaining(entry -> map.put(entry.getKey(), entry.getValue().asText()));
        return map;
    }
}
