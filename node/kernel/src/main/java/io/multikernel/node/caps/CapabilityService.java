package io.multikernel.node.caps;

import io.micrometer.core.instrument.MeterRegistry;
import io.multikernel.node.caps.CapabilityMetrics.Operation;
import io.multikernel.node.caps.CapabilityResult.Outcome;
import io.multikernel.node.memory.PhysicalMemory;
import io.multikernel.replication.OutcomeListener;
import io.multikernel.replication.ParticipantSet;
import io.multikernel.replication.ReplicatedStates;
import io.multikernel.replication.TransactionId;
import io.multikernel.replication.TransactionOutcome;
import org.agrona.MutableDirectBuffer;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.NanoClock;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongToIntFunction;

/**
 * A core's capability operations, on its kernel loop: what its apps (over LRPC) and operators (over
 * the admin API) ask of the capability database. The core acts for the capabilities it holds: it
 * checks the request against its replica (held here, rights, the database's own rules), chooses the
 * ids of what the operation makes, and proposes one 2PC transaction with every core of the cluster
 * as participant, so the database is the same on every core once quiet. Every participant checks the
 * operation again under the transaction's locks, held from prepare to commit: two conflicting
 * operations proposed at once on two cores cannot both commit.
 *
 * <p>A core's memory server is this core: {@link #allocate} hands out RAM from this core's range of
 * its host's physical memory, zeroed before it is proposed. Frames on this core's host are read and
 * written here directly in the host's {@link PhysicalMemory}.
 *
 * <p>Ids: the objects and capabilities a core makes are numbered {@code (core + 1) << }{@value
 * #ID_SEQUENCE_BITS}{@code  | sequence}, the sequence above anything of this core's the replica
 * ever held (deleted ones included: the database keeps each core's highest id) or has in flight, so
 * ids never collide across cores and are never reused, not even after a restart of every core.
 */
public final class CapabilityService
{
    /** STATE_ID: the capability database among the engine's replicated states. */
    public static final int STATE_ID = 1;
    /** IN_FLIGHT_MAX: this core's capability transactions awaiting their outcome before it refuses more. */
    public static final int IN_FLIGHT_MAX = 256;
    /** CONFLICT_RETRIES_MAX: times one operation is proposed again after losing a lock conflict it has priority in. */
    public static final int CONFLICT_RETRIES_MAX = 5;
    /** CONFLICT_RETRY_DELAY_NS: wait before the first retry (the other transaction's abort or commit travels meanwhile); doubles per retry. */
    public static final long CONFLICT_RETRY_DELAY_NS = 1_000_000;
    /**
     * OWN_CONFLICT_WAIT_MAX_NS: longest an operation waits behind this core's own earlier operations
     * on a common lock (two allocations from this core's memory server, two retypes of one RAM)
     * before it is answered aborted; it is proposed again each time the lock is free here. Well inside
     * the callers' own timeouts (admin and LRPC, 5 s by default), so the abort reaches them as one.
     */
    public static final long OWN_CONFLICT_WAIT_MAX_NS = 2_000_000_000L;
    /**
     * OWN_CONFLICT_BACKOFF_SHIFT_MAX: an operation that lost to its own core's earlier one again waits
     * CONFLICT_RETRY_DELAY_NS << min(losses, this) before it looks at the lock again (1 to 16 ms), so
     * a lock still held on another core (which missed a decision) is not proposed against every 1 ms.
     */
    public static final int OWN_CONFLICT_BACKOFF_SHIFT_MAX = 4;
    /** FRAME_IO_LENGTH_MAX_BYTES: most bytes one frame read or write moves. */
    public static final int FRAME_IO_LENGTH_MAX_BYTES = 32 * 1024;
    /** ID_SEQUENCE_BITS: low bits of an id that number what one core made. */
    public static final int ID_SEQUENCE_BITS = CapabilityDatabase.ID_BLOCK_BITS;

    /** What the service needs of the core's replication. */
    public interface Proposer
    {
        /** @return why a proposal now would be refused at once, or null. */
        String proposalRefusal();

        /**
         * @param key a lock key of a replicated state, as {@link ReplicatedStates#lockKeys} makes it.
         * @return the transaction prepared here that holds it, or null.
         */
        TransactionId lockHolder(Object key);

        /** Proposes operations with every core of {@code replicas} as participant. */
        TransactionId propose(ParticipantSet replicas, List<ReplicatedStates.StateOperation> operations,
            OutcomeListener listener);
    }

    /** Told a request's result once, on the kernel loop. */
    @FunctionalInterface
    public interface Callback
    {
        void onResult(CapabilityResult result);
    }

    /**
     * Revokes a capability that mappings map into: unmaps them from their page tables, with their TLB
     * shootdowns, in the revoke's own transaction (the address-space service).
     */
    @FunctionalInterface
    public interface MappingRevoker
    {
        /** Answers {@code callback} once, on the kernel loop, after every shootdown. */
        void revoke(long capId, Callback callback);
    }

    /** The host's physical memory as this core sees it. */
    public record HostMemory(int hostId, PhysicalMemory memory, LongToIntFunction hostOfAddress)
    {
    }

