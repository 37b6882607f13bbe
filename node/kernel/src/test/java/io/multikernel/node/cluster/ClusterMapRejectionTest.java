package io.multikernel.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every rejection is one line that names the file, the field and the value.
 */
class ClusterMapRejectionTest
{
    private static final String TWO_HOSTS = "hosts: [{id: 0, address: 10.0.0.1}, {id: 1, address: 10.0.0.2}]\n";

    @Test
    void rejectsDuplicateCoreIds()
    {
        assertRejected(TWO_HOSTS + """
            cores:
              - {id: 3, host: 0, inbox: {ipc: true, udp: '10.0.0.1:40400'}, adminPort: 9400}
              - {id: 3, host: 1, inbox: {ipc: true, udp: '10.0.0.2:40400'}, adminPort: 9400}
            """, "bad.yaml: cores[].id=3 is listed twice; core ids must be unique");
    }

    @Test
    void rejectsDuplicateHostIds()
    {
        assertRejected("""
            hosts: [{id: 0}, {id: 0}]
            cores: [{id: 0, host: 0, inbox: {ipc: true}, adminPort: 9400}]
            """, "bad.yaml: hosts[].id=0 is listed twice; host ids must be unique");
    }

    @Test
    void rejectsAdminPortClashOnOneHost()
    {
        assertRejected(TWO_HOSTS + """
            cores:
              - {id: 0, host: 0, inbox: {ipc: true, udp: '10.0.0.1:40400'}, adminPort: 9400}
              - {id: 1, host: 0, inbox: {ipc: true, udp: '10.0.0.1:40401'}, adminPort: 9400}
              - {id: 2, host: 1, inbox: {ipc: true, udp: '10.0.0.2:40400'}, adminPort: 9400}
            """, "bad.yaml: cores[id=1].adminPort=9400 clashes with core 0 on the same machine (address 10.0.0.1)");
    }

    @Test
    void rejectsPortClashBetweenSimulatedHostsSharingAnAddress()
    {
        assertRejected("""
            hosts: [{id: 0, address: 127.0.0.1}, {id: 1, address: 127.0.0.1}]
            cores:
              - {id: 0, host: 0, inbox: {ipc: true, udp: '127.0.0.1:40400'}, adminPort: 9400}
              - {id: 1, host: 1, inbox: {ipc: true, udp: '127.0.0.1:40401'}, adminPort: 9400}
            """, "bad.yaml: cores[id=1].adminPort=9400 clashes with core 0 on the same machine (address 127.0.0.1)");
    }

    @Test
    void acceptsSamePortsOnHostsWithoutAddresses()
    {
        final ClusterMap map = ClusterMap.parse("""
            hosts: [{id: 0}, {id: 1}]
            cores:
              - {id: 0, host: 0, inbox: {udp: 'a:40400'}, adminPort: 9400}
              - {id: 1, host: 1, inbox: {udp: 'b:40400'}, adminPort: 9400}
            """, "ok.yaml", ClusterOverrides.NONE);

        assertThat(map.cores()).hasSize(2);
    }

    @Test
    void rejectsUdpPortClashOnOneHost()
    {
        assertRejected(TWO_HOSTS + """
            cores:
              - {id: 0, host: 0, inbox: {udp: '10.0.0.1:40400'}, adminPort: 9400}
              - {id: 1, host: 0, inbox: {udp: '127.0.0.1:40400'}, adminPort: 9401}
            """, "bad.yaml: cores[id=1].inbox.udp=127.0.0.1:40400 clashes with core 0 on the same machine " +
            "(address 10.0.0.1)");
    }

