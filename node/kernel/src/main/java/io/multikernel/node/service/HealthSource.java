package io.multikernel.node.service;

/**
 * Says whether the core is healthy, for {@code GET /health}.
 *
 * <p>Called on an admin HTTP worker thread, so, like {@link JsonSource}, it may only read what the
 * core's agent has published: for example an {@code AtomicReference<Health>} the agent sets,
 * or a volatile heartbeat time the agent writes every duty cycle, compared with a deadline.
 */
@FunctionalInterface
public interface HealthSource
{
    /** @return the current health, never {@code null}. An exception is answered 500. */
    Health health();
}
