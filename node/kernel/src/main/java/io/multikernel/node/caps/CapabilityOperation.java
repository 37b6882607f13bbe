package io.multikernel.node.caps;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;
import java.util.Map;

/**
 * One change to the {@link CapabilityDatabase}; a transaction carries one or more. New object and
 * capability ids are chosen by the requesting core (unique per core and incarnation), so that every
 * replica applies the same ids.
 *
 * <p>Encoding, little-endian: {@code kind:int8} then the record's fields in declaration order,
 * {@code long} as int64, {@code int} and enums (ordinal) as int32:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------+-----------------------------------------------+
 *  |     kind      |  fields ... (8 bytes per long, 4 per int/enum)
 *  +---------------+-----------------------------------------------+
 * </pre>
 */
public sealed interface CapabilityOperation
{
    ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    /** Why kind 6 (a count of a frame's mappings, from before mappings were capabilities) is not read. */
    String MAPPING_COUNT_KIND = "capability operation kind 6 counts mappings without their MAPPING capabilities, " +
        "as versions before mapping capabilities wrote it: start the cluster over a fresh run directory";

    /** Why kind 7 (a map without its leaf page tables, from before they were capabilities) is not read. */
    String MAP_WITHOUT_LEAVES_KIND = "capability operation kind 7 maps a frame without the VNODEs of its leaf " +
        "page tables, as versions before leaf page tables were capabilities wrote it: start the cluster over a " +
        "fresh run directory";

    /**
     * A memory server hands out RAM from its core's physical range: a root RAM object and its
     * first capability, held by {@code holderCore}.
     */
    record Allocate(int serverCore, long base, long length, long objectId, long capId, int holderCore)
        implements CapabilityOperation
    {
    }

    /**
     * Make {@code count} objects of {@code type}, {@code objectLength} bytes each, from
     * {@code offset} into the source capability's object; capability ids {@code firstCapId..+count}
     * and object ids {@code firstObjectId..+count}, held by {@code holderCore}.
     */
    record Retype(long sourceCapId, long offset, CapabilityType type, long objectLength, int count,
        long firstObjectId, long firstCapId, int holderCore) implements CapabilityOperation
    {
    }

    /** A copy with the same rights, held by {@code holderCore}. */
    record Copy(long capId, long newCapId, int holderCore) implements CapabilityOperation
    {
    }

    /** A copy with {@code rights & rightsMask}, held by {@code holderCore}. */
    record Mint(long capId, long newCapId, int holderCore, int rightsMask) implements CapabilityOperation
    {
    }

    /** Remove one capability; the last copy of an object destroys the object and returns its memory. */
    record Delete(long capId) implements CapabilityOperation
    {
    }

    /**
     * Remove every other copy and every descendant of the capability's object, on every core.
     * {@code mappings} is how many MAPPING capabilities (mappings into the object's range) the same
     * transaction unmaps from their page tables, and {@code mappingsDigest} which ones
     * ({@link CapabilityDatabase#digest}); they must be exactly those below the object, so a revoke
     * never leaves a page table mapping memory whose capability it removed. Encoded as kind 5 when
     * there are none, else kind 9.
     */
    record Revoke(long capId, int mappings, long mappingsDigest) implements CapabilityOperation
    {
        /** A revoke with no mapping into the range. */
        public Revoke(final long capId)
        {
            this(capId, 0, 0);
        }
    }

    /**
     * A map makes a MAPPING capability, {@code capId} to a new MAPPING object {@code objectId}: the
     * {@code length} bytes at {@code offset} into the FRAME capability {@code frameCapId}'s object,
     * mapped at virtual page {@code vpage} of domain {@code domainId} as its mapping {@code mappingId};
     * held by {@code holderCore}, in the same transaction as the page-table change. The MAPPING object
     * is a child of the frame's object, so revoking the frame or an ancestor reaches it.
     *
     * <p>The leaf page tables the range needs and the domain lacks ({@code leafCount} of them, in
     * ascending virtual order) are made by the same operation from the holder core's memory server:
     * one RAM object of {@code leafCount} pages at {@code leafBase} (object id {@code leafFirstId},
     * capability {@code leafFirstId + 1}), retyped into {@code leafCount} VNODEs (objects from
     * {@code leafFirstId + 2}, capabilities from {@code leafFirstId + 2 + leafCount}), all held by the
     * holder core. Encoded as kind 12.
     */
    record MapFrame(long frameCapId, long objectId, long capId, long offset, long length, int holderCore,
        long domainId, long mappingId, long vpage, long leafBase, long leafFirstId, int leafCount)
        implements CapabilityOperation
    {
        /** @return ids the leaf tables of a map that makes {@code leafCount} of them use. */
        public static int leafIds(final int leafCount)
        {
            return 0 == leafCount ? 0 : 2 + 2 * leafCount;
        }

        /** @return the capability of the {@code i}th new leaf table's VNODE. */
        public long leafVnodeCapId(final int i)
        {
            return leafFirstId + 2 + leafCount + i;
        }
    }

