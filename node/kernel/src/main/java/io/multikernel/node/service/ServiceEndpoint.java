package io.multikernel.node.service;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One path a service answers and the methods it takes there. The admin server answers 404 for a
 * path no endpoint declares and 405 with {@code Allow} for a method the endpoint does not take, so a
 * handler sees only its own paths and methods.
 *
 * @param name     names the endpoint in the admin server's metrics ({@code endpoint="kv"}): lowercase
 *                 letters, digits and '_', at most {@link #NAME_LENGTH_MAX_CHARS}.
 * @param path     the path, such as {@code /kv}: '/'-separated segments of letters, digits, '.', '-'
 *                 and '_', at most {@link #PATH_LENGTH_MAX_CHARS}.
 * @param subpaths true when the paths below it ({@code /kv/KEY}) go to the handler too.
 * @param methods  the HTTP methods the handler takes, anywhere under the path; at least one.
 * @param handler  answers the requests.
 */
public record ServiceEndpoint(String name, String path, boolean subpaths, List<String> methods, ServiceHandler handler)
{
    /** Longest endpoint name; it is a metric label value. */
    public static final int NAME_LENGTH_MAX_CHARS = 32;
    /** Longest endpoint path. */
    public static final int PATH_LENGTH_MAX_CHARS = 64;

    private static final Pattern NAME = Pattern.compile("[a-z0-9_]+");
    private static final Pattern PATH = Pattern.compile("(/[A-Za-z0-9._-]+)+");
    private static final Pattern METHOD = Pattern.compile("[A-Z]+");

    public ServiceEndpoint
    {
        if (null == name || name.length() > NAME_LENGTH_MAX_CHARS || !NAME.matcher(name).matches())
        {
            throw new IllegalArgumentException("endpoint name '" + name + "' is not 1.." + NAME_LENGTH_MAX_CHARS +
                " lowercase letters, digits or '_'");
        }
        if (null == path || path.length() > PATH_LENGTH_MAX_CHARS || !PATH.matcher(path).matches())
        {
            throw new IllegalArgumentException("endpoint " + name + " has path '" + path + "', which is not '/'-separated " +
                "segments of letters, digits, '.', '-' or '_' of at most " + PATH_LENGTH_MAX_CHARS + " characters");
        }
        methods = List.copyOf(methods);
        if (methods.isEmpty() || new HashSet<>(methods).size() != methods.size() ||
            !methods.stream().allMatch(method -> METHOD.matcher(method).matches()))
        {
            throw new IllegalArgumentException("endpoint " + name + " has methods " + methods +
                ", which are not distinct upper-case HTTP methods, at least one");
        }
        Objects.requireNonNull(handler, "handler");
    }

    /**
     * @return an endpoint for exactly {@code path}.
     */
    public static ServiceEndpoint exact(
        final String name, final String path, final ServiceHandler handler, final String... methods)
    {
        return new ServiceEndpoint(name, path, false, List.of(methods), handler);
    }

    /**
     * @return an endpoint for {@code path} and every path below it.
     */
    public static ServiceEndpoint prefix(
        final String name, final String path, final ServiceHandler handler, final String... methods)
    {
        return new ServiceEndpoint(name, path, true, List.of(methods), handler);
    }

    /**
     * @param rawPath a request path as sent, without the query.
     * @return true when this endpoint answers it: the path itself, or one below it when {@link #subpaths}.
     */
    public boolean matches(final String rawPath)
    {
        return null != rawPath && (path.equals(rawPath) ||
            subpaths && rawPath.length() > path.length() && rawPath.startsWith(path) &&
            '/' == rawPath.charAt(path.length()));
    }

    /**
     * @param other another endpoint.
     * @return true when some request path would match both.
     */
    public boolean overlaps(final ServiceEndpoint other)
    {
        return path.equals(other.path) || subpaths && matches(other.path) || other.subpaths && other.matches(path);
    }
}
