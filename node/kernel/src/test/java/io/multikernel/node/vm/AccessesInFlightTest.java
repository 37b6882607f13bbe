package io.multikernel.node.vm;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AccessesInFlightTest
{
    private static final long DOMAIN = 7;
    private static final long OTHER = 8;

    private final AccessesInFlight accesses = new AccessesInFlight();

    @Test
    void aDropWaitsForTheAccessesStartedBeforeItOnly()
    {
        final long first = accesses.start(DOMAIN);
        final long second = accesses.start(DOMAIN);
        final long barrier = accesses.barrier();
        final long later = accesses.start(DOMAIN);
        assertThat(accesses.count(DOMAIN)).isEqualTo(3);
        assertThat(accesses.drained(DOMAIN, barrier)).isFalse();

        accesses.finish(DOMAIN, second);
        assertThat(accesses.drained(DOMAIN, barrier)).isFalse();
        accesses.finish(DOMAIN, first);
        assertThat(accesses.drained(DOMAIN, barrier)).as("only the later access is in flight").isTrue();
        assertThat(accesses.count(DOMAIN)).isEqualTo(1);

        final long next = accesses.barrier();
        assertThat(accesses.drained(DOMAIN, next)).isFalse();
        accesses.finish(DOMAIN, later);
        assertThat(accesses.drained(DOMAIN, next)).isTrue();
        assertThat(accesses.count(DOMAIN)).isZero();
    }

    @Test
    void domainsAreCountedApart()
    {
        final long other = accesses.start(OTHER);
        final long barrier = accesses.barrier();
        assertThat(accesses.drained(DOMAIN, barrier)).isTrue();
        assertThat(accesses.drained(OTHER, barrier)).isFalse();
        accesses.finish(OTHER, other);
        assertThat(accesses.drained(OTHER, barrier)).isTrue();
    }

    @Test
    void accessesEndInAnyOrderAcrossManyDrops()
    {
        final long[] started = new long[20];
        final long[] barriers = new long[20];
        for (int i = 0; i < started.length; i++)
        {
            started[i] = accesses.start(DOMAIN);
            barriers[i] = accesses.barrier();
        }
        // The odd ones first, then the even ones: barrier b waits for accesses 0..b.
        for (int i = 1; i < started.length; i += 2)
        {
            accesses.finish(DOMAIN, started[i]);
            assertThat(accesses.drained(DOMAIN, barriers[i])).as("access 0 is in flight").isFalse();
        }
        for (int i = 0; i < started.length; i += 2)
        {
            accesses.finish(DOMAIN, started[i]);
            for (int b = 0; b < barriers.length; b++)
            {
                assertThat(accesses.drained(DOMAIN, barriers[b])).as("barrier %d after access %d ended", b, i)
                    .isEqualTo(b <= i + 1);
            }
        }
        assertThat(accesses.count(DOMAIN)).isZero();
        accesses.finish(DOMAIN, started[0]);
        assertThat(accesses.count(DOMAIN)).as("an unknown end changes nothing").isZero();
    }
}