    /** An unmap (or a domain's destroy) removes the MAPPING capability of each mapping it takes away. */
    record Unmapped(long capId) implements CapabilityOperation
    {
    }

    /**
     * A domain is created with the VNODE capability {@code vnodeCapId} as its page table's root, in
     * the same transaction; while it is, the capability is neither deleted nor revoked away.
     */
    record Rooted(long vnodeCapId, long domainId) implements CapabilityOperation
    {
    }

    /** The domain whose root the VNODE capability is, is destroyed in the same transaction. */
    record Unrooted(long vnodeCapId, long domainId) implements CapabilityOperation
    {
    }

    /** @return bytes of the encoding. */
    static int encodedLength(final CapabilityOperation operation)
    {
        return 1 + bodyLength(kind(operation));
    }

    /**
     * @param kind the leading byte.
     * @return bytes after it.
     * @throws IllegalArgumentException for an unknown kind.
     */
    private static int bodyLength(final int kind)
    {
        return switch (kind)
        {
            case 0 -> 4 + 8 + 8 + 8 + 8 + 4;
            case 1 -> 8 + 8 + 4 + 8 + 4 + 8 + 8 + 4;
            case 2 -> 8 + 8 + 4;
            case 3 -> 8 + 8 + 4 + 4;
            case 4, 5, 8 -> 8;
            case 9 -> 8 + 4 + 8;
            case 10, 11 -> 8 + 8;
            case 6 -> throw new IllegalArgumentException(MAPPING_COUNT_KIND);
            case 7 -> throw new IllegalArgumentException(MAP_WITHOUT_LEAVES_KIND);
            case 12 -> 8 + 8 + 8 + 8 + 8 + 4 + 8 + 8 + 8 + 8 + 8 + 4;
            default -> throw new IllegalArgumentException("capability operation kind " + kind + " is unknown");
        };
    }

    /** The leading byte of each operation's encoding, by its class (a revoke that unmaps is kind 9). */
    Map<Class<?>, Integer> KINDS = Map.of(Allocate.class, 0, Retype.class, 1, Copy.class, 2, Mint.class, 3,
        Delete.class, 4, Revoke.class, 5, MapFrame.class, 12, Unmapped.class, 8, Rooted.class, 10, Unrooted.class, 11);

    /** @return the leading byte of the operation's encoding. */
    private static int kind(final CapabilityOperation operation)
    {
        return operation instanceof Revoke r && 0 != r.mappings() ? 9 : KINDS.get(operation.getClass());
    }

