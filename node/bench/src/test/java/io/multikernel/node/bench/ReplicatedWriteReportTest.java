package io.multikernel.node.bench;

import com.fasterxml.jackson.core.type.TypeReference;
import io.multikernel.node.launcher.StrictJson;
import io.multikernel.replication.wal.FsyncPolicy;
import org.agrona.concurrent.SystemNanoClock;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The table, the JSON rows and the multikernel/ZooKeeper ratios with their targets.
 */
class ReplicatedWriteReportTest
{
    private static final ReplicatedWriteBenchmark.Config CONFIG = new ReplicatedWriteBenchmark.Config(
        List.of(ReplicatedWriteSystems.MULTIKERNEL, ReplicatedWriteSystems.ZOOKEEPER),
        List.of(FsyncPolicy.NONE, FsyncPolicy.GROUP), List.of(3, 4), 1000, 100, 7, 5, 256, 32, 1, Path.of("run"), false,
        new SystemNanoClock());

    private static final ReplicatedWriteResult ZK_NONE =
        new ReplicatedWriteResult("zookeeper", FsyncPolicy.NONE, 3, 600_000, 7_000_000, 7_000);
    private static final ReplicatedWriteResult ZK_GROUP =
        new ReplicatedWriteResult("zookeeper", FsyncPolicy.GROUP, 3, 1_100_000, 9_000_000, 3_700);
    private static final ReplicatedWriteResult MK_NONE_3 =
        new ReplicatedWriteResult("multikernel", FsyncPolicy.NONE, 3, 15_000, 90_000, 280_000);
    private static final ReplicatedWriteResult MK_NONE_4 =
        new ReplicatedWriteResult("multikernel", FsyncPolicy.NONE, 4, 90_000, 200_000, 50_000);
    private static final ReplicatedWriteResult MK_GROUP_3 =
        new ReplicatedWriteResult("multikernel", FsyncPolicy.GROUP, 3, 1_200_000, 3_000_000, 20_000);
    private static final ReplicatedWriteResult AC_NONE =
        new ReplicatedWriteResult("aeron-cluster", FsyncPolicy.NONE, 3, 200_000, 400_000, 70_000);
    private static final ReplicatedWriteResult AC_GROUP =
        new ReplicatedWriteResult("aeron-cluster", FsyncPolicy.GROUP, 3, 1_000_000, 2_000_000, 30_000);
    /** One raw round trip of 5 us: the critical path's floor is 10 us. */
    private static final PingPongResult FLOOR = new PingPongResult(5_000, 6_000, 8_000, 20_000, 50_000, 1.0);

    @Test
    void ratiosCompareEachOfOurRowsWithZooKeeperAtTheSameFsync()
    {
        final List<ReplicatedWriteReport.Ratio> ratios =
            ReplicatedWriteReport.ratios(List.of(ZK_NONE, MK_NONE_3, MK_NONE_4, ZK_GROUP, MK_GROUP_3));

        assertThat(ratios).hasSize(3);
        assertThat(ratios).extracting(ReplicatedWriteReport.Ratio::peer).containsOnly("zookeeper");
        final ReplicatedWriteReport.Ratio none3 = ratios.get(0);
        assertThat(none3.fsync()).isEqualTo(FsyncPolicy.NONE);
        assertThat(none3.replicas()).isEqualTo(3);
        assertThat(none3.p50Ratio()).isCloseTo(0.025, within(1e-9));
        assertThat(none3.p50RatioTargetMax()).isCloseTo(1.0 / 30, within(1e-12));
        assertThat(none3.throughputRatio()).isCloseTo(40.0, within(1e-9));
        assertThat(none3.throughputRatioTargetMin()).isEqualTo(30.0);
        assertThat(none3.targetsMet()).isTrue();

        final ReplicatedWriteReport.Ratio none4 = ratios.get(1);
        assertThat(none4.p50Ratio()).isCloseTo(0.15, within(1e-9));
        assertThat(none4.p50Met()).isFalse();
        assertThat(none4.throughputMet()).isFalse();

        final ReplicatedWriteReport.Ratio group3 = ratios.get(2);
        assertThat(group3.p50RatioTargetMax()).isEqualTo(ReplicatedWriteReport.FSYNC_P50_RATIO_TARGET_MAX);
        assertThat(group3.p50Met()).isFalse();
        assertThat(group3.throughputRatioTargetMin()).isZero();
        assertThat(group3.throughputMet()).isTrue();
    }

