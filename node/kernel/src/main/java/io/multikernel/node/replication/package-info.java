/**
 * Replication in the core: the two-phase-commit engine of {@code replication/} wired to URPC and
 * owned by the kernel loop ({@link io.multikernel.node.replication.CoreReplication}), the bounded
 * command queue through which admin threads reach it ({@link io.multikernel.node.replication.ReplicationProxy}),
 * the admin routes {@code /kv} and {@code /2pc} ({@link io.multikernel.node.replication.ReplicationAdmin}),
 * and the chaos freeze hook ({@link io.multikernel.node.replication.ChaosFreeze}).
 */
package io.multikernel.node.replication;
