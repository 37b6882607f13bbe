package io.multikernel.transport;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.multikernel.schema.HeartbeatDecoder;
import io.multikernel.schema.PingDecoder;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Per-message counts are the agent's plain counts until {@link UrpcMetrics#publish()}; scrapes then
 * see them exactly. Rare counts are visible at once.
 */
class UrpcMetricsTest
{
    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final UrpcMetrics metrics = new UrpcMetrics(registry);

    @Test
    void messageCountsReachScrapesExactlyAtPublish()
    {
        metrics.nameType(PingDecoder.TEMPLATE_ID, "ping");
        for (int i = 0; i < 1000; i++)
        {
            metrics.onReceived(PingDecoder.TEMPLATE_ID, 100);
            metrics.onSent(PingDecoder.TEMPLATE_ID, 90);
        }
        // The agent sees its own counts at once; scrapes see nothing yet.
        assertThat(metrics.receivedCount(PingDecoder.TEMPLATE_ID)).isEqualTo(1000);
        assertThat(metrics.sentBytes(PingDecoder.TEMPLATE_ID)).isEqualTo(90_000);
        assertThat(scrape("mk.urpc.messages.received", "ping")).isZero();

        assertThat(metrics.publish()).isEqualTo(2);
        assertThat(scrape("mk.urpc.messages.received", "ping")).isEqualTo(1000);
        assertThat(scrape("mk.urpc.received", "ping")).isEqualTo(100_000);
        assertThat(scrape("mk.urpc.messages.sent", "ping")).isEqualTo(1000);
        assertThat(scrape("mk.urpc.sent", "ping")).isEqualTo(90_000);

        metrics.onReceived(PingDecoder.TEMPLATE_ID, 100);
        assertThat(metrics.publish()).isEqualTo(1);
        assertThat(scrape("mk.urpc.messages.received", "ping")).isEqualTo(1001);
        assertThat(scrape("mk.urpc.messages.sent", "ping")).isEqualTo(1000);
    }

    @Test
    void publishingWithNothingNewCostsNothingAndChangesNothing()
    {
        metrics.onReceived(HeartbeatDecoder.TEMPLATE_ID, 40);
        metrics.publish();
        assertThat(metrics.publish()).isZero();
        assertThat(scrape("mk.urpc.messages.received", "template_" + HeartbeatDecoder.TEMPLATE_ID)).isEqualTo(1);
    }

    @Test
    void rareCountsAreVisibleWithoutPublish()
    {
        metrics.onRejected(RejectReason.TRUNCATED);
        metrics.onSendFailed(SendOutcome.NOT_CONNECTED);
        metrics.onSendFailed(SendOutcome.BACK_PRESSURED, 5);
        metrics.onBackPressure();
        assertThat(registry.get("mk.urpc.rejected").tag("reason", RejectReason.TRUNCATED.metricTag())
            .functionCounter().count()).isEqualTo(1);
        assertThat(registry.get("mk.urpc.send.failures").tag("reason", SendOutcome.BACK_PRESSURED.metricTag())
            .functionCounter().count()).isEqualTo(5);
        assertThat(registry.get("mk.urpc.back.pressure.events").functionCounter().count()).isEqualTo(1);
        assertThat(metrics.sendFailureCount(SendOutcome.NOT_CONNECTED)).isEqualTo(1);
        assertThat(metrics.backPressureCount()).isEqualTo(1);
    }

    @Test
    void aScrapeOnAnotherThreadSeesEveryPublishedCount() throws Exception
    {
        metrics.nameType(PingDecoder.TEMPLATE_ID, "ping");
        final int rounds = 2000;
        final AtomicLong lastSeen = new AtomicLong();
        final Thread scraper = new Thread(() ->
        {
            long previous = 0;
            while (previous < rounds)
            {
                final long seen = (long)scrape("mk.urpc.messages.received", "ping");
                // Published counts only grow.
                assertThat(seen).isGreaterThanOrEqualTo(previous);
                previous = seen;
            }
            lastSeen.set(previous);
        });
        metrics.onReceived(PingDecoder.TEMPLATE_ID, 1);
        metrics.publish();
        scraper.start();
        for (int i = 1; i < rounds; i++)
        {
            metrics.onReceived(PingDecoder.TEMPLATE_ID, 1);
            metrics.publish();
        }
        scraper.join(20_000);
        assertThat(scraper.isAlive()).isFalse();
        assertThat(lastSeen.get()).isEqualTo(rounds);
    }

    private double scrape(final String name, final String type)
    {
        final FunctionCounter counter = registry.find(name).tag("type", type).functionCounter();
        return null == counter ? 0 : counter.count();
    }
}