    @Test
    void rejectsAnAdminPortThatIsAnotherCoresUdpInboxPort()
    {
        // A core of a one-host cluster binds its UDP doorbell at its admin port.
        assertRejected("""
            hosts: [{id: 0, address: 127.0.0.1}]
            cores:
              - {id: 0, host: 0, inbox: {ipc: true, udp: '127.0.0.1:47000'}, adminPort: 47001}
              - {id: 1, host: 0, inbox: {ipc: true, udp: '127.0.0.1:47001'}, adminPort: 9401}
            """, "bad.yaml: cores[id=1].inbox.udp=127.0.0.1:47001 clashes with core 0's adminPort, where a core " +
            "binds its UDP doorbell on 127.0.0.1, on the same machine (address 127.0.0.1)");
        assertRejected("""
            hosts: [{id: 0, address: 127.0.0.1}]
            cores:
              - {id: 0, host: 0, inbox: {ipc: true, udp: '127.0.0.1:47000'}, adminPort: 9400}
              - {id: 1, host: 0, inbox: {ipc: true, udp: '0.0.0.0:47001'}, adminPort: 47001}
            """, "bad.yaml: cores[id=1].inbox.udp=0.0.0.0:47001 clashes with its own adminPort, where a core binds " +
            "its UDP doorbell on 127.0.0.1, on the same machine (address 127.0.0.1)");
        final ClusterMap elsewhere = ClusterMap.parse("""
            hosts: [{id: 0, address: 10.0.0.1}]
            cores:
              - {id: 0, host: 0, inbox: {udp: '10.0.0.1:47000'}, adminPort: 47000}
            """, "good.yaml", ClusterOverrides.NONE);
        assertThat(elsewhere.cores()).as("an inbox on another address leaves 127.0.0.1's port free").hasSize(1);
    }

    @Test
    void rejectsTheSameUdpEndpointTwice()
    {
        assertRejected("""
            hosts: [{id: 0}, {id: 1}]
            cores:
              - {id: 0, host: 0, inbox: {udp: 'a:40400'}, adminPort: 9400}
              - {id: 1, host: 1, inbox: {udp: 'a:40400'}, adminPort: 9400}
            """, "bad.yaml: cores[id=1].inbox.udp=a:40400 clashes with core 0 (same UDP endpoint)");
    }

    @Test
    void rejectsUnknownHostReference()
    {
        assertRejected(TWO_HOSTS + """
            cores: [{id: 0, host: 5, inbox: {ipc: true}, adminPort: 9400}]
            """, "bad.yaml: cores[id=0].host=5 is not a listed host (hosts: 0, 1)");
    }

    @Test
    void rejectsNegativeIds()
    {
        assertRejected("""
            hosts: [{id: 0}]
            cores:
              - {id: -1, host: 0, inbox: {ipc: true}, adminPort: 9400}
            """, "bad.yaml:3: cores[0].id=-1 is out of range 0..65535");
        assertRejected("""
            hosts: [{id: -2}]
            cores: [{id: 0, host: 0, inbox: {ipc: true}, adminPort: 9400}]
            """, "bad.yaml:1: hosts[0].id=-2 is out of range 0..65535");
    }

    @Test
    void rejectsOutOfRangePorts()
    {
        assertRejected("""
            hosts: [{id: 0}]
            cores: [{id: 0, host: 0, inbox: {ipc: true}, adminPort: 70000}]
            """, "bad.yaml:2: cores[0].adminPort=70000 is out of range 1..65535");
        assertRejected("""
            hosts: [{id: 0}]
            cores: [{id: 0, host: 0, inbox: {ipc: true}, adminPort: 99999999999999999999}]
            """, "bad.yaml:2: cores[0].adminPort=99999999999999999999 is out of range");
    }

    @Test
    void rejectsBadEndpointSyntax()
    {
        assertBadUdp("localhost", "cores[0].inbox.udp=localhost is not host:port");
        assertBadUdp("'host:abc'", "cores[0].inbox.udp=host:abc has a port that is not a number 1..65535");
        assertBadUdp("'host:0'", "cores[0].inbox.udp=host:0 has a port that is out of range 1..65535");
        assertBadUdp("'::1:40400'", "cores[0].inbox.udp=::1:40400 is not host:port (write IPv6 addresses as " +
            "[address]:port)");
        assertBadUdp("'ho st:40400'",
            "cores[0].inbox.udp=ho st:40400 has a host that is not a host name or IP address");
        assertBadUdp("':40400'", "cores[0].inbox.udp=:40400 is not host:port");
    }

    @Test
    void acceptsBracketedIpv6Endpoint()
    {
        final ClusterMap map = ClusterMap.parse("""
            hosts: [{id: 0}]
            cores: [{id: 0, host: 0, inbox: {udp: '[::1]:40400'}, adminPort: 9400}]
            """, "ok.yaml", ClusterOverrides.NONE);

        assertThat(map.core(0).inbox().udp()).contains(new UdpEndpoint("::1", 40400));
    }

