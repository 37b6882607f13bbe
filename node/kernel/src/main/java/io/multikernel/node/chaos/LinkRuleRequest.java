package io.multikernel.node.chaos;

import java.util.Arrays;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.multikernel.node.service.ServiceException;
import io.multikernel.node.service.ServiceJson;
import io.multikernel.transport.LinkFaults;

/**
 * {@code POST /chaos/links}: {@code {"peer":2,"direction":"inbound|outbound|both","drop":0.3,"delay_ms":50}},
 * read strictly by {@link ServiceJson} (unknown fields, duplicates, malformed numbers and wrong types
 * are refused there). {@code drop} and {@code delay_ms} default to 0, one of them must be given, and
 * both 0 heal the link.
 *
 * @param peer      the other end of the link: a core of the cluster map other than this one.
 * @param direction inbound (frames from the peer), outbound (frames to it) or both.
 * @param drop      probability that a frame is dropped, 0..1; 1 cuts the link.
 * @param delayMs   how long the other frames are held, 0..{@link LinkFaults#DELAY_MS_MAX} ms.
 */
record LinkRuleRequest(
    @JsonPropertyDescription("a core id, e.g. 2") Integer peer,
    @JsonPropertyDescription("one of inbound, outbound, both") String direction,
    @JsonPropertyDescription("a probability from 0 to 1, e.g. 0.3") Double drop,
    @JsonProperty("delay_ms") @JsonPropertyDescription("a whole number of milliseconds, e.g. 50") Long delayMs)
{
    /** Longest piece of client text echoed in an error. */
    private static final int ECHO_LENGTH_MAX_CHARS = 32;

    /**
     * One direction of a link with its rule, checked.
     *
     * @param peer      the peer core.
     * @param direction which frames.
     * @param drop      0..1.
     * @param delayMs   0..{@link LinkFaults#DELAY_MS_MAX}.
     */
    record Rule(int peer, LinkFaults.Direction direction, double drop, long delayMs)
    {
    }

    /**
     * @param selfCoreId the core asked.
     * @param coreIds    every core of the cluster map, sorted.
     * @return the rules to set: one per direction named.
     * @throws ServiceException 400 with one sentence naming the first bad field.
     */
    List<Rule> rules(final int selfCoreId, final int[] coreIds) throws ServiceException
    {
        if (null == peer)
        {
            throw new ServiceException(400, "peer is missing; name the core at the other end of the link, e.g. " +
                "{\"peer\":2,\"direction\":\"both\",\"drop\":1}");
        }
        checkPeer(peer, selfCoreId, coreIds);
        if (null == direction)
        {
            throw new ServiceException(400, "direction is missing; use inbound, outbound or both");
        }
        final List<LinkFaults.Direction> directions = directions(direction);
        if (null == drop && null == delayMs)
        {
            throw new ServiceException(400, "give drop, delay_ms or both (both 0 heal the link); " +
                "to heal every link use DELETE /chaos/links");
        }
        final double probability = null == drop ? 0.0 : drop;
        if (!(probability >= 0.0 && probability <= 1.0))
        {
            throw new ServiceException(400, "drop=" + probability + " is outside 0..1; it is a probability, 1 cuts the link");
        }
        final long delay = null == delayMs ? 0 : delayMs;
        if (delay < 0 || delay > LinkFaults.DELAY_MS_MAX)
        {
            throw new ServiceException(400, "delay_ms=" + delay + " is outside 0.." + LinkFaults.DELAY_MS_MAX +
                " ms; for a longer outage use drop 1");
        }
        return directions.stream().map(each -> new Rule(peer, each, probability, delay)).toList();
    }

    /**
     * @throws ServiceException 400 unless {@code peer} is a core of the map other than this one.
     */
    static void checkPeer(final int peer, final int selfCoreId, final int[] coreIds) throws ServiceException
    {
        if (peer == selfCoreId)
        {
            throw new ServiceException(400, "peer " + peer + " is this core; name another core of the cluster map " +
                Arrays.toString(coreIds));
        }
        if (Arrays.binarySearch(coreIds, peer) < 0)
        {
            throw new ServiceException(400, "peer " + peer + " is not a core of the cluster map " + Arrays.toString(coreIds));
        }
    }

    private static List<LinkFaults.Direction> directions(final String text) throws ServiceException
    {
        switch (text)
        {
            case "inbound":
                return List.of(LinkFaults.Direction.INBOUND);
            case "outbound":
                return List.of(LinkFaults.Direction.OUTBOUND);
            case "both":
                return List.of(LinkFaults.Direction.INBOUND, LinkFaults.Direction.OUTBOUND);
            default:
                throw new ServiceException(400, "direction '" + ServiceException.echo(text, ECHO_LENGTH_MAX_CHARS) +
                    "' is not inbound, outbound or both");
        }
    }
}