    @Test
    void ratiosAgainstAeronClusterHaveItsOwnTargetsAndFollowZooKeepers()
    {
        final List<ReplicatedWriteReport.Ratio> ratios = ReplicatedWriteReport.ratios(
            List.of(MK_NONE_3, MK_NONE_4, ZK_NONE, AC_NONE, MK_GROUP_3, AC_GROUP));

        assertThat(ratios).extracting(ReplicatedWriteReport.Ratio::peer)
            .containsExactly("zookeeper", "zookeeper", "aeron-cluster", "aeron-cluster", "aeron-cluster");
        final ReplicatedWriteReport.Ratio none3 = ratios.get(2);
        assertThat(none3.replicas()).isEqualTo(3);
        assertThat(none3.p50Ratio()).isCloseTo(0.075, within(1e-9));
        assertThat(none3.p50RatioTargetMax()).isEqualTo(0.1);
        assertThat(none3.throughputRatio()).isCloseTo(4.0, within(1e-9));
        assertThat(none3.throughputRatioTargetMin()).isEqualTo(3.0);
        assertThat(none3.targetsMet()).isTrue();

        final ReplicatedWriteReport.Ratio none4 = ratios.get(3);
        assertThat(none4.p50Ratio()).isCloseTo(0.45, within(1e-9));
        assertThat(none4.p50Met()).isFalse();
        assertThat(none4.throughputMet()).isFalse();

        final ReplicatedWriteReport.Ratio group3 = ratios.get(4);
        assertThat(group3.fsync()).isEqualTo(FsyncPolicy.GROUP);
        assertThat(group3.p50Ratio()).isCloseTo(1.2, within(1e-9));
        assertThat(group3.p50RatioTargetMax()).isEqualTo(ReplicatedWriteReport.FSYNC_P50_RATIO_TARGET_MAX);
        assertThat(group3.p50Met()).isFalse();
        assertThat(group3.throughputRatioTargetMin()).isZero();
    }

    @Test
    void floorRatiosAreOurP50AtFsyncNoneOverTwoRawRoundTrips()
    {
        final List<ReplicatedWriteReport.FloorRatio> ratios =
            ReplicatedWriteReport.floorRatios(List.of(ZK_NONE, MK_NONE_3, MK_NONE_4, MK_GROUP_3, AC_NONE), FLOOR);

        assertThat(ratios).extracting(ReplicatedWriteReport.FloorRatio::replicas).containsExactly(3, 4);
        assertThat(ratios.get(0).p50Ratio()).isCloseTo(1.5, within(1e-9));
        assertThat(ratios.get(0).p50RatioTargetMax()).isEqualTo(1.5);
        assertThat(ratios.get(0).targetMet()).as("the target is inclusive").isTrue();
        assertThat(ratios.get(1).p50Ratio()).isCloseTo(9.0, within(1e-9));
        assertThat(ratios.get(1).targetMet()).isFalse();

        final String table = new ReplicatedWriteReport(CONFIG).table(new ReplicatedWriteBenchmark.Results(
            List.of(MK_NONE_3, MK_NONE_4, ZK_NONE), Optional.of(FLOOR)));
        assertThat(table).containsPattern("floor +- +- +none +5\\.00 +8\\.00 +-  \\(one raw Aeron IPC round trip\\)");
        assertThat(table).contains("ratios multikernel/floor (2 raw round trips, 10.00 us):",
            "  fsync=none   replicas=3: p50 1.50 (target <= 1.50, met)",
            "  fsync=none   replicas=4: p50 9.00 (target <= 1.50, MISSED)");
        assertThat(new ReplicatedWriteReport(CONFIG).table(ReplicatedWriteBenchmark.Results.of(List.of(MK_NONE_3, ZK_NONE))))
            .as("no floor line when it was not measured").doesNotContain("floor");
    }

    @Test
    @SuppressWarnings("unchecked")
    void jsonCarriesTheFloorOnlyWhenItWasMeasured()
    {
        final ReplicatedWriteReport report = new ReplicatedWriteReport(CONFIG);
        final String text = report.json(new ReplicatedWriteBenchmark.Results(List.of(MK_NONE_3, MK_GROUP_3), Optional.of(FLOOR)));
        final Map<String, Object> json = StrictJson.read(text, new TypeReference<Map<String, Object>>()
        {
        }, "the report");
        final Map<String, Object> floor = (Map<String, Object>)json.get("floor");
        assertThat(floor).containsEntry("rtt_p50_us", 5.0).containsEntry("rtt_p99_us", 8.0)
            .containsEntry("critical_path_us", 10.0);
        assertThat((List<Map<String, Object>>)floor.get("ratios")).singleElement().isEqualTo(Map.of("replicas", 3L,
            "p50_ratio", 1.5, "p50_ratio_target_max", 1.5, "target_met", true));
        final ReplicatedWriteReport.Document document = StrictJson.read(text, ReplicatedWriteReport.Document.class, "the report");
        assertThat(document.floor().criticalPathUs()).isEqualTo(10.0);

        assertThat(StrictJson.read(report.json(ReplicatedWriteBenchmark.Results.of(List.of(MK_NONE_3))), new TypeReference<Map<String, Object>>()
        {
        }, "the report")).doesNotContainKey("floor");
    }

