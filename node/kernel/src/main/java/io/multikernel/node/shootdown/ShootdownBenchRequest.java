package io.multikernel.node.shootdown;

import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.multikernel.common.Bounds;
import io.multikernel.node.service.ServiceException;
import io.multikernel.node.service.ServiceJson;
import io.multikernel.node.service.ServiceRequest;
import io.multikernel.node.skb.RoutingProtocol;

/**
 * What {@code POST /bench/shootdown} asks for: a protocol, measured rounds and warmup rounds. A
 * client gives them either as a JSON body, {@code {"protocol":"topo","rounds":1000,"warmup":100}},
 * read strictly ({@link ServiceJson}), or as query parameters,
 * {@code ?protocol=topo&rounds=1000&warmup=100}, whose numbers are held to the same rules.
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
    private static final String PROTOCOLS = "unicast, broadcast, multicast or topo";
    private static final int ECHO_LENGTH_MAX_CHARS = 32;

    /**
     * The request as a JSON body; absent fields take their defaults.
     *
     * @param protocol a protocol's name.
     * @param rounds   measured rounds.
     * @param warmup   warmup rounds.
     */
    public record Body(
        @JsonPropertyDescription("one of " + PROTOCOLS) String protocol,
        @JsonPropertyDescription("a whole number of rounds, 1.." + ROUNDS_MAX) Long rounds,
        @JsonPropertyDescription("a whole number of rounds, 0.." + ROUNDS_MAX) Long warmup)
    {
    }

    /**
     * @param request a request to {@code POST /bench/shootdown}.
     * @return what it asks for, from its JSON body or, without one, its query parameters.
     * @throws ServiceException 400 naming the bad field or parameter.
     */
    public static ShootdownBenchRequest of(final ServiceRequest request) throws ServiceException
    {
        try
        {
            if (!request.hasBody())
            {
                return parse(request.parameters());
            }
            if (!request.parameters().isEmpty())
            {
                throw new ServiceException(400, "give the run either as a JSON body or as query parameters, not both");
            }
            final Body body = ServiceJson.read(request.body(), Body.class);
            return of("field", body.protocol(), body.rounds(), body.warmup());
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ServiceException(400, ex.getMessage());
        }
    }

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
        return of("parameter", parameters.get("protocol"), number(parameters, "rounds"), number(parameters, "warmup"));
    }

    private static ShootdownBenchRequest of(final String noun, final String protocolName, final Long rounds,
        final Long warmup)
    {
        if (null == protocolName || protocolName.isEmpty())
        {
            throw new IllegalArgumentException(noun + " protocol is required: " + PROTOCOLS);
        }
        final RoutingProtocol protocol = RoutingProtocol.fromCliName(cut(protocolName));
        return new ShootdownBenchRequest(protocol,
            null == rounds ? ROUNDS_DEFAULT : (int)Bounds.check("rounds", rounds, 1, ROUNDS_MAX),
            null == warmup ? WARMUP_DEFAULT : (int)Bounds.check("warmup", warmup, 0, ROUNDS_MAX));
    }

    private static Long number(final Map<String, String> parameters, final String name)
    {
        final String text = parameters.get(name);
        if (null == text)
        {
            return null;
        }
        final OptionalLong value = ServiceJson.wholeNumber(text);
        if (value.isEmpty())
        {
            throw new IllegalArgumentException(name + "=" + cut(text) + " is not a whole number");
        }
        return value.getAsLong();
    }

    private static String cut(final String text)
    {
        return text.length() <= ECHO_LENGTH_MAX_CHARS ? text : text.substring(0, ECHO_LENGTH_MAX_CHARS) + "...";
    }
}
