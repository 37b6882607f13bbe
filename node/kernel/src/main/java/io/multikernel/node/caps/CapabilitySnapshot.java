package io.multikernel.node.caps;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The whole capability database as bytes, canonical (everything in id order), so equal databases
 * have equal snapshots and fingerprints. Little-endian:
 * <pre>
 *   version:int32 (= {@value #VERSION})
 *   objectCount:int32, then per object:
 *     objectId:int64 type:int32 base:int64 length:int64 parentId:int64 ownerCore:int32
 *   capabilityCount:int32, then per capability:
 *     capId:int64 objectId:int64 rights:int32 holderCore:int32
 *   serverCount:int32, then per memory server: core:int32 returnedBytes:int64
 *   blockCount:int32, then per id block: block:int64 highestId:int64   (since version 2)
 *   mappingCount:int32, then per MAPPING capability:                             (since version 4)
 *     capId:int64 frameCapId:int64 domainId:int64 mappingId:int64 vpage:int64
 *   rootCount:int32, then per domain root: vnodeCapId:int64 domainId:int64        (since version 4)
 *   leafCount:int32, then per leaf page table: domainId:int64 leaf:int64 vnodeCapId:int64 (since version 5)
 * </pre>
 * Versions 1 (no id blocks: the blocks' highest ids are then those of live entries), 2 (no
 * mappings), 3 without mappings and 4 without mappings still restore. Version 3 counted each
 * frame's mappings without MAPPING capabilities, and version 4 mapped pages without leaf page
 * tables; one that has any mapping is refused, with what to do. A leaf's mapped pages are not
 * stored: the database counts them from the mappings.
 *
 * @param objects      live objects in id order.
 * @param capabilities capabilities in id order.
 * @param returnedBytes bytes returned to each memory server.
 * @param highestIds   the highest id ever used in each id block.
 * @param mappings     what each MAPPING capability maps, in capability id order.
 * @param roots        the domain whose page-table root each VNODE capability is.
 * @param leaves       every domain's leaf page tables, by domain then leaf, each with 0 pages.
 */
record CapabilitySnapshot(List<KernelObject> objects, List<Capability> capabilities, Map<Integer, Long> returnedBytes,
    Map<Long, Long> highestIds, List<MappingCapability> mappings, Map<Long, Long> roots, List<LeafTable> leaves)
{
    static final int VERSION = 5;
    private static final int VERSION_WITHOUT_LEAVES = 4;
    private static final int VERSION_WITHOUT_ID_BLOCKS = 1;
    private static final int VERSION_WITHOUT_MAPPINGS = 2;
    private static final int VERSION_WITH_MAPPING_COUNTS = 3;
    private static final int MAPPED_LENGTH_BYTES = 8 + 4;
    private static final int MAPPING_LENGTH_BYTES = 5 * 8;
    private static final int ROOT_LENGTH_BYTES = 8 + 8;
    private static final int LEAF_LENGTH_BYTES = 8 + 8 + 8;
    private static final int OBJECT_LENGTH_BYTES = 8 + 4 + 8 + 8 + 8 + 4;
    private static final int CAPABILITY_LENGTH_BYTES = 8 + 8 + 4 + 4;
    private static final int SERVER_LENGTH_BYTES = 4 + 8;
    private static final int BLOCK_LENGTH_BYTES = 8 + 8;

    static byte[] encode(final Collection<KernelObject> objects, final Collection<Capability> capabilities,
        final Map<Integer, Long> returnedBytes, final Map<Long, Long> highestIds,
        final Collection<MappingCapability> mappings, final Map<Long, Long> roots, final Collection<LeafTable> leaves)
    {
        final ByteBuffer out = ByteBuffer.allocate(6 * 4 + objects.size() * OBJECT_LENGTH_BYTES +
            capabilities.size() * CAPABILITY_LENGTH_BYTES + returnedBytes.size() * SERVER_LENGTH_BYTES +
            highestIds.size() * BLOCK_LENGTH_BYTES + mappings.size() * MAPPING_LENGTH_BYTES + 4 +
            roots.size() * ROOT_LENGTH_BYTES + 4 + leaves.size() * LEAF_LENGTH_BYTES)
            .order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(VERSION).putInt(objects.size());
        for (final KernelObject o : objects)
        {
            out.putLong(o.objectId()).putInt(o.type().ordinal()).putLong(o.base()).putLong(o.length())
                .putLong(o.parentId()).putInt(o.ownerCore());
        }
        out.putInt(capabilities.size());
        for (final Capability c : capabilities)
        {
            out.putLong(c.capId()).putLong(c.objectId()).putInt(c.rights()).putInt(c.holderCore());
        }
        out.putInt(returnedBytes.size());
        new TreeMap<>(returnedBytes).forEach((core, bytes) -> out.putInt(core).putLong(bytes));
        out.putInt(highestIds.size());
        new TreeMap<>(highestIds).forEach((block, id) -> out.putLong(block).putLong(id));
        out.putInt(mappings.size());
        for (final MappingCapability m : mappings)
        {
            out.putLong(m.capId()).putLong(m.frameCapId()).putLong(m.domainId()).putLong(m.mappingId()).putLong(m.vpage());
        }
        out.putInt(roots.size());
        new TreeMap<>(roots).forEach((capId, domainId) -> out.putLong(capId).putLong(domainId));
        out.putInt(leaves.size());
        for (final LeafTable leaf : leaves)
        {
            out.putLong(leaf.domainId()).putLong(leaf.leaf()).putLong(leaf.vnodeCapId());
        }
        return out.array();
    }

    /**
     * @throws IllegalArgumentException when the bytes are not a snapshot of this version.
     */
    static CapabilitySnapshot decode(final byte[] bytes)
    {
        final ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        try
        {
            final int version = in.getInt();
            if (version < VERSION_WITHOUT_ID_BLOCKS || version > VERSION)
            {
                throw new IllegalArgumentException("capability snapshot version " + version + " is not " +
                    VERSION_WITHOUT_ID_BLOCKS + ".." + VERSION);
            }
            final int objectCount = count(in, OBJECT_LENGTH_BYTES, "object");
            final List<KernelObject> objects = new ArrayList<>(objectCount);
            final CapabilityType[] types = CapabilityType.values();
            for (int i = 0; i < objectCount; i++)
            {
                final long objectId = in.getLong();
                final int type = in.getInt();
                if (type < 0 || type >= types.length)
                {
                    throw new IllegalArgumentException("object " + objectId + " has unknown type " + type);
                }
                objects.add(new KernelObject(objectId, types[type], in.getLong(), in.getLong(), in.getLong(), in.getInt()));
            }
            final int capabilityCount = count(in, CAPABILITY_LENGTH_BYTES, "capability");
            final List<Capability> capabilities = new ArrayList<>(capabilityCount);
            for (int i = 0; i < capabilityCount; i++)
            {
                capabilities.add(new Capability(in.getLong(), in.getLong(), in.getInt(), in.getInt()));
            }
            final int serverCount = count(in, SERVER_LENGTH_BYTES, "memory server");
            final Map<Integer, Long> returned = new TreeMap<>();
            for (int i = 0; i < serverCount; i++)
            {
                returned.put(in.getInt(), in.getLong());
            }
            final Map<Long, Long> highestIds = new TreeMap<>();
            if (version >= VERSION_WITHOUT_MAPPINGS)
            {
                final int blockCount = count(in, BLOCK_LENGTH_BYTES, "id block");
                for (int i = 0; i < blockCount; i++)
                {
                    highestIds.put(in.getLong(), in.getLong());
                }
            }
            final List<MappingCapability> mappings = new ArrayList<>();
            final Map<Long, Long> roots = new TreeMap<>();
            if (VERSION_WITH_MAPPING_COUNTS == version)
            {
                final int mappedCount = count(in, MAPPED_LENGTH_BYTES, "mapped capability");
                if (mappedCount > 0)
                {
                    throw new IllegalArgumentException("capability snapshot version 3 counts the mappings of " +
                        mappedCount + " frame capabilities without their MAPPING capabilities: start the cluster " +
                        "over a fresh run directory");
                }
            }
            else if (version >= VERSION_WITHOUT_LEAVES)
            {
                final int mappingCount = count(in, MAPPING_LENGTH_BYTES, "MAPPING capability");
                for (int i = 0; i < mappingCount; i++)
                {
                    mappings.add(new MappingCapability(in.getLong(), in.getLong(), in.getLong(), in.getLong(),
                        in.getLong()));
                }
                final int rootCount = count(in, ROOT_LENGTH_BYTES, "domain root");
                for (int i = 0; i < rootCount; i++)
                {
                    roots.put(in.getLong(), in.getLong());
                }
                if (VERSION_WITHOUT_LEAVES == version && !mappings.isEmpty())
                {
                    throw new IllegalArgumentException("capability snapshot version 4 maps " + mappings.size() +
                        " mappings without the VNODEs of their leaf page tables: start the cluster over a fresh " +
                        "run directory");
                }
            }
            final List<LeafTable> leaves = new ArrayList<>();
            if (version >= VERSION)
            {
                final int leafCount = count(in, LEAF_LENGTH_BYTES, "leaf page table");
                for (int i = 0; i < leafCount; i++)
                {
                    leaves.add(new LeafTable(in.getLong(), in.getLong(), in.getLong(), 0));
                }
            }
            if (in.hasRemaining())
            {
                throw new IllegalArgumentException(in.remaining() + " bytes follow the capability snapshot");
            }
            checkMappings(objects, capabilities, mappings, roots, leaves);
            return new CapabilitySnapshot(objects, capabilities, returned, highestIds, mappings, roots, leaves);
        }
        catch (final java.nio.BufferUnderflowException ex)
        {
            throw new IllegalArgumentException("capability snapshot of " + bytes.length + " bytes is truncated", ex);
        }
    }

    /**
     * Every mapping record names a MAPPING capability of the snapshot, once, and every root a VNODE
     * capability: a database restored otherwise would refuse or apply operations on the wrong types.
     */
    private static void checkMappings(final List<KernelObject> objects, final List<Capability> capabilities,
        final List<MappingCapability> mappings, final Map<Long, Long> roots, final List<LeafTable> leaves)
    {
        final Map<Long, CapabilityType> typeOfObject = new java.util.HashMap<>();
        objects.forEach(o -> typeOfObject.put(o.objectId(), o.type()));
        final Map<Long, CapabilityType> typeOfCapability = new java.util.HashMap<>();
        capabilities.forEach(c -> typeOfCapability.put(c.capId(), typeOfObject.get(c.objectId())));
        final java.util.Set<Long> seen = new java.util.HashSet<>();
        for (final MappingCapability m : mappings)
        {
            if (CapabilityType.MAPPING != typeOfCapability.get(m.capId()) || !seen.add(m.capId()))
            {
                throw new IllegalArgumentException("the capability snapshot's mapping record for capability " +
                    m.capId() + " names no MAPPING capability of the snapshot, or names it twice");
            }
        }
        for (final Long vnode : roots.keySet())
        {
            if (CapabilityType.VNODE != typeOfCapability.get(vnode))
            {
                throw new IllegalArgumentException("the capability snapshot's root of domain " + roots.get(vnode) +
                    " is capability " + vnode + ", which is no VNODE capability of the snapshot");
            }
        }
        final java.util.Set<Long> leafVnodes = new java.util.HashSet<>();
        final java.util.Set<java.util.List<Long>> leafKeys = new java.util.HashSet<>();
        for (final LeafTable leaf : leaves)
        {
            if (CapabilityType.VNODE != typeOfCapability.get(leaf.vnodeCapId()) || roots.containsKey(leaf.vnodeCapId()) ||
                !leafVnodes.add(leaf.vnodeCapId()) || !leafKeys.add(List.of(leaf.domainId(), leaf.leaf())))
            {
                throw new IllegalArgumentException("the capability snapshot's leaf page table " + leaf.leaf() +
                    " of domain " + leaf.domainId() + " is capability " + leaf.vnodeCapId() + ", which is no VNODE " +
                    "capability of the snapshot, is a root, or is named twice");
            }
        }
    }

    private static int count(final ByteBuffer in, final int entryLength, final String what)
    {
        final int count = in.getInt();
        if (count < 0 || (long)count * entryLength > in.remaining())
        {
            throw new IllegalArgumentException(what + " count " + count + " does not fit the " + in.remaining() +
                " bytes left in the capability snapshot");
        }
        return count;
    }

    static String fingerprint(final byte[] snapshot)
    {
        try
        {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(snapshot));
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 is missing from this JVM", ex);
        }
    }
}
