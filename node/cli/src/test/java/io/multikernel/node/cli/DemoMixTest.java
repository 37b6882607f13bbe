package io.multikernel.node.cli;

import org.junit.jupiter.api.Test;

import java.util.EnumMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DemoMixTest
{
    @Test
    void theDefaultMixGivesEachOperationItsShareOfTheRolls()
    {
        final DemoMix mix = DemoMix.parse(DemoMix.DEFAULT);
        final EnumMap<DemoOperation, Integer> rolls = new EnumMap<>(DemoOperation.class);
        for (int roll = 0; roll < DemoMix.PERCENT_TOTAL; roll++)
        {
            rolls.merge(mix.pick(roll), 1, Integer::sum);
        }
        for (final DemoOperation operation : DemoOperation.values())
        {
            assertThat(rolls.getOrDefault(operation, 0)).as(operation.key()).isEqualTo(mix.percent(operation));
        }
        assertThat(mix.percent(DemoOperation.LOAD)).isEqualTo(50);
        assertThat(mix.toString()).isEqualTo(DemoMix.DEFAULT);
    }

    @Test
    void keysMayComeInAnyOrderWithSpacesAndUnnamedOnesHaveNoShare()
    {
        final DemoMix mix = DemoMix.parse(" unmap=30 , map=30,load=40");
        assertThat(mix.percent(DemoOperation.STORE)).isZero();
        assertThat(mix.pick(0)).isEqualTo(DemoOperation.LOAD);
        assertThat(mix.pick(39)).isEqualTo(DemoOperation.LOAD);
        assertThat(mix.pick(40)).isEqualTo(DemoOperation.MAP);
        assertThat(mix.pick(99)).isEqualTo(DemoOperation.UNMAP);
        assertThat(mix.toString()).isEqualTo("load=40,map=30,unmap=30");
    }

    @Test
    void badMixesAreRefusedWithOneSentence()
    {
        assertThatThrownBy(() -> DemoMix.parse("")).hasMessageContaining("--mix is empty");
        assertThatThrownBy(() -> DemoMix.parse("load=50,fly=50")).hasMessage(
            "--mix key 'fly' is unknown: use load, store, map, unmap, protect, span, shrink, retype, revoke");
        assertThatThrownBy(() -> DemoMix.parse("load=50,store=49")).hasMessage("--mix percentages add up to 99, not 100");
        assertThatThrownBy(() -> DemoMix.parse("load=101")).hasMessageContaining("load=101 is not a whole percentage 0..100");
        assertThatThrownBy(() -> DemoMix.parse("load=fifty")).hasMessageContaining("load=fifty is not a whole percentage");
        assertThatThrownBy(() -> DemoMix.parse("load=50,,store=50")).hasMessageContaining("entry '' is not key=percent");
        assertThatThrownBy(() -> DemoMix.parse("load=50,load=50")).hasMessage("--mix names load twice");
        assertThatThrownBy(() -> DemoMix.parse("load=100").pick(100)).hasMessageContaining("roll=100 is outside 0..99");
    }
}
