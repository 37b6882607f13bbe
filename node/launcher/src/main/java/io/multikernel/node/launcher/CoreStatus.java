package io.multikernel.node.launcher;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A core's {@code /status} document, as its admin API answers it and {@link StrictJson} reads it.
 * <pre>
 * {"id","host","pid","incarnation","state","uptime_ms","metrics_url","peers_up","peers_total","peers":[
 *   {"id","state","incarnation","host","last_heard_ms","rtt_us","restarts"}],"reason"}
 * </pre>
 *
 * @param id          the core's id.
 * @param host        the host (package) it runs on.
 * @param pid         its process id.
 * @param incarnation its incarnation.
 * @param state       {@code up}, {@code leaving} while it stops, or {@code diverged} when a peer knows of
 *                    committed transactions its write-ahead log lost.
 * @param uptimeMs    since it started, ms.
 * @param metricsUrl  where Prometheus scrapes it.
 * @param peersUp     peers it sees up.
 * @param peersTotal  peers it has.
 * @param peers       what it knows of each peer.
 * @param reason      why its state is not up, when it says (diverged), else null.
 */
public record CoreStatus(int id, int host, long pid, long incarnation, String state, long uptimeMs, String metricsUrl,
    int peersUp, int peersTotal, List<Peer> peers, @JsonInclude(JsonInclude.Include.NON_NULL) String reason)
{
    /**
     * One peer as the core sees it.
     *
     * @param id          the peer's core id.
     * @param state       unknown, up, suspect, down or left (membership's peer states, in lower case).
     * @param incarnation the peer's incarnation as last heard.
     * @param host        the peer's host.
     * @param lastHeardMs since the core last heard from it, ms; -1 if never.
     * @param rttUs       the minimum of recent RTT probes to it, us; -1 if none measured.
     * @param restarts    new incarnations of it seen.
     */
    public record Peer(int id, String state, long incarnation, int host, long lastHeardMs, double rttUs, long restarts)
    {
    }

    /**
     * @param coreId a peer's core id.
     * @return that peer's view.
     * @throws IllegalArgumentException when the core lists no such peer.
     */
    public Peer peer(final int coreId)
    {
        return peers.stream().filter(p -> p.id() == coreId).findFirst().orElseThrow(() ->
            new IllegalArgumentException("core " + id + " lists no peer " + coreId + " in its /status"));
    }

    /**
     * @return the median of its RTTs to the peers it sees up (each the minimum of recent probes) in
     *         microseconds, or -1 when none is measured: the RTT last measured to a peer that is now
     *         suspect or down says nothing of the link today.
     */
    public double medianPeerRttUs()
    {
        final double[] rtts = peers.stream().filter(p -> "up".equals(p.state())).mapToDouble(Peer::rttUs)
            .filter(v -> v >= 0).sorted().toArray();
        return 0 == rtts.length ? -1 : rtts[rtts.length / 2];
    }
}
