package io.multikernel.node.admin;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import io.multikernel.node.service.ServiceJson;

/**
 * One answer of the admin server before it is written: status, content type, body and the few
 * extra headers some answers need ({@code Allow}, {@code Retry-After}, {@code Connection}).
 *
 * @param status       HTTP status code.
 * @param contentType  value of the {@code Content-Type} header.
 * @param body         the bytes to send; empty for none.
 * @param headers      extra response headers.
 */
record AdminResponse(int status, String contentType, byte[] body, Map<String, String> headers)
{
    static final String JSON_CONTENT_TYPE = "application/json; charset=utf-8";

    static AdminResponse json(final int status, final String json)
    {
        return new AdminResponse(status, JSON_CONTENT_TYPE, json.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    static AdminResponse text(final int status, final String contentType, final String text)
    {
        return new AdminResponse(status, contentType, text.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    /**
     * @param status  a 4xx or 5xx code.
     * @param message one sentence: what failed, the value involved, what to do.
     * @param rawPath the request path; cut to {@link AdminConfiguration#ERROR_PATH_LENGTH_MAX_CHARS}.
     * @return {@code {"error":"...","path":"..."}}.
     */
    static AdminResponse error(final int status, final String message, final String rawPath)
    {
        return error(status, message, rawPath, Map.of());
    }

    static AdminResponse error(
        final int status, final String message, final String rawPath, final Map<String, String> headers)
    {
        final String json = ServiceJson.write(
            new ErrorBody(message, cut(rawPath, AdminConfiguration.ERROR_PATH_LENGTH_MAX_CHARS)));
        return new AdminResponse(status, JSON_CONTENT_TYPE, json.getBytes(StandardCharsets.UTF_8), headers);
    }

    /**
     * @param text      any string from a client or an exception, possibly null.
     * @param maxChars  most characters kept.
     * @return the first line of the text, at most maxChars long, marked with "..." when cut.
     */
    static String cut(final String text, final int maxChars)
    {
        if (null == text)
        {
            return "";
        }
        String line = text;
        final int newline = indexOfLineBreak(line);
        if (newline >= 0)
        {
            line = line.substring(0, newline) + "...";
        }
        return line.length() <= maxChars ? line : line.substring(0, maxChars) + "...";
    }

    private static int indexOfLineBreak(final String text)
    {
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if ('\n' == c || '\r' == c)
            {
                return i;
            }
        }
        return -1;
    }

    /** The body of every error answer. */
    private record ErrorBody(String error, String path)
    {
    }
}
