package io.multikernel.node.service;

import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One health answer: a status word and, when not up, why. {@code GET /health} answers 200 when the
 * status is {@value #UP_STATUS} and 503 otherwise, with a body such as
 * {@code {"status":"down","reason":"media driver gone"}}.
 *
 * @param status a short lowercase word: {@code up}, {@code starting}, {@code down}, {@code stopping},
 *               {@code frozen}, {@code diverged}.
 * @param reason one sentence for operators, or {@code null}.
 */
public record Health(String status, @JsonInclude(JsonInclude.Include.NON_NULL) String reason)
{
    public static final String UP_STATUS = "up";

    /**
     * The core runs, but a peer knows of committed transactions its write-ahead log lost: its
     * replicas lack writes the cluster committed.
     */
    public static final String DIVERGED_STATUS = "diverged";

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
        return ServiceJson.write(this);
    }
}
