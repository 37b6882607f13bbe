package io.multikernel.it;

import io.multikernel.node.cli.MkCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mk bench urpc} works end to end with tiny counts: it forks its ponging JVMs, measures both
 * systems over both media and writes the JSON the issue specifies. This checks that the command
 * works, not how fast anything is; the figures come from running the benchmark itself.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class BenchUrpcIT
{
    @TempDir
    Path tempDir;

    @Test
    void runsBothSystemsOverBothMediaAndWritesTheJson() throws Exception
    {
        final Path json = tempDir.resolve("out/urpc.json");
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int exit = MkCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true),
            "bench", "urpc", "--round-trips", "500", "--warmup", "100", "--stream-messages", "5000", "--repeat", "1",
            "--idle", "backoff", "--driver-idle", "backoff", "--json", json.toString());
        assertThat(exit).as("stderr: %s", err).isZero();

        final String report = Files.readString(json);
        for (final String media : new String[]{ "\"ipc\":{", "\"udp\":{" })
        {
            assertThat(report).contains(media);
        }
        final String ipc = report.substring(report.indexOf("\"ipc\":{"), report.indexOf("\"udp\":{"));
        final String udp = report.substring(report.indexOf("\"udp\":{"));
        for (final String section : new String[]{ ipc, udp })
        {
            assertThat(section).contains("\"raw\":{\"rtt_p50_ns\":", "\"urpc\":{\"rtt_p50_ns\":", "\"rtt_p99_ns\":",
                "\"throughput_msgs_per_s\":", "\"ratio\":{\"rtt_p50\":");
            assertThat(section).doesNotContain("\"rtt_p50_ns\":0,");
        }
    }
}
