/**
 * A small replicated key-value map implementing the state machine SPI, for the engine's tests and
 * the simulator.
 */
package io.multikernel.replication.kv;
