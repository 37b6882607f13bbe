package io.multikernel.node.bench;

import io.multikernel.node.launcher.RunDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A benchmark's cluster goes when the benchmark is done with it. */
class StoppedOnExitTest
{
    @TempDir
    Path dir;

    @Test
    void closingStopsTheRecordedProcesses() throws Exception
    {
        // Stands in for a core: a process whose command line names the kernel's main class.
        final Process core = new ProcessBuilder("bash", "-c", "sleep 60; :", "io.multikernel.node.core.KernelMain")
            .start();
        try
        {
            final RunDirectory runDirectory = new RunDirectory(dir);
            runDirectory.writeProcesses(List.of(new RunDirectory.Entry("core", 0, core.pid())));
            final StoppedOnExit cluster = new StoppedOnExit(runDirectory, new PrintStream(PrintStream.nullOutputStream()),
                5_000);

            cluster.close();

            assertThat(core.waitFor(5, TimeUnit.SECONDS)).as("the recorded core was stopped").isTrue();
            assertThat(runDirectory.processes()).isEmpty();
        }
        finally
        {
            core.destroyForcibly();
        }
    }
}
