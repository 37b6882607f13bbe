package io.multikernel.common;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static io.multikernel.common.PeerIncarnations.CURRENT;
import static io.multikernel.common.PeerIncarnations.NEWER;
import static io.multikernel.common.PeerIncarnations.NOT_A_PEER;
import static io.multikernel.common.PeerIncarnations.STALE;
import static io.multikernel.common.PeerIncarnations.UNKNOWN_INCARNATION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PeerIncarnationsTest
{
    private final List<String> heard = new ArrayList<>();

    @Test
    void incarnationsOnlyGrowAndOlderOnesAreStale()
    {
        final PeerIncarnations table = PeerIncarnations.of(2, 5);
        table.addListener((coreId, oldIncarnation, newIncarnation) ->
            heard.add(coreId + ":" + oldIncarnation + "->" + newIncarnation));

        assertThat(table.incarnation(2)).isEqualTo(UNKNOWN_INCARNATION);
        assertThat(table.observe(2, 10)).isEqualTo(NEWER);
        assertThat(table.observe(2, 10)).isEqualTo(CURRENT);
        assertThat(table.observe(2, 9)).isEqualTo(STALE);
        assertThat(table.observe(2, 11)).isEqualTo(NEWER);
        assertThat(table.incarnation(2)).isEqualTo(11);
        assertThat(table.incarnation(5)).isEqualTo(UNKNOWN_INCARNATION);
        assertThat(heard).containsExactly("2:" + UNKNOWN_INCARNATION + "->10", "2:10->11");
    }

    @Test
    void onlyPeersAreObserved()
    {
        final PeerIncarnations table = PeerIncarnations.of(2, 5);
        assertThat(table.observe(3, 1)).isEqualTo(NOT_A_PEER);
        assertThat(table.observe(6, 1)).isEqualTo(NOT_A_PEER);
        assertThat(table.observe(-1, 1)).isEqualTo(NOT_A_PEER);
        assertThat(table.incarnation(3)).isEqualTo(UNKNOWN_INCARNATION);
        assertThat(table.isPeer(5)).isTrue();
        assertThat(table.isPeer(4)).isFalse();
        assertThatThrownBy(() -> PeerIncarnations.of(1, 70_000)).hasMessage("peer coreId=70000 is outside 0..65535");
    }

    @Test
    void aTableOfAnyCoreGrowsUpToTheLargestCoreId()
    {
        final PeerIncarnations table = PeerIncarnations.ofAnyCore();
        assertThat(table.observe(7, 3)).isEqualTo(NEWER);
        assertThat(table.observe(PeerIncarnations.CORE_ID_MAX, 4)).isEqualTo(NEWER);
        assertThat(table.observe(PeerIncarnations.CORE_ID_MAX + 1, 4)).isEqualTo(NOT_A_PEER);
        assertThat(table.incarnation(7)).isEqualTo(3);
        assertThat(table.incarnation(8)).isEqualTo(UNKNOWN_INCARNATION);
    }

    @Test
    void listenersHearInTheOrderTheyCameAndCanLeave()
    {
        final PeerIncarnations table = PeerIncarnations.of(1);
        final PeerIncarnations.IncarnationListener first = (c, o, n) -> heard.add("first " + n);
        table.addListener(first);
        table.addListener((c, o, n) -> heard.add("second " + n));
        table.observe(1, 1);
        table.removeListener(first);
        table.observe(1, 2);

        assertThat(heard).containsExactly("first 1", "second 1", "second 2");
        for (int i = 1; i < PeerIncarnations.LISTENERS_MAX; i++)
        {
            table.addListener((c, o, n) -> { });
        }
        assertThatThrownBy(() -> table.addListener((c, o, n) -> { }))
            .hasMessage("LISTENERS_MAX=8 listeners already listen");
    }
}
