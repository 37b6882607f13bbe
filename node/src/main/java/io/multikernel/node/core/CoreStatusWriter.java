package io.multikernel.node.core;

import io.multikernel.node.membership.MembershipSnapshot;
import io.multikernel.node.membership.PeerState;
import io.multikernel.node.membership.PeerView;
import io.multikernel.node.skb.RttMatrix;
import io.multikernel.node.skb.Topology;
import io.multikernel.node.util.JsonWriter;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Renders the documents the admin API serves, on the agent's thread, from state the agent owns.
 * <pre>
 * /status: {"id","host","pid","incarnation","state","uptime_ms","metrics_url","peers_up","peers":[
 *           {"id","state","incarnation","host","last_heard_ms","rtt_us","restarts"}]}
 * /skb:    {"cores":[{"id","host"}],"rtt_ns":{"&lt;from&gt;":{"&lt;to&gt;":ns}},"fingerprint"}
 * </pre>
 */
final class CoreStatusWriter
{
    private final CoreContext ctx;
    private final Topology topology;
    private final RttMatrix matrix;
    private final RttProbe probe;
    private final long pid = ProcessHandle.current().pid();
    private final long startedEpochMs;

    CoreStatusWriter(final CoreContext ctx, final Topology topology, final RttMatrix matrix, final RttProbe probe)
    {
        this.ctx = ctx;
        this.topology = topology;
        this.matrix = matrix;
        this.probe = probe;
        this.startedEpochMs = ctx.epochClock().time();
    }

    String status(final MembershipSnapshot snapshot, final boolean leaving)
    {
        final JsonWriter json = new JsonWriter().beginObject()
            .field("id", ctx.coreId())
            .field("host", ctx.core().hostId())
            .field("pid", pid)
            .field("incarnation", ctx.incarnation())
            .field("state", leaving ? "leaving" : "up")
            .field("uptime_ms", ctx.epochClock().time() - startedEpochMs)
            .field("metrics_url", ctx.clusterMap().adminUrl(ctx.coreId()) + "/metrics")
            .field("peers_up", snapshot.count(PeerState.UP))
            .field("peers_total", snapshot.peers().size());
        json.name("peers").beginArray();
        for (final PeerView peer : snapshot.peers())
        {
            final long rttNs = probe.smoothedNs(peer.coreId());
            json.beginObject()
                .field("id", peer.coreId())
                .field("state", peer.state().name().toLowerCase(Locale.ROOT))
                .field("incarnation", peer.incarnation())
                .field("host", peer.hostId())
                .field("last_heard_ms", peer.lastHeardAgeNs() < 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(peer.lastHeardAgeNs()))
                .field("rtt_us", rttNs < 0 ? -1.0 : rttNs / 1000.0)
                .field("restarts", peer.restarts())
                .endObject();
        }
        return json.endArray().endObject().toString();
    }

    String skb()
    {
        final JsonWriter json = new JsonWriter().beginObject();
        json.name("cores").beginArray();
        for (int index = 0; index < topology.coreCount(); index++)
        {
            final int core = topology.coreId(index);
            json.beginObject().field("id", core).field("host", topology.packageOf(core)).endObject();
        }
        json.endArray().name("rtt_ns").beginObject();
        for (int from = 0; from < topology.coreCount(); from++)
        {
            json.name(Integer.toString(topology.coreId(from))).beginObject();
            for (int to = 0; to < topology.coreCount(); to++)
            {
                json.field(Integer.toString(topology.coreId(to)), matrix.rttNsAt(from, to));
            }
            json.endObject();
        }
        return json.endObject().field("fingerprint", Long.toHexString(matrix.fingerprint())).endObject().toString();
    }
}
