package io.multikernel.node.caps;

import io.multikernel.node.caps.CapabilityOperation.Allocate;
import io.multikernel.node.caps.CapabilityOperation.Copy;
import io.multikernel.node.caps.CapabilityOperation.Delete;
import io.multikernel.node.caps.CapabilityOperation.MapFrame;
import io.multikernel.node.caps.CapabilityOperation.Mint;
import io.multikernel.node.caps.CapabilityOperation.Retype;
import io.multikernel.node.caps.CapabilityOperation.Revoke;
import io.multikernel.replication.StateMachine;
import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static io.multikernel.node.caps.CapabilityType.PAGE_LENGTH_BYTES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CapabilityDatabaseTest
{
    private static final long PAGE = PAGE_LENGTH_BYTES;
    /** Core 0's memory server hands out [1 MiB, 2 MiB), core 1's [2 MiB, 3 MiB). */
    private static final Map<Integer, PhysicalRange> RANGES =
        Map.of(0, new PhysicalRange(1 << 20, 1 << 20), 1, new PhysicalRange(2 << 20, 1 << 20));

    private CapabilityDatabase database;

    @BeforeEach
    void allocateOneRamObject()
    {
        database = new CapabilityDatabase(RANGES);
        applyValid(new Allocate(0, 1 << 20, 64 * PAGE, 1, 100, 0));
    }

    private void applyValid(final CapabilityOperation operation)
    {
        assertThat(database.validate(operation)).as(operation.toString()).isNull();
        database.apply(operation);
        assertThat(CapabilityInvariants.violations(database)).isEmpty();
    }

    @Test
    void retypeMakesObjectsInsideTheSourceWithItsRights()
    {
        applyValid(new Retype(100, 4 * PAGE, CapabilityType.FRAME, 2 * PAGE, 3, 10, 200, 1));
        assertThat(database.children(1)).containsExactly(10L, 11L, 12L);
        final KernelObject second = database.object(11);
        assertThat(second.base()).isEqualTo((1 << 20) + 6 * PAGE);
        assertThat(second.length()).isEqualTo(2 * PAGE);
        assertThat(second.ownerCore()).isEqualTo(1);
        assertThat(database.capability(201).rights()).isEqualTo(Rights.ALL);
        assertThat(database.capability(201).holderCore()).isEqualTo(1);
    }

    @Test
    void theHighestIdOfEveryBlockOutlivesItsCapabilityAndTheSnapshot()
    {
        final long block = 5;
        final long objectId = (block << CapabilityDatabase.ID_BLOCK_BITS) + 7;
        applyValid(new Retype(100, 0, CapabilityType.FRAME, PAGE, 1, objectId, objectId + 1, 0));
        assertThat(database.highestIdUsed(block)).isEqualTo(objectId + 1);
        applyValid(new Delete(objectId + 1));
        assertThat(database.capability(objectId + 1)).isNull();
        assertThat(database.highestIdUsed(block)).as("deleted, still used").isEqualTo(objectId + 1);
        assertThat(database.highestIdUsed(block + 1)).isEqualTo(-1);

        final CapabilityDatabase restored = new CapabilityDatabase(RANGES);
        restored.restore(database.snapshot());
        assertThat(restored.highestIdUsed(block)).isEqualTo(objectId + 1);
        assertThat(restored.fingerprint()).isEqualTo(database.fingerprint());
    }

    @Test
    void aSnapshotOfTheFirstVersionStillRestoresWithTheLiveIdsAsHighest()
    {
        final byte[] current = database.snapshot();
        // Version 1 is version 5 without the id blocks, the mappings, the roots and the leaf tables at
        // the end: here one block (ids 1 and 100), no mapping, no root and no leaf table.
        final int blocksAt = current.length - 4 - 4 - 4 - 4 - 16;
        assertThat(java.nio.ByteBuffer.wrap(current).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(blocksAt)).isEqualTo(1);
        final byte[] first = java.util.Arrays.copyOf(current, blocksAt);
        java.nio.ByteBuffer.wrap(first).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(0, 1);

        final CapabilityDatabase restored = new CapabilityDatabase(RANGES);
        restored.restore(first);
        assertThat(restored.capabilities().keySet()).isEqualTo(database.capabilities().keySet());
        assertThat(restored.highestIdUsed(0)).isEqualTo(100);
        assertThat(restored.fingerprint()).isEqualTo(database.fingerprint());
    }

    /**
     * Maps {@code pages} of frame capability {@code frame} from {@code offsetPages} as mapping
     * {@code mappingId} of domain 7, at virtual page {@code 16 * mappingId}, held by core 1; with the
     * leaf page tables the domain lacks there, from core 1's memory server at a run and ids of
     * {@code firstId}'s own.
     */
    private MapFrame map(final long frame, final long firstId, final long offsetPages, final long pages,
        final long mappingId)
    {
        rootDomain7();
        final int leaves = database.missingLeaves(7, 16 * mappingId, pages).length;
        return new MapFrame(frame, firstId, firstId + 1, offsetPages * PAGE, pages * PAGE, 1, 7, mappingId,
            16 * mappingId, 0 == leaves ? 0 : (2 << 20) + firstId * PAGE, 0 == leaves ? 0 : 1000 + 10 * firstId, leaves);
    }

    /**
     * Domain 7 gets a page-table root (a VNODE from RAM at the top of core 0's range, ids 9000 and
     * up) unless it has one: a map names a live domain.
     */
    private void rootDomain7()
    {
        if (database.roots().containsValue(7L))
        {
            return;
        }
        applyValid(new Allocate(0, (1 << 20) + 255 * PAGE, PAGE, 9000, 9001, 0));
        applyValid(new Retype(9001, 0, CapabilityType.VNODE, PAGE, 1, 9002, 9003, 0));
        applyValid(new CapabilityOperation.Rooted(9003, 7));
    }

    @Test
    void aMapNamesALiveDomainAndAPlaceInsideAnAddressSpace()
    {
        applyValid(new Retype(100, 0, CapabilityType.FRAME, PAGE, 1, 10, 200, 0));
        assertThat(database.validate(new MapFrame(200, 30, 31, 0, PAGE, 1, 8, 3, 0, 0, 0, 0)))
            .isEqualTo("domain 8 has no page-table root: it was destroyed, or never created");
        rootDomain7();
        assertThat(database.validate(new MapFrame(200, 30, 31, 0, PAGE, 1, 7, 3, -1, 0, 0, 0)))
            .isEqualTo("virtual page -1 of a mapping of 4096 bytes is outside any address space");
        assertThat(database.validate(new MapFrame(200, 30, 31, 0, PAGE, 1, 7, 3, 0, 2 << 20, 29, 1)))
            .isEqualTo("the map's MAPPING ids 30 and 31 fall among its leaf tables' ids 29..32");
        assertThat(database.validate(new MapFrame(200, 30, 31, 0, PAGE, 1, 7, 3, 0, 2 << 20, 40,
            CapabilityDatabase.LEAF_TABLES_PER_MAP_MAX + 1))).startsWith("leaf table count")
            .contains(Integer.toString(CapabilityDatabase.LEAF_TABLES_PER_MAP_MAX + 1));
        assertThat(java.util.List.<Object>copyOf(database.lockKeys(new CapabilityOperation.Unrooted(9003, 7))))
            .as("a destroy and a map of the domain never prepare together").contains(CapabilityLock.pageTables(7))
            .containsAll(java.util.List.<Object>copyOf(database.lockKeys(new CapabilityOperation.Rooted(9003, 7))));
        assertThat(java.util.List.<Object>copyOf(database.lockKeys(new MapFrame(200, 30, 31, 0, PAGE, 1, 7, 3, 0, 2 << 20, 40, 1))))
            .contains(CapabilityLock.pageTables(7), CapabilityLock.memoryServer(1), CapabilityLock.object(40),
                CapabilityLock.capability(41), CapabilityLock.object(42), CapabilityLock.capability(43));
        applyValid(new CapabilityOperation.Unrooted(9003, 7));
        assertThat(database.validate(new MapFrame(200, 30, 31, 0, PAGE, 1, 7, 3, 0, 2 << 20, 40, 1)))
            .as("destroyed").isEqualTo("domain 7 has no page-table root: it was destroyed, or never created");
    }

    @Test
    void aMapMakesAMappingCapabilityUnderTheFrameAndItsUnmapRemovesIt()
    {
        applyValid(new Retype(100, 0, CapabilityType.FRAME, 4 * PAGE, 1, 10, 200, 0));
        applyValid(new Mint(200, 201, 1, Rights.READ | Rights.WRITE));
        applyValid(map(201, 30, 1, 2, 3));

        final Capability mapping = database.capability(31);
        final KernelObject object = database.object(30);
        assertThat(object.type()).isEqualTo(CapabilityType.MAPPING);
        assertThat(object.base()).isEqualTo((1 << 20) + PAGE);
        assertThat(object.length()).isEqualTo(2 * PAGE);
        assertThat(object.parentId()).as("a child of the frame's object").isEqualTo(10);
        assertThat(mapping.holderCore()).isEqualTo(1);
        assertThat(mapping.rights()).as("the frame capability's rights bound it").isEqualTo(Rights.READ | Rights.WRITE);
        assertThat(database.mappings(201)).isEqualTo(1);
        assertThat(database.mappings(200)).isZero();
        assertThat(database.mappingCapabilityOf(7, 3)).isEqualTo(31);
        assertThat(database.mappingCapabilities().get(31L)).isEqualTo(new MappingCapability(31, 201, 7, 3, 48));
        assertThat(database.descendants(1)).contains(30L);

        final CapabilityDatabase restored = new CapabilityDatabase(RANGES);
        restored.restore(database.snapshot());
        assertThat(restored.fingerprint()).isEqualTo(database.fingerprint());
        assertThat(restored.mappingCapabilityOf(7, 3)).isEqualTo(31);
        assertThat(restored.mappings(201)).isEqualTo(1);
        assertThat(CapabilityInvariants.violations(restored)).isEmpty();

        applyValid(new CapabilityOperation.Unmapped(31));
        assertThat(database.capability(31)).isNull();
        assertThat(database.object(30)).isNull();
        assertThat(database.children(10)).isEmpty();
        assertThat(database.mappings(201)).isZero();
        assertThat(database.mappingCapabilityOf(7, 3)).isNull();
        assertThat(database.mappingCapabilities()).isEmpty();
    }

    @Test
    void aMapIsRefusedUnlessItNamesPagesOfAFrameAndFreshIds()
    {
        applyValid(new Retype(100, 0, CapabilityType.FRAME, 2 * PAGE, 1, 10, 200, 0));
        assertThat(database.validate(map(100, 30, 0, 1, 3))).isEqualTo("capability 100 is a RAM: only a FRAME is mapped");
        assertThat(database.validate(map(999, 30, 0, 1, 3))).isEqualTo("capability 999 does not exist");
        assertThat(database.validate(map(200, 30, 1, 2, 3)))
            .isEqualTo("a mapping of 8192 bytes at offset 4096 is not page-aligned inside frame capability 200's 8192 bytes");
        assertThat(database.validate(new MapFrame(200, 30, 31, 100, PAGE, 1, 7, 3, 0, 0, 0, 0)))
            .isEqualTo("a mapping of 4096 bytes at offset 100 is not page-aligned inside frame capability 200's 8192 bytes");
        assertThat(database.validate(map(200, 10, 0, 1, 3))).isEqualTo("object id 10 is already in use");
        applyValid(map(200, 30, 0, 1, 3));
        assertThat(database.validate(map(200, 40, 1, 1, 3)))
            .isEqualTo("mapping 3 of domain 7 already has MAPPING capability 31");
        assertThat(database.validate(new CapabilityOperation.Unmapped(200)))
            .isEqualTo("capability 200 is a FRAME, not a MAPPING to unmap");
        assertThat(database.validate(new CapabilityOperation.Unmapped(999))).isEqualTo("capability 999 does not exist");
    }

    @Test
    void aMappedFrameIsNeitherDeletedNorRevokedAwayUntilUnmapped()
    {
        applyValid(new Retype(100, 0, CapabilityType.FRAME, 2 * PAGE, 1, 10, 200, 0));
        applyValid(new Copy(200, 201, 1));
        applyValid(map(201, 30, 0, 1, 3));
        applyValid(map(201, 32, 1, 1, 4));
        assertThat(database.mappings(201)).isEqualTo(2);

        final String revokeRefusal = "MAPPING capability 31 (mapping 3 of domain 7, made with frame capability 201) " +
            "maps into capability %d's range, and this revoke does not unmap it: retry it";
        assertThat(database.validate(new Delete(201)))
            .isEqualTo("capability 201 (the one to delete) is mapped 2 times into address spaces: unmap first");
        assertThat(database.validate(new Revoke(200))).as("a copy is mapped").isEqualTo(revokeRefusal.formatted(200));
        assertThat(database.validate(new Revoke(100))).as("a descendant is mapped").isEqualTo(revokeRefusal.formatted(100));
        assertThat(database.validate(new Revoke(201))).as("itself is mapped").isEqualTo(revokeRefusal.formatted(201));
        assertThat(database.validate(new Delete(200))).as("another copy of the frame may go").isNull();
        assertThat(CapabilityService.classify(database.validate(new Delete(201)))).isEqualTo(CapabilityResult.Outcome.CONFLICT);
        assertThat(CapabilityService.classify(database.validate(new Revoke(100)))).isEqualTo(CapabilityResult.Outcome.CONFLICT);

        applyValid(new CapabilityOperation.Unmapped(31));
        applyValid(new CapabilityOperation.Unmapped(33));
        assertThat(database.mappings(201)).isZero();
        applyValid(new Revoke(100));
        assertThat(database.capability(201)).isNull();
    }

    @Test
    void aRevokeRemovesTheMappingsIntoItsRangeOnlyWhenItCountsThemAll()
    {
        applyValid(new Retype(100, 0, CapabilityType.FRAME, 4 * PAGE, 1, 10, 200, 0));
        applyValid(new Copy(200, 201, 1));
        applyValid(map(200, 30, 0, 1, 3));
        applyValid(map(201, 32, 1, 2, 4));
        assertThat(database.mappingsUnder(100)).extracting(MappingCapability::capId).containsExactly(31L, 33L);
        assertThat(database.mappingsUnder(201)).as("a copy's mappings map into its range too").hasSize(2);
        assertThat(database.mappingsUnder(999)).isEmpty();

        final java.util.List<MappingCapability> under = database.mappingsUnder(100);
        assertThat(database.validate(new Revoke(100, 1, CapabilityDatabase.digest(under.subList(0, 1))))).isEqualTo(
            "the mappings into capability 100's range changed since the revoke was proposed (it unmaps 1, there are 2 now): " +
            "retry it");
        assertThat(database.validate(new Revoke(100, 2, CapabilityDatabase.digest(under) + 1)))
            .as("as many, but others").endsWith("retry it");
        assertThat(CapabilityDatabase.digest(under)).isNotEqualTo(CapabilityDatabase.digest(under.subList(1, 2)))
            .isNotEqualTo(CapabilityDatabase.digest(java.util.List.of(under.get(1), under.get(0))));
        assertThat(CapabilityService.classify(database.validate(new Revoke(100)))).isEqualTo(CapabilityResult.Outcome.CONFLICT);
        applyValid(new Revoke(100, 2, CapabilityDatabase.digest(under)));
        assertThat(database.capability(200)).isNull();
        assertThat(database.capability(31)).isNull();
        assertThat(database.capability(33)).isNull();
        assertThat(database.mappingCapabilities()).isEmpty();
        assertThat(database.mappingCapabilityOf(7, 3)).isNull();
        assertThat(database.mappings(201)).isZero();
        assertThat(database.children(1)).isEmpty();
    }

    @Test
    void aDomainsRootVnodeIsNeitherDeletedNorRevokedAwayUntilTheDomainIsDestroyed()
    {
        applyValid(new Retype(100, 0, CapabilityType.VNODE, PAGE, 2, 10, 200, 0));
        applyValid(new Copy(200, 202, 1));
        assertThat(database.validate(new CapabilityOperation.Rooted(100, 7)))
            .isEqualTo("capability 100 is a RAM, not a VNODE: a page table's root is a VNODE");
        assertThat(database.validate(new CapabilityOperation.Rooted(999, 7))).isEqualTo("capability 999 does not exist");
        applyValid(new CapabilityOperation.Rooted(200, 7));
        assertThat(database.roots()).containsEntry(200L, 7L);
        assertThat(database.validate(new CapabilityOperation.Rooted(200, 8)))
            .isEqualTo("VNODE capability 200 is already the root of domain 7: retype another VNODE");
        assertThat(database.validate(new CapabilityOperation.Rooted(202, 8))).as("a copy names the same page")
            .isEqualTo("VNODE capability 202 is a copy of capability 200, the root of domain 7: one page table cannot be " +
                "the root of two domains; retype another VNODE");
        assertThat(database.validate(new CapabilityOperation.Rooted(201, 8))).as("the other VNODE of the retype").isNull();

        final String refusal = "capability 200 is the page-table root of domain 7: destroy the domain first";
        assertThat(database.validate(new Delete(200))).isEqualTo(refusal);
        assertThat(database.validate(new Revoke(100))).as("an ancestor").isEqualTo(refusal);
        assertThat(database.validate(new Revoke(202))).as("another copy").isEqualTo(refusal);
        assertThat(database.validate(new Revoke(200))).as("the root itself stays").isNull();
        assertThat(database.validate(new Delete(202))).as("another copy may go").isNull();
        assertThat(CapabilityService.classify(refusal)).isEqualTo(CapabilityResult.Outcome.CONFLICT);

        final CapabilityDatabase restored = new CapabilityDatabase(RANGES);
        restored.restore(database.snapshot());
        assertThat(restored.roots()).containsEntry(200L, 7L);
        assertThat(restored.fingerprint()).isEqualTo(database.fingerprint());

        assertThat(database.validate(new CapabilityOperation.Unrooted(200, 8)))
            .isEqualTo("capability 200 is not the root of domain 8");
        assertThat(database.validateTransaction(java.util.List.of(new CapabilityOperation.Unmapped(1),
            new CapabilityOperation.Unrooted(200, 7), new CapabilityOperation.Unmapped(2)))).as("a destroy").isNull();
        assertThat(database.validateTransaction(java.util.List.of(new CapabilityOperation.Unrooted(200, 7),
            new CapabilityOperation.Unrooted(201, 8)))).isNotNull();
        applyValid(new CapabilityOperation.Unrooted(200, 7));
        assertThat(database.roots()).isEmpty();
        applyValid(new Revoke(100));
        assertThat(database.capability(200)).isNull();
    }

    @Test
    void aMappingCapabilityIsNeitherCopiedDeletedNorRevokedByItselfAndOwnsNoMemory()
    {
        applyValid(new Retype(100, 0, CapabilityType.FRAME, 4 * PAGE, 1, 10, 200, 0));
        applyValid(map(200, 30, 0, 2, 3));
        final String notByItself = "capability 31 is the MAPPING of mapping 3 of domain 7: it is not %s by itself; " +
            "unmap the mapping instead";
        assertThat(database.validate(new Copy(31, 40, 1))).isEqualTo(notByItself.formatted("copied or minted"));
        assertThat(database.validate(new Mint(31, 40, 1, Rights.READ))).isEqualTo(notByItself.formatted("copied or minted"));
        assertThat(database.validate(new Delete(31))).isEqualTo(notByItself.formatted("deleted"));
        assertThat(database.validate(new Revoke(31))).isEqualTo(notByItself.formatted("revoked"));
        assertThat(database.validate(new Retype(31, 0, CapabilityType.FRAME, PAGE, 1, 40, 41, 1)))
            .isEqualTo("a MAPPING cannot be retyped into a FRAME; it can become nothing");

        // The frame's pages under the mapping may still become sub-frames: the mapping refers to them, owns none.
        applyValid(new Retype(200, 0, CapabilityType.FRAME, PAGE, 4, 50, 60, 0));
        assertThat(database.children(10)).containsExactly(30L, 50L, 51L, 52L, 53L);
    }

    @Test
    void aSnapshotThatCountsMappingsWithoutCapabilitiesIsRefusedWithWhatToDo()
    {
        final byte[] current = database.snapshot();
        // Version 3 ended with the mapped frames' counts where version 5 has its mappings, roots and leaf tables.
        final java.nio.ByteBuffer old = java.nio.ByteBuffer.allocate(current.length - 12 + 4 + 12)
            .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        old.put(current, 0, current.length - 12).putInt(1).putLong(100).putInt(2);
        old.putInt(0, 3);
        assertThatThrownBy(() -> new CapabilityDatabase(RANGES).restore(old.array())).hasMessage(
            "capability snapshot version 3 counts the mappings of 1 frame capabilities without their MAPPING " +
            "capabilities: start the cluster over a fresh run directory");

        final byte[] withoutMappings = java.util.Arrays.copyOf(current, current.length - 8);
        java.nio.ByteBuffer.wrap(withoutMappings).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(0, 3);
        final CapabilityDatabase restored = new CapabilityDatabase(RANGES);
        restored.restore(withoutMappings);
        assertThat(restored.fingerprint()).as("version 3 with no mapped frame restores").isEqualTo(database.fingerprint());
    }

    @Test
    void aSnapshotThatMapsPagesWithoutLeafTablesIsRefusedWithWhatToDo()
    {
        final byte[] empty = database.snapshot();
        // Version 4 is version 5 without the leaf tables at the end.
        final byte[] fourEmpty = java.util.Arrays.copyOf(empty, empty.length - 4);
        java.nio.ByteBuffer.wrap(fourEmpty).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(0, 4);
        final CapabilityDatabase restored = new CapabilityDatabase(RANGES);
        restored.restore(fourEmpty);
        assertThat(restored.fingerprint()).as("version 4 with no mapping restores").isEqualTo(database.fingerprint());

        applyValid(new Retype(100, 0, CapabilityType.FRAME, PAGE, 1, 10, 200, 0));
        applyValid(map(200, 30, 0, 1, 3));
        final byte[] mapped = database.snapshot();
        final byte[] fourMapped = java.util.Arrays.copyOf(mapped, mapped.length - 4 - 24);
        java.nio.ByteBuffer.wrap(fourMapped).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(0, 4);
        assertThatThrownBy(() -> new CapabilityDatabase(RANGES).restore(fourMapped)).hasMessage(
            "capability snapshot version 4 maps 1 mappings without the VNODEs of their leaf page tables: start the " +
            "cluster over a fresh run directory");

        // Version 5 without the leaf record: the mapping's pages have no leaf table.
        final java.nio.ByteBuffer noLeaf = java.nio.ByteBuffer.wrap(java.util.Arrays.copyOf(mapped, mapped.length - 24))
            .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        noLeaf.putInt(mapped.length - 24 - 4, 0);
        assertThatThrownBy(() -> new CapabilityDatabase(RANGES).restore(noLeaf.array())).hasMessage(
            "the capability snapshot maps mapping 3 of domain 7 without a leaf page table for all its pages");
    }

    @Test
    void aMapMakesTheLeafPageTablesItsRangeLacksAndTheLastUnmapInALeafDestroysIt()
    {
        applyValid(new Retype(100, 0, CapabilityType.FRAME, 8 * PAGE, 1, 10, 200, 0));
        rootDomain7();
        final long leafPages = CapabilityDatabase.LEAF_PAGES;
        // Mapping 3 covers the last page of leaf 0 and the first of leaf 1: two new leaves.
        final MapFrame first = new MapFrame(200, 30, 31, 0, 2 * PAGE, 1, 7, 3, leafPages - 1, 2 << 20, 500, 2);
        assertThat(database.missingLeaves(7, leafPages - 1, 2)).containsExactly(0, 1);
        assertThat(database.validate(new MapFrame(200, 30, 31, 0, 2 * PAGE, 1, 7, 3, leafPages - 1, 2 << 20, 500, 1)))
            .isEqualTo("the map at virtual page 511 of domain 7 needs 2 new leaf page tables and brings 1 (the " +
                "domain's page tables changed since it was proposed): retry it");
        assertThat(CapabilityService.classify(database.validate(new MapFrame(200, 30, 31, 0, PAGE, 1, 7, 3, 0, 0, 0, 0))))
            .as("a map that brings none where one is lacking is retried").isEqualTo(CapabilityResult.Outcome.CONFLICT);
        assertThat(database.validate(new MapFrame(200, 30, 31, 0, 2 * PAGE, 1, 7, 3, leafPages - 1, 1 << 20, 500, 2)))
            .as("RAM core 0 handed out").startsWith("the leaf page tables of the map: RAM at 1048576 of 8192 bytes " +
                "is not page aligned inside core 1's range");
        assertThat(database.validate(new MapFrame(200, 30, 31, 0, 2 * PAGE, 1, 7, 3, leafPages - 1, 2 << 20, 10, 2)))
            .isEqualTo("object id 10 is already in use");
        applyValid(first);

        final LeafTable leaf0 = database.leafTables(7).get(0L);
        final LeafTable leaf1 = database.leafTables(7).get(1L);
        assertThat(leaf0).isEqualTo(new LeafTable(7, 0, first.leafVnodeCapId(0), 1));
        assertThat(leaf1).isEqualTo(new LeafTable(7, 1, first.leafVnodeCapId(1), 1));
        assertThat(database.object(database.capability(leaf0.vnodeCapId()).objectId()).type()).isEqualTo(CapabilityType.VNODE);
        assertThat(database.object(500).type()).as("the RAM they came from").isEqualTo(CapabilityType.RAM);
        assertThat(database.object(500).length()).isEqualTo(2 * PAGE);
        assertThat(database.children(500)).containsExactly(502L, 503L);
        assertThat(database.capability(501).holderCore()).isEqualTo(1);
        assertThat(database.freeBytes(1)).isEqualTo((1 << 20) - 2 * PAGE);
        assertThat(database.pageTableLeafOf(501)).as("the RAM belongs to the page tables").isEqualTo(leaf0);
        assertThat(database.leafTableOf(leaf1.vnodeCapId())).isEqualTo(leaf1);
        assertThat(database.validate(new CapabilityOperation.Rooted(leaf0.vnodeCapId(), 8))).contains("leaf page table 0");
        final CapabilityView vnodeView = new CapabilityView(leaf1.vnodeCapId(), 503, CapabilityType.VNODE, 0, PAGE,
            Rights.ALL, 1, 1, 500, 1, 0);
        assertThat(CapabilityAdmin.json(vnodeView, database).leaf())
            .isEqualTo(new CapabilityAdmin.LeafJson(7, 1, "0x200000", true));
        final CapabilityView ramView = new CapabilityView(501, 500, CapabilityType.RAM, 0, 2 * PAGE, Rights.ALL, 1, 1, 0, 1, 2);
        assertThat(CapabilityAdmin.json(ramView, database).leaf()).as("the RAM of leaves 0 and 1")
            .isEqualTo(new CapabilityAdmin.LeafJson(7, 0, "0x0", false));

        // A second mapping in leaf 1 needs no new leaf, and counts in it.
        applyValid(map(200, 40, 2, 1, 32));
        assertThat(database.leafTables(7).get(1L).pages()).isEqualTo(2);

        final String refusal = "capability %d belongs to leaf page table 0 of domain 7: it is not %s by itself; it goes " +
            "when the last mapping in the leaf's range is unmapped";
        final long vnode = leaf0.vnodeCapId();
        assertThat(database.validate(new Delete(vnode))).isEqualTo(refusal.formatted(vnode, "deleted"));
        assertThat(database.validate(new Revoke(vnode))).isEqualTo(refusal.formatted(vnode, "revoked"));
        assertThat(database.validate(new Copy(vnode, 900, 0))).isEqualTo(refusal.formatted(vnode, "copied"));
        assertThat(database.validate(new Mint(vnode, 900, 0, Rights.READ))).isEqualTo(refusal.formatted(vnode, "minted"));
        assertThat(database.validate(new Delete(501))).isEqualTo(refusal.formatted(501, "deleted"));
        assertThat(database.validate(new Revoke(501))).isEqualTo(refusal.formatted(501, "revoked"));
        assertThat(database.validate(new Retype(501, 0, CapabilityType.FRAME, PAGE, 1, 900, 901, 0)))
            .isEqualTo(refusal.formatted(501, "retyped"));

        final CapabilityDatabase restored = new CapabilityDatabase(RANGES);
        restored.restore(database.snapshot());
        assertThat(restored.fingerprint()).isEqualTo(database.fingerprint());
        assertThat(restored.leafTables(7)).isEqualTo(database.leafTables(7));

        applyValid(new CapabilityOperation.Unmapped(31));
        assertThat(database.leafTables(7).keySet()).as("leaf 0 emptied, leaf 1 still maps mapping 32").containsExactly(1L);
        assertThat(database.capability(vnode)).isNull();
        assertThat(database.children(500)).containsExactly(503L);
        assertThat(database.object(500)).as("the RAM holds leaf 1 still").isNotNull();
        applyValid(new CapabilityOperation.Unmapped(41));
        assertThat(database.leafTables(7)).isEmpty();
        assertThat(database.object(500)).as("the RAM went back to core 1").isNull();
        assertThat(database.capability(501)).isNull();
        assertThat(database.freeBytes(1)).isEqualTo(1 << 20);
        assertThat(database.returnedBytes(1)).isEqualTo(2 * PAGE);
    }

    @Test
    void aRevokeThatUnmapsDestroysTheLeafTablesItEmpties()
    {
        applyValid(new Retype(100, 0, CapabilityType.FRAME, 4 * PAGE, 1, 10, 200, 0));
        applyValid(map(200, 30, 0, 1, 3));
        applyValid(map(200, 32, 1, 1, 4));
        assertThat(database.leafTables(7)).hasSize(1);
        final java.util.List<MappingCapability> under = database.mappingsUnder(100);
        applyValid(new Revoke(100, 2, CapabilityDatabase.digest(under)));
        assertThat(database.leafTables(7)).isEmpty();
        assertThat(database.freeBytes(1)).isEqualTo(1 << 20);
    }

    @Test
    void unmapsOfDistinctMappingsShareATransactionAndNothingElseDoes()
    {
        final CapabilityOperation.Unmapped a = new CapabilityOperation.Unmapped(1);
        final CapabilityOperation.Unmapped b = new CapabilityOperation.Unmapped(2);
        assertThat(database.validateTransaction(java.util.List.of(a, b))).isNull();
        assertThat(database.validateTransaction(java.util.List.of(a, a))).isNotNull();
        assertThat(database.validateTransaction(java.util.List.of(a, map(200, 30, 0, 1, 3)))).isNotNull();
        assertThat(database.validateTransaction(java.util.List.of(a, new Delete(5)))).isNotNull();
        assertThat(database.validateTransaction(java.util.List.of(new Delete(5)))).isNull();
    }

    @Test
    void aTransactionCarriesAtMostOneCapabilityOperation()
    {
        final Retype first = new Retype(100, 0, CapabilityType.FRAME, PAGE, 1, 10, 200, 0);
        final Retype overlapping = new Retype(100, 0, CapabilityType.FRAME, PAGE, 1, 20, 300, 0);
        assertThat(database.validate(first)).isNull();
        assertThat(database.validate(overlapping)).as("each alone is valid against the state before").isNull();
        assertThat(database.validateTransaction(java.util.List.of(first, overlapping)))
            .isEqualTo("a transaction changes at most one capability, not 2: " +
                "propose each capability operation as a transaction of its own");
    }

    @Test
    void retypeErrorsAreOneSentenceAndChangeNothing()
    {
        applyValid(new Retype(100, 0, CapabilityType.FRAME, PAGE, 1, 10, 200, 0));
        final String before = database.fingerprint();
        assertThat(database.validate(new Retype(999, 0, CapabilityType.FRAME, PAGE, 1, 20, 300, 0)))
            .isEqualTo("capability 999 does not exist");
        assertThat(database.validate(new Retype(200, 0, CapabilityType.CNODE, CapabilityType.CNODE_LENGTH_BYTES, 1, 20,
            300, 0))).isEqualTo("a FRAME cannot be retyped into a CNODE; it can become [FRAME]");
        assertThat(database.validate(new Retype(100, 100, CapabilityType.FRAME, PAGE, 1, 20, 300, 0)))
            .isEqualTo("offset 100 is not a page-aligned (4096 bytes) offset into the source");
        assertThat(database.validate(new Retype(100, 0, CapabilityType.FRAME, 1000, 1, 20, 300, 0)))
            .isEqualTo("object size 1000 of a FRAME is not a positive multiple of the page size 4096");
        assertThat(database.validate(new Retype(100, 60 * PAGE, CapabilityType.FRAME, PAGE, 8, 20, 300, 0)))
            .isEqualTo("8 objects of 4096 bytes at offset 245760 do not fit in the source's 262144 bytes");
        assertThat(database.validate(new Retype(100, 64 * PAGE, CapabilityType.FRAME, PAGE, 1, 20, 300, 0)))
            .isEqualTo("1 object of 4096 bytes at offset 262144 does not fit in the source's 262144 bytes");
        assertThat(database.validate(new Retype(100, 0, CapabilityType.FRAME, PAGE, 2, 20, 300, 0)))
            .isEqualTo("the range overlaps live descendant object 10 (FRAME at offset 0): revoke first");
        assertThat(database.validate(new Retype(100, PAGE, CapabilityType.FRAME, PAGE, 0, 20, 300, 0)))
            .isEqualTo("count=0 is outside 1..4096");
        assertThat(database.validate(new Retype(100, PAGE, CapabilityType.VNODE, 2 * PAGE, 1, 20, 300, 0)))
            .isEqualTo("a VNODE is exactly 4096 bytes, not 8192");
        assertThat(database.validate(new Retype(100, PAGE, CapabilityType.FRAME, PAGE, 1, 10, 300, 0)))
            .isEqualTo("object id 10 is already in use");
        assertThat(database.validate(new Retype(100, PAGE, CapabilityType.FRAME, PAGE, 1, 20, 200, 0)))
            .isEqualTo("capability id 200 is already in use");
        assertThat(database.fingerprint()).isEqualTo(before);
    }

    @Test
    void nonOverlappingRetypesOfOneSourceAllSucceed()
    {
        applyValid(new Retype(100, 0, CapabilityType.FRAME, PAGE, 1, 10, 200, 0));
        applyValid(new Retype(100, PAGE, CapabilityType.VNODE, PAGE, 1, 11, 201, 0));
        applyValid(new Retype(100, 4 * PAGE, CapabilityType.CNODE, CapabilityType.CNODE_LENGTH_BYTES, 1, 12, 202, 0));
        applyValid(new Retype(100, 8 * PAGE, CapabilityType.RAM, 8 * PAGE, 1, 13, 203, 0));
        applyValid(new Retype(203, 0, CapabilityType.FRAME, 8 * PAGE, 1, 14, 204, 0));
        assertThat(database.descendants(1)).containsExactly(10L, 11L, 12L, 13L, 14L);
    }

    @Test
    void overlappingRetypesOfCopiesLockTheSameObject()
    {
        applyValid(new Copy(100, 101, 0));
        final Set<Object> first = new HashSet<>(database.lockKeys(new Retype(100, 0, CapabilityType.FRAME, PAGE, 1, 10,
            200, 0)));
        final Set<Object> second = new HashSet<>(database.lockKeys(new Retype(101, 0, CapabilityType.FRAME, PAGE, 1, 20,
            300, 1)));
        first.retainAll(second);
        assertThat(first).containsExactly(CapabilityLock.object(1));
    }

    @Test
    void copyKeepsRightsMintOnlyShrinksThemAndGivingNeedsGrant()
    {
        applyValid(new Mint(100, 101, 0, Rights.READ | Rights.WRITE));
        assertThat(database.capability(101).rights()).isEqualTo(Rights.READ | Rights.WRITE);
        applyValid(new Mint(101, 102, 0, Rights.ALL));
        assertThat(database.capability(102).rights()).as("a mint never adds rights").isEqualTo(Rights.READ | Rights.WRITE);
        applyValid(new Copy(102, 103, 0));
        assertThat(database.capability(103).rights()).isEqualTo(Rights.READ | Rights.WRITE);
        assertThat(database.validate(new Copy(103, 104, 1)))
            .isEqualTo("capability 103 lacks the grant right needed to copy it to core 1");
        applyValid(new Copy(100, 104, 1));
        assertThat(database.validate(new Mint(100, 105, 0, 1 << 7))).isEqualTo("rights mask 128 has bits outside " +
            "read,write,execute,grant,identify");
        applyValid(new Retype(101, 0, CapabilityType.FRAME, PAGE, 1, 10, 200, 0));
        assertThat(database.capability(200).rights()).as("retyped from a read/write copy")
            .isEqualTo(Rights.READ | Rights.WRITE);
    }

    @Test
    void deletingTheLastCopyReturnsTheMemoryOnce()
    {
        applyValid(new Copy(100, 101, 0));
        applyValid(new Delete(100));
        assertThat(database.object(1)).isNotNull();
        assertThat(database.returnedBytes(0)).isZero();
        assertThat(database.freeBytes(0)).isEqualTo((1 << 20) - 64 * PAGE);
        applyValid(new Delete(101));
        assertThat(database.object(1)).isNull();
        assertThat(database.returnedBytes(0)).isEqualTo(64 * PAGE);
        assertThat(database.freeBytes(0)).isEqualTo(1 << 20);
        assertThat(database.validate(new Delete(101))).isEqualTo("capability 101 does not exist");
    }

    @Test
    void theLastCopyOfAnObjectWithDescendantsIsRevokedFirst()
    {
        applyValid(new Retype(100, 0, CapabilityType.FRAME, PAGE, 2, 10, 200, 0));
        assertThat(database.validate(new Delete(100)))
            .isEqualTo("capability 100 is the last copy of object 1, which has 2 live descendants: revoke first");
        applyValid(new Revoke(100));
        applyValid(new Delete(100));
        assertThat(database.objects()).isEmpty();
        assertThat(database.returnedBytes(0)).isEqualTo(64 * PAGE);
    }

    @Test
    void revokeRemovesEveryOtherCopyAndEveryDescendantAndKeepsTheTarget()
    {
        applyValid(new Copy(100, 101, 1));
        applyValid(new Retype(101, 0, CapabilityType.RAM, 8 * PAGE, 1, 10, 200, 1));
        applyValid(new Retype(200, 0, CapabilityType.FRAME, PAGE, 4, 20, 300, 1));
        applyValid(new Copy(300, 400, 0));
        assertThat(new java.util.ArrayList<Object>(database.lockKeys(new Revoke(100)))).contains(CapabilityLock.object(1), CapabilityLock.object(10),
            CapabilityLock.object(20), CapabilityLock.object(23));
        applyValid(new Revoke(100));
        assertThat(database.capabilities().keySet()).containsExactly(100L);
        assertThat(database.objects().keySet()).containsExactly(1L);
        assertThat(database.returnedBytes(0)).as("revoked descendants return memory to their parent, not the server")
            .isZero();
    }

    @Test
    void allocationStaysInsideTheServersRangeWithoutOverlap()
    {
        assertThat(database.validate(new Allocate(0, 1 << 20, PAGE, 2, 101, 0)))
            .isEqualTo("RAM at 1048576 of 4096 bytes overlaps RAM object 1 that is already handed out");
        assertThat(database.validate(new Allocate(0, 2 << 20, PAGE, 2, 101, 0)))
            .isEqualTo("RAM at 2097152 of 4096 bytes is not page aligned inside core 0's range 1048576+1048576");
        assertThat(database.validate(new Allocate(7, 0, PAGE, 2, 101, 0))).isEqualTo("core 7 has no memory server range");
        applyValid(new Allocate(1, 2 << 20, PAGE, 2, 101, 1));
        assertThat(database.allocatedBytes(1)).isEqualTo(PAGE);
    }

    @Test
    void snapshotRoundTripsAndFingerprintsAgree()
    {
        applyValid(new Copy(100, 101, 1));
        applyValid(new Retype(101, 0, CapabilityType.FRAME, PAGE, 4, 10, 200, 1));
        applyValid(new Delete(100));
        final CapabilityDatabase other = new CapabilityDatabase(RANGES);
        other.restore(database.snapshot());
        assertThat(other.fingerprint()).isEqualTo(database.fingerprint());
        assertThat(other.children(1)).containsExactly(10L, 11L, 12L, 13L);
        assertThat(other.copies(1)).containsExactly(101L);
        assertThat(CapabilityInvariants.violations(other)).isEmpty();
    }

    @Test
    void corruptSnapshotsAreRefusedWithAReason()
    {
        final byte[] snapshot = database.snapshot();
        assertThatThrownBy(() -> database.restore(java.util.Arrays.copyOf(snapshot, snapshot.length - 3)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageMatching(".*(truncated|does not fit).*");
        final byte[] wrongVersion = snapshot.clone();
        wrongVersion[0] = 9;
        assertThatThrownBy(() -> database.restore(wrongVersion)).hasMessage("capability snapshot version 9 is not 1..5");
        assertThatThrownBy(() -> database.restore(java.util.Arrays.copyOf(snapshot, snapshot.length + 2)))
            .hasMessage("2 bytes follow the capability snapshot");

        applyValid(new Retype(100, 0, CapabilityType.FRAME, PAGE, 1, 20, 300, 0));
        applyValid(map(300, 30, 0, 1, 3));
        final byte[] mappedFrame = database.snapshot();
        // The one mapping record's capability (before the root count, domain 7's root, the leaf count
        // and the one leaf) made the frame's capability.
        java.nio.ByteBuffer.wrap(mappedFrame).order(java.nio.ByteOrder.LITTLE_ENDIAN)
            .putLong(mappedFrame.length - 24 - 4 - 16 - 4 - 40, 300);
        assertThatThrownBy(() -> new CapabilityDatabase(RANGES).restore(mappedFrame)).hasMessage(
            "the capability snapshot's mapping record for capability 300 names no MAPPING capability of the snapshot, " +
            "or names it twice");
        applyValid(new CapabilityOperation.Unmapped(31));

        applyValid(new Retype(100, PAGE, CapabilityType.VNODE, PAGE, 1, 10, 200, 0));
        applyValid(new CapabilityOperation.Rooted(200, 7));
        final byte[] rootedRam = database.snapshot();
        java.nio.ByteBuffer.wrap(rootedRam).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(rootedRam.length - 4 - 16, 100);
        assertThatThrownBy(() -> new CapabilityDatabase(RANGES).restore(rootedRam)).hasMessage(
            "the capability snapshot's root of domain 7 is capability 100, which is no VNODE capability of the snapshot");

        applyValid(new CapabilityOperation.Unrooted(200, 7));
        applyValid(map(300, 30, 0, 1, 3));
        final byte[] leafIsFrame = database.snapshot();
        // The one leaf record's VNODE capability (last) named as the frame's capability.
        java.nio.ByteBuffer.wrap(leafIsFrame).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(leafIsFrame.length - 8, 300);
        assertThatThrownBy(() -> new CapabilityDatabase(RANGES).restore(leafIsFrame)).hasMessage(
            "the capability snapshot's leaf page table 0 of domain 7 is capability 300, which is no VNODE capability " +
            "of the snapshot, is a root, or is named twice");
    }

    @Test
    void operationsRoundTripThroughTheirEncodingAndBadBytesAreRefused()
    {
        final StateMachine<CapabilityOperation> codec = database;
        final CapabilityOperation[] operations = {
            new Allocate(3, 1 << 20, PAGE, 7, 8, 2), new Retype(1, PAGE, CapabilityType.VNODE, PAGE, 3, 4, 5, 6),
            new Copy(1, 2, 3), new Mint(1, 2, 3, Rights.READ), new Delete(9), new Revoke(10),
            new MapFrame(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12), new CapabilityOperation.Unmapped(11), new Revoke(12, 3, -5),
            new CapabilityOperation.Rooted(13, 14), new CapabilityOperation.Unrooted(15, 16) };
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(128);
        for (final CapabilityOperation operation : operations)
        {
            final int length = codec.encodedLength(operation);
            codec.encode(operation, buffer, 3);
            assertThat(codec.decode(buffer, 3, length)).isEqualTo(operation);
            assertThatThrownBy(() -> codec.decode(buffer, 3, length - 1)).isInstanceOf(IllegalArgumentException.class);
        }
        buffer.putByte(0, (byte)42);
        assertThatThrownBy(() -> codec.decode(buffer, 0, 9)).hasMessage("capability operation kind 42 is unknown");
        buffer.putByte(0, (byte)6);
        assertThatThrownBy(() -> codec.decode(buffer, 0, 13)).hasMessage(CapabilityOperation.MAPPING_COUNT_KIND);
        buffer.putByte(0, (byte)7);
        assertThatThrownBy(() -> codec.decode(buffer, 0, 69)).as("a map from before leaf tables were capabilities")
            .hasMessage(CapabilityOperation.MAP_WITHOUT_LEAVES_KIND);
        codec.encode(operations[1], buffer, 0);
        buffer.putInt(1 + 8 + 8, 17, CapabilityOperation.ORDER);
        assertThatThrownBy(() -> codec.decode(buffer, 0, codec.encodedLength(operations[1])))
            .hasMessage("capability type 17 is unknown");
    }
}
