package io.multikernel.node.service;

import java.util.List;

/**
 * What a kernel service offers over its core's admin HTTP server: views ({@code GET}) and commands
 * ({@code POST}), declared as {@link ServiceEndpoint}s that the server routes by path. The service
 * never sees the server and the server knows no service: the core process hands the server the
 * services it runs.
 *
 * <pre>{@code
 * public List<ServiceEndpoint> endpoints()
 * {
 *     return List.of(ServiceEndpoint.exact("bench_shootdown", "/bench/shootdown", this::run, "POST"));
 * }
 * }</pre>
 *
 * Handlers run on admin worker threads, never on the core's agent: they reach agent-owned state only
 * through a bounded queue to the agent (a proxy) and wait for its answer with a bounded timeout.
 */
public interface ServiceApi
{
    /**
     * @return the service's endpoints; read once when the admin server starts. Their paths must not
     * overlap each other's, another service's or the server's own.
     */
    List<ServiceEndpoint> endpoints();
}
