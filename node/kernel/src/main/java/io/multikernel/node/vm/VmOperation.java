package io.multikernel.node.vm;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One change to the {@link AddressSpaces}: a domain's address space (its page table) is created,
 * changed, spread to another core, shrunk or destroyed. Mapping ids are chosen by the requesting
 * core, so every replica applies the same ids.
 *
 * <p>Encoding, little-endian: {@code kind:int8} then the record's fields in declaration order,
 * {@code long} as int64, {@code int} as int32, an {@code int[]} as {@code count:int32} then its
 * elements, a {@code byte[]} as {@code length:int32} then its bytes:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------+-----------------------------------------------+
 *  |     kind      |  fields ... (8 bytes per long, 4 per int)
 *  +---------------+-----------------------------------------------+
 *  Create: domainId rootVnodeCapId requesterCore coreCount core...
 *  Span:   domainId core imageLength image...
 *  Expect: domainId vpage pages count mappingId...
 *  AtVersion: domainId version coreCount core...
 * </pre>
 * Arrays are copied in and out, so an operation never changes after it is made.
 */
public sealed interface VmOperation
{
    ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    /** @return the domain the operation acts on. */
    long domainId();

    /**
     * A domain (address space) whose page-table root is a VNODE capability the requester holds,
     * replicated on {@code cores} (distinct, ascending).
     */
    record Create(long domainId, long rootVnodeCapId, int requesterCore, int[] cores) implements VmOperation
    {
        public Create
        {
            cores = cores.clone();
        }

        @Override
        public int[] cores()
        {
            return cores.clone();
        }

        @Override
        public boolean equals(final Object other)
        {
            return other instanceof Create c && domainId == c.domainId && rootVnodeCapId == c.rootVnodeCapId &&
                requesterCore == c.requesterCore && Arrays.equals(cores, c.cores);
        }

        @Override
        public int hashCode()
        {
            return Long.hashCode(domainId) * 31 + Arrays.hashCode(cores);
        }

        @Override
        public String toString()
        {
            return "Create[domainId=" + domainId + ", rootVnodeCapId=" + rootVnodeCapId + ", requesterCore=" +
                requesterCore + ", cores=" + Arrays.toString(cores) + "]";
        }
    }

    /**
     * Map {@code pages} pages of a FRAME capability the requester holds, from {@code frameOffsetPages}
     * into the frame, at virtual page {@code vpage}, with {@code rights}.
     */
    record Map(long domainId, long mappingId, long vpage, int pages, long frameCapId, long frameOffsetPages,
        int rights, int requesterCore) implements VmOperation
    {
    }

    /** Remove every mapping inside the range; a mapping the range only partly covers is refused. */
    record Unmap(long domainId, long vpage, int pages) implements VmOperation
    {
    }

    /** Set the rights of every mapping inside the range; a mapping the range only partly covers is refused. */
    record Protect(long domainId, long vpage, int pages, int rights) implements VmOperation
    {
    }

    /**
     * Add {@code core} to the domain; {@code domainImage} is the domain's canonical image
     * ({@link AddressSpaces#image}) from the coordinator's replica, which the new core installs.
     */
    record Span(long domainId, int core, byte[] domainImage) implements VmOperation
    {
        public Span
        {
            domainImage = domainImage.clone();
        }

        @Override
        public byte[] domainImage()
        {
            return domainImage.clone();
        }

        /** @return bytes of the image, without copying it. */
        public int imageLength()
        {
            return domainImage.length;
        }

        @Override
        public boolean equals(final Object other)
        {
            return other instanceof Span s && domainId == s.domainId && core == s.core &&
                Arrays.equals(domainImage, s.domainImage);
        }

        @Override
        public int hashCode()
        {
            return (Long.hashCode(domainId) * 31 + core) * 31 + Arrays.hashCode(domainImage);
        }

        @Override
        public String toString()
        {
            return "Span[domainId=" + domainId + ", core=" + core + ", domainImage=" + domainImage.length + " bytes]";
        }
    }

    /** Remove {@code core} from the domain (never its last core); that core drops the domain. */
    record Shrink(long domainId, int core) implements VmOperation
    {
    }

    /** Every core of the domain drops it. */
    record Destroy(long domainId) implements VmOperation
    {
    }

    /**
     * Changes nothing; valid only while the mappings that lie wholly inside the range (the whole
     * domain when {@code pages} is 0) are exactly {@code mappingIds}. It travels with an unmap or a
     * destroy, whose transaction also gives back to the capability database the mappings of each
     * frame it removes: the list the coordinator computed is then the list the change removes.
     */
    record Expect(long domainId, long vpage, int pages, long[] mappingIds) implements VmOperation
    {
        public Expect
        {
            mappingIds = mappingIds.clone();
        }

        @Override
        public long[] mappingIds()
        {
            return mappingIds.clone();
        }

        @Override
        public boolean equals(final Object other)
        {
            return other instanceof Expect e && domainId == e.domainId && vpage == e.vpage && pages == e.pages &&
                Arrays.equals(mappingIds, e.mappingIds);
        }

