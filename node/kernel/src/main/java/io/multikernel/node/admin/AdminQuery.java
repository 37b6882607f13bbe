package io.multikernel.node.admin;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import io.multikernel.node.service.ServiceException;

/**
 * Decodes a request's query string ({@code a=1&b=two}) for a service endpoint: each name at
 * most once, at most {@link #PARAMETERS_MAX} of them, percent-encoding decoded as UTF-8.
 */
final class AdminQuery
{
    /** Most parameters one request to a service may carry. */
    static final int PARAMETERS_MAX = 16;

    private AdminQuery()
    {
    }

    /**
     * @param rawQuery the query as sent, not decoded; null or empty for none.
     * @return name to value; a parameter without '=' has the empty value.
     * @throws ServiceException 400 naming the parameter that is malformed or repeated.
     */
    static Map<String, String> parse(final String rawQuery) throws ServiceException
    {
        final Map<String, String> parameters = new HashMap<>();
        if (null == rawQuery || rawQuery.isEmpty())
        {
            return parameters;
        }
        final String[] pairs = rawQuery.split("&", -1);
        if (pairs.length > PARAMETERS_MAX)
        {
            throw new ServiceException(400, pairs.length + " query parameters are more than the limit of " +
                PARAMETERS_MAX);
        }
        for (final String pair : pairs)
        {
            final int equals = pair.indexOf('=');
            final String name = decode(equals < 0 ? pair : pair.substring(0, equals));
            final String value = equals < 0 ? "" : decode(pair.substring(equals + 1));
            if (name.isEmpty())
            {
                throw new ServiceException(400, "query parameter '" + AdminResponse.cut(pair, 32) + "' has no name");
            }
            if (null != parameters.put(name, value))
            {
                throw new ServiceException(400, "query parameter " + AdminResponse.cut(name, 32) + " is given twice");
            }
        }
        return parameters;
    }

    private static String decode(final String text) throws ServiceException
    {
        try
        {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ServiceException(400, "query text '" + AdminResponse.cut(text, 32) + "' is not valid percent-encoding");
        }
    }
}
