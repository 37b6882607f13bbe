package io.multikernel.node.bench;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What core 0 answers to {@code POST /bench/shootdown}: one protocol's run on its kernel loop.
 *
 * @param protocol          the routing protocol, as the CLI names it.
 * @param cores             the initiator and its targets.
 * @param rounds            measured rounds asked for.
 * @param warmup            warmup rounds asked for.
 * @param measured          measured rounds that completed.
 * @param roundsFailed      rounds (warmup or measured) that failed.
 * @param p50Ns             median latency of a round, ns.
 * @param p99Ns             99th percentile, ns.
 * @param maxNs             slowest measured round, ns.
 * @param meanNs            mean, ns.
 * @param initiatorMessages messages the initiator sends per round by the plan.
 * @param totalMessages     requests sent by all cores per round by the plan.
 * @param hops              request hops on the critical path.
 * @param wireRequests      requests appended to inboxes by the initiator per round.
 * @param plan              the plan, for example {@code MULTICAST from 0: 0->[1, 3] 1->[2]}.
 * @param firstFailure      the first failed round's reason; absent when none failed.
 */
public record ShootdownSummary(String protocol, int cores, int rounds, int warmup, long measured, long roundsFailed,
    long p50Ns, long p99Ns, long maxNs, double meanNs, int initiatorMessages, int totalMessages, int hops,
    double wireRequests, String plan, @JsonInclude(JsonInclude.Include.NON_NULL) String firstFailure)
{
}
