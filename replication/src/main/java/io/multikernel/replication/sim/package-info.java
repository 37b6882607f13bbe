/**
 * Deterministic simulation: many cores running the real engine in one thread with virtual time,
 * one seeded random source, a lossy reordering network, crashes (including in the middle of a
 * write), restarts, pauses and partitions, and a checker of the protocol's invariants after every
 * step. {@link io.multikernel.replication.sim.SimulationRunner} runs many seeds or replays one.
 */
package io.multikernel.replication.sim;
