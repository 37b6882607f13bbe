package io.multikernel.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.core.type.TypeReference;
import io.multikernel.node.cluster.ClusterMap;
import io.multikernel.node.launcher.CoreStatus;
import io.multikernel.node.launcher.StrictJson;

/**
 * HTTP to the admin APIs of a cluster's cores, as the multi-process tests use it. Reads answer empty
 * while a core does not answer (it may be killed or restarting); a write that gets no answer fails
 * the test. Documents are read strictly as JSON objects: the endpoints answer documents of their own
 * shapes, and the tests read the fields they check.
 */
final class AdminClient
{
    /** CONNECT_TIMEOUT: a core that does not accept within this is not answering. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
    /** READ_TIMEOUT: longest a GET waits for its answer. */
    static final Duration READ_TIMEOUT = Duration.ofSeconds(5);
    /** HEALTH_TIMEOUT: longest a GET /health waits (a frozen core answers it from an admin thread). */
    static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(2);
    /** WRITE_TIMEOUT: longest a POST waits for its answer; above every core's admin timeout. */
    static final Duration WRITE_TIMEOUT = Duration.ofSeconds(10);

    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>()
    {
    };

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
    private final ClusterMap map;

    /** An answer: the HTTP status and the JSON object the core answered with. */
    record Reply(int status, Map<String, Object> body)
    {
        String text(final String field)
        {
            return String.valueOf(body.get(field));
        }
    }

    AdminClient(final ClusterMap map)
    {
        this.map = map;
    }

    ClusterMap map()
    {
        return map;
    }

    /**
     * @return the body the core answers at {@code path} with 200, or empty when it answers otherwise or not at all.
     */
    Optional<String> get(final int core, final String path)
    {
        return send(core, request(core, path, READ_TIMEOUT).build())
            .filter(response -> 200 == response.statusCode()).map(HttpResponse::body);
    }

    /** {@link #get}, read strictly as a JSON object: a document that is not one fails the test. */
    Optional<Map<String, Object>> getObject(final int core, final String path)
    {
        return get(core, path).map(body -> StrictJson.read(body, OBJECT, "core " + core + "'s " + path));
    }

    /** @return the core's answer to {@code POST path}, whatever its status; no answer fails the test. */
    Reply post(final int core, final String path, final String json) throws IOException, InterruptedException
    {
        final HttpResponse<String> response = http.send(request(core, path, WRITE_TIMEOUT)
            .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        return reply(core, path, response);
    }

    /** @return the core's answer to {@code DELETE path}, whatever its status; no answer fails the test. */
    Reply delete(final int core, final String path) throws IOException, InterruptedException
    {
        final HttpResponse<String> response = http.send(request(core, path, WRITE_TIMEOUT).DELETE().build(),
            HttpResponse.BodyHandlers.ofString());
        return reply(core, path, response);
    }

    /**
     * @return the core's answer to {@code POST path} once it comes; completes exceptionally when the
     *         core goes away or does not answer within {@code timeout}.
     */
    CompletableFuture<Reply> postAsync(final int core, final String path, final String json, final Duration timeout)
    {
        return http.sendAsync(request(core, path, timeout).POST(HttpRequest.BodyPublishers.ofString(json)).build(),
            HttpResponse.BodyHandlers.ofString()).thenApply(response -> reply(core, path, response));
    }

    /** @return the core's {@code /health} document whatever its status (a frozen core answers 503), or empty. */
    Optional<Map<String, Object>> health(final int core)
    {
        return send(core, request(core, "/health", HEALTH_TIMEOUT).build())
            .map(response -> StrictJson.read(response.body(), OBJECT, "core " + core + "'s /health"));
    }

    /** @return the sum of the samples of {@code name} on the core's {@code /metrics}, or -1 when it does not answer. */
    double metric(final int core, final String name)
    {
        return metric(core, name, "");
    }

    /**
     * @return the sum of the samples of {@code name} whose labels contain {@code labels} (such as
     *         {@code type="ping"}), or -1 when the core does not answer.
     */
    double metric(final int core, final String name, final String labels)
    {
        return get(core, "/metrics").map(body -> body.lines()
            .filter(l -> l.startsWith(name + "{") && l.substring(0, l.lastIndexOf(' ')).contains(labels))
            .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum()).orElse(-1.0);
    }

    /** @return true when every core answers {@code /status} and sees every peer up. */
    boolean allSeeAll()
    {
        return seeEachOther(Arrays.stream(map.coreIds()).boxed().toList());
    }

    /** @return true when each of {@code cores} answers {@code /status} and sees each other one of them up. */
    boolean seeEachOther(final Collection<Integer> cores)
    {
        for (final int core : cores)
        {
            final Optional<CoreStatus> status = get(core, "/status")
                .map(body -> StrictJson.read(body, CoreStatus.class, "core " + core + "'s /status"));
            if (status.isEmpty() || !status.get().peers().stream()
                .filter(p -> cores.contains(p.id())).allMatch(p -> "up".equals(p.state())))
            {
                return false;
            }
        }
        return true;
    }

    /** @return the transactions {@code GET /2pc} lists as in doubt at the core; empty when it does not answer. */
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> inDoubt(final int core)
    {
        return getObject(core, "/2pc").map(m -> (List<Map<String, Object>>)m.get("in_doubt")).orElse(List.of());
    }

    /** @return the ids of the transactions in doubt at the core. */
    List<String> inDoubtIds(final int core)
    {
        return inDoubt(core).stream().map(m -> m.get("transaction").toString()).toList();
    }

    /** @return true when the core answers and has nothing in doubt, in flight or locked (admin and metric). */
    boolean resolved(final int core)
    {
        final Optional<Map<String, Object>> status = getObject(core, "/2pc");
        return status.isPresent() && ((Number)status.get().get("in_doubt_count")).intValue() == 0 &&
            ((Number)status.get().get("in_flight")).intValue() == 0 &&
            ((Number)status.get().get("locks_held")).intValue() == 0 &&
            metric(core, "mk_2pc_in_doubt") == 0.0;
    }

    private HttpRequest.Builder request(final int core, final String path, final Duration timeout)
    {
        return HttpRequest.newBuilder(URI.create(map.adminUrl(core) + path)).timeout(timeout);
    }

    private Optional<HttpResponse<String>> send(final int core, final HttpRequest request)
    {
        try
        {
            return Optional.of(http.send(request, HttpResponse.BodyHandlers.ofString()));
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

    private static Reply reply(final int core, final String path, final HttpResponse<String> response)
    {
        return new Reply(response.statusCode(), StrictJson.read(response.body(), OBJECT,
            "core " + core + "'s answer to " + path));
    }
}
