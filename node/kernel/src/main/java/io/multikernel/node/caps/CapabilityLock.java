package io.multikernel.node.caps;

/**
 * What a capability operation locks on a replica from prepare to commit: two operations with a common
 * lock never prepare at the same time (the second votes no), which closes the window Barrelfish leaves
 * between its owner's check and the creation of retyped capabilities.
 *
 * @param kind what is locked.
 * @param id   the object id, capability id, memory server core or domain.
 */
public record CapabilityLock(Kind kind, long id)
{
    /** Kinds of lock. */
    public enum Kind
    {
        /** An object: every operation on it, its copies or its descendants' creation. */
        OBJECT,
        /** A capability id a transaction creates. */
        CAPABILITY,
        /** A memory server's allocations. */
        MEMORY_SERVER,
        /** A domain's leaf page tables: every change of its mappings. */
        PAGE_TABLES
    }

    /** @return what is locked, as a refusal names it ({@code object 1099511628304}). */
    @Override
    public String toString()
    {
        return switch (kind)
        {
            case OBJECT -> "object " + id;
            case CAPABILITY -> "capability id " + id;
            case MEMORY_SERVER -> "the memory server of core " + id;
            case PAGE_TABLES -> "the page tables of domain " + id;
        };
    }

    static CapabilityLock object(final long objectId)
    {
        return new CapabilityLock(Kind.OBJECT, objectId);
    }

    static CapabilityLock capability(final long capId)
    {
        return new CapabilityLock(Kind.CAPABILITY, capId);
    }

    static CapabilityLock memoryServer(final int core)
    {
        return new CapabilityLock(Kind.MEMORY_SERVER, core);
    }

    static CapabilityLock pageTables(final long domainId)
    {
        return new CapabilityLock(Kind.PAGE_TABLES, domainId);
    }
}
