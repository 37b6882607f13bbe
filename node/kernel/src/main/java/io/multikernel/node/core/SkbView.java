package io.multikernel.node.core;

import io.multikernel.node.service.JsonSource;
import io.multikernel.node.service.ServiceJson;
import io.multikernel.node.skb.RttMatrix;
import io.multikernel.node.skb.Topology;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The SKB as {@code /skb} shows it: an immutable copy of the topology and the RTT matrix that the
 * agent publishes when the matrix changed, rendered to JSON by the admin thread only when someone
 * asks (and then cached). Rendering a 64-core matrix on every core several times a second cost more
 * CPU than everything else an idle cluster does.
 * <pre>
 * {"cores":[{"id","host"}],"rtt_ns":{"&lt;from&gt;":{"&lt;to&gt;":ns}},"fingerprint"}
 * </pre>
 */
final class SkbView
{
    private final int[] coreIds;
    private final int[] hostIds;
    private final long[] rttNs;
    private final long fingerprint;
    private volatile String json;

    private SkbView(final int[] coreIds, final int[] hostIds, final long[] rttNs, final long fingerprint)
    {
        this.coreIds = coreIds;
        this.hostIds = hostIds;
        this.rttNs = rttNs;
        this.fingerprint = fingerprint;
    }

    /**
     * Copy the matrix; called on the agent's thread.
     *
     * @param topology the cores and their hosts.
     * @param matrix   the agent's RTT matrix.
     * @return an immutable view.
     */
    static SkbView of(final Topology topology, final RttMatrix matrix)
    {
        final int n = topology.coreCount();
        final int[] ids = topology.coreIds();
        final int[] hosts = new int[n];
        final long[] rtt = new long[n * n];
        for (int from = 0; from < n; from++)
        {
            hosts[from] = topology.packageOf(ids[from]);
            for (int to = 0; to < n; to++)
            {
                rtt[from * n + to] = matrix.rttNsAt(from, to);
            }
        }
        return new SkbView(ids, hosts, rtt, matrix.fingerprint());
    }

    long fingerprint()
    {
        return fingerprint;
    }

    String json()
    {
        String rendered = json;
        if (null == rendered)
        {
            rendered = render();
            json = rendered;
        }
        return rendered;
    }

    private String render()
    {
        final int n = coreIds.length;
        return ServiceJson.write(json ->
        {
            json.writeStartObject();
            json.writeArrayFieldStart("cores");
            for (int i = 0; i < n; i++)
            {
                json.writeStartObject();
                json.writeNumberField("id", coreIds[i]);
                json.writeNumberField("host", hostIds[i]);
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeObjectFieldStart("rtt_ns");
            for (int from = 0; from < n; from++)
            {
                json.writeObjectFieldStart(Integer.toString(coreIds[from]));
                for (int to = 0; to < n; to++)
                {
                    json.writeNumberField(Integer.toString(coreIds[to]), rttNs[from * n + to]);
                }
                json.writeEndObject();
            }
            json.writeEndObject();
            json.writeStringField("fingerprint", Long.toHexString(fingerprint));
            json.writeEndObject();
        });
    }

    /**
     * The {@code /skb} source: the latest published view.
     */
    static final class Source implements JsonSource
    {
        private final AtomicReference<SkbView> latest = new AtomicReference<>();

        void publish(final SkbView view)
        {
            latest.set(view);
        }

        SkbView latest()
        {
            return latest.get();
        }

        @Override
        public String json()
        {
            final SkbView view = latest.get();
            return null == view ? null : view.json();
        }
    }
}
