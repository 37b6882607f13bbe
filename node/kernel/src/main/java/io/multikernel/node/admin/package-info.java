/**
 * A core's admin HTTP API and metrics: {@link io.multikernel.node.admin.AdminServer} serves
 * {@code /metrics} from the core's registry ({@code io.multikernel.node.core.CoreMetrics} builds it), and
 * {@code /health}, {@code /status} and {@code /skb} as JSON.
 *
 * <h2>Threads and ownership</h2>
 * The core's agent owns all of the core's state; the admin server's worker threads never read it.
 * Instead the agent <em>publishes</em> immutable snapshots on its own thread and the admin sources
 * return the latest one:
 * <ul>
 *   <li>{@link io.multikernel.node.admin.JsonSnapshot}: the agent renders JSON with a
 *       {@link io.multikernel.node.util.JsonWriter} (for example once a second, or when a peer's
 *       state changes) and calls {@code publish}; readers get the whole latest document.</li>
 *   <li>Or the agent stores an immutable record in a volatile/atomic reference and the
 *       {@link io.multikernel.node.admin.JsonSource} renders it on the HTTP thread, which keeps
 *       JSON allocation off the agent.</li>
 *   <li>Health: an {@code AtomicReference<AdminHealth>} the agent sets, or a heartbeat time the
 *       agent writes each duty cycle that the {@link io.multikernel.node.admin.HealthSource}
 *       compares with a deadline, so a stuck agent turns {@code /health} into 503.</li>
 * </ul>
 * Meters are the other exception: Micrometer counters and timers are thread-safe, the agent
 * updates them and the scrape reads them.
 */
package io.multikernel.node.admin;
