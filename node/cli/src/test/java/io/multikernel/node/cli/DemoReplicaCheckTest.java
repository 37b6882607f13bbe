package io.multikernel.node.cli;

import io.multikernel.node.launcher.StrictJson;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How the demo compares page-table replicas from {@code GET /domains}, reads TLB counters from
 * {@code /metrics}, and plans its domains.
 */
class DemoReplicaCheckTest
{
    private static String domains(final int core, final String fingerprint, final String cores)
    {
        return "{\"core\":" + core + ",\"count\":1,\"tlb\":{\"entries\":3,\"hits\":10,\"misses\":2,\"invalidations\":1}," +
            "\"protocol\":\"multicast\",\"domains\":[{\"domain\":5,\"root\":77,\"cores\":" + cores + ",\"version\":4," +
            "\"fingerprint\":\"" + fingerprint + "\",\"mappings\":[{\"mapping\":9,\"vaddr\":4096,\"length\":4096,\"frame\":8," +
            "\"frame_offset\":0,\"rights\":\"read\"}],\"leaves\":[{\"leaf\":0,\"vaddr\":0,\"vnode\":10,\"pages\":1}]}]}";
    }

    private static VmApi.Listing read(final String json)
    {
        return StrictJson.read(json, VmApi.Listing.class, "test");
    }

    @Test
    void equalFingerprintsOnExactlyTheDomainsCoresAgree()
    {
        final VmApi.Listing zero = read(domains(0, "ab", "[0,1]"));
        assertThat(zero.tlb().hits()).isEqualTo(10);
        assertThat(DemoReplicaCheck.pageTableProblems(Map.of(0, zero, 1, read(domains(1, "ab", "[0,1]"))))).isEmpty();
    }

    @Test
    void differingFingerprintsOrHoldersAreProblems()
    {
        assertThat(DemoReplicaCheck.pageTableProblems(Map.of(0, read(domains(0, "ab", "[0,1]")),
            1, read(domains(1, "cd", "[0,1]"))))).containsExactly("domain 5's page-table fingerprints differ: {0=ab, 1=cd}");
        assertThat(DemoReplicaCheck.pageTableProblems(Map.of(0, read(domains(0, "ab", "[0,1,2]")),
            1, read(domains(1, "ab", "[0,1,2]"))))).containsExactly("domain 5 is held by cores [0, 1] but core 0 says it " +
            "runs on [0, 1, 2]");
    }

    @Test
    void metricsAreSummedOverLabelsAndOtherNamesIgnored()
    {
        final String page = "# HELP mk_vm_tlb_hits_total Translations\n# TYPE mk_vm_tlb_hits_total counter\n" +
            "mk_vm_tlb_hits_total 12.0\nmk_vm_tlb_hits_total_other 99.0\nmk_vm_tlb_misses_total{core=\"1\"} 3.0\n" +
            "mk_vm_tlb_misses_total{core=\"2\"} 4.0\n";
        assertThat(DemoReplicaCheck.metric(page, "mk_vm_tlb_hits_total")).isEqualTo(12);
        assertThat(DemoReplicaCheck.metric(page, "mk_vm_tlb_misses_total")).isEqualTo(7);
        assertThat(DemoReplicaCheck.metric(page, "mk_absent_total")).isZero();
    }

    @Test
    void theDomainPlanHasAHomeDomainAndOneMorePerCoreEachCreatedByOneOfItsCores()
    {
        final List<DemoRegistry.Plan> four = DemoRegistry.plan(4);
        assertThat(four).hasSize(5);
        assertThat(four.get(0).home()).isTrue();
        assertThat(four.get(0).cores()).containsExactly(0, 1, 2, 3);
        assertThat(four.get(4).cores()).containsExactly(0, 3);
        for (final DemoRegistry.Plan plan : four)
        {
            assertThat(plan.cores()).contains(plan.creator());
        }
        assertThat(DemoRegistry.plan(2).get(2).cores()).containsExactly(1);
    }
}
