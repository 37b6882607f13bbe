package io.multikernel.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.multikernel.node.skb.RoutingProtocol;
import io.multikernel.node.vm.VmCalls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The summary {@code mk demo} prints and writes: the verdict's reasons, the text and the JSON fields
 * other tools read.
 */
class DemoSummaryTest
{
    @TempDir
    Path tempDir;

    private static VmCalls.Call ok(final long issuedNs, final long answeredNs, final long value)
    {
        return new VmCalls.Call(true, -1, null, value, new byte[0], issuedNs, answeredNs);
    }

    private static DemoSummary summary(final long stale, final boolean consistent, final Double tlbHitRate)
    {
        final DemoStats.Local local = new DemoStats.Local();
        for (int i = 1; i <= 100; i++)
        {
            local.record("load", ok(0, i * 1_000L, 0));
        }
        local.recordUnmap(RoutingProtocol.UNICAST, ok(0, 20_000, 5_000));
        local.record("unmap", ok(0, 20_000, 5_000));
        final List<String> problems = consistent ? List.of("page-table comparison unavailable: core 0 answers HTTP 404 " +
            "for GET /domains") : List.of("capability fingerprints differ: {0=aa, 1=bb}");
        final String[] verdict = DemoSummary.verdict(stale, consistent, consistent ? List.of() : problems, null, 101);
        return new DemoSummary(4, 1, "mixed", "load=100", 7, 2.0, 101, 101, 50.5, DemoSummary.operations(local),
            DemoSummary.shootdowns(local), new DemoSummary.TwoPhaseCommit(1, 2, 3, 0, 1), 4, 5, 6,
            Map.of("map not_found", 1L), tlbHitRate, consistent, false, problems, stale,
            stale > 0 ? List.of("core 2 at +0.1 s loaded 0x1000") : List.of(),
            List.of("http://127.0.0.1:9400/metrics"), verdict[0], verdict[1]);
    }

    @Test
    void theVerdictPassesOnlyWithoutStaleAccessesWithAgreeingReplicasAndSomeWork()
    {
        assertThat(DemoSummary.verdict(0, true, List.of(), null, 10)).containsExactly("pass", "");
        assertThat(DemoSummary.verdict(2, true, List.of(), null, 10)[1]).startsWith("2 stale access(es)");
        assertThat(DemoSummary.verdict(0, false, List.of("domain 5's page-table fingerprints differ"), null, 10)[1])
            .isEqualTo("replicas disagree: domain 5's page-table fingerprints differ");
        assertThat(DemoSummary.verdict(0, false, List.of("core 3 did not answer GET /caps"), null, 10))
            .containsExactly("fail", "replicas could not be compared: core 3 did not answer GET /caps");
        assertThat(DemoSummary.verdict(0, true, List.of(), "the app on core 1 could not create", 10))
            .containsExactly("fail", "the app on core 1 could not create");
        assertThat(DemoSummary.verdict(0, true, List.of(), null, 0)[1]).isEqualTo("the apps took no step of the workload");
    }

    @Test
    void theJsonHoldsTheFieldsToolsRead() throws Exception
    {
        final Path file = tempDir.resolve("out/demo.json");
        summary(0, true, 0.75).writeJson(file);
        final JsonNode json = new ObjectMapper().readTree(Files.readString(file));
        assertThat(json.get("replicas_consistent").asBoolean()).isTrue();
        assertThat(json.get("stale_accesses").asLong()).isZero();
        assertThat(json.get("verdict").asText()).isEqualTo("pass");
        assertThat(json.get("tlb_hit_rate").asDouble()).isEqualTo(0.75);
        final JsonNode load = json.get("operations").get("load");
        assertThat(load.get("count").asLong()).isEqualTo(100);
        assertThat(load.get("p50_us").asDouble()).isBetween(49.9, 50.1);
        assertThat(load.get("p99_us").asDouble()).isBetween(98.9, 99.1);
        final JsonNode unicast = json.get("shootdown_by_protocol").get("unicast");
        assertThat(unicast.get("count").asLong()).isEqualTo(1);
        assertThat(unicast.get("shootdown_p50_us").asDouble()).isBetween(4.99, 5.01);
        assertThat(json.get("two_phase_commit").get("aborted").asLong()).isEqualTo(2);
        assertThat(json.get("metrics_urls").get(0).asText()).endsWith("/metrics");
    }

    @Test
    void aFailedRunSaysWhyInTextAndJson() throws Exception
    {
        final DemoSummary failed = summary(1, false, null);
        assertThat(failed.verdict()).isEqualTo("fail");
        assertThat(failed.reason()).startsWith("1 stale access(es)");
        final String text = failed.text();
        assertThat(text).contains("STALE: core 2 at +0.1 s loaded 0x1000", "capability fingerprints differ",
            "TLB hit rate: unknown", "verdict: fail: 1 stale access(es)", "unicast", "map not_found: 1");
        final JsonNode json = new ObjectMapper().readTree(failed.json());
        assertThat(json.get("tlb_hit_rate").isNull()).isTrue();
        assertThat(json.get("stale_access_list")).hasSize(1);
        assertThat(json.get("replicas_consistent").asBoolean()).isFalse();
    }

    @Test
    void theTextListsEveryOperationAndTheVerdict()
    {
        final String text = summary(0, true, 0.5).text();
        assertThat(text).contains("load", "unmap", "TLB hit rate: 0.5000", "metrics: http://127.0.0.1:9400/metrics",
            "page-table comparison unavailable", "stale accesses: 0; replicas consistent: true", "verdict: pass");
        // The per-protocol table counts only unmaps that were done, not every call: its head says so, aligned.
        final String head = text.lines().filter(line -> line.startsWith("unmaps done, by protocol")).findFirst()
            .orElseThrow();
        final String row = text.lines().filter(line -> line.startsWith("unicast ")).findFirst().orElseThrow();
        final int countEnds = head.indexOf("count") + "count".length();
        assertThat(Character.isDigit(row.charAt(countEnds - 1))).as("the count ends under its head: %s%n%s", head, row)
            .isTrue();
        assertThat(row.charAt(countEnds)).isEqualTo(' ');
    }
}
