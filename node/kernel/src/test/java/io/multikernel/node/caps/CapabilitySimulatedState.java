package io.multikernel.node.caps;

import io.multikernel.node.caps.CapabilityOperation.Allocate;
import io.multikernel.node.caps.CapabilityOperation.Copy;
import io.multikernel.node.caps.CapabilityOperation.Mint;
import io.multikernel.node.caps.CapabilityOperation.Retype;
import io.multikernel.node.caps.CapabilityOperation.Revoke;
import io.multikernel.node.caps.CapabilityWorkload.Race;
import io.multikernel.replication.StateMachine;
import io.multikernel.replication.TransactionId;
import io.multikernel.replication.sim.Proposal;
import io.multikernel.replication.sim.SimulatedState;
import io.multikernel.replication.sim.SimulationConfig;
import io.multikernel.replication.sim.SimulationHistory;
import io.multikernel.replication.sim.SimulationHistory.Fate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The capability database under the replication simulator: every core holds a full replica (every
 * transaction's participants are all cores) and runs a memory server over its own range; the cores
 * propose {@link CapabilityWorkload}'s transactions, races included.
 *
 * <p>Checks:
 * <ol>
 *   <li>once quiet, every replica's snapshot is the same bytes;</li>
 *   <li>{@link CapabilityInvariants} after every transaction a core applies, after every recovery
 *   and once quiet;</li>
 *   <li>of overlapping retypes proposed together, no replica ever holds the objects of two: at most
 *   one commits, unless the first's objects were destroyed before the second applied;</li>
 *   <li>rights never grow: every capability has exactly the rights its committed creation gives
 *   (a copy its source's, a mint its source's {@code & mask}, a retype its source's), checked on
 *   every replica that applies it and on every replica after every step;</li>
 *   <li>nothing uncommitted is visible: every capability and object a replica holds was made by a
 *   committed transaction;</li>
 *   <li>memory returns exactly once: for each memory server, allocated + free is its range, returned +
 *   allocated never exceeds what committed allocations handed out, and once quiet returned is the
 *   sum of the committed allocations whose RAM is gone.</li>
 * </ol>
 */
final class CapabilitySimulatedState implements SimulatedState<CapabilityOperation, CapabilityDatabase>
{
    /** What a core's engine runs over its database: the database itself, or a broken variant of it. */
    @FunctionalInterface
    interface Breakage
    {
        /** The real database on every core. */
        Breakage NONE = (coreId, database) -> database;

        StateMachine<CapabilityOperation> apply(int coreId, CapabilityDatabase database);
    }

    /**
     * What the runs of one test did, summed over its seeds (runs go on several threads), so the test
     * can show the workload reached every path it means to check.
     */
    static final class Coverage
    {
        final Map<String, LongAdder> committedByKind = new ConcurrentHashMap<>();
        final LongAdder racesProposed = new LongAdder();
        final LongAdder racesNoneCommitted = new LongAdder();
        final LongAdder racesOneCommitted = new LongAdder();
        final LongAdder racesBothCommittedOneAfterTheOthersDestruction = new LongAdder();
        final LongAdder deletePairsProposed = new LongAdder();
        final LongAdder deletePairsBothCommitted = new LongAdder();
        final LongAdder rootsReturned = new LongAdder();
        final LongAdder revokesThatUnmapped = new LongAdder();
        final LongAdder revokesThatUnmapProposed = new LongAdder();
        final LongAdder mapsThatMadeLeafTables = new LongAdder();
        final LongAdder leafTableRamReturned = new LongAdder();
        final LongAdder invariantChecks = new LongAdder();

        long committed(final Class<? extends CapabilityOperation> kind)
        {
            final LongAdder adder = committedByKind.get(kind.getSimpleName());
            return null == adder ? 0 : adder.sum();
        }

        @Override
        public String toString()
        {
            final Map<String, Long> kinds = new TreeMap<>();
            committedByKind.forEach((kind, count) -> kinds.put(kind, count.sum()));
            return "committed " + kinds + "; overlapping retype races " + racesProposed.sum() + " (none committed " +
                racesNoneCommitted.sum() + ", one " + racesOneCommitted.sum() + ", both after the first's objects were " +
                "destroyed " + racesBothCommittedOneAfterTheOthersDestruction.sum() + "); last-two-copies delete pairs " +
                deletePairsProposed.sum() + " (both committed " + deletePairsBothCommitted.sum() + "); root RAM objects " +
                "returned " + rootsReturned.sum() + "; revokes that unmapped " + revokesThatUnmapped.sum() + " (proposed " + revokesThatUnmapProposed.sum() + ")" +
                "; maps that made leaf tables " + mapsThatMadeLeafTables.sum() + " (their RAM returned " +
                leafTableRamReturned.sum() + ")" +
                "; invariant checks " + invariantChecks.sum();
        }
    }

    private final int cores;
    private final CapabilityWorkload workload;
    private final SimulationHistory<CapabilityOperation> history;
    private final Breakage breakage;
    private final Coverage coverage;
    private final long[] checkedChanges;
    private final Map<Long, TransactionId> capabilityCreators = new HashMap<>();
    private final Map<Long, TransactionId> objectCreators = new HashMap<>();
    private final Map<Long, Integer> expectedRights = new HashMap<>();
    private final List<TransactionId> allocations = new ArrayList<>();
    private final Map<TransactionId, Race> raceOf = new HashMap<>();
    /** Bytes committed allocations handed out, by server, as of {@link #handedOutAtCommits} commits. */
    private final long[] handedOut;
    private int handedOutAtCommits = -1;

    private CapabilitySimulatedState(final SimulationConfig config, final SimulationHistory<CapabilityOperation> history,
        final Breakage breakage, final Coverage coverage)
    {
        this.cores = config.cores();
        this.workload = new CapabilityWorkload(cores);
        this.history = history;
        this.breakage = breakage;
        this.coverage = coverage;
        this.checkedChanges = new long[cores];
        this.handedOut = new long[cores];
    }

    /**
     * @param breakage what each core's engine runs instead of its database; identity for the real one.
     * @param coverage where the runs add up what they did.
     */
    static SimulatedState.Factory<CapabilityOperation, CapabilityDatabase> factory(
        final Breakage breakage, final Coverage coverage)
    {
        return (config, history, random) -> new CapabilitySimulatedState(config, history, breakage, coverage);
    }

    @Override
    public CapabilityDatabase newReplica(final int coreId)
    {
        return new CapabilityDatabase(workload.ranges());
    }

    @Override
    public StateMachine<CapabilityOperation> stateMachine(final int coreId, final CapabilityDatabase replica)
    {
        return breakage.apply(coreId, replica);
    }

    @Override
    public List<Proposal<CapabilityOperation>> nextProposals(
        final Random random, final int coreId, final CapabilityDatabase replica)
    {
        return workload.next(random, coreId, replica);
    }

    // The checks.

    @Override
    public void onProposed(final TransactionId id, final Proposal<CapabilityOperation> proposal)
    {
        for (final CapabilityOperation operation : proposal.operations())
        {
            if (operation instanceof Allocate allocate)
            {
                created(objectCreators, allocate.objectId(), id);
                created(capabilityCreators, allocate.capId(), id);
                allocations.add(id);
            }
            else if (operation instanceof Retype retype)
            {
                for (int i = 0; i < retype.count(); i++)
                {
                    created(objectCreators, retype.firstObjectId() + i, id);
                    created(capabilityCreators, retype.firstCapId() + i, id);
                }
            }
            else if (operation instanceof Copy copy)
            {
                created(capabilityCreators, copy.newCapId(), id);
            }
            else if (operation instanceof Mint mint)
            {
                created(capabilityCreators, mint.newCapId(), id);
            }
            else if (operation instanceof CapabilityOperation.MapFrame map)
            {
                created(objectCreators, map.objectId(), id);
                created(capabilityCreators, map.capId(), id);
                if (map.leafCount() > 0)
                {
                    // Its leaf tables: RAM from the holder's memory server, retyped into VNODEs.
                    created(objectCreators, map.leafFirstId(), id);
                    created(capabilityCreators, map.leafFirstId() + 1, id);
                    for (int i = 0; i < map.leafCount(); i++)
                    {
                        created(objectCreators, map.leafFirstId() + 2 + i, id);
                        created(capabilityCreators, map.leafVnodeCapId(i), id);
                    }
                    allocations.add(id);
                }
            }
        }
        if (proposal.operations().get(0) instanceof Revoke revoke && revoke.mappings() > 0)
        {
            coverage.revokesThatUnmapProposed.increment();
        }
        final Race race = workload.raceOf(proposal);
        if (null != race)
        {
            race.proposed.add(id);
            raceOf.put(id, race);
        }
        final Race deletes = workload.deletePairOf(proposal);
        if (null != deletes)
        {
            deletes.proposed.add(id);
        }
    }

    private static void created(final Map<Long, TransactionId> creators, final long newId, final TransactionId id)
    {
        final TransactionId previous = creators.put(newId, id);
        if (null != previous)
        {
            throw new IllegalStateException("the workload gave id " + newId + " to transaction " + previous + " and " + id);
        }
    }

    @Override
    public String checkApplied(final int coreId, final TransactionId id, final CapabilityDatabase replica)
    {
        // The race first: its sentence is more precise than the overlap CapabilityInvariants reports.
        String violation = raceOf.containsKey(id) ? raceBothLive(coreId, id, replica) : null;
        if (null == violation)
        {
            violation = invariants("core " + coreId + " after applying " + describe(id), replica);
        }
        if (null == violation)
        {
            violation = revokedAway(coreId, id, replica);
        }
        return null != violation ? violation : newCapabilityRights(coreId, id, replica);
    }

    /** Invariant 4: once a revoke applied, its target has no other copy, no descendant and no mapping into its range. */
    private String revokedAway(final int coreId, final TransactionId id, final CapabilityDatabase replica)
    {
        for (final CapabilityOperation operation : history.proposal(id).operations())
        {
            final Capability target = operation instanceof Revoke r ? replica.capability(r.capId()) : null;
            if (null == target)
            {
                continue;
            }
            if (replica.copies(target.objectId()).size() != 1 || !replica.descendants(target.objectId()).isEmpty() ||
                !replica.mappingsUnder(target.capId()).isEmpty())
            {
                return "core " + coreId + " applied " + describe(id) + " but object " + target.objectId() + " still has " +
                    "copies " + replica.copies(target.objectId()) + ", descendants " +
                    replica.descendants(target.objectId()) + " and mappings " + replica.mappingsUnder(target.capId());
            }
        }
        return null;
    }

    private String invariants(final String where, final CapabilityDatabase replica)
    {
        coverage.invariantChecks.increment();
        final List<String> violations = CapabilityInvariants.violations(replica);
        return violations.isEmpty() ? null : where + ": " + violations.get(0) +
            (violations.size() > 1 ? " (and " + (violations.size() - 1) + " more)" : "");
    }

    private String describe(final TransactionId id)
    {
        return "transaction " + id + " " + history.proposal(id).operations();
    }

    /** The capabilities the transaction made have the rights their creation gives, no more. */
    private String newCapabilityRights(final int coreId, final TransactionId id, final CapabilityDatabase replica)
    {
        for (final CapabilityOperation operation : history.proposal(id).operations())
        {
            final long newCapId = operation instanceof Copy copy ? copy.newCapId() :
                operation instanceof Mint mint ? mint.newCapId() : operation instanceof Retype retype ? retype.firstCapId() :
                operation instanceof Allocate allocate ? allocate.capId() : -1;
            final Capability made = newCapId < 0 ? null : replica.capability(newCapId);
            if (newCapId >= 0 && null == made)
            {
                return "core " + coreId + " applied " + describe(id) + " but holds no capability " + newCapId;
            }
            final String violation = null == made ? null : rights(coreId, made);
            if (null != violation)
            {
                return violation;
            }
        }
        return null;
    }

    /** No replica holds the objects of two retypes that raced each other. */
    private String raceBothLive(final int coreId, final TransactionId id, final CapabilityDatabase replica)
    {
        for (final TransactionId other : raceOf.get(id).proposed)
        {
            if (other.equals(id) || Fate.COMMITTED != history.fate(other))
            {
                continue;
            }
            final Retype retype = (Retype)history.proposal(other).operations().get(0);
            for (int i = 0; i < retype.count(); i++)
            {
                if (null != replica.object(retype.firstObjectId() + i))
                {
                    return "overlapping retypes proposed together both committed: core " + coreId + " applied " +
                        describe(id) + " while holding object " + (retype.firstObjectId() + i) + " of " + describe(other);
                }
            }
        }
        return null;
    }

    @Override
    public String checkStep(final int coreId, final CapabilityDatabase replica)
    {
        if (replica.changes() == checkedChanges[coreId])
        {
            return null;
        }
        checkedChanges[coreId] = replica.changes();
        final String violation = committedAndRights(coreId, replica);
        return null != violation ? violation : memoryBound(coreId, replica);
    }

    @Override
    public String checkRecovered(final int coreId, final CapabilityDatabase replica)
    {
        checkedChanges[coreId] = replica.changes();
        String violation = invariants("core " + coreId + " after recovery", replica);
        if (null == violation)
        {
            violation = committedAndRights(coreId, replica);
        }
        return null != violation ? violation : memoryBound(coreId, replica);
    }

    /**
     * Every capability and object the replica holds was made by a committed transaction, and every
     * capability has the rights that creation gives.
     */
    private String committedAndRights(final int coreId, final CapabilityDatabase replica)
    {
        for (final Capability capability : replica.capabilities().values())
        {
            final String violation = madeByCommitted(coreId, "capability", capability.capId(),
                capabilityCreators.get(capability.capId()));
            if (null != violation)
            {
                return violation;
            }
            final String rights = rights(coreId, capability);
            if (null != rights)
            {
                return rights;
            }
        }
        for (final KernelObject object : replica.objects().values())
        {
            final String violation = madeByCommitted(coreId, "object", object.objectId(),
                objectCreators.get(object.objectId()));
            if (null != violation)
            {
                return violation;
            }
        }
        return null;
    }

    private String madeByCommitted(final int coreId, final String what, final long id, final TransactionId creator)
    {
        final Fate fate = null == creator ? null : history.fate(creator);
        if (Fate.COMMITTED == fate)
        {
            return null;
        }
        return "core " + coreId + " shows " + what + " " + id + ", made by transaction " + creator + ", which is " +
            (null == fate ? "unknown" : Fate.UNDECIDED == fate ? "undecided" : "aborted");
    }

    private String rights(final int coreId, final Capability capability)
    {
        final int expected = expectedRights(capability.capId());
        if (expected < 0)
        {
            return "core " + coreId + " shows capability " + capability.capId() + ", made from a capability no " +
                "committed transaction made";
        }
        if (!Rights.includes(expected, capability.rights()))
        {
            return "rights grew: core " + coreId + " shows capability " + capability.capId() + " with " +
                Rights.format(capability.rights()) + ", but " + describe(capabilityCreators.get(capability.capId())) +
                " gives " + Rights.format(expected);
        }
        if (expected != capability.rights())
        {
            return "core " + coreId + " shows capability " + capability.capId() + " with " +
                Rights.format(capability.rights()) + ", not the " + Rights.format(expected) + " that " +
                describe(capabilityCreators.get(capability.capId())) + " gives";
        }
        return null;
    }

    /**
     * @return the rights the committed transaction that made the capability gives it (rights never
     * change, so a source's are its own creation's), or -1 when no committed transaction made it.
     */
    private int expectedRights(final long capId)
    {
        final Integer known = expectedRights.get(capId);
        if (null != known)
        {
            return known;
        }
        final TransactionId creator = capabilityCreators.get(capId);
        if (null == creator || Fate.COMMITTED != history.fate(creator))
        {
            return -1;
        }
        final CapabilityOperation operation = history.proposal(creator).operations().get(0);
        final int rights;
        if (operation instanceof Allocate)
        {
            rights = Rights.ALL;
        }
        else if (operation instanceof Retype retype)
        {
            rights = expectedRights(retype.sourceCapId());
        }
        else if (operation instanceof Copy copy)
        {
            rights = expectedRights(copy.capId());
        }
        else if (operation instanceof CapabilityOperation.MapFrame map)
        {
            // A MAPPING capability has its frame capability's rights, its leaf tables' capabilities all.
            rights = capId == map.capId() ? expectedRights(map.frameCapId()) : Rights.ALL;
        }
        else
        {
            final Mint mint = (Mint)operation;
            final int source = expectedRights(mint.capId());
            rights = source < 0 ? -1 : source & mint.rightsMask();
        }
        if (rights >= 0)
        {
            expectedRights.put(capId, rights);
        }
        return rights;
    }

    /** allocated + free is the range, and returned + allocated is at most what committed allocations handed out. */
    private String memoryBound(final int coreId, final CapabilityDatabase replica)
    {
        for (final Map.Entry<Integer, PhysicalRange> server : workload.ranges().entrySet())
        {
            final int core = server.getKey();
            final long allocated = replica.allocatedBytes(core);
            if (allocated + replica.freeBytes(core) != server.getValue().length())
            {
                return "core " + coreId + ": memory server " + core + " has " + allocated + " bytes allocated and " +
                    replica.freeBytes(core) + " free, not its range's " + server.getValue().length();
            }
            if (replica.returnedBytes(core) + allocated > handedOut(core))
            {
                return "core " + coreId + ": memory server " + core + " has " + replica.returnedBytes(core) +
                    " bytes returned and " + allocated + " allocated, more than the " + handedOut(core) +
                    " committed allocations handed out: memory returned twice";
            }
        }
        return null;
    }

    /** @return bytes of committed allocations from the server; commits only add to it. */
    private long handedOut(final int server)
    {
        if (history.commitOrder().size() != handedOutAtCommits)
        {
            handedOutAtCommits = history.commitOrder().size();
            for (int core = 0; core < cores; core++)
            {
                handedOut[core] = committedAllocationBytes(core, null);
            }
        }
        return handedOut[server];
    }

    /**
     * @param liveIn when not null, only allocations whose root RAM is gone from it.
     * @return bytes of committed allocations from the server.
     */
    private long committedAllocationBytes(final int server, final CapabilityDatabase liveIn)
    {
        long bytes = 0;
        for (final TransactionId id : allocations)
        {
            final CapabilityOperation operation = history.proposal(id).operations().get(0);
            final Allocate allocate = operation instanceof CapabilityOperation.MapFrame map ?
                new Allocate(map.holderCore(), map.leafBase(), map.leafCount() * CapabilityType.PAGE_LENGTH_BYTES, map.leafFirstId(),
                    map.leafFirstId() + 1, map.holderCore()) : (Allocate)operation;
            if (allocate.serverCore() == server && Fate.COMMITTED == history.fate(id) &&
                (null == liveIn || null == liveIn.object(allocate.objectId())))
            {
                bytes += allocate.length();
            }
        }
        return bytes;
    }

    @Override
    public String checkQuiet(final List<CapabilityDatabase> replicas)
    {
        final String differ = SimulatedState.snapshotsDiffer(replicas);
        if (null != differ)
        {
            return differ + fingerprints(replicas);
        }
        for (int coreId = 0; coreId < replicas.size(); coreId++)
        {
            final CapabilityDatabase replica = replicas.get(coreId);
            String violation = invariants("core " + coreId + " once quiet", replica);
            if (null == violation)
            {
                violation = committedAndRights(coreId, replica);
            }
            if (null == violation)
            {
                violation = memoryBound(coreId, replica);
            }
            if (null == violation)
            {
                violation = memoryReturnedOnce(coreId, replica);
            }
            if (null != violation)
            {
                return violation;
            }
        }
        tally(replicas.get(0));
        return null;
    }

    private static String fingerprints(final List<CapabilityDatabase> replicas)
    {
        final StringBuilder text = new StringBuilder("; fingerprints:");
        for (int coreId = 0; coreId < replicas.size(); coreId++)
        {
            text.append(" core ").append(coreId).append(' ').append(replicas.get(coreId).fingerprint(), 0, 12);
        }
        return text.toString();
    }

    /** Returned is exactly the committed allocations whose RAM is gone; allocated exactly those still live. */
    private String memoryReturnedOnce(final int coreId, final CapabilityDatabase replica)
    {
        for (final int server : workload.ranges().keySet())
        {
            final long gone = committedAllocationBytes(server, replica);
            if (replica.returnedBytes(server) != gone)
            {
                return "core " + coreId + ": memory server " + server + " had " + replica.returnedBytes(server) +
                    " bytes returned, but the committed allocations whose RAM is gone hold " + gone;
            }
            final long live = handedOut(server) - gone;
            if (replica.allocatedBytes(server) != live)
            {
                return "core " + coreId + ": memory server " + server + " has " + replica.allocatedBytes(server) +
                    " bytes allocated, but the committed allocations whose RAM is live hold " + live;
            }
        }
        return null;
    }

    private void tally(final CapabilityDatabase replica)
    {
        for (final TransactionId id : history.commitOrder())
        {
            final CapabilityOperation operation = history.proposal(id).operations().get(0);
            coverage.committedByKind.computeIfAbsent(operation.getClass().getSimpleName(), (kind) -> new LongAdder())
                .increment();
            if (operation instanceof Revoke r && r.mappings() > 0)
            {
                coverage.revokesThatUnmapped.increment();
            }
            if (operation instanceof Allocate allocate && null == replica.object(allocate.objectId()))
            {
                coverage.rootsReturned.increment();
            }
            if (operation instanceof CapabilityOperation.MapFrame map && map.leafCount() > 0)
            {
                coverage.mapsThatMadeLeafTables.increment();
                if (null == replica.object(map.leafFirstId()))
                {
                    coverage.leafTableRamReturned.increment();
                }
            }
        }
        for (final Race race : workload.races())
        {
            if (!race.isFullyProposed())
            {
                continue;
            }
            coverage.racesProposed.increment();
            final long committed = race.proposed.stream().filter((id) -> Fate.COMMITTED == history.fate(id)).count();
            (0 == committed ? coverage.racesNoneCommitted : 1 == committed ? coverage.racesOneCommitted :
                coverage.racesBothCommittedOneAfterTheOthersDestruction).increment();
        }
        for (final Race deletes : workload.deletePairs())
        {
            if (deletes.isFullyProposed())
            {
                coverage.deletePairsProposed.increment();
                if (deletes.proposed.stream().allMatch((id) -> Fate.COMMITTED == history.fate(id)))
                {
                    coverage.deletePairsBothCommitted.increment();
                }
            }
        }
    }
}
