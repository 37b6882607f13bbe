/**
 * Two-phase-commit replication of OS state: the engine (coordinator and participant in one
 * single-threaded {@link io.multikernel.replication.ReplicationEngine} per core), recovery, and
 * the {@link io.multikernel.replication.StateMachine} SPI. Sub-packages hold the write-ahead log
 * ({@code wal}), the protocol messages and their SBE codec ({@code protocol}), a key-value state
 * machine for tests ({@code kv}) and the deterministic simulator ({@code sim}).
 * Talks to an abstract {@link io.multikernel.replication.Network} and an injected clock; never
 * imports Aeron.
 */
package io.multikernel.replication;
