package io.multikernel.node.bench;

import java.util.List;

/**
 * The JSON report of {@code mk bench shootdown}: one row per protocol and core count.
 *
 * @param benchmark always {@code shootdown}.
 * @param hosts     hosts (packages) of every cluster.
 * @param rounds    measured rounds per protocol.
 * @param warmup    warmup rounds per protocol.
 * @param idle      idle strategy of cores and drivers.
 * @param rows      the results.
 */
public record ShootdownReport(String benchmark, int hosts, int rounds, int warmup, String idle, List<Row> rows)
{
    /** The value of {@code benchmark}. */
    public static final String BENCHMARK = "shootdown";

    /**
     * One protocol on one cluster, from core 0's {@link ShootdownSummary}.
     *
     * @param protocol          the protocol.
     * @param cores             cores in the cluster.
     * @param hosts             hosts in the cluster.
     * @param p50Ns             median latency of a round, ns.
     * @param p99Ns             99th percentile, ns.
     * @param maxNs             slowest measured round, ns.
     * @param initiatorMessages messages the initiator sends per round by the plan.
     * @param hops              request hops on the critical path.
     * @param totalMessages     requests sent by all cores per round by the plan.
     * @param measured          measured rounds that completed.
     * @param roundsFailed      rounds that failed.
     * @param wireRequests      requests appended to inboxes by the initiator per round.
     * @param plan              the plan.
     */
    public record Row(String protocol, int cores, int hosts, long p50Ns, long p99Ns, long maxNs, int initiatorMessages,
        int hops, int totalMessages, long measured, long roundsFailed, double wireRequests, String plan)
    {
    }
}
