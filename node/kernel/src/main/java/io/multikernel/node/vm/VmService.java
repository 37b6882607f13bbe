package io.multikernel.node.vm;

import io.micrometer.core.instrument.MeterRegistry;
import io.multikernel.node.caps.Capability;
import io.multikernel.node.caps.CapabilityOperation;
import io.multikernel.node.caps.CapabilityResult;
import io.multikernel.node.caps.CapabilityResult.Outcome;
import io.multikernel.node.caps.CapabilityService;
import io.multikernel.node.caps.CapabilityDatabase;
import io.multikernel.node.caps.CapabilityType;
import io.multikernel.node.caps.MappingCapability;
import io.multikernel.node.caps.CapabilityOperation.MapFrame;
import io.multikernel.node.caps.LeafTable;
import io.multikernel.node.caps.FrameAccess;
import io.multikernel.node.caps.Rights;
import io.multikernel.node.shootdown.Shootdown;
import io.multikernel.node.shootdown.ShootdownInvalidator;
import io.multikernel.node.shootdown.ShootdownListener;
import io.multikernel.node.skb.RoutingPlanner;
import io.multikernel.node.skb.RoutingProtocol;
import io.multikernel.node.skb.SendPlan;
import io.multikernel.replication.ParticipantSet;
import io.multikernel.replication.ReplicatedStates;
import io.multikernel.replication.TransactionId;
import io.multikernel.replication.TransactionOutcome;
import io.multikernel.node.vm.VmOperation.Create;
import io.multikernel.node.vm.VmOperation.Destroy;
import io.multikernel.node.vm.VmOperation.Map;
import io.multikernel.node.vm.VmOperation.Protect;
import io.multikernel.node.vm.VmOperation.Shrink;
import io.multikernel.node.vm.VmOperation.Span;
import io.multikernel.node.vm.VmOperation.Unmap;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NavigableMap;
import java.util.concurrent.TimeUnit;

/**
 * A core's address-space service, on its kernel loop: changes the page tables of the domains this
 * core runs (each change one transaction with the domain's cores as participants), translates loads
 * and stores through this core's {@link Tlb}, and makes every change that takes a translation away
 * (unmap, a protect that drops a right, shrink, destroy) a TLB shootdown.
 *
 * <p><b>The shootdown protocol: agree, then shoot down.</b>
 * <ol>
 *   <li>The change is proposed to the domain's cores. Every participant locks the domain at prepare
 *   and holds the lock until it applies the outcome. While a core holds that lock it fills no TLB
 *   entry of the domain (a miss is answered "retry"), so between its prepare and its apply no core
 *   can load a translation the change removes.</li>
 *   <li>Once the transaction has committed, this core drops its own TLB entries of the range and
 *   starts a shootdown round along the SKB's send plan (unicast, broadcast, multicast or topo) to
 *   the domain's other cores (for shrink: the core leaving). Each target drops its entries of the
 *   range and acknowledges once none of its loads or stores through the domain is still in flight
 *   to a frame's host; acknowledgements aggregate up the tree.</li>
 *   <li>The change is answered when every target has acknowledged and this core has no access of
 *   the domain in flight either.</li>
 * </ol>
 * After the answer no core has an entry of the range: each dropped its entries after it had
 * prepared (the round starts after the commit, which follows every prepare), and from its prepare a
 * core fills no entry until it has applied the change, after which its replica has no translation
 * to fill from. No access through an old translation is in flight either.
 *
 * <p>Bounds: {@link #IN_FLIGHT_MAX} changes awaiting their outcome or shootdown; one load or store
 * moves at most {@link #IO_LENGTH_MAX_BYTES}; a shootdown that fails (a target did not acknowledge
 * within the round timeout) is tried again up to {@link #SHOOTDOWN_ATTEMPTS_MAX} times, and then
 * answered indefinite: the change committed but a core may still hold the old translation.
 */
