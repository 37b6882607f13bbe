package io.multikernel.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import org.junit.jupiter.api.Test;

class ClusterOverridesTest
{
    private static final String KNOWN_KEYS = "MK_CLUSTER_NAME, MK_TRANSPORT_IDLE_STRATEGY, " +
        "MK_TRANSPORT_TERM_LENGTH_BYTES, MK_HOST_<id>_ADDRESS, MK_HOST_<id>_AERON_DIR, MK_HOST_<id>_MEMORY, " +
        "MK_HOST_<id>_MEMORY_FILE, MK_CORE_<id>_HOST, " +
        "MK_CORE_<id>_INBOX_IPC, MK_CORE_<id>_INBOX_UDP, MK_CORE_<id>_ADMIN_PORT, MK_CORE_<id>_ADMIN_BIND, " +
        "MK_CORE_<id>_DATA_DIR";

    private static final String MAP = """
        cluster: lab
        hosts: [{id: 0, address: 10.0.0.1}, {id: 1, address: 10.0.0.2}]
        cores:
          - {id: 0, host: 0, inbox: {ipc: true, udp: '10.0.0.1:40400'}, adminPort: 9400}
          - {id: 1, host: 1, inbox: {ipc: true, udp: '10.0.0.2:40400'}, adminPort: 9400}
        """;

    @Test
    void namesKeysTheWayTheyAreDocumented()
    {
        assertThat(OverrideField.CORE_ADMIN_PORT.key(3)).isEqualTo("MK_CORE_3_ADMIN_PORT");
        assertThat(OverrideField.CORE_INBOX_UDP.key(12)).isEqualTo("MK_CORE_12_INBOX_UDP");
        assertThat(OverrideField.HOST_AERON_DIR.key(1)).isEqualTo("MK_HOST_1_AERON_DIR");
        assertThat(OverrideField.TRANSPORT_TERM_LENGTH_BYTES.key(-1)).isEqualTo("MK_TRANSPORT_TERM_LENGTH_BYTES");
        assertThat(OverrideField.CLUSTER_NAME.key(-1)).isEqualTo("MK_CLUSTER_NAME");
        for (final OverrideField field : OverrideField.values())
        {
            assertThat(OverrideField.parse(field.key(7))).contains(new OverrideField.Key(field,
                field.scope() == OverrideField.Scope.CORE || field.scope() == OverrideField.Scope.HOST ? 7 : -1));
        }
    }

    @Test
    void overridesEveryCoreField()
    {
        final ClusterMap map = parse(Map.of(
            "MK_CORE_1_HOST", "0",
            "MK_CORE_1_ADMIN_PORT", "9401",
            "MK_CORE_1_ADMIN_BIND", "0.0.0.0",
            "MK_CORE_1_INBOX_IPC", "false",
            "MK_CORE_1_INBOX_UDP", "10.0.0.1:40401"));

        assertThat(map.core(1)).isEqualTo(new CoreDescriptor(
            1, 0, InboxEndpoints.udpOnly(new UdpEndpoint("10.0.0.1", 40401)), 9401, "0.0.0.0"));
        assertThat(map.core(0)).isEqualTo(CoreDescriptor.of(
            0, 0, InboxEndpoints.ipcAndUdp(new UdpEndpoint("10.0.0.1", 40400)), 9400));
    }

    @Test
    void overridesClusterTransportAndHostFields()
    {
        final ClusterMap map = parse(Map.of(
            "MK_CLUSTER_NAME", "prod",
            "MK_TRANSPORT_IDLE_STRATEGY", "sleeping",
            "MK_TRANSPORT_TERM_LENGTH_BYTES", "65536",
            "MK_HOST_0_ADDRESS", "node-a.example",
            "MK_HOST_1_AERON_DIR", "/dev/shm/aeron-b"));

        assertThat(map.name()).isEqualTo("prod");
        assertThat(map.transport()).isEqualTo(new TransportSettings(Optional.of("sleeping"), OptionalInt.of(65536)));
        assertThat(map.host(0).address()).contains("node-a.example");
        assertThat(map.host(1).aeronDir()).contains("/dev/shm/aeron-b");
    }

    @Test
    void overridesHostMemoryAsBytesOrWithASuffix()
    {
        final ClusterMap map = parse(Map.of(
            "MK_HOST_0_MEMORY", "64m",
            "MK_HOST_1_MEMORY", "65536",
            "MK_HOST_1_MEMORY_FILE", "/dev/shm/lab-1.memory"));

        assertThat(map.host(0).memoryBytes()).hasValue(64L << 20);
        assertThat(map.host(0).memoryFile()).isEmpty();
        assertThat(map.host(1).memoryBytes()).hasValue(65536);
        assertThat(map.host(1).memoryFile()).contains("/dev/shm/lab-1.memory");
    }

