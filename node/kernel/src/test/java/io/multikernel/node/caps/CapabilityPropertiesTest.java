package io.multikernel.node.caps;

import io.multikernel.node.caps.CapabilityOperation.Allocate;
import io.multikernel.node.caps.CapabilityOperation.Copy;
import io.multikernel.node.caps.CapabilityOperation.Delete;
import io.multikernel.node.caps.CapabilityOperation.Mint;
import io.multikernel.node.caps.CapabilityOperation.Retype;
import io.multikernel.node.caps.CapabilityOperation.Revoke;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.agrona.ExpandableArrayBuffer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.multikernel.node.caps.CapabilityType.PAGE_LENGTH_BYTES;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The capability invariants over random operation sequences. Each sequence is a list of choices
 * interpreted against the current state (which operation, which capability, which offset), so
 * jqwik's seed replays it and its shrinking keeps it meaningful.
 */
class CapabilityPropertiesTest
{
    private static final long PAGE = PAGE_LENGTH_BYTES;
    /** KINDS: the operations a step chooses among (allocate, retype twice, copy, mint, delete, revoke, map or root, unmap or unroot). */
    private static final int KINDS = 9;
    /** DOMAINS: address spaces the maps and roots name. */
    private static final int DOMAINS = 3;
    private static final Map<Integer, PhysicalRange> RANGES = Map.of(
        0, new PhysicalRange(0, 64 * PAGE), 1, new PhysicalRange(64 * PAGE, 64 * PAGE), 2, new PhysicalRange(128 * PAGE, 64 * PAGE));

    @Property(tries = 200)
    void invariantsHoldAfterEveryOperation(@ForAll @Size(min = 40, max = 400) final List<@IntRange(min = 0, max = 1 << 20) Integer> choices)
    {
        final Run run = new Run();
        for (int i = 0; i + 3 < choices.size(); i += 4)
        {
            run.step(choices.get(i), choices.get(i + 1), choices.get(i + 2), choices.get(i + 3));
        }
        run.checkAll();
        Statistics.label("applied operations").collect(run.applied.size() >= 10 ? ">= 10" : "< 10");
        run.applied.forEach(operation -> Statistics.label("kinds").collect(operation.getClass().getSimpleName()));
    }

    @Property(tries = 100)
    void replicasApplyingTheSameOperationsAgree(@ForAll @Size(min = 40, max = 400) final List<@IntRange(min = 0, max = 1 << 20) Integer> choices)
    {
        final Run run = new Run();
        for (int i = 0; i + 3 < choices.size(); i += 4)
        {
            run.step(choices.get(i), choices.get(i + 1), choices.get(i + 2), choices.get(i + 3));
        }
        final CapabilityDatabase replica = new CapabilityDatabase(RANGES);
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(64);
        for (final CapabilityOperation operation : run.applied)
        {
            final int length = replica.encodedLength(operation);
            replica.encode(operation, buffer, 0);
            final CapabilityOperation decoded = replica.decode(buffer, 0, length);
            assertThat(replica.validate(decoded)).isNull();
            replica.apply(decoded);
        }
        assertThat(replica.fingerprint()).isEqualTo(run.database.fingerprint());
        final CapabilityDatabase restored = new CapabilityDatabase(RANGES);
        restored.restore(run.database.snapshot());
        assertThat(restored.fingerprint()).isEqualTo(run.database.fingerprint());
        assertThat(restored.descendants(1)).isEqualTo(run.database.descendants(1));
    }

    /** One random history and the model the test keeps beside the database. */
    private static final class Run
    {
        final CapabilityDatabase database = new CapabilityDatabase(RANGES);
        final List<CapabilityOperation> applied = new ArrayList<>();
        /** Bytes each server handed out over the run, and the roots returned so far. */
        final Map<Integer, Long> handedOutBytes = new HashMap<>();
        final Set<Long> returnedRoots = new HashSet<>();
        long nextObjectId = 1;
        long nextCapId = 1;
        long nextMappingId = 1;
        /** Ids of leaf tables' RAM and VNODEs, objects and capabilities alike, above the others. */
        long nextLeafId = 1L << 32;

