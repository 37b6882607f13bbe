package io.multikernel.node.vm;

import io.multikernel.node.caps.Rights;
import io.multikernel.node.vm.VmOperation.Create;
import io.multikernel.node.vm.VmOperation.Protect;
import io.multikernel.node.vm.VmOperation.Shrink;
import io.multikernel.node.vm.VmOperation.Span;
import io.multikernel.node.vm.VmOperation.Unmap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;
import org.agrona.ExpandableArrayBuffer;

import java.util.List;

import static io.multikernel.node.caps.Rights.EXECUTE;
import static io.multikernel.node.caps.Rights.READ;
import static io.multikernel.node.caps.Rights.WRITE;
import static io.multikernel.node.vm.CapabilityTable.PAGE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Replicas of one domain under random operations, valid or not. Each sequence is a list of choices
 * interpreted against the current state, so jqwik's seed replays it and shrinking keeps it
 * meaningful. An operation goes through the codec and is applied everywhere only when every member
 * replica finds it valid (as a transaction would commit); members must always agree on validity.
 * After each step: invariants hold, members' fingerprints are equal, and every page translates as a
 * page-by-page model says.
 */
class AddressSpacesPropertiesTest
{
    private static final long DOMAIN = 1;
    private static final int CORES = 4;
    /** Pages the operations aim at (a few beyond, below zero included). */
    private static final int VIRTUAL_PAGES = 96;
    /** Pages the model covers: every page a map can reach. */
    private static final int MODEL_PAGES = VIRTUAL_PAGES + 16;

    @Property(tries = 200)
    void replicasAgreeWithEachOtherAndTheModel(
        @ForAll @Size(min = 100, max = 400) final List<@IntRange(min = 0, max = 1 << 20) Integer> choices)
    {
        final Run run = new Run();
        for (int i = 0; i + 4 < choices.size(); i += 5)
        {
            run.step(choices.get(i), choices.get(i + 1), choices.get(i + 2), choices.get(i + 3), choices.get(i + 4));
            run.check();
        }
        run.checkRestore();
        Statistics.label("applied").collect(run.applied >= 10 ? ">= 10" : "< 10");
    }

    private static final class Run
    {
        final CapabilityTable caps = new CapabilityTable()
            .vnode(10, 0)
            .frame(20, 0x400000, 32, READ | WRITE, 0)
            .frame(21, 0x800000, 16, READ, 1)
            .frame(22, 0xC00000, 16, Rights.ALL, 2);
        final AddressSpaces[] replicas = new AddressSpaces[CORES];
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);
        /** Per virtual page: mapping id (0 when unmapped), physical address, rights. */
        final long[] modelMapping = new long[MODEL_PAGES];
        final long[] modelPhysical = new long[MODEL_PAGES];
        final int[] modelRights = new int[MODEL_PAGES];
        long nextMappingId = 1;
        int applied;

        Run()
        {
            for (int core = 0; core < CORES; core++)
            {
                replicas[core] = new AddressSpaces(core, CORES, caps);
            }
            final Create create = new Create(DOMAIN, 10, 0, new int[] {0, 1, 2});
            for (final AddressSpaces replica : replicas)
            {
                assertThat(replica.validate(create)).isNull();
                replica.apply(create);
            }
        }

        void step(final int kind, final int a, final int b, final int c, final int d)
        {
            final Domain held = replicas[0].domain(DOMAIN);
            long vpage = a % (VIRTUAL_PAGES + 4) - 2;
            int pages = 1 + b % 12;
            if (kind % 8 >= 3 && kind % 8 <= 5 && held.mappingCount() > 0 && a % 4 != 0)
            {
                // aim at whole mappings most of the time, else unmap and protect would rarely be valid
                final Mapping[] mappings = held.mappings().values().toArray(new Mapping[0]);
                final Mapping first = mappings[b % mappings.length];
                final Mapping last = mappings[Math.min(mappings.length - 1, b % mappings.length + d % 3)];
                vpage = first.vpage() - (a % 8 == 1 ? 1 : 0);
                pages = (int)(last.limit() - vpage) + (a % 8 == 2 ? 1 : 0);
            }
            final int rights = 1 + c % 7;
            switch (kind % 8)
            {
                case 0, 1, 2 ->
                {
                    final long frame = 20 + d % 3;
                    final int requester = d % 7 == 0 ? d % CORES : caps.lookup(frame).holderCore();
                    final long mappingId = d % 5 == 0 ? 1 + d % (int)nextMappingId : nextMappingId;
                    final VmOperation.Map map =
                        new VmOperation.Map(DOMAIN, mappingId, vpage, pages, frame, c % 6, rights, requester);
                    final boolean overlaps = anyMapped(vpage, pages);
                    if (offer(map))
                    {
                        assertThat(overlaps).as("a map over mapped pages was valid").isFalse();
                        nextMappingId++;
                        final long base = caps.lookup(frame).base() + (long)(c % 6) * PAGE;
                        for (int p = 0; p < pages; p++)
                        {
                            modelMapping[(int)vpage + p] = mappingId;
                            modelPhysical[(int)vpage + p] = base + p * PAGE;
                            modelRights[(int)vpage + p] = rights;
                        }
                    }
                }
                case 3, 4 ->
                {
                    if (offer(new Unmap(DOMAIN, vpage, pages)))
                    {
                        for (int p = 0; p < pages; p++)
                        {
                            modelMapping[(int)vpage + p] = 0;
                        }
                    }
                }
                case 5 ->
                {
                    if (offer(new Protect(DOMAIN, vpage, pages, rights)))
                    {
                        for (int p = 0; p < pages; p++)
                        {
                            modelRights[(int)vpage + p] = rights;
                        }
                    }
                }
                case 6 -> offer(new Span(DOMAIN, d % CORES, held.hasCore(0) ? replicas[0].image(DOMAIN) : new byte[0]));
                default -> offer(new Shrink(DOMAIN, 1 + d % (CORES - 1)));
            }
        }