    @Test
    void noRatiosWithoutOursAndAPeerAtOneFsync()
    {
        assertThat(ReplicatedWriteReport.ratios(List.of(ZK_NONE, ZK_GROUP, AC_NONE))).isEmpty();
        assertThat(ReplicatedWriteReport.ratios(List.of(MK_GROUP_3, ZK_NONE, AC_NONE))).isEmpty();
        assertThat(new ReplicatedWriteReport(CONFIG).table(ReplicatedWriteBenchmark.Results.of(List.of(ZK_NONE))))
            .contains("no ratios against a peer: multikernel and a peer system must be measured at the same fsync setting");
    }

    @Test
    void tableShowsEveryRowTheZooKeeperMappingAndTheTargets()
    {
        final String table = new ReplicatedWriteReport(CONFIG).table(ReplicatedWriteBenchmark.Results.of(List.of(ZK_NONE, MK_NONE_3, MK_NONE_4, ZK_GROUP, MK_GROUP_3)));

        assertThat(table).contains("32-byte value", "256 in flight", "1000 measured after 100 warmup",
            "measured for 5 s", "7 s of pipelined writes unmeasured");
        assertThat(table).contains("ZooKeeper always group-commits", "CPU placement none");
        assertThat(table).containsPattern("zookeeper +none +3 forceSync=no +600\\.0 +7000\\.0 +7,000");
        assertThat(table).containsPattern("zookeeper +group +3 forceSync=yes +1100\\.0 +9000\\.0 +3,700");
        assertThat(table).containsPattern("multikernel +none +4 wal fsync=none +90\\.0 +200\\.0 +50,000");
        assertThat(table).contains("ratios multikernel/zookeeper:");
        assertThat(table).contains("fsync=none   replicas=3: p50 0.025 (target <= 0.033, met), throughput 40.00 (target >= 30, met)");
        assertThat(table).contains("fsync=none   replicas=4: p50 0.150 (target <= 0.033, MISSED), throughput 7.14 (target >= 30, MISSED)");
        assertThat(table).contains("fsync=group  replicas=3: p50 1.091 (target <= 1.000, MISSED), throughput 5.41 (no target)");
    }

    @Test
    @SuppressWarnings("unchecked")
    void jsonHasOneRowPerResultWithTheIssuesFieldsAndTheRatios()
    {
        final String text = new ReplicatedWriteReport(CONFIG).json(ReplicatedWriteBenchmark.Results.of(List.of(ZK_NONE, MK_NONE_3, ZK_GROUP)));
        final Map<String, Object> json = StrictJson.read(text, new TypeReference<Map<String, Object>>()
        {
        }, "the report");

        final Map<String, Object> config = (Map<String, Object>)json.get("config");
        assertThat(config).containsEntry("inflight", 256L).containsEntry("zookeeper_servers", 3L).containsEntry("cpus", "none")
            .containsEntry("warmup_seconds", 7L).containsEntry("throughput_seconds", 5L);
        final List<Map<String, Object>> rows = (List<Map<String, Object>>)json.get("rows");
        assertThat(rows).hasSize(3);
        assertThat(rows.get(0)).containsExactly(Map.entry("system", "zookeeper"), Map.entry("fsync", "none"),
            Map.entry("replicas", 3L), Map.entry("p50_us", 600.0), Map.entry("p99_us", 7000.0),
            Map.entry("throughput_per_s", 7000.0));
        assertThat(rows.get(1)).containsEntry("system", "multikernel").containsEntry("p50_us", 15.0);
        assertThat(rows.get(2)).containsEntry("fsync", "group");

        final List<Map<String, Object>> ratios = (List<Map<String, Object>>)json.get("ratios");
        assertThat(ratios).hasSize(1);
        assertThat(ratios.get(0)).containsEntry("peer", "zookeeper").containsEntry("fsync", "none").containsEntry("replicas", 3L)
            .containsEntry("p50_ratio", 0.025).containsEntry("throughput_ratio", 40.0)
            .containsEntry("throughput_ratio_target_min", 30.0).containsEntry("targets_met", true);
    }

