package io.multikernel.it;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.multikernel.node.bench.UnmapReport;
import io.multikernel.node.cli.MkCommand;
import io.multikernel.node.launcher.StrictJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mk bench unmap} end to end with a small count: a real cluster of two core JVMs, an app on
 * core 0 unmapping a page of a domain on both cores with unicast and multicast (core 1's TLB filled
 * before each), the shared-memory baseline, one JSON row per protocol with sane numbers, and every
 * process it started stopped. It checks that the command works, not how fast anything is.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BenchUnmapIT
{
    @TempDir
    Path tempDir;

    @Test
    void unmapsWithEachProtocolAndMeasuresTheSharedMemoryBaseline() throws Exception
    {
        final Path json = tempDir.resolve("out/unmap.json");
        final Path runDir = tempDir.resolve("run");
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int exit = MkCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true),
            "bench", "unmap", "--cores", "2", "--protocol", "unicast,multicast", "--rounds", "20", "--warmup", "5",
            "--repeat", "2", "--run-dir", runDir.toString(), "--json", json.toString());
        assertThat(exit).as("stdout: %s%nstderr: %s", out, err).isZero();

        // Read strictly: the file is exactly the report's shape, no field more or less.
        final UnmapReport report = StrictJson.read(Files.readString(json), UnmapReport.class, json.toString());
        assertThat(report.repeat()).isEqualTo(2);
        assertThat(report.rows()).as("one row of medians per protocol over both runs").extracting(UnmapReport.Row::protocol)
            .containsExactly("unicast", "multicast", "shared-memory");
        for (final UnmapReport.Row row : report.rows())
        {
            assertThat(row.cores()).isEqualTo(2);
            assertThat(row.hosts()).isEqualTo(1);
            assertThat(row.p50Us()).as("%s p50", row.protocol()).isPositive();
            assertThat(row.p99Us()).as("%s p99", row.protocol()).isGreaterThanOrEqualTo(row.p50Us());
            assertThat(row.shootdownP50Us()).as("%s shootdown p50", row.protocol()).isPositive()
                .isLessThanOrEqualTo(row.p50Us());
        }
        assertThat(report.target().verdict()).as("one core count").isEqualTo("not checked");
        assertThat(out.toString()).contains("target (multicast and topo p50 below unicast's");

        // Cores name their cluster map under runDir; drivers an Aeron directory named after the cluster's run directory.
        final List<String> marks = List.of(runDir.toString(), driverMark(runDir.resolve("cores-2")),
            driverMark(runDir.resolve("cores-2-run-2")));
        assertThat(ProcessHandle.allProcesses()
            .map(process -> process.info().commandLine().orElse(""))
            .filter(commandLine -> marks.stream().anyMatch(commandLine::contains)))
            .as("processes of the benchmark's cluster still running").isEmpty();
    }

    private static String driverMark(final Path clusterRunDir)
    {
        return "-" + Integer.toHexString(clusterRunDir.toAbsolutePath().normalize().toString().hashCode()) + "-host-";
    }
}
