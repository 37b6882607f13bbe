package io.multikernel.node.cluster;

import java.util.Objects;

/**
 * A UDP address a core's inbox listens on: {@code host:port}, or {@code [ipv6]:port}.
 *
 * @param host host name or IP address, IPv6 without brackets.
 * @param port UDP port, {@link ClusterLimits#PORT_MIN}..{@link ClusterLimits#PORT_MAX}.
 */
public record UdpEndpoint(String host, int port)
{
    /**
     * Checks the invariants; parsers report bad user input before they get here.
     */
    public UdpEndpoint
    {
        Objects.requireNonNull(host, "host");
        if (null != ClusterLimits.addressProblem(host) || null != ClusterLimits.portProblem(port))
        {
            throw new IllegalArgumentException("invalid UDP endpoint host=" + host + " port=" + port);
        }
    }

    /**
     * Parses {@code host:port} or {@code [ipv6]:port}.
     *
     * @param text the endpoint as written in a cluster map.
     * @return the endpoint.
     * @throws IllegalArgumentException with {@link #syntaxProblem(String)} as its message.
     */
    public static UdpEndpoint parse(final String text)
    {
        final String problem = syntaxProblem(text);
        if (null != problem)
        {
            throw new IllegalArgumentException(problem);
        }
        final int colon = text.lastIndexOf(':');
        return new UdpEndpoint(stripBrackets(text.substring(0, colon)), Integer.parseInt(text.substring(colon + 1)));
    }

    /**
     * @param text the endpoint as written in a cluster map.
     * @return null when {@code text} is a valid endpoint, else the problem.
     */
    public static String syntaxProblem(final String text)
    {
        final int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1)
        {
            return "is not host:port";
        }
        final String hostPart = text.substring(0, colon);
        final boolean bracketed = hostPart.startsWith("[") && hostPart.endsWith("]");
        if (!bracketed && hostPart.indexOf(':') >= 0)
        {
            return "is not host:port (write IPv6 addresses as [address]:port)";
        }
        final String hostProblem = ClusterLimits.addressProblem(stripBrackets(hostPart));
        if (null != hostProblem)
        {
            return "has a host that " + hostProblem;
        }
        final String portText = text.substring(colon + 1);
        if (!portText.chars().allMatch(Character::isDigit) || portText.length() > 5)
        {
            return "has a port that is not a number " + ClusterLimits.PORT_MIN + ".." + ClusterLimits.PORT_MAX;
        }
        final String portProblem = ClusterLimits.portProblem(Integer.parseInt(portText));
        return null == portProblem ? null : "has a port that " + portProblem;
    }

    /**
     * @return {@code host:port}, with brackets around an IPv6 host; {@link #parse} reads it back.
     */
    @Override
    public String toString()
    {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    private static String stripBrackets(final String hostPart)
    {
        return hostPart.startsWith("[") && hostPart.endsWith("]") ?
            hostPart.substring(1, hostPart.length() - 1) : hostPart;
    }
}
