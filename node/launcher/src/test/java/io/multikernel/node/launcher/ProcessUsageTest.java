package io.multikernel.node.launcher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProcessUsageTest
{
    @Test
    void readsSizesInKbAndRefusesWhatIsNot()
    {
        final String status = "Name:\tjava\nVmPeak:\t  3000000 kB\nVmRSS:\t   118372 kB\nThreads:\t21\n";
        assertThat(ProcessUsage.fieldKb(status, "VmRSS:")).isEqualTo(118_372);
        assertThat(ProcessUsage.fieldKb(status, "VmSwap:")).isEqualTo(-1);
        assertThatThrownBy(() -> ProcessUsage.fieldKb("VmRSS:\tlots kB\n", "VmRSS:"))
            .isInstanceOf(IllegalArgumentException.class).hasMessage("'VmRSS:\tlots kB' is not a size in kB");
        assertThatThrownBy(() -> ProcessUsage.fieldKb("VmRSS:\t12 MB\n", "VmRSS:"))
            .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void readsOnCpuNanosFromSchedstat()
    {
        assertThat(ProcessUsage.schedstatNanos("123456789 2000 17\n")).isEqualTo(123_456_789L);
        assertThatThrownBy(() -> ProcessUsage.schedstatNanos("\n")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ProcessUsage.schedstatNanos("x 1 2")).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("not a schedstat line: 'x 1 2'");
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void aBusyProcessShowsItsCpuAndMemoryAndAGoneOneIsUnknown() throws Exception
    {
        final long self = ProcessHandle.current().pid();
        final long gone = ProcessHandle.allProcesses().mapToLong(ProcessHandle::pid).max().orElse(1) + 100_000;
        final AtomicBoolean spinning = new AtomicBoolean(true);
        final Thread spinner = new Thread(() ->
        {
            long x = 0;
            while (spinning.get())
            {
                x += System.nanoTime() & 1;
            }
            assertThat(x).isNotNegative();
        });
        spinner.start();
        try
        {
            final Map<Long, ProcessUsage.Usage> usage = ProcessUsage.sample(List.of(self, gone), 300);

            final ProcessUsage.Usage mine = usage.get(self);
            final int cpus = Runtime.getRuntime().availableProcessors();
            assertThat(mine.cpuPercentMachine()).as("one spinning thread of %d CPUs", cpus)
                .isGreaterThan(50.0 / cpus).isLessThanOrEqualTo(100.0 + 1.0);
            assertThat(mine.rssBytes()).isGreaterThan(Runtime.getRuntime().totalMemory() / 4);
            assertThat(mine.pssBytes()).isPositive().isLessThanOrEqualTo(mine.rssBytes());
            assertThat(usage.get(gone)).isEqualTo(ProcessUsage.Usage.UNKNOWN);
        }
        finally
        {
            spinning.set(false);
            spinner.join();
        }
        assertThatThrownBy(() -> ProcessUsage.sample(List.of(self), 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aProcessStoppedBySigstopIsToldFromARunningOne() throws Exception
    {
        final Process sleeper = new ProcessBuilder("sleep", "30").start();
        try
        {
            assertThat(ProcessUsage.isStopped(sleeper.pid())).isFalse();
            assertThat(new ProcessBuilder("kill", "-STOP", Long.toString(sleeper.pid())).start().waitFor()).isZero();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                .until(() -> ProcessUsage.isStopped(sleeper.pid()));
            assertThat(ClusterStatus.driverLines(java.util.List.of(new ClusterStatus.DriverRow(0, sleeper.pid(), true, true))))
                .startsWith("media driver of host 0: pid " + sleeper.pid() + ", paused (stopped by a signal)");
            assertThat(new ProcessBuilder("kill", "-CONT", Long.toString(sleeper.pid())).start().waitFor()).isZero();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                .until(() -> !ProcessUsage.isStopped(sleeper.pid()));
        }
        finally
        {
            sleeper.destroyForcibly();
        }
        assertThat(ProcessUsage.isStopped(-1)).as("no such process").isFalse();
    }
}