    @Test
    void jsonIsTheReportAsItWasWrittenAndReadsBackAsADocument()
    {
        final ReplicatedWriteResult mkNone3 =
            new ReplicatedWriteResult("multikernel", FsyncPolicy.NONE, 3, 30_123, 90_456, 140_000.123456);
        final String text = new ReplicatedWriteReport(CONFIG).json(ReplicatedWriteBenchmark.Results.of(List.of(ZK_NONE, mkNone3, MK_NONE_4, ZK_GROUP, MK_GROUP_3)));

        // Byte for byte what the hand-written JSON writer produced for these rows: README and users read --json files.
        assertThat(text).isEqualTo(
            "{\"config\":{\"ops\":1000,\"warmup_ops\":100,\"warmup_seconds\":7,\"throughput_seconds\":5,\"inflight\":256," +
            "\"payload_bytes\":32,\"repeat\":1,\"zookeeper_servers\":3,\"cpus\":\"none\"}," +
            "\"rows\":[{\"system\":\"zookeeper\",\"fsync\":\"none\",\"replicas\":3,\"p50_us\":600.0000,\"p99_us\":7000.0000," +
            "\"throughput_per_s\":7000.0000},{\"system\":\"multikernel\",\"fsync\":\"none\",\"replicas\":3,\"p50_us\":30.1230," +
            "\"p99_us\":90.4560,\"throughput_per_s\":140000.1235},{\"system\":\"multikernel\",\"fsync\":\"none\"," +
            "\"replicas\":4,\"p50_us\":90.0000,\"p99_us\":200.0000,\"throughput_per_s\":50000.0000}," +
            "{\"system\":\"zookeeper\",\"fsync\":\"group\",\"replicas\":3,\"p50_us\":1100.0000,\"p99_us\":9000.0000," +
            "\"throughput_per_s\":3700.0000},{\"system\":\"multikernel\",\"fsync\":\"group\",\"replicas\":3,\"p50_us\":1200.0000," +
            "\"p99_us\":3000.0000,\"throughput_per_s\":20000.0000}],\"ratios\":[{\"peer\":\"zookeeper\",\"fsync\":\"none\",\"replicas\":3," +
            "\"p50_ratio\":0.0502,\"p50_ratio_target_max\":0.0333,\"throughput_ratio\":20.0000,\"throughput_ratio_target_min\":30.0000," +
            "\"targets_met\":false},{\"peer\":\"zookeeper\",\"fsync\":\"none\",\"replicas\":4,\"p50_ratio\":0.1500,\"p50_ratio_target_max\":0.0333," +
            "\"throughput_ratio\":7.1429,\"throughput_ratio_target_min\":30.0000,\"targets_met\":false}," +
            "{\"peer\":\"zookeeper\",\"fsync\":\"group\",\"replicas\":3,\"p50_ratio\":1.0909,\"p50_ratio_target_max\":1.0000,\"throughput_ratio\":5.4054," +
            "\"targets_met\":false}]}");
        final ReplicatedWriteReport.Document document = StrictJson.read(text, ReplicatedWriteReport.Document.class, "the report");
        assertThat(document.rows()).hasSize(5);
        assertThat(document.rows().get(1)).isEqualTo(new ReplicatedWriteReport.Row("multikernel", "none", 3, 30.123, 90.456,
            140_000.1235));
        assertThat(document.ratios()).extracting(ReplicatedWriteReport.RatioRow::throughputRatioTargetMin)
            .containsExactly(30.0, 30.0, null);
        assertThat(StrictJson.write(document)).isEqualTo(text);
    }

    @Test
    void medianOfRepeatsIsPerFieldAndRefusesMixedConfigurations()
    {
        final ReplicatedWriteResult median = ReplicatedWriteResult.median(List.of(
            new ReplicatedWriteResult("zookeeper", FsyncPolicy.NONE, 3, 300, 9_000, 5_000),
            new ReplicatedWriteResult("zookeeper", FsyncPolicy.NONE, 3, 100, 7_000, 9_000),
            new ReplicatedWriteResult("zookeeper", FsyncPolicy.NONE, 3, 200, 8_000, 1_000)));
        assertThat(median).isEqualTo(new ReplicatedWriteResult("zookeeper", FsyncPolicy.NONE, 3, 200, 8_000, 5_000));

        assertThatThrownBy(() -> ReplicatedWriteResult.median(List.of(ZK_NONE, ZK_GROUP)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("different configurations");
        assertThatThrownBy(() -> ReplicatedWriteResult.median(List.of()))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no runs");
    }

    @Test
    void zooKeeperForceSyncFollowsOurFsyncSetting()
    {
        assertThat(ZooKeeperReplicatedWrites.forceSync(FsyncPolicy.NONE)).isFalse();
        assertThat(ZooKeeperReplicatedWrites.forceSync(FsyncPolicy.GROUP)).isTrue();
        assertThat(ZooKeeperReplicatedWrites.forceSync(FsyncPolicy.ALWAYS)).isTrue();
        assertThat(ReplicatedWriteSystems.ZOOKEEPER.replicaCounts(List.of(3, 4, 5))).containsExactly(3);
        assertThat(ReplicatedWriteSystems.MULTIKERNEL.replicaCounts(List.of(3, 4))).containsExactly(3, 4);
    }
}
