package io.multikernel.node.core;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.multikernel.node.membership.MembershipSnapshot;
import io.multikernel.node.membership.PeerState;
import io.multikernel.node.membership.PeerView;
import io.multikernel.node.service.ServiceJson;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Captures /status on the agent's thread (an immutable membership snapshot, a copy of the RTTs) and
 * renders it on the reader's thread when an admin request asks for it (/skb: {@link SkbView}).
 * <pre>
 * /status: {"id","host","pid","incarnation","state","uptime_ms","metrics_url","peers_up","peers_total","peers":[
 *           {"id","state","incarnation","host","last_heard_ms","rtt_us","restarts"}],"reason"}
 * ("reason" only when the state says something is wrong: diverged)
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

    /**
     * @param state  {@code up}, {@code leaving} or {@code diverged}.
     * @param reason why it is not up, or null.
     */
    Supplier<String> status(final MembershipSnapshot snapshot, final String state, final String reason)
    {
        final long uptimeMs = ctx.epochClock().time() - startedEpochMs;
        final List<PeerView> peers = snapshot.peers();
        final long[] rttNs = new long[peers.size()];
        for (int i = 0; i < rttNs.length; i++)
        {
            rttNs[i] = probe.rttNs(peers.get(i).coreId());
        }
        return () -> render(snapshot, state, reason, uptimeMs, rttNs);
    }

    private String render(final MembershipSnapshot snapshot, final String state, final String reason, final long uptimeMs,
        final long[] rttNs)
    {
        final List<PeerView> peers = snapshot.peers();
        final List<PeerStatus> peerStatus = new ArrayList<>(peers.size());
        for (int i = 0; i < peers.size(); i++)
        {
            final PeerView peer = peers.get(i);
            peerStatus.add(new PeerStatus(peer.coreId(), peer.state().name().toLowerCase(Locale.ROOT),
                peer.incarnation(), peer.hostId(),
                peer.lastHeardAgeNs() < 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(peer.lastHeardAgeNs()),
                rttNs[i] < 0 ? -1.0 : rttNs[i] / 1000.0, peer.restarts()));
        }
        return ServiceJson.write(new Status(ctx.coreId(), ctx.core().hostId(), pid, ctx.incarnation(),
            state, uptimeMs, ctx.clusterMap().adminUrl(ctx.coreId()) + "/metrics",
            snapshot.count(PeerState.UP), peers.size(), peerStatus, reason));
    }

    /** {@code /status}. */
    private record Status(
        int id,
        int host,
        long pid,
        long incarnation,
        String state,
        @JsonProperty("uptime_ms") long uptimeMs,
        @JsonProperty("metrics_url") String metricsUrl,
        @JsonProperty("peers_up") int peersUp,
        @JsonProperty("peers_total") int peersTotal,
        List<PeerStatus> peers,
        @JsonInclude(JsonInclude.Include.NON_NULL) String reason)
    {
    }

    /** One peer of {@code /status}: -1 when never heard or not measured. */
    private record PeerStatus(
        int id,
        String state,
        long incarnation,
        int host,
        @JsonProperty("last_heard_ms") long lastHeardMs,
        @JsonProperty("rtt_us") double rttUs,
        long restarts)
    {
    }
}
