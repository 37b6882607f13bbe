package io.multikernel.node.vm;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TlbTest
{
    private static Translation page(final long domainId, final long vpage)
    {
        return new Translation(domainId, vpage, 0x10000000L + domainId * 0x100000 + vpage * 4096, 1 + (int)(vpage % 7),
            100 + domainId, 7, vpage * 4096);
    }

    @Test
    void missesThenHitsAfterAFill()
    {
        final Tlb tlb = new Tlb();
        assertThat(tlb.entriesMax()).isEqualTo(Tlb.ENTRIES_MAX_DEFAULT);
        assertThat(tlb.lookup(1, 5)).isEqualTo(Tlb.MISS);

        tlb.fill(page(1, 5));
        final int slot = tlb.lookup(1, 5);

        assertThat(slot).isNotEqualTo(Tlb.MISS);
        assertThat(tlb.physicalAddress(slot)).isEqualTo(page(1, 5).physicalAddress());
        assertThat(tlb.rights(slot)).isEqualTo(page(1, 5).rights());
        assertThat(tlb.frameCapId(slot)).isEqualTo(7);
        assertThat(tlb.frameOffsetBytes(slot)).isEqualTo(5 * 4096);
        assertThat(tlb.lookup(2, 5)).isEqualTo(Tlb.MISS);
        assertThat(tlb.hits()).isEqualTo(1);
        assertThat(tlb.misses()).isEqualTo(2);
        assertThat(tlb.size()).isEqualTo(1);
    }

    @Test
    void aFillOfAHeldPageReplacesIt()
    {
        final Tlb tlb = new Tlb(4);
        tlb.fill(page(1, 5));
        tlb.fill(new Translation(1, 5, 0x5000, 4, 9, 9, 0));

        assertThat(tlb.size()).isEqualTo(1);
        assertThat(tlb.physicalAddress(tlb.lookup(1, 5))).isEqualTo(0x5000);
    }

    @Test
    void evictsByClockGivingUsedEntriesASecondChance()
    {
        final Tlb tlb = new Tlb(2);
        tlb.fill(page(1, 0));
        tlb.fill(page(1, 1));
        tlb.lookup(1, 0);

        tlb.fill(page(1, 2));

        assertThat(tlb.size()).isEqualTo(2);
        assertThat(tlb.evictions()).isEqualTo(1);
        assertThat(tlb.lookup(1, 1)).isEqualTo(Tlb.MISS);
        assertThat(tlb.lookup(1, 0)).isNotEqualTo(Tlb.MISS);
        assertThat(tlb.lookup(1, 2)).isNotEqualTo(Tlb.MISS);
    }

    @Test
    void invalidatesARangeOrADomainAndCountsIt()
    {
        final Tlb tlb = new Tlb(64);
        for (int vpage = 0; vpage < 10; vpage++)
        {
            tlb.fill(page(1, vpage));
            tlb.fill(page(2, vpage));
        }

        assertThat(tlb.invalidate(1, 3, 4)).isEqualTo(4);
        assertThat(tlb.invalidate(1, 3, 4)).isZero();
        assertThat(tlb.invalidate(1, 0, 1000)).isEqualTo(6);
        assertThat(tlb.invalidateDomain(2)).isEqualTo(10);

        assertThat(tlb.invalidations()).isEqualTo(20);
        assertThat(tlb.size()).isZero();
        assertThat(tlb.lookup(2, 0)).isEqualTo(Tlb.MISS);
        assertThatThrownBy(() -> tlb.invalidate(1, 0, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesABadCapacity()
    {
        assertThatThrownBy(() -> new Tlb(0)).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("entriesMax=0 entries is outside 1..1048576 entries");
    }

    @Test
    void agreesWithAMapUnderRandomFillsLookupsAndInvalidations()
    {
        final long seed = Long.getLong("tlb.seed", System.nanoTime());
        final Random random = new Random(seed);
        final Tlb tlb = new Tlb(1 + random.nextInt(40));
        final Map<Long, Translation> latest = new HashMap<>();
        for (int step = 0; step < 20_000; step++)
        {
            final long domainId = random.nextInt(3);
            final long vpage = random.nextInt(64);
            final int action = random.nextInt(10);
            if (action < 4)
            {
                final Translation t = new Translation(domainId, vpage, random.nextInt(1 << 20) * 4096L, 1, 1, 1, 0);
                tlb.fill(t);
                latest.put(domainId * 1000 + vpage, t);
            }
            else if (action < 9)
            {
                final int slot = tlb.lookup(domainId, vpage);
                if (Tlb.MISS != slot)
                {
                    assertThat(tlb.physicalAddress(slot)).as("seed %d step %d", seed, step)
                        .isEqualTo(latest.get(domainId * 1000 + vpage).physicalAddress());
                }
            }
            else
            {
                final int pages = random.nextInt(80);
                tlb.invalidate(domainId, vpage, pages);
                for (long page = vpage; page < vpage + pages; page++)
                {
                    latest.remove(domainId * 1000 + page);
                }
            }
            assertThat(tlb.size()).as("seed %d", seed).isBetween(0, tlb.entriesMax());
        }
        int held = 0;
        for (final long key : latest.keySet())
        {
            held += Tlb.MISS == tlb.lookup(key / 1000, key % 1000) ? 0 : 1;
        }
        assertThat(held).as("seed %d", seed).isEqualTo(tlb.size());
    }
}
