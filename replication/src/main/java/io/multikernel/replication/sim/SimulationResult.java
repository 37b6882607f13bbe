package io.multikernel.replication.sim;

/**
 * What one simulated run did, for summaries and for tests that check the run exercised something.
 *
 * @param committed     transactions decided commit.
 * @param aborted       transactions decided abort.
 * @param indefinite    callers told "indefinite".
 * @param crashes       process or machine crashes, including ones in the middle of a write.
 * @param tornTails     crashes in the middle of a write.
 * @param restarts      restarts (each a full recovery).
 * @param cooperativeDecisions decisions participants in doubt learned from another participant.
 * @param refusals      promises to vote no given to a participant in doubt.
 * @param snapshots     snapshots written.
 * @param messages      batches delivered.
 * @param virtualTimeNs virtual time the run covered.
 */
public record SimulationResult(
    long seed,
    long committed,
    long aborted,
    long indefinite,
    long crashes,
    long tornTails,
    long restarts,
    long cooperativeDecisions,
    long refusals,
    long snapshots,
    long messages,
    long virtualTimeNs)
{
}