    private final int coreId;
    private final ParticipantSet everyCore;
    private final CapabilityDatabase database;
    private final CapabilityMetrics metrics;
    private final NanoClock clock;
    private final HostMemory hostMemory;
    private final long idPrefix;
    /** Runs of this core's range in allocations awaiting their outcome, {base, length}; at most IN_FLIGHT_MAX. */
    private final List<long[]> pendingAllocations = new ArrayList<>();
    private ReplicatedStates.State<CapabilityOperation> state;
    private Proposer proposer;
    private MappingRevoker mappingRevoker;
    private FrameAccess frames;
    private long nextSequence = 1;
    private int inFlight;
    private long refreshedChanges = -1;
    /**
     * Operations waiting to be proposed again after a lock conflict, earliest due first (in the order
     * they came when due together); each counts as in flight, so at most IN_FLIGHT_MAX.
     */
    private final java.util.PriorityQueue<Retry> retries = new java.util.PriorityQueue<>(
        java.util.Comparator.comparingLong(Retry::dueNs).thenComparingLong(Retry::order));
    private long retryOrder;
    /** Retries put back during one {@link #doWork} pass, kept so that the pass allocates nothing. */
    private final List<Retry> retriesPutBack = new ArrayList<>();

    /**
     * An operation that lost a lock conflict it has priority in ({@code attempt} of
     * {@link #CONFLICT_RETRIES_MAX}), or one with this core's own earlier operation ({@code behindOwn},
     * the {@code ownWaits}-th time, bounded by time), to be proposed again at {@code dueNs}.
     */
    private record Retry(Operation operation, long startNs, Callback callback, CapabilityOperation capabilityOperation,
        List<Long> made, int attempt, int ownWaits, boolean behindOwn, long dueNs, long order)
    {
        /** @return the same operation, to be proposed again at {@code dueNs}. */
        Retry again(final int attempt, final boolean behindOwn, final long dueNs, final long order)
        {
            return new Retry(operation, startNs, callback, capabilityOperation, made, attempt, ownWaits, behindOwn, dueNs,
                order);
        }
    }

    /**
     * @param coreId         this core.
     * @param clusterCoreIds every core: each holds a replica and takes part in every transaction.
     * @param database       this core's replica.
     * @param hostMemory     the host's physical memory mapped in this process; null when frames' bytes
     *                       are not reachable here (every read and write is then refused).
     * @param registry       for {@code mk_caps_*}.
     * @param clock          the core's clock.
     */
    public CapabilityService(final int coreId, final int[] clusterCoreIds, final CapabilityDatabase database,
        final HostMemory hostMemory, final MeterRegistry registry, final NanoClock clock)
    {
        if (coreId < 0 || coreId >= 1 << (Long.SIZE - 1 - ID_SEQUENCE_BITS) - 1)
        {
            throw new IllegalArgumentException("core id " + coreId + " does not fit capability ids");
        }
        this.coreId = coreId;
        this.everyCore = ParticipantSet.of(clusterCoreIds);
        this.database = database;
        this.hostMemory = hostMemory;
        this.metrics = new CapabilityMetrics(registry);
        this.clock = clock;
        this.idPrefix = (coreId + 1L) << ID_SEQUENCE_BITS;
    }

    /**
     * Registers the database as {@link #STATE_ID} among the engine's replicated states; before the
     * engine starts, which replays the log into every state.
     */
    public void register(final ReplicatedStates states)
    {
        this.state = states.register(STATE_ID, "caps", database, CapabilityOperation.class);
    }

    /**
     * Connects the service to the core's replication once it exists; before that every request is
     * refused as unavailable.
     */
    public void attach(final Proposer proposer)
    {
        this.proposer = proposer;
    }

    /**
     * Connects the service that unmaps what a revoke takes away; without it a revoke with mappings
     * into its range is refused.
     */
    public void attachMappingRevoker(final MappingRevoker revoker)
    {
        this.mappingRevoker = revoker;
    }

    /** Sets how this core's apps reach frames on any host; once, by the core. */
    public void attachFrames(final FrameAccess frames)
    {
        this.frames = frames;
    }

    /** @return frame access for this core's apps, or null before the core attached it. */
    public FrameAccess frames()
    {
        return frames;
    }

    public int coreId()
    {
        return coreId;
    }

    /**
     * @param operation a capability operation.
     * @return it as an operation of the engine's replicated states, to go into a transaction with
     *         another state's operations (an address-space map and its frame's mapping count).
     */
    public ReplicatedStates.StateOperation stateOperation(final CapabilityOperation operation)
    {
        return state.operation(operation);
    }

    /** @return every core of the cluster: the participants of a capability change. */
    public ParticipantSet everyCore()
    {
        return everyCore;
    }

    /** @return this core's replica; kernel loop only. */
    public CapabilityDatabase database()
    {
        return database;
    }

    /** Refreshes the gauges when the replica changed; the kernel loop calls it every duty cycle. */
    public void refreshMetrics()
    {
        if (database.changes() != refreshedChanges)
        {
            refreshedChanges = database.changes();
            metrics.refresh(database, coreId);
        }
    }

    CapabilityMetrics metrics()
    {
        return metrics;
    }

