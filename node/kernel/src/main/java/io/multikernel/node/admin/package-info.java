/**
 * A core's admin HTTP server: {@link io.multikernel.node.admin.AdminServer} serves {@code /metrics}
 * from the core's registry ({@code io.multikernel.node.core.CoreMetrics} builds it), {@code /health},
 * {@code /status} and {@code /skb} as JSON, and the endpoints the kernel's services declare through
 * {@link io.multikernel.node.service}. It knows no service and no kernel loop: it routes by the
 * paths it is given.
 *
 * <h2>Threads and ownership</h2>
 * The core's agent owns all of the core's state; the admin server's worker threads never read it.
 * Instead the agent <em>publishes</em> immutable snapshots on its own thread and the admin sources
 * return the latest one (see {@link io.multikernel.node.service.JsonSnapshot},
 * {@link io.multikernel.node.service.JsonSource} and {@link io.multikernel.node.service.HealthSource}).
 * A service's handler reaches agent-owned state only through a bounded queue to the agent, and waits
 * for the answer with a bounded timeout. Meters are the other exception: Micrometer counters and
 * timers are thread-safe, the agent updates them and the scrape reads them.
 */
package io.multikernel.node.admin;