        /** @return true when every member found the operation valid and every replica applied it. */
        boolean offer(final VmOperation operation)
        {
            final int length = replicas[0].encodedLength(operation);
            replicas[0].encode(operation, buffer, 0);
            final VmOperation decoded = replicas[0].decode(buffer, 0, length);
            assertThat(decoded).isEqualTo(operation);
            final int[] participants = operation instanceof Create ? ((Create)operation).cores() :
                replicas[0].participants(decoded);
            String first = null;
            boolean valid = true;
            for (int i = 0; i < participants.length; i++)
            {
                final String problem = replicas[participants[i]].validate(decoded);
                if (0 == i)
                {
                    first = problem;
                }
                else if (!(decoded instanceof Span))
                {
                    assertThat(problem).as("core %d on %s", participants[i], decoded).isEqualTo(first);
                }
                valid &= null == problem;
            }
            Statistics.label("outcomes").collect(decoded.getClass().getSimpleName() + (valid ? " valid" : " refused"));
            if (!valid)
            {
                return false;
            }
            for (final AddressSpaces replica : replicas)
            {
                replica.apply(decoded);
            }
            applied++;
            return true;
        }

        private boolean anyMapped(final long vpage, final int pages)
        {
            for (long p = Math.max(0, vpage); p < Math.min(VIRTUAL_PAGES, vpage + pages); p++)
            {
                if (0 != modelMapping[(int)p])
                {
                    return true;
                }
            }
            return false;
        }

        void check()
        {
            final String fingerprint = replicas[0].fingerprint(DOMAIN);
            final int[] cores = replicas[0].domain(DOMAIN).cores();
            for (final AddressSpaces replica : replicas)
            {
                assertThat(AddressSpaceInvariants.violations(replica)).isEmpty();
                final boolean member = java.util.Arrays.binarySearch(cores, replica.selfCoreId()) >= 0;
                assertThat(replica.domain(DOMAIN) != null).as("core %d holds the domain", replica.selfCoreId())
                    .isEqualTo(member);
                if (member)
                {
                    assertThat(replica.fingerprint(DOMAIN)).isEqualTo(fingerprint);
                    checkTranslations(replica);
                }
            }
        }

        private void checkTranslations(final AddressSpaces replica)
        {
            for (int vpage = -1; vpage <= MODEL_PAGES; vpage++)
            {
                final Translation t = replica.translate(DOMAIN, vpage);
                if (vpage < 0 || vpage == MODEL_PAGES || 0 == modelMapping[vpage])
                {
                    assertThat(t).as("page %d", vpage).isNull();
                    continue;
                }
                assertThat(t).as("page %d", vpage).isNotNull();
                assertThat(t.mappingId()).isEqualTo(modelMapping[vpage]);
                assertThat(t.physicalAddress()).isEqualTo(modelPhysical[vpage]);
                assertThat(t.rights()).isEqualTo(modelRights[vpage]);
                assertThat(t.rights() & ~(READ | WRITE | EXECUTE)).isZero();
            }
        }

        void checkRestore()
        {
            final AddressSpaces source = replicas[0];
            final AddressSpaces restored = new AddressSpaces(0, CORES, caps);
            restored.restore(source.snapshot());
            assertThat(restored.snapshot()).isEqualTo(source.snapshot());
            assertThat(restored.fingerprint(DOMAIN)).isEqualTo(source.fingerprint(DOMAIN));
            checkTranslations(restored);
        }
    }
}
