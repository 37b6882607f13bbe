package io.multikernel.node.shootdown;

import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Meter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.multikernel.node.skb.RoutingProtocol;
import io.multikernel.node.skb.SendPlan;
import io.multikernel.transport.SendOutcome;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Shootdown's counters as Prometheus scrapes them from the core's registry: names, tags, help text,
 * values, and a fixed set of series.
 */
class ShootdownMetricsTest
{
    private static final long TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private final ShootdownNetwork network = new ShootdownNetwork(ShootdownNetwork.packages(4, 1), TIMEOUT_NS, 2);
    private final SendPlan plan = network.planner.plan(RoutingProtocol.UNICAST, 0, network.allBut(0));

    @Test
    void roundsAndTheirOutcomesAreCountedOnTheInitiator()
    {
        final Shootdown initiator = network.core(0);
        initiator.startRound(plan);
        network.deliverAll();
        final long silent = initiator.startRound(plan);
        network.deliverAll(message -> !message.request() && message.source() == 2);
        network.clock.advance(TIMEOUT_NS);
        initiator.doWork(network.clock.nanoTime());
        initiator.onAck(2, silent, 1);
        final long open = initiator.startRound(plan);
        initiator.startRound(plan);
        initiator.startRound(plan);
        initiator.onAck(1, open, 1);
        initiator.onAck(1, open, 1);
        initiator.onAck(7, open, 1);
        network.inFlight.clear();
        network.clock.advance(TIMEOUT_NS);
        initiator.doWork(network.clock.nanoTime());
        network.nextOutcome = SendOutcome.NOT_CONNECTED;
        initiator.startRound(plan);

        assertThat(scrape(0))
            .contains("mk_shootdown_rounds_started_total 5.0")
            .contains("mk_shootdown_rounds_finished_total{outcome=\"completed\"} 1.0")
            .contains("mk_shootdown_rounds_finished_total{outcome=\"failed\"} 4.0")
            .contains("mk_shootdown_rounds_timed_out_total 3.0")
            .contains("mk_shootdown_rounds_refused_total 1.0")
            .contains("mk_shootdown_requests_sent_total 12.0")
            .contains("mk_shootdown_acks_ignored_total{reason=\"stale\"} 1.0")
            .contains("mk_shootdown_acks_ignored_total{reason=\"duplicate\"} 1.0")
            .contains("mk_shootdown_acks_ignored_total{reason=\"unexpected\"} 1.0")
            .contains("mk_shootdown_acks_miscounted_total 0.0")
            .contains("mk_shootdown_send_failures_total{message=\"request\"} 1.0")
            .contains("mk_shootdown_send_failures_total{message=\"ack\"} 0.0");
        assertThat(initiator.roundsStarted()).isEqualTo(5);
        assertThat(initiator.roundsFailed()).isEqualTo(4);
        assertThat(initiator.sendFailures()).isOne();
    }

    @Test
    void requestsAcksAndRelaysAreCountedOnTheTargets()
    {
        network.core(0).startRound(plan);
        network.deliverAll();
        final Shootdown target = network.core(1);
        target.onRequest(0, 77, 0, 0, 0, 0, new int[]{ 2, 3 }, new int[]{ 2, 0 }, 2);
        target.onRequest(0, 80, 0, 0, 0, 0, new int[]{ 2, 3 }, new int[]{ 0, 0 }, 2);
        target.onRequest(0, 80, 0, 0, 0, 0, new int[]{ 2, 3 }, new int[]{ 0, 0 }, 2);
        network.inFlight.clear();
        network.clock.advance(TIMEOUT_NS);
        target.doWork(network.clock.nanoTime());

        assertThat(scrape(1))
            .contains("mk_shootdown_requests_received_total 4.0")
            .contains("mk_shootdown_requests_ignored_total{reason=\"malformed\"} 1.0")
            .contains("mk_shootdown_requests_ignored_total{reason=\"duplicate\"} 1.0")
            .contains("mk_shootdown_invalidations_total 2.0")
            .contains("mk_shootdown_acks_sent_total 1.0")
            .contains("mk_shootdown_requests_sent_total 2.0")
            .contains("mk_shootdown_relays_expired_total 1.0")
            .contains("mk_shootdown_relays_refused_total 0.0")
            .contains("mk_shootdown_rounds_started_total 0.0");
        assertThat(target.requestsReceived()).isEqualTo(4);
        assertThat(target.relaysExpired()).isOne();
    }

    @Test
    void registersAFixedSetOfSeriesEachWithHelpText()
    {
        final PrometheusMeterRegistry registry = network.registry(0);
        assertThat(registry.getMeters().stream().map(Meter::getId)
            .filter(id -> id.getName().startsWith("mk.shootdown.")))
            .hasSize(ShootdownMetrics.SERIES);
        network.core(0).startRound(plan);
        network.deliverAll();
        assertThat(registry.getMeters().stream().filter(meter -> meter.getId().getName().startsWith("mk.shootdown.")))
            .as("no series appear as rounds run").hasSize(ShootdownMetrics.SERIES);

        final String scrape = scrape(0);
        for (final String name : new String[]{ "rounds_started", "rounds_finished", "rounds_timed_out", "rounds_refused",
            "requests_sent", "requests_received", "requests_ignored", "invalidations", "acks_sent", "acks_ignored",
            "acks_miscounted", "relays_refused", "relays_expired", "send_failures" })
        {
            assertThat(scrape).as(name).containsPattern("# HELP mk_shootdown_" + name + "_total \\S+")
                .contains("# TYPE mk_shootdown_" + name + "_total counter");
        }
    }

    private String scrape(final int coreId)
    {
        return network.registry(coreId).scrape();
    }
}
