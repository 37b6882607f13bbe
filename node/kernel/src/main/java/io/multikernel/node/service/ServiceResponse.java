package io.multikernel.node.service;

import java.util.Objects;

/**
 * A service's answer: a status and a complete JSON document. Refusals without a document of their
 * own are thrown as {@link ServiceException} instead, and the admin server renders them as
 * {@code {"error":"...","path":"..."}}.
 *
 * @param status an HTTP status, 200..599.
 * @param json   the body, a complete JSON document.
 */
public record ServiceResponse(int status, String json)
{
    public ServiceResponse
    {
        if (status < 200 || status > 599)
        {
            throw new IllegalArgumentException("status=" + status + " is outside 200..599");
        }
        Objects.requireNonNull(json, "json");
    }

    /**
     * @param json a complete JSON document.
     * @return a 200 answer.
     */
    public static ServiceResponse ok(final String json)
    {
        return new ServiceResponse(200, json);
    }
}