    @Test
    void rejectsEmptyAndMissingCoreLists()
    {
        assertRejected("hosts: [{id: 0}]\ncores: []\n", "bad.yaml: cores is empty; a cluster needs at least one core");
        assertRejected("hosts: [{id: 0}]\n", "bad.yaml:1: cores is missing");
        assertRejected("hosts: [{id: 0}]\ncores:\n", "bad.yaml:1: cores is missing");
        assertRejected("hosts: []\ncores: [{id: 0, host: 0, inbox: {ipc: true}, adminPort: 9400}]\n",
            "bad.yaml: hosts is empty; list the host of every core");
    }

    @Test
    void rejectsUnknownKeysWithASuggestion()
    {
        assertRejected("""
            hosts: [{id: 0}]
            cores:
              - {id: 0, host: 0, inbox: {ipc: true}, adminPrt: 9400}
            """, "bad.yaml:3: cores[0].adminPrt is not a known key (did you mean adminPort?); " +
            "known keys: adminBind, adminPort, host, id, inbox");
        assertRejected("hostz: []\n", "bad.yaml:1: hostz is not a known key (did you mean hosts?); " +
            "known keys: cluster, cores, hosts, transport");
        assertRejected("""
            hosts: [{id: 0}]
            cores: [{id: 0, host: 0, inbox: {ipc: true, tcp: 'a:1'}, adminPort: 9400}]
            """, "bad.yaml:2: cores[0].inbox.tcp is not a known key (did you mean udp?); known keys: ipc, udp");
        assertRejected("transport: {termLength: 65536}\n",
            "bad.yaml:1: transport.termLength is not a known key; known keys: idleStrategy, secretFile, termLengthBytes");
        assertRejected("hosts: [{id: 0, adress: x}]\n", "bad.yaml:1: hosts[0].adress is not a known key " +
            "(did you mean address?); known keys: address, aeronDir, id, memory, memoryFile");
    }

    @Test
    void rejectsWrongTypes()
    {
        assertRejected("""
            hosts: [{id: 0}]
            cores: [{id: abc, host: 0, inbox: {ipc: true}, adminPort: 9400}]
            """, "bad.yaml:2: cores[0].id=abc is a string, expected an integer");
        assertRejected("""
            hosts: [{id: 0}]
            cores: [{id: 0, host: 0, inbox: {ipc: true}, adminPort: '9400'}]
            """, "bad.yaml:2: cores[0].adminPort='9400' is a string, expected an integer");
        assertRejected("""
            hosts: [{id: 0}]
            cores: [{id: 0, host: 0, inbox: {ipc: 'true'}, adminPort: 9400}]
            """, "bad.yaml:2: cores[0].inbox.ipc=true is a string, expected true or false");
        assertRejected("""
            hosts: [{id: 0}]
            cores: [{id: 1.5, host: 0, inbox: {ipc: true}, adminPort: 9400}]
            """, "bad.yaml:2: cores[0].id=1.5 is a decimal number, expected an integer");
        assertRejected("hosts: {id: 0}\n", "bad.yaml:1: hosts={...} is a mapping, expected a list");
        assertRejected("cluster: 42\n", "bad.yaml:1: cluster=42 is an integer, expected a string");
        assertRejected("hosts: [{id: 0, address: [a, b]}]\n", "bad.yaml:1: hosts[0].address=[...] is a list, " +
            "expected a string");
        assertRejected("- 1\n- 2\n", "bad.yaml:1: document=[...] is a list, expected a mapping of key: value");
        assertRejected("hosts: [{id: 0x10}]\n", "bad.yaml:1: hosts[0].id=0x10 is not a decimal integer");
    }

    @Test
    void rejectsInboxWithoutEndpoint()
    {
        assertRejected("""
            hosts: [{id: 0}]
            cores: [{id: 0, host: 0, inbox: {ipc: false}, adminPort: 9400}]
            """, "bad.yaml:2: cores[0].inbox offers no endpoint; set ipc: true, udp: host:port, or both");
        assertRejected("""
            hosts: [{id: 0}]
            cores: [{id: 0, host: 0, adminPort: 9400}]
            """, "bad.yaml:2: cores[0] has no inbox; add inbox: {ipc: true} or inbox: {udp: host:port}");
        assertRejected("""
            hosts: [{id: 0}]
            cores: [{id: 0, host: 0, inbox: ipc, adminPort: 9400}]
            """, "bad.yaml:2: cores[0].inbox=ipc is a string, expected a mapping of key: value");
    }

