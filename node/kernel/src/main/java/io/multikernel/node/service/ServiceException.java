package io.multikernel.node.service;

import java.util.List;

/**
 * A request a service refused or could not carry out: answered with {@link #status()} and the
 * message as the JSON error, never with a stack trace. A 405 also names the methods the path takes,
 * which the admin server sends as {@code Allow}.
 */
public final class ServiceException extends Exception
{
    private static final long serialVersionUID = 1L;
    private static final int METHOD_ECHO_LENGTH_MAX_CHARS = 16;
    private static final int PATH_ECHO_LENGTH_MAX_CHARS = 64;

    private final int status;
    private final List<String> allowedMethods;

    /**
     * @param status  a 4xx code for a bad request, 5xx when the core could not do it.
     * @param message one sentence: what failed, the value involved, what to do.
     */
    public ServiceException(final int status, final String message)
    {
        this(status, message, List.of());
    }

    private ServiceException(final int status, final String message, final List<String> allowedMethods)
    {
        super(message, null, false, false);
        if (status < 400 || status > 599)
        {
            throw new IllegalArgumentException("status=" + status + " is not an error status (400..599)");
        }
        this.status = status;
        this.allowedMethods = List.copyOf(allowedMethods);
    }

    /**
     * @param method  the method the client used.
     * @param path    the request path.
     * @param allowed the methods the path takes.
     * @return a 405 naming the method, the path and what to use instead.
     */
    public static ServiceException methodNotAllowed(final String method, final String path, final List<String> allowed)
    {
        return new ServiceException(405, "method " + echo(method, METHOD_ECHO_LENGTH_MAX_CHARS) + " is not allowed on " +
            echo(path, PATH_ECHO_LENGTH_MAX_CHARS) + "; use " + orList(allowed), allowed);
    }

    public int status()
    {
        return status;
    }

    /**
     * @return for a 405, the methods the path takes (the {@code Allow} header); otherwise empty.
     */
    public List<String> allowedMethods()
    {
        return allowedMethods;
    }

    /**
     * @return {@code a}, {@code a or b}, {@code a, b or c}.
     */
    static String orList(final List<String> items)
    {
        final int last = items.size() - 1;
        return last <= 0 ? String.join("", items) : String.join(", ", items.subList(0, last)) + " or " + items.get(last);
    }

    /**
     * @param text     text from a client (a key, a parameter), possibly null.
     * @param maxChars most characters kept.
     * @return the text fit for a one-sentence message: control characters replaced by '?', cut and
     * marked with "..." when longer than {@code maxChars}.
     */
    public static String echo(final String text, final int maxChars)
    {
        final String line = null == text ? "" : text.replaceAll("\\p{Cntrl}", "?");
        return line.length() <= maxChars ? line : line.substring(0, maxChars) + "...";
    }
}
