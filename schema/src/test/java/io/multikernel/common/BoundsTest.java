package io.multikernel.common;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BoundsTest
{
    @Test
    void acceptsBothBoundsAndReturnsTheValue()
    {
        assertThat(Bounds.check("port", 0, 0, 65_535)).isZero();
        assertThat(Bounds.check("port", 65_535, 0, 65_535)).isEqualTo(65_535);
        assertThat(Bounds.check("timeoutMs", 5_000L, 1L, 60_000L, "ms")).isEqualTo(5_000L);
    }

    @Test
    void namesTheValueBothBoundsAndTheUnitOnce()
    {
        assertThatThrownBy(() -> Bounds.check("timeoutMs", 0L, 1L, 60_000L, "ms"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("timeoutMs=0 ms is outside 1..60000 ms");
        assertThatThrownBy(() -> Bounds.check("threadCount", 65, 1, 64))
            .hasMessage("threadCount=65 is outside 1..64");
    }

    @Test
    void powersOfTwoAreCheckedInsideTheirRange()
    {
        assertThat(Bounds.checkPowerOfTwo("termLength", 65_536, 65_536, 1 << 30, "bytes")).isEqualTo(65_536);
        assertThatThrownBy(() -> Bounds.checkPowerOfTwo("termLength", 100_000, 65_536, 1 << 30, "bytes"))
            .hasMessage("termLength=100000 bytes is not a power of two");
        assertThatThrownBy(() -> Bounds.checkPowerOfTwo("termLength", 1_000, 65_536, 1 << 30, "bytes"))
            .hasMessage("termLength=1000 bytes is outside 65536..1073741824 bytes");
    }

    @Test
    void emptyBoundsAreAProgrammerError()
    {
        assertThatThrownBy(() -> Bounds.check("x", 1, 5, 4)).isInstanceOf(IllegalStateException.class);
    }
}
