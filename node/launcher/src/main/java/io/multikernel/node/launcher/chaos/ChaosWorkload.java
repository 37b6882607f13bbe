package io.multikernel.node.launcher.chaos;

import java.util.List;
import java.util.Map;

/**
 * A workload that runs beside a chaos run's replicated writes and judges what only it can break
 * (the OS workload of {@code mk chaos run --os}: address spaces, loads and stores, unmaps with TLB
 * shootdowns). {@link ChaosRun} starts it before the first fault, stops it once the schedule is over
 * and every fault healed, and asks it for violations once the cluster has settled.
 */
public interface ChaosWorkload
{
    /** @return a short name for the summary and the JSON report, e.g. {@code os}. */
    String name();

    /**
     * Starts the workload on a healthy cluster.
     *
     * @throws Exception when it cannot start; the run then does not start either.
     */
    void start() throws Exception;

    /** @return one short fragment for the run's progress lines, e.g. {@code "OS 120 steps"}. */
    String progress();

    /** Stops the workload; bounded (every thread it started ends, or is abandoned after its own bound). */
    void stop() throws InterruptedException;

    /**
     * Judges the run, after {@link #stop()} and once the cluster settled, and takes away what the
     * workload made.
     *
     * @return the violations, one line each; empty when it kept every promise.
     */
    List<String> check() throws Exception;

    /** @return what it did, by name (steps, outcomes), for the summary and the JSON report. */
    Map<String, Long> counts();
}
