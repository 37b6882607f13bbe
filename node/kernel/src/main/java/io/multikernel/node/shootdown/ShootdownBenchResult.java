package io.multikernel.node.shootdown;

import io.multikernel.node.skb.RoutingProtocol;
import io.multikernel.node.util.JsonWriter;

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
        final JsonWriter json = new JsonWriter().beginObject()
            .field("protocol", protocol.cliName())
            .field("cores", cores)
            .field("rounds", rounds)
            .field("warmup", warmup)
            .field("measured", measured)
            .field("rounds_failed", failed)
            .field("p50_ns", p50Ns)
            .field("p99_ns", p99Ns)
            .field("max_ns", maxNs)
            .field("mean_ns", meanNs)
            .field("initiator_messages", initiatorMessages)
            .field("total_messages", totalMessages)
            .field("hops", hops)
            .field("wire_requests", wireRequests)
            .field("plan", plan);
        if (null != firstFailure)
        {
            json.field("first_failure", firstFailure);
        }
        return json.endObject().toString();
    }
}
