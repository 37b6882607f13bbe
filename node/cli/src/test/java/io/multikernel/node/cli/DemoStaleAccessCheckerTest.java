package io.multikernel.node.cli;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The stale-access checker over synthetic events: it flags exactly the loads issued after an unmap
 * returned that read the unmapped mapping's tag.
 */
class DemoStaleAccessCheckerTest
{
    private static final long VA = 0x40_0000L;
    private static final long DOMAIN = 1099511627777L;
    private static final long M1 = 1099511627778L;
    private static final long M2 = 1099511627790L;

    private final DemoStaleAccessChecker checker = new DemoStaleAccessChecker();

    @Test
    void aLoadIssuedAfterTheUnmapReturnedThatReadsItsTagIsStale()
    {
        checker.onLoad(1, DOMAIN, VA, 1_000, M1);
        checker.onUnmapReturned(M1, 5_000);
        checker.onLoad(2, DOMAIN, VA, 7_500, M1);

        final List<DemoStaleAccessChecker.StaleAccess> stale = checker.check();
        assertThat(stale).containsExactly(new DemoStaleAccessChecker.StaleAccess(2, DOMAIN, VA, 7_500, M1, 5_000));
        assertThat(stale.get(0).describe(500)).isEqualTo("core 2 at +0.000007 s loaded 0x400000 of domain " + DOMAIN +
            " and read the tag of mapping " + M1 + ", unmapped 2.5 us earlier");
    }

    @Test
    void theTagOfAPageMappedAgainIsNotStale()
    {
        checker.onUnmapReturned(M1, 5_000);
        // The same page mapped again as M2: a later load reads M2's tag.
        checker.onLoad(3, DOMAIN, VA, 9_000, M2);
        assertThat(checker.check()).isEmpty();
    }

    @Test
    void aLoadIssuedBeforeTheUnmapReturnedIsNotStaleEvenIfAnsweredAfter()
    {
        checker.onLoad(0, DOMAIN, VA, 4_999, M1);
        checker.onLoad(1, DOMAIN, VA, 5_000, M1);
        checker.onUnmapReturned(M1, 5_000);
        assertThat(checker.check()).isEmpty();
        assertThat(checker.loads()).isEqualTo(2);
    }

    @Test
    void issueAndReturnTimesCompareByDifference()
    {
        final long nearWrap = Long.MAX_VALUE - 10;
        checker.onUnmapReturned(M1, nearWrap);
        checker.onUnmapReturned(M2, 100);
        checker.onLoad(0, DOMAIN, VA, nearWrap + 20, M1);
        checker.onLoad(1, DOMAIN, VA + 4096, 300, M2);
        assertThat(checker.check()).extracting(DemoStaleAccessChecker.StaleAccess::core).containsExactlyInAnyOrder(0, 1);
    }

    @Test
    void aMappingUnmappedTwiceIsABrokenInvariant()
    {
        checker.onUnmapReturned(M1, 5_000);
        assertThatThrownBy(() -> checker.onUnmapReturned(M1, 6_000)).hasMessageContaining("unmapped twice");
    }
}