    /**
     * This core's memory server hands out {@code bytes} of RAM, held by this core.
     */
    public void allocate(final long bytes, final Callback callback)
    {
        final long startNs = clock.nanoTime();
        final PhysicalRange range = database.serverRanges().get(coreId);
        final String size = CapabilityType.RAM.sizeProblem(bytes);
        if (null == range)
        {
            finish(Operation.ALLOCATE, callback,
                CapabilityResult.refused(Outcome.INVALID, "core " + coreId + " has no memory server range"));
            return;
        }
        if (null != size)
        {
            finish(Operation.ALLOCATE, callback, CapabilityResult.refused(Outcome.INVALID, size));
            return;
        }
        final long base = firstFit(range, bytes);
        if (base < 0)
        {
            finish(Operation.ALLOCATE, callback, CapabilityResult.refused(Outcome.CONFLICT,
                "core " + coreId + "'s memory server has no free run of " + bytes + " bytes (" +
                database.freeBytes(coreId) + " bytes free in all); delete or revoke RAM first"));
            return;
        }
        final String unavailable = unavailable();
        if (null != unavailable)
        {
            finish(Operation.ALLOCATE, callback, CapabilityResult.refused(Outcome.UNAVAILABLE, unavailable));
            return;
        }
        if (null != hostMemory && hostMemory.memory().contains(base, bytes))
        {
            hostMemory.memory().zero(base, bytes);
        }
        final long objectId = nextId(1);
        final long capId = nextId(1);
        final long[] run = { base, bytes };
        pendingAllocations.add(run);
        propose(Operation.ALLOCATE, startNs, result ->
        {
            pendingAllocations.remove(run);
            callback.onResult(result);
        }, new CapabilityOperation.Allocate(coreId, base, bytes, objectId, capId, coreId), List.of(capId));
    }

    /**
     * Sets aside {@code bytes} of this core's memory server for an operation this core proposes (a
     * map's leaf page tables), so that no allocation proposed meanwhile takes them.
     *
     * @return the run, {@code {base, bytes}}, or null when this core has no memory server or no free
     *         run that long; {@link #release} it once the operation's transaction has ended.
     */
    public long[] reserve(final long bytes)
    {
        final PhysicalRange range = database.serverRanges().get(coreId);
        final long base = null == range ? -1 : firstFit(range, bytes);
        if (base < 0)
        {
            return null;
        }
        final long[] run = { base, bytes };
        pendingAllocations.add(run);
        return run;
    }

    /** Gives back a run {@link #reserve} set aside (that one, even when another has the same base). */
    public void release(final long[] run)
    {
        pendingAllocations.removeIf(pending -> pending == run);
    }

    /**
     * Retype {@code count} objects of {@code type} from the held capability {@code capId}.
     */
    public void retype(final long capId, final CapabilityType type, final long offset, final long objectLength,
        final int count, final Callback callback)
    {
        final long startNs = clock.nanoTime();
        final CapabilityResult refusal = held(capId, 0);
        if (null != refusal)
        {
            finish(Operation.RETYPE, callback, refusal);
            return;
        }
        final int boundedCount = Math.max(0, Math.min(count, CapabilityDatabase.RETYPE_COUNT_MAX));
        final long firstObjectId = nextIdPeek(boundedCount);
        final long firstCapId = firstObjectId + boundedCount;
        final CapabilityOperation.Retype retype = new CapabilityOperation.Retype(capId, offset, type, objectLength, count,
            firstObjectId, firstCapId, coreId);
        final List<Long> made = new ArrayList<>();
        for (int i = 0; i < boundedCount; i++)
        {
            made.add(firstCapId + i);
        }
        final String elsewhere = framesOfAnotherHost(capId, type);
        if (null != elsewhere)
        {
            finish(Operation.RETYPE, callback, CapabilityResult.refused(Outcome.INVALID, elsewhere));
            return;
        }
        final TransactionId locker = sourceLocker(retype);
        if (null != locker)
        {
            if (locker.coordinatorCoreId() != coreId)
            {
                finish(Operation.RETYPE, callback, CapabilityResult.refused(Outcome.ABORTED, lockedSentence(retype, locker)));
            }
            else if (checkAndWait(startNs, callback, retype, made))
            {
                nextId(2 * boundedCount);
            }
            return;
        }
        if (checkAndPropose(Operation.RETYPE, startNs, callback, retype, made, () -> zeroNewFrames(retype)))
        {
            nextId(2 * boundedCount);
        }
    }

    /**
     * @return why a retype into frames may not zero them now (a transaction prepared here holds its
     *         source, as a participant would vote), or null; null for other retypes.
     */
    private String sourceLocked(final CapabilityOperation.Retype retype)
    {
        final TransactionId locker = sourceLocker(retype);
        return null == locker ? null : lockedSentence(retype, locker);
    }

    /** @return the transaction prepared here that holds the source of a retype into frames, or null. */
    private TransactionId sourceLocker(final CapabilityOperation.Retype retype)
    {
        if (CapabilityType.FRAME != retype.type() || null == proposer)
        {
            return null;
        }
        final Capability source = database.capability(retype.sourceCapId());
        return null == source ? null :
            proposer.lockHolder(new ReplicatedStates.StateKey(STATE_ID, CapabilityLock.object(source.objectId())));
    }

