package io.multikernel.node.membership;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.multikernel.node.admin.PrometheusLint;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

/**
 * Membership's series as Prometheus scrapes them: names, tags, values, bounded cardinality.
 */
class MembershipMetricsTest
{
    private static final long MS_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Membership membership = new Membership(new Membership.Context()
        .selfCoreId(0)
        .peerCoreIds(1, 2, 3)
        .heartbeatIntervalNs(100 * MS_NS)
        .suspectTimeoutNs(500 * MS_NS)
        .downTimeoutNs(2000 * MS_NS)
        .helloRetryIntervalNs(250 * MS_NS)
        .sender(new RecordingSender())
        .meterRegistry(registry));

    @Test
    void exposesPeersByStateTransitionsAndRestarts()
    {
        long nowNs = 0;
        membership.doWork(nowNs);
        membership.onHello(1, 10, 0, true, nowNs);
        membership.onHello(2, 20, 0, true, nowNs);
        membership.onGoodbye(3, 30, nowNs);
        nowNs += 600 * MS_NS;
        membership.onHeard(2, 20, nowNs);
        membership.doWork(nowNs);
        membership.onHeard(2, 21, nowNs);

        final String scrape = registry.scrape();

        assertThat(scrape)
            .contains("mk_membership_peers{state=\"up\"} 1.0")
            .contains("mk_membership_peers{state=\"suspect\"} 1.0")
            .contains("mk_membership_peers{state=\"left\"} 1.0")
            .contains("mk_membership_peers{state=\"unknown\"} 0.0")
            .contains("mk_membership_peers{state=\"down\"} 0.0")
            .contains("mk_membership_transitions_total{from=\"unknown\",to=\"up\"} 2.0")
            .contains("mk_membership_transitions_total{from=\"unknown\",to=\"left\"} 1.0")
            .contains("mk_membership_transitions_total{from=\"up\",to=\"suspect\"} 1.0")
            .contains("mk_membership_transitions_total{from=\"down\",to=\"up\"} 0.0")
            .contains("mk_membership_peer_restarts_total 1.0")
            .contains("mk_membership_send_failures_total{message=\"heartbeat\"} 0.0")
            .contains("mk_membership_ignored_total{reason=\"stale_incarnation\"} 0.0");
        assertThat(membership.count(PeerState.UP)).isEqualTo(1);
    }

    @Test
    void registersAFixedSetOfSeries()
    {
        final long transitions = registry.getMeters().stream()
            .filter(meter -> meter.getId().getName().equals("mk.membership.transitions")).count();
        long legal = 0;
        for (final PeerState from : PeerState.values())
        {
            for (final PeerState to : PeerState.values())
            {
                legal += from.canMoveTo(to) ? 1 : 0;
            }
        }

        assertThat(transitions).isEqualTo(legal).isEqualTo(11);
        assertThat(registry.find("mk.membership.peers").gauges()).hasSize(PeerState.values().length);
        assertThat(registry.get("mk.membership.peers").tag("state", "unknown").gauge().value()).isEqualTo(3);
    }

    @Test
    void exposesEachPeersStateAndItsIncarnationOnceKnown()
    {
        assertThat(registry.find("mk.membership.peer.incarnation").gauges()).as("no incarnation known yet").isEmpty();
        assertThat(registry.find("mk.membership.peer.state").gauges()).hasSize(3);

        long nowNs = 0;
        membership.doWork(nowNs);
        membership.onHello(1, 10, 0, true, nowNs);
        membership.onHello(2, 20, 0, true, nowNs);
        nowNs += 600 * MS_NS;
        membership.onHeard(1, 10, nowNs);
        membership.doWork(nowNs);

        assertThat(registry.scrape())
            .contains("mk_membership_peer_state{peer=\"1\"} 1.0")
            .contains("mk_membership_peer_state{peer=\"2\"} 2.0")
            .contains("mk_membership_peer_state{peer=\"3\"} 0.0")
            .contains("mk_membership_peer_incarnation{peer=\"1\"} 10.0")
            .contains("mk_membership_peer_incarnation{peer=\"2\"} 20.0")
            .doesNotContain("mk_membership_peer_incarnation{peer=\"3\"}");

        nowNs += 2000 * MS_NS;
        membership.doWork(nowNs);
        membership.onHeard(2, 21, nowNs);
        membership.onGoodbye(3, 30, nowNs);

        assertThat(registry.get("mk.membership.peer.state").tag("peer", "1").gauge().value())
            .as("down").isEqualTo(PeerState.DOWN.ordinal()).isEqualTo(3);
        assertThat(registry.get("mk.membership.peer.state").tag("peer", "2").gauge().value())
            .as("up again, restarted").isEqualTo(1);
        assertThat(registry.get("mk.membership.peer.state").tag("peer", "3").gauge().value())
            .as("left").isEqualTo(4);
        assertThat(registry.get("mk.membership.peer.incarnation").tag("peer", "2").gauge().value()).isEqualTo(21);
        assertThat(registry.get("mk.membership.peer.incarnation").tag("peer", "3").gauge().value()).isEqualTo(30);
        assertThat(registry.find("mk.membership.peer.incarnation").gauges()).as("one series per peer").hasSize(3);
        assertThat(PrometheusLint.problems(registry.scrape())).isEmpty();
    }
}
