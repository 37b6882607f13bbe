package io.multikernel.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.multikernel.node.cli.MkCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mk demo --duration 5s} end to end, as the README's first command runs it: four core JVMs,
 * apps on every core, then the verdict. It passes only when no load read an unmapped mapping after
 * its unmap returned and every replica agreed; the JSON carries the summary.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DemoIT
{
    @TempDir
    Path tempDir;

    @Test
    void theDemoRunsItsWorkloadAndPassesItsVerdict() throws Exception
    {
        final Path json = tempDir.resolve("demo.json");
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int exit = MkCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true),
            "demo", "--duration", "5s", "--cores", "4", "--run-dir", tempDir.resolve("run").toString(),
            "--json", json.toString());
        System.out.println(out);
        assertThat(exit).as("stdout: %s%nstderr: %s", out, err).isZero();

        final JsonNode summary = new ObjectMapper().readTree(json.toFile());
        assertThat(summary.get("replicas_consistent").asBoolean()).isTrue();
        assertThat(summary.get("stale_accesses").asInt()).isZero();
        assertThat(summary.get("verdict").asText()).isEqualTo("pass");
        for (final String operation : new String[]{ "map", "unmap", "load", "store" })
        {
            final JsonNode counted = summary.get("operations").get(operation);
            assertThat(counted).as(operation).isNotNull();
            assertThat(counted.get("count").asLong()).as(operation + " count").isPositive();
            assertThat(counted.get("p99_us").asDouble()).as(operation + " p99").isGreaterThanOrEqualTo(
                counted.get("p50_us").asDouble());
        }
        assertThat(summary.get("shootdown_by_protocol").size()).as("every protocol used by the mixed default")
            .isEqualTo(4);
    }
}