    private static String lockedSentence(final CapabilityOperation.Retype retype, final TransactionId locker)
    {
        return "capability " + retype.sourceCapId() + "'s object is locked by transaction " + locker +
            "; nothing changed, retry shortly";
    }

    /**
     * A retype into frames whose source a transaction of this core's holds here (an earlier
     * operation of this core, prepared and not yet decided): once it passes this replica's checks it
     * waits, counted in flight, until the source is free here, as an operation that lost its lock to
     * this core's earlier one does ({@link #doWork}: at most {@link #OWN_CONFLICT_WAIT_MAX_NS} from
     * {@code startNs}), and is then checked again, zeroed and proposed.
     *
     * @return true when it waits; false when it was answered.
     */
    private boolean checkAndWait(final long startNs, final Callback callback, final CapabilityOperation.Retype retype,
        final List<Long> made)
    {
        final String problem = database.validate(retype);
        final String unavailable = null == problem ? unavailable() : null;
        if (null != problem || null != unavailable)
        {
            finish(Operation.RETYPE, callback, null != problem ?
                CapabilityResult.refused(classify(problem), problem) : CapabilityResult.refused(Outcome.UNAVAILABLE, unavailable));
            return false;
        }
        inFlight++;
        retries.add(new Retry(Operation.RETYPE, startNs, callback, retype, made, 0, 0, true,
            clock.nanoTime() + CONFLICT_RETRY_DELAY_NS, retryOrder++));
        return true;
    }

    /**
     * New frames start zeroed, so a holder never reads what an earlier frame there held. Done just
     * before the retype is proposed, once it passed this replica's checks: no live object covers
     * the range and no transaction prepared here holds the source, so nobody reads or writes those
     * bytes until a retype of them commits, which is after this. RAM in another host's memory is
     * refused before this ({@link #framesOfAnotherHost}); sub-frames of a frame keep its bytes.
     */
    private void zeroNewFrames(final CapabilityOperation.Retype retype)
    {
        final Capability held = database.capability(retype.sourceCapId());
        if (CapabilityType.FRAME != retype.type() || null == hostMemory || null == held)
        {
            return;
        }
        final long offset = retype.offset();
        final int count = Math.max(0, Math.min(retype.count(), CapabilityDatabase.RETYPE_COUNT_MAX));
        final long objectLength = retype.objectLength();
        final KernelObject source = database.object(held.objectId());
        if (CapabilityType.RAM != source.type())
        {
            return; // sub-frames of a live frame show its bytes
        }
        final long base = source.base() + offset;
        final long length = objectLength * count;
        if (hostMemory.memory().contains(base, length))
        {
            hostMemory.memory().zero(base, length);
        }
    }

    /**
     * New frames are zeroed by the core that retypes them, in its host's memory: RAM of another
     * host is retyped into frames by a core of that host.
     *
     * @return null, or why this core does not make frames of that RAM.
     */
    private String framesOfAnotherHost(final long capId, final CapabilityType type)
    {
        if (CapabilityType.FRAME != type || null == hostMemory)
        {
            return null;
        }
        final KernelObject source = database.object(database.capability(capId).objectId());
        if (CapabilityType.RAM != source.type() || hostMemory.memory().contains(source.base(), source.length()))
        {
            return null;
        }
        return "capability " + capId + "'s RAM is in host " + hostMemory.hostOfAddress().applyAsInt(source.base()) +
            "'s memory and core " + coreId + " is on host " + hostMemory.hostId() +
            ": frames, which start zeroed, are made from it by a core of that host (copy the capability there)";
    }

    /** Copy the held capability to {@code toCore}, same rights. */
    public void copy(final long capId, final int toCore, final Callback callback)
    {
        give(Operation.COPY, capId, toCore, Rights.ALL, callback);
    }

    /** Copy the held capability to {@code toCore} with {@code rights & rightsMask}. */
    public void mint(final long capId, final int toCore, final int rightsMask, final Callback callback)
    {
        give(Operation.MINT, capId, toCore, rightsMask, callback);
    }

    private void give(final Operation operation, final long capId, final int toCore, final int rightsMask,
        final Callback callback)
    {
        final long startNs = clock.nanoTime();
        CapabilityResult refusal = held(capId, 0);
        if (null == refusal && !everyCore.contains(toCore))
        {
            refusal = CapabilityResult.refused(Outcome.INVALID, "core " + toCore + " is not in the cluster map");
        }
        if (null != refusal)
        {
            finish(operation, callback, refusal);
            return;
        }
        final long newCapId = nextIdPeek(1);
        final CapabilityOperation give = Operation.COPY == operation ?
            new CapabilityOperation.Copy(capId, newCapId, toCore) :
            new CapabilityOperation.Mint(capId, newCapId, toCore, rightsMask);
        if (checkAndPropose(operation, startNs, callback, give, List.of(newCapId)))
        {
            nextId(1);
        }
    }

    /** Delete the held capability; the last copy returns its memory. */
    public void delete(final long capId, final Callback callback)
    {
        final long startNs = clock.nanoTime();
        final CapabilityResult refusal = held(capId, 0);
        if (null != refusal)
        {
            finish(Operation.DELETE, callback, refusal);
            return;
        }
        checkAndPropose(Operation.DELETE, startNs, callback, new CapabilityOperation.Delete(capId), List.of());
    }

