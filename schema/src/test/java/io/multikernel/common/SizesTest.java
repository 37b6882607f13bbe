package io.multikernel.common;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SizesTest
{
    @Test
    void parsesSizesAndNamesTheSettingWhenItCannot()
    {
        assertThat(Sizes.parse("x", "65536")).isEqualTo(65536);
        assertThat(Sizes.parse("x", "64k")).isEqualTo(65536);
        assertThat(Sizes.parse("x", " 1M ")).isEqualTo(1 << 20);
        assertThat(Sizes.parse("x", "2g")).isEqualTo(2L << 30);
        assertThatThrownBy(() -> Sizes.parse("mk.urpc.term.length", "big"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("mk.urpc.term.length=big is not a size: expected a number with optional k, m or g suffix");
        assertThatThrownBy(() -> Sizes.parse("x", "-1k")).hasMessageContaining("x=-1k is not a size");
        assertThatThrownBy(() -> Sizes.parse("x", "")).hasMessageContaining("x is empty");
        assertThatThrownBy(() -> Sizes.parse("x", null)).hasMessageContaining("x is empty");
        assertThatThrownBy(() -> Sizes.parse("x", "99999999999999999g"))
            .hasMessage("x=99999999999999999g is too large: at most 9223372036854775807 bytes");
        assertThatThrownBy(() -> Sizes.parse("--bytes", "99999999999999999999"))
            .hasMessage("--bytes=99999999999999999999 is too large: at most 9223372036854775807 bytes");
        assertThatThrownBy(() -> Sizes.parse("x", "1t")).hasMessageContaining("x=1t is not a size");
    }

    @Test
    void propertiesFallBackToTheirDefaultAndNameThemselvesWhenBad()
    {
        final String name = "mk.test.sizes.property";
        try
        {
            assertThat(Sizes.intProperty(name, 4096)).isEqualTo(4096);
            assertThat(Sizes.longProperty(name, 8L << 30)).isEqualTo(8L << 30);
            System.setProperty(name, "2m");
            assertThat(Sizes.intProperty(name, 4096)).isEqualTo(2 << 20);
            System.setProperty(name, "lots");
            assertThatThrownBy(() -> Sizes.intProperty(name, 4096))
                .hasMessage(name + "=lots is not a size: expected a number with optional k, m or g suffix");
        }
        finally
        {
            System.clearProperty(name);
        }
    }

    @Test
    void anIntSizeMustFitAnInt()
    {
        assertThat(Sizes.parseInt("--term-length", "1g")).isEqualTo(1 << 30);
        assertThatThrownBy(() -> Sizes.parseInt("--term-length", "4g"))
            .hasMessage("--term-length=4294967296 bytes is outside 0..2147483647 bytes");
    }
}
