package io.multikernel.node.vm;

import io.multikernel.node.caps.Rights;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;

/**
 * A domain as bytes, canonical (cores ascending, mappings by virtual page), so equal domains have
 * equal images and fingerprints; what a {@link VmOperation.Span} carries to a new core and what
 * a snapshot is made of. Little-endian:
 * <pre>
 *   format:int32 (= {@value #FORMAT})
 *   domainId:int64 rootVnodeCapId:int64 version:int64
 *   coreCount:int32, then core:int32 per core
 *   mappingCount:int32, then per mapping ({@value #MAPPING_LENGTH_BYTES} bytes):
 *     mappingId:int64 vpage:int64 pages:int32 frameCapId:int64 frameBase:int64
 *     frameOffsetPages:int64 rights:int32 frameRights:int32
 * </pre>
 * A snapshot of a replica is {@code snapshotFormat:int32 (= {@value #SNAPSHOT_FORMAT})
 * highestOwnId:int64 domainCount:int32} then per domain, by id, {@code imageLength:int32} and the
 * image. {@code highestOwnId} is the highest domain or mapping id of the replica's own core it ever
 * applied, live or since removed, or 0 for none. Snapshots of format 1 (without it) still restore.
 */
final class DomainImage
{
    static final int FORMAT = 1;
    static final int SNAPSHOT_FORMAT = 2;
    /** The snapshot format before {@code highestOwnId}; restored with the highest id taken from the domains. */
    static final int SNAPSHOT_FORMAT_WITHOUT_HIGHEST = 1;
    static final int HEADER_LENGTH_BYTES = 4 + 8 + 8 + 8 + 4 + 4;
    static final int MAPPING_LENGTH_BYTES = 8 + 8 + 4 + 8 + 8 + 8 + 4 + 4;
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private DomainImage()
    {
    }

    /** @return the most bytes an image of a domain on at most {@code coresMax} cores has. */
    static int lengthMax(final int coresMax)
    {
        return HEADER_LENGTH_BYTES + 4 * coresMax + AddressSpaces.MAPPINGS_PER_DOMAIN_MAX * MAPPING_LENGTH_BYTES;
    }

    static byte[] encode(final Domain domain)
    {
        final int[] cores = domain.cores();
        final ByteBuffer out = ByteBuffer.allocate(HEADER_LENGTH_BYTES + 4 * cores.length +
            domain.mappingCount() * MAPPING_LENGTH_BYTES).order(ORDER);
        out.putInt(FORMAT).putLong(domain.domainId()).putLong(domain.rootVnodeCapId()).putLong(domain.version());
        out.putInt(cores.length);
        for (final int core : cores)
        {
            out.putInt(core);
        }
        out.putInt(domain.mappingCount());
        for (final Mapping m : domain.mappings().values())
        {
            out.putLong(m.mappingId()).putLong(m.vpage()).putInt(m.pages()).putLong(m.frameCapId())
                .putLong(m.frameBase()).putLong(m.frameOffsetPages()).putInt(m.rights()).putInt(m.frameRights());
        }
        return out.array();
    }

    /**
     * @param coresMax cores of the cluster: every core id lies below it.
     * @throws IllegalArgumentException when the bytes are not a well-formed image: wrong format or
     * length, cores not ascending or out of range, mappings out of bounds, overlapping, with a repeated
     * id, or with rights outside the frame's.
     */
    static Domain decode(final byte[] bytes, final int coresMax)
    {
        final ByteBuffer in = ByteBuffer.wrap(bytes).order(ORDER);
        try
        {
            final Domain domain = decode(in, bytes.length, coresMax);
            if (in.hasRemaining())
            {
                throw new IllegalArgumentException(in.remaining() + " bytes follow the image of domain " +
                    domain.domainId());
            }
            return domain;
        }
        catch (final BufferUnderflowException ex)
        {
            throw new IllegalArgumentException("a domain image of " + bytes.length + " bytes is truncated", ex);
        }
    }

    private static Domain decode(final ByteBuffer in, final int length, final int coresMax)
    {
        final int format = in.getInt();
        if (FORMAT != format)
        {
            throw new IllegalArgumentException("domain image format " + format + " is not " + FORMAT);
        }
        final long domainId = in.getLong();
        final long rootVnodeCapId = in.getLong();
        final long version = in.getLong();
        if (domainId <= 0 || version < 0)
        {
            throw new IllegalArgumentException("domain image has id " + domainId + " and version " + version);
        }
        final int coreCount = in.getInt();
        if (coreCount < 1 || coreCount > coresMax || 4L * coreCount > in.remaining())
        {
            throw new IllegalArgumentException("domain " + domainId + " has " + coreCount + " cores, not 1.." + coresMax);
        }
        final int[] cores = new int[coreCount];
        for (int i = 0; i < coreCount; i++)
        {
            cores[i] = in.getInt();
            if (cores[i] < 0 || cores[i] >= coresMax || (i > 0 && cores[i] <= cores[i - 1]))
            {
                throw new IllegalArgumentException("domain " + domainId + "'s cores are not distinct, ascending and below " +
                    coresMax);
            }
        }
        final Domain domain = new Domain(domainId, rootVnodeCapId, cores, version);
        final int mappingCount = in.getInt();
        if (mappingCount < 0 || mappingCount > AddressSpaces.MAPPINGS_PER_DOMAIN_MAX ||
            (long)mappingCount * MAPPING_LENGTH_BYTES > in.remaining())
        {
            throw new IllegalArgumentException("domain " + domainId + "'s mapping count " + mappingCount +
                " does not fit its " + length + "-byte image");
        }
        long previousLimit = 0;
        for (int i = 0; i < mappingCount; i++)
        {
            final Mapping m = new Mapping(in.getLong(), in.getLong(), in.getInt(), in.getLong(), in.getLong(),
                in.getLong(), in.getInt(), in.getInt());
            final String problem = mappingProblem(m);
            if (null != problem || m.vpage() < previousLimit || domain.hasMappingId(m.mappingId()))
            {
                throw new IllegalArgumentException("mapping " + m.mappingId() + " of domain " + domainId + " is not valid: " +
                    (null != problem ? problem : "it overlaps or repeats an earlier one"));
            }
            domain.add(m);
            previousLimit = m.limit();
        }
        return domain;
    }