    /** Revoke every other copy and every descendant of the held capability, on every core. */
    public void revoke(final long capId, final Callback callback)
    {
        final long startNs = clock.nanoTime();
        final CapabilityResult refusal = held(capId, 0);
        if (null != refusal)
        {
            finish(Operation.REVOKE, callback, refusal);
            return;
        }
        if (null != mappingRevoker && !database.mappingCapabilities().containsKey(capId) &&
            !database.mappingsUnder(capId).isEmpty())
        {
            mappingRevoker.revoke(capId, result ->
            {
                metrics.latency(Operation.REVOKE, clock.nanoTime() - startNs);
                metrics.outcome(Operation.REVOKE, result.outcome());
                callback.onResult(result);
            });
            return;
        }
        checkAndPropose(Operation.REVOKE, startNs, callback, new CapabilityOperation.Revoke(capId), List.of());
    }

    /**
     * @return what the held capability refers to (it needs the identify right).
     * @throws CapabilityException when it is missing, not held here or lacks the right.
     */
    public CapabilityView identify(final long capId) throws CapabilityException
    {
                final CapabilityResult refusal = held(capId, Rights.IDENTIFY);
        if (null != refusal)
        {
            count(Operation.IDENTIFY, refusal.outcome());
            throw new CapabilityException(refusal);
        }
        count(Operation.IDENTIFY, Outcome.DONE);
        return view(database.capability(capId));
    }

    /** @return the replica's view of a capability (any holder), or null. */
    public CapabilityView lookup(final long capId)
    {
        final Capability capability = database.capability(capId);
        return null == capability ? null : view(capability);
    }

    CapabilityView view(final Capability capability)
    {
        final KernelObject object = database.object(capability.objectId());
        return new CapabilityView(capability.capId(), object.objectId(), object.type(), object.base(), object.length(),
            capability.rights(), capability.holderCore(), object.ownerCore(), object.parentId(),
            database.copies(object.objectId()).size(), database.children(object.objectId()).size());
    }

    /**
     * Reads {@code length} bytes at {@code offset} of a Frame this core holds, with the read right,
     * in this host's memory.
     *
     * @throws CapabilityException with one sentence when refused; nothing read.
     */
    public void read(final long capId, final long offset, final int length, final MutableDirectBuffer target,
        final int targetOffset) throws CapabilityException
    {
        read(coreId, capId, offset, length, target, targetOffset);
    }

    /**
     * Reads for an app of {@code requesterCore}: the capability must be held by that core, the frame
     * be in this host's memory and not locked by a transaction prepared here.
     *
     * @throws CapabilityException with one sentence when refused; nothing read.
     */
    public void read(final int requesterCore, final long capId, final long offset, final int length,
        final MutableDirectBuffer target, final int targetOffset) throws CapabilityException
    {
        final KernelObject frame = localFrame(Operation.READ, requesterCore, capId, Rights.READ, offset, length);
        hostMemory.memory().load(frame.base() + offset, target, targetOffset, length);
        count(Operation.READ, Outcome.DONE);
    }

    /**
     * Writes {@code length} bytes at {@code offset} of a Frame this core holds, with the write right,
     * in this host's memory.
     *
     * @throws CapabilityException with one sentence when refused; nothing written.
     */
    public void write(final long capId, final long offset, final DirectBuffer source, final int sourceOffset,
        final int length) throws CapabilityException
    {
        write(coreId, capId, offset, source, sourceOffset, length);
    }

    /**
     * Writes for an app of {@code requesterCore}; as {@link #read(int, long, long, int, MutableDirectBuffer, int)}.
     *
     * @throws CapabilityException with one sentence when refused; nothing written.
     */
    public void write(final int requesterCore, final long capId, final long offset, final DirectBuffer source,
        final int sourceOffset, final int length) throws CapabilityException
    {
        final KernelObject frame = localFrame(Operation.WRITE, requesterCore, capId, Rights.WRITE, offset, length);
        hostMemory.memory().store(frame.base() + offset, source, sourceOffset, length);
        count(Operation.WRITE, Outcome.DONE);
    }

    /**
     * Checks a frame access by an app of this core against this replica, wherever the frame is.
     *
     * @return the host whose memory holds the frame.
     * @throws CapabilityException with one sentence when refused (counted).
     */
    public int frameHost(final long capId, final boolean write, final long offset, final int length)
        throws CapabilityException
    {
        return frameHost(coreId, capId, write, offset, length);
    }

    /** As {@link #frameHost(long, boolean, long, int)}, checked as if {@code requesterCore} asked. */
    public int frameHost(final int requesterCore, final long capId, final boolean write, final long offset, final int length)
        throws CapabilityException
    {
        final Operation operation = write ? Operation.WRITE : Operation.READ;
        final KernelObject frame = checkedFrame(operation, requesterCore, capId, write ? Rights.WRITE : Rights.READ, offset,
            length);
        return null == hostMemory ? -1 : hostMemory.hostOfAddress().applyAsInt(frame.base());
    }

