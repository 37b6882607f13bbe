package io.multikernel.node.membership;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
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
}