    /** @return null when the mapping alone is well formed, else what is wrong with it. */
    static String mappingProblem(final Mapping m)
    {
        if (m.mappingId() <= 0)
        {
            return "its id is not positive";
        }
        if (m.vpage() < 0 || m.pages() < 1 || m.pages() > AddressSpaces.MAP_PAGES_MAX ||
            m.vpage() > AddressSpaces.VIRTUAL_PAGES - m.pages())
        {
            return "pages " + m.vpage() + "+" + m.pages() + " are outside the address space";
        }
        if (m.frameOffsetPages() < 0 || m.frameBase() < 0)
        {
            return "its frame base or offset is negative";
        }
        if (0 == m.rights() || (m.rights() & ~AddressSpaces.MAPPING_RIGHTS) != 0 ||
            !Rights.includes(m.frameRights(), m.rights()))
        {
            return "rights " + Rights.format(m.rights()) + " are not within the frame's " + Rights.format(m.frameRights());
        }
        return null;
    }

    /**
     * A replica's domains and the highest of its own ids it ever applied.
     *
     * @param domains      by ascending id.
     * @param highestOwnId 0 for none, or -1 when the snapshot (format 1) did not say.
     */
    record Snapshot(Domain[] domains, long highestOwnId)
    {
    }

    static byte[] snapshot(final Collection<Domain> domainsById, final long highestOwnId)
    {
        final byte[][] images = new byte[domainsById.size()][];
        int length = 4 + 8 + 4;
        int i = 0;
        for (final Domain domain : domainsById)
        {
            images[i] = encode(domain);
            length += 4 + images[i++].length;
        }
        final ByteBuffer out = ByteBuffer.allocate(length).order(ORDER);
        out.putInt(SNAPSHOT_FORMAT).putLong(highestOwnId).putInt(images.length);
        for (final byte[] image : images)
        {
            out.putInt(image.length).put(image);
        }
        return out.array();
    }

    /**
     * @return the domains, by ascending id, and the highest own id.
     * @throws IllegalArgumentException when the bytes are not a snapshot.
     */
    static Snapshot restore(final byte[] snapshot, final int coresMax, final int domainsMax)
    {
        final ByteBuffer in = ByteBuffer.wrap(snapshot).order(ORDER);
        try
        {
            final int format = in.getInt();
            final long highestOwnId;
            if (SNAPSHOT_FORMAT == format)
            {
                highestOwnId = in.getLong();
                if (highestOwnId < 0)
                {
                    throw new IllegalArgumentException("address space snapshot's highest own id " + highestOwnId +
                        " is negative");
                }
            }
            else if (SNAPSHOT_FORMAT_WITHOUT_HIGHEST == format)
            {
                highestOwnId = -1;
            }
            else
            {
                throw new IllegalArgumentException("address space snapshot format " + format + " is not " +
                    SNAPSHOT_FORMAT + " or " + SNAPSHOT_FORMAT_WITHOUT_HIGHEST);
            }
            final int count = in.getInt();
            if (count < 0 || count > domainsMax)
            {
                throw new IllegalArgumentException("address space snapshot holds " + count + " domains, not 0.." +
                    domainsMax);
            }
            final Domain[] domains = new Domain[count];
            for (int i = 0; i < count; i++)
            {
                final int imageLength = in.getInt();
                if (imageLength < 0 || imageLength > in.remaining())
                {
                    throw new IllegalArgumentException("domain image length " + imageLength + " does not fit the " +
                        in.remaining() + " bytes left in the address space snapshot");
                }
                final byte[] image = new byte[imageLength];
                in.get(image);
                domains[i] = decode(image, coresMax);
                if (i > 0 && domains[i].domainId() <= domains[i - 1].domainId())
                {
                    throw new IllegalArgumentException("address space snapshot's domains are not in ascending id order");
                }
            }
            if (in.hasRemaining())
            {
                throw new IllegalArgumentException(in.remaining() + " bytes follow the address space snapshot");
            }
            return new Snapshot(domains, highestOwnId);
        }
        catch (final BufferUnderflowException ex)
        {
            throw new IllegalArgumentException("address space snapshot of " + snapshot.length + " bytes is truncated", ex);
        }
    }

    static String fingerprint(final byte[] bytes)
    {
        try
        {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 is missing from this JVM", ex);
        }
    }
}