    /** @return true when the frames of {@code hostId} are in the memory this core maps. */
    public boolean isThisHost(final int hostId)
    {
        return null != hostMemory && hostMemory.hostId() == hostId;
    }

    private KernelObject localFrame(final Operation operation, final int requesterCore, final long capId, final int right,
        final long offset, final int length) throws CapabilityException
    {
        final KernelObject frame = checkedFrame(operation, requesterCore, capId, right, offset, length);
        CapabilityResult refusal = null;
        final TransactionId locker = null == proposer ? null :
            proposer.lockHolder(new ReplicatedStates.StateKey(STATE_ID, CapabilityLock.object(frame.objectId())));
        if (null != locker)
        {
            refusal = CapabilityResult.refused(Outcome.UNAVAILABLE, "frame " + capId + " is locked by transaction " +
                locker + ", which may change or remove it; retry shortly");
        }
        else if (null == hostMemory || !hostMemory.memory().contains(frame.base() + offset, length))
        {
            final int host = null == hostMemory ? -1 : hostMemory.hostOfAddress().applyAsInt(frame.base());
            refusal = CapabilityResult.refused(Outcome.UNAVAILABLE, "frame " + capId + " is in the memory of host " +
                host + ", not core " + coreId + "'s host");
        }
        if (null != refusal)
        {
            count(operation, refusal.outcome());
            throw new CapabilityException(refusal);
        }
        return frame;
    }

    private KernelObject checkedFrame(final Operation operation, final int requesterCore, final long capId,
        final int right, final long offset, final int length) throws CapabilityException
    {
        CapabilityResult refusal = held(requesterCore, capId, right);
        KernelObject frame = null;
        if (null == refusal)
        {
            frame = database.object(database.capability(capId).objectId());
            refusal = frameProblem(frame, capId, offset, length);
        }
        if (null != refusal)
        {
            count(operation, refusal.outcome());
            throw new CapabilityException(refusal);
        }
        return frame;
    }

    private static CapabilityResult frameProblem(final KernelObject frame, final long capId, final long offset,
        final int length)
    {
        if (CapabilityType.FRAME != frame.type())
        {
            return CapabilityResult.refused(Outcome.INVALID, "capability " + capId + " is a " + frame.type() +
                ", not a FRAME; only a frame's bytes are read and written");
        }
        if (length < 0 || length > FRAME_IO_LENGTH_MAX_BYTES || offset < 0 || offset > frame.length() - length)
        {
            // The end exact however large the offset: a long would wrap and print a negative end.
            final java.math.BigInteger end = java.math.BigInteger.valueOf(offset).add(java.math.BigInteger.valueOf(length));
            return CapabilityResult.refused(Outcome.INVALID, "bytes " + offset + ".." + end +
                " are outside frame " + capId + "'s " + frame.length() + " bytes, or more than " +
                FRAME_IO_LENGTH_MAX_BYTES + " at once");
        }
        return null;
    }

    private CapabilityResult held(final long capId, final int rights)
    {
        return held(coreId, capId, rights);
    }

    /** Refusal when the capability is missing, held by a core other than the requester, or lacks {@code rights}. */
    private CapabilityResult held(final int requesterCore, final long capId, final int rights)
    {
        final Capability capability = database.capability(capId);
        if (null == capability)
        {
            return CapabilityResult.refused(Outcome.NOT_FOUND, "capability " + capId + " does not exist");
        }
        if (capability.holderCore() != requesterCore)
        {
            return CapabilityResult.refused(Outcome.FORBIDDEN, "capability " + capId + " is held by core " +
                capability.holderCore() + ", not core " + requesterCore + "; ask core " + capability.holderCore());
        }
        if (!Rights.includes(capability.rights(), rights))
        {
            return CapabilityResult.refused(Outcome.FORBIDDEN, "capability " + capId + " has rights " +
                Rights.format(capability.rights()) + " and lacks " + Rights.format(rights & ~capability.rights()));
        }
        return null;
    }

    /**
     * Checks the operation against this replica and proposes it.
     *
     * @return true when proposed.
     */
    private boolean checkAndPropose(final Operation operation, final long startNs, final Callback callback,
        final CapabilityOperation capabilityOperation, final List<Long> made)
    {
        return checkAndPropose(operation, startNs, callback, capabilityOperation, made, () -> { });
    }

    /** As above, running {@code beforePropose} once the checks passed, right before proposing. */
    private boolean checkAndPropose(final Operation operation, final long startNs, final Callback callback,
        final CapabilityOperation capabilityOperation, final List<Long> made, final Runnable beforePropose)
    {
        final String problem = database.validate(capabilityOperation);
        if (null != problem)
        {
            finish(operation, callback, CapabilityResult.refused(classify(problem), problem));
            return false;
        }
        final String unavailable = unavailable();
        if (null != unavailable)
        {
            finish(operation, callback, CapabilityResult.refused(Outcome.UNAVAILABLE, unavailable));
            return false;
        }
        beforePropose.run();
        return null != propose(operation, startNs, callback, capabilityOperation, made);
    }

