package io.multikernel.node.cli;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * The documents of a core's address-space admin API ({@code /domains}, see the kernel's
 * {@code VmAdmin}) as {@code mk vm} sends and reads them. Addresses, offsets and lengths are bytes.
 * Answers are read strictly: a field this side does not know fails the command with one line.
 */
final class VmApi
{
    private VmApi()
    {
    }

    /** {@code POST /domains/create}. */
    record CreateRequest(long root, List<Integer> cores)
    {
    }

    /** {@code POST /domains/map}. */
    record MapRequest(long domain, long vaddr, long frame, long offset, long length, String rights)
    {
    }

    /** {@code POST /domains/unmap}; no protocol means the core's default. */
    record UnmapRequest(long domain, long vaddr, long length,
        @JsonInclude(JsonInclude.Include.NON_NULL) String protocol)
    {
    }

    /** {@code POST /domains/protect}. */
    record ProtectRequest(long domain, long vaddr, long length, String rights,
        @JsonInclude(JsonInclude.Include.NON_NULL) String protocol)
    {
    }

    /** {@code POST /domains/span}. */
    record SpanRequest(long domain, int core)
    {
    }

    /** {@code POST /domains/shrink}. */
    record ShrinkRequest(long domain, int core, @JsonInclude(JsonInclude.Include.NON_NULL) String protocol)
    {
    }

    /** {@code POST /domains/destroy}. */
    record DestroyRequest(long domain, @JsonInclude(JsonInclude.Include.NON_NULL) String protocol)
    {
    }

    /** {@code POST /domains/load}. */
    record LoadRequest(long domain, long vaddr, int length)
    {
    }

    /** {@code POST /domains/store}. */
    record StoreRequest(long domain, long vaddr, String base64)
    {
    }

    /**
     * What a change answers, and what any operation answers when the core refused it.
     *
     * @param core        the core that took the request.
     * @param outcome     committed, done, not_found, forbidden, invalid, conflict, aborted, unavailable,
     *                    indefinite or fault.
     * @param transaction the 2PC transaction's id when one was proposed.
     * @param id          what the change made: the domain (create) or the mapping (map).
     * @param protocol    the routing protocol of the TLB shootdown the change needed.
     * @param shootdownUs how long that shootdown took, microseconds.
     * @param error       one sentence on why it was not done; absent when it was.
     */
    record Outcome(int core, String outcome, @JsonInclude(JsonInclude.Include.NON_NULL) String transaction,
        @JsonInclude(JsonInclude.Include.NON_NULL) Long id,
        @JsonInclude(JsonInclude.Include.NON_NULL) String protocol,
        @JsonInclude(JsonInclude.Include.NON_NULL) Long shootdownUs,
        @JsonInclude(JsonInclude.Include.NON_NULL) String error)
    {
    }

    /**
     * What {@code GET /domains} answers.
     *
     * @param core     the core whose replicas they are.
     * @param count    domains the core runs.
     * @param tlb      the core's TLB.
     * @param protocol the core's default shootdown protocol.
     * @param domains  the domains, by id.
     */
    record Listing(int core, int count, Tlb tlb, String protocol, List<Domain> domains)
    {
    }

    /** A core's TLB: entries held now, and its counters since the core started. */
    record Tlb(long entries, long hits, long misses, long invalidations)
    {
    }

    /**
     * One domain as a core's replica holds it ({@code GET /domains/ID}).
     *
     * @param domain      its id.
     * @param root        the VNODE capability that is its page table's root.
     * @param cores       the cores that run it.
     * @param version     changes applied to it.
     * @param fingerprint of its page table; equal on every core that runs it.
     * @param mappings    by virtual address.
     * @param leaves      its leaf page tables (VNODE capabilities), by virtual address.
     */
    record Domain(long domain, long root, List<Integer> cores, long version, String fingerprint, List<Mapping> mappings,
        List<Leaf> leaves)
    {
    }

    /** One leaf page table: VNODE capability {@code vnode} maps {@code pages} pages of its range from {@code vaddr}. */
    record Leaf(long leaf, long vaddr, long vnode, long pages)
    {
    }

    /** One mapping: {@code length} bytes of a frame from {@code frameOffset} at {@code vaddr}. */
    record Mapping(long mapping, long vaddr, long length, long frame, long frameOffset, String rights)
    {
    }

    /** What a load (with its bytes) or a store answers when done. */
    record Access(int core, long domain, long vaddr, int length, @JsonInclude(JsonInclude.Include.NON_NULL) String base64)
    {
    }
}