        void step(final int kind, final int a, final int b, final int c)
        {
            final List<Long> capIds = List.copyOf(database.capabilities().keySet());
            final CapabilityOperation operation = capIds.isEmpty() || kind % KINDS == 0 ? allocate(a, b, c) :
                choose(kind, capIds.get(a % capIds.size()), b, c);
            final String problem = database.validate(operation);
            if (null != problem)
            {
                assertThat(problem).as("an error is one sentence").doesNotContain("\n").isNotBlank();
                return;
            }
            final String rightsBefore = rightsOfSource(operation);
            final Set<Long> rootsBefore = roots();
            database.apply(operation);
            applied.add(operation);
            checkAfter(operation, rightsBefore, rootsBefore);
        }

        private CapabilityOperation allocate(final int a, final int b, final int c)
        {
            final int server = a % 3;
            final PhysicalRange range = RANGES.get(server);
            final long pages = 1 + b % 16;
            final long base = range.base() + (c % 64) * PAGE;
            return new Allocate(server, base, pages * PAGE, nextObjectId++, nextCapId++, a % 3);
        }

        private CapabilityOperation choose(final int kind, final long capId, final int b, final int c)
        {
            final KernelObject object = database.object(database.capability(capId).objectId());
            return switch (kind % KINDS)
            {
                case 1, 2 -> retype(capId, object, b, c);
                case 3 -> new Copy(capId, nextCapId++, b % 3);
                case 4 -> new Mint(capId, nextCapId++, b % 3, c & Rights.ALL);
                case 5 -> new Delete(capId);
                case 6 -> revoke(capId, b);
                case 7 -> mapOrRoot(capId, object, b, c);
                default -> unmapOrUnroot(capId, b);
            };
        }

        /** A revoke that unmaps what its replica shows, or (now and then) nothing. */
        private CapabilityOperation revoke(final long capId, final int b)
        {
            final List<MappingCapability> under = b % 4 == 0 ? List.of() : database.mappingsUnder(capId);
            return new Revoke(capId, under.size(), CapabilityDatabase.digest(under));
        }

        /** A map of pages of a FRAME, or a VNODE made a domain's root (refused for other types). */
        private CapabilityOperation mapOrRoot(final long capId, final KernelObject object, final int b, final int c)
        {
            final long domain = 1 + b % DOMAINS;
            if (CapabilityType.VNODE == object.type())
            {
                return new CapabilityOperation.Rooted(capId, domain);
            }
            final long pages = Math.max(1, object.length() / PAGE);
            final long offset = c % pages;
            final long length = 1 + (c >> 8) % (pages - offset);
            final long mappingId = nextMappingId++;
            // Virtual pages that often share a leaf table with other mappings, now and then two.
            final long vpage = ((c >> 4) % 8) * 256 + (c >> 12) % 512;
            final int holder = b % 3;
            final int leaves = database.missingLeaves(domain, vpage, length).length;
            final long leafBase = RANGES.get(holder).base() + ((c >> 2) % 64) * PAGE;
            final long leafFirstId = nextLeafId;
            nextLeafId += CapabilityOperation.MapFrame.leafIds(leaves);
            // Now and then one leaf too few: refused.
            final int brought = (c >> 20) % 16 == 0 ? Math.max(0, leaves - 1) : leaves;
            return new CapabilityOperation.MapFrame(capId, nextObjectId++, nextCapId++, offset * PAGE, length * PAGE,
                holder, domain, mappingId, vpage, leafBase, leafFirstId, brought);
        }

        /** The removal of a MAPPING, or a root let go (refused for others). */
        private CapabilityOperation unmapOrUnroot(final long capId, final int b)
        {
            final Long domain = database.roots().get(capId);
            return null == domain ? new CapabilityOperation.Unmapped(capId) :
                new CapabilityOperation.Unrooted(capId, b % 8 == 0 ? domain + 1 : domain);
        }

