package io.multikernel.node.util;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Three bounds a decade from 10 us to 10 s, so that a quantile read from them is within a factor of 2.5. */
class LatencyBucketsTest
{
    @Test
    void boundsAreOneTwoAndFiveInEveryDecadeFromTenMicrosecondsToTenSeconds()
    {
        final Duration[] bounds = LatencyBuckets.bounds();

        assertThat(bounds).hasSize(19);
        assertThat(bounds[0]).isEqualTo(Duration.ofNanos(10_000));
        assertThat(bounds[1]).isEqualTo(Duration.ofNanos(20_000));
        assertThat(bounds[2]).isEqualTo(Duration.ofNanos(50_000));
        assertThat(bounds[bounds.length - 1]).isEqualTo(Duration.ofSeconds(10));
        for (int i = 1; i < bounds.length; i++)
        {
            final double ratio = (double)bounds[i].toNanos() / bounds[i - 1].toNanos();
            assertThat(ratio).as("bound %d over bound %d", i, i - 1).isGreaterThan(1.0).isLessThanOrEqualTo(2.5);
        }
    }

    @Test
    void aThirtyMillisecondSampleLandsInTheFiftyMillisecondBucketNotTheHundred()
    {
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        final Timer timer = Timer.builder("t").serviceLevelObjectives(LatencyBuckets.bounds()).register(registry);
        timer.record(30, TimeUnit.MILLISECONDS);

        final var counts = timer.takeSnapshot().histogramCounts();
        final double firstHoldingIt = Arrays.stream(counts).filter(c -> c.count() > 0)
            .mapToDouble(c -> c.bucket(TimeUnit.MILLISECONDS)).min().orElseThrow();
        assertThat(firstHoldingIt).isEqualTo(50.0);
    }
}
