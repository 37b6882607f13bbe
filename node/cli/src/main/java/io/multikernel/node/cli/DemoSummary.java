package io.multikernel.node.cli;

import io.multikernel.node.launcher.StrictJson;
import io.multikernel.node.skb.RoutingProtocol;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code mk demo} found, printed as text and written by {@code --json} (snake case, in this
 * order). Latencies are microseconds from a call's issue to its answer, as the app saw them.
 *
 * @param cores                cores of the cluster.
 * @param hosts                simulated hosts.
 * @param protocol             the shootdown protocol of every change, or {@code mixed}.
 * @param mix                  the workload's shares.
 * @param seed                 the apps' seed.
 * @param durationS            how long the workload ran.
 * @param steps                workload steps the apps took.
 * @param calls                calls they made (a step makes one or more).
 * @param throughputOpsPerS    calls per second.
 * @param operations           per kind of call: count, p50, p99.
 * @param shootdownByProtocol  unmaps per protocol: count, p50/p99 of the call and of the core's shootdown.
 * @param twoPhaseCommit       outcomes of every call that proposed a change.
 * @param faults               loads and stores answered FAULT (no mapping or right: expected).
 * @param notFound             loads and stores on a core that had left the domain (expected).
 * @param skipped              steps that found nothing to do (no mapping to load, no RAM to revoke...).
 * @param refusals             other refusals by call and status, and indefinite answers.
 * @param tlbHitRate           TLB hits over lookups summed over the cores; null when no core said.
 * @param replicasConsistent   capability replicas agree and, where compared, page-table replicas.
 * @param pageTablesCompared   whether every core served {@code /domains}.
 * @param replicaProblems      one sentence per disagreement, or why page tables were not compared.
 * @param staleAccesses        loads that read an unmapped mapping's tag after its unmap returned.
 * @param staleAccessList      each of them.
 * @param metricsUrls          each core's {@code /metrics}.
 * @param verdict              {@code pass} or {@code fail}.
 * @param reason               why it failed; empty when it passed.
 */
