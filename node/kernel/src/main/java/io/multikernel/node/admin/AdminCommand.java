package io.multikernel.node.admin;

import java.util.Map;

/**
 * An action a client asks a core to take through the admin server ({@code POST}), as opposed to
 * the published snapshots the GET endpoints serve. Called on an admin HTTP worker thread: an
 * implementation hands the work to the core's agent through a bounded queue and may wait, bounded,
 * for the answer; it never touches agent-owned state itself.
 */
@FunctionalInterface
public interface AdminCommand
{
    /**
     * @param parameters the request's query parameters, decoded; each name at most once.
     * @return the answer, a complete JSON document (sent with 200).
     * @throws AdminCommandException with the status and one-sentence message to answer instead.
     */
    String run(Map<String, String> parameters) throws AdminCommandException;
}
