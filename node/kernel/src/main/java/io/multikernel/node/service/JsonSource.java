package io.multikernel.node.service;

/**
 * Supplies one JSON document for a read-only admin endpoint such as {@code /status} or {@code /skb}.
 *
 * <p>Called on an admin HTTP worker thread, never on the core's agent. An implementation must
 * therefore not read agent-owned state: it returns something the agent has already published, such
 * as the latest string in a {@link JsonSnapshot}, or renders an immutable snapshot object the agent
 * handed over through a volatile reference. It should return quickly and must not block on the agent.
 */
@FunctionalInterface
public interface JsonSource
{
    /**
     * @return a complete JSON document, or {@code null} when nothing has been published yet (the
     * endpoint then answers 503). An exception is answered 500 with a one-line message.
     */
    String json();
}
