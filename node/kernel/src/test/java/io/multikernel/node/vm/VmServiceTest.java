package io.multikernel.node.vm;

import io.multikernel.node.caps.CapabilityResult.Outcome;
import io.multikernel.node.caps.CapabilityService;
import io.multikernel.node.caps.CapabilityType;
import io.multikernel.node.caps.Rights;
import io.multikernel.node.skb.RoutingProtocol;
import io.multikernel.replication.TransactionId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.multikernel.node.vm.InProcessVmCluster.PAGE;
import static org.assertj.core.api.Assertions.assertThat;

class VmServiceTest
{
    private static final long VA = 0x40_0000L;

    @TempDir
    Path directory;

    private InProcessVmCluster cluster;

    @AfterEach
    void close()
    {
        if (null != cluster)
        {
            cluster.close();
        }
    }

    private InProcessVmCluster cluster(final int cores, final int hosts)
    {
        cluster = new InProcessVmCluster(cores, hosts, directory);
        return cluster;
    }

    private long mapped(final long domain, final int core, final long frame, final int pages, final int rights)
    {
        final VmResult result = cluster.run(cb -> cluster.core(core).map(domain, VA, frame, 0, pages * PAGE, rights, cb));
        assertThat(result.outcome()).as(String.valueOf(result)).isEqualTo(Outcome.COMMITTED);
        return result.id();
    }

    /** RAM of {@code pages} pages from core 0's memory server, held by core 0. */
    private long ram(final int pages)
    {
        return cluster.caps(0, (s, cb) -> s.allocate(pages * PAGE, cb)).capIds().get(0);
    }