record DemoSummary(int cores, int hosts, String protocol, String mix, long seed, double durationS, long steps, long calls,
    double throughputOpsPerS, Map<String, OperationStats> operations, Map<String, UnmapStats> shootdownByProtocol,
    TwoPhaseCommit twoPhaseCommit, long faults, long notFound, long skipped, Map<String, Long> refusals,
    Double tlbHitRate, boolean replicasConsistent, boolean pageTablesCompared, List<String> replicaProblems,
    long staleAccesses, List<String> staleAccessList, List<String> metricsUrls, String verdict, String reason)
{
    static final String PASS = "pass";
    static final String FAIL = "fail";

    /** One kind of call. */
    record OperationStats(long count, double p50Us, double p99Us)
    {
        static OperationStats of(final Histogram histogram)
        {
            return new OperationStats(histogram.getTotalCount(), micros(histogram, 50), micros(histogram, 99));
        }
    }

    /** Unmaps of one protocol: the call, and the shootdown inside it as the core measured it. */
    record UnmapStats(long count, double p50Us, double p99Us, double shootdownP50Us, double shootdownP99Us)
    {
    }

    /** Outcomes of the calls that proposed a change (one 2PC transaction each). */
    record TwoPhaseCommit(long committed, long aborted, long unavailable, long indefinite, long refused)
    {
    }

    static double micros(final Histogram histogram, final double percentile)
    {
        return 0 == histogram.getTotalCount() ? 0 : histogram.getValueAtPercentile(percentile) / 1e3;
    }

    /** @return the operations of the merged histograms, by call name. */
    static Map<String, OperationStats> operations(final DemoStats.Local merged)
    {
        final Map<String, OperationStats> operations = new LinkedHashMap<>();
        merged.calls.forEach((name, histogram) -> operations.put(name, OperationStats.of(histogram)));
        return operations;
    }

    /** @return unmaps by protocol, in the protocols' order. */
    static Map<String, UnmapStats> shootdowns(final DemoStats.Local merged)
    {
        final Map<String, UnmapStats> byProtocol = new LinkedHashMap<>();
        for (final RoutingProtocol protocol : RoutingProtocol.values())
        {
            final Histogram unmaps = merged.unmaps.get(protocol);
            if (null != unmaps)
            {
                final Histogram shootdowns = merged.shootdowns.get(protocol);
                byProtocol.put(protocol.cliName(), new UnmapStats(unmaps.getTotalCount(), micros(unmaps, 50),
                    micros(unmaps, 99), micros(shootdowns, 50), micros(shootdowns, 99)));
            }
        }
        return byProtocol;
    }

    /** @return the summary as the lines {@code mk demo} prints. */
    String text()
    {
        final StringBuilder out = new StringBuilder();
        out.append(String.format("%n%d cores, %d host(s), protocol %s, seed %d: %d steps, %d calls in %.1f s, %.0f calls/s%n",
            cores, hosts, protocol, seed, steps, calls, durationS, throughputOpsPerS));
        out.append(String.format("%-10s %9s %10s %10s%n", "operation", "count", "p50 us", "p99 us"));
        operations.forEach((name, stats) -> out.append(String.format("%-10s %9d %10.1f %10.1f%n", name, stats.count(),
            stats.p50Us(), stats.p99Us())));
        // Only unmaps that committed took a shootdown; the operation table above counts every unmap call.
        out.append(String.format("%n%-24s %9s %10s %10s %14s %14s%n", "unmaps done, by protocol", "count", "p50 us",
            "p99 us", "shootdown p50", "shootdown p99"));
        shootdownByProtocol.forEach((name, stats) -> out.append(String.format("%-24s %9d %10.1f %10.1f %14.1f %14.1f%n",
            name, stats.count(), stats.p50Us(), stats.p99Us(), stats.shootdownP50Us(), stats.shootdownP99Us())));
        out.append(String.format("%n2PC: %d committed, %d aborted, %d unavailable (retried), %d indefinite, %d refused%n",
            twoPhaseCommit.committed(), twoPhaseCommit.aborted(), twoPhaseCommit.unavailable(), twoPhaseCommit.indefinite(),
            twoPhaseCommit.refused()));
        out.append(String.format("accesses: %d faults (no mapping or right), %d on a core that left the domain; " +
            "%d steps found nothing to do%n", faults, notFound, skipped));
        refusals.forEach((kind, count) -> out.append(String.format("  %s: %d%n", kind, count)));
        out.append(null == tlbHitRate ? "TLB hit rate: unknown (no core reported its TLB)\n" :
            String.format("TLB hit rate: %.4f%n", tlbHitRate));
        metricsUrls.forEach(url -> out.append("metrics: ").append(url).append('\n'));
        replicaProblems.forEach(problem -> out.append(problem).append('\n'));
        staleAccessList.forEach(stale -> out.append("STALE: ").append(stale).append('\n'));
        out.append(String.format("stale accesses: %d; replicas consistent: %s%s%n", staleAccesses, replicasConsistent,
            pageTablesCompared ? " (capabilities and page tables)" : " (capabilities; page tables not compared)"));
        out.append("verdict: ").append(verdict).append(reason.isEmpty() ? "" : ": " + reason).append('\n');
        return out.toString();
    }

    /** @return the summary as one JSON object. */
    String json()
    {
        return StrictJson.write(this);
    }

    /** Writes {@link #json()} to the file, making its parent directories. */
    void writeJson(final Path file) throws IOException
    {
        final Path parent = file.toAbsolutePath().getParent();
        if (null != parent)
        {
            Files.createDirectories(parent);
        }
        Files.writeString(file, json() + "\n");
    }

    /**
     * @return {@link #PASS} and an empty reason, or {@link #FAIL} and the first reason: stale accesses,
     *         replicas that disagree, an app that stopped, or a workload that did nothing.
     */
    static String[] verdict(final long staleAccesses, final boolean replicasConsistent, final List<String> replicaProblems,
        final String appFailure, final long steps)
    {
        if (staleAccesses > 0)
        {
            return new String[]{ FAIL, staleAccesses + " stale access(es): a load read the tag of a mapping after its " +
                "unmap had returned" };
        }
        if (!replicasConsistent)
        {
            if (replicaProblems.isEmpty())
            {
                return new String[]{ FAIL, "replicas disagree: see above" };
            }
            final String first = replicaProblems.get(0);
            // A core that did not answer leaves its replica unread: not a disagreement, but no check either.
            return new String[]{ FAIL, (first.contains(" did not answer ") ? "replicas could not be compared: " :
                "replicas disagree: ") + first };
        }
        if (null != appFailure)
        {
            return new String[]{ FAIL, appFailure };
        }
        if (0 == steps)
        {
            return new String[]{ FAIL, "the apps took no step of the workload" };
        }
        return new String[]{ PASS, "" };
    }
}