    /** @return the outcome class of a refusal sentence of {@link CapabilityDatabase#validate}. */
    public static Outcome classify(final String problem)
    {
        if (problem.endsWith("revoke first") || problem.endsWith("unmap first") || problem.contains("already") ||
            problem.endsWith("destroy the domain first") || problem.endsWith("retry it") ||
            problem.endsWith("unmap some first"))
        {
            return Outcome.CONFLICT;
        }
        if (problem.endsWith("does not exist"))
        {
            return Outcome.NOT_FOUND;
        }
        return problem.contains(" lacks the ") ? Outcome.FORBIDDEN : Outcome.INVALID;
    }

    private String unavailable()
    {
        if (null == proposer)
        {
            return "core " + coreId + " is starting; retry shortly";
        }
        if (inFlight >= IN_FLIGHT_MAX)
        {
            return "core " + coreId + " has IN_FLIGHT_MAX=" + IN_FLIGHT_MAX + " capability operations in flight; retry shortly";
        }
        return proposer.proposalRefusal();
    }

    /**
     * @return how long an operation that lost its lock to its own core's earlier transaction for the
     *         {@code attempt}-th time waits before it goes again: 1, 2, 4... 16 ms.
     */
    public static long ownConflictDelayNs(final int attempt)
    {
        return CONFLICT_RETRY_DELAY_NS << Math.min(attempt, OWN_CONFLICT_BACKOFF_SHIFT_MAX);
    }

    private TransactionId propose(final Operation operation, final long startNs, final Callback callback,
        final CapabilityOperation capabilityOperation, final List<Long> made)
    {
        inFlight++;
        return proposeCounted(operation, startNs, callback, capabilityOperation, made, 0, 0);
    }

    /** Proposes an operation already counted in flight; on failure it is answered and uncounted. */
    private TransactionId proposeCounted(final Operation operation, final long startNs, final Callback callback,
        final CapabilityOperation capabilityOperation, final List<Long> made, final int attempt, final int ownWaits)
    {
        try
        {
            return proposer.propose(everyCore, List.of(state.operation(capabilityOperation)),
                (id, outcome) -> onOutcome(operation, startNs, callback, capabilityOperation, id, outcome, made, attempt,
                    ownWaits));
        }
        catch (final RuntimeException ex)
        {
            inFlight--;
            finish(operation, callback, CapabilityResult.refused(Outcome.UNAVAILABLE,
                "core " + coreId + " could not propose the operation: " + ex.getMessage()));
            return null;
        }
    }

    /**
     * Two operations whose locks collide can abort each other (a participant's lock never waits, and
     * each may lock first on a different core). Each then learns from its abort which transaction held
     * the key; the one with the lower id proposes again after a short delay, the other is answered
     * aborted, so of two overlapping retypes one succeeds. At most {@link #CONFLICT_RETRIES_MAX}
     * times, and only for a lock conflict; waits behind this core's own earlier operations do not
     * count toward them.
     */
    private void onOutcome(final Operation operation, final long startNs, final Callback callback,
        final CapabilityOperation capabilityOperation, final TransactionId id, final TransactionOutcome outcome,
        final List<Long> made, final int attempt, final int ownWaits)
    {
        final TransactionId conflict = outcome.lockConflictWith();
        // This core proposes its own operations in order and every participant prepares them in that
        // order, so one that lost to an earlier one of this core's never made that one abort: it
        // waits for it and goes again, bounded by time rather than by count.
        final boolean behindOwn = null != conflict && conflict.precedesFromSameCoordinator(id);
        final long nowNs = clock.nanoTime();
        if (behindOwn && nowNs - startNs < OWN_CONFLICT_WAIT_MAX_NS)
        {
            retries.add(new Retry(operation, startNs, callback, capabilityOperation, made, attempt, ownWaits + 1, true,
                nowNs + ownConflictDelayNs(ownWaits), retryOrder++));
            return;
        }
        if (null != conflict && id.compareTo(conflict) < 0 && attempt < CONFLICT_RETRIES_MAX)
        {
            retries.add(new Retry(operation, startNs, callback, capabilityOperation, made, attempt + 1, ownWaits, false,
                nowNs + (CONFLICT_RETRY_DELAY_NS << attempt), retryOrder++));
            return;
        }
        inFlight--;
        final CapabilityResult result = switch (outcome.status())
        {
            case COMMITTED -> new CapabilityResult(Outcome.COMMITTED, null, id.toString(), made);
            case ABORTED -> new CapabilityResult(Outcome.ABORTED, outcome.reason(), id.toString(), List.of());
            case INDEFINITE -> new CapabilityResult(Outcome.INDEFINITE, outcome.reason(), id.toString(), made);
        };
        metrics.latency(operation, clock.nanoTime() - startNs);
        metrics.outcome(operation, result.outcome());
        callback.onResult(result);
    }

