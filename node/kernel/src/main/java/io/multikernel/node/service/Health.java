package io.multikernel.node.service;

import java.util.Objects;

import io.multikernel.node.util.JsonWriter;

/**
 * One health answer: a status word and, when not up, why. {@code GET /health} answers 200 when the
 * status is {@value #UP_STATUS} and 503 otherwise, with a body such as
 * {@code {"status":"down","reason":"media driver gone"}}.
 *
 * @param status a short lowercase word: {@code up}, {@code starting}, {@code down}, {@code stopping}.
 * @param reason one sentence for operators, or {@code null}.
 */
public record Health(String status, String reason)
{
    public static final String UP_STATUS = "up";

    /** The core is serving. */
    public static final Health UP = new Health(UP_STATUS, null);

    public Health
    {
        Objects.requireNonNull(status, "status");
        if (status.isBlank())
        {
            throw new IllegalArgumentException("status is blank");
        }
    }

    /**
     * @param reason one sentence for operators.
     * @return a health answer whose status is {@code down}.
     */
    public static Health down(final String reason)
    {
        return new Health("down", reason);
    }

    /** @return true when the endpoint should answer 200. */
    public boolean isUp()
    {
        return UP_STATUS.equals(status);
    }

    /** @return the body of {@code GET /health}. */
    public String toJson()
    {
        final JsonWriter json = new JsonWriter().beginObject().field("status", status);
        if (null != reason)
        {
            json.field("reason", reason);
        }
        return json.endObject().toString();
    }
}
