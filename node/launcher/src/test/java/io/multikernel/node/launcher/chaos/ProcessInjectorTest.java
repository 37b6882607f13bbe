package io.multikernel.node.launcher.chaos;

import io.multikernel.node.launcher.RunDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Kill and pause need the core processes {@code mk up} records: without them (a docker-compose
 * cluster's run directory) the injector offers nothing and refuses them in one sentence; a kind it
 * never makes is refused naming the kinds it does.
 */
class ProcessInjectorTest
{
    @TempDir
    Path runDir;

    @Test
    void withoutRecordedCoresKillAndPauseAreNotOfferedAndAreRefused()
    {
        final ProcessInjector injector = new ProcessInjector(new RunDirectory(runDir));
        assertThat(injector.available()).isEmpty();
        assertThatThrownBy(() -> injector.prepare(List.of(ChaosFault.Kind.KILL)))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("kill faults need the cores' processes, which only mk up records")
            .hasMessageContaining("partition, lossy and slow");
    }

    @Test
    void aKindItNeverMakesIsRefusedNamingTheKindsItDoes()
    {
        final ProcessInjector injector = new ProcessInjector(new RunDirectory(runDir));
        assertThatThrownBy(() -> injector.prepare(List.of(ChaosFault.Kind.PAUSE, ChaosFault.Kind.SLOW)))
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("slow faults are not made on a core's process; use kill, pause");
    }
}
