package io.multikernel.node.service;

import java.util.Map;
import java.util.Objects;

/**
 * One request to a {@link ServiceEndpoint}, as the admin server hands it over once it checked the
 * request target's length, the method and the body's length.
 *
 * @param method     the HTTP method, one the endpoint declared.
 * @param path       the request path as sent, without the query and not decoded: a service decodes
 *                   its own path segments, strictly, so that a key is never silently changed.
 * @param parameters the query parameters, percent-decoded as UTF-8, each name at most once.
 * @param body       the request body, empty when none; the admin server bounds its length.
 */
public record ServiceRequest(String method, String path, Map<String, String> parameters, byte[] body)
{
    public ServiceRequest
    {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        parameters = Map.copyOf(parameters);
        Objects.requireNonNull(body, "body");
    }

    /**
     * @return true when the request carries a body.
     */
    public boolean hasBody()
    {
        return body.length > 0;
    }
}