        @Override
        public int hashCode()
        {
            return Long.hashCode(domainId) * 31 + Arrays.hashCode(mappingIds);
        }

        @Override
        public String toString()
        {
            return "Expect[domainId=" + domainId + ", vpage=" + vpage + ", pages=" + pages + ", mappingIds=" +
                Arrays.toString(mappingIds) + "]";
        }
    }

    /**
     * Changes nothing; valid on a core that holds the domain only while its replica is at
     * {@code version} with {@code cores}, and on a core that does not hold it only when that core is
     * not among {@code cores}. Every change of an existing domain carries the version and cores of the
     * proposing core's replica: the participants and the shootdown targets were taken from that
     * replica, so a change proposed while the proposer had not yet applied an earlier change of the
     * domain (a span or shrink that changed its cores) is refused instead of committing on a stale
     * set of cores.
     */
    record AtVersion(long domainId, long version, int[] cores) implements VmOperation
    {
        public AtVersion
        {
            cores = cores.clone();
        }

        @Override
        public int[] cores()
        {
            return cores.clone();
        }

        @Override
        public boolean equals(final Object other)
        {
            return other instanceof AtVersion a && domainId == a.domainId && version == a.version &&
                Arrays.equals(cores, a.cores);
        }

        @Override
        public int hashCode()
        {
            return (Long.hashCode(domainId) * 31 + Long.hashCode(version)) * 31 + Arrays.hashCode(cores);
        }

        @Override
        public String toString()
        {
            return "AtVersion[domainId=" + domainId + ", version=" + version + ", cores=" + Arrays.toString(cores) + "]";
        }
    }

    /** @return bytes of the encoding. */
    static int encodedLength(final VmOperation operation)
    {
        if (operation instanceof Create c)
        {
            return 1 + 8 + 8 + 4 + 4 + 4 * c.cores.length;
        }
        if (operation instanceof Span s)
        {
            return 1 + 8 + 4 + 4 + s.domainImage.length;
        }
        if (operation instanceof Expect e)
        {
            return 1 + 8 + 8 + 4 + 4 + 8 * e.mappingIds.length;
        }
        if (operation instanceof AtVersion a)
        {
            return 1 + 8 + 8 + 4 + 4 * a.cores.length;
        }
        return 1 + fixedBodyLength(kind(operation));
    }

    /** @return bytes after the kind of an operation without arrays. */
    private static int fixedBodyLength(final int kind)
    {
        return switch (kind)
        {
            case 1 -> 8 + 8 + 8 + 4 + 8 + 8 + 4 + 4;
            case 2 -> 8 + 8 + 4;
            case 3 -> 8 + 8 + 4 + 4;
            case 5 -> 8 + 4;
            case 6 -> 8;
            default -> throw new IllegalArgumentException("address space operation kind " + kind + " is unknown");
        };
    }

    /** @return the leading byte of the operation's encoding. */
    private static int kind(final VmOperation operation)
    {
        if (operation instanceof Create)
        {
            return 0;
        }
        if (operation instanceof Map)
        {
            return 1;
        }
        if (operation instanceof Unmap)
        {
            return 2;
        }
        if (operation instanceof Protect)
        {
            return 3;
        }
        if (operation instanceof Span)
        {
            return 4;
        }
        if (operation instanceof Expect)
        {
            return 7;
        }
        if (operation instanceof AtVersion)
        {
            return 8;
        }
        return operation instanceof Shrink ? 5 : 6;
    }

    /** Writes the encoding at {@code offset}. */
    static void encode(final VmOperation operation, final MutableDirectBuffer buffer, final int offset)
    {
        int at = offset;
        buffer.putByte(at++, (byte)kind(operation));
        buffer.putLong(at, operation.domainId(), ORDER);
        at += 8;
        if (operation instanceof Create c)
        {
            buffer.putLong(at, c.rootVnodeCapId, ORDER);
            buffer.putInt(at + 8, c.requesterCore, ORDER);
            buffer.putInt(at + 12, c.cores.length, ORDER);
            at += 16;
            for (final int core : c.cores)
            {
                buffer.putInt(at, core, ORDER);
                at += 4;
            }
        }
        else if (operation instanceof Map m)
        {
            buffer.putLong(at, m.mappingId, ORDER);
            buffer.putLong(at + 8, m.vpage, ORDER);
            buffer.putInt(at + 16, m.pages, ORDER);
            buffer.putLong(at + 20, m.frameCapId, ORDER);
            buffer.putLong(at + 28, m.frameOffsetPages, ORDER);
            buffer.putInt(at + 36, m.rights, ORDER);
            buffer.putInt(at + 40, m.requesterCore, ORDER);
        }
        else if (operation instanceof Unmap u)
        {
            buffer.putLong(at, u.vpage, ORDER);
            buffer.putInt(at + 8, u.pages, ORDER);
        }
        else if (operation instanceof Protect p)
        {
            buffer.putLong(at, p.vpage, ORDER);
            buffer.putInt(at + 8, p.pages, ORDER);
            buffer.putInt(at + 12, p.rights, ORDER);
        }
        else if (operation instanceof Span s)
        {
            buffer.putInt(at, s.core, ORDER);
            buffer.putInt(at + 4, s.domainImage.length, ORDER);
            buffer.putBytes(at + 8, s.domainImage);
        }
        else if (operation instanceof Shrink s)
        {
            buffer.putInt(at, s.core, ORDER);
        }
        else if (operation instanceof Expect e)
        {
            buffer.putLong(at, e.vpage, ORDER);
            buffer.putInt(at + 8, e.pages, ORDER);
            buffer.putInt(at + 12, e.mappingIds.length, ORDER);
            for (int i = 0; i < e.mappingIds.length; i++)
            {
                buffer.putLong(at + 16 + 8 * i, e.mappingIds[i], ORDER);
            }
        }
        else if (operation instanceof AtVersion a)
        {
            buffer.putLong(at, a.version, ORDER);
            buffer.putInt(at + 8, a.cores.length, ORDER);
            for (int i = 0; i < a.cores.length; i++)
            {
                buffer.putInt(at + 12 + 4 * i, a.cores[i], ORDER);
            }
        }
    }

