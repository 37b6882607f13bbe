package io.multikernel.node.cli;

import com.sun.net.httpserver.HttpServer;
import io.multikernel.node.cluster.ClusterMap;
import io.multikernel.node.cluster.TransportKind;
import io.multikernel.node.launcher.FreePorts;
import io.multikernel.node.launcher.RunDirectory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One core's admin API, faked: a run directory whose cluster map names a single core, and an HTTP
 * server on its admin port that answers each request ({@code "POST /kv"}, {@code "GET /caps?limit=5"})
 * with what the test set, and records what it was sent. A request nobody set is answered 404 with the
 * admin API's error document.
 */
final class FakeCore implements AutoCloseable
{
    private final Map<String, String> answers = new ConcurrentHashMap<>();
    private final Map<String, Integer> statuses = new ConcurrentHashMap<>();
    private final Map<String, String> expectedPids = new ConcurrentHashMap<>();
    private final Map<String, String> requests = new ConcurrentHashMap<>();
    private final List<String> received = new CopyOnWriteArrayList<>();
    private final Map<String, String> authorizations = new ConcurrentHashMap<>();
    private final HttpServer server;
    /** When set, the pid this fake core's process has: a request naming another is refused as a core's is. */
    private volatile String servedAs;
    private volatile Runnable onOtherProcess = () -> { };

    private FakeCore(final HttpServer server)
    {
        this.server = server;
    }

    /**
     * @param runDir where to write the cluster map the CLI finds the core by.
     * @return the core, serving.
     */
    static FakeCore start(final Path runDir) throws IOException
    {
        return start(runDir, 1);
    }

    /**
     * @param runDir where to write the cluster map the CLI finds the core by.
     * @param cores  cores the map lists; core 0 is this one, the others never answer.
     * @return core 0, serving.
     */
    static FakeCore start(final Path runDir, final int cores) throws IOException
    {
        final int adminPort = FreePorts.range(cores);
        ClusterMap.local(cores, 1, TransportKind.IPC, FreePorts.range(cores), adminPort)
            .writeTo(new RunDirectory(runDir).clusterFile());
        final FakeCore core = new FakeCore(
            HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), adminPort), 0));
        core.server.createContext("/", exchange ->
        {
            final String key = exchange.getRequestMethod() + " " + exchange.getRequestURI();
            core.received.add(key);
            final String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            core.authorizations.put(key, null == authorization ? "" : authorization);
            final String expectedPid = exchange.getRequestHeaders().getFirst("X-Mk-Core-Pid");
            core.expectedPids.put(key, null == expectedPid ? "" : expectedPid);
            core.requests.put(key, new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            final String servedAs = core.servedAs;
            final boolean otherProcess = null != servedAs && null != expectedPid && !servedAs.equals(expectedPid);
            if (otherProcess)
            {
                core.onOtherProcess.run();
            }
            final byte[] body = (otherProcess ? "{\"error\":\"" + io.multikernel.node.admin.AdminServer.OTHER_PROCESS_ERROR +
                servedAs + ", not by process " + expectedPid + " that the request is for\",\"path\":\"/\"}" :
                core.answers.getOrDefault(key, "{\"error\":\"no such endpoint\",\"path\":\"/\"}"))
                .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(otherProcess ? 409 :
                core.statuses.getOrDefault(key, core.answers.containsKey(key) ? 200 : 404), body.length);
            try (OutputStream stream = exchange.getResponseBody())
            {
                stream.write(body);
            }
        });
        core.server.start();
        return core;
    }

    /**
     * Answer {@code request} (method, space, path and query) with {@code body}, and the status set for it
     * ({@link #status}), else 200.
     */
    /**
     * @param pid            this fake core's process id from now on.
     * @param onOtherProcess run as a request naming another process is refused.
     */
    void servedAs(final long pid, final Runnable onOtherProcess)
    {
        this.onOtherProcess = onOtherProcess;
        this.servedAs = Long.toString(pid);
    }

    void answer(final String request, final String body)
    {
        answers.put(request, body);
    }

    void answer(final String request, final int status, final String body)
    {
        answer(request, body);
        status(request, status);
    }

    void status(final String request, final int status)
    {
        statuses.put(request, status);
    }

    /** @return the body of the last {@code request} received, or null when there was none. */
    String body(final String request)
    {
        return requests.get(request);
    }

    /**
     * @return the Authorization header of the last {@code request} received, empty when it had none,
     *         or null when there was no such request.
     */
    String authorization(final String request)
    {
        return authorizations.get(request);
    }

    /**
     * @return the process the last {@code request} was meant for (its X-Mk-Core-Pid header), empty
     *         when it named none, or null when there was no such request.
     */
    String expectedPid(final String request)
    {
        return expectedPids.get(request);
    }

    /** @return every request received, in order, as {@code "METHOD /path?query"}. */
    List<String> received()
    {
        return List.copyOf(received);
    }

    @Override
    public void close()
    {
        server.stop(0);
    }
}
