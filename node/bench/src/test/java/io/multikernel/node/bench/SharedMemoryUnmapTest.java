package io.multikernel.node.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.SystemNanoClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link SharedMemoryUnmap}, the shared-memory baseline of Fig. 7: plausible latencies, no core uses
 * an entry after its unmap returned (and a shootdown that skips the invalidation is caught), bounded
 * waits that name the core, and no core thread left running.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SharedMemoryUnmapTest
{
    @Test
    void aSmallRunGivesPlausibleRows()
    {
        final List<SharedMemoryUnmap.Row> rows = new SharedMemoryUnmap().run(new int[]{ 2, 4 }, 300, 100);

        assertThat(rows).extracting(SharedMemoryUnmap.Row::cores).containsExactly(2, 4);
        for (final SharedMemoryUnmap.Row row : rows)
        {
            assertThat(row.protocol()).isEqualTo("shared-memory");
            assertThat(row.hosts()).isEqualTo(1);
            assertThat(row.p50Us()).as("p50 at %d cores", row.cores()).isPositive();
            assertThat(row.p99Us()).as("p99 at %d cores", row.cores()).isGreaterThanOrEqualTo(row.p50Us());
        }
        assertNoCoreThreadLeft();
    }

    @Test
    void noCoreUsesAnUnmappedEntryAfterItsUnmapReturned()
    {
        final SharedMemoryUnmap benchmark = new SharedMemoryUnmap();

        benchmark.run(new int[]{ 4 }, 500, 50);

        assertThat(benchmark.lastViolations()).isZero();
        assertThat(benchmark.lastUnmappedPageHits()).as("loads the check looked at").isPositive();
        assertNoCoreThreadLeft();
    }

    @Test
    void aShootdownThatDoesNotInvalidateIsCaught()
    {
        final SharedMemoryUnmap broken = new SharedMemoryUnmap(new SystemNanoClock(),
            SharedMemoryCore.Fault.SKIP_INVALIDATION);

        assertThatThrownBy(() -> broken.run(new int[]{ 3 }, 300, 0)).isInstanceOf(IllegalStateException.class)
            .hasMessageStartingWith("the shootdown on 3 cores is broken: ")
            .hasMessageMatching("(?s).*first: core [12] used its TLB entry for page [0-7] of generation \\d+ after " +
                "unmap round \\d+ had returned.*");
        assertThat(broken.lastViolations()).isPositive();
        assertNoCoreThreadLeft();
    }

    @Test
    void aCoreThatNeverAcknowledgesFailsTheRoundNamingIt()
    {
        final SharedMemoryUnmap deaf = new SharedMemoryUnmap(new SystemNanoClock(), SharedMemoryCore.Fault.IGNORE_IPI);

        assertThatThrownBy(() -> deaf.run(new int[]{ 2 }, 10, 0)).isInstanceOf(IllegalStateException.class)
            .hasMessage("core 1 did not acknowledge unmap round 1 within 1000 ms (it acknowledged 0 last)");
        assertNoCoreThreadLeft();
    }

    @Test
    void badArgumentsNameTheValueAndTheLimits()
    {
        final SharedMemoryUnmap benchmark = new SharedMemoryUnmap();

        assertThatThrownBy(() -> benchmark.run(new int[]{ 2, 65 }, 10, 0)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("cores=65 is outside 2..64");
        assertThatThrownBy(() -> benchmark.run(new int[]{ 1 }, 10, 0)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("cores=1 is outside 2..64");
        assertThatThrownBy(() -> benchmark.run(new int[]{ 2 }, 0, 0)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("iterations=0 is outside 1..1000000");
        assertThatThrownBy(() -> benchmark.run(new int[]{ 2 }, 10, -1)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("warmup=-1 is outside 0..1000000");
        assertThatThrownBy(() -> benchmark.run(new int[0], 10, 0)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("coreCounts.length=0");
    }

    private static void assertNoCoreThreadLeft()
    {
        assertThat(Thread.getAllStackTraces().keySet()).filteredOn(Thread::isAlive)
            .extracting(Thread::getName)
            .noneMatch(name -> name.startsWith(SharedMemoryUnmap.THREAD_NAME_PREFIX));
    }
}
