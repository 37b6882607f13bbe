package io.multikernel.node.launcher;

import io.multikernel.node.util.JsonReader;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * Reads a core's {@code /status} over its admin API.
 */
final class CoreStatusClient
{
    /** How long one status request may take, ms. */
    static final long REQUEST_TIMEOUT_MS = 1_000;

    private final HttpClient client = HttpClient.newBuilder()
        .connectTimeout(Duration.ofMillis(REQUEST_TIMEOUT_MS))
        .build();

    /**
     * @param adminUrl base URL of the core's admin API.
     * @return the parsed status, or {@code null} when the core does not answer with one.
     */
    Map<String, Object> status(final String adminUrl)
    {
        try
        {
            final HttpResponse<String> response = client.send(
                HttpRequest.newBuilder(URI.create(adminUrl + "/status")).timeout(Duration.ofMillis(REQUEST_TIMEOUT_MS))
                    .GET().build(),
                HttpResponse.BodyHandlers.ofString());
            return 200 == response.statusCode() ? JsonReader.parseObject(response.body()) : null;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return null;
        }
        catch (final Exception ex)
        {
            return null;
        }
    }

    static long longField(final Map<String, Object> status, final String name, final long otherwise)
    {
        final Object value = null == status ? null : status.get(name);
        return value instanceof Number number ? number.longValue() : otherwise;
    }

    /**
     * @param status a core's status.
     * @return the median of its RTTs to peers (each the minimum of recent probes) in microseconds, or -1 when none is measured.
     */
    static double medianPeerRttUs(final Map<String, Object> status)
    {
        final Object peers = null == status ? null : status.get("peers");
        if (!(peers instanceof java.util.List<?> list))
        {
            return -1;
        }
        final double[] rtts = list.stream()
            .filter(Map.class::isInstance)
            .map(p -> ((Map<?, ?>)p).get("rtt_us"))
            .filter(Number.class::isInstance)
            .mapToDouble(n -> ((Number)n).doubleValue())
            .filter(v -> v >= 0)
            .sorted()
            .toArray();
        return 0 == rtts.length ? -1 : rtts[rtts.length / 2];
    }
}
