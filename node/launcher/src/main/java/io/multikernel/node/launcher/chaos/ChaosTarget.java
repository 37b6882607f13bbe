package io.multikernel.node.launcher.chaos;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.core.type.TypeReference;
import io.multikernel.node.cluster.ClusterMap;
import io.multikernel.node.launcher.AdminCredentials;
import io.multikernel.node.launcher.StrictJson;

/**
 * The cluster a chaos run drives, as its clients see it: every core's admin API and the credentials
 * it asks for. From a cluster map (the URLs the map gives, {@code mk up}'s cores), or from a caller
 * that knows better (containers whose admin ports are mapped elsewhere).
 */
public final class ChaosTarget
{
    /** Longest a client waits to connect, ms. */
    public static final long CONNECT_TIMEOUT_MS = 2_000;
    /** Longest a read of a core's state or a change of its link rules may take, ms. */
    public static final long REQUEST_TIMEOUT_MS = 10_000;

    private final Map<Integer, String> adminUrls;
    private final AdminCredentials credentials;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(CONNECT_TIMEOUT_MS)).build();

    /**
     * @param adminUrls   every core of the cluster and the base URL of its admin API.
     * @param credentials what the admin APIs ask of a client.
     */
    public ChaosTarget(final Map<Integer, String> adminUrls, final AdminCredentials credentials)
    {
        if (adminUrls.isEmpty())
        {
            throw new IllegalArgumentException("a chaos run needs at least one core");
        }
        this.adminUrls = new TreeMap<>(adminUrls);
        this.credentials = credentials;
    }

    /**
     * @param map         the cluster's map.
     * @param credentials what its admin APIs ask of a client.
     * @return every core of the map at the admin URL the map gives it.
     */
    public static ChaosTarget of(final ClusterMap map, final AdminCredentials credentials)
    {
        final Map<Integer, String> urls = new TreeMap<>();
        for (final int id : map.coreIds())
        {
            urls.put(id, map.adminUrl(id));
        }
        return new ChaosTarget(urls, credentials);
    }

    /** @return every core, in id order. */
    public List<Integer> cores()
    {
        return new ArrayList<>(adminUrls.keySet());
    }

    /**
     * @param core a core of the cluster.
     * @param path a path of its admin API, with its query.
     * @return a request to it carrying the credentials.
     */
    public HttpRequest.Builder request(final int core, final String path)
    {
        final String url = adminUrls.get(core);
        if (null == url)
        {
            throw new IllegalArgumentException("core " + core + " is not a core of the cluster " + cores());
        }
        return credentials.authorize(HttpRequest.newBuilder(URI.create(url + path)));
    }

    /**
     * @param request a request built from {@link #request}.
     * @return the answer.
     * @throws IOException when there is none.
     * @throws InterruptedException when interrupted while waiting.
     */
    public HttpResponse<String> send(final HttpRequest request) throws IOException, InterruptedException
    {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /**
     * @param core a core.
     * @param path what to read.
     * @return its JSON answer, or null when it does not answer 200 with JSON within {@link #REQUEST_TIMEOUT_MS}.
     */
    public Map<String, Object> get(final int core, final String path)
    {
        try
        {
            final HttpResponse<String> response = send(request(core, path)
                .timeout(Duration.ofMillis(REQUEST_TIMEOUT_MS)).GET().build());
            if (200 != response.statusCode())
            {
                return null;
            }
            return StrictJson.read(response.body(), new TypeReference<Map<String, Object>>()
            {
            }, "core " + core + "'s " + path);
        }
        catch (final IOException | IllegalArgumentException ex)
        {
            return null;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * @param core a core.
     * @return whether it answers its status as up and sees every peer up.
     */
    public boolean seesAllPeers(final int core)
    {
        final Map<String, Object> status = get(core, "/status");
        if (null == status || !"up".equals(status.get("state")))
        {
            return false;
        }
        final Object up = status.get("peers_up");
        final Object total = status.get("peers_total");
        return up instanceof Number && total instanceof Number && ((Number)up).intValue() == ((Number)total).intValue();
    }
}
