/**
 * The capability system that governs all memory, as Barrelfish has it: typed kernel objects
 * (RAM, Frame, CNode, VNode, Mapping) referred to by capabilities with rights, made by retyping
 * RAM, copied and minted (rights only shrink), deleted and revoked. {@link
 * io.multikernel.node.caps.CapabilityDatabase} is the replicated state machine that the two-phase
 * commit engine keeps identical on the cores that hold it; every change is one transaction, and the
 * locks a retype or revoke takes are held from prepare to commit.
 */
package io.multikernel.node.caps;
