package io.multikernel.node.caps;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.multikernel.node.memory.PhysicalMemory;
import io.multikernel.replication.OutcomeListener;
import io.multikernel.replication.ParticipantSet;
import io.multikernel.replication.ReplicatedStates;
import io.multikernel.replication.TransactionId;
import io.multikernel.replication.TransactionOutcome;
import org.agrona.concurrent.SystemNanoClock;

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
    final List<SimpleMeterRegistry> registries = new ArrayList<>();
    final Map<Object, TransactionId> locked = new HashMap<>();
    final PhysicalMemory memory;
    private final Deque<Proposal> queue = new ArrayDeque<>();
    private long sequence;
    boolean failProposals;

    private record Proposal(TransactionId id, ParticipantSet replicas, List<ReplicatedStates.StateOperation> operations,
        OutcomeListener listener)
    {
    }

    InProcessCapabilityCluster(final int coreCount, final Path memoryFile)
    {
        cores = new int[coreCount];
        final Map<Integer, PhysicalRange> ranges = new HashMap<>();
        for (int c = 0; c < coreCount; c++)
        {
            cores[c] = c;
            ranges.put(c, range(c));
        }
        memory = null == memoryFile ? null : PhysicalMemory.map(memoryFile, 0, HOST_BYTES);
        for (int c = 0; c < coreCount; c++)
        {
            final SimpleMeterRegistry registry = new SimpleMeterRegistry();
            final CapabilityService.HostMemory host = null == memory ? null :
                new CapabilityService.HostMemory(0, memory, address -> address < HOST_BYTES ? 0 : 1);
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
            registries.add(registry);
        }
    }

    static PhysicalRange range(final int core)
    {
        return new PhysicalRange((core + 1L) << 20, SERVER_BYTES);
    }

    CapabilityService core(final int core)
    {
        return services.get(core);
    }

    int queued()
    {
        return queue.size();
    }

    /** Decides every queued proposal, in order. */
    void deliver()
    {
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
        if (null != memory)
        {
            memory.close();
        }
    }
}