    /** One object of {@code type} retyped by core 0 from {@code ram} at {@code offset}, {@code length} bytes. */
    private long retyped(final long ram, final CapabilityType type, final long offset,
        final long length)
    {
        return cluster.caps(0, (s, cb) -> s.retype(ram, type, offset, length, 1, cb)).capIds().get(0);
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aStoreOnOneCoreIsLoadedOnEveryCoreOfTheDomainThroughItsTlb()
    {
        cluster(3, 1);
        final long domain = cluster.domain(0, 1, 2);
        final long frame = cluster.frame(0, 2);
        mapped(domain, 0, frame, 2, InProcessVmCluster.rw());
        final String fingerprint = cluster.fingerprint(domain);
        assertThat(fingerprint).isNotNull();

        assertThat(cluster.store(0, domain, VA + PAGE + 10, bytes("hello")).result().outcome()).isEqualTo(Outcome.DONE);
        for (int core = 0; core < 3; core++)
        {
            final InProcessVmCluster.Access loaded = cluster.load(core, domain, VA + PAGE + 10, 5);
            assertThat(loaded.result().outcome()).as("core %d", core).isEqualTo(Outcome.DONE);
            assertThat(new String(loaded.data(), StandardCharsets.UTF_8)).isEqualTo("hello");
        }
        final long missesBefore = cluster.core(1).tlb().misses();
        cluster.load(1, domain, VA + PAGE, 1);
        assertThat(cluster.core(1).tlb().misses()).as("the second load of a page hits").isEqualTo(missesBefore);
        assertThat(cluster.core(1).tlb().hits()).isPositive();
    }

    @Test
    void aMapMakesItsLeafPageTablesFromTheMappingCoresMemoryAndTheLastUnmapGivesThemBack()
    {
        cluster(3, 1);
        final long domain = cluster.domain(0, 1, 2);
        final long frame = cluster.frame(1, 4);
        final long small = cluster.frame(1, 1);
        final long freeBefore = cluster.capabilities.get(0).database().freeBytes(1);

        // Four pages from two pages below VA: the last two pages of leaf 1 and the first two of leaf 2.
        final VmResult wide = cluster.run(cb -> cluster.core(1).map(domain, VA - 2 * PAGE, frame, 0, 4 * PAGE,
            InProcessVmCluster.rw(), cb));
        assertThat(wide.outcome()).as(String.valueOf(wide)).isEqualTo(Outcome.COMMITTED);
        final VmResult inside = cluster.run(cb -> cluster.core(1).map(domain, VA + 8 * PAGE, small, 0, PAGE,
            InProcessVmCluster.rw(), cb));
        assertThat(inside.outcome()).isEqualTo(Outcome.COMMITTED);
        cluster.fingerprint(domain);
        for (int core = 0; core < 3; core++)
        {
            final io.multikernel.node.caps.CapabilityDatabase database = cluster.capabilities.get(core).database();
            assertThat(database.leafTables(domain).keySet()).as("core %d", core).containsExactly(1L, 2L);
            assertThat(database.leafTables(domain).get(2L).pages()).as("one leaf for both maps").isEqualTo(3);
            final long vnode = database.leafTables(domain).get(1L).vnodeCapId();
            assertThat(database.object(database.capability(vnode).objectId()).type()).isEqualTo(CapabilityType.VNODE);
            assertThat(database.capability(vnode).holderCore()).as("held by the mapping core").isEqualTo(1);
            assertThat(database.freeBytes(1)).as("from its memory server").isEqualTo(freeBefore - 2 * PAGE);
            assertThat(io.multikernel.node.caps.CapabilityInvariants.violations(database)).isEmpty();
        }
        final long leafVnode = cluster.capabilities.get(1).database().leafTables(domain).get(1L).vnodeCapId();
        final io.multikernel.node.caps.CapabilityResult deleted = cluster.caps(1, (s, cb) -> s.delete(leafVnode, cb));
        assertThat(deleted.outcome()).isEqualTo(Outcome.INVALID);
        assertThat(deleted.message()).isEqualTo("capability " + leafVnode + " belongs to leaf page table 1 of domain " +
            domain + ": it is not deleted by itself; it goes when the last mapping in the leaf's range is unmapped");

        assertThat(cluster.run(cb -> cluster.core(2).unmap(domain, VA - 2 * PAGE, 4 * PAGE, RoutingProtocol.UNICAST,
            cb)).outcome()).isEqualTo(Outcome.COMMITTED);
        cluster.fingerprint(domain);
        assertThat(cluster.capabilities.get(0).database().leafTables(domain).keySet()).as("leaf 2 still maps a page")
            .containsExactly(2L);
        assertThat(cluster.run(cb -> cluster.core(0).destroy(domain, RoutingProtocol.UNICAST, cb)).outcome())
            .isEqualTo(Outcome.COMMITTED);
        for (int core = 0; core < 3; core++)
        {
            final io.multikernel.node.caps.CapabilityDatabase database = cluster.capabilities.get(core).database();
            assertThat(database.leafTables(domain)).as("core %d", core).isEmpty();
            assertThat(database.capability(leafVnode)).isNull();
            assertThat(database.freeBytes(1)).as("every leaf's memory went back").isEqualTo(freeBefore);
        }
    }

    @Test
    void aMapRacingItsDomainsDestroyLeavesNoMappingOrLeafTableInADeadDomain()
    {
        for (int first = 0; first < 2; first++)
        {
            cluster(3, 1);
            final long domain = cluster.domain(0, 1, 2);
            final long frame = cluster.frame(1, 1);
            final long freeBefore = cluster.capabilities.get(0).database().freeBytes(1);
            final List<VmResult> destroyed = new ArrayList<>();
            final List<VmResult> mapped = new ArrayList<>();
            // Both proposed before either is delivered, in both orders.
            if (0 == first)
            {
                cluster.core(0).destroy(domain, RoutingProtocol.UNICAST, destroyed::add);
                cluster.core(1).map(domain, VA, frame, 0, PAGE, InProcessVmCluster.rw(), mapped::add);
            }
            else
            {
                cluster.core(1).map(domain, VA, frame, 0, PAGE, InProcessVmCluster.rw(), mapped::add);
                cluster.core(0).destroy(domain, RoutingProtocol.UNICAST, destroyed::add);
            }
            cluster.deliver();
            for (int wait = 0; wait < 20 && (destroyed.isEmpty() || mapped.isEmpty()); wait++)
            {
                // The one that lost a lock conflict with the higher priority proposes again 1, 2, 4... ms later.
                cluster.clock.update(cluster.clock.nanoTime() + 10_000_000L);
                cluster.deliver();
            }

            assertThat(destroyed).hasSize(1);
            assertThat(mapped).hasSize(1);
            final boolean gone = Outcome.COMMITTED == destroyed.get(0).outcome();
            for (int core = 0; core < 3; core++)
            {
                final io.multikernel.node.caps.CapabilityDatabase database = cluster.capabilities.get(core).database();
                assertThat(io.multikernel.node.caps.CapabilityInvariants.violations(database)).isEmpty();
                if (gone)
                {
                    assertThat(database.mappingCapabilities().values()).as("core %d: %s", core, mapped.get(0))
                        .noneMatch(mapping -> mapping.domainId() == domain);
                    assertThat(database.leafTables(domain)).as("core %d", core).isEmpty();
                    assertThat(database.freeBytes(1)).isEqualTo(freeBefore);
                }
                else
                {
                    assertThat(mapped.get(0).outcome()).as("the destroy lost to the map").isEqualTo(Outcome.COMMITTED);
                    assertThat(database.leafTables(domain)).hasSize(1);
                }
            }
            cluster.close();
        }
    }

    @Test
    void aMapThatNeedsALeafTableIsRefusedWhenItsCoresMemoryServerHasNoRoomForIt()
    {
        cluster(2, 1);
        final long domain = cluster.domain(0, 1);
        final long frame = cluster.frame(1, 1);
        final long free = cluster.capabilities.get(1).database().freeBytes(1);
        assertThat(cluster.caps(1, (s, cb) -> s.allocate(free, cb)).outcome()).isEqualTo(Outcome.COMMITTED);

        final VmResult refused = cluster.run(cb -> cluster.core(1).map(domain, VA, frame, 0, PAGE,
            InProcessVmCluster.rw(), cb));

        assertThat(refused.outcome()).isEqualTo(Outcome.CONFLICT);
        assertThat(refused.message()).isEqualTo("core 1's memory server has no free run of 4096 bytes for the 1 leaf " +
            "page table the map needs (0 bytes free in all): delete or revoke RAM first");
        assertThat(cluster.core(1).spaces().domain(domain).mappingCount()).isZero();
        assertThat(cluster.run(cb -> cluster.core(0).map(domain, VA, cluster.frame(0, 1), 0, PAGE,
            InProcessVmCluster.rw(), cb)).outcome()).as("core 0's memory server has room").isEqualTo(Outcome.COMMITTED);
    }

    @Test
    void afterUnmapReturnsNoCoreLoadsOrStoresThroughTheOldMapping()
    {
        for (final RoutingProtocol protocol : RoutingProtocol.values())
        {
            cluster(4, 2);
            final long domain = cluster.domain(0, 1, 2, 3);
            final long frame = cluster.frame(0, 1);
            mapped(domain, 0, frame, 1, InProcessVmCluster.rw());
            for (int core = 0; core < 4; core++)
            {
                assertThat(cluster.load(core, domain, VA, 8).result().outcome()).isEqualTo(Outcome.DONE);
            }

            final VmResult unmapped = cluster.run(cb -> cluster.core(0).unmap(domain, VA, PAGE, protocol, cb));

            assertThat(unmapped.outcome()).isEqualTo(Outcome.COMMITTED);
            assertThat(unmapped.protocol()).isEqualTo(protocol.cliName());
            for (int core = 0; core < 4; core++)
            {
                final InProcessVmCluster.Access load = cluster.load(core, domain, VA, 8);
                assertThat(load.result().outcome()).as("%s: core %d", protocol, core).isEqualTo(Outcome.FAULT);
                assertThat(load.result().message()).isEqualTo("load at 0x400000: no mapping at 0x400000 in domain " + domain);
                assertThat(cluster.store(core, domain, VA, bytes("x")).result().outcome()).isEqualTo(Outcome.FAULT);
                assertThat(cluster.core(core).tlb().invalidations()).as("core %d dropped its entry", core).isPositive();
            }
            assertThat(cluster.fingerprint(domain)).isNotNull();
            cluster.close();
        }
    }

    @Test
    void aCoreThatHasPreparedButNotAppliedTheUnmapFillsNoEntryFromItsOldReplica()
    {
        cluster(3, 1);
        final long domain = cluster.domain(0, 1, 2);
        mapped(domain, 0, cluster.frame(0, 1), 1, InProcessVmCluster.rw());

        final List<VmResult> answers = new ArrayList<>();
        cluster.core(0).unmap(domain, VA, PAGE, RoutingProtocol.UNICAST, answers::add);
        // Core 2 prepared the unmap; its commit is held back while the shootdown goes through.
        cluster.deliver(message -> "commit".equals(message.kind()) && 2 == message.destination());

        assertThat(answers).as("every core invalidated: the unmap returned").singleElement()
            .extracting(VmResult::outcome).isEqualTo(Outcome.COMMITTED);
        assertThat(cluster.core(2).spaces().translate(domain, VA / PAGE)).as("core 2's replica still maps it").isNotNull();
        final InProcessVmCluster.Access during = cluster.load(2, domain, VA, 4);
        assertThat(during.result().outcome()).as("no refill from the old mapping").isEqualTo(Outcome.UNAVAILABLE);
        assertThat(during.result().message()).contains("page table is changing").endsWith("retry");

        cluster.release();
        cluster.deliver();
        assertThat(cluster.load(2, domain, VA, 4).result().outcome()).isEqualTo(Outcome.FAULT);
        cluster.fingerprint(domain);
    }

    @Test
    void anAccessInFlightToAnotherHostHoldsTheShootdownUntilItEnds()
    {
        cluster(2, 2);
        final long domain = cluster.domain(0, 1);
        mapped(domain, 0, cluster.frame(0, 1), 1, InProcessVmCluster.rw());
        assertThat(cluster.store(1, domain, VA, bytes("far")).result().outcome())
            .as("core 1 (host 1) stores into host 0's frame through a core of host 0").isEqualTo(Outcome.DONE);

        final List<String> order = new ArrayList<>();
        cluster.core(1).load(domain, VA, 3, (result, data, offset, length) -> order.add("load " + result.outcome()));
        cluster.core(0).unmap(domain, VA, PAGE, RoutingProtocol.UNICAST, result -> order.add("unmap " + result.outcome()));
        cluster.deliver(message -> "frame".equals(message.kind()));
        assertThat(order).as("core 1 does not acknowledge while its load is in flight").isEmpty();
        assertThat(cluster.core(1).accessesInFlight(domain)).isEqualTo(1);

        cluster.release();
        cluster.deliver();
        assertThat(order).containsExactly("load DONE", "unmap COMMITTED");
        assertThat(cluster.load(1, domain, VA, 3).result().outcome()).isEqualTo(Outcome.FAULT);
    }

    @Test
    void aCoreDropsItsEntriesAsItAppliesAChangeThoughNoShootdownReachesIt()
    {
        cluster(2, 1);
        final long domain = cluster.domain(0, 1);
        mapped(domain, 0, cluster.frame(0, 1), 1, InProcessVmCluster.rw());
        assertThat(cluster.store(1, domain, VA, bytes("cached")).result().outcome()).isEqualTo(Outcome.DONE);

        // As when core 0 dies right after the commit: its shootdown never reaches core 1.
        final List<VmResult> answers = new ArrayList<>();
        cluster.core(0).unmap(domain, VA, PAGE, RoutingProtocol.UNICAST, answers::add);
        cluster.deliver(message -> "shootdown".equals(message.kind()));
        assertThat(answers).as("no acknowledgement from core 1").isEmpty();
        assertThat(cluster.core(1).spaces().translate(domain, VA / PAGE)).as("core 1 applied the unmap").isNull();

        final InProcessVmCluster.Access load = cluster.load(1, domain, VA, 6);
        assertThat(load.result().outcome()).as("no load through the entry cached before the unmap")
            .isEqualTo(Outcome.FAULT);
        assertThat(cluster.store(1, domain, VA, bytes("stale")).result().outcome()).isEqualTo(Outcome.FAULT);
    }

    @Test
    void accessesThatStartAfterTheDropDoNotHoldTheShootdownBack()
    {
        cluster(2, 2);
        final long domain = cluster.domain(0, 1);
        mapped(domain, 0, cluster.frame(0, 1), 1, InProcessVmCluster.rw());
        final long otherVa = VA + 16 * PAGE;
        final long other = cluster.frame(0, 1);
        assertThat(cluster.run(cb -> cluster.core(0).map(domain, otherVa, other, 0, PAGE, InProcessVmCluster.rw(), cb))
            .outcome()).isEqualTo(Outcome.COMMITTED);

        // Core 1 (host 1) keeps loads of the domain in flight to host 0: one before the unmap's drop, one after.
        final List<String> order = new ArrayList<>();
        cluster.core(1).load(domain, otherVa, 1, (result, data, offset, length) -> order.add("before " + result.outcome()));
        cluster.core(0).unmap(domain, VA, PAGE, RoutingProtocol.UNICAST, result -> order.add("unmap " + result.outcome()));
        cluster.deliver(message -> "frame".equals(message.kind()));
        assertThat(order).as("the load from before the drop holds the acknowledgement").isEmpty();
        cluster.core(1).load(domain, otherVa, 1, (result, data, offset, length) -> order.add("after " + result.outcome()));
        cluster.deliver(message -> "frame".equals(message.kind()));
        assertThat(cluster.core(1).accessesInFlight(domain)).isEqualTo(2);

        cluster.releaseOldest();
        cluster.deliver();
        assertThat(order).as("answered while the later load is still in flight")
            .containsExactly("before DONE", "unmap COMMITTED");
        assertThat(cluster.core(1).accessesInFlight(domain)).isEqualTo(1);

        cluster.release();
        cluster.deliver();
        assertThat(order).containsExactly("before DONE", "unmap COMMITTED", "after DONE");
        assertThat(cluster.core(1).accessesInFlight(domain)).isZero();
    }

    @Test
    void aStoreThatTimedOutHoldsTheShootdownUntilAFenceShowsItCanNoLongerLand()
    {
        cluster(2, 2);
        final long domain = cluster.domain(0, 1);
        final long frame = cluster.frame(0, 1);
        mapped(domain, 0, frame, 1, InProcessVmCluster.rw());
        assertThat(cluster.store(1, domain, VA, bytes("first")).result().outcome()).isEqualTo(Outcome.DONE);

        // Core 1 (host 1) stores into host 0's frame; the request is held up on its way, past the timeout.
        final List<String> order = new ArrayList<>();
        cluster.core(1).store(domain, VA, new org.agrona.concurrent.UnsafeBuffer(bytes("stale")), 0, 5,
            (result, data, offset, length) -> order.add("store " + result.outcome()));
        cluster.deliver(message -> "frame".equals(message.kind()));
        cluster.clock.advance(io.multikernel.node.caps.FrameAccess.REMOTE_TIMEOUT_NS);
        cluster.deliver(message -> "frame".equals(message.kind()));
        assertThat(order).containsExactly("store INDEFINITE");

        final byte[] seen = new byte[5];
        cluster.core(0).unmap(domain, VA, PAGE, RoutingProtocol.UNICAST, result ->
        {
            order.add("unmap " + result.outcome());
            final org.agrona.concurrent.UnsafeBuffer bytes = new org.agrona.concurrent.UnsafeBuffer(seen);
            try
            {
                cluster.capabilities.get(0).read(frame, 0, seen.length, bytes, 0);
            }
            catch (final io.multikernel.node.caps.CapabilityException ex)
            {
                throw new AssertionError(ex);
            }
        });
        cluster.deliver(message -> "frame".equals(message.kind()));
        assertThat(order).as("core 1 does not acknowledge while its store may still land")
            .containsExactly("store INDEFINITE");

        cluster.release();
        cluster.deliver();
        assertThat(order).containsExactly("store INDEFINITE", "unmap COMMITTED");
        assertThat(new String(seen, StandardCharsets.UTF_8)).as("the store landed before the unmap returned")
            .isEqualTo("stale");
        assertThat(cluster.core(1).accessesInFlight(domain)).isZero();
    }

    @Test
    void aChangeWhoseCoordinatorsOwnStoreNeverSettlesIsAnsweredIndefiniteInTime()
    {
        cluster(2, 2);
        final long domain = cluster.domain(0, 1);
        mapped(domain, 0, cluster.frame(0, 1), 1, InProcessVmCluster.rw());
        assertThat(cluster.store(1, domain, VA, bytes("warm")).result().outcome()).isEqualTo(Outcome.DONE);

        // Core 1 (host 1) stores into host 0's frame; host 0 never answers it, nor any fence.
        final List<String> order = new ArrayList<>();
        cluster.core(1).store(domain, VA, new org.agrona.concurrent.UnsafeBuffer(bytes("lost")), 0, 4,
            (result, data, offset, length) -> order.add("store " + result.outcome()));
        final List<VmResult> answers = new ArrayList<>();
        cluster.core(1).unmap(domain, VA, PAGE, RoutingProtocol.UNICAST, answers::add);
        cluster.deliver(message -> "frame".equals(message.kind()));
        assertThat(answers).as("core 0 acknowledged, but core 1's own store may still land").isEmpty();

        cluster.clock.advance(VmService.ACCESS_DRAIN_TIMEOUT_NS - 1);
        cluster.deliver(message -> "frame".equals(message.kind()));
        assertThat(order).containsExactly("store INDEFINITE");
        assertThat(answers).isEmpty();
        cluster.clock.advance(1);
        cluster.deliver(message -> "frame".equals(message.kind()));
        assertThat(answers).singleElement().satisfies(answer ->
        {
            assertThat(answer.outcome()).isEqualTo(Outcome.INDEFINITE);
            assertThat(answer.message()).contains("every core dropped the old translations").endsWith("it may still land");
        });
        assertThat(cluster.core(1).inFlight()).isZero();
    }

    @Test
    void aProtectProposedAgainShootsDownWhenItNowTakesARightAway()
    {
        cluster(2, 1);
        final long domain = cluster.domain(0, 1);
        mapped(domain, 0, cluster.frame(0, 1), 1, Rights.READ);

        // Core 0's protect to read-only takes nothing away as first proposed, and loses a lock conflict.
        cluster.abortNext.add("core 1 voted no: key DomainKey is locked by transaction 1:1:99");
        final List<VmResult> answers = new ArrayList<>();
        cluster.core(0).protect(domain, VA, PAGE, Rights.READ, null, answers::add);
        cluster.deliver();
        assertThat(answers).isEmpty();
        // Meanwhile core 1 makes the page writable and caches that.
        assertThat(cluster.run(cb -> cluster.core(1).protect(domain, VA, PAGE, InProcessVmCluster.rw(), null, cb))
            .outcome()).isEqualTo(Outcome.COMMITTED);
        assertThat(cluster.store(1, domain, VA, bytes("w")).result().outcome()).isEqualTo(Outcome.DONE);

        // The retry takes the write right away: it is answered after core 1 dropped its entry.
        cluster.clock.advance(CapabilityServiceDelay.NS);
        cluster.deliver(message -> "commit".equals(message.kind()) && 1 == message.destination());
        assertThat(answers).singleElement().satisfies(answer ->
        {
            assertThat(answer.outcome()).isEqualTo(Outcome.COMMITTED);
            assertThat(answer.protocol()).as("with a shootdown").isEqualTo("multicast");
        });
        assertThat(cluster.store(1, domain, VA, bytes("w")).result().outcome())
            .as("core 1, its commit still on the way, stores through no cached write right").isNotEqualTo(Outcome.DONE);
        cluster.release();
        cluster.deliver();
        assertThat(cluster.store(1, domain, VA, bytes("w")).result().outcome()).isEqualTo(Outcome.FAULT);
        cluster.fingerprint(domain);
    }

    @Test
    void aRetypeProposedAgainZeroesItsFramesAgain() throws Exception
    {
        cluster(1, 1);
        final long ram = cluster.caps(0, (s, cb) -> s.allocate(PAGE, cb)).capIds().get(0);
        cluster.abortNext.add("core 0 voted no: key ObjectKey is locked by transaction 1:1:99");
        final List<io.multikernel.node.caps.CapabilityResult> first = new ArrayList<>();
        cluster.capabilities.get(0).retype(ram, CapabilityType.FRAME, 0, PAGE, 1, first::add);
        cluster.deliver();
        assertThat(first).as("waits to propose again").isEmpty();

        // Before it does, another frame over the same bytes is made, written and deleted.
        final long earlier = cluster.caps(0, (s, cb) -> s.retype(ram, CapabilityType.FRAME, 0, PAGE, 1, cb))
            .capIds().get(0);
        final byte[] secret = bytes("secret");
        cluster.capabilities.get(0).write(earlier, 0, new org.agrona.concurrent.UnsafeBuffer(secret), 0, secret.length);
        assertThat(cluster.caps(0, (s, cb) -> s.delete(earlier, cb)).outcome()).isEqualTo(Outcome.COMMITTED);

        cluster.clock.advance(CapabilityServiceDelay.NS);
        cluster.deliver();
        assertThat(first).singleElement().extracting(io.multikernel.node.caps.CapabilityResult::outcome)
            .isEqualTo(Outcome.COMMITTED);
        final org.agrona.concurrent.UnsafeBuffer read = new org.agrona.concurrent.UnsafeBuffer(new byte[secret.length]);
        cluster.capabilities.get(0).read(first.get(0).capIds().get(0), 0, secret.length, read, 0);
        assertThat(read.byteArray()).as("the new frame shows none of the earlier one's bytes")
            .containsOnly((byte)0);
    }

    @Test
    void protectThatDropsARightShootsDownAndOneThatAddsItDoesNot()
    {
        cluster(2, 1);
        final long domain = cluster.domain(0, 1);
        mapped(domain, 0, cluster.frame(0, 1), 1, InProcessVmCluster.rw());
        assertThat(cluster.store(1, domain, VA, bytes("w")).result().outcome()).isEqualTo(Outcome.DONE);

        final VmResult readOnly = cluster.run(cb -> cluster.core(0).protect(domain, VA, PAGE, Rights.READ, null, cb));
        assertThat(readOnly.outcome()).isEqualTo(Outcome.COMMITTED);
        assertThat(readOnly.protocol()).as("the default protocol").isEqualTo("multicast");
        final InProcessVmCluster.Access denied = cluster.store(1, domain, VA, bytes("w"));
        assertThat(denied.result().outcome()).isEqualTo(Outcome.FAULT);
        assertThat(denied.result().message()).isEqualTo("store at 0x400000: the mapping in domain " + domain +
            " allows read, not write");
        assertThat(cluster.load(1, domain, VA, 1).result().outcome()).isEqualTo(Outcome.DONE);

        final VmResult writable = cluster.run(cb ->
            cluster.core(0).protect(domain, VA, PAGE, InProcessVmCluster.rw(), null, cb));
        assertThat(writable.protocol()).as("adding a right needs no shootdown").isNull();
        assertThat(cluster.store(1, domain, VA, bytes("w")).result().outcome())
            .as("the cached read-only entry is refilled on the missing right").isEqualTo(Outcome.DONE);
    }

    @Test
    void spanShrinkAndDestroyMoveTheTableWithTheCores()
    {
        cluster(3, 1);
        final long domain = cluster.domain(0, 1);
        mapped(domain, 0, cluster.frame(0, 1), 1, InProcessVmCluster.rw());
        cluster.store(0, domain, VA, bytes("spanned"));
        assertThat(cluster.load(2, domain, VA, 7).result().outcome()).isEqualTo(Outcome.NOT_FOUND);

        assertThat(cluster.run(cb -> cluster.core(1).span(domain, 2, cb)).outcome()).isEqualTo(Outcome.COMMITTED);
        assertThat(cluster.core(2).spaces().domain(domain).cores()).containsExactly(0, 1, 2);
        cluster.fingerprint(domain);
        assertThat(new String(cluster.load(2, domain, VA, 7).data(), StandardCharsets.UTF_8)).isEqualTo("spanned");

        assertThat(cluster.run(cb -> cluster.core(0).shrink(domain, 2, null, cb)).outcome()).isEqualTo(Outcome.COMMITTED);
        assertThat(cluster.core(2).spaces().domain(domain)).isNull();
        assertThat(cluster.load(2, domain, VA, 7).result().outcome()).isEqualTo(Outcome.NOT_FOUND);
        assertThat(cluster.core(2).tlb().size()).as("core 2's entries of the domain are gone").isZero();

        assertThat(cluster.run(cb -> cluster.core(1).destroy(domain, RoutingProtocol.TOPOLOGY_AWARE_MULTICAST, cb)).outcome())
            .isEqualTo(Outcome.COMMITTED);
        for (int core = 0; core < 3; core++)
        {
            assertThat(cluster.core(core).spaces().domain(domain)).isNull();
            assertThat(cluster.load(core, domain, VA, 1).result().outcome()).isEqualTo(Outcome.NOT_FOUND);
        }
    }

    /**
     * A domain on cores 0 and 2 that core 2 spanned to core 1: committed, applied on cores 1 and 2,
     * its commit to core 0 in the queue, so core 0 still shows cores [0, 2] and holds the span's lock.
     * From now on core 0's own prepares are messages, delivered after that commit (as the engine's
     * own PREPARE is handled in a later duty cycle): a change core 0 proposes now names the cores
     * of a replica that is about to change under it.
     */
    private long spannedWhileCore0LagsBehind()
    {
        cluster(3, 1);
        final long domain = cluster.domain(0, 2);
        mapped(domain, 0, cluster.frame(0, 1), 1, InProcessVmCluster.rw());
        final List<VmResult> spanned = new ArrayList<>();
        cluster.core(2).span(domain, 1, spanned::add);
        cluster.deliver(message -> "commit".equals(message.kind()) && 0 == message.destination());
        assertThat(spanned).singleElement().extracting(VmResult::outcome).isEqualTo(Outcome.COMMITTED);
        assertThat(cluster.core(0).spaces().domain(domain).cores()).as("core 0 has not applied the span")
            .containsExactly(0, 2);
        assertThat(cluster.load(1, domain, VA, 1).result().outcome()).as("core 1 runs the domain, its TLB holds VA")
            .isEqualTo(Outcome.DONE);
        cluster.deferPrepares = true;
        cluster.release();
        return domain;
    }

    @Test
    void aProtectProposedFromAReplicaThatHasNotAppliedASpanYetIsRefusedInsteadOfMissingTheNewCore()
    {
        final long domain = spannedWhileCore0LagsBehind();

        final VmResult stale = cluster.run(cb -> cluster.core(0).protect(domain, VA, PAGE, Rights.READ, null, cb));
        assertThat(stale.outcome()).as("sent to cores [0, 2] only: refused, not committed without core 1")
            .isEqualTo(Outcome.ABORTED);
        assertThat(stale.message()).contains("core 0 voted no: domain " + domain + " changed since the change was " +
            "proposed (version").contains("on cores [0, 1, 2] at core 0").endsWith("retry it");
        cluster.fingerprint(domain);

        assertThat(cluster.run(cb -> cluster.core(0).protect(domain, VA, PAGE, Rights.READ, null, cb)).outcome())
            .as("proposed again from the replica as it is now").isEqualTo(Outcome.COMMITTED);
        assertThat(cluster.core(1).spaces().translate(domain, VA / PAGE).rights()).as("core 1 applied it")
            .isEqualTo(Rights.READ);
        assertThat(cluster.store(1, domain, VA, bytes("w")).result().outcome()).isEqualTo(Outcome.FAULT);
        cluster.fingerprint(domain);
    }

    @Test
    void anUnmapProposedFromAReplicaThatHasNotAppliedASpanYetIsRefusedInsteadOfShootingDownTooFewCores()
    {
        final long domain = spannedWhileCore0LagsBehind();

        final VmResult stale = cluster.run(cb -> cluster.core(0).unmap(domain, VA, PAGE, RoutingProtocol.UNICAST, cb));
        assertThat(stale.outcome()).as("its shootdown would miss core 1: refused").isEqualTo(Outcome.ABORTED);
        assertThat(stale.message()).contains("changed since the change was proposed").endsWith("retry it");
        assertThat(cluster.load(1, domain, VA, 1).result().outcome()).as("nothing changed").isEqualTo(Outcome.DONE);
        cluster.fingerprint(domain);

        assertThat(cluster.run(cb -> cluster.core(0).unmap(domain, VA, PAGE, RoutingProtocol.UNICAST, cb)).outcome())
            .isEqualTo(Outcome.COMMITTED);
        assertThat(cluster.load(1, domain, VA, 1).result().outcome()).as("core 1's entry was shot down")
            .isEqualTo(Outcome.FAULT);
        cluster.fingerprint(domain);
    }

    @Test
    void aChangeThatLostALockConflictItHasPriorityInIsProposedAgainAndTheOtherIsAnsweredAborted()
    {
        cluster(2, 1);
        final long domain = cluster.domain(0, 1);
        mapped(domain, 0, cluster.frame(0, 1), 1, InProcessVmCluster.rw());

        cluster.abortNext.add("core 1 voted no: key DomainKey is locked by transaction 1:1:99");
        final List<VmResult> answers = new ArrayList<>();
        cluster.core(0).unmap(domain, VA, PAGE, null, answers::add);
        cluster.deliver();
        assertThat(answers).as("core 0's transaction has the lower id: it waits to retry").isEmpty();
        cluster.clock.advance(CapabilityServiceDelay.NS);
        cluster.deliver();
        assertThat(answers).singleElement().extracting(VmResult::outcome).isEqualTo(Outcome.COMMITTED);

        mapped(domain, 0, cluster.frame(0, 1), 1, InProcessVmCluster.rw());
        cluster.abortNext.add("core 0 voted no: key DomainKey is locked by transaction 0:1:1");
        final VmResult lost = cluster.run(cb -> cluster.core(1).unmap(domain, VA, PAGE, null, cb));
        assertThat(lost.outcome()).as("core 1's transaction has the higher id").isEqualTo(Outcome.ABORTED);
        assertThat(lost.message()).contains("is locked by transaction 0:1:1");
        assertThat(cluster.core(1).inFlight()).isZero();
    }

    @Test
    void changesOfOneDomainPostedAtOnceFromOneCoreAllCommitInTurn()
    {
        cluster(3, 1);
        final long domain = cluster.domain(0, 1, 2);
        final int changes = 6;
        final long frame = cluster.frame(0, changes);
        // As the engine: a core's PREPARE follows, on each channel, the COMMITs it sent before it.
        cluster.deferPrepares = true;
        final List<VmResult> answers = new ArrayList<>();
        // Proposed back to back: every one after the first finds the domain locked by the one before it.
        for (int page = 0; page < changes; page++)
        {
            cluster.core(0).map(domain, VA + page * PAGE, frame, page * PAGE, PAGE, InProcessVmCluster.rw(), answers::add);
        }
        deliverEachMillisecond(200, () -> answers.size() < changes);
        assertThat(answers).as("each waits for this core's earlier change, none is aborted").hasSize(changes)
            .allSatisfy(answer -> assertThat(answer.outcome()).as(String.valueOf(answer)).isEqualTo(Outcome.COMMITTED));
        final String fingerprint = cluster.fingerprint(domain);
        assertThat(fingerprint).isNotBlank();
        for (int page = 0; page < changes; page++)
        {
            assertThat(cluster.load(2, domain, VA + page * PAGE, 1).result().outcome()).as("page %d mapped on core 2", page)
                .isEqualTo(Outcome.DONE);
        }
        assertThat(cluster.core(0).inFlight()).isZero();
    }

    @Test
    void mapsOfOneFrameIntoTwoDomainsPostedAtOnceFromOneCoreBothCommit()
    {
        cluster(2, 1);
        final long[] domains = { cluster.domain(0, 1), cluster.domain(0, 1) };
        final long frame = cluster.frame(0, 1);
        // As the engine: a core's PREPARE follows, on each channel, the COMMITs it sent before it.
        cluster.deferPrepares = true;
        final List<VmResult> answers = new ArrayList<>();
        for (final long domain : domains)
        {
            // Both lock the frame's object; the second, proposed after the first, loses to it everywhere.
            cluster.core(0).map(domain, VA, frame, 0, PAGE, InProcessVmCluster.rw(), answers::add);
        }
        deliverEachMillisecond(100, () -> answers.size() < domains.length);
        assertThat(answers).as("the second waits for this core's first and goes again").hasSize(2)
            .allSatisfy(answer -> assertThat(answer.outcome()).as(String.valueOf(answer)).isEqualTo(Outcome.COMMITTED));
        for (final long domain : domains)
        {
            assertThat(cluster.load(1, domain, VA, 1).result().outcome()).isEqualTo(Outcome.DONE);
        }
        assertThat(cluster.core(0).inFlight()).isZero();
    }

    @Test
    void aChangeWaitingBehindItsCoresEarlierChangeIsAnsweredAbortedAfterTheWaitBound()
    {
        cluster(2, 1);
        final long domain = cluster.domain(0, 1);
        final long frame = cluster.frame(0, 2);
        cluster.deferPrepares = true;
        final List<VmResult> first = new ArrayList<>();
        final List<VmResult> second = new ArrayList<>();
        cluster.core(0).map(domain, VA, frame, 0, PAGE, InProcessVmCluster.rw(), first::add);
        cluster.core(0).map(domain, VA + PAGE, frame, PAGE, PAGE, InProcessVmCluster.rw(), second::add);
        // The first is stuck before it prepares anywhere: the second must not wait for it forever.
        cluster.deliver(message -> "prepare".equals(message.kind()));
        cluster.clock.update(cluster.clock.nanoTime() + CapabilityService.OWN_CONFLICT_WAIT_MAX_NS - 1);
        cluster.deliver(message -> "prepare".equals(message.kind()));
        assertThat(second).as("still waiting just before the bound").isEmpty();
        cluster.clock.update(cluster.clock.nanoTime() + 1);
        cluster.deliver(message -> "prepare".equals(message.kind()));
        assertThat(second).singleElement().satisfies(answer ->
        {
            assertThat(answer.outcome()).isEqualTo(Outcome.ABORTED);
            assertThat(answer.message()).contains("behind core 0's earlier change of domain " + domain)
                .contains("nothing changed");
        });
        assertThat(first).isEmpty();
        // The first is still in its transaction: a change posted now waits behind it too.
        final List<VmResult> third = new ArrayList<>();
        final int preparesBefore = cluster.heldBack().size();
        cluster.core(0).map(domain, VA + PAGE, frame, PAGE, PAGE, InProcessVmCluster.rw(), third::add);
        cluster.deliver(message -> "prepare".equals(message.kind()));
        assertThat(cluster.heldBack()).as("not proposed beside the first").hasSize(preparesBefore);
        assertThat(third).isEmpty();

        cluster.release();
        cluster.deliver();
        assertThat(first).singleElement().extracting(VmResult::outcome).isEqualTo(Outcome.COMMITTED);
        assertThat(third).as("proposed once the first was decided").singleElement().extracting(VmResult::outcome)
            .isEqualTo(Outcome.COMMITTED);
        assertThat(cluster.core(0).inFlight()).isZero();
        assertThat(cluster.load(1, domain, VA + PAGE, 1).result().outcome()).as("mapped by the third")
            .isEqualTo(Outcome.DONE);
    }

    @Test
    void aChangePostedBehindAnEarlierChangeOfItsDomainIsCheckedAgainstTheStateThatOneLeaves()
    {
        cluster(2, 1);
        final long domain = cluster.domain(0, 1);
        final long frame = cluster.frame(0, 1);
        cluster.deferPrepares = true;
        final List<VmResult> mapped = new ArrayList<>();
        final List<VmResult> protectedAnswers = new ArrayList<>();
        final List<VmResult> unmapped = new ArrayList<>();
        // Posted at once: the protect and the unmap name a mapping only the map before them makes.
        cluster.core(0).map(domain, VA, frame, 0, PAGE, InProcessVmCluster.rw(), mapped::add);
        cluster.core(0).protect(domain, VA, PAGE, Rights.READ, null, protectedAnswers::add);
        cluster.core(0).unmap(domain, VA, PAGE, null, unmapped::add);
        assertThat(protectedAnswers).as("not refused against the replica before the map").isEmpty();
        assertThat(unmapped).as("not refused against the replica before the map").isEmpty();
        deliverEachMillisecond(100, () -> unmapped.isEmpty());
        for (final List<VmResult> answers : List.of(mapped, protectedAnswers, unmapped))
        {
            assertThat(answers).singleElement().satisfies(answer ->
                assertThat(answer.outcome()).as(String.valueOf(answer)).isEqualTo(Outcome.COMMITTED));
        }
        assertThat(cluster.load(1, domain, VA, 1).result().outcome()).as("unmapped last").isEqualTo(Outcome.FAULT);

        // Checked when it goes, all the same: an unmap behind an unmap of the same page is refused then.
        final List<VmResult> unmapFirst = new ArrayList<>();
        final List<VmResult> unmapSecond = new ArrayList<>();
        mapped(domain, 0, frame, 1, InProcessVmCluster.rw());
        cluster.core(0).unmap(domain, VA, PAGE, null, unmapFirst::add);
        cluster.core(0).unmap(domain, VA, PAGE, null, unmapSecond::add);
        deliverEachMillisecond(100, () -> unmapFirst.isEmpty() || unmapSecond.isEmpty());
        assertThat(unmapFirst).singleElement().extracting(VmResult::outcome).isEqualTo(Outcome.COMMITTED);
        assertThat(unmapSecond).singleElement().satisfies(answer ->
        {
            assertThat(answer.outcome()).isEqualTo(Outcome.NOT_FOUND);
            assertThat(answer.message()).contains("nothing to unmap");
        });
        assertThat(cluster.core(0).inFlight()).isZero();
    }

    @Test
    void waitsBehindItsCoresOwnTransactionsDoNotUseUpTheRetriesOfAConflictItHasPriorityIn()
    {
        cluster(2, 1);
        final long domain = cluster.domain(0, 1);
        final long frame = cluster.frame(0, 1);
        for (int i = 0; i < CapabilityService.CONFLICT_RETRIES_MAX; i++)
        {
            cluster.abortNext.add("core 1 voted no: key X is locked by transaction 0:1:1");
        }
        cluster.abortNext.add("core 1 voted no: key DomainKey is locked by transaction 1:1:99");
        final List<VmResult> answers = new ArrayList<>();
        cluster.core(0).map(domain, VA, frame, 0, PAGE, InProcessVmCluster.rw(), answers::add);
        deliverEachMillisecond(200, () -> answers.isEmpty());
        assertThat(answers).as("it has priority over 1:1:99 and goes again").singleElement().satisfies(answer ->
            assertThat(answer.outcome()).as(String.valueOf(answer)).isEqualTo(Outcome.COMMITTED));
    }

    @Test
    void aChangeBehindItsCoresOwnTransactionProposesNothingWhileThatOneHoldsItsLockHere()
    {
        cluster(2, 1);
        final long domain = cluster.domain(0, 1);
        final long frame = cluster.frame(0, 1);
        final TransactionId earlier = new TransactionId(0, 1, 1);
        final Object domainLock = new io.multikernel.replication.ReplicatedStates.StateKey(VmService.STATE_ID,
            new VmLock.DomainKey(domain));
        // Core 0's earlier transaction is prepared here and not yet applied: the change loses to it.
        cluster.locks.get(0).put(domainLock, earlier);
        final List<VmResult> answers = new ArrayList<>();
        cluster.core(0).map(domain, VA, frame, 0, PAGE, InProcessVmCluster.rw(), answers::add);
        final long firstTry = cluster.proposals();
        deliverEachMillisecond(500, () -> true);
        assertThat(answers).as("waiting, within the bound").isEmpty();
        assertThat(cluster.proposals()).as("nothing proposed while the lock is held here").isEqualTo(firstTry);

        cluster.locks.get(0).remove(domainLock);
        deliverEachMillisecond(5, () -> answers.isEmpty());
        assertThat(answers).singleElement().satisfies(answer ->
            assertThat(answer.outcome()).as(String.valueOf(answer)).isEqualTo(Outcome.COMMITTED));

        // Held past the wait bound: answered aborted, naming the lock, and the domain takes changes again.
        cluster.locks.get(0).put(domainLock, earlier);
        final List<VmResult> late = new ArrayList<>();
        cluster.core(0).unmap(domain, VA, PAGE, null, late::add);
        deliverEachMillisecond(2_100, () -> late.isEmpty());
        assertThat(late).singleElement().satisfies(answer ->
        {
            assertThat(answer.outcome()).isEqualTo(Outcome.ABORTED);
            assertThat(answer.message()).contains("locked by transaction " + earlier).contains("nothing changed");
        });
        cluster.locks.get(0).remove(domainLock);
        final VmResult unmappedAfter = cluster.run(cb -> cluster.core(0).unmap(domain, VA, PAGE, null, cb));
        assertThat(unmappedAfter.outcome()).isEqualTo(Outcome.COMMITTED);
        assertThat(cluster.core(0).inFlight()).isZero();
    }

    /**
     * Delivers every message, then lets a millisecond (the first retry's delay) pass, up to
     * {@code steps} times while {@code pending}.
     */
    private void deliverEachMillisecond(final int steps, final java.util.function.BooleanSupplier pending)
    {
        for (int step = 0; step < steps && pending.getAsBoolean(); step++)
        {
            cluster.deliver();
            cluster.clock.update(cluster.clock.nanoTime() + CapabilityServiceDelay.NS);
        }
    }

    /** The first retry's delay. */
    private static final class CapabilityServiceDelay
    {
        static final long NS = io.multikernel.node.caps.CapabilityService.CONFLICT_RETRY_DELAY_NS;
    }

    @Test
    void aShootdownThatACoreNeverAcknowledgesIsTriedAgainThenAnsweredIndefinite()
    {
        cluster(3, 1);
        final long domain = cluster.domain(0, 1, 2);
        mapped(domain, 0, cluster.frame(0, 1), 1, InProcessVmCluster.rw());

        final List<VmResult> answers = new ArrayList<>();
        cluster.core(0).unmap(domain, VA, PAGE, RoutingProtocol.UNICAST, answers::add);
        for (int round = 0; round < VmService.SHOOTDOWN_ATTEMPTS_MAX + 1 && answers.isEmpty(); round++)
        {
            // Core 2 is cut off: its shootdown requests never arrive.
            cluster.deliver(message -> "shootdown".equals(message.kind()) && 2 == message.destination());
            cluster.clock.advance(InProcessVmCluster.ROUND_TIMEOUT_NS);
            cluster.deliver(message -> "shootdown".equals(message.kind()) && 2 == message.destination());
        }
        assertThat(answers).singleElement().satisfies(result ->
        {
            assertThat(result.outcome()).isEqualTo(Outcome.INDEFINITE);
            assertThat(result.message()).startsWith("the change committed on every core of domain " + domain)
                .contains("failed " + VmService.SHOOTDOWN_ATTEMPTS_MAX + " times").contains("core(s) [2]");
        });
        assertThat(cluster.heldBack()).as("one request per round to core 2").hasSize(VmService.SHOOTDOWN_ATTEMPTS_MAX);
        assertThat(cluster.core(1).spaces().translate(domain, VA / PAGE)).as("the change committed").isNull();
        assertThat(cluster.core(0).inFlight()).isZero();
    }

    @Test
    void aRevokeUnmapsEveryMappingIntoItsRangeOnEveryCoreBeforeItReturns()
    {
        cluster(4, 2);
        final long domain = cluster.domain(0, 1);
        final long other = cluster.domain(0, 3);
        final long ram = ram(4);
        final long frame = retyped(ram, CapabilityType.FRAME, 0, 2 * PAGE);
        mapped(domain, 0, frame, 2, InProcessVmCluster.rw());
        assertThat(cluster.run(cb -> cluster.core(0).map(other, VA + 4 * PAGE, frame, PAGE, PAGE, Rights.READ, cb))
            .outcome()).isEqualTo(Outcome.COMMITTED);
        assertThat(cluster.store(0, domain, VA + PAGE, bytes("tag")).result().outcome()).isEqualTo(Outcome.DONE);
        for (final int core : new int[]{ 0, 1 })
        {
            assertThat(cluster.load(core, domain, VA + PAGE, 3).result().outcome()).isEqualTo(Outcome.DONE);
        }
        for (final int core : new int[]{ 0, 3 })
        {
            assertThat(new String(cluster.load(core, other, VA + 4 * PAGE, 3).data(), StandardCharsets.UTF_8))
                .isEqualTo("tag");
        }
        // Core 2 runs neither domain: it revokes its copy of the RAM, which takes core 0's RAM, the frame and both mappings.
        final long copy = cluster.caps(0, (s, cb) -> s.copy(ram, 2, cb)).capIds().get(0);
        final long[] invalidationsBefore = new long[4];
        for (int core = 0; core < 4; core++)
        {
            invalidationsBefore[core] = cluster.core(core).tlb().invalidations();
        }

        final var revoked = cluster.caps(2, (s, cb) -> s.revoke(copy, cb));

        assertThat(revoked.outcome()).as(String.valueOf(revoked)).isEqualTo(Outcome.COMMITTED);
        for (final int core : new int[]{ 0, 1 })
        {
            final InProcessVmCluster.Access load = cluster.load(core, domain, VA + PAGE, 3);
            assertThat(load.result().outcome()).as("core %d", core).isEqualTo(Outcome.FAULT);
            assertThat(cluster.store(core, domain, VA, bytes("x")).result().outcome()).isEqualTo(Outcome.FAULT);
            assertThat(cluster.core(core).tlb().invalidations()).as("core %d dropped its entries", core)
                .isGreaterThan(invalidationsBefore[core]);
        }
        assertThat(cluster.load(3, other, VA + 4 * PAGE, 3).result().outcome()).isEqualTo(Outcome.FAULT);
        assertThat(cluster.core(3).tlb().invalidations()).isGreaterThan(invalidationsBefore[3]);
        assertThat(cluster.core(1).spaces().domain(domain).mappingCount()).isZero();
        assertThat(cluster.core(3).spaces().domain(other).mappingCount()).isZero();
        cluster.fingerprint(domain);
        cluster.fingerprint(other);
        for (int core = 0; core < 4; core++)
        {
            final var database = cluster.capabilities.get(core).database();
            assertThat(database.capability(frame)).as("core %d", core).isNull();
            assertThat(database.capability(ram)).as("core %d", core).isNull();
            assertThat(database.mappingCapabilities()).as("core %d", core).isEmpty();
            assertThat(io.multikernel.node.caps.CapabilityInvariants.violations(database)).isEmpty();
            assertThat(database.fingerprint()).isEqualTo(cluster.capabilities.get(0).database().fingerprint());
            assertThat(cluster.core(core).inFlight()).isZero();
        }
        // The RAM's memory is still held by core 2's copy, and can be mapped again.
        final long again = cluster.caps(2, (s, cb) ->
            s.retype(copy, CapabilityType.FRAME, 0, PAGE, 1, cb)).capIds().get(0);
        assertThat(again).isPositive();
    }

    @Test
    void aRevokeUnmapsAtMostRevokeMappingsMaxMappingsInOneTransaction()
    {
        cluster(2, 1);
        final long domain = cluster.domain(0, 1);
        final long ram = ram(1);
        final long frame = retyped(ram, CapabilityType.FRAME, 0, PAGE);
        for (int i = 0; i <= VmService.REVOKE_MAPPINGS_MAX; i++)
        {
            final long vaddr = VA + i * PAGE;
            assertThat(cluster.run(cb -> cluster.core(0).map(domain, vaddr, frame, 0, PAGE, Rights.READ, cb)).outcome())
                .isEqualTo(Outcome.COMMITTED);
        }
        assertThat(cluster.load(1, domain, VA + 7 * PAGE, 1).result().outcome()).isEqualTo(Outcome.DONE);

        final var refused = cluster.caps(0, (s, cb) -> s.revoke(ram, cb));
        assertThat(refused.outcome()).isEqualTo(Outcome.CONFLICT);
        assertThat(refused.message()).isEqualTo((VmService.REVOKE_MAPPINGS_MAX + 1) + " mappings map into capability " +
            ram + "'s range, more than one revoke unmaps (REVOKE_MAPPINGS_MAX=" + VmService.REVOKE_MAPPINGS_MAX +
            "): unmap some first");
        assertThat(cluster.core(1).spaces().domain(domain).mappingCount()).isEqualTo(VmService.REVOKE_MAPPINGS_MAX + 1);

        assertThat(cluster.run(cb -> cluster.core(0).unmap(domain, VA, PAGE, null, cb)).outcome()).isEqualTo(Outcome.COMMITTED);
        final var revoked = cluster.caps(0, (s, cb) -> s.revoke(ram, cb));
        assertThat(revoked.outcome()).as(String.valueOf(revoked)).isEqualTo(Outcome.COMMITTED);
        assertThat(cluster.core(1).spaces().domain(domain).mappingCount()).isZero();
        for (final long page : new long[]{ 1, 7, VmService.REVOKE_MAPPINGS_MAX })
        {
            assertThat(cluster.load(1, domain, VA + page * PAGE, 1).result().outcome()).as("page %d", page)
                .isEqualTo(Outcome.FAULT);
        }
        assertThat(cluster.core(0).inFlight()).isZero();
        assertThat(cluster.capabilities.get(1).database().mappingCapabilities()).isEmpty();
    }

    @Test
    void aDomainsRootVnodeStaysUntilTheDomainIsDestroyed()
    {
        cluster(3, 1);
        final long ram = ram(4);
        final long root = retyped(ram, CapabilityType.VNODE, 0, PAGE);
        final long frame = retyped(ram, CapabilityType.FRAME, PAGE, PAGE);
        final VmResult created = cluster.run(cb -> cluster.core(0).create(root, new int[]{ 0, 1 }, cb));
        assertThat(created.outcome()).isEqualTo(Outcome.COMMITTED);
        final long domain = created.id();
        mapped(domain, 0, frame, 1, InProcessVmCluster.rw());
        for (int core = 0; core < 3; core++)
        {
            assertThat(cluster.capabilities.get(core).database().roots()).as("core %d", core).containsEntry(root, domain);
        }

        final var deleted = cluster.caps(0, (s, cb) -> s.delete(root, cb));
        assertThat(deleted.outcome()).isEqualTo(Outcome.CONFLICT);
        assertThat(deleted.message()).isEqualTo("capability " + root + " is the page-table root of domain " + domain +
            ": destroy the domain first");
        final var revoked = cluster.caps(0, (s, cb) -> s.revoke(ram, cb));
        assertThat(revoked.outcome()).as("refused before it is proposed").isEqualTo(Outcome.CONFLICT);
        assertThat(revoked.message()).isEqualTo(deleted.message());
        assertThat(cluster.core(1).spaces().domain(domain).mappingCount()).as("the refused revoke unmapped nothing").isOne();

        assertThat(cluster.run(cb -> cluster.core(0).destroy(domain, null, cb)).outcome()).isEqualTo(Outcome.COMMITTED);
        for (int core = 0; core < 3; core++)
        {
            final var database = cluster.capabilities.get(core).database();
            assertThat(database.roots()).as("core %d", core).isEmpty();
            assertThat(database.mappingCapabilities()).as("core %d", core).isEmpty();
        }
        assertThat(cluster.caps(0, (s, cb) -> s.revoke(ram, cb)).outcome()).isEqualTo(Outcome.COMMITTED);
        assertThat(cluster.capabilities.get(2).database().capability(root)).isNull();
    }

    @Test
    void aMappedFrameIsNotDeletedUntilEveryMappingOfItIsGone()
    {
        cluster(3, 1);
        final long domain = cluster.domain(0, 1);
        final long other = cluster.domain(0, 2);
        final long ram = ram(4);
        final long frame = retyped(ram, CapabilityType.FRAME, 0, PAGE);
        mapped(domain, 0, frame, 1, InProcessVmCluster.rw());
        assertThat(cluster.run(cb -> cluster.core(0).map(other, VA + PAGE, frame, 0, PAGE, Rights.READ, cb)).outcome())
            .isEqualTo(Outcome.COMMITTED);
        for (int core = 0; core < 3; core++)
        {
            final var database = cluster.capabilities.get(core).database();
            assertThat(database.mappings(frame)).as("core %d counts both", core).isEqualTo(2);
            final Long mappingCap = database.mappingCapabilityOf(domain, cluster.core(1).spaces().domain(domain)
                .mappingAt(VA / PAGE).mappingId());
            assertThat(mappingCap).as("core %d holds the mapping's MAPPING capability", core).isNotNull();
            assertThat(database.object(database.capability(mappingCap).objectId()).type())
                .isEqualTo(CapabilityType.MAPPING);
            assertThat(database.capability(mappingCap).holderCore()).as("the mapping core holds it").isZero();
            assertThat(io.multikernel.node.caps.CapabilityInvariants.violations(database)).isEmpty();
            assertThat(database.fingerprint()).isEqualTo(cluster.capabilities.get(0).database().fingerprint());
        }

        final var deleted = cluster.caps(0, (s, cb) -> s.delete(frame, cb));
        assertThat(deleted.outcome()).isEqualTo(Outcome.CONFLICT);
        assertThat(deleted.message()).isEqualTo("capability " + frame + " (the one to delete) is mapped 2 times into " +
            "address spaces: unmap first");
        final var deletedRam = cluster.caps(0, (s, cb) -> s.delete(ram, cb));
        assertThat(deletedRam.outcome()).isEqualTo(Outcome.CONFLICT);
        assertThat(deletedRam.message()).endsWith("revoke first");

        assertThat(cluster.run(cb -> cluster.core(0).unmap(domain, VA, PAGE, null, cb)).outcome())
            .isEqualTo(Outcome.COMMITTED);
        assertThat(cluster.capabilities.get(2).database().mappings(frame)).isEqualTo(1);
        assertThat(cluster.run(cb -> cluster.core(0).destroy(other, null, cb)).outcome()).isEqualTo(Outcome.COMMITTED);
        for (int core = 0; core < 3; core++)
        {
            assertThat(cluster.capabilities.get(core).database().mappings(frame)).as("core %d", core).isZero();
            assertThat(cluster.capabilities.get(core).database().mappingCapabilities()).as("core %d", core).isEmpty();
        }
        assertThat(cluster.caps(0, (s, cb) -> s.revoke(ram, cb)).outcome()).isEqualTo(Outcome.COMMITTED);
        assertThat(cluster.capabilities.get(1).database().capability(frame)).as("gone once no mapping remains").isNull();
    }

    @Test
    void anUnmapsListOfMappingsThatNoLongerMatchesTheTableIsRefused()
    {
        cluster(2, 1);
        final long domain = cluster.domain(0, 1);
        final long frame = cluster.frame(0, 2);
        mapped(domain, 0, frame, 1, InProcessVmCluster.rw());
        final VmOperation.Expect stale = new VmOperation.Expect(domain, VA / PAGE, 2, new long[] { 12345 });
        assertThat(cluster.core(1).spaces().validate(stale)).isEqualTo("the mappings of domain " + domain +
            " in 0x400000..0x402000 changed since the change was proposed: retry it");
    }

    @Test
    void everyRequestIsCountedByOutcomeAndTheTlbAndShootdownsArePublished()
    {
        cluster(2, 1);
        final long domain = cluster.domain(0, 1);
        mapped(domain, 0, cluster.frame(0, 1), 1, InProcessVmCluster.rw());
        cluster.core(0).refreshMetrics(cluster.clock.nanoTime());
        assertThat(cluster.registries.get(0).scrape()).contains("mk_vm_leaf_tables 1.0").contains("mk_vm_mappings 1.0");
        cluster.clock.update(cluster.clock.nanoTime() + VmMetrics.SIZES_REFRESH_INTERVAL_NS);
        cluster.load(1, domain, VA, 4);
        cluster.load(1, domain, VA, 4);
        cluster.run(cb -> cluster.core(0).unmap(domain, VA, PAGE, RoutingProtocol.BROADCAST, cb));
        cluster.load(1, domain, VA, 4);
        cluster.core(0).refreshMetrics(cluster.clock.nanoTime());
        cluster.core(1).refreshMetrics(cluster.clock.nanoTime());

        assertThat(cluster.registries.get(0).scrape())
            .contains("mk_vm_operations_total{operation=\"map\",outcome=\"committed\"} 1.0")
            .contains("mk_vm_operations_total{operation=\"unmap\",outcome=\"committed\"} 1.0")
            .contains("mk_vm_shootdown_seconds_count{protocol=\"broadcast\"} 1")
            .contains("mk_vm_domains 1.0")
            .contains("mk_vm_mappings 0.0")
            .contains("mk_vm_leaf_tables 0.0");
        assertThat(cluster.registries.get(1).scrape())
            .contains("mk_vm_operations_total{operation=\"load\",outcome=\"done\"} 2.0")
            .contains("mk_vm_operations_total{operation=\"load\",outcome=\"fault\"} 1.0")
            .contains("mk_vm_tlb_hits_total 1.0")
            .contains("mk_vm_tlb_misses_total 2.0")
            .contains("mk_vm_tlb_invalidations_total 1.0");
    }

    @Test
    void badRequestsAreOneSentenceAndChangeNothing()
    {
        cluster(3, 1);
        final long domain = cluster.domain(0, 1);
        final long frame = cluster.frame(0, 2);
        final long otherFrame = cluster.frame(1, 1);
        final String before = cluster.fingerprint(domain);

        final VmResult misaligned = cluster.run(cb -> cluster.core(0).map(domain, VA + 1, frame, 0, PAGE, Rights.READ, cb));
        assertThat(misaligned.outcome()).isEqualTo(Outcome.INVALID);
        assertThat(misaligned.message()).isEqualTo("virtual address 0x400001 is not a multiple of the page size 4096");
        assertThat(cluster.run(cb -> cluster.core(0).map(domain, VA, frame, 0, 0, Rights.READ, cb)).outcome())
            .isEqualTo(Outcome.INVALID);
        final VmResult notHeld = cluster.run(cb -> cluster.core(0).map(domain, VA, otherFrame, 0, PAGE, Rights.READ, cb));
        assertThat(notHeld.outcome()).as(notHeld.message()).isEqualTo(Outcome.FORBIDDEN);
        final VmResult notHere = cluster.run(cb -> cluster.core(2).map(domain, VA, frame, 0, PAGE, Rights.READ, cb));
        assertThat(notHere.outcome()).as(notHere.message()).isEqualTo(Outcome.NOT_FOUND);
        final VmResult tooFar = cluster.run(cb -> cluster.core(0).map(domain, VA, frame, PAGE, 2 * PAGE, Rights.READ, cb));
        assertThat(tooFar.outcome()).as(tooFar.message()).isEqualTo(Outcome.INVALID);
        mapped(domain, 0, frame, 2, Rights.READ);
        final VmResult overlap = cluster.run(cb -> cluster.core(0).map(domain, VA + PAGE, frame, 0, PAGE, Rights.READ, cb));
        assertThat(overlap.outcome()).as(overlap.message()).isEqualTo(Outcome.CONFLICT);
        final VmResult cut = cluster.run(cb -> cluster.core(0).unmap(domain, VA, PAGE, null, cb));
        assertThat(cut.outcome()).as(cut.message()).isEqualTo(Outcome.CONFLICT);
        assertThat(cut.message()).contains("unmap whole mappings");
        final VmResult creator = cluster.run(cb -> cluster.core(0).create(cluster.vnode(0), new int[]{ 1, 2 }, cb));
        assertThat(creator.outcome()).isEqualTo(Outcome.INVALID);
        assertThat(creator.message()).isEqualTo("core 0 creates only domains it runs itself: add it to the cores [1, 2]");
        // A core the cluster map does not list would be routed a TLB shootdown that stops the kernel loop.
        final VmResult outside = cluster.run(cb -> cluster.core(0).create(cluster.vnode(0), new int[]{ 0, 5 }, cb));
        assertThat(outside.outcome()).isEqualTo(Outcome.INVALID);
        assertThat(outside.message()).isEqualTo("core 5 is not in the cluster map (cores: [0, 1, 2])");
        final VmResult spanOutside = cluster.run(cb -> cluster.core(0).span(domain, 7, cb));
        assertThat(spanOutside.outcome()).isEqualTo(Outcome.INVALID);
        assertThat(spanOutside.message()).isEqualTo("core 7 is not in the cluster map (cores: [0, 1, 2])");

        assertThat(cluster.load(0, domain, VA, 0).result().message()).isEqualTo("a load moves 1..32768 bytes, not 0");
        assertThat(cluster.load(0, domain, VA, VmService.IO_LENGTH_MAX_BYTES + 1).result().outcome())
            .isEqualTo(Outcome.INVALID);
        assertThat(cluster.load(0, domain, -4, 1).result().outcome()).isEqualTo(Outcome.FAULT);
        final long end = AddressSpaces.VIRTUAL_PAGES * PAGE;
        assertThat(cluster.load(0, domain, end - 8, 16).result().message()).as("the start is inside, the range is not")
            .isEqualTo("16 bytes from 0x7ffffffff8 run past the end of the virtual address space (0x8000000000)");
        assertThat(cluster.load(0, domain, end, 1).result().message())
            .isEqualTo("0x8000000000 is outside the virtual address space");
        assertThat(cluster.load(0, 12345, VA, 1).result().message()).isEqualTo("domain 12345 does not run on core 0");
        assertThat(cluster.load(0, domain, VA + 2 * PAGE - 2, 4).result().outcome())
            .as("runs past the mapping into nothing").isEqualTo(Outcome.FAULT);
        assertThat(cluster.fingerprint(domain)).as("one mapping added, by the one valid map").isNotEqualTo(before);
        assertThat(cluster.core(0).spaces().domain(domain).mappingCount()).isEqualTo(1);
    }
}
