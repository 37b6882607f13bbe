package io.multikernel.node.cli;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.multikernel.node.cluster.ClusterMap;
import io.multikernel.node.launcher.ClusterStatus;
import io.multikernel.node.launcher.RunDirectory;
import io.multikernel.node.util.JsonReader;

/**
 * A CLI command's view of one core's admin API, found through the run directory's cluster map the
 * way {@code mk status} finds it.
 */
final class AdminClient
{
    /** How long a command waits to connect to a core's admin API. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    /** How long a command waits for an answer: longer than the core's own admin timeout (5 s). */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);

    /**
     * One answer.
     *
     * @param status HTTP status.
     * @param body   the JSON object answered.
     * @param raw    the body as sent.
     */
    record Reply(int status, Map<String, Object> body, String raw)
    {
        String text(final String name)
        {
            final Object value = body.get(name);
            return null == value ? null : value.toString();
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
    private final int coreId;
    private final String baseUrl;

    private AdminClient(final int coreId, final String baseUrl)
    {
        this.coreId = coreId;
        this.baseUrl = baseUrl;
    }

    /**
     * @param runDir the --run-dir flag, or null.
     * @param coreId the core to talk to.
     * @throws IllegalStateException when there is no cluster or no such core.
     */
    static AdminClient of(final Path runDir, final int coreId)
    {
        final ClusterMap map = ClusterStatus.map(RunDirectory.resolve(runDir));
        if (!map.hasCore(coreId))
        {
            throw new IllegalStateException("core " + coreId + " is not in the cluster map (cores: " +
                java.util.Arrays.toString(map.coreIds()) + ")");
        }
        return new AdminClient(coreId, map.adminUrl(coreId));
    }

    static String encode(final String pathSegment)
    {
        return URLEncoder.encode(pathSegment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    Reply get(final String path) throws InterruptedException
    {
        return send(HttpRequest.newBuilder(URI.create(baseUrl + path)).GET());
    }

    Reply post(final String path, final String json) throws InterruptedException
    {
        return send(HttpRequest.newBuilder(URI.create(baseUrl + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)));
    }

    private Reply send(final HttpRequest.Builder request) throws InterruptedException
    {
        final HttpResponse<String> response;
        try
        {
            response = http.send(request.timeout(REQUEST_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("core " + coreId + "'s admin API at " + baseUrl + " did not answer (" +
                (null == ex.getMessage() ? ex.getClass().getSimpleName() : ex.getMessage()) +
                "); is the core up? see mk status", ex);
        }
        try
        {
            return new Reply(response.statusCode(), JsonReader.parseObject(response.body()), response.body());
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalStateException("core " + coreId + " answered HTTP " + response.statusCode() +
                " with a body that is not a JSON object", ex);
        }
    }

    int coreId()
    {
        return coreId;
    }
}
