/**
 * Deterministic simulation: many cores running the real engine in one thread with virtual time,
 * one seeded random source, a lossy reordering network, crashes (including in the middle of a
 * write), restarts, pauses and partitions, and a checker of the protocol's invariants after every
 * step. {@link io.multikernel.replication.sim.SimulationRunner} runs many seeds or replays one.
 *
 * <p>Any {@link io.multikernel.replication.StateMachine} can run under it: a
 * {@link io.multikernel.replication.sim.SimulatedState} makes each core's replica, proposes the
 * workload's transactions and adds the state's own checks. The key-value store's
 * ({@code KeyValueSimulatedState}) is the default.
 */
package io.multikernel.replication.sim;
