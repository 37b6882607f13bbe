package io.multikernel.node.shootdown;

import io.multikernel.node.service.ServiceJson;
import io.multikernel.node.skb.RoutingProtocol;

/**
 * The summary of one benchmark run on the initiator: latency percentiles of the measured rounds
 * and what the plan costs in messages and hops.
 *
 * @param protocol          the routing protocol.
 * @param cores             the initiator and its targets.
 * @param rounds            measured rounds asked for.
 * @param warmup            warmup rounds asked for.
 * @param measured          measured rounds that completed.
 * @param failed            rounds (warmup or measured) that failed.
 * @param p50Ns             median latency of a round, ns.
 * @param p99Ns             99th percentile, ns.
 * @param maxNs             slowest measured round, ns.
 * @param meanNs            mean, ns.
 * @param initiatorMessages messages the initiator sends per round by the plan (broadcast: one shared write).
 * @param totalMessages     requests sent by all cores per round by the plan.
 * @param hops              request hops on the critical path (the plan's depth); acks add as many.
 * @param wireRequests      requests appended to inboxes by the initiator per round (broadcast: one per target).
 * @param firstFailure      the first failed round's reason, or null.
 * @param plan              the plan, for example {@code MULTICAST from 0: 0->[1, 3] 1->[2]}.
 */
public record ShootdownBenchResult(RoutingProtocol protocol, int cores, int rounds, int warmup, long measured,
    long failed, long p50Ns, long p99Ns, long maxNs, double meanNs, int initiatorMessages, int totalMessages, int hops,
    double wireRequests, String firstFailure, String plan)
{
    /**
     * @return the summary as one JSON object, with the benchmark's row names.
     */
    public String toJson()
    {
        return ServiceJson.write(json ->
        {
            json.writeStartObject();
            json.writeStringField("protocol", protocol.cliName());
            json.writeNumberField("cores", cores);
            json.writeNumberField("rounds", rounds);
            json.writeNumberField("warmup", warmup);
            json.writeNumberField("measured", measured);
            json.writeNumberField("rounds_failed", failed);
            json.writeNumberField("p50_ns", p50Ns);
            json.writeNumberField("p99_ns", p99Ns);
            json.writeNumberField("max_ns", maxNs);
            json.writeNumberField("mean_ns", meanNs);
            json.writeNumberField("initiator_messages", initiatorMessages);
            json.writeNumberField("total_messages", totalMessages);
            json.writeNumberField("hops", hops);
            json.writeNumberField("wire_requests", wireRequests);
            json.writeStringField("plan", plan);
            if (null != firstFailure)
            {
                json.writeStringField("first_failure", firstFailure);
            }
            json.writeEndObject();
        });
    }
}
