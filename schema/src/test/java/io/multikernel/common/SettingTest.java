package io.multikernel.common;

import java.util.concurrent.TimeUnit;

import org.agrona.SystemUtil;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SettingTest
{
    @Test
    void sizesAreWrittenInTheLargestWholeUnit()
    {
        assertThat(Setting.size(256 * 1024)).isEqualTo("256k");
        assertThat(Setting.size(64L * 1024 * 1024)).isEqualTo("64m");
        assertThat(Setting.size(1024L * 1024 * 1024)).isEqualTo("1g");
        assertThat(Setting.size(1536)).isEqualTo("1536");
        assertThat(Setting.size(1000)).isEqualTo("1000");
        assertThat(Setting.size(0)).isEqualTo("0");
    }

    @Test
    void durationsAreWrittenInTheLargestWholeUnit()
    {
        assertThat(Setting.duration(TimeUnit.SECONDS.toNanos(10))).isEqualTo("10s");
        assertThat(Setting.duration(TimeUnit.MILLISECONDS.toNanos(1500))).isEqualTo("1500ms");
        assertThat(Setting.duration(TimeUnit.MICROSECONDS.toNanos(50))).isEqualTo("50us");
        assertThat(Setting.duration(7)).isEqualTo("7ns");
        assertThat(Setting.duration(0)).isEqualTo("0");
    }

    @Test
    void whatIsWrittenParsesBackToTheSameValue()
    {
        for (final long bytes : new long[]{ 0, 1000, 64 * 1024, 2L * 1024 * 1024, 1024L * 1024 * 1024 })
        {
            assertThat(SystemUtil.parseSize("size", Setting.size(bytes))).isEqualTo(bytes);
        }
        for (final long ns : new long[]{ 0, 7, 50_000, 2_000_000, 1_000_000_000 })
        {
            assertThat(SystemUtil.parseDuration("duration", Setting.duration(ns))).isEqualTo(ns);
        }
    }

    @Test
    void millisecondAndMicrosecondPropertiesKeepFractions()
    {
        assertThat(Setting.milliseconds(TimeUnit.MILLISECONDS.toNanos(250))).isEqualTo("250");
        assertThat(Setting.milliseconds(1_500_000)).isEqualTo("1.5");
        assertThat(Setting.microseconds(TimeUnit.MILLISECONDS.toNanos(10))).isEqualTo("10000");
    }

    @Test
    void aDerivedSettingHasNoCurrentValue()
    {
        final Setting derived = Setting.derived("mk.some.path", "beside the jar", "Where it is.");
        assertThat(derived.isDerived()).isTrue();
        assertThat(new Setting("mk.some.count", "8", "How many.", () -> "8").isDerived()).isFalse();
    }

    @Test
    void refusesNamesOutsideTheProjectAndMeaningsOfMoreThanOneLine()
    {
        assertThatThrownBy(() -> new Setting("aeron.dir", "x", "Where.", () -> "x"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("aeron.dir");
        assertThatThrownBy(() -> new Setting("mk.a.b", "x", "One.\nTwo.", () -> "x"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mk.a.b");
    }
}
