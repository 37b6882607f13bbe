/**
 * The 2PC protocol messages as Java values, batched per destination core, and their codec to and
 * from the SBE {@code TwoPhaseBatch} message (template id 100) that the node carries over URPC.
 */
package io.multikernel.replication.protocol;
