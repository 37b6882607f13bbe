package io.multikernel.node.bench;

import io.multikernel.node.launcher.AdminCredentials;
import io.multikernel.node.launcher.StrictJson;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Waits until an initiator's SKB holds a complete RTT matrix: every core's row merged, every entry
 * measured. Only the initiator plans (its requests carry the plan), so its matrix is the one that
 * matters; the cores keep re-measuring, so matrices of different cores agree only between updates
 * and are not waited for.
 */
final class SkbWait
{
    /** SKB_CONVERGENCE_TIMEOUT_MS: longest wait for the matrix. */
    static final long SKB_CONVERGENCE_TIMEOUT_MS = 60_000;
    /** POLL_INTERVAL_MS: between two looks at {@code /skb}. */
    static final long POLL_INTERVAL_MS = 250;

    private SkbWait()
    {
    }

    /**
     * @param client      for the admin API.
     * @param credentials what the cluster's admin API asks of a client.
     * @param adminPort   the initiator's admin port (core 0's).
     * @throws IllegalStateException naming what was still missing when the time ran out.
     */
    static void awaitComplete(final HttpClient client, final AdminCredentials credentials, final int adminPort)
        throws InterruptedException
    {
        final long deadlineMs = System.currentTimeMillis() + SKB_CONVERGENCE_TIMEOUT_MS;
        String lastProblem = "core 0 did not answer";
        while (System.currentTimeMillis() < deadlineMs)
        {
            lastProblem = problem(client, credentials, adminPort);
            if (null == lastProblem)
            {
                return;
            }
            Thread.sleep(POLL_INTERVAL_MS);
        }
        throw new IllegalStateException("core 0's SKB did not hold a complete RTT matrix within " +
            SKB_CONVERGENCE_TIMEOUT_MS + " ms: " + lastProblem);
    }

    /**
     * @return what keeps core 0's SKB from being complete, or null when it is.
     * @throws IllegalArgumentException when core 0 answers with a document that is not an SKB: waiting
     *         longer would not change it.
     */
    private static String problem(final HttpClient client, final AdminCredentials credentials, final int adminPort)
        throws InterruptedException
    {
        final HttpResponse<String> response;
        try
        {
            response = client.send(credentials.authorize(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + adminPort + "/skb"))).timeout(Duration.ofSeconds(2)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        }
        catch (final IOException ex)
        {
            return "core 0 did not answer /skb: " + ex.getMessage();
        }
        if (200 != response.statusCode())
        {
            return "core 0 answered /skb with " + response.statusCode();
        }
        final String unmeasured = StrictJson.read(response.body(), SkbDocument.class, "core 0's /skb").firstUnmeasuredRow();
        return null == unmeasured ? null : "the row of core " + unmeasured + " has unmeasured entries";
    }
}