public final class VmService implements ShootdownListener, ShootdownInvalidator
{
    /** STATE_ID: the address spaces among the engine's replicated states. */
    public static final int STATE_ID = 2;
    /** IN_FLIGHT_MAX: changes of this core awaiting their outcome or their shootdown before it refuses more. */
    public static final int IN_FLIGHT_MAX = 256;
    /** IO_LENGTH_MAX_BYTES: most bytes one load or store moves. */
    public static final int IO_LENGTH_MAX_BYTES = CapabilityService.FRAME_IO_LENGTH_MAX_BYTES;
    /** SHOOTDOWN_ATTEMPTS_MAX: rounds tried for one change before it is answered indefinite. */
    public static final int SHOOTDOWN_ATTEMPTS_MAX = 3;
    /**
     * ACCESS_DRAIN_TIMEOUT_NS: longest a change whose round is acknowledged waits for this core's own
     * loads and stores from before its drop (to another host's frame, or a store there not yet known
     * to have landed or not) before it is answered indefinite.
     */
    public static final long ACCESS_DRAIN_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);
    /**
     * REVOKE_MAPPINGS_MAX: most mappings one revoke unmaps (each adds about 64 bytes of operations to
     * its transaction); a revoke over more is refused ("unmap some first").
     */
    public static final int REVOKE_MAPPINGS_MAX = 256;
    /** ID_SEQUENCE_BITS: low bits of a domain or mapping id that number what one core made. */
    public static final int ID_SEQUENCE_BITS = 40;

    /** PAGE_BYTES: the page size. */
    public static final long PAGE_BYTES = CapabilityType.PAGE_LENGTH_BYTES;
    private static final long PAGE = PAGE_BYTES;

    /** Told a change's result once, on the kernel loop. */
    @FunctionalInterface
    public interface Callback
    {
        void onResult(VmResult result);
    }

    /** Told a load's or store's result once; {@code data} (a load's bytes) is valid only during the call. */
    @FunctionalInterface
    public interface AccessCallback
    {
        void onResult(VmResult result, DirectBuffer data, int offset, int length);
    }

    /** The operations, for metrics. */
    public enum Operation
    {
        CREATE, MAP, UNMAP, PROTECT, SPAN, SHRINK, DESTROY, LOAD, STORE;

        public String metricName()
        {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A committed change whose shootdown is not finished. */
    private static final class Shooting
    {
        final Operation operation;
        final long startNs;
        final Callback callback;
        final String transaction;
        final long id;
        final long domainId;
        final long firstPage;
        final long pageCount;
        final int[] targets;
        final RoutingProtocol protocol;
        long committedNs;
        /** This core's drop of the range: the accesses in flight before it must end before the answer. */
        long barrier;
        /** When every target acknowledged. */
        long acknowledgedNs;
        long roundId = Shootdown.NO_ROUND;
        int attempts;
        boolean acknowledged;
        String lastFailure;

        Shooting(final Operation operation, final long startNs, final Callback callback, final String transaction,
            final long id, final long domainId, final long firstPage, final long pageCount, final int[] targets,
            final RoutingProtocol protocol)
        {
            this.operation = operation;
            this.startNs = startNs;
            this.callback = callback;
            this.transaction = transaction;
            this.id = id;
            this.domainId = domainId;
            this.firstPage = firstPage;
            this.pageCount = pageCount;
            this.targets = targets;
            this.protocol = protocol;
        }
    }

    /** What a change needs after it commits: nothing, or a shootdown of a range on some cores. */
    private record Aftermath(long firstPage, long pageCount, int[] targets)
    {
    }

    private final int coreId;
    private final AddressSpaces spaces;
    private final Tlb tlb;
    private final CapabilityService capabilities;
    private final VmMetrics metrics;
    private final NanoClock clock;
    private final long idPrefix;
    /** Loads and stores of each domain awaiting a frame's host, by the TLB generation they started in. */
    private final AccessesInFlight accessesInFlight = new AccessesInFlight();
    private final ArrayList<Shooting> shooting = new ArrayList<>();
    private final ArrayDeque<Shooting> waitingForRound = new ArrayDeque<>();
    /**
     * Changes to propose again after a lock conflict, soonest due first; each counts as in flight, so
     * at most IN_FLIGHT_MAX.
     */
    private final java.util.PriorityQueue<Change> retries =
        new java.util.PriorityQueue<>((a, b) -> Long.compare(a.dueNs() - b.dueNs(), 0));
    /** Revokes to propose again after a lock conflict; each counts as in flight. */
    private final ArrayDeque<Revoking> revokeRetries = new ArrayDeque<>();
    /** Domains with a change of this core's proposed whose transaction has no outcome yet. */
    private final java.util.Set<Long> domainsChanging = new java.util.HashSet<>();
    /**
     * Changes waiting, in request order, for this core's earlier change of their domain; each counts
     * as in flight, so at most IN_FLIGHT_MAX in all.
     */
    private final java.util.Map<Long, ArrayDeque<Change>> behindOwnChange = new java.util.HashMap<>();
    /** Reused by {@link #releaseBehindOwn}: what it answers or proposes once it has looked at every domain. */
    private final ArrayList<Change> released = new ArrayList<>();
    private final UnsafeBuffer empty = new UnsafeBuffer(new byte[0]);
    private ReplicatedStates.State<VmOperation> state;
    private CapabilityService.Proposer proposer;
    private FrameAccess frames;
    private Shootdown shootdown;
    private RoutingPlanner planner;
    private RoutingProtocol defaultProtocol = RoutingProtocol.MULTICAST;
    private long nextSequence = 1;
    private boolean idsScanned;
    private int inFlight;

    /**
     * @param coreId       this core.
     * @param spaces       this core's replica of the address spaces it runs.
     * @param tlb          this core's TLB.
     * @param capabilities this core's capability service (frames, their holders).
     * @param registry     for {@code mk_vm_*}.
     * @param clock        the core's clock.
     */
    public VmService(final int coreId, final AddressSpaces spaces, final Tlb tlb, final CapabilityService capabilities,
        final MeterRegistry registry, final NanoClock clock)
    {
        this.coreId = coreId;
        this.spaces = spaces;
        this.tlb = tlb;
        this.capabilities = capabilities;
        this.clock = clock;
        this.metrics = new VmMetrics(registry, tlb, spaces);
        this.idPrefix = (coreId + 1L) << ID_SEQUENCE_BITS;
        // Every core drops what its TLB cached of a change as it applies it, whoever proposed the change
        // and whether or not a shootdown ever reaches it (its proposer may die right after the commit).
        spaces.onTranslationsChanged(this::dropEntries);
    }

    /** Registers the address spaces as {@link #STATE_ID}; before the engine starts. */
    public void register(final ReplicatedStates states)
    {
        this.state = states.register(STATE_ID, "vm", spaces, VmOperation.class);
    }

    /** Connects the core's replication; before that every change is refused as unavailable. */
    public void attach(final CapabilityService.Proposer proposer)
    {
        this.proposer = proposer;
        capabilities.attachMappingRevoker(this::revokeMapped);
    }

    /** Connects frame access (loads and stores) and the shootdown with its planner and default protocol. */
    public void attach(final FrameAccess frames, final Shootdown shootdown, final RoutingPlanner planner,
        final RoutingProtocol defaultProtocol)
    {
        this.frames = frames;
        this.shootdown = shootdown;
        this.planner = planner;
        this.defaultProtocol = defaultProtocol;
    }

    public int coreId()
    {
        return coreId;
    }

    public AddressSpaces spaces()
    {
        return spaces;
    }

    public Tlb tlb()
    {
        return tlb;
    }

    public RoutingProtocol defaultProtocol()
    {
        return defaultProtocol;
    }

    // ----------------------------------------------------------------------------------------
    // Changes
    // ----------------------------------------------------------------------------------------

    /**
     * @return the domain's leaf page tables, VNODE capabilities of the capability database, by leaf
     *         index; read on the kernel loop.
     */
    public NavigableMap<Long, LeafTable> leafTables(final long domainId)
    {
        return capabilities.database().leafTables(domainId);
    }

    /**
     * Create a domain run by {@code cores} (this core among them) whose page-table root is the VNODE
     * capability {@code rootVnodeCapId} this core holds. The result's id is the domain.
     */
    public void create(final long rootVnodeCapId, final int[] cores, final Callback callback)
    {
        final long startNs = clock.nanoTime();
        final int[] sorted = cores.clone();
        java.util.Arrays.sort(sorted);
        if (java.util.Arrays.binarySearch(sorted, coreId) < 0)
        {
            finish(Operation.CREATE, callback, VmResult.refused(Outcome.INVALID, "core " + coreId +
                " creates only domains it runs itself: add it to the cores " + java.util.Arrays.toString(sorted)));
            return;
        }
        final String outside = outsideTheCluster(sorted);
        if (null != outside)
        {
            finish(Operation.CREATE, callback, VmResult.refused(Outcome.INVALID, outside));
            return;
        }
        final long domainId = nextId();
        change(Operation.CREATE, startNs, callback, new Create(domainId, rootVnodeCapId, coreId, sorted), domainId, null);
    }

    /**
     * Map {@code length} bytes of the FRAME capability {@code frameCapId} (held by this core) from
     * {@code frameOffset} at virtual address {@code vaddr}; all page-aligned. The result's id is the mapping.
     */
    public void map(final long domainId, final long vaddr, final long frameCapId, final long frameOffset,
        final long length, final int rights, final Callback callback)
    {
        final long startNs = clock.nanoTime();
        final String misaligned = alignment(vaddr, length, frameOffset);
        if (null != misaligned)
        {
            finish(Operation.MAP, callback, VmResult.refused(Outcome.INVALID, misaligned));
            return;
        }
        final long mappingId = nextId();
        change(Operation.MAP, startNs, callback, new Map(domainId, mappingId, vaddr / PAGE, (int)(length / PAGE),
            frameCapId, frameOffset / PAGE, rights, coreId), mappingId, null);
    }

    /** Unmap every mapping inside {@code [vaddr, vaddr + length)}: answered after the TLB shootdown. */
    public void unmap(final long domainId, final long vaddr, final long length, final RoutingProtocol protocol,
        final Callback callback)
    {
        final long startNs = clock.nanoTime();
        final String misaligned = alignment(vaddr, length, 0);
        if (null != misaligned)
        {
            finish(Operation.UNMAP, callback, VmResult.refused(Outcome.INVALID, misaligned));
            return;
        }
        final long vpage = vaddr / PAGE;
        final int pages = (int)(length / PAGE);
        change(Operation.UNMAP, startNs, callback, new Unmap(domainId, vpage, pages), 0,
            new Aftermath(vpage, pages, others(domainId)), protocol);
    }

    /**
     * Set the rights of every mapping inside the range; a protect that drops a right any of them had
     * is answered after the TLB shootdown.
     */
    public void protect(final long domainId, final long vaddr, final long length, final int rights,
        final RoutingProtocol protocol, final Callback callback)
    {
        final long startNs = clock.nanoTime();
        final String misaligned = alignment(vaddr, length, 0);
        if (null != misaligned)
        {
            finish(Operation.PROTECT, callback, VmResult.refused(Outcome.INVALID, misaligned));
            return;
        }
        final long vpage = vaddr / PAGE;
        final int pages = (int)(length / PAGE);
        final Aftermath aftermath = dropsARight(domainId, vpage, pages, rights) ?
            new Aftermath(vpage, pages, others(domainId)) : null;
        change(Operation.PROTECT, startNs, callback, new Protect(domainId, vpage, pages, rights), 0, aftermath, protocol);
    }

    /** Add {@code core} to the domain; the page table reaches it inside the transaction. */
    public void span(final long domainId, final int core, final Callback callback)
    {
        final long startNs = clock.nanoTime();
        final String outside = outsideTheCluster(new int[]{ core });
        if (null != outside)
        {
            finish(Operation.SPAN, callback, VmResult.refused(Outcome.INVALID, outside));
            return;
        }
        final Domain domain = spaces.domain(domainId);
        final byte[] image = null == domain ? new byte[0] : spaces.image(domainId);
        change(Operation.SPAN, startNs, callback, new Span(domainId, core, image), 0, null);
    }

    /** Remove {@code core} from the domain: answered once that core has dropped the domain's translations. */
    public void shrink(final long domainId, final int core, final RoutingProtocol protocol, final Callback callback)
    {
        final long startNs = clock.nanoTime();
        final int[] targets = core == coreId ? new int[0] : inTheCluster(new int[]{ core });
        change(Operation.SHRINK, startNs, callback, new Shrink(domainId, core), 0, new Aftermath(0, 0, targets), protocol);
    }

    /** Destroy the domain: answered once every core of it has dropped its translations. */
    public void destroy(final long domainId, final RoutingProtocol protocol, final Callback callback)
    {
        final long startNs = clock.nanoTime();
        change(Operation.DESTROY, startNs, callback, new Destroy(domainId), 0,
            new Aftermath(0, 0, others(domainId)), protocol);
    }

    private void change(final Operation operation, final long startNs, final Callback callback,
        final VmOperation vmOperation, final long id, final Aftermath aftermath)
    {
        change(operation, startNs, callback, vmOperation, id, aftermath, null);
    }

    private void change(final Operation operation, final long startNs, final Callback callback,
        final VmOperation vmOperation, final long id, final Aftermath aftermath, final RoutingProtocol protocol)
    {
        // One that will wait behind an earlier change of its domain is checked when it goes, against
        // the replica with the earlier ones applied (a map, then an unmap of it, posted at once).
        final String problem = waitsBehindOwn(vmOperation) ? null : spaces.proposalProblem(vmOperation);
        if (null != problem)
        {
            finish(operation, callback, VmResult.refused(classify(problem), problem));
            return;
        }
        final String unavailable = unavailable();
        if (null != unavailable)
        {
            finish(operation, callback, VmResult.refused(Outcome.UNAVAILABLE, unavailable));
            return;
        }
        inFlight++;
        admit(new Change(operation, startNs, callback, vmOperation, id, aftermath,
            null == protocol ? defaultProtocol : protocol, 0, 0, false, 0));
    }

    /** @return whether the change would wait behind an earlier change of its domain from this core. */
    private boolean waitsBehindOwn(final VmOperation operation)
    {
        return !(operation instanceof Create) && (domainsChanging.contains(operation.domainId()) ||
            behindOwnChange.containsKey(operation.domainId()));
    }

    /**
     * Proposes a change of an existing domain only when no earlier change of that domain from this
     * core awaits its outcome; otherwise it waits behind it ({@link #releaseBehindOwn}). Proposed at
     * once, it would find the domain locked by the earlier one on every core, or be built from a
     * replica the earlier one is about to change (a map's leaf table), and abort.
     */
    private void admit(final Change change)
    {
        final VmOperation operation = change.vmOperation();
        if (operation instanceof Create)
        {
            propose(change);
            return;
        }
        final long domainId = operation.domainId();
        if (waitsBehindOwn(operation))
        {
            behindOwnChange.computeIfAbsent(domainId, domain -> new ArrayDeque<>()).addLast(change);
            return;
        }
        domainsChanging.add(domainId);
        propose(change);
    }

    /**
     * Proposes the first change waiting behind this core's own earlier change of its domain once that
     * one has its outcome and this core's replica has applied it (the domain's lock is free here),
     * rebuilt from the replica as it is then; answers aborted those that waited
     * {@link CapabilityService#OWN_CONFLICT_WAIT_MAX_NS} since their request.
     */
    private int releaseBehindOwn(final long nowNs)
    {
        final ArrayList<Change> due = released;
        final Iterator<java.util.Map.Entry<Long, ArrayDeque<Change>>> domains = behindOwnChange.entrySet().iterator();
        while (domains.hasNext())
        {
            final java.util.Map.Entry<Long, ArrayDeque<Change>> entry = domains.next();
            final long domainId = entry.getKey();
            final ArrayDeque<Change> waiting = entry.getValue();
            // In request order: those that waited too long are at the front.
            while (!waiting.isEmpty() && nowNs - waiting.peekFirst().startNs() >= CapabilityService.OWN_CONFLICT_WAIT_MAX_NS)
            {
                due.add(waiting.pollFirst());
            }
            if (!waiting.isEmpty() && !domainsChanging.contains(domainId) && null == refillBlocked(domainId))
            {
                domainsChanging.add(domainId);
                due.add(waiting.pollFirst());
            }
            if (waiting.isEmpty())
            {
                domains.remove();
            }
        }
        final int work = due.size();
        try
        {
            for (final Change change : due)
            {
                if (nowNs - change.startNs() >= CapabilityService.OWN_CONFLICT_WAIT_MAX_NS)
                {
                    // It never proposed: the domain's mark belongs to the change in its transaction, if any.
                    inFlight--;
                    answer(change.operation(), change.startNs(), change.callback(), VmResult.refused(Outcome.ABORTED,
                        "waited " + TimeUnit.NANOSECONDS.toMillis(nowNs - change.startNs()) + " ms behind core " + coreId +
                        "'s earlier change of domain " + change.vmOperation().domainId() +
                        ", still undecided here; nothing changed, retry"));
                }
                else
                {
                    proposeRebuilt(change);
                }
            }
        }
        finally
        {
            due.clear();
        }
        return work;
    }

    /**
     * A change on its way: what to propose, and again after a lock conflict it has priority in
     * ({@code attempt} of {@link CapabilityService#CONFLICT_RETRIES_MAX}) or after losing a lock to
     * this core's own earlier transaction ({@code behindOwn}, the {@code ownWaits}-th time, bounded by time).
     */
    private record Change(Operation operation, long startNs, Callback callback, VmOperation vmOperation, long id,
        Aftermath aftermath, RoutingProtocol protocol, int attempt, long dueNs, boolean behindOwn, int ownWaits)
    {
        /** @return the same change, to be proposed again at {@code dueNs}. */
        Change again(final int attempt, final long dueNs, final boolean behindOwn, final int ownWaits)
        {
            return new Change(operation, startNs, callback, vmOperation, id, aftermath, protocol, attempt, dueNs,
                behindOwn, ownWaits);
        }
    }

    // ----------------------------------------------------------------------------------------
    // Revoke of mapped memory
    // ----------------------------------------------------------------------------------------

    /** A revoke that unmaps, on its way: again after a lock conflict it has priority in. */
    private record Revoking(long capId, long startNs, CapabilityService.Callback callback, int attempt, long dueNs)
    {
    }

    /**
     * Revoke a capability that mappings map into (made with it, a copy or a descendant): one
     * transaction, to every core, revokes it in the capability database and unmaps each such mapping
     * from its domain's page table ({@link VmOperation.Expect} and {@link Unmap} per mapping, so the
     * domain's cores lock it and fill no TLB entry from prepare to apply); once committed, each
     * mapping's range is shot down on the other cores of its domain, as an unmap's is (on every
     * other core when this core does not run the domain), and the revoke is answered after the last.
     * The capability service has checked that this core holds the capability.
     */
    private void revokeMapped(final long capId, final CapabilityService.Callback callback)
    {
        final String unavailable = unavailable();
        if (null != unavailable)
        {
            callback.onResult(CapabilityResult.refused(Outcome.UNAVAILABLE, unavailable));
            return;
        }
        final String problem = revokeProblem(capId);
        if (null != problem)
        {
            callback.onResult(CapabilityResult.refused(CapabilityService.classify(problem), problem));
            return;
        }
        inFlight++;
        proposeRevoke(new Revoking(capId, clock.nanoTime(), callback, 0, 0));
    }

    /** @return why the replica refuses the revoke as this core would propose it now, or null. */
    private String revokeProblem(final long capId)
    {
        final List<MappingCapability> under = capabilities.database().mappingsUnder(capId);
        if (under.size() > REVOKE_MAPPINGS_MAX)
        {
            return under.size() + " mappings map into capability " + capId + "'s range, more than one revoke unmaps " +
                "(REVOKE_MAPPINGS_MAX=" + REVOKE_MAPPINGS_MAX + "): unmap some first";
        }
        return capabilities.database().validate(new CapabilityOperation.Revoke(capId, under.size(),
            CapabilityDatabase.digest(under)));
    }

    /** Proposes a revoke already counted in flight, built from the replica as it is now. */
    private void proposeRevoke(final Revoking revoking)
    {
        try
        {
            final List<MappingCapability> under = capabilities.database().mappingsUnder(revoking.capId());
            final List<ReplicatedStates.StateOperation> operations = new ArrayList<>();
            operations.add(capabilities.stateOperation(new CapabilityOperation.Revoke(revoking.capId(), under.size(),
                CapabilityDatabase.digest(under))));
            // One shootdown per domain: of the one mapping's range, or of the whole domain for several.
            final java.util.TreeMap<Long, Aftermath> byDomain = new java.util.TreeMap<>();
            for (final MappingCapability mapping : under)
            {
                final Domain domain = spaces.domain(mapping.domainId());
                if (null != domain && !byDomain.containsKey(mapping.domainId()))
                {
                    // Its shootdown goes to the cores this replica names: they must be the domain's.
                    operations.add(state.operation(spaces.atVersion(domain.domainId())));
                }
                final Capability capability = capabilities.database().capability(mapping.capId());
                final int pages = (int)(capabilities.database().object(capability.objectId()).length() / PAGE);
                operations.add(state.operation(new VmOperation.Expect(mapping.domainId(), mapping.vpage(), pages,
                    new long[]{ mapping.mappingId() })));
                operations.add(state.operation(new Unmap(mapping.domainId(), mapping.vpage(), pages)));
                final int[] targets = null == domain ?
                    java.util.Arrays.stream(capabilities.everyCore().toArray()).filter(core -> core != coreId).toArray() :
                    others(mapping.domainId());
                byDomain.merge(mapping.domainId(), new Aftermath(mapping.vpage(), pages, targets),
                    (first, more) -> new Aftermath(0, 0, first.targets()));
            }
            proposer.propose(capabilities.everyCore(), operations,
                (txn, outcome) -> onRevokeOutcome(revoking, byDomain, txn, outcome));
        }
        catch (final RuntimeException ex)
        {
            inFlight--;
            revoking.callback().onResult(CapabilityResult.refused(Outcome.UNAVAILABLE,
                "core " + coreId + " could not propose the revoke: " + ex.getMessage()));
        }
    }

    /** @param byDomain what to shoot down in each domain once the revoke committed. */
    private void onRevokeOutcome(final Revoking revoking, final java.util.NavigableMap<Long, Aftermath> byDomain,
        final TransactionId transaction, final TransactionOutcome outcome)
    {
        final TransactionId conflict = outcome.lockConflictWith();
        if (null != conflict && transaction.compareTo(conflict) < 0 &&
            revoking.attempt() < CapabilityService.CONFLICT_RETRIES_MAX)
        {
            revokeRetries.add(new Revoking(revoking.capId(), revoking.startNs(), revoking.callback(),
                revoking.attempt() + 1, clock.nanoTime() + (CapabilityService.CONFLICT_RETRY_DELAY_NS << revoking.attempt())));
            return;
        }
        if (TransactionOutcome.Status.COMMITTED != outcome.status() || byDomain.isEmpty())
        {
            inFlight--;
            revoking.callback().onResult(new CapabilityResult(CapabilityResult.of(outcome.status()), outcome.reason(),
                transaction.toString(), List.of()));
            return;
        }
        // Each domain's shootdown counts in flight until it is answered; the revoke is answered after the last.
        inFlight += byDomain.size() - 1;
        final RevokeShootdowns group = new RevokeShootdowns(revoking.callback(), transaction.toString(), byDomain.size());
        for (final java.util.Map.Entry<Long, Aftermath> entry : byDomain.entrySet())
        {
            final long domainId = entry.getKey();
            final Aftermath range = entry.getValue();
            dropEntries(domainId, range.firstPage(), range.pageCount());
            final Shooting shot = new Shooting(Operation.UNMAP, revoking.startNs(), group, transaction.toString(), 0,
                domainId, range.firstPage(), range.pageCount(), range.targets(), defaultProtocol);
            shot.committedNs = clock.nanoTime();
            shooting.add(shot);
            startRound(shot);
        }
    }

    /** The shootdowns of one revoke's mappings: answers the revoke once, after the last. */
    private static final class RevokeShootdowns implements Callback
    {
        private final CapabilityService.Callback callback;
        private final String transaction;
        private int pending;
        private String failure;

        RevokeShootdowns(final CapabilityService.Callback callback, final String transaction, final int pending)
        {
            this.callback = callback;
            this.transaction = transaction;
            this.pending = pending;
        }

        @Override
        public void onResult(final VmResult result)
        {
            if (Outcome.COMMITTED != result.outcome() && null == failure)
            {
                failure = result.message();
            }
            if (--pending == 0)
            {
                callback.onResult(new CapabilityResult(null == failure ? Outcome.COMMITTED :
                    Outcome.INDEFINITE, failure, transaction, List.of()));
            }
        }
    }

    /** Proposes again the revokes whose retry is due. */
    private int revokeRetriesDue(final long nowNs)
    {
        int work = 0;
        for (int i = revokeRetries.size(); i > 0 && !revokeRetries.isEmpty() &&
            revokeRetries.peekFirst().dueNs() - nowNs <= 0; i--)
        {
            final Revoking due = revokeRetries.pollFirst();
            work++;
            final String problem = revokeProblem(due.capId());
            final String unavailable = null == problem ? proposer.proposalRefusal() : null;
            if (null != problem || null != unavailable)
            {
                inFlight--;
                due.callback().onResult(CapabilityResult.refused(null != problem ?
                    CapabilityService.classify(problem) : Outcome.UNAVAILABLE, null != problem ? problem : unavailable));
                continue;
            }
            proposeRevoke(due);
        }
        return work;
    }

    /** Proposes a change already counted in flight; a proposal the engine refuses is answered unavailable. */
    private void propose(final Change change)
    {
        final VmOperation operation = change.vmOperation();
        final LeafRun leaves;
        try
        {
            leaves = operation instanceof Map m ? leafRun(m) : LeafRun.NONE;
        }
        catch (final RuntimeException ex)
        {
            inFlight--;
            decided(operation);
            finish(change.operation(), change.callback(), VmResult.refused(Outcome.UNAVAILABLE,
                "core " + coreId + " could not propose the change: " + ex.getMessage()));
            return;
        }
        if (null == leaves)
        {
            inFlight--;
            decided(operation);
            final Map m = (Map)operation;
            final int count = capabilities.database().missingLeaves(m.domainId(), m.vpage(), m.pages()).length;
            answer(change.operation(), change.startNs(), change.callback(), VmResult.refused(Outcome.CONFLICT,
                "core " + coreId + "'s memory server has no free run of " + count * PAGE + " bytes for the " + count +
                " leaf page table" + (1 == count ? "" : "s") + " the map needs (" +
                capabilities.database().freeBytes(coreId) + " bytes free in all): delete or revoke RAM first"));
            return;
        }
        try
        {
            proposer.propose(goesToEveryCore(operation) ? capabilities.everyCore() :
                ParticipantSet.of(spaces.participants(operation)),
                operationsOf(operation, leaves), (txn, outcome) ->
                {
                    leaves.release(capabilities);
                    onOutcome(change, txn, outcome);
                });
        }
        catch (final RuntimeException ex)
        {
            leaves.release(capabilities);
            inFlight--;
            decided(operation);
            finish(change.operation(), change.callback(), VmResult.refused(Outcome.UNAVAILABLE,
                "core " + coreId + " could not propose the change: " + ex.getMessage()));
        }
    }

    /**
     * The leaf page tables a map makes: {@code count} VNODEs from {@code run} of this core's memory
     * server (set aside until the transaction ends, released once), with ids from {@code firstId}.
     */
    private static final class LeafRun
    {
        static final LeafRun NONE = new LeafRun(null, 0, 0);

        private final long[] run;
        private final long firstId;
        private final int count;
        private boolean released;

        LeafRun(final long[] run, final long firstId, final int count)
        {
            this.run = run;
            this.firstId = firstId;
            this.count = count;
        }

        long base()
        {
            return null == run ? 0 : run[0];
        }

        void release(final CapabilityService capabilities)
        {
            if (null != run && !released)
            {
                released = true;
                capabilities.release(run);
            }
        }
    }

    /**
     * @return the leaf tables the map's range lacks on this replica, with memory set aside for them;
     *         {@link LeafRun#NONE} when it lacks none (or more than a map may make, which validation
     *         refuses), null when this core's memory server has no run for them.
     */
    private LeafRun leafRun(final Map m)
    {
        final int count = capabilities.database().missingLeaves(m.domainId(), m.vpage(), m.pages()).length;
        if (0 == count || count > CapabilityDatabase.LEAF_TABLES_PER_MAP_MAX)
        {
            return LeafRun.NONE;
        }
        final long[] run = capabilities.reserve(count * PAGE);
        if (null == run)
        {
            return null;
        }
        try
        {
            return new LeafRun(run, capabilities.takeIds(MapFrame.leafIds(count)), count);
        }
        catch (final RuntimeException ex)
        {
            capabilities.release(run);
            throw ex;
        }
    }

    /**
     * A change's transaction. A map also makes the mapping's MAPPING capability in the capability
     * database, and an unmap or a destroy removes the MAPPING capabilities of the mappings it takes
     * away (with the list of them, which the domain's cores check: {@link VmOperation.Expect}), so a
     * frame with mappings is neither deleted nor revoked away; a create records its root VNODE as the
     * domain's, and the destroy lets it go, so the root is neither deleted nor revoked away while the
     * domain lives. Those transactions go to every core, which holds the capability database. Every
     * change of an existing domain also carries the domain's version and cores on this replica
     * ({@link AddressSpaces#atVersion}), which its participants and shootdown targets came from.
     */
    private List<ReplicatedStates.StateOperation> operationsOf(final VmOperation operation, final LeafRun leaves)
    {
        if (operation instanceof Create c)
        {
            return List.of(capabilities.stateOperation(new CapabilityOperation.Rooted(c.rootVnodeCapId(), c.domainId())),
                state.operation(c));
        }
        final Domain domain = spaces.domain(operation.domainId());
        if (operation instanceof Map m)
        {
            final long objectId = capabilities.takeIds(2);
            final ReplicatedStates.StateOperation frame = capabilities.stateOperation(new MapFrame(m.frameCapId(),
                objectId, objectId + 1, m.frameOffsetPages() * PAGE, m.pages() * PAGE, coreId, m.domainId(),
                m.mappingId(), m.vpage(), leaves.base(), leaves.firstId, leaves.count));
            return null == domain ? List.of(frame, state.operation(m)) :
                List.of(frame, state.operation(spaces.atVersion(domain.domainId())), state.operation(m));
        }
        if (null == domain)
        {
            return List.of(state.operation(operation));
        }
        if (!(operation instanceof Unmap || operation instanceof Destroy))
        {
            return List.of(state.operation(spaces.atVersion(domain.domainId())), state.operation(operation));
        }
        final long from = operation instanceof Unmap u ? u.vpage() : 0;
        final int pages = operation instanceof Unmap u ? u.pages() : 0;
        final List<Long> ids = new ArrayList<>();
        final List<ReplicatedStates.StateOperation> operations = new ArrayList<>();
        operations.add(state.operation(spaces.atVersion(domain.domainId())));
        for (final Mapping mapping : domain.mappingsWithin(from, pages))
        {
            ids.add(mapping.mappingId());
            final Long mappingCapId = capabilities.database().mappingCapabilityOf(domain.domainId(),
                mapping.mappingId());
            if (null == mappingCapId)
            {
                throw new IllegalStateException("mapping " + mapping.mappingId() + " of domain " +
                    domain.domainId() + " has no MAPPING capability on core " + coreId);
            }
            operations.add(capabilities.stateOperation(new CapabilityOperation.Unmapped(mappingCapId)));
        }
        final Long rootOf = capabilities.database().roots().get(domain.rootVnodeCapId());
        if (operation instanceof Destroy && null != rootOf && rootOf == domain.domainId())
        {
            // Beside the unmaps: the capability database takes MAPPING removals and one Unrooted together.
            operations.add(capabilities.stateOperation(new CapabilityOperation.Unrooted(domain.rootVnodeCapId(),
                domain.domainId())));
        }
        operations.add(state.operation(new VmOperation.Expect(operation.domainId(), from, pages,
            ids.stream().mapToLong(Long::longValue).toArray())));
        operations.add(state.operation(operation));
        return operations;
    }

    /**
     * Two changes of one domain can abort each other (each locked it first on a different core): the
     * one with the lower transaction id proposes again after 1, 2, 4... ms, checked against the
     * replica first, the other is answered aborted; as the capability service does.
     */
    private void onOutcome(final Change change, final TransactionId transaction, final TransactionOutcome outcome)
    {
        final TransactionId conflict = outcome.lockConflictWith();
        // Lost to one of this core's own earlier transactions (two maps of one frame into different
        // domains, say), which it never made abort: participants prepare one coordinator's
        // transactions in the order sent. Go again after 1, 2, 4... 16 ms, bounded by time.
        final boolean behindOwn = null != conflict && conflict.precedesFromSameCoordinator(transaction);
        final long nowNs = clock.nanoTime();
        if (behindOwn && nowNs - change.startNs() < CapabilityService.OWN_CONFLICT_WAIT_MAX_NS)
        {
            // Not a conflict it has priority in: the priority retries stay for those.
            retries.add(change.again(change.attempt(), nowNs + CapabilityService.ownConflictDelayNs(change.ownWaits()),
                true, change.ownWaits() + 1));
            return;
        }
        if (null != conflict && transaction.compareTo(conflict) < 0 &&
            change.attempt() < CapabilityService.CONFLICT_RETRIES_MAX)
        {
            retries.add(change.again(change.attempt() + 1,
                nowNs + (CapabilityService.CONFLICT_RETRY_DELAY_NS << change.attempt()), false, change.ownWaits()));
            return;
        }
        onOutcome(change.operation(), change.startNs(), change.callback(), change.vmOperation(), change.id(),
            change.aftermath(), change.protocol(), transaction, outcome);
    }

    /**
     * Proposes again the changes whose retry is due, rebuilt from the replica as it is now. One that
     * lost to this core's own earlier transaction proposes nothing while a lock it takes is still
     * held on this replica: it looks again after {@link CapabilityService#CONFLICT_RETRY_DELAY_NS},
     * and is answered aborted once it has waited {@link CapabilityService#OWN_CONFLICT_WAIT_MAX_NS}.
     */
    private int retryDue(final long nowNs)
    {
        int work = 0;
        for (int i = retries.size(); i > 0 && !retries.isEmpty() && retries.peek().dueNs() - nowNs <= 0; i--)
        {
            final Change due = retries.poll();
            work++;
            final String locked = due.behindOwn() ? lockedHere(due.vmOperation()) : null;
            if (null == locked)
            {
                proposeRebuilt(due);
            }
            else if (nowNs - due.startNs() < CapabilityService.OWN_CONFLICT_WAIT_MAX_NS)
            {
                // Due later than now: this pass does not take it again.
                retries.add(due.again(due.attempt(), nowNs + CapabilityService.CONFLICT_RETRY_DELAY_NS, true,
                    due.ownWaits()));
            }
            else
            {
                inFlight--;
                decided(due.vmOperation());
                answer(due.operation(), due.startNs(), due.callback(), VmResult.refused(Outcome.ABORTED, locked));
            }
        }
        return work;
    }

    /**
     * @return which transaction prepared on this core holds a lock of the address spaces the change
     *         takes (its domain, a map's frame), as a sentence, or null.
     */
    private String lockedHere(final VmOperation operation)
    {
        return CapabilityService.lockedHere(proposer, STATE_ID, spaces.lockKeys(operation));
    }

    /** Proposes a change already counted in flight again, rebuilt from and checked against the replica as it is now. */
    private void proposeRebuilt(final Change due)
    {
        final VmOperation again = due.vmOperation() instanceof Span s ?
            new Span(s.domainId(), s.core(), null == spaces.domain(s.domainId()) ? new byte[0] :
                spaces.image(s.domainId())) : due.vmOperation();
        final Aftermath aftermath = aftermathOf(again, due.aftermath());
        final String problem = spaces.proposalProblem(again);
        final String unavailable = null == problem ? proposer.proposalRefusal() : null;
        if (null != problem || null != unavailable)
        {
            inFlight--;
            decided(again);
            answer(due.operation(), due.startNs(), due.callback(), null != problem ?
                VmResult.refused(classify(problem), problem) : VmResult.refused(Outcome.UNAVAILABLE, unavailable));
            return;
        }
        propose(new Change(due.operation(), due.startNs(), due.callback(), again, due.id(), aftermath,
            due.protocol(), due.attempt(), 0, due.behindOwn(), due.ownWaits()));
    }

    /** The change's transaction has its outcome, or it was answered before it had one: the next change of its domain may go. */
    private void decided(final VmOperation operation)
    {
        if (!(operation instanceof Create))
        {
            domainsChanging.remove(operation.domainId());
        }
    }

    private void onOutcome(final Operation operation, final long startNs, final Callback callback,
        final VmOperation vmOperation, final long id, final Aftermath aftermath, final RoutingProtocol protocol,
        final TransactionId transaction, final TransactionOutcome outcome)
    {
        decided(vmOperation);
        if (TransactionOutcome.Status.COMMITTED != outcome.status())
        {
            inFlight--;
            final Outcome result = CapabilityResult.of(outcome.status());
            answer(operation, startNs, callback, new VmResult(result, outcome.reason(), transaction.toString(), 0, null, 0));
            return;
        }
        if (null == aftermath)
        {
            inFlight--;
            answer(operation, startNs, callback, new VmResult(Outcome.COMMITTED, null, transaction.toString(), id, null, 0));
            return;
        }
        final long domainId = vmOperation.domainId();
        final Shooting shot = new Shooting(operation, startNs, callback, transaction.toString(), id, domainId,
            aftermath.firstPage(), aftermath.pageCount(), aftermath.targets(), protocol);
        shot.barrier = dropEntries(domainId, aftermath.firstPage(), aftermath.pageCount());
        shot.committedNs = clock.nanoTime();
        shooting.add(shot);
        startRound(shot);
    }

    private void startRound(final Shooting shot)
    {
        shot.attempts++;
        shot.acknowledged = false;
        shot.lastFailure = null;
        shot.roundId = Shootdown.NO_ROUND;
        if (0 == shot.targets.length || null == shootdown)
        {
            shot.acknowledged = true;
            shot.acknowledgedNs = clock.nanoTime();
            return;
        }
        final SendPlan plan = planner.plan(shot.protocol, coreId, shot.targets);
        final long roundId;
        starting = shot;
        try
        {
            // A round can end inside startRound (a send that failed): the listener then finds it as starting.
            roundId = shootdown.startRound(plan, shot.domainId, shot.firstPage, shot.pageCount);
        }
        finally
        {
            starting = null;
        }
        if (Shootdown.NO_ROUND == roundId)
        {
            // Every round slot is taken: try again on a later duty cycle.
            shot.attempts--;
            waitingForRound.add(shot);
        }
        else if (!shot.acknowledged && null == shot.lastFailure)
        {
            shot.roundId = roundId;
        }
    }

    @Override
    public void onRoundComplete(final long roundId, final long latencyNs)
    {
        final Shooting shot = shotOf(roundId);
        if (null != shot)
        {
            shot.acknowledged = true;
            shot.acknowledgedNs = clock.nanoTime();
            shot.roundId = Shootdown.NO_ROUND;
        }
    }

    @Override
    public void onRoundFailed(final long roundId, final String reason)
    {
        final Shooting shot = shotOf(roundId);
        if (null != shot)
        {
            shot.lastFailure = reason;
            shot.roundId = Shootdown.NO_ROUND;
        }
    }

    /** @return the change whose round this is, or null (a benchmark's round). */
    private Shooting shotOf(final long roundId)
    {
        if (null != starting)
        {
            return starting;
        }
        for (final Shooting shot : shooting)
        {
            if (shot.roundId == roundId && Shootdown.NO_ROUND != roundId)
            {
                return shot;
            }
        }
        return null;
    }

    /** The change whose round is being started, while {@link Shootdown#startRound} runs. */
    private Shooting starting;

    /** Drops this core's TLB entries of a range a shootdown names. */
    @Override
    public long invalidate(final long domainId, final long firstPage, final long pageCount)
    {
        return 0 == domainId ? 0 : dropEntries(domainId, firstPage, pageCount);
    }

    /** @return whether no load or store of the domain that started before the drop is in flight here. */
    @Override
    public boolean drained(final long domainId, final long barrier)
    {
        return 0 == domainId || accessesInFlight.drained(domainId, barrier);
    }

    /**
     * Drops this core's TLB entries of a range of the domain; {@code pageCount} 0 drops the whole domain's.
     *
     * @return the barrier the accesses in flight now must pass ({@link #drained}).
     */
    private long dropEntries(final long domainId, final long firstPage, final long pageCount)
    {
        if (0 == pageCount)
        {
            tlb.invalidateDomain(domainId);
        }
        else
        {
            tlb.invalidate(domainId, firstPage, pageCount);
        }
        return accessesInFlight.barrier();
    }

    /**
     * Advances shootdowns: starts rounds that found no free slot, retries failed rounds, answers
     * changes whose round is acknowledged once no access of the domain is in flight here.
     *
     * @return changes advanced.
     */
    public int doWork(final long nowNs)
    {
        int work = retries.isEmpty() ? 0 : retryDue(nowNs);
        work += revokeRetries.isEmpty() ? 0 : revokeRetriesDue(nowNs);
        work += behindOwnChange.isEmpty() ? 0 : releaseBehindOwn(nowNs);
        if (shooting.isEmpty())
        {
            return work;
        }
        for (int i = waitingForRound.size(); i > 0; i--)
        {
            startRound(waitingForRound.poll());
            work++;
        }
        final Iterator<Shooting> shots = shooting.iterator();
        while (shots.hasNext())
        {
            final Shooting shot = shots.next();
            if (null != shot.lastFailure && Shootdown.NO_ROUND == shot.roundId && !shot.acknowledged)
            {
                if (shot.attempts >= SHOOTDOWN_ATTEMPTS_MAX)
                {
                    shots.remove();
                    inFlight--;
                    answer(shot.operation, shot.startNs, shot.callback, new VmResult(Outcome.INDEFINITE,
                        "the change committed on every core of domain " + shot.domainId + ", but its TLB shootdown " +
                        "failed " + shot.attempts + " times (" + shot.lastFailure + "): a core may still use the old " +
                        "translation until it restarts", shot.transaction, shot.id, shot.protocol.cliName(), 0));
                    work++;
                    continue;
                }
                startRound(shot);
                work++;
                continue;
            }
            if (shot.acknowledged && !accessesInFlight.drained(shot.domainId, shot.barrier) &&
                nowNs - shot.acknowledgedNs >= ACCESS_DRAIN_TIMEOUT_NS)
            {
                shots.remove();
                inFlight--;
                answer(shot.operation, shot.startNs, shot.callback, new VmResult(Outcome.INDEFINITE,
                    "the change committed on every core of domain " + shot.domainId + " and every core dropped the " +
                    "old translations, but a load or store core " + coreId + " sent to another host's frame before " +
                    "then is still unconfirmed after " + TimeUnit.NANOSECONDS.toMillis(ACCESS_DRAIN_TIMEOUT_NS) +
                    " ms: it may still land", shot.transaction, shot.id, shot.protocol.cliName(), 0));
                work++;
                continue;
            }
            if (shot.acknowledged && accessesInFlight.drained(shot.domainId, shot.barrier))
            {
                shots.remove();
                inFlight--;
                final long shootdownNs = clock.nanoTime() - shot.committedNs;
                metrics.shootdown(shot.protocol, shootdownNs);
                answer(shot.operation, shot.startNs, shot.callback, new VmResult(Outcome.COMMITTED, null,
                    shot.transaction, shot.id, shot.protocol.cliName(), shootdownNs));
                work++;
            }
        }
        return work;
    }

    // ----------------------------------------------------------------------------------------
    // Loads and stores
    // ----------------------------------------------------------------------------------------

    /** Load {@code length} bytes at virtual address {@code vaddr} of the domain. */
    public void load(final long domainId, final long vaddr, final int length, final AccessCallback callback)
    {
        access(Operation.LOAD, domainId, vaddr, length, null, 0, callback);
    }

    /** Store the bytes at virtual address {@code vaddr} of the domain. */
    public void store(final long domainId, final long vaddr, final DirectBuffer data, final int dataOffset,
        final int length, final AccessCallback callback)
    {
        access(Operation.STORE, domainId, vaddr, length, data, dataOffset, callback);
    }

    private void access(final Operation operation, final long domainId, final long vaddr, final int length,
        final DirectBuffer data, final int dataOffset, final AccessCallback callback)
    {
        final long startNs = clock.nanoTime();
        final boolean store = Operation.STORE == operation;
        if (length < 1 || length > IO_LENGTH_MAX_BYTES)
        {
            refuseAccess(operation, callback, Outcome.INVALID, "a " + operation.metricName() + " moves 1.." +
                IO_LENGTH_MAX_BYTES + " bytes, not " + length);
            return;
        }
        if (vaddr < 0 || vaddr > AddressSpaces.VIRTUAL_PAGES * PAGE - length)
        {
            refuseAccess(operation, callback, Outcome.FAULT, vaddr >= 0 && vaddr < AddressSpaces.VIRTUAL_PAGES * PAGE ?
                length + " bytes from " + address(vaddr) + " run past the end of the virtual address space (" +
                address(AddressSpaces.VIRTUAL_PAGES * PAGE) + ")" :
                address(vaddr) + " is outside the virtual address space");
            return;
        }
        if (null == spaces.domain(domainId))
        {
            refuseAccess(operation, callback, Outcome.NOT_FOUND, "domain " + domainId + " does not run on core " + coreId);
            return;
        }
        final long firstPage = vaddr / PAGE;
        final long lastPage = (vaddr + length - 1) / PAGE;
        final int right = store ? Rights.WRITE : Rights.READ;
        long frameCapId = 0;
        long frameOffset = 0;
        for (long page = firstPage; page <= lastPage; page++)
        {
            int slot = tlb.lookup(domainId, page);
            if (Tlb.MISS == slot || !Rights.includes(tlb.rights(slot), right))
            {
                // A miss, or a right the cached entry lacks (a protect may have granted it since): walk the table.
                final String blocked = refillBlocked(domainId);
                if (null != blocked)
                {
                    refuseAccess(operation, callback, Outcome.UNAVAILABLE, blocked);
                    return;
                }
                final Translation translation = spaces.translate(domainId, page);
                if (null == translation)
                {
                    refuseAccess(operation, callback, Outcome.FAULT, operation.metricName() + " at " + address(vaddr) +
                        ": no mapping at " + address(page * PAGE) + " in domain " + domainId);
                    return;
                }
                slot = tlb.fill(translation);
                if (!Rights.includes(translation.rights(), right))
                {
                    refuseAccess(operation, callback, Outcome.FAULT, operation.metricName() + " at " + address(vaddr) +
                        ": the mapping in domain " + domainId + " allows " + Rights.format(translation.rights()) +
                        ", not " + Rights.format(right));
                    return;
                }
            }
            final long pageFrameCap = tlb.frameCapId(slot);
            final long pageOffset = tlb.frameOffsetBytes(slot);
            if (page == firstPage)
            {
                frameCapId = pageFrameCap;
                frameOffset = pageOffset + (vaddr - firstPage * PAGE);
            }
            else if (pageFrameCap != frameCapId || pageOffset != frameOffset - (vaddr - page * PAGE))
            {
                refuseAccess(operation, callback, Outcome.INVALID, operation.metricName() + " of " + length + " bytes at " +
                    address(vaddr) + " crosses from one mapping into another at " + address(page * PAGE) +
                    ": split it at the mapping's end");
                return;
            }
        }
        final Capability frame = capabilities.database().capability(frameCapId);
        if (null == frame || null == frames)
        {
            refuseAccess(operation, callback, Outcome.FAULT, operation.metricName() + " at " + address(vaddr) +
                ": the frame mapped there, capability " + frameCapId + ", is gone");
            return;
        }
        final long generation = accessesInFlight.start(domainId);
        frames.access(frame.holderCore(), frameCapId, frameOffset, length, store, data, dataOffset,
            (result, bytes, offset, bytesLength) ->
            {
                final VmResult answer = Outcome.DONE == result.outcome() ? VmResult.done() :
                    VmResult.refused(Outcome.NOT_FOUND == result.outcome() || Outcome.FORBIDDEN == result.outcome() ?
                        Outcome.FAULT : result.outcome(), operation.metricName() + " at " + address(vaddr) + ": " +
                        result.message());
                metrics.latency(operation, clock.nanoTime() - startNs);
                metrics.outcome(operation, answer.outcome());
                callback.onResult(answer, bytes, offset, answer.succeeded() ? bytesLength : 0);
            },
            // In flight until it can no longer reach the frame: a store that timed out may still, until fenced.
            () -> accessesInFlight.finish(domainId, generation));
    }

    /**
     * @return null when this core may fill TLB entries of the domain; otherwise why not: a change of
     *         the domain is prepared here and not yet applied.
     */
    private String refillBlocked(final long domainId)
    {
        if (null == proposer)
        {
            return null;
        }
        final TransactionId holder = proposer.lockHolder(
            new ReplicatedStates.StateKey(STATE_ID, new VmLock.DomainKey(domainId)));
        return null == holder ? null : "domain " + domainId + "'s page table is changing (transaction " + holder +
            " is prepared on core " + coreId + "); retry";
    }

    private void refuseAccess(final Operation operation, final AccessCallback callback, final Outcome outcome,
        final String message)
    {
        metrics.outcome(operation, outcome);
        callback.onResult(VmResult.refused(outcome, message), empty, 0, 0);
    }

    // ----------------------------------------------------------------------------------------
    // Helpers
    // ----------------------------------------------------------------------------------------

    /**
     * @return whether the change's transaction goes to every core, which holds the capability
     *         database its MAPPING or root capabilities change (map, unmap, destroy, create); the
     *         others go to the domain's cores ({@link AddressSpaces#participants}).
     */
    static boolean goesToEveryCore(final VmOperation operation)
    {
        return operation instanceof Map || operation instanceof Unmap || operation instanceof Destroy ||
            operation instanceof Create;
    }

    private int[] others(final long domainId)
    {
        final Domain domain = spaces.domain(domainId);
        if (null == domain)
        {
            return new int[0];
        }
        return inTheCluster(java.util.Arrays.stream(domain.cores()).filter(core -> core != coreId).toArray());
    }

    /**
     * The cores a shootdown can reach. A domain's cores are checked against the cluster map when it is
     * created or spanned, but a replica written before that check may name a core the map does not
     * list: it holds no translation, and routing a round to it would stop the kernel loop.
     */
    private int[] inTheCluster(final int[] cores)
    {
        final ParticipantSet cluster = capabilities.everyCore();
        return java.util.Arrays.stream(cores).filter(cluster::contains).toArray();
    }

    /** @return a sentence naming the first of {@code cores} the cluster map does not list, or {@code null}. */
    private String outsideTheCluster(final int[] cores)
    {
        final ParticipantSet cluster = capabilities.everyCore();
        for (final int core : cores)
        {
            if (!cluster.contains(core))
            {
                return "core " + core + " is not in the cluster map (cores: " +
                    java.util.Arrays.toString(cluster.toArray()) + ")";
            }
        }
        return null;
    }

    /**
     * What a change proposed again needs after it commits, from the replica as it is now: the cores
     * of the domain may have changed, and a protect that took no right away when it was first proposed
     * may take one now (a change it lost a lock conflict to granted it), so it gets a shootdown then.
     */
    private Aftermath aftermathOf(final VmOperation again, final Aftermath before)
    {
        if (again instanceof Protect p)
        {
            return dropsARight(p.domainId(), p.vpage(), p.pages(), p.rights()) ?
                new Aftermath(p.vpage(), p.pages(), others(p.domainId())) : null;
        }
        return null == before || again instanceof Shrink ? before :
            new Aftermath(before.firstPage(), before.pageCount(), others(again.domainId()));
    }

    private boolean dropsARight(final long domainId, final long vpage, final int pages, final int rights)
    {
        final Domain domain = spaces.domain(domainId);
        if (null == domain)
        {
            return true;
        }
        for (final Mapping mapping : domain.mappings().subMap(vpage, true, vpage + pages, false).values())
        {
            if ((mapping.rights() & ~rights) != 0)
            {
                return true;
            }
        }
        return false;
    }

    private static String alignment(final long vaddr, final long length, final long frameOffset)
    {
        if (vaddr < 0 || vaddr % PAGE != 0)
        {
            return "virtual address " + address(vaddr) + " is not a multiple of the page size " + PAGE;
        }
        if (length <= 0 || length % PAGE != 0 || length / PAGE > AddressSpaces.MAP_PAGES_MAX)
        {
            return "length " + length + " is not a positive multiple of the page size " + PAGE + " up to " +
                AddressSpaces.MAP_PAGES_MAX + " pages";
        }
        if (frameOffset < 0 || frameOffset % PAGE != 0)
        {
            return "frame offset " + frameOffset + " is not a multiple of the page size " + PAGE;
        }
        return null;
    }

    static String address(final long vaddr)
    {
        return vaddr < 0 ? "-0x" + Long.toHexString(-vaddr) : "0x" + Long.toHexString(vaddr);
    }

    /** @return the outcome class of a refusal sentence of {@link AddressSpaces#validate}. */
    static Outcome classify(final String problem)
    {
        if (problem.contains("does not exist") || problem.contains(AddressSpaces.NOT_HELD_HERE) ||
            problem.startsWith("no mapping of domain"))
        {
            return Outcome.NOT_FOUND;
        }
        if (problem.contains("is held by core") || problem.contains("which do not include"))
        {
            return Outcome.FORBIDDEN;
        }
        if (problem.contains(" overlap ") || problem.contains("already") || problem.contains("cuts the mapping") ||
            problem.contains("the most it may"))
        {
            return Outcome.CONFLICT;
        }
        return Outcome.INVALID;
    }

    private String unavailable()
    {
        if (null == proposer)
        {
            return "core " + coreId + " is starting; retry shortly";
        }
        if (inFlight >= IN_FLIGHT_MAX)
        {
            return "core " + coreId + " has IN_FLIGHT_MAX=" + IN_FLIGHT_MAX + " address-space changes in flight; retry shortly";
        }
        return proposer.proposalRefusal();
    }

    /** Answers a change and counts it; a revoke's shootdowns are counted once, as the revoke, by the capability service. */
    private void answer(final Operation operation, final long startNs, final Callback callback, final VmResult result)
    {
        if (!(callback instanceof RevokeShootdowns))
        {
            metrics.latency(operation, clock.nanoTime() - startNs);
            metrics.outcome(operation, result.outcome());
        }
        callback.onResult(result);
    }

    private void finish(final Operation operation, final Callback callback, final VmResult result)
    {
        metrics.outcome(operation, result.outcome());
        callback.onResult(result);
    }

    /**
     * @return a fresh domain or mapping id: above every id of this core's the replica ever applied
     *         (live or removed; after a restart, what recovery restored) when the first id was made,
     *         then counting up.
     */
    private long nextId()
    {
        if (!idsScanned)
        {
            scanIds();
            idsScanned = true;
        }
        if (nextSequence >= 1L << ID_SEQUENCE_BITS)
        {
            throw new IllegalStateException("core " + coreId + " has used up its address-space ids");
        }
        return idPrefix + nextSequence++;
    }

    private void scanIds()
    {
        final long highest = Math.max(idPrefix, spaces.highestOwnId());
        nextSequence = Math.max(nextSequence, highest - idPrefix + 1);
    }

    /** Copies the TLB's counters and the replica's sizes to the meters; every duty cycle. */
    public void refreshMetrics(final long nowNs)
    {
        metrics.refresh(nowNs);
    }

    /** @return changes awaiting their outcome or shootdown. */
    public int inFlight()
    {
        return inFlight;
    }

    /** @return loads and stores of the domain awaiting a frame's host. */
    public int accessesInFlight(final long domainId)
    {
        return (int)accessesInFlight.count(domainId);
    }

    /** @return whole microseconds. */
    static long toMicros(final long nanos)
    {
        return TimeUnit.NANOSECONDS.toMicros(nanos);
    }
}
