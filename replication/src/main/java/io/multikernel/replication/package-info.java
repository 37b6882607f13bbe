/**
 * Two-phase-commit replication of OS state: the engine (coordinator and participant), the
 * write-ahead log, recovery, the {@code StateMachine} SPI and a deterministic simulator.
 * Talks to an abstract network and clock; never imports Aeron.
 */
package io.multikernel.replication;
