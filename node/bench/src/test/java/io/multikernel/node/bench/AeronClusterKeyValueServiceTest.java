package io.multikernel.node.bench;

import io.multikernel.replication.wal.FsyncPolicy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Aeron Cluster peer's pure parts: the write layout and the map every member applies it to,
 * the members string and the fsync mapping (the running cluster is tested in it-tests).
 */
class AeronClusterKeyValueServiceTest
{
    @Test
    void aWriteEncodedIsAppliedToTheMapAndAnswersWithItsCorrelationId()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[128]);
        final AeronClusterKeyValueService service = new AeronClusterKeyValueService();

        final int length = AeronClusterKeyValueService.encodeWrite(buffer, 42, "k7", new byte[] {1, 2, 3});
        assertThat(length).isEqualTo(AeronClusterKeyValueService.KEY_OFFSET + 2 + 3);
        assertThat(service.apply(buffer, 0, length)).isEqualTo(42);
        assertThat(service.value("k7")).containsExactly(1, 2, 3);

        final int second = AeronClusterKeyValueService.encodeWrite(buffer, 43, "k7", new byte[] {9});
        assertThat(service.apply(buffer, 0, second)).isEqualTo(43);
        assertThat(service.value("k7")).containsExactly(9);
        assertThat(service.size()).isEqualTo(1);
        assertThat(service.writesApplied()).isEqualTo(2);
    }

    @Test
    void malformedWritesAreRejectedNamingTheLengths()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        final AeronClusterKeyValueService service = new AeronClusterKeyValueService();
        assertThatThrownBy(() -> service.apply(buffer, 0, 4))
            .hasMessage("write of 4 bytes is shorter than its 12-byte header");
        buffer.putInt(AeronClusterKeyValueService.KEY_LENGTH_OFFSET, 40, java.nio.ByteOrder.LITTLE_ENDIAN);
        assertThatThrownBy(() -> service.apply(buffer, 0, 20))
            .hasMessage("key length 40 does not fit a 20-byte write");
        assertThat(service.size()).isZero();
    }

    @Test
    void membersStringNamesFiveLoopbackEndpointsPerMemberAndTheClientGetsEachIngress()
    {
        final int[] ports = new int[15];
        for (int i = 0; i < ports.length; i++)
        {
            ports[i] = 20_000 + i;
        }
        assertThat(AeronClusterReplicatedWrites.clusterMembers(ports)).isEqualTo(
            "0,127.0.0.1:20000,127.0.0.1:20001,127.0.0.1:20002,127.0.0.1:20003,127.0.0.1:20004|" +
            "1,127.0.0.1:20005,127.0.0.1:20006,127.0.0.1:20007,127.0.0.1:20008,127.0.0.1:20009|" +
            "2,127.0.0.1:20010,127.0.0.1:20011,127.0.0.1:20012,127.0.0.1:20013,127.0.0.1:20014");
        assertThat(AeronClusterReplicatedWrites.ingressEndpoints(ports))
            .isEqualTo("0=127.0.0.1:20000,1=127.0.0.1:20005,2=127.0.0.1:20010");
    }

    @Test
    void fsyncNoneForcesNothingAndGroupAndAlwaysForceTheArchive()
    {
        assertThat(AeronClusterReplicatedWrites.fileSyncLevel(FsyncPolicy.NONE)).isZero();
        assertThat(AeronClusterReplicatedWrites.fileSyncLevel(FsyncPolicy.GROUP)).isEqualTo(1);
        assertThat(AeronClusterReplicatedWrites.fileSyncLevel(FsyncPolicy.ALWAYS)).isEqualTo(2);
    }

    @Test
    void systemParsesByItsNameAndTheErrorListsEverySystem()
    {
        assertThat(ReplicatedWriteSystems.parse(" Aeron-Cluster ")).isEqualTo(ReplicatedWriteSystems.AERON_CLUSTER);
        assertThat(ReplicatedWriteSystems.AERON_CLUSTER.replicaCounts(java.util.List.of(3, 4))).containsExactly(3);
        assertThatThrownBy(() -> ReplicatedWriteSystems.parse("etcd"))
            .hasMessage("system 'etcd' is not one of multikernel, zookeeper, aeron-cluster");
        assertThatThrownBy(() -> AeronClusterMemberProcess.idleStrategy("spin"))
            .hasMessage("idle strategy 'spin' is not one of backoff, yielding");
    }
}