        private CapabilityOperation retype(final long capId, final KernelObject object, final int b, final int c)
        {
            final CapabilityType[] types = CapabilityType.values();
            final CapabilityType type = types[b % types.length];
            final long objectLength = switch (type)
            {
                case CNODE -> CapabilityType.CNODE_LENGTH_BYTES;
                case VNODE -> PAGE;
                default -> PAGE * (1 + c % 4);
            };
            final long pages = Math.max(1, object.length() / PAGE);
            final int count = 1 + (c >> 4) % 3;
            final Retype retype = new Retype(capId, ((c >> 8) % pages) * PAGE, type, objectLength, count, nextObjectId,
                nextCapId, b % 3);
            nextObjectId += count;
            nextCapId += count;
            return retype;
        }

        private String rightsOfSource(final CapabilityOperation operation)
        {
            final long source = operation instanceof Copy copy ? copy.capId() : operation instanceof Mint mint ? mint.capId() :
                operation instanceof Retype retype ? retype.sourceCapId() :
                operation instanceof CapabilityOperation.MapFrame map ? map.frameCapId() : -1;
            return source < 0 ? null : Integer.toString(database.capability(source).rights());
        }

        private Set<Long> roots()
        {
            final Set<Long> roots = new HashSet<>();
            database.objects().values().stream().filter(o -> KernelObject.ROOT == o.parentId())
                .forEach(o -> roots.add(o.objectId()));
            return roots;
        }

        private void checkAfter(final CapabilityOperation operation, final String rightsBefore, final Set<Long> rootsBefore)
        {
            assertThat(CapabilityInvariants.violations(database)).as("after " + operation).isEmpty();
            if (null != rightsBefore)
            {
                final int source = Integer.parseInt(rightsBefore);
                final long newCap = operation instanceof Copy copy ? copy.newCapId() :
                    operation instanceof Mint mint ? mint.newCapId() :
                    operation instanceof CapabilityOperation.MapFrame map ? map.capId() : ((Retype)operation).firstCapId();
                assertThat(Rights.includes(source, database.capability(newCap).rights()))
                    .as("rights never grow: " + operation).isTrue();
                if (operation instanceof Copy || operation instanceof CapabilityOperation.MapFrame)
                {
                    assertThat(database.capability(newCap).rights()).isEqualTo(source);
                }
            }
            if (operation instanceof Allocate allocate)
            {
                handedOutBytes.merge(allocate.serverCore(), allocate.length(), Long::sum);
            }
            if (operation instanceof CapabilityOperation.MapFrame map)
            {
                handedOutBytes.merge(map.holderCore(), map.leafCount() * PAGE, Long::sum);
                assertThat(database.missingLeaves(map.domainId(), map.vpage(), map.length() / PAGE))
                    .as("a map leaves no page of its range without a leaf table").isEmpty();
            }
            if (operation instanceof Revoke revoke)
            {
                final long objectId = database.capability(revoke.capId()).objectId();
                assertThat(database.copies(objectId)).as("only the target remains").containsExactly(revoke.capId());
                assertThat(database.descendants(objectId)).as("no descendant survives a revoke").isEmpty();
                assertThat(database.mappingsUnder(revoke.capId())).as("no mapping into its range survives").isEmpty();
            }
            final Set<Long> gone = new HashSet<>(rootsBefore);
            gone.removeAll(roots());
            for (final long root : gone)
            {
                assertThat(returnedRoots.add(root)).as("root " + root + " returned once").isTrue();
            }
            for (final int server : RANGES.keySet())
            {
                assertThat(database.returnedBytes(server) + database.allocatedBytes(server))
                    .as("server " + server + ": every byte handed out is either live or returned exactly once")
                    .isEqualTo(handedOutBytes.getOrDefault(server, 0L));
            }
        }

        void checkAll()
        {
            assertThat(CapabilityInvariants.violations(database)).isEmpty();
        }
    }
}
