package io.multikernel.node.launcher.chaos;

import java.util.Map;

/**
 * One core's replica of the key-value store at the end of a chaos run.
 *
 * @param core        the core.
 * @param fingerprint the replica's fingerprint, as the core computes it over all its entries.
 * @param entries     its entries (the run's keys among them).
 * @param inDoubt     transactions the core is in doubt about.
 */
public record ReplicaState(int core, String fingerprint, Map<String, String> entries, int inDoubt)
{
}