    @Test
    void emptyHostMemoryValuesGoBackToTheDefaults()
    {
        final String withMemory = MAP.replace("{id: 0, address: 10.0.0.1}",
            "{id: 0, address: 10.0.0.1, memory: 1m, memoryFile: /tmp/m}");

        final ClusterMap map = ClusterMap.parse(withMemory, "lab.yaml",
            ClusterOverrides.of(Map.of("MK_HOST_0_MEMORY", "", "MK_HOST_0_MEMORY_FILE", "")));

        assertThat(map.host(0)).isEqualTo(new HostDescriptor(0, Optional.of("10.0.0.1"), Optional.empty()));
        assertThat(map.host(0).memoryBytesOrDefault()).isEqualTo(ClusterLimits.DEFAULT_HOST_MEMORY_BYTES);
    }

    @Test
    void rejectsBadHostMemoryOverrides()
    {
        assertRejected(() -> parse(Map.of("MK_HOST_0_MEMORY", "lots")),
            "override MK_HOST_0_MEMORY=lots is not a size: expected bytes, or a number with a k, m or g suffix");
        assertRejected(() -> parse(Map.of("MK_HOST_0_MEMORY", "2g")),
            "override MK_HOST_0_MEMORY=2g is out of range 4096..1073741824");
        assertRejected(() -> parse(Map.of("MK_HOST_0_MEMORY", "5000")),
            "override MK_HOST_0_MEMORY=5000 is not a multiple of the 4096-byte page");
        assertRejected(() -> parse(Map.of("MK_HOST_0_MEMORY_FILE", "a\nb")),
            "override MK_HOST_0_MEMORY_FILE=a?b contains a control character");
        assertRejected(() -> parse(Map.of("MK_HOST_1_MEMORY", "4k", "MK_CORE_0_HOST", "1",
                "MK_CORE_0_INBOX_UDP", "10.0.0.2:40401", "MK_CORE_0_ADMIN_PORT", "9401")),
            "lab.yaml with overrides: hosts[id=1].memory=4096 holds 1 page(s) of 4096 bytes, fewer than its 2 " +
            "cores; give the host at least 8192 bytes");
    }

    @Test
    void emptyValueClearsAnOptionalField()
    {
        final ClusterMap map = parse(Map.of("MK_HOST_0_ADDRESS", "", "MK_CORE_0_ADMIN_BIND", ""));

        assertThat(map.host(0).address()).isEmpty();
        assertThat(map.core(0).adminBindAddress()).isEqualTo(ClusterLimits.DEFAULT_ADMIN_BIND_ADDRESS);
    }

    @Test
    void takesOnlyTheOverrideNamespaceFromTheEnvironment()
    {
        final ClusterOverrides overrides = ClusterOverrides.fromEnvironment(Map.of(
            "PATH", "/usr/bin",
            "MK_HOME", "/opt/mk",
            "MK_CORE_ID", "3",
            "MK_CLUSTER_FILE", "/etc/mk/cluster.yaml",
            "MK_CORE_1_ADMIN_PORT", "9500"));

        assertThat(overrides.entries()).containsExactly(Map.entry("MK_CORE_1_ADMIN_PORT", "9500"));
    }

    @Test
    void rejectsMisspeltOverridesInTheNamespace()
    {
        assertRejected(() -> ClusterOverrides.fromEnvironment(Map.of("MK_CORE_1_ADMIN_PROT", "9500")),
            "override MK_CORE_1_ADMIN_PROT is not a cluster map override key; known keys: " + KNOWN_KEYS);
        assertThat(catchThrowableOfType(ClusterMapException.class,
            () -> ClusterOverrides.fromEnvironment(Map.of("MK_CORE_03_ADMIN_PORT", "9500"))))
            .hasMessageStartingWith("override MK_CORE_03_ADMIN_PORT is not a cluster map override key");
        assertRejected(() -> ClusterOverrides.fromEnvironment(Map.of("MK_TRANSPORT_TERM", "1")),
            "override MK_TRANSPORT_TERM is not a cluster map override key; known keys: " + KNOWN_KEYS);
    }

    @Test
    void flagsWinOverEnvironment()
    {
        final ClusterOverrides environment = ClusterOverrides.fromEnvironment(Map.of(
            "MK_CORE_0_ADMIN_PORT", "9500", "MK_CORE_1_ADMIN_PORT", "9501"));
        final ClusterOverrides flags = ClusterOverrides.fromAssignments(List.of("MK_CORE_0_ADMIN_PORT=9600"));

        final ClusterMap map = ClusterMap.parse(MAP, "lab.yaml", environment.and(flags));

        assertThat(map.core(0).adminPort()).isEqualTo(9600);
        assertThat(map.core(1).adminPort()).isEqualTo(9501);
    }