    /**
     * Proposes again the operations whose retry is due, each checked against the replica first (the
     * transaction it collided with may have committed meanwhile: the answer is then that refusal).
     * Called every duty cycle of the kernel loop.
     *
     * @param nowNs the loop's time.
     * @return operations proposed or answered.
     */
    public int doWork(final long nowNs)
    {
        int work = 0;
        final List<Retry> later = retriesPutBack;
        try
        {
            while (!retries.isEmpty() && retries.peek().dueNs() - nowNs <= 0)
            {
                final Retry retry = retries.poll();
                work++;
                final String problem = database.validate(retry.capabilityOperation());
                final String unavailable = null == problem ? proposer.proposalRefusal() : null;
                final String locked = null != problem || null != unavailable ? null : retry.behindOwn() ?
                    lockedHere(retry.capabilityOperation()) :
                    retry.capabilityOperation() instanceof CapabilityOperation.Retype r ? sourceLocked(r) : null;
                if (null != locked && retry.behindOwn() && nowNs - retry.startNs() < OWN_CONFLICT_WAIT_MAX_NS)
                {
                    // Its lock is still held by a transaction prepared here: look again shortly, propose nothing.
                    later.add(retry.again(retry.attempt(), true, nowNs + CONFLICT_RETRY_DELAY_NS, retryOrder++));
                    continue;
                }
                if (null != locked && !retry.behindOwn() && retry.attempt() < CONFLICT_RETRIES_MAX)
                {
                    // The transaction it collided with is still prepared here: wait for it as a conflict.
                    later.add(retry.again(retry.attempt() + 1, false, nowNs + (CONFLICT_RETRY_DELAY_NS << retry.attempt()),
                        retryOrder++));
                    continue;
                }
                if (null != problem || null != unavailable || null != locked)
                {
                    inFlight--;
                    metrics.latency(retry.operation(), clock.nanoTime() - retry.startNs());
                    finish(retry.operation(), retry.callback(), null != problem ?
                        CapabilityResult.refused(classify(problem), problem) : null != locked ?
                        CapabilityResult.refused(Outcome.ABORTED, locked) :
                        CapabilityResult.refused(Outcome.UNAVAILABLE, unavailable));
                    continue;
                }
                if (retry.capabilityOperation() instanceof CapabilityOperation.Retype r)
                {
                    // Zeroed again, as before the first proposal: a retype that won the lock race may have
                    // committed, been written and deleted since.
                    zeroNewFrames(r);
                }
                proposeCounted(retry.operation(), retry.startNs(), retry.callback(), retry.capabilityOperation(),
                    retry.made(), retry.attempt(), retry.ownWaits());
            }
        }
        finally
        {
            // Waiting ones go back after the pass, so that none is looked at twice in it.
            retries.addAll(later);
            later.clear();
        }
        return work;
    }

    /**
     * @return which transaction prepared here holds a lock the operation takes, as a sentence, or null.
     */
    private String lockedHere(final CapabilityOperation operation)
    {
        return lockedHere(proposer, STATE_ID, database.lockKeys(operation));
    }

    /**
     * @param proposer this core's engine.
     * @param stateId  the replicated state the keys belong to.
     * @param keys     lock keys of that state, as its machine makes them.
     * @return which transaction prepared on this core holds one of the keys, as a sentence, or null.
     */
    public static String lockedHere(final Proposer proposer, final int stateId, final java.util.Collection<?> keys)
    {
        for (final Object key : keys)
        {
            final TransactionId holder = proposer.lockHolder(new ReplicatedStates.StateKey(stateId, key));
            if (null != holder)
            {
                return "key " + key + " is locked by transaction " + holder + "; nothing changed, retry shortly";
            }
        }
        return null;
    }

    private void finish(final Operation operation, final Callback callback,
        final CapabilityResult result)
    {
        count(operation, result.outcome());
        callback.onResult(result);
    }

    void count(final Operation operation, final Outcome outcome)
    {
        metrics.outcome(operation, outcome);
    }

    /** First page-aligned free run of this core's range, counting allocations in flight; -1 if none. */
    private long firstFit(final PhysicalRange range, final long bytes)
    {
        final List<long[]> taken = new ArrayList<>(pendingAllocations);
        for (final KernelObject object : database.objects().values())
        {
            if (KernelObject.ROOT == object.parentId() && object.ownerCore() == coreId)
            {
                taken.add(new long[]{ object.base(), object.length() });
            }
        }
        taken.sort((a, b) -> Long.compare(a[0], b[0]));
        long candidate = range.base();
        for (final long[] run : taken)
        {
            if (run[0] - candidate >= bytes)
            {
                break;
            }
            candidate = Math.max(candidate, run[0] + run[1]);
        }
        return range.contains(candidate, bytes) ? candidate : -1;
    }

    /** @return the first of {@code count} fresh ids, without taking them. */
    private long nextIdPeek(final int count)
    {
        final long highest = Math.max(idPrefix, database.highestIdUsed(idPrefix >>> ID_SEQUENCE_BITS));
        final long sequence = Math.max(nextSequence, highest - idPrefix + 1);
        if (sequence + count >= 1L << ID_SEQUENCE_BITS)
        {
            throw new IllegalStateException("core " + coreId + " has used up its capability ids");
        }
        nextSequence = sequence;
        return idPrefix + sequence;
    }

    /**
     * Takes {@code count} fresh capability and object ids, for an operation another service proposes
     * (a map's MAPPING capability); on the kernel loop.
     *
     * @return the first; the others follow it.
     */
    public long takeIds(final int count)
    {
        return nextId(count);
    }

    /** Takes {@code count} fresh ids. */
    private long nextId(final int count)
    {
        final long first = nextIdPeek(count);
        nextSequence += count;
        return first;
    }
}