    @Test
    void rejectsCoresOtherHostsCannotReach()
    {
        assertRejected(TWO_HOSTS + """
            cores:
              - {id: 0, host: 0, inbox: {ipc: true}, adminPort: 9400}
              - {id: 1, host: 1, inbox: {ipc: true, udp: '10.0.0.2:40400'}, adminPort: 9400}
            """, "bad.yaml: cores[id=0].inbox=ipc has no udp endpoint, but core 1 on host 1 must reach it; " +
            "add inbox.udp");
    }

    @Test
    void rejectsMissingRequiredFields()
    {
        assertRejected("hosts: [{id: 0}]\ncores: [{host: 0, inbox: {ipc: true}, adminPort: 9400}]\n",
            "bad.yaml:2: cores[0].id is missing");
        assertRejected("hosts: [{id: 0}]\ncores: [{id: 0, host: 0, inbox: {ipc: true}}]\n",
            "bad.yaml:2: cores[0].adminPort is missing");
        assertRejected("hosts: [{id: 0}]\ncores: [{id: 0, host: ~, inbox: {ipc: true}, adminPort: 1}]\n",
            "bad.yaml:2: cores[0].host is missing");
    }

    @Test
    void rejectsDuplicateKeys()
    {
        assertRejected("""
            hosts: [{id: 0}]
            cores:
              - id: 0
                host: 0
                inbox: {ipc: true}
                adminPort: 9400
                adminPort: 9401
            """, "bad.yaml:7: cores[0].adminPort is given twice");
    }

    @Test
    void rejectsBadTransportSettings()
    {
        assertRejected("transport: {termLengthBytes: 100000}\n",
            "bad.yaml:1: transport.termLengthBytes=100000 is not a power of two");
        assertRejected("transport: {termLengthBytes: 1024}\n",
            "bad.yaml:1: transport.termLengthBytes=1024 is out of range 65536..1073741824");
        assertRejected("transport: {idleStrategy: spin}\n",
            "bad.yaml:1: transport.idleStrategy=spin is not one of " +
            "busy-spin, yielding, backoff, sleeping");
        assertRejected("transport: {idleStrategy: yield}\n",
            "bad.yaml:1: transport.idleStrategy=yield is not one of busy-spin, yielding, backoff, sleeping");
        assertRejected("transport: {secretFile: \"a\\0b\"}\n",
            "bad.yaml:1: transport.secretFile=a?b contains a control character");
        assertRejected("transport: {secretFile: \" \"}\n",
            "bad.yaml:1: transport.secretFile=  is blank; name the cluster secret's file");
    }

    @Test
    void rejectsHostMemoryOfTheWrongType()
    {
        assertRejected("hosts: [{id: 0, memory: true}]\n",
            "bad.yaml:1: hosts[0].memory=true is a boolean, expected a size such as 16777216, 64k or 16m");
        assertRejected("hosts: [{id: 0, memory: 1.5}]\n",
            "bad.yaml:1: hosts[0].memory=1.5 is a decimal number, expected a size such as 16777216, 64k or 16m");
        assertRejected("hosts: [{id: 0, memory: [16m]}]\n",
            "bad.yaml:1: hosts[0].memory=[...] is a list, expected a size such as 16777216, 64k or 16m");
        assertRejected("hosts: [{id: 0, memoryFile: 42}]\n",
            "bad.yaml:1: hosts[0].memoryFile=42 is an integer, expected a string");
    }

    @Test
    void rejectsHostMemoryThatIsNotASize()
    {
        final String expected = " is not a size: expected bytes, or a number with a k, m or g suffix";
        assertRejected("hosts: [{id: 0, memory: 16x}]\n", "bad.yaml:1: hosts[0].memory=16x" + expected);
        assertRejected("hosts: [{id: 0, memory: 1.5m}]\n", "bad.yaml:1: hosts[0].memory=1.5m" + expected);
        assertRejected("hosts: [{id: 0, memory: 16mb}]\n", "bad.yaml:1: hosts[0].memory=16mb" + expected);
        assertRejected("hosts: [{id: 0, memory: -4k}]\n", "bad.yaml:1: hosts[0].memory=-4k" + expected);
        assertRejected("hosts: [{id: 0, memory: ''}]\n", "bad.yaml:1: hosts[0].memory=" + expected);
        assertRejected("hosts: [{id: 0, memory: 0x1000}]\n", "bad.yaml:1: hosts[0].memory=0x1000 is not a decimal integer");
    }

