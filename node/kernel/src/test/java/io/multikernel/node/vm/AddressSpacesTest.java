package io.multikernel.node.vm;

import io.multikernel.node.caps.CapabilityType;
import io.multikernel.node.caps.Rights;
import io.multikernel.node.vm.VmOperation.Create;
import io.multikernel.node.vm.VmOperation.Destroy;
import io.multikernel.node.vm.VmOperation.Protect;
import io.multikernel.node.vm.VmOperation.Shrink;
import io.multikernel.node.vm.VmOperation.Span;
import io.multikernel.node.vm.VmOperation.Unmap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.multikernel.node.caps.Rights.EXECUTE;
import static io.multikernel.node.caps.Rights.READ;
import static io.multikernel.node.caps.Rights.WRITE;
import static io.multikernel.node.vm.CapabilityTable.PAGE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AddressSpacesTest
{
    private static final long DOMAIN = 1;
    private static final int[] CORES = {0, 1, 2};

    private final CapabilityTable caps = new CapabilityTable()
        .vnode(10, 0)
        .vnode(11, 1)
        .frame(20, 0x400000, 16, READ | WRITE, 0)
        .frame(21, 0x800000, 4, READ, 0)
        .frame(22, 0xC00000, 4, Rights.ALL, 1)
        .put(23, CapabilityType.RAM, 0x1000000, 16 * PAGE, Rights.ALL, 0);
    /** Cores 0..2 hold the domain; core 3 does not. */
    private final AddressSpaces[] replicas = {
        new AddressSpaces(0, 4, caps), new AddressSpaces(1, 4, caps), new AddressSpaces(2, 4, caps),
        new AddressSpaces(3, 4, caps)};

    @BeforeEach
    void createDomain()
    {
        commit(new Create(DOMAIN, 10, 0, CORES));
    }

    /** Validates on every replica (all must say valid), then applies everywhere. */
    private void commit(final VmOperation operation)
    {
        for (final AddressSpaces replica : replicas)
        {
            assertThat(replica.validate(operation)).as("core %d validating %s", replica.selfCoreId(), operation).isNull();
        }
        for (final AddressSpaces replica : replicas)
        {
            replica.apply(operation);
            assertThat(AddressSpaceInvariants.violations(replica)).isEmpty();
        }
    }

    private String refusal(final VmOperation operation)
    {
        final String fingerprint = replicas[0].fingerprint(DOMAIN);
        final String problem = replicas[0].validate(operation);
        assertThat(replicas[0].fingerprint(DOMAIN)).isEqualTo(fingerprint);
        return problem;
    }

    private static VmOperation.Map map(final long mappingId, final long vpage, final int pages, final long frameCapId,
        final long frameOffsetPages, final int rights)
    {
        return new VmOperation.Map(DOMAIN, mappingId, vpage, pages, frameCapId, frameOffsetPages, rights, 0);
    }

    private void assertAgree()
    {
        final String fingerprint = replicas[0].fingerprint(DOMAIN);
        assertThat(replicas[1].fingerprint(DOMAIN)).isEqualTo(fingerprint);
        assertThat(replicas[2].fingerprint(DOMAIN)).isEqualTo(fingerprint);
    }

    @Test
    void createInstallsTheDomainOnItsCoresOnly()
    {
        for (int core = 0; core < 3; core++)
        {
            assertThat(replicas[core].domain(DOMAIN).cores()).containsExactly(CORES);
            assertThat(replicas[core].domain(DOMAIN).version()).isEqualTo(1);
            assertThat(replicas[core].domain(DOMAIN).rootVnodeCapId()).isEqualTo(10);
        }
        assertThat(replicas[3].domain(DOMAIN)).isNull();
        assertThat(replicas[3].domains()).isEmpty();
        assertThat(replicas[3].participants(new Unmap(DOMAIN, 0, 1))).isNull();
        assertThat(replicas[3].proposalProblem(new Unmap(DOMAIN, 0, 1))).isEqualTo("domain 1 does not run on core 3");
        assertThat(replicas[0].participants(new Destroy(DOMAIN))).containsExactly(CORES);
        assertAgree();
    }

    @Test
    void mapTranslatesEveryPageOfTheMapping()
    {
        commit(map(5, 0x100, 8, 20, 2, READ | WRITE));

        final Translation t = replicas[1].translate(DOMAIN, 0x103);
        assertThat(t).isEqualTo(new Translation(DOMAIN, 0x103, 0x400000 + 5 * PAGE, READ | WRITE, 5, 20, 5 * PAGE));
        assertThat(replicas[1].translate(DOMAIN, 0x100).physicalAddress()).isEqualTo(0x400000 + 2 * PAGE);
        assertThat(replicas[1].translate(DOMAIN, 0x107).frameOffsetBytes()).isEqualTo(9 * PAGE);
        assertThat(replicas[1].translate(DOMAIN, 0xFF)).isNull();
        assertThat(replicas[1].translate(DOMAIN, 0x108)).isNull();
        assertThat(replicas[3].translate(DOMAIN, 0x103)).isNull();
        final Mapping mapping = replicas[2].domain(DOMAIN).mappingAt(0x104);
        assertThat(mapping).isEqualTo(new Mapping(5, 0x100, 8, 20, 0x400000, 2, READ | WRITE, READ | WRITE));
        assertThat(replicas[2].domain(DOMAIN).version()).isEqualTo(2);
        assertThat(replicas[2].domain(DOMAIN).leafTables()).isEqualTo(1);
        assertAgree();
    }

    @Test
    void leafTablesAreMadeOnDemandAndDropped()
    {
        commit(map(1, AddressSpaces.LEAF_PAGES - 2, 4, 20, 0, READ));
        commit(map(2, 10 * AddressSpaces.LEAF_PAGES, 1, 20, 4, READ));
        final Domain domain = replicas[0].domain(DOMAIN);
        assertThat(domain.leafTables()).isEqualTo(3);
        assertThat(domain.leafPages(0)).isEqualTo(2);
        assertThat(domain.leafPages(1)).isEqualTo(2);

        commit(new Unmap(DOMAIN, 0, AddressSpaces.LEAF_PAGES * 2));

        assertThat(domain.leafTables()).isEqualTo(1);
        assertThat(domain.leafPages(10)).isEqualTo(1);
    }

    @Test
    void unmapRemovesWholeMappingsInTheRange()
    {
        commit(map(1, 0, 2, 20, 0, READ));
        commit(map(2, 4, 2, 20, 2, READ));
        commit(map(3, 8, 2, 20, 4, READ));

        commit(new Unmap(DOMAIN, 0, 6));

        assertThat(replicas[0].domain(DOMAIN).mappings().keySet()).containsExactly(8L);
        assertThat(replicas[0].translate(DOMAIN, 0)).isNull();
        assertThat(replicas[0].domain(DOMAIN).hasMappingId(1)).isFalse();
        commit(map(1, 0, 2, 20, 0, READ));
        assertAgree();
    }

    @Test
    void protectSetsTheRightsOfEveryCoveredMapping()
    {
        commit(map(1, 0, 2, 20, 0, READ | WRITE));
        commit(map(2, 2, 2, 20, 2, READ | WRITE));

        commit(new Protect(DOMAIN, 0, 4, READ));

        assertThat(replicas[2].translate(DOMAIN, 1).rights()).isEqualTo(READ);
        assertThat(replicas[2].translate(DOMAIN, 3).rights()).isEqualTo(READ);
        commit(new Protect(DOMAIN, 2, 2, WRITE));
        assertThat(replicas[2].translate(DOMAIN, 3).rights()).isEqualTo(WRITE);
        assertAgree();
    }

    @Test
    void spanInstallsTheCarriedImageOnTheNewCore()
    {
        commit(map(1, 0x10, 4, 20, 0, READ | WRITE));
        commit(new Protect(DOMAIN, 0x10, 4, READ));
        final Span span = new Span(DOMAIN, 3, replicas[0].image(DOMAIN));
        assertThat(replicas[0].participants(span)).containsExactly(0, 1, 2, 3);

        commit(span);

        for (final AddressSpaces replica : replicas)
        {
            assertThat(replica.domain(DOMAIN).cores()).containsExactly(0, 1, 2, 3);
            assertThat(replica.fingerprint(DOMAIN)).isEqualTo(replicas[0].fingerprint(DOMAIN));
            assertThat(replica.domain(DOMAIN).version()).isEqualTo(4);
        }
        assertThat(replicas[3].translate(DOMAIN, 0x12)).isEqualTo(replicas[0].translate(DOMAIN, 0x12));
        commit(new Unmap(DOMAIN, 0x10, 4));
        assertThat(replicas[3].fingerprint(DOMAIN)).isEqualTo(replicas[0].fingerprint(DOMAIN));
    }

    @Test
    void shrinkDropsTheDomainOnTheRemovedCoreOnly()
    {
        final Shrink shrink = new Shrink(DOMAIN, 1);
        assertThat(replicas[0].participants(shrink)).containsExactly(0, 1, 2);

        commit(shrink);

        assertThat(replicas[1].domain(DOMAIN)).isNull();
        assertThat(replicas[0].domain(DOMAIN).cores()).containsExactly(0, 2);
        assertThat(replicas[2].fingerprint(DOMAIN)).isEqualTo(replicas[0].fingerprint(DOMAIN));
        commit(new Shrink(DOMAIN, 0));
        assertThat(replicas[2].validate(new Shrink(DOMAIN, 2)))
            .isEqualTo("core 2 is domain 1's last core: destroy the domain instead");
    }

    @Test
    void destroyDropsTheDomainEverywhere()
    {
        commit(map(1, 0, 2, 20, 0, READ));

        commit(new Destroy(DOMAIN));

        for (final AddressSpaces replica : replicas)
        {
            assertThat(replica.domain(DOMAIN)).isNull();
        }
        commit(new Create(DOMAIN, 10, 0, CORES));
    }

    @Test
    void everyChangeThatTakesTranslationsAwayIsToldToTheCoresThatApplyIt()
    {
        final java.util.List<String> told = new java.util.ArrayList<>();
        for (final AddressSpaces replica : replicas)
        {
            replica.onTranslationsChanged((domainId, firstPage, pageCount) ->
                told.add(replica.selfCoreId() + ":" + domainId + ":" + firstPage + "+" + pageCount));
        }
        commit(map(1, 0, 2, 20, 0, READ | WRITE));
        commit(new Span(DOMAIN, 3, replicas[0].image(DOMAIN)));
        assertThat(told).as("a map and a span take nothing away").isEmpty();

        commit(new Protect(DOMAIN, 0, 2, READ));
        assertThat(told).containsExactly("0:1:0+2", "1:1:0+2", "2:1:0+2", "3:1:0+2");
        told.clear();
        commit(new Unmap(DOMAIN, 0, 2));
        assertThat(told).containsExactly("0:1:0+2", "1:1:0+2", "2:1:0+2", "3:1:0+2");
        told.clear();
        commit(new Shrink(DOMAIN, 2));
        assertThat(told).as("the whole domain, on the core that leaves it").containsExactly("2:1:0+0");
        told.clear();
        commit(new Destroy(DOMAIN));
        assertThat(told).containsExactly("0:1:0+0", "1:1:0+0", "3:1:0+0");

        told.clear();
        commit(new Create(DOMAIN, 10, 0, CORES));
        final byte[] empty = replicas[3].snapshot();
        commit(new Create(2, 11, 1, new int[] {1, 3}));
        replicas[3].restore(empty);
        assertThat(told).as("a restore replaces every domain held before").containsExactly("3:2:0+0");
    }

    @Test
    void nonMemberCoresIgnoreOperationsOnTheDomain()
    {
        final AddressSpaces outsider = replicas[3];
        final byte[] before = outsider.snapshot();
        for (final VmOperation operation : new VmOperation[] {
            map(1, 0, 1, 20, 0, READ), new Unmap(DOMAIN, 0, 1), new Protect(DOMAIN, 0, 1, READ), new Shrink(DOMAIN, 1),
            new Span(DOMAIN, 2, new byte[] {1}), new Destroy(DOMAIN), new Create(9, 99, 7, new int[] {0, 1})})
        {
            assertThat(outsider.validate(operation)).isNull();
            outsider.apply(operation);
        }
        assertThat(outsider.snapshot()).isEqualTo(before);
    }

    @Test
    void mapAppliesTheFramePrepareSawWhenTheFrameWentAway()
    {
        final VmOperation.Map map = map(1, 0, 2, 21, 0, READ);
        assertThat(replicas[0].validate(map)).isNull();
        caps.remove(21);

        replicas[0].apply(map);

        assertThat(replicas[0].translate(DOMAIN, 1).physicalAddress()).isEqualTo(0x800000 + PAGE);
        assertThatThrownBy(() -> replicas[1].apply(map)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void snapshotRestoresEqualFingerprints()
    {
        commit(map(1, 0, 2, 20, 0, READ));
        commit(map(2, 0x1000, 4, 21, 0, READ));
        commit(new Create(2, 11, 1, new int[] {1, 2}));
        final byte[] snapshot = replicas[1].snapshot();
        final AddressSpaces restored = new AddressSpaces(1, 4, caps);

        restored.restore(snapshot);

        assertThat(restored.snapshot()).isEqualTo(snapshot);
        assertThat(restored.fingerprint(DOMAIN)).isEqualTo(replicas[1].fingerprint(DOMAIN));
        assertThat(restored.fingerprint(2)).isEqualTo(replicas[1].fingerprint(2));
        assertThat(restored.domain(DOMAIN).version()).isEqualTo(3);
        assertThat(restored.translate(DOMAIN, 0x1003)).isEqualTo(replicas[1].translate(DOMAIN, 0x1003));
        assertThat(AddressSpaceInvariants.violations(restored)).isEmpty();
        assertThat(replicas[1].snapshot()).isEqualTo(snapshot);
    }

    @Test
    void highestOwnIdOutlivesUnmapDestroyAndRestart()
    {
        final long core1Block = 2L << VmService.ID_SEQUENCE_BITS;
        commit(map(core1Block + 7, 0, 2, 20, 0, READ));
        commit(map(core1Block + 9, 0x10, 1, 20, 4, READ));
        commit(new Unmap(DOMAIN, 0x10, 1));
        commit(new Create(core1Block + 12, 11, 1, new int[] {1, 2}));
        commit(new Destroy(core1Block + 12));

        assertThat(replicas[1].highestOwnId()).as("core 1's own ids, live or removed").isEqualTo(core1Block + 12);
        assertThat(replicas[0].highestOwnId()).as("ids of core 1's block are not core 0's").isZero();
        final AddressSpaces restarted = new AddressSpaces(1, 4, caps);
        restarted.restore(replicas[1].snapshot());
        assertThat(restarted.highestOwnId()).isEqualTo(core1Block + 12);
        assertThat(restarted.snapshot()).isEqualTo(replicas[1].snapshot());

        final byte[] formatOne = formatOneSnapshot(replicas[1].snapshot());
        final AddressSpaces fromFormatOne = new AddressSpaces(1, 4, caps);
        fromFormatOne.restore(formatOne);
        assertThat(fromFormatOne.highestOwnId()).as("a format 1 snapshot: the live ids").isEqualTo(core1Block + 7);
        assertThat(fromFormatOne.fingerprint(DOMAIN)).isEqualTo(replicas[1].fingerprint(DOMAIN));
    }

    @Test
    void spanInstallNotesTheImagesOwnIds()
    {
        final long core3Block = 4L << VmService.ID_SEQUENCE_BITS;
        commit(map(core3Block + 40, 0, 1, 20, 0, READ));
        final Span span = new Span(DOMAIN, 3, replicas[0].image(DOMAIN));
        replicas[3].apply(span);

        assertThat(replicas[3].highestOwnId()).isEqualTo(core3Block + 40);
    }

    /** The same replica as a format 1 snapshot: no highest own id after the format. */
    private static byte[] formatOneSnapshot(final byte[] formatTwo)
    {
        final java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(formatTwo).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertThat(in.getInt()).isEqualTo(DomainImage.SNAPSHOT_FORMAT);
        final java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(formatTwo.length - 8)
            .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        out.putInt(DomainImage.SNAPSHOT_FORMAT_WITHOUT_HIGHEST);
        out.put(formatTwo, 12, formatTwo.length - 12);
        return out.array();
    }

    @Test
    void restoreRejectsGarbageAndChangesNothing()
    {
        commit(map(1, 0, 2, 20, 0, READ));
        final AddressSpaces replica = replicas[0];
        final byte[] good = replica.snapshot();

        assertThatThrownBy(() -> replica.restore(new byte[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> replica.restore(new byte[] {1, 0, 0, 0, 5, 0, 0, 0}))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> replica.restore(new byte[] {3, 0, 0, 0, 0, 0, 0, 0}))
            .isInstanceOf(IllegalArgumentException.class).hasMessage("address space snapshot format 3 is not 2 or 1");
        final byte[] negativeHighest = good.clone();
        negativeHighest[11] = (byte)0x80;
        assertThatThrownBy(() -> replica.restore(negativeHighest)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("is negative");
        assertThatThrownBy(() -> replica.restore(java.util.Arrays.copyOf(good, good.length - 1)))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> replica.restore(java.util.Arrays.copyOf(good, good.length + 1)))
            .isInstanceOf(IllegalArgumentException.class);
        final byte[] badRights = good.clone();
        badRights[badRights.length - 8] = (byte)(READ | EXECUTE);
        assertThatThrownBy(() -> replica.restore(badRights)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("not within the frame's");
        assertThatThrownBy(() -> replicas[3].restore(good)).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("the address space snapshot holds domain 1, of which core 3 is not one of the cores");
        final java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 200; i++)
        {
            final byte[] noise = good.clone();
            noise[random.nextInt(noise.length)] ^= (byte)(1 + random.nextInt(255));
            try
            {
                replicas[2].restore(noise);
                assertThat(AddressSpaceInvariants.violations(replicas[2])).isEmpty();
            }
            catch (final IllegalArgumentException expected)
            {
                // garbage is refused
            }
        }
        assertThat(replica.snapshot()).isEqualTo(good);
    }

    @Test
    void refusesBadCreates()
    {
        final AddressSpaces core0 = replicas[0];
        assertThat(core0.validate(new Create(0, 10, 0, CORES))).isEqualTo("domain id 0 is not positive: use an id above 0");
        assertThat(core0.validate(new Create(2, 10, 0, new int[0]))).isEqualTo("domain 2 names 0 cores: name 1..4 cores");
        assertThat(core0.validate(new Create(2, 10, 0, new int[] {0, 4})))
            .isEqualTo("core 4 is not a core of this cluster: core ids are 0..3");
        assertThat(core0.validate(new Create(2, 10, 0, new int[] {1, 0})))
            .isEqualTo("the cores of domain 2 must be distinct and ascending, not [1, 0]");
        assertThat(core0.validate(new Create(DOMAIN, 11, 1, CORES))).isEqualTo("domain 1 already exists: choose another id");
        assertThat(core0.validate(new Create(2, 99, 0, CORES))).isEqualTo("capability 99 does not exist");
        assertThat(core0.validate(new Create(2, 20, 0, CORES)))
            .isEqualTo("capability 20 is a FRAME, not a VNODE: a page table's root is a VNODE");
        assertThat(core0.validate(new Create(2, 11, 0, CORES)))
            .isEqualTo("capability 11 is held by core 1, not by the requesting core 0");
        assertThat(core0.validate(new Create(2, 10, 0, CORES)))
            .isEqualTo("VNODE capability 10 is already the root of domain 1: retype another VNODE");
    }

    @Test
    void refusesACreateBeyondTheDomainsACoreMayHold()
    {
        final AddressSpaces core = new AddressSpaces(0, 1, caps);
        for (int i = 0; i < AddressSpaces.DOMAINS_MAX; i++)
        {
            caps.vnode(1000 + i, 0);
            final Create create = new Create(1000 + i, 1000 + i, 0, new int[] {0});
            assertThat(core.validate(create)).isNull();
            core.apply(create);
        }
        caps.vnode(5000, 0);
        assertThat(core.validate(new Create(5000, 5000, 0, new int[] {0})))
            .isEqualTo("core 0 already holds 1024 domains, the most it may: destroy one first");
    }

    @Test
    void refusesBadMaps()
    {
        commit(map(1, 0x10, 4, 20, 0, READ));
        final AddressSpaces core0 = replicas[0];
        assertThat(refusal(map(2, 0, 0, 20, 0, READ))).isEqualTo("pages=0 is outside 1..262144");
        assertThat(refusal(map(2, 0, AddressSpaces.MAP_PAGES_MAX + 1, 20, 0, READ))).isEqualTo("pages=262145 is outside 1..262144");
        assertThat(refusal(map(2, -1, 1, 20, 0, READ)))
            .isEqualTo("pages -0x1000..0x0 are outside the address space of 134217728 pages (0x0..0x8000000000)");
        assertThat(refusal(map(2, AddressSpaces.VIRTUAL_PAGES - 1, 2, 20, 0, READ)))
            .isEqualTo("pages 0x7ffffff000..0x8000001000 are outside the address space of 134217728 pages (0x0..0x8000000000)");
        assertThat(refusal(map(2, 0x7ffffffffffffL, 1, 20, 0, READ))).as("an end past 2^63 bytes, not a negative one")
            .isEqualTo("pages 0x7ffffffffffff000..0x8000000000000000 are outside the address space of 134217728 pages " +
                "(0x0..0x8000000000)");
        assertThat(refusal(map(2, 0, 1, 20, 0, 0)))
            .isEqualTo("a mapping needs at least one of the rights read, write and execute, not none");
        assertThat(refusal(map(2, 0, 1, 20, 0, Rights.GRANT)))
            .isEqualTo("mapping rights grant must be a non-empty set of read, write and execute");
        assertThat(refusal(map(0, 0, 1, 20, 0, READ))).isEqualTo("mapping id 0 is not positive: use an id above 0");
        assertThat(refusal(map(2, 0, 1, 20, -1, READ))).isEqualTo("frame offset -1 pages is negative");
        assertThat(refusal(new VmOperation.Map(DOMAIN, 2, 0, 1, 20, 0, READ, 3)))
            .isEqualTo("core 3 is not one of domain 1's cores [0, 1, 2]: span the domain to it first");
        assertThat(refusal(map(1, 0, 1, 20, 0, READ)))
            .isEqualTo("mapping id 1 is already in use in domain 1: choose another id");
        assertThat(refusal(map(2, 0, 1, 99, 0, READ))).isEqualTo("capability 99 does not exist");
        assertThat(refusal(map(2, 0, 1, 23, 0, READ)))
            .isEqualTo("capability 23 is a RAM, not a FRAME: only frames are mapped");
        assertThat(refusal(map(2, 0, 1, 22, 0, READ)))
            .isEqualTo("capability 22 is held by core 1, not by the requesting core 0");
        assertThat(refusal(map(2, 0, 1, 21, 0, READ | WRITE)))
            .isEqualTo("frame capability 21 has rights read, which do not include read,write: map with fewer rights");
        assertThat(refusal(map(2, 0, 2, 21, 3, READ))).isEqualTo("2 pages from page 3 of frame 21 do not fit its 4 pages");
        assertThat(refusal(map(2, 0, 1, 21, 4, READ))).isEqualTo("1 page from page 4 of frame 21 does not fit its 4 pages");
        assertThat(refusal(map(2, 0x13, 2, 20, 4, READ)))
            .isEqualTo("pages 0x13000..0x15000 overlap mapping 1 at 0x10000: unmap it first or choose free pages");
        assertThat(refusal(map(2, 0x8, 9, 20, 0, READ)))
            .isEqualTo("pages 0x8000..0x11000 overlap mapping 1 at 0x10000: unmap it first or choose free pages");
        assertThat(core0.validate(map(2, 0x14, 2, 20, 4, READ))).isNull();
        assertThat(core0.validate(map(2, 0xE, 2, 20, 4, READ))).isNull();
    }

    @Test
    void refusesAMapBeyondTheMappingsADomainMayHave()
    {
        caps.frame(30, 0, AddressSpaces.MAPPINGS_PER_DOMAIN_MAX + 1L, READ, 0);
        final AddressSpaces core0 = replicas[0];
        for (int i = 0; i < AddressSpaces.MAPPINGS_PER_DOMAIN_MAX; i++)
        {
            final VmOperation.Map map = map(i + 1, i, 1, 30, i, READ);
            assertThat(core0.validate(map)).isNull();
            core0.apply(map);
        }
        assertThat(core0.validate(map(5000, 5000, 1, 30, 0, READ)))
            .isEqualTo("domain 1 already has 1024 mappings, the most it may: unmap one first");
        assertThat(AddressSpaceInvariants.violations(core0)).isEmpty();
    }

    @Test
    void refusesUnmapsAndProtectsThatCutMappingsOrFindNone()
    {
        commit(map(1, 0x10, 4, 20, 0, READ | WRITE));
        commit(map(2, 0x20, 4, 21, 0, READ));
        assertThat(refusal(new Unmap(DOMAIN, 0x12, 8)))
            .isEqualTo("the range to unmap cuts the mapping at 0x10000 (mapping 1, 4 pages): unmap whole mappings");
        assertThat(refusal(new Unmap(DOMAIN, 0x0, 0x12)))
            .isEqualTo("the range to unmap cuts the mapping at 0x10000 (mapping 1, 4 pages): unmap whole mappings");
        assertThat(refusal(new Unmap(DOMAIN, 0x14, 12)))
            .isEqualTo("no mapping of domain 1 lies in pages 0x14000..0x20000: nothing to unmap");
        assertThat(refusal(new Unmap(DOMAIN, 0, 0))).isEqualTo("pages=0 is outside 1..262144");
        assertThat(refusal(new Protect(DOMAIN, 0x11, 2, READ)))
            .isEqualTo("the range to protect cuts the mapping at 0x10000 (mapping 1, 4 pages): protect whole mappings");
        assertThat(refusal(new Protect(DOMAIN, 0x30, 2, READ)))
            .isEqualTo("no mapping of domain 1 lies in pages 0x30000..0x32000: nothing to protect");
        assertThat(refusal(new Protect(DOMAIN, 0x10, 0x20, READ | WRITE)))
            .isEqualTo("mapping 2 at 0x20000 maps a frame with rights read, which do not include read,write");
        assertThat(refusal(new Protect(DOMAIN, 0x10, 4, EXECUTE)))
            .isEqualTo("mapping 1 at 0x10000 maps a frame with rights read,write, which do not include execute");
        assertThat(refusal(new Protect(DOMAIN, 0x10, 4, 0)))
            .isEqualTo("a mapping needs at least one of the rights read, write and execute, not none");
        assertThat(replicas[0].validate(new Unmap(DOMAIN, 0x10, 0x14))).isNull();
    }

    @Test
    void refusesBadSpansAndShrinks()
    {
        final byte[] image = replicas[0].image(DOMAIN);
        assertThat(refusal(new Span(DOMAIN, 4, image))).isEqualTo("core 4 is not a core of this cluster: core ids are 0..3");
        assertThat(refusal(new Span(DOMAIN, 1, image))).isEqualTo("core 1 is already one of domain 1's cores");
        assertThat(refusal(new Span(DOMAIN, 3, new byte[DomainImage.lengthMax(4) + 1])))
            .isEqualTo("the image of domain 1 has 53301 bytes, more than the 53300 a domain's image may have");
        commit(map(1, 0, 1, 20, 0, READ));
        assertThat(refusal(new Span(DOMAIN, 3, image)))
            .isEqualTo("the image of domain 1 differs from core 0's replica: retry the span");
        assertThat(replicas[3].validate(new Span(DOMAIN, 3, new byte[] {1, 2})))
            .startsWith("the image of domain 1 is not valid (a domain image of 2 bytes is truncated): retry the span");
        commit(new Create(2, 11, 1, new int[] {1}));
        assertThat(replicas[3].validate(new Span(DOMAIN, 3, replicas[1].image(2))))
            .isEqualTo("the image carried for domain 1 is of domain 2 on cores [1]: retry the span");
        assertThat(replicas[1].validate(new Span(2, 1, replicas[1].image(2)))).isEqualTo("core 1 is already one of domain 2's cores");
        assertThat(refusal(new Shrink(DOMAIN, 3))).isEqualTo("core 3 is not one of domain 1's cores [0, 1, 2]");
    }

    @Test
    void aChangeIsValidOnlyWhereTheDomainIsAtTheVersionAndCoresItWasProposedAgainst()
    {
        final long version = replicas[0].domain(DOMAIN).version();
        final VmOperation.AtVersion current = new VmOperation.AtVersion(DOMAIN, version, CORES);
        for (final AddressSpaces replica : replicas)
        {
            assertThat(replica.validate(current)).as("core %d", replica.selfCoreId()).isNull();
        }
        final String fingerprint = replicas[0].fingerprint(DOMAIN);
        commit(current);
        assertThat(replicas[0].fingerprint(DOMAIN)).as("it changes nothing").isEqualTo(fingerprint);

        commit(new Shrink(DOMAIN, 2));
        assertThat(refusal(current)).isEqualTo("domain 1 changed since the change was proposed (version " +
            (version + 1) + " on cores [0, 1] at core 0, version " + version + " on cores [0, 1, 2] at the proposer): retry it");
        assertThat(replicas[2].validate(current)).as("named, but dropped the domain since")
            .isEqualTo("domain 1 is no longer on core 2 since the change was proposed: retry it");
        assertThat(replicas[3].validate(current)).as("neither named nor holding it").isNull();
        assertThat(refusal(new VmOperation.AtVersion(DOMAIN, version + 1, CORES))).as("same version, other cores")
            .startsWith("domain 1 changed since the change was proposed");
        assertThat(refusal(new VmOperation.AtVersion(DOMAIN, version + 1, new int[] {0, 1}))).isNull();
    }

    @Test
    void refusesASpanOntoACoreThatHoldsTheMostDomains()
    {
        final AddressSpaces core3 = replicas[3];
        for (int i = 0; i < AddressSpaces.DOMAINS_MAX; i++)
        {
            caps.vnode(1000 + i, 3);
            core3.apply(new Create(1000 + i, 1000 + i, 3, new int[] {3}));
        }
        assertThat(core3.validate(new Span(DOMAIN, 3, replicas[0].image(DOMAIN))))
            .isEqualTo("core 3 already holds 1024 domains, the most it may: destroy one first");
    }

    @Test
    void refusesABadConstruction()
    {
        assertThatThrownBy(() -> new AddressSpaces(4, 4, caps)).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("selfCoreId=4 is outside 0..3");
        assertThatThrownBy(() -> new AddressSpaces(0, 0, caps)).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("coresMax=0 is outside 1..65536");
        assertThatThrownBy(() -> replicas[3].image(DOMAIN)).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("domain 1 does not run on core 3");
    }
}