    @Test
    void rejectsAssignmentsWithoutEquals()
    {
        assertRejected(() -> ClusterOverrides.fromAssignments(List.of("MK_CORE_0_ADMIN_PORT")),
            "override MK_CORE_0_ADMIN_PORT is not KEY=VALUE, for example MK_CORE_0_ADMIN_PORT=9500");
    }

    @Test
    void rejectsBadValuesNamingTheKeyAndValue()
    {
        assertRejected(() -> parse(Map.of("MK_CORE_0_ADMIN_PORT", "abc")),
            "override MK_CORE_0_ADMIN_PORT=abc is not an integer");
        assertRejected(() -> parse(Map.of("MK_CORE_0_ADMIN_PORT", "70000")),
            "override MK_CORE_0_ADMIN_PORT=70000 is out of range 1..65535");
        assertRejected(() -> parse(Map.of("MK_CORE_0_INBOX_IPC", "maybe")),
            "override MK_CORE_0_INBOX_IPC=maybe is not true or false");
        assertRejected(() -> parse(Map.of("MK_CORE_0_INBOX_UDP", "nowhere")),
            "override MK_CORE_0_INBOX_UDP=nowhere is not host:port");
        assertRejected(() -> parse(Map.of("MK_TRANSPORT_TERM_LENGTH_BYTES", "100000")),
            "override MK_TRANSPORT_TERM_LENGTH_BYTES=100000 is not a power of two");
        assertRejected(() -> parse(Map.of("MK_CORE_0_HOST", "-1")),
            "override MK_CORE_0_HOST=-1 is out of range 0..65535");
    }

    @Test
    void rejectsOverridesOfUnlistedEntries()
    {
        assertRejected(() -> parse(Map.of("MK_CORE_9_ADMIN_PORT", "9000")),
            "override MK_CORE_9_ADMIN_PORT=9000 names core 9, which the cluster map does not list; " +
            "overrides change entries, they do not add them");
        assertRejected(() -> parse(Map.of("MK_HOST_4_ADDRESS", "x")),
            "override MK_HOST_4_ADDRESS=x names host 4, which the cluster map does not list; " +
            "overrides change entries, they do not add them");
    }

    @Test
    void rejectsAnInboxLeftWithoutEndpoints()
    {
        assertRejected(() -> parse(Map.of("MK_CORE_0_INBOX_IPC", "false", "MK_CORE_0_INBOX_UDP", "")),
            "override MK_CORE_0_INBOX_IPC=false leaves core 0's inbox with neither ipc nor udp; " +
            "set MK_CORE_0_INBOX_UDP=host:port");
    }

    @Test
    void validatesTheMapAfterOverrides()
    {
        assertRejected(() -> parse(Map.of("MK_CORE_1_HOST", "0")),
            "lab.yaml with overrides: cores[id=1].adminPort=9400 clashes with core 0 on the same machine " +
            "(address 10.0.0.1)");
    }

    @Test
    void overridesCanRepairAMapBeforeItIsValidated()
    {
        final String clashing = MAP.replace("host: 1,", "host: 0,");

        final ClusterMap map = ClusterMap.parse(clashing, "lab.yaml", ClusterOverrides.of(Map.of(
            "MK_CORE_1_ADMIN_PORT", "9401", "MK_CORE_1_INBOX_UDP", "10.0.0.1:40401")));

        assertThat(map.coresOn(0)).hasSize(2);
    }

    @Test
    void appliesToAnExistingMap()
    {
        final ClusterMap local = ClusterMap.local(2, 1, TransportKind.IPC);

        final ClusterMap overridden = local.withOverrides(ClusterOverrides.of(Map.of(
            OverrideField.HOST_AERON_DIR.key(0), "/tmp/run/host-0/aeron")));

        assertThat(overridden.host(0).aeronDir()).contains("/tmp/run/host-0/aeron");
        assertThat(overridden.cores()).isEqualTo(local.cores());
        assertThat(local.withOverrides(ClusterOverrides.NONE)).isEqualTo(local);
    }

    private static ClusterMap parse(final Map<String, String> overrides)
    {
        return ClusterMap.parse(MAP, "lab.yaml", ClusterOverrides.of(overrides));
    }

    private static void assertRejected(final Runnable action, final String expectedMessage)
    {
        final ClusterMapException ex = catchThrowableOfType(ClusterMapException.class, action::run);
        assertThat(ex).isNotNull();
        assertThat(ex.getMessage()).isEqualTo(expectedMessage);
    }
}
