package io.multikernel.it;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.multikernel.node.bench.ShootdownReport;
import io.multikernel.node.cli.MkCommand;
import io.multikernel.node.launcher.StrictJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mk bench shootdown} end to end with small counts: two real clusters of core JVMs (2 and 4
 * cores), every protocol run on core 0's kernel loop, one JSON row per protocol and core count with
 * sane numbers and the plan's message counts, and every process it started stopped. It checks that
 * the command works, not how fast anything is.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class BenchShootdownIT
{
    @TempDir
    Path tempDir;

    @Test
    void runsEveryProtocolOnEachClusterAndWritesOneRowPerPair() throws Exception
    {
        final Path json = tempDir.resolve("out/shootdown.json");
        final Path runDir = tempDir.resolve("run");
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int exit = MkCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true),
            "bench", "shootdown", "--cores", "2,4", "--rounds", "50", "--warmup", "10", "--run-dir", runDir.toString(),
            "--json", json.toString());
        assertThat(exit).as("stderr: %s", err).isZero();

        // Read strictly: the file is exactly the report's shape, no field more or less.
        final ShootdownReport report = StrictJson.read(Files.readString(json), ShootdownReport.class, json.toString());
        final List<ShootdownReport.Row> rows = report.rows();
        assertThat(rows).hasSize(8);
        for (final int cores : new int[] {2, 4})
        {
            for (final String protocol : List.of("unicast", "broadcast", "multicast", "topo"))
            {
                final ShootdownReport.Row row = rows.stream()
                    .filter(r -> protocol.equals(r.protocol()) && cores == r.cores())
                    .findFirst().orElseThrow(() -> new AssertionError("no row for " + protocol + " on " + cores));
                assertThat(row.p50Ns()).as("%s/%d p50", protocol, cores).isPositive();
                assertThat(row.p99Ns()).as("%s/%d p99", protocol, cores).isGreaterThanOrEqualTo(row.p50Ns());
                assertThat(row.measured()).isEqualTo(50L);
                assertThat(row.roundsFailed()).isZero();
                assertThat(row.hosts()).isEqualTo(1);
                // One package: unicast sends to each target, the others once (to the shared channel, or the
                // package's aggregator, which forwards to the rest: a second hop once there is a rest).
                final int targets = cores - 1;
                assertThat(row.initiatorMessages()).as("%s/%d messages", protocol, cores)
                    .isEqualTo("unicast".equals(protocol) ? targets : 1);
                final boolean forwards = ("multicast".equals(protocol) || "topo".equals(protocol)) && targets > 1;
                assertThat(row.hops()).as("%s/%d hops", protocol, cores).isEqualTo(forwards ? 2 : 1);
                assertThat(row.totalMessages()).isEqualTo("broadcast".equals(protocol) ? 1 : targets);
            }
        }
        // Cores name their cluster map under runDir; drivers an Aeron directory named after the cluster's run directory.
        final List<String> marks = List.of(runDir.toString(),
            driverMark(runDir.resolve("cores-2")), driverMark(runDir.resolve("cores-4")));
        assertThat(ProcessHandle.allProcesses()
            .map(process -> process.info().commandLine().orElse(""))
            .filter(commandLine -> marks.stream().anyMatch(commandLine::contains)))
            .as("processes of the benchmark's clusters still running").isEmpty();
    }

    private static String driverMark(final Path clusterRunDir)
    {
        return "-" + Integer.toHexString(clusterRunDir.toAbsolutePath().normalize().toString().hashCode()) + "-host-";
    }
}
