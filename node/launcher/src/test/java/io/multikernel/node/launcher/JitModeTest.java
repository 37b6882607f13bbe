package io.multikernel.node.launcher;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The compiler choices of a cluster's cores and the JVM options each stands for.
 */
class JitModeTest
{
    @Test
    void eachModeParsesFromItsNameInAnyCaseAndSelectsItsCompilers()
    {
        assertThat(JitMode.parse("c1")).isSameAs(JitMode.C1);
        assertThat(JitMode.parse(" Tiered ")).isSameAs(JitMode.TIERED);
        assertThat(JitMode.C1.jvmArgs()).containsExactly("-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1");
        assertThat(JitMode.TIERED.jvmArgs()).as("the JVM's own default").isEmpty();
        assertThat(JitMode.C1.cliName()).isEqualTo("c1");
    }

    @Test
    void anUnknownModeIsOneSentenceNamingTheChoices()
    {
        assertThatThrownBy(() -> JitMode.parse("c2")).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("jit=c2 is unknown: use tiered or c1");
        assertThatThrownBy(() -> JitMode.parse(null)).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("jit=null is unknown: use tiered or c1");
    }
}
