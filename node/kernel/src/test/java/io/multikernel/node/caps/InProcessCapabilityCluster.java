package io.multikernel.node.caps;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.multikernel.node.memory.PhysicalMemory;
import io.multikernel.replication.OutcomeListener;
import io.multikernel.replication.ParticipantSet;
import io.multikernel.replication.ReplicatedStates;
import io.multikernel.replication.TransactionId;
import io.multikernel.replication.TransactionOutcome;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Capability services of several cores in one process, for unit tests: each core has its own
 * replica; a proposal is queued and, when {@link #deliver()}ed, validated on every participant's
 * replica and applied on all of them (committed) or on none (aborted with the first refusal). The
 * engine's real protocol, locks and failures are tested elsewhere; this checks what the service
 * does around it.
 */
final class InProcessCapabilityCluster implements AutoCloseable
{
    static final long PAGE = CapabilityType.PAGE_LENGTH_BYTES;
    /** Each core's memory server: 64 pages, core c's at (c + 1) MiB; all on host 0. */
    static final long SERVER_BYTES = 64 * PAGE;
    static final long HOST_BYTES = 8L << 20;

    final int[] cores;
    final List<CapabilityService> services = new ArrayList<>();
    final Map<Object, TransactionId> locked = new HashMap<>();
    /** Host 0's memory (every core's, with one host); null when the cluster maps none. */
    final PhysicalMemory memory;
    final List<PhysicalMemory> memories = new ArrayList<>();
    final List<FrameAccess> frames = new ArrayList<>();
    private final int hostCount;
    private final Deque<Proposal> queue = new ArrayDeque<>();
    private final Deque<Runnable> messages = new ArrayDeque<>();
    private long sequence;
    boolean failProposals;

    private record Proposal(TransactionId id, ParticipantSet replicas, List<ReplicatedStates.StateOperation> operations,
        OutcomeListener listener)
    {
    }

    /** One host, its memory in {@code memoryFile} (none when null). */
    InProcessCapabilityCluster(final int coreCount, final Path memoryFile)
    {
        this(coreCount, 1, null == memoryFile ? null : memoryFile.getParent(), null == memoryFile ? null :
            memoryFile.getFileName().toString());
    }

    /**
     * Core c on host {@code c % hostCount}; host h's memory in {@code directory/host-h.memory} at
     * {@code h << 40}.
     */
    InProcessCapabilityCluster(final int coreCount, final int hostCount, final Path directory)
    {
        this(coreCount, hostCount, directory, null);
    }

    private InProcessCapabilityCluster(final int coreCount, final int hostCount, final Path directory,
        final String singleFile)
    {
        this.hostCount = hostCount;
        cores = new int[coreCount];
        final Map<Integer, PhysicalRange> ranges = new HashMap<>();
        for (int c = 0; c < coreCount; c++)
        {
            cores[c] = c;
            ranges.put(c, serverRange(c));
        }
        for (int h = 0; null != directory && h < hostCount; h++)
        {
            memories.add(PhysicalMemory.map(directory.resolve(null != singleFile ? singleFile : "host-" + h + ".memory"),
                (long)h << 40, HOST_BYTES));
        }
        memory = memories.isEmpty() ? null : memories.get(0);
        for (int c = 0; c < coreCount; c++)
        {
            final SimpleMeterRegistry registry = new SimpleMeterRegistry();
            final int hostId = c % hostCount;
            final CapabilityService.HostMemory host = memories.isEmpty() ? null :
                new CapabilityService.HostMemory(hostId, memories.get(hostId), address -> (int)(address >>> 40));
            final CapabilityService service = new CapabilityService(c, cores, new CapabilityDatabase(ranges), host,
                registry, new SystemNanoClock());
            service.register(new ReplicatedStates());
            final int coreId = c;
            service.attach(new CapabilityService.Proposer()
            {
                public String proposalRefusal()
                {
                    return null;
                }

                public TransactionId lockHolder(final Object key)
                {
                    return locked.get(key);
                }

                public TransactionId propose(final ParticipantSet replicas,
                    final List<ReplicatedStates.StateOperation> operations, final OutcomeListener listener)
                {
                    if (failProposals)
                    {
                        throw new IllegalStateException("the engine is closed");
                    }
                    final TransactionId id = new TransactionId(coreId, 1, ++sequence);
                    queue.add(new Proposal(id, replicas, operations, listener));
                    return id;
                }
            });
            services.add(service);
        }
        for (int c = 0; c < coreCount; c++)
        {
            final int self = c;
            final FrameAccess access = new FrameAccess(services.get(c), new FrameAccess.Sender()
            {
                public boolean sendRequest(final int destination, final long correlationId, final int holderCore,
                    final long capId, final long offset, final int readLength, final boolean write, final DirectBuffer data,
                    final int dataOffset, final int dataLength)
                {
                    if (down.contains(destination))
                    {
                        return false;
                    }
                    final UnsafeBuffer copy = copy(data, dataOffset, dataLength);
                    messages.add(() -> frames.get(destination).onRequest(self, correlationId, holderCore, capId, offset, readLength,
                        write, copy, 0, copy.capacity()));
                    return true;
                }

                public boolean sendReply(final int destination, final long correlationId, final int outcomeOrdinal,
                    final DirectBuffer data, final int dataOffset, final int dataLength, final String message)
                {
                    final UnsafeBuffer copy = copy(data, dataOffset, dataLength);
                    messages.add(() -> frames.get(destination).onReply(self, correlationId, outcomeOrdinal, copy, 0,
                        copy.capacity(), message));
                    return true;
                }
            }, host -> hostCores(host), new SystemNanoClock());
            services.get(c).attachFrames(access);
            frames.add(access);
        }
    }

    /** Cores that take no frame requests (their sends fail as if not connected). */
    final java.util.Set<Integer> down = new java.util.HashSet<>();

    private static UnsafeBuffer copy(final DirectBuffer data, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        data.getBytes(offset, bytes);
        return new UnsafeBuffer(bytes);
    }

    private List<Integer> hostCores(final int host)
    {
        final List<Integer> found = new ArrayList<>();
        for (final int core : cores)
        {
            if (core % hostCount == host)
            {
                found.add(core);
            }
        }
        return found;
    }

    /** The memory server range of a core of a one-host cluster. */
    static PhysicalRange range(final int core)
    {
        return new PhysicalRange((core + 1L) << 20, SERVER_BYTES);
    }

    /** The memory server range of a core: inside its host's window. */
    PhysicalRange serverRange(final int core)
    {
        return new PhysicalRange(((long)(core % hostCount) << 40) + ((core + 1L) << 20), SERVER_BYTES);
    }

    CapabilityService core(final int core)
    {
        return services.get(core);
    }

    int queued()
    {
        return queue.size();
    }

    /** Decides every queued proposal, in order, and delivers the frame messages sent meanwhile. */
    void deliver()
    {
        while (!messages.isEmpty())
        {
            messages.removeFirst().run();
        }
        while (!queue.isEmpty())
        {
            final Proposal proposal = queue.removeFirst();
            String refusal = null;
            for (final int replica : proposal.replicas().toArray())
            {
                for (final ReplicatedStates.StateOperation operation : proposal.operations())
                {
                    final String problem = services.get(replica).database().validate((CapabilityOperation)operation.operation());
                    refusal = null == refusal && null != problem ? "core " + replica + " voted NO: " + problem : refusal;
                }
            }
            if (null == refusal)
            {
                for (final int replica : proposal.replicas().toArray())
                {
                    proposal.operations().forEach(operation ->
                        services.get(replica).database().apply((CapabilityOperation)operation.operation()));
                }
                proposal.listener().onOutcome(proposal.id(), TransactionOutcome.committed());
            }
            else
            {
                proposal.listener().onOutcome(proposal.id(), TransactionOutcome.aborted(refusal));
            }
        }
    }

    /** Runs one request to its result, delivering what it proposed. */
    CapabilityResult run(final java.util.function.Consumer<CapabilityService.Callback> request)
    {
        final CapabilityResult[] result = new CapabilityResult[1];
        request.accept(answer -> result[0] = answer);
        deliver();
        if (null == result[0])
        {
            throw new AssertionError("the request was not answered");
        }
        return result[0];
    }

    /** Asserts every replica holds the same database. */
    String fingerprint()
    {
        final String first = services.get(0).database().fingerprint();
        for (final CapabilityService service : services)
        {
            if (!first.equals(service.database().fingerprint()))
            {
                throw new AssertionError("core " + service.coreId() + "'s replica differs from core 0's");
            }
        }
        return first;
    }

    @Override
    public void close()
    {
        memories.forEach(PhysicalMemory::close);
    }
}
