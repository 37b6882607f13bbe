/**
 * Domains' address spaces, as Barrelfish has them: a domain's page table (a VNODE root and leaf
 * tables) maps frames it holds capabilities for, and is replicated on exactly the domain's cores by
 * the two-phase-commit engine ({@link io.multikernel.node.vm.AddressSpaces}); each core caches
 * translations in its own {@link io.multikernel.node.vm.Tlb}, which shootdown invalidates.
 */
package io.multikernel.node.vm;
