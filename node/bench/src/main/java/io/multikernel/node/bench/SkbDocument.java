package io.multikernel.node.bench;

import java.util.List;
import java.util.Map;

/**
 * A core's {@code /skb}: the cores it knows and its RTT matrix.
 * <pre>
 * {"cores":[{"id","host"}],"rtt_ns":{"&lt;from&gt;":{"&lt;to&gt;":ns}},"fingerprint"}
 * </pre>
 *
 * @param cores       every core with its host.
 * @param rttNs       RTT from each core to each core, ns, by core id; negative where not measured yet.
 * @param fingerprint of the matrix, in hex; equal on cores that hold the same matrix.
 */
public record SkbDocument(List<Core> cores, Map<String, Map<String, Long>> rttNs, String fingerprint)
{
    /**
     * @param id   core id.
     * @param host its host (package).
     */
    public record Core(int id, int host)
    {
    }

    /**
     * @return the id of the first core whose row has an entry not measured yet, or null when every
     *         entry is measured.
     */
    public String firstUnmeasuredRow()
    {
        for (final Map.Entry<String, Map<String, Long>> row : rttNs.entrySet())
        {
            if (row.getValue().values().stream().anyMatch(ns -> null == ns || ns < 0))
            {
                return row.getKey();
            }
        }
        return null;
    }
}