    @Test
    void rejectsHostMemoryOutOfRange()
    {
        assertRejected("hosts: [{id: 0, memory: 0}]\n",
            "bad.yaml:1: hosts[0].memory=0 is out of range 4096..1073741824");
        assertRejected("hosts: [{id: 0, memory: -4096}]\n",
            "bad.yaml:1: hosts[0].memory=-4096 is out of range 4096..1073741824");
        assertRejected("hosts: [{id: 0, memory: 2g}]\n",
            "bad.yaml:1: hosts[0].memory=2g is out of range 4096..1073741824");
        assertRejected("hosts: [{id: 0, memory: 99999999999g}]\n", "bad.yaml:1: hosts[0].memory=99999999999g " +
            "is not a size: expected bytes, or a number with a k, m or g suffix");
        assertRejected("hosts: [{id: 0, memory: 99999999999999999999}]\n",
            "bad.yaml:1: hosts[0].memory=99999999999999999999 is out of range");
    }

    @Test
    void rejectsHostMemoryThatIsNotWholePages()
    {
        assertRejected("hosts: [{id: 0, memory: 4097}]\n",
            "bad.yaml:1: hosts[0].memory=4097 is not a multiple of the 4096-byte page");
        assertRejected("hosts: [{id: 0, memory: 6k}]\n",
            "bad.yaml:1: hosts[0].memory=6k is not a multiple of the 4096-byte page");
    }

    @Test
    void rejectsBadMemoryFiles()
    {
        assertRejected("hosts: [{id: 0, memoryFile: ''}]\n",
            "bad.yaml:1: hosts[0].memoryFile= must be 1..4096 characters");
        assertRejected("hosts: [{id: 0, memoryFile: \"/dev/shm/a\\tb\"}]\n",
            "bad.yaml:1: hosts[0].memoryFile=/dev/shm/a?b contains a control character");
        assertRejected("hosts: [{id: 0, memoryFile: '" + "m".repeat(4097) + "'}]\n",
            "bad.yaml:1: hosts[0].memoryFile=" + "m".repeat(60) + "... must be 1..4096 characters");
    }

    @Test
    void rejectsAHostWithLessThanAPagePerCore()
    {
        assertRejected("""
            hosts: [{id: 0, memory: 8k}]
            cores:
              - {id: 0, host: 0, inbox: {ipc: true}, adminPort: 9400}
              - {id: 1, host: 0, inbox: {ipc: true}, adminPort: 9401}
              - {id: 2, host: 0, inbox: {ipc: true}, adminPort: 9402}
            """, "bad.yaml: hosts[id=0].memory=8192 holds 2 page(s) of 4096 bytes, fewer than its 3 cores; " +
            "give the host at least 12288 bytes");
    }

    @Test
    void rejectsTwoHostsOfOneMachineMappingOneMemoryFile()
    {
        assertRejected("""
            hosts:
              - {id: 0, address: 127.0.0.1, memoryFile: /dev/shm/mk.memory}
              - {id: 1, address: 127.0.0.1, memoryFile: /dev/shm/mk.memory}
            cores:
              - {id: 0, host: 0, inbox: {ipc: true, udp: '127.0.0.1:40400'}, adminPort: 9400}
              - {id: 1, host: 1, inbox: {ipc: true, udp: '127.0.0.1:40401'}, adminPort: 9401}
            """, "bad.yaml: hosts[id=1].memoryFile=/dev/shm/mk.memory clashes with host 0 on the same machine " +
            "(address 127.0.0.1)");
    }

