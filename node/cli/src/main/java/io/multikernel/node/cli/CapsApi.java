package io.multikernel.node.cli;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * The documents of a core's capability admin API ({@code /caps}, see the kernel's
 * {@code CapabilityAdmin}) as {@code mk caps} sends and reads them. Answers are read strictly: a field
 * this side does not know fails the command with one line, as for {@code mk kv}.
 */
final class CapsApi
{
    private CapsApi()
    {
    }

    /** {@code POST /caps/alloc}. */
    record Allocation(long bytes)
    {
    }

    /** {@code POST /caps/retype}. */
    record RetypeRequest(long cap, String type, long size, long offset, int count)
    {
    }

    /** {@code POST /caps/copy}. */
    record CopyRequest(long cap, int to)
    {
    }

    /** {@code POST /caps/mint}: {@code to} absent means the core that takes the request. */
    record MintRequest(long cap, @JsonInclude(JsonInclude.Include.NON_NULL) Integer to, String rights)
    {
    }

    /** {@code POST /caps/delete}, {@code /caps/revoke} and {@code /caps/identify}. */
    record CapRequest(long cap)
    {
    }

    /** {@code POST /caps/read}. */
    record ReadRequest(long cap, long offset, int length)
    {
    }

    /** {@code POST /caps/write}. */
    record WriteRequest(long cap, long offset, String base64)
    {
    }

    /**
     * What a change (alloc, retype, copy, mint, delete, revoke) answers, and what any operation answers
     * when the core refused it.
     *
     * @param core        the core that took the request.
     * @param outcome     committed, done, not_found, forbidden, invalid, conflict, aborted, unavailable or
     *                    indefinite.
     * @param transaction the 2PC transaction's id when one was proposed.
     * @param caps        the capabilities the change made, in order.
     * @param error       one sentence on why it was not done; absent when it was.
     */
    record Outcome(int core, String outcome, @JsonInclude(JsonInclude.Include.NON_NULL) String transaction,
        List<Long> caps, @JsonInclude(JsonInclude.Include.NON_NULL) String error)
    {
    }

    /**
     * One capability as the replica holds it.
     *
     * @param cap      its id.
     * @param object   the kernel object it refers to.
     * @param type     ram, frame, cnode, vnode or mapping.
     * @param base     the object's physical base address.
     * @param length   the object's length, bytes.
     * @param rights   e.g. {@code read,write}; {@code none}.
     * @param holder   the core that holds this capability.
     * @param owner    the core that owns the object.
     * @param parent   the object it was retyped from; 0 for RAM from a memory server.
     * @param copies   capabilities of the same object.
     * @param children objects retyped from this object.
     * @param mapping  what a MAPPING capability maps; absent for every other type.
     * @param root     the domain whose page-table root this VNODE capability is; absent otherwise.
     * @param leaf     the leaf page table this VNODE capability is, or whose VNODE this RAM holds; absent otherwise.
     */
    record Capability(long cap, long object, String type, long base, long length, String rights, int holder, int owner,
        long parent, int copies, int children, @JsonInclude(JsonInclude.Include.NON_NULL) Mapping mapping,
        @JsonInclude(JsonInclude.Include.NON_NULL) Long root, @JsonInclude(JsonInclude.Include.NON_NULL) Leaf leaf)
    {
    }

    /**
     * A leaf page table.
     *
     * @param domain the address space.
     * @param leaf   which leaf: its first virtual page over the pages a leaf maps.
     * @param vaddr  its first virtual address, hex.
     * @param vnode  true for the leaf's VNODE capability, false for the RAM it was retyped from.
     */
    record Leaf(long domain, long leaf, String vaddr, boolean vnode)
    {
    }

    /**
     * What a MAPPING capability maps.
     *
     * @param frame   the FRAME capability the map named.
     * @param domain  the address space.
     * @param mapping the mapping's id in it.
     * @param vaddr   its first virtual address, hex.
     */
    record Mapping(long frame, long domain, long mapping, String vaddr)
    {
    }

    /**
     * What {@code GET /caps} answers.
     *
     * @param core         the core whose replica it is.
     * @param count        capabilities in the replica.
     * @param objects      kernel objects in the replica.
     * @param fingerprint  of the whole replica; equal on replicas that applied the same changes.
     * @param changes      changes applied to the replica.
     * @param limit        most capabilities listed.
     * @param truncated    whether more matched than listed.
     * @param memory       this core's memory server; absent when it has none.
     * @param capabilities the first that match, in id order.
     */
    record Listing(int core, int count, int objects, String fingerprint, long changes, int limit, boolean truncated,
        @JsonInclude(JsonInclude.Include.NON_NULL) MemoryServer memory, List<Capability> capabilities)
    {
    }

    /**
     * A core's memory server: the physical range it hands RAM out of.
     *
     * @param core     the core.
     * @param base     the range's base address.
     * @param length   the range's length, bytes.
     * @param used     bytes handed out and not returned.
     * @param free     bytes it can still hand out.
     * @param returned bytes handed out and given back.
     */
    record MemoryServer(int core, long base, long length, long used, long free, long returned)
    {
    }

    /**
     * What {@code POST /caps/read} and {@code /caps/write} answer when done.
     *
     * @param cap    the frame's capability.
     * @param offset where in the frame.
     * @param length bytes read or written.
     * @param base64 the bytes read; absent for a write.
     */
    record FrameData(long cap, long offset, int length, @JsonInclude(JsonInclude.Include.NON_NULL) String base64)
    {
    }
}
