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

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.multikernel.node.admin.AdminServer;
import io.multikernel.node.cluster.ClusterMap;
import io.multikernel.node.launcher.AdminCredentials;
import io.multikernel.node.launcher.AdminError;
import io.multikernel.node.launcher.ClusterStatus;
import io.multikernel.node.launcher.RunDirectory;
import io.multikernel.node.launcher.StrictJson;

/**
 * A CLI command's view of one core's admin API, found through the run directory's cluster map the
 * way {@code mk status} finds it, with the cluster's admin token when there is a secret
 * ({@link AdminCredentials}).
 */
final class AdminClient
{
    /** How long a command waits to connect to a core's admin API. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    /** How long a command waits for an answer: longer than the core's own admin timeout (5 s). */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);

    /**
     * One answer. Each endpoint answers its own document, or an {@link AdminError} when the request
     * failed, so the body is kept as a tree until the command says which record it expects.
     *
     * @param status HTTP status.
     * @param body   the JSON object answered.
     * @param raw    the body as sent.
     * @param source what answered what, for errors: {@code core 0's answer to GET /2pc}.
     */
    record Reply(int status, ObjectNode body, String raw, String source)
    {
        /**
         * @return whether the core answered an {@link AdminError}.
         */
        boolean isError()
        {
            return body.has("error");
        }

        /**
         * @return the core's sentence on why the request failed.
         * @throws IllegalArgumentException when the body is not an {@link AdminError}.
         */
        String error()
        {
            return as(AdminError.class).error();
        }

        /**
         * @param type the record this endpoint answers.
         * @param <T>  its type.
         * @return the body as that record.
         * @throws IllegalArgumentException with one sentence when the body is not exactly a {@code type}.
         */
        <T> T as(final Class<T> type)
        {
            return StrictJson.convert(body, type, source);
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
    private final int coreId;
    private final String baseUrl;
    private final AdminCredentials credentials;
    /** The core's process as the run directory recorded it, or -1: sent so no other process answers for it. */
    private long expectedPid;
    /** Where that record is, to read it again after a restart; null when no process is named. */
    private final RunDirectory runDirectory;

    /** The cluster map, for commands that name other cores than the one they talk to. */
    private final ClusterMap map;

    /** @return the cluster map the client found in the run directory. */
    ClusterMap map()
    {
        return map;
    }

    private AdminClient(final ClusterMap map, final int coreId, final AdminCredentials credentials, final long expectedPid,
        final RunDirectory runDirectory)
    {
        this.runDirectory = runDirectory;
        this.map = map;
        this.coreId = coreId;
        this.baseUrl = map.adminUrl(coreId);
        this.credentials = credentials;
        this.expectedPid = expectedPid;
    }

    /**
     * @param runDir the --run-dir flag, or null.
     * @param coreId the core to talk to.
     * @throws IllegalStateException when there is no cluster or no such core, or the cluster secret
     *         cannot be used.
     */
    static AdminClient of(final Path runDir, final int coreId)
    {
        return create(runDir, coreId, false);
    }

    /**
     * {@link #of} for one command: its requests name the process {@code mk up} recorded for the core
     * ({@code X-Mk-Core-Pid}), so another process that holds the port of a core that died refuses
     * them. Not for a client that outlives a restart of the core (the demo, chaos workloads): the
     * new process would refuse it.
     */
    /** A core the cluster map does not list: the command named a wrong core, a usage error. */
    static final class UnknownCoreException extends IllegalStateException
    {
        UnknownCoreException(final String message)
        {
            super(message);
        }
    }

    static AdminClient ofRecordedCore(final Path runDir, final int coreId)
    {
        return create(runDir, coreId, true);
    }

    private static AdminClient create(final Path runDir, final int coreId, final boolean nameRecordedProcess)
    {
        final RunDirectory runDirectory = RunDirectory.resolve(runDir);
        final ClusterMap map = ClusterStatus.map(runDirectory);
        if (!map.hasCore(coreId))
        {
            throw new UnknownCoreException(map.missingCore(coreId));
        }
        final long expectedPid = !nameRecordedProcess ? -1 : recordedPid(runDirectory, coreId);
        return new AdminClient(map, coreId, AdminCredentials.of(runDirectory), expectedPid,
            nameRecordedProcess ? runDirectory : null);
    }

    private static long recordedPid(final RunDirectory runDirectory, final int coreId)
    {
        return runDirectory.processes().stream()
            .filter(entry -> "core".equals(entry.kind()) && entry.id() == coreId)
            .mapToLong(RunDirectory.Entry::pid).findFirst().orElse(-1);
    }

    /**
     * @param id a core id.
     * @return one sentence when the cluster map has no such core, else null.
     */
    String unknownCore(final int id)
    {
        return map.missingCore(id);
    }

    static String encode(final String pathSegment)
    {
        return URLEncoder.encode(pathSegment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    Reply get(final String path) throws InterruptedException
    {
        return send(HttpRequest.newBuilder(URI.create(baseUrl + path)).GET(), "GET " + path);
    }

    /**
     * @param path    the endpoint.
     * @param request a record, sent as its JSON.
     */
    Reply post(final String path, final Object request) throws InterruptedException
    {
        return send(HttpRequest.newBuilder(URI.create(baseUrl + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(StrictJson.write(request), StandardCharsets.UTF_8)), "POST " + path);
    }

    Reply delete(final String path) throws InterruptedException
    {
        return send(HttpRequest.newBuilder(URI.create(baseUrl + path)).DELETE(), "DELETE " + path);
    }

    /**
     * Sends once, and once more when the core's process refused it as meant for another process and
     * the run directory now records a new one for the core: the core was restarted after this command
     * read the record (the refusal changed nothing).
     */
    private Reply send(final HttpRequest.Builder request, final String what) throws InterruptedException
    {
        final Reply reply = sendOnce(request, what);
        if (409 == reply.status() && null != runDirectory && reply.raw().contains(AdminServer.OTHER_PROCESS_ERROR))
        {
            final long recorded = recordedPid(runDirectory, coreId);
            if (recorded > 0 && recorded != expectedPid)
            {
                expectedPid = recorded;
                return sendOnce(request, what);
            }
        }
        return reply;
    }

    private Reply sendOnce(final HttpRequest.Builder request, final String what) throws InterruptedException
    {
        final HttpResponse<String> response;
        try
        {
            if (expectedPid > 0)
            {
                if (io.multikernel.node.launcher.ProcessUsage.isStopped(expectedPid))
                {
                    // Its kernel would accept the connection and the request would wait out the whole timeout.
                    throw new IllegalStateException("core " + coreId + " (pid " + expectedPid + ") is stopped by a " +
                        "signal (SIGSTOP, or a debugger) and cannot answer until it continues (kill -CONT " +
                        expectedPid + ")");
                }
                request.setHeader(AdminServer.EXPECTED_PID_HEADER, Long.toString(expectedPid));
            }
            response = http.send(credentials.authorize(request).timeout(REQUEST_TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofString());
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("core " + coreId + "'s admin API at " + baseUrl + " did not answer (" +
                (null == ex.getMessage() ? ex.getClass().getSimpleName() : ex.getMessage()) +
                "); is the core up? see mk status", ex);
        }
        final String source = "core " + coreId + "'s answer (HTTP " + response.statusCode() + ") to " + what;
        return new Reply(response.statusCode(), StrictJson.readObject(response.body(), source), response.body(), source);
    }

    int coreId()
    {
        return coreId;
    }
}