    @Test
    void rejectsAHostWhoseMemoryFileIsAnotherHostsDefaultOne()
    {
        assertRejected("""
            hosts:
              - {id: 0, address: 127.0.0.1, aeronDir: /dev/shm/a}
              - {id: 1, address: 127.0.0.1, memoryFile: /dev/shm/a.memory}
            cores:
              - {id: 0, host: 0, inbox: {ipc: true, udp: '127.0.0.1:40400'}, adminPort: 9400}
              - {id: 1, host: 1, inbox: {ipc: true, udp: '127.0.0.1:40401'}, adminPort: 9401}
            """, "bad.yaml: hosts[id=1].memoryFile=/dev/shm/a.memory clashes with host 0 on the same machine " +
            "(address 127.0.0.1)");
        assertRejected("""
            hosts:
              - {id: 0, address: 127.0.0.1, memoryFile: /dev/shm/b.memory}
              - {id: 1, address: 127.0.0.1, aeronDir: /dev/shm/b}
            cores:
              - {id: 0, host: 0, inbox: {ipc: true, udp: '127.0.0.1:40400'}, adminPort: 9400}
              - {id: 1, host: 1, inbox: {ipc: true, udp: '127.0.0.1:40401'}, adminPort: 9401}
            """, "bad.yaml: hosts[id=1] would map memory file /dev/shm/b.memory (its aeronDir + .memory), as host 0 " +
            "does on the same machine (address 127.0.0.1); give each host its own aeronDir or memoryFile");
    }

    @Test
    void rejectsBadNamesAndAddresses()
    {
        assertRejected("cluster: My Cluster\n",
            "bad.yaml:1: cluster=My Cluster must be lower-case letters, digits and '-'");
        assertRejected("hosts: [{id: 0, address: 'a b'}]\n",
            "bad.yaml:1: hosts[0].address=a b is not a host name or IP address");
        assertRejected("hosts: [{id: 0, aeronDir: ''}]\n",
            "bad.yaml:1: hosts[0].aeronDir= must be 1..4096 characters");
    }

    @Test
    void rejectsInvalidYamlAndEmptyDocuments()
    {
        assertThat(reject("hosts: [{id: 0\n")).startsWith("bad.yaml:2: is not valid YAML: ");
        assertRejected("", "bad.yaml: is empty; expected hosts and cores");
        assertRejected("# only a comment\n", "bad.yaml: is empty; expected hosts and cores");
    }

    @Test
    void rejectsMissingAndOversizedFiles(@TempDir final Path directory) throws IOException
    {
        final Path missing = directory.resolve("missing.yaml");
        assertThat(catchThrowableOfType(ClusterMapException.class, () -> ClusterMap.load(missing)))
            .hasMessage("cannot read cluster map " + missing + ": no such file");
        assertThat(catchThrowableOfType(ClusterMapException.class, () -> ClusterMap.load(directory)))
            .hasMessage("cannot read cluster map " + directory + ": it is a directory; name the map's file (mk up " +
                "writes cluster.yaml in its run directory)");
        assertThat(catchThrowableOfType(ClusterMapException.class, () -> ClusterMap.load(Path.of(""))))
            .hasMessage("the cluster map's path is empty: name a file");

        final Path huge = directory.resolve("huge.yaml");
        Files.writeString(huge, "#".repeat(ClusterLimits.CLUSTER_MAP_LENGTH_MAX_BYTES + 1));
        assertThat(catchThrowableOfType(ClusterMapException.class, () -> ClusterMap.load(huge)))
            .hasMessage(huge + ": is 1048577 bytes, more than CLUSTER_MAP_LENGTH_MAX_BYTES=1048576");
    }

    private static void assertBadUdp(final String udp, final String expectedFieldMessage)
    {
        assertRejected("hosts: [{id: 0}]\ncores: [{id: 0, host: 0, inbox: {udp: " + udp + "}, adminPort: 9400}]\n",
            "bad.yaml:2: " + expectedFieldMessage);
    }

    private static void assertRejected(final String yaml, final String expectedMessage)
    {
        assertThat(reject(yaml)).isEqualTo(expectedMessage);
    }

    private static String reject(final String yaml)
    {
        final ClusterMapException ex = catchThrowableOfType(
            ClusterMapException.class, () -> ClusterMap.parse(yaml, "bad.yaml", ClusterOverrides.NONE));
        assertThat(ex).as("expected a rejection of:%n%s", yaml).isNotNull();
        assertThat(ex.getMessage()).doesNotContain("\n").doesNotContain("\r");
        return ex.getMessage();
    }
}
