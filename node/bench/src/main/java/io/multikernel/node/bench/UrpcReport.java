package io.multikernel.node.bench;

import com.fasterxml.jackson.annotation.JsonAnyGetter;

import java.util.Map;

/**
 * The JSON report of {@code mk bench urpc}: the configuration, then one object per media measured.
 * <pre>
 * {"config":{"payload_bytes","idle","driver_idle","term_length_bytes","round_trips","warmup_round_trips",
 *            "stream_messages","repeat"},
 *  "ipc":{"raw":{"rtt_p50_ns","rtt_p90_ns","rtt_p99_ns","rtt_p999_ns","rtt_max_ns","throughput_msgs_per_s"},
 *         "urpc":{...},
 *         "ratio":{"rtt_p50","throughput","rtt_p50_target_max","throughput_target_min","targets_met"}},
 *  "udp":{...}}
 * </pre>
 *
 * @param config what was run.
 * @param media  medians and ratios by media, in lower case ({@code ipc}, {@code udp}), in the order measured.
 */
public record UrpcReport(Config config, @JsonAnyGetter Map<String, MediaResult> media)
{
    /**
     * @param payloadBytes      payload of each message, bytes.
     * @param idle              idle strategy of both sides.
     * @param driverIdle        idle strategy of the media driver.
     * @param termLengthBytes   of every log, bytes.
     * @param roundTrips        measured round trips.
     * @param warmupRoundTrips  round trips before measuring.
     * @param streamMessages    messages per stream; the throughput phase streams for at least 1 s.
     * @param repeat            runs per media and system.
     */
    public record Config(int payloadBytes, String idle, String driverIdle, int termLengthBytes, int roundTrips,
        int warmupRoundTrips, long streamMessages, int repeat, boolean authenticated)
    {
    }

    /**
     * @param raw   raw Aeron's medians.
     * @param urpc  URPC's medians.
     * @param ratio URPC against raw, with the targets.
     */
    public record MediaResult(PingPongResult raw, PingPongResult urpc, Ratio ratio)
    {
    }

    /**
     * @param rttP50              URPC's round-trip p50 / raw's.
     * @param throughput          URPC's throughput / raw's.
     * @param rttP50TargetMax     the target for the first.
     * @param throughputTargetMin the target for the second.
     * @param targetsMet          whether both are met.
     */
    public record Ratio(double rttP50, double throughput, double rttP50TargetMax, double throughputTargetMin,
        boolean targetsMet)
    {
    }
}
