package io.multikernel.node.shootdown;

import java.util.Map;
import java.util.Set;

import io.multikernel.node.skb.RoutingProtocol;

/**
 * What {@code POST /bench/shootdown} asks for: a protocol, measured rounds and warmup rounds.
 *
 * @param protocol the routing protocol.
 * @param rounds   measured rounds, 1..{@link #ROUNDS_MAX}.
 * @param warmup   rounds run first and not measured, 0..{@link #ROUNDS_MAX}.
 */
public record ShootdownBenchRequest(RoutingProtocol protocol, int rounds, int warmup)
{
    /** Most measured (and most warmup) rounds one request may ask for. */
    public static final int ROUNDS_MAX = 1_000_000;
    /** Measured rounds when the request does not say. */
    public static final int ROUNDS_DEFAULT = 1_000;
    /** Warmup rounds when the request does not say. */
    public static final int WARMUP_DEFAULT = 100;

    private static final Set<String> NAMES = Set.of("protocol", "rounds", "warmup");

    /**
     * @param parameters decoded query parameters.
     * @return the request.
     * @throws IllegalArgumentException one sentence naming the bad parameter and what is allowed.
     */
    public static ShootdownBenchRequest parse(final Map<String, String> parameters)
    {
        for (final String name : parameters.keySet())
        {
            if (!NAMES.contains(name))
            {
                throw new IllegalArgumentException("parameter " + cut(name) + " is unknown; use protocol, rounds, warmup");
            }
        }
        final String protocolName = parameters.get("protocol");
        if (null == protocolName || protocolName.isEmpty())
        {
            throw new IllegalArgumentException("parameter protocol is required: unicast, broadcast, multicast or topo");
        }
        final RoutingProtocol protocol = RoutingProtocol.fromCliName(cut(protocolName));
        final int rounds = number(parameters, "rounds", ROUNDS_DEFAULT, 1);
        final int warmup = number(parameters, "warmup", WARMUP_DEFAULT, 0);
        return new ShootdownBenchRequest(protocol, rounds, warmup);
    }

    private static int number(final Map<String, String> parameters, final String name, final int otherwise, final int min)
    {
        final String text = parameters.get(name);
        if (null == text)
        {
            return otherwise;
        }
        final long value;
        try
        {
            value = Long.parseLong(text.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(name + "=" + cut(text) + " is not a whole number");
        }
        if (value < min || value > ROUNDS_MAX)
        {
            throw new IllegalArgumentException(name + "=" + value + " is outside " + min + ".." + ROUNDS_MAX);
        }
        return (int)value;
    }

    private static String cut(final String text)
    {
        return text.length() <= 32 ? text : text.substring(0, 32) + "...";
    }
}
