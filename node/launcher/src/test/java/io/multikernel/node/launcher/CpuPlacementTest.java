package io.multikernel.node.launcher;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CpuPlacementTest
{
    private static List<String> plan(final CpuPlacement placement, final int cores)
    {
        final List<String> cpus = new ArrayList<>();
        for (int i = 0; i < cores; i++)
        {
            cpus.add(placement.coreCpus(i, cores).orElse("-"));
        }
        return cpus;
    }

    @Test
    void dedicatedGivesTheFirstCoresACpuEachAndTheRestAndTheAppsTheLast()
    {
        final CpuPlacement twoCpus = CpuPlacement.of(CpuPlacement.Mode.DEDICATED, List.of(0, 1));
        assertThat(plan(twoCpus, 4)).containsExactly("0", "1", "1", "1");
        assertThat(twoCpus.appCpus(4)).contains("1");
        assertThat(plan(twoCpus, 3)).containsExactly("0", "1", "1");

        final CpuPlacement eight = CpuPlacement.of(CpuPlacement.Mode.DEDICATED, List.of(7, 6, 5, 4, 3, 2, 1, 0));
        assertThat(plan(eight, 4)).as("more CPUs than cores: one each").containsExactly("0", "1", "2", "3");
        assertThat(eight.appCpus(4)).contains("4,5,6,7");
        assertThat(plan(eight, 10)).containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "7", "7");
        assertThat(eight.appCpus(8)).contains("7");

        final CpuPlacement one = CpuPlacement.of(CpuPlacement.Mode.DEDICATED, List.of(3));
        assertThat(plan(one, 2)).containsExactly("3", "3");
        assertThat(one.appCpus(2)).contains("3");
    }

    @Test
    void spreadGoesRoundRobinAndLeavesAppsAlone()
    {
        final CpuPlacement spread = CpuPlacement.of(CpuPlacement.Mode.SPREAD, List.of(2, 5));
        assertThat(plan(spread, 5)).containsExactly("2", "5", "2", "5", "2");
        assertThat(spread.appCpus(5)).isEmpty();
        assertThat(spread.commandPrefix(1, 5)).containsExactly(CpuPlacement.TASKSET, "--cpu-list", "5");
    }

    @Test
    void noneNeverPins()
    {
        final CpuPlacement none = CpuPlacement.of(CpuPlacement.Mode.NONE, List.of(0, 1));
        assertThat(none).isSameAs(CpuPlacement.none());
        assertThat(plan(none, 3)).containsExactly("-", "-", "-");
        assertThat(none.commandPrefix(0, 3)).isEmpty();
        assertThat(none.appCpus(3)).isEqualTo(Optional.empty());
    }

    @Test
    void cpuListsParseAsLinuxWritesThemAndBadOnesAreNamed()
    {
        assertThat(CpuPlacement.parseCpuList(" 0-3,6,2\n")).containsExactly(0, 1, 2, 3, 6);
        assertThat(CpuPlacement.parseCpuList("5")).containsExactly(5);
        for (final String bad : List.of("", "a", "1-", "3-1", "-2", "1-2-3", "0-100000"))
        {
            assertThatThrownBy(() -> CpuPlacement.parseCpuList(bad))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not a CPU id or a range");
        }
    }

    @Test
    void modesParseInAnyCaseAndUnknownOnesAreNamed() throws Exception
    {
        assertThat(CpuPlacement.Mode.parse(" Dedicated ")).isEqualTo(CpuPlacement.Mode.DEDICATED);
        assertThatThrownBy(() -> CpuPlacement.Mode.parse("all"))
            .hasMessage("CPU placement 'all' is not one of none, spread, dedicated");
        assertThatThrownBy(() -> CpuPlacement.of(CpuPlacement.Mode.SPREAD, List.of())).hasMessageContaining("no CPUs");
        assertThat(CpuPlacement.allowedCpus()).isNotEmpty().allMatch((cpu) -> cpu >= 0);
    }

    @Test
    void aRunningProcessIsPinnedAndUnpinned() throws Exception
    {
        final Process sleeper = new ProcessBuilder("sleep", "30").start();
        try
        {
            final List<Integer> allowed = CpuPlacement.allowedCpus();
            final String first = Integer.toString(allowed.get(0));
            CpuPlacement.pinProcess(sleeper.pid(), first);
            assertThat(cpusAllowed(sleeper.pid())).isEqualTo(first);
            CpuPlacement.pinProcess(sleeper.pid(), CpuPlacement.allowedCpuList());
            assertThat(CpuPlacement.parseCpuList(cpusAllowed(sleeper.pid()))).isEqualTo(allowed);
            assertThatThrownBy(() -> CpuPlacement.pinProcess(sleeper.pid(), "99999"))
                .hasMessageContaining("could not pin process " + sleeper.pid() + " to CPUs 99999");
        }
        finally
        {
            sleeper.destroyForcibly();
        }
    }

    private static String cpusAllowed(final long pid) throws Exception
    {
        return CpuPlacement.cpusAllowedList(java.nio.file.Path.of("/proc/" + pid + "/status")).orElseThrow();
    }
}
