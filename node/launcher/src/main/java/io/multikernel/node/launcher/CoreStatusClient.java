package io.multikernel.node.launcher;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

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
     * @param coreId      the core, for the error.
     * @param adminUrl    base URL of the core's admin API.
     * @param credentials what the cluster's admin API asks of a client.
     * @return the status, or {@code null} when the core does not answer with one (not listening, too
     *         slow, or an HTTP error while it starts or stops).
     * @throws IllegalArgumentException naming the core and what is wrong when it answers with a
     *         document that is not a status.
     */
    CoreStatus status(final int coreId, final String adminUrl, final AdminCredentials credentials)
    {
        final HttpResponse<String> response;
        try
        {
            response = client.send(
                credentials.authorize(HttpRequest.newBuilder(URI.create(adminUrl + "/status")))
                    .timeout(Duration.ofMillis(REQUEST_TIMEOUT_MS)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return null;
        }
        catch (final IOException ex)
        {
            return null;
        }
        return 200 == response.statusCode() ?
            StrictJson.read(response.body(), CoreStatus.class, "core " + coreId + "'s /status") : null;
    }
}
