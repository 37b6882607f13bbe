package io.multikernel.node.memory;

import io.multikernel.node.caps.CapabilityType;
import io.multikernel.node.caps.PhysicalRange;
import io.multikernel.node.cluster.ClusterLimits;
import io.multikernel.node.cluster.ClusterMap;
import io.multikernel.node.cluster.ClusterMapException;
import io.multikernel.node.cluster.ClusterOverrides;
import io.multikernel.node.cluster.CoreDescriptor;
import io.multikernel.node.cluster.HostDescriptor;
import io.multikernel.node.cluster.OverrideField;
import io.multikernel.node.cluster.TransportKind;
import io.multikernel.transport.TransportConfiguration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PhysicalLayoutTest
{
    private static final long PAGE = ClusterLimits.PAGE_LENGTH_BYTES;
    private static final long WINDOW = PhysicalLayout.HOST_WINDOW_BYTES;

    /** Host 0: 10 pages for cores 0, 1, 2; host 2: 1 MiB for cores 5, 9; host 7: no cores. */
    private static final String MAP = """
        hosts:
          - {id: 0, address: 127.0.0.1, aeronDir: /dev/shm/mk-test-host-0, memory: 40k}
          - {id: 2, address: 127.0.0.1, memory: 1m, memoryFile: /tmp/mk-test-host-2.mem}
          - {id: 7, address: 127.0.0.1, aeronDir: /dev/shm/mk-test-host-7}
        cores:
          - {id: 0, host: 0, inbox: {ipc: true, udp: '127.0.0.1:40400'}, adminPort: 9400}
          - {id: 1, host: 0, inbox: {ipc: true, udp: '127.0.0.1:40401'}, adminPort: 9401}
          - {id: 2, host: 0, inbox: {ipc: true, udp: '127.0.0.1:40402'}, adminPort: 9402}
          - {id: 9, host: 2, inbox: {ipc: true, udp: '127.0.0.1:40409'}, adminPort: 9409}
          - {id: 5, host: 2, inbox: {ipc: true, udp: '127.0.0.1:40405'}, adminPort: 9405}
        """;

    @TempDir
    Path dir;

    @Test
    void theCoresOfAHostSplitItsMemoryInIdOrderAndTheLastTakesTheRemainder()
    {
        final PhysicalLayout layout = layout(MAP);

        assertThat(layout.serverRanges()).containsExactly(
            Map.entry(0, new PhysicalRange(0, 3 * PAGE)),
            Map.entry(1, new PhysicalRange(3 * PAGE, 3 * PAGE)),
            Map.entry(2, new PhysicalRange(6 * PAGE, 4 * PAGE)),
            Map.entry(5, new PhysicalRange(2 * WINDOW, 512 * 1024)),
            Map.entry(9, new PhysicalRange(2 * WINDOW + 512 * 1024, 512 * 1024)));
    }

    @Test
    void eachHostRangeIsTheBackedStartOfItsWindow()
    {
        final PhysicalLayout layout = layout(MAP);

        assertThat(layout.hostRange(0)).isEqualTo(new PhysicalRange(0, 40 * 1024));
        assertThat(layout.hostRange(2)).isEqualTo(new PhysicalRange(2 * WINDOW, 1024 * 1024));
        assertThat(layout.hostRange(7)).isEqualTo(
            new PhysicalRange(7 * WINDOW, ClusterLimits.DEFAULT_HOST_MEMORY_BYTES));
        assertThatThrownBy(() -> layout.hostRange(1))
            .isInstanceOf(ClusterMapException.class)
            .hasMessage("host 1 is not in cluster map mk (hosts: 0, 2, 7)");
    }

    @Test
    void hostOfFindsTheHostWhoseMemoryHoldsAnAddressAndNoneInTheHoles()
    {
        final PhysicalLayout layout = layout(MAP);

        assertThat(layout.hostOf(0)).isZero();
        assertThat(layout.hostOf(40 * 1024 - 1)).isZero();
        assertThat(layout.hostOf(40 * 1024)).isEqualTo(-1);
        assertThat(layout.hostOf(WINDOW - 1)).isEqualTo(-1);
        assertThat(layout.hostOf(WINDOW)).as("host 1 is not listed").isEqualTo(-1);
        assertThat(layout.hostOf(2 * WINDOW - 1)).isEqualTo(-1);
        assertThat(layout.hostOf(2 * WINDOW)).isEqualTo(2);
        assertThat(layout.hostOf(2 * WINDOW + 1024 * 1024 - 1)).isEqualTo(2);
        assertThat(layout.hostOf(2 * WINDOW + 1024 * 1024)).isEqualTo(-1);
        assertThat(layout.hostOf(7 * WINDOW + ClusterLimits.DEFAULT_HOST_MEMORY_BYTES - 1)).isEqualTo(7);
        assertThat(layout.hostOf(-1)).isEqualTo(-1);
        assertThat(layout.hostOf(Long.MIN_VALUE)).isEqualTo(-1);
        assertThat(layout.hostOf((ClusterLimits.HOST_ID_MAX + 1L) * WINDOW)).isEqualTo(-1);
        assertThat(layout.hostOf(Long.MAX_VALUE)).isEqualTo(-1);
    }

    @Test
    void theHighestHostIdHasAWindowWithAnAddress()
    {
        final ClusterMap map = ClusterMap.parse("""
            hosts: [{id: 65535, memory: 1g}]
            cores: [{id: 65535, host: 65535, inbox: {ipc: true}, adminPort: 9400}]
            """, "top.yaml", ClusterOverrides.NONE);

        final PhysicalLayout layout = PhysicalLayout.of(map);

        final PhysicalRange range = layout.hostRange(ClusterLimits.HOST_ID_MAX);
        assertThat(range.base()).isEqualTo(ClusterLimits.HOST_ID_MAX * WINDOW);
        assertThat(layout.serverRanges()).containsExactly(Map.entry(ClusterLimits.HOST_ID_MAX, range));
        assertThat(layout.hostOf(range.base() + range.length() - 1)).isEqualTo(ClusterLimits.HOST_ID_MAX);
    }

    @Test
    void aHostsMemoryFileIsItsOwnOrBesideItsAeronDirectory()
    {
        final PhysicalLayout layout = layout(MAP);

        assertThat(layout.memoryFile(0)).isEqualTo(Path.of("/dev/shm/mk-test-host-0.memory"));
        assertThat(layout.memoryFile(2)).isEqualTo(Path.of("/tmp/mk-test-host-2.mem"));
        assertThat(layout.memoryFile(7)).isEqualTo(Path.of("/dev/shm/mk-test-host-7.memory"));
        final PhysicalLayout defaults = PhysicalLayout.of(ClusterMap.local(1, 1, TransportKind.IPC));
        assertThat(defaults.memoryFile(0)).isEqualTo(Path.of(TransportConfiguration.aeronDirectory() + ".memory"));
        assertThatThrownBy(() -> layout.memoryFile(3)).isInstanceOf(ClusterMapException.class);
    }

    @Test
    void theCoresOfOneHostMapTheSameBytesAndOtherHostsOthers()
    {
        final ClusterMap map = withMemoryFiles(ClusterMap.local(3, 2, TransportKind.IPC), "64k");
        final PhysicalLayout layout = PhysicalLayout.of(map);
        final long wordOfCore1 = layout.serverRanges().get(1).base();
        final long wordOfCore2 = layout.serverRanges().get(2).base();

        try (PhysicalMemory core0 = layout.map(0); PhysicalMemory core1 = layout.map(0);
            PhysicalMemory core2 = layout.map(1))
        {
            assertThat(core0.base()).isZero();
            assertThat(core0.length()).isEqualTo(64 * 1024);
            assertThat(core2.base()).isEqualTo(WINDOW);
            core0.storeWord(wordOfCore1, 42L);
            assertThat(core1.loadWord(wordOfCore1)).isEqualTo(42L);
            assertThat(core2.contains(wordOfCore1, 8)).isFalse();
            core2.storeWord(wordOfCore2, 7L);
            assertThat(core2.loadWord(wordOfCore2)).isEqualTo(7L);
            assertThat(core0.loadWord(wordOfCore1)).isEqualTo(42L);
        }
        assertThat(dir.resolve("host-0.memory")).hasSize(64 * 1024);
        assertThat(dir.resolve("host-1.memory")).hasSize(64 * 1024);
    }

    @Test
    void aMemoryFileOfAnotherSizeIsRefusedWhenMapped() throws Exception
    {
        final PhysicalLayout layout = PhysicalLayout.of(withMemoryFiles(ClusterMap.local(1, 1, TransportKind.IPC), "8k"));
        Files.write(dir.resolve("host-0.memory"), new byte[4096]);

        assertThatThrownBy(() -> layout.map(0))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("holds 4096 bytes, not the configured 8192");
    }

    @Test
    void itsBoundsAreTheCapabilitySystemsAndPhysicalMemorys()
    {
        assertThat((long)ClusterLimits.PAGE_LENGTH_BYTES).isEqualTo(CapabilityType.PAGE_LENGTH_BYTES);
        assertThat(PhysicalMemory.LENGTH_MIN_BYTES).isEqualTo(ClusterLimits.HOST_MEMORY_MIN_BYTES);
        assertThat(PhysicalMemory.LENGTH_MAX_BYTES).isEqualTo(ClusterLimits.HOST_MEMORY_MAX_BYTES);
        assertThat(WINDOW).isGreaterThanOrEqualTo(ClusterLimits.HOST_MEMORY_MAX_BYTES);
    }

    /**
     * Server ranges are disjoint, page-aligned, inside their core's host range, and together cover the
     * memory of every host that runs cores; every byte of them belongs, by {@code hostOf}, to the core's host.
     */
    @Property(tries = 200)
    void serverRangesPartitionEachHostsMemory(
        @ForAll @IntRange(min = 1, max = 64) final int coreCount,
        @ForAll @IntRange(min = 1, max = 8) final int hostCountWanted,
        @ForAll @IntRange(min = 0, max = 5000) final int extraPages)
    {
        final int hostCount = Math.min(hostCountWanted, coreCount);
        final ClusterMap local = ClusterMap.local(coreCount, hostCount, TransportKind.IPC);
        final Map<String, String> memory = new HashMap<>();
        for (final HostDescriptor host : local.hosts())
        {
            final long pages = local.coresOn(host.id()).size() + (long)extraPages * (host.id() + 1) % 7919;
            memory.put(OverrideField.HOST_MEMORY.key(host.id()), Long.toString(pages * PAGE));
        }
        final ClusterMap map = local.withOverrides(ClusterOverrides.of(memory));
        final PhysicalLayout layout = PhysicalLayout.of(map);

        assertThat(layout.serverRanges().keySet()).containsExactlyElementsOf(
            map.cores().stream().map(CoreDescriptor::id).toList());
        for (final HostDescriptor host : map.hosts())
        {
            final PhysicalRange hostRange = layout.hostRange(host.id());
            assertThat(hostRange).isEqualTo(new PhysicalRange(host.id() * WINDOW, host.memoryBytesOrDefault()));
            final List<PhysicalRange> ranges = new ArrayList<>();
            map.coresOn(host.id()).forEach(core -> ranges.add(layout.serverRanges().get(core.id())));
            ranges.sort(Comparator.comparingLong(PhysicalRange::base));
            long next = hostRange.base();
            for (final PhysicalRange range : ranges)
            {
                assertThat(range.base()).as("disjoint and without gaps").isEqualTo(next);
                assertThat(hostRange.contains(range.base(), range.length())).isTrue();
                assertThat(range.length()).isBetween(PAGE, hostRange.length());
                assertThat(layout.hostOf(range.base())).isEqualTo(host.id());
                assertThat(layout.hostOf(range.base() + range.length() - 1)).isEqualTo(host.id());
                next = range.base() + range.length();
            }
            assertThat(next).as("the ranges cover the host's memory").isEqualTo(hostRange.base() + hostRange.length());
            assertThat(layout.hostOf(next)).isEqualTo(-1);
            final long shortest = ranges.stream().mapToLong(PhysicalRange::length).min().orElseThrow();
            assertThat(ranges.subList(0, ranges.size() - 1)).allMatch(range -> range.length() == shortest);
        }
    }

    private static PhysicalLayout layout(final String yaml)
    {
        return PhysicalLayout.of(ClusterMap.parse(yaml, "layout.yaml", ClusterOverrides.NONE));
    }

    private ClusterMap withMemoryFiles(final ClusterMap map, final String memory)
    {
        final Map<String, String> overrides = new HashMap<>();
        for (final HostDescriptor host : map.hosts())
        {
            overrides.put(OverrideField.HOST_MEMORY.key(host.id()), memory);
            overrides.put(OverrideField.HOST_MEMORY_FILE.key(host.id()),
                dir.resolve("host-" + host.id() + ".memory").toString());
        }
        return map.withOverrides(ClusterOverrides.of(overrides));
    }
}
