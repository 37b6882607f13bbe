package io.multikernel.node.bench;

import io.multikernel.transport.Media;
import org.junit.jupiter.api.Test;

import java.io.PrintStream;
import java.io.OutputStream;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JSON report of {@code mk bench urpc} keeps its fields, their order and its figures.
 */
class UrpcBenchmarkTest
{
    @Test
    void jsonIsTheReportAsItWasWritten()
    {
        final UrpcBenchmark benchmark = new UrpcBenchmark(new UrpcBenchmark.Config(List.of(Media.IPC, Media.UDP), 64, 100,
            500, 5000, "backoff", "backoff", 65536, 3, true), new PrintStream(OutputStream.nullOutputStream()));
        final Map<Media, Map<String, PingPongResult>> results = new EnumMap<>(Media.class);
        final Map<String, PingPongResult> ipc = new LinkedHashMap<>();
        ipc.put("raw", new PingPongResult(1000, 1200, 1500, 2000, 9000, 12_345_678.9));
        ipc.put("urpc", new PingPongResult(1100, 1300, 1700, 2500, 9500, 10_000_000.0));
        results.put(Media.IPC, ipc);
        final Map<String, PingPongResult> udp = new LinkedHashMap<>();
        udp.put("raw", new PingPongResult(10_000, 12_000, 15_000, 20_000, 90_000, 1_234_567.891));
        udp.put("urpc", new PingPongResult(14_000, 16_000, 18_000, 25_000, 95_000, 900_000.5));
        results.put(Media.UDP, udp);

        // Byte for byte what the hand-written JSON writer produced for these results.
        assertThat(benchmark.json(results)).isEqualTo(
            "{\"config\":{\"payload_bytes\":64,\"idle\":\"backoff\",\"driver_idle\":\"backoff\",\"term_length_bytes\":65536," +
            "\"round_trips\":500,\"warmup_round_trips\":100,\"stream_messages\":5000,\"repeat\":3,\"authenticated\":true}," +
            "\"ipc\":{\"raw\":{\"rtt_p50_ns\":1000,\"rtt_p90_ns\":1200,\"rtt_p99_ns\":1500,\"rtt_p999_ns\":2000," +
            "\"rtt_max_ns\":9000,\"throughput_msgs_per_s\":12345678.9000},\"urpc\":{\"rtt_p50_ns\":1100,\"rtt_p90_ns\":1300," +
            "\"rtt_p99_ns\":1700,\"rtt_p999_ns\":2500,\"rtt_max_ns\":9500,\"throughput_msgs_per_s\":10000000.0000}," +
            "\"ratio\":{\"rtt_p50\":1.1000,\"throughput\":0.8100,\"rtt_p50_target_max\":1.3000,\"throughput_target_min\":0.7000," +
            "\"targets_met\":true}},\"udp\":{\"raw\":{\"rtt_p50_ns\":10000,\"rtt_p90_ns\":12000,\"rtt_p99_ns\":15000," +
            "\"rtt_p999_ns\":20000,\"rtt_max_ns\":90000,\"throughput_msgs_per_s\":1234567.8910}," +
            "\"urpc\":{\"rtt_p50_ns\":14000,\"rtt_p90_ns\":16000,\"rtt_p99_ns\":18000,\"rtt_p999_ns\":25000,\"rtt_max_ns\":95000," +
            "\"throughput_msgs_per_s\":900000.5000},\"ratio\":{\"rtt_p50\":1.4000,\"throughput\":0.7290,\"rtt_p50_target_max\":1.3000," +
            "\"throughput_target_min\":0.7000,\"targets_met\":false}}}");
    }
}
