package io.multikernel.node.vm;

import io.multikernel.node.caps.Rights;
import io.multikernel.replication.ParticipantSet;
import io.multikernel.replication.StateMachine;
import io.multikernel.replication.TransactionId;
import io.multikernel.replication.TransactionOutcome;
import io.multikernel.replication.sim.Proposal;
import io.multikernel.replication.sim.SimulatedState;
import io.multikernel.replication.sim.SimulationConfig;
import io.multikernel.replication.sim.SimulationHistory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Domains' page tables under the replication simulator, replicated on exactly each domain's cores.
 * Each core proposes changes as {@link VmService} builds them, from its own replica as it is at that
 * moment (which may lag the others): a change of an existing domain carries the replica's
 * {@link AddressSpaces#atVersion}, a map, unmap, destroy or create goes to every core
 * ({@link VmService#goesToEveryCore}), a protect, span or shrink to the cores the replica names
 * ({@link AddressSpaces#participants}). Spans and shrinks change who those cores are while other
 * changes are in flight, and a core sometimes proposes a second change of the same domain, built
 * from the same replica but proposed a moment later, by when the first may have landed (as a change
 * retried from the service's duty cycle is prepared on its own core a cycle after it was built).
 *
 * <p>Checks: {@link AddressSpaceInvariants} after every transaction a core applies and after every
 * recovery; once quiet, every domain's replicas are the same bytes, held by exactly the cores they
 * name.
 */
final class AddressSpaceSimulatedState implements SimulatedState<VmOperation, AddressSpaces>
{
    /** ROOTS_PER_CORE: VNODE capabilities each core may make a domain's root. */
    static final int ROOTS_PER_CORE = 3;
    /** FRAMES_PER_CORE: FRAME capabilities each core maps (even ones read-write, odd ones read-only). */
    static final int FRAMES_PER_CORE = 3;
    /** FRAME_PAGES: pages of each frame. */
    static final int FRAME_PAGES = 4;
    /** VIRTUAL_PAGES: the first pages of a domain the workload maps into, so that maps collide. */
    static final int VIRTUAL_PAGES = 24;
    /** FOLLOW_UP_PERCENT: how often a core proposes a second change of the domain, built before the first lands. */
    static final int FOLLOW_UP_PERCENT = 40;

    /** What a core's engine runs over its replica: the replica, or a broken variant of it. */
    @FunctionalInterface
    interface Breakage
    {
        Breakage NONE = (coreId, replica) -> replica;

        StateMachine<VmOperation> apply(int coreId, AddressSpaces replica);
    }

    /** What the seeds did, summed over a run of many. */
    static final class Coverage
    {
        final Map<String, LongAdder> committedByKind = new ConcurrentHashMap<>();
        /** Changes refused because the proposer's replica lagged a change of the domain. */
        final LongAdder staleRefused = new LongAdder();

        long committed(final Class<? extends VmOperation> kind)
        {
            final LongAdder adder = committedByKind.get(kind.getSimpleName());
            return null == adder ? 0 : adder.sum();
        }

        @Override
        public String toString()
        {
            final Map<String, Long> kinds = new TreeMap<>();
            committedByKind.forEach((kind, count) -> kinds.put(kind, count.sum()));
            return "committed " + kinds + "; refused as proposed from a lagging replica " + staleRefused.sum();
        }
    }

    private final int cores;
    private final CapabilityTable capabilities = new CapabilityTable();
    private final Breakage breakage;
    private final Coverage coverage;
    private final long[] sequences;
    private final Map<TransactionId, VmOperation> changes = new HashMap<>();

    private AddressSpaceSimulatedState(final SimulationConfig config, final Breakage breakage, final Coverage coverage)
    {
        this.cores = config.cores();
        this.breakage = breakage;
        this.coverage = coverage;
        this.sequences = new long[cores];
        for (int core = 0; core < cores; core++)
        {
            for (int k = 0; k < ROOTS_PER_CORE; k++)
            {
                capabilities.vnode(root(core, k), core);
            }
            for (int k = 0; k < FRAMES_PER_CORE; k++)
            {
                capabilities.frame(frame(core, k), (core * FRAMES_PER_CORE + k + 1L) * FRAME_PAGES * CapabilityTable.PAGE,
                    FRAME_PAGES, 0 == k % 2 ? Rights.READ | Rights.WRITE : Rights.READ, core);
            }
        }
    }

    static Factory<VmOperation, AddressSpaces> factory(final Breakage breakage, final Coverage coverage)
    {
        return (config, history, random) -> new AddressSpaceSimulatedState(config, breakage, coverage);
    }

    private static long root(final int core, final int k)
    {
        return 1_000 + core * 100L + k;
    }

    private static long frame(final int core, final int k)
    {
        return 2_000 + core * 100L + k;
    }

    @Override
    public AddressSpaces newReplica(final int coreId)
    {
        return new AddressSpaces(coreId, cores, capabilities);
    }

    @Override
    public StateMachine<VmOperation> stateMachine(final int coreId, final AddressSpaces replica)
    {
        return breakage.apply(coreId, replica);
    }

    @Override
    public List<Proposal<VmOperation>> nextProposals(final Random random, final int coreId, final AddressSpaces replica)
    {
        final List<Domain> held = new ArrayList<>(replica.domains());
        if (held.isEmpty() || random.nextInt(100) < 8)
        {
            return proposal(coreId, replica, create(random, coreId)).stream().toList();
        }
        final Domain domain = held.get(random.nextInt(held.size()));
        final List<Proposal<VmOperation>> proposals = new ArrayList<>();
        proposal(coreId, replica, change(random, coreId, replica, domain)).ifPresent(proposals::add);
        if (!proposals.isEmpty() && random.nextInt(100) < FOLLOW_UP_PERCENT)
        {
            // Built from the replica as it is now, proposed a moment later: as a change retried
            // from the service's duty cycle, whose own PREPARE comes after the first may have landed.
            proposal(coreId, replica, change(random, coreId, replica, domain)).ifPresent(proposals::add);
        }
        return proposals;
    }

    /** @return a change of the domain this core might propose, from what its replica shows; null for none. */
    private VmOperation change(final Random random, final int coreId, final AddressSpaces replica, final Domain domain)
    {
        final int choice = random.nextInt(100);
        final Mapping[] mappings = domain.mappings().values().toArray(new Mapping[0]);
        final Mapping mapping = 0 == mappings.length ? null : mappings[random.nextInt(mappings.length)];
        if (choice < 30 || null == mapping && choice < 60)
        {
            final int k = random.nextInt(FRAMES_PER_CORE);
            final int pages = 1 + random.nextInt(2);
            return new VmOperation.Map(domain.domainId(), nextId(coreId), random.nextInt(VIRTUAL_PAGES - pages + 1),
                pages, frame(coreId, k), random.nextInt(FRAME_PAGES - pages + 1), 0 == k % 2 && random.nextBoolean() ?
                Rights.READ | Rights.WRITE : Rights.READ, coreId);
        }
        if (choice < 45)
        {
            return new VmOperation.Unmap(domain.domainId(), mapping.vpage(), mapping.pages());
        }
        if (choice < 60)
        {
            return new VmOperation.Protect(domain.domainId(), mapping.vpage(), mapping.pages(),
                random.nextBoolean() ? Rights.READ : mapping.frameRights());
        }
        if (choice < 77)
        {
            final int[] outside = java.util.stream.IntStream.range(0, cores).filter(core -> !domain.hasCore(core)).toArray();
            return 0 == outside.length ? null : new VmOperation.Span(domain.domainId(),
                outside[random.nextInt(outside.length)], replica.image(domain.domainId()));
        }
        if (choice < 96)
        {
            final int[] members = domain.cores();
            return new VmOperation.Shrink(domain.domainId(), members[random.nextInt(members.length)]);
        }
        return new VmOperation.Destroy(domain.domainId());
    }

    private VmOperation create(final Random random, final int coreId)
    {
        final TreeSet<Integer> members = new TreeSet<>(List.of(coreId));
        for (int core = 0; core < cores; core++)
        {
            if (random.nextInt(3) == 0)
            {
                members.add(core);
            }
        }
        return new VmOperation.Create(nextId(coreId), root(coreId, random.nextInt(ROOTS_PER_CORE)), coreId,
            members.stream().mapToInt(Integer::intValue).toArray());
    }

    private long nextId(final int coreId)
    {
        return (coreId + 1L) << VmService.ID_SEQUENCE_BITS | ++sequences[coreId];
    }

    /** The change as the core's {@link VmService} would propose it from this replica; none when it would refuse. */
    private java.util.Optional<Proposal<VmOperation>> proposal(final int coreId, final AddressSpaces replica,
        final VmOperation change)
    {
        if (null == change || null != replica.proposalProblem(change))
        {
            return java.util.Optional.empty();
        }
        final ParticipantSet participants = VmService.goesToEveryCore(change) ?
            ParticipantSet.of(java.util.stream.IntStream.range(0, cores).toArray()) :
            ParticipantSet.of(replica.participants(change));
        final VmOperation.AtVersion atVersion = change instanceof VmOperation.Create ? null :
            replica.atVersion(change.domainId());
        final List<VmOperation> operations = new ArrayList<>();
        if (null != atVersion)
        {
            operations.add(atVersion);
        }
        if (change instanceof VmOperation.Unmap || change instanceof VmOperation.Destroy)
        {
            operations.add(expected(replica.domain(change.domainId()), change));
        }
        operations.add(change);
        return java.util.Optional.of(new Proposal<>(coreId, participants, operations));
    }

    /** The mappings an unmap or a destroy takes away, as {@link VmService} lists them. */
    private static VmOperation.Expect expected(final Domain domain, final VmOperation change)
    {
        final long from = change instanceof VmOperation.Unmap u ? u.vpage() : 0;
        final int pages = change instanceof VmOperation.Unmap u ? u.pages() : 0;
        return new VmOperation.Expect(change.domainId(), from, pages,
            domain.mappingsWithin(from, pages).stream().mapToLong(Mapping::mappingId).toArray());
    }

    @Override
    public void onProposed(final TransactionId id, final Proposal<VmOperation> proposal)
    {
        changes.put(id, proposal.operations().get(proposal.operations().size() - 1));
    }

    @Override
    public void onOutcome(final TransactionId id, final TransactionOutcome outcome)
    {
        final VmOperation change = changes.remove(id);
        if (null == change)
        {
            return;
        }
        if (outcome.isCommitted())
        {
            coverage.committedByKind.computeIfAbsent(change.getClass().getSimpleName(), kind -> new LongAdder()).increment();
        }
        else if (null != outcome.reason() && outcome.reason().contains("since the change was proposed"))
        {
            coverage.staleRefused.increment();
        }
    }

    @Override
    public String checkApplied(final int coreId, final TransactionId id, final AddressSpaces replica)
    {
        return invariants(coreId, replica);
    }

    @Override
    public String checkRecovered(final int coreId, final AddressSpaces replica)
    {
        return invariants(coreId, replica);
    }

    private static String invariants(final int coreId, final AddressSpaces replica)
    {
        final List<String> violations = AddressSpaceInvariants.violations(replica);
        return violations.isEmpty() ? null : "core " + coreId + ": " + violations;
    }

    @Override
    public String checkQuiet(final List<AddressSpaces> replicas)
    {
        final Map<Long, Map<Integer, String>> fingerprints = new TreeMap<>();
        final Map<Long, Map<Integer, int[]>> named = new TreeMap<>();
        for (final AddressSpaces replica : replicas)
        {
            for (final Domain domain : replica.domains())
            {
                fingerprints.computeIfAbsent(domain.domainId(), id -> new TreeMap<>())
                    .put(replica.selfCoreId(), replica.fingerprint(domain.domainId()));
                named.computeIfAbsent(domain.domainId(), id -> new TreeMap<>()).put(replica.selfCoreId(), domain.cores());
            }
        }
        for (final Map.Entry<Long, Map<Integer, String>> domain : fingerprints.entrySet())
        {
            if (new TreeSet<>(domain.getValue().values()).size() > 1)
            {
                return "the replicas of domain " + domain.getKey() + " differ once quiet: " + describe(domain.getKey(),
                    replicas, domain.getValue().keySet());
            }
            final int[] holders = domain.getValue().keySet().stream().mapToInt(Integer::intValue).toArray();
            final int[] cores = named.get(domain.getKey()).values().iterator().next();
            if (!Arrays.equals(holders, cores))
            {
                return "domain " + domain.getKey() + " is held by cores " + Arrays.toString(holders) +
                    " but its replicas name cores " + Arrays.toString(cores);
            }
        }
        return null;
    }

    private static String describe(final long domainId, final List<AddressSpaces> replicas,
        final java.util.Set<Integer> holders)
    {
        final StringBuilder text = new StringBuilder();
        for (final int core : holders)
        {
            final Domain domain = replicas.get(core).domain(domainId);
            text.append(text.length() == 0 ? "" : "; ").append("core ").append(core).append(" version ")
                .append(domain.version()).append(" cores ").append(Arrays.toString(domain.cores())).append(' ')
                .append(domain.mappings().values());
        }
        return text.toString();
    }
}
