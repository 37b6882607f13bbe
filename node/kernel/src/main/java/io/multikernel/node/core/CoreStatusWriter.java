package io.multikernel.node.core;

import io.multikernel.node.membership.MembershipSnapshot;
import io.multikernel.node.membership.PeerState;
import io.multikernel.node.membership.PeerView;
import io.multikernel.node.util.JsonWriter;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Captures /status on the agent's thread (an immutable membership snapshot, a copy of the RTTs) and
 * renders it on the reader's thread when an admin request asks for it (/skb: {@link SkbView}).
 * <pre>
 * /status: {"id","host","pid","incarnation","state","uptime_ms","metrics_url","peers_up","peers":[
 *           {"id","state","incarnation","host","last_heard_ms","rtt_us","restarts"}]}
 * </pre>
 */
final class CoreStatusWriter
{
    private final CoreContext ctx;
    private final RttProbe probe;
    private final long pid = ProcessHandle.current().pid();
    private final long startedEpochMs;

    CoreStatusWriter(final CoreContext ctx, final RttProbe probe)
    {
        this.ctx = ctx;
        this.probe = probe;
        this.startedEpochMs = ctx.epochClock().time();
    }

    Supplier<String> status(final MembershipSnapshot snapshot, final boolean leaving)
    {
        final long uptimeMs = ctx.epochClock().time() - startedEpochMs;
        final List<PeerView> peers = snapshot.peers();
        final long[] rttNs = new long[peers.size()];
        for (int i = 0; i < rttNs.length; i++)
        {
            rttNs[i] = probe.rttNs(peers.get(i).coreId());
        }
        return () -> render(snapshot, leaving, uptimeMs, rttNs);
    }

    private String render(final MembershipSnapshot snapshot, final boolean leaving, final long uptimeMs, final long[] rttNs)
    {
        final JsonWriter json = new JsonWriter().beginObject()
            .field("id", ctx.coreId())
            .field("host", ctx.core().hostId())
            .field("pid", pid)
            .field("incarnation", ctx.incarnation())
            .field("state", leaving ? "leaving" : "up")
            .field("uptime_ms", uptimeMs)
            .field("metrics_url", ctx.clusterMap().adminUrl(ctx.coreId()) + "/metrics")
            .field("peers_up", snapshot.count(PeerState.UP))
            .field("peers_total", snapshot.peers().size());
        json.name("peers").beginArray();
        final List<PeerView> peers = snapshot.peers();
        for (int i = 0; i < peers.size(); i++)
        {
            final PeerView peer = peers.get(i);
            json.beginObject()
                .field("id", peer.coreId())
                .field("state", peer.state().name().toLowerCase(Locale.ROOT))
                .field("incarnation", peer.incarnation())
                .field("host", peer.hostId())
                .field("last_heard_ms", peer.lastHeardAgeNs() < 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(peer.lastHeardAgeNs()))
                .field("rtt_us", rttNs[i] < 0 ? -1.0 : rttNs[i] / 1000.0)
                .field("restarts", peer.restarts())
                .endObject();
        }
        return json.endArray().endObject().toString();
    }
}