    /** Writes the encoding at {@code offset}. */
    static void encode(final CapabilityOperation operation, final MutableDirectBuffer buffer, final int offset)
    {
        final Writer out = new Writer(buffer, offset).kind(kind(operation));
        if (operation instanceof Allocate a)
        {
            out.i(a.serverCore()).l(a.base()).l(a.length()).l(a.objectId()).l(a.capId()).i(a.holderCore());
        }
        else if (operation instanceof Retype r)
        {
            out.l(r.sourceCapId()).l(r.offset()).i(r.type().ordinal()).l(r.objectLength()).i(r.count())
                .l(r.firstObjectId()).l(r.firstCapId()).i(r.holderCore());
        }
        else if (operation instanceof Copy c)
        {
            out.l(c.capId()).l(c.newCapId()).i(c.holderCore());
        }
        else if (operation instanceof Mint m)
        {
            out.l(m.capId()).l(m.newCapId()).i(m.holderCore()).i(m.rightsMask());
        }
        else if (operation instanceof Delete d)
        {
            out.l(d.capId());
        }
        else if (operation instanceof MapFrame m)
        {
            out.l(m.frameCapId()).l(m.objectId()).l(m.capId()).l(m.offset()).l(m.length()).i(m.holderCore())
                .l(m.domainId()).l(m.mappingId()).l(m.vpage()).l(m.leafBase()).l(m.leafFirstId()).i(m.leafCount());
        }
        else if (operation instanceof Unmapped u)
        {
            out.l(u.capId());
        }
        else if (operation instanceof Rooted r)
        {
            out.l(r.vnodeCapId()).l(r.domainId());
        }
        else if (operation instanceof Unrooted u)
        {
            out.l(u.vnodeCapId()).l(u.domainId());
        }
        else
        {
            final Revoke r = (Revoke)operation;
            out.l(r.capId());
            if (0 != r.mappings())
            {
                out.i(r.mappings()).l(r.mappingsDigest());
            }
        }
    }

    /**
     * @throws IllegalArgumentException when the bytes are not an operation (unknown kind, wrong
     * length, unknown type).
     */
    static CapabilityOperation decode(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < 1)
        {
            throw new IllegalArgumentException("empty capability operation");
        }
        final int kind = buffer.getByte(offset);
        final int expected = 1 + bodyLength(kind);
        if (expected != length)
        {
            throw new IllegalArgumentException("capability operation of kind " + kind + " has " + length +
                " bytes, not " + expected);
        }
        final Reader in = new Reader(buffer, offset + 1);
        final CapabilityOperation operation = switch (kind)
        {
            case 0 -> new Allocate(in.i(), in.l(), in.l(), in.l(), in.l(), in.i());
            case 1 -> new Retype(in.l(), in.l(), type(in.i()), in.l(), in.i(), in.l(), in.l(), in.i());
            case 2 -> new Copy(in.l(), in.l(), in.i());
            case 3 -> new Mint(in.l(), in.l(), in.i(), in.i());
            case 4 -> new Delete(in.l());
            case 5 -> new Revoke(in.l());
            case 12 -> new MapFrame(in.l(), in.l(), in.l(), in.l(), in.l(), in.i(), in.l(), in.l(), in.l(), in.l(),
                in.l(), in.i());
            case 8 -> new Unmapped(in.l());
            case 9 -> new Revoke(in.l(), in.i(), in.l());
            case 10 -> new Rooted(in.l(), in.l());
            case 11 -> new Unrooted(in.l(), in.l());
            default -> throw new IllegalArgumentException("capability operation kind " + kind + " is unknown");
        };
        return operation;
    }

    private static CapabilityType type(final int ordinal)
    {
        final CapabilityType[] types = CapabilityType.values();
        if (ordinal < 0 || ordinal >= types.length)
        {
            throw new IllegalArgumentException("capability type " + ordinal + " is unknown");
        }
        return types[ordinal];
    }

    /** Sequential writes for {@link #encode}. */
    final class Writer
    {
        private final MutableDirectBuffer buffer;
        private int at;

        Writer(final MutableDirectBuffer buffer, final int offset)
        {
            this.buffer = buffer;
            this.at = offset;
        }

        Writer kind(final int kind)
        {
            buffer.putByte(at++, (byte)kind);
            return this;
        }

        Writer l(final long value)
        {
            buffer.putLong(at, value, ORDER);
            at += 8;
            return this;
        }

        Writer i(final int value)
        {
            buffer.putInt(at, value, ORDER);
            at += 4;
            return this;
        }
    }

    /** Sequential reads for {@link #decode}; arguments of a record constructor evaluate left to right. */
    final class Reader
    {
        private final DirectBuffer buffer;
        private int at;

        Reader(final DirectBuffer buffer, final int offset)
        {
            this.buffer = buffer;
            this.at = offset;
        }

        long l()
        {
            final long value = buffer.getLong(at, ORDER);
            at += 8;
            return value;
        }

        int i()
        {
            final int value = buffer.getInt(at, ORDER);
            at += 4;
            return value;
        }
    }
}