    /**
     * @throws IllegalArgumentException when the bytes are not an operation (unknown kind, wrong
     * length, a negative or oversized array count).
     */
    static VmOperation decode(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < 1 + 8)
        {
            throw new IllegalArgumentException("address space operation of " + length + " bytes is too short");
        }
        final int kind = buffer.getByte(offset);
        final long domainId = buffer.getLong(offset + 1, ORDER);
        final int at = offset + 9;
        if (0 == kind)
        {
            expectAtLeast(kind, length, 1 + 8 + 16);
            final int count = buffer.getInt(at + 12, ORDER);
            expect(kind, length, 1 + 8 + 16 + 4L * count, count);
            final int[] cores = new int[count];
            for (int i = 0; i < count; i++)
            {
                cores[i] = buffer.getInt(at + 16 + 4 * i, ORDER);
            }
            return new Create(domainId, buffer.getLong(at, ORDER), buffer.getInt(at + 8, ORDER), cores);
        }
        if (4 == kind)
        {
            expectAtLeast(kind, length, 1 + 8 + 8);
            final int imageLength = buffer.getInt(at + 4, ORDER);
            expect(kind, length, 1 + 8 + 8 + (long)imageLength, imageLength);
            final byte[] image = new byte[imageLength];
            buffer.getBytes(at + 8, image);
            return new Span(domainId, buffer.getInt(at, ORDER), image);
        }
        if (7 == kind)
        {
            expectAtLeast(kind, length, 1 + 8 + 16);
            final int count = buffer.getInt(at + 12, ORDER);
            expect(kind, length, 1 + 8 + 16 + 8L * count, count);
            final long[] ids = new long[count];
            for (int i = 0; i < count; i++)
            {
                ids[i] = buffer.getLong(at + 16 + 8 * i, ORDER);
            }
            return new Expect(domainId, buffer.getLong(at, ORDER), buffer.getInt(at + 8, ORDER), ids);
        }
        if (8 == kind)
        {
            expectAtLeast(kind, length, 1 + 8 + 12);
            final int count = buffer.getInt(at + 8, ORDER);
            expect(kind, length, 1 + 8 + 12 + 4L * count, count);
            final int[] cores = new int[count];
            for (int i = 0; i < count; i++)
            {
                cores[i] = buffer.getInt(at + 12 + 4 * i, ORDER);
            }
            return new AtVersion(domainId, buffer.getLong(at, ORDER), cores);
        }
        expect(kind, length, 1 + fixedBodyLength(kind), 0);
        return switch (kind)
        {
            case 1 -> new Map(domainId, buffer.getLong(at, ORDER), buffer.getLong(at + 8, ORDER),
                buffer.getInt(at + 16, ORDER), buffer.getLong(at + 20, ORDER), buffer.getLong(at + 28, ORDER),
                buffer.getInt(at + 36, ORDER), buffer.getInt(at + 40, ORDER));
            case 2 -> new Unmap(domainId, buffer.getLong(at, ORDER), buffer.getInt(at + 8, ORDER));
            case 3 -> new Protect(domainId, buffer.getLong(at, ORDER), buffer.getInt(at + 8, ORDER),
                buffer.getInt(at + 12, ORDER));
            case 5 -> new Shrink(domainId, buffer.getInt(at, ORDER));
            default -> new Destroy(domainId);
        };
    }

    private static void expectAtLeast(final int kind, final int length, final int minimum)
    {
        if (length < minimum)
        {
            throw new IllegalArgumentException("address space operation of kind " + kind + " has " + length +
                " bytes, fewer than " + minimum);
        }
    }

    private static void expect(final int kind, final int length, final long expected, final int count)
    {
        if (count < 0 || expected != length)
        {
            throw new IllegalArgumentException("address space operation of kind " + kind + " has " + length +
                " bytes, not " + expected);
        }
    }
}
