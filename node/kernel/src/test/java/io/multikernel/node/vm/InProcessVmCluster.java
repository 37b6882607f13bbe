package io.multikernel.node.vm;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.multikernel.node.caps.CapabilityDatabase;
import io.multikernel.node.caps.CapabilityResult;
import io.multikernel.node.caps.CapabilityService;
import io.multikernel.node.caps.CapabilityType;
import io.multikernel.node.caps.FrameAccess;
import io.multikernel.node.caps.PhysicalRange;
import io.multikernel.node.caps.Rights;
import io.multikernel.node.memory.PhysicalMemory;
import io.multikernel.node.shootdown.Shootdown;
import io.multikernel.node.shootdown.ShootdownSender;
import io.multikernel.node.skb.RoutingPlanner;
import io.multikernel.node.skb.RoutingProtocol;
import io.multikernel.node.skb.RttMatrix;
import io.multikernel.node.skb.Topology;
import io.multikernel.replication.OutcomeListener;
import io.multikernel.replication.ParticipantSet;
import io.multikernel.replication.ReplicatedStates;
import io.multikernel.replication.TransactionId;
import io.multikernel.replication.TransactionOutcome;
import io.multikernel.transport.SendOutcome;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Cores with capability and address-space services in one process, for unit tests. Transactions
 * follow the engine's shape: a proposal prepares on every participant (validate, lock the keys, or
 * abort with the first refusal), the coordinator decides and applies at once and is told the
 * outcome, and the other participants apply (and unlock) when their commit message is delivered.
 * Commit, shootdown and frame messages travel through one queue the test delivers in order, or with
 * some held back, so a core can be left prepared while others have moved on. Core c is on host
 * {@code c % hosts}; a package per host for the routing planner.
 */
final class InProcessVmCluster implements AutoCloseable
{
    static final long PAGE = CapabilityType.PAGE_LENGTH_BYTES;
    static final long SERVER_BYTES = 64 * PAGE;
    static final long HOST_BYTES = 8L << 20;
    static final long ROUND_TIMEOUT_NS = 50_000_000L;

    /** A message between cores: what it does when delivered. */
    record Message(String kind, int source, int destination, Runnable delivery)
    {
        @Override
        public String toString()
        {
            return kind + " " + source + "->" + destination;
        }
    }

    final int[] cores;
    final int hosts;
    final CachedNanoClock clock = new CachedNanoClock();
    final List<CapabilityService> capabilities = new ArrayList<>();
    final List<VmService> services = new ArrayList<>();
    final List<FrameAccess> frames = new ArrayList<>();
    final List<Shootdown> shootdowns = new ArrayList<>();
    final List<ReplicatedStates> states = new ArrayList<>();
    final List<Map<Object, TransactionId>> locks = new ArrayList<>();
    final List<PhysicalMemory> memories = new ArrayList<>();
    /** Each core's meters, as its /metrics shows them. */
    final List<PrometheusMeterRegistry> registries = new ArrayList<>();
    final Deque<Message> messages = new ArrayDeque<>();
    /** Messages of these kinds to these cores are held back while listed: "commit" or "shootdown". */
    final Set<String> held = new HashSet<>();
    private final Deque<Message> heldBack = new ArrayDeque<>();
    private long sequence;
    /**
     * Whether a proposal prepares when a "prepare" message (coordinator to itself) is delivered, as
     * the engine's own PREPARE is handled in a later duty cycle, instead of at once: messages queued
     * before it (a commit) are delivered first.
     */
    boolean deferPrepares;
    /** Reasons the next proposals abort with, without preparing anywhere (as a participant's vote would). */
    final Deque<String> abortNext = new ArrayDeque<>();

    /** @return transactions proposed so far, by every core. */
    long proposals()
    {
        return sequence;
    }

    InProcessVmCluster(final int coreCount, final int hosts, final Path directory)
    {
        this.hosts = hosts;
        this.cores = new int[coreCount];
        final int[] packages = new int[coreCount];
        final Map<Integer, PhysicalRange> ranges = new HashMap<>();
        for (int c = 0; c < coreCount; c++)
        {
            cores[c] = c;
            packages[c] = c % hosts;
            ranges.put(c, new PhysicalRange(((long)(c % hosts) << 40) + ((c + 1L) << 20), SERVER_BYTES));
        }
        for (int h = 0; h < hosts; h++)
        {
            memories.add(PhysicalMemory.map(directory.resolve("host-" + h + ".memory"), (long)h << 40, HOST_BYTES));
        }
        clock.update(1_000_000_000L);
        final Topology topology = Topology.of(cores.clone(), packages);
        for (int c = 0; c < coreCount; c++)
        {
            final int core = c;
            final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            registries.add(registry);
            final CapabilityService caps = new CapabilityService(c, cores, new CapabilityDatabase(ranges),
                new CapabilityService.HostMemory(c % hosts, memories.get(c % hosts), address -> (int)(address >>> 40)),
                registry, clock);
            final VmService vm = new VmService(c, new AddressSpaces(c, coreCount, caps::lookup), new Tlb(64), caps,
                registry, clock);
            final ReplicatedStates replicated = new ReplicatedStates();
            caps.register(replicated);
            vm.register(replicated);
            final Map<Object, TransactionId> lockTable = new HashMap<>();
            final CapabilityService.Proposer proposer = new CapabilityService.Proposer()
            {
                public String proposalRefusal()
                {
                    return null;
                }

                public TransactionId lockHolder(final Object key)
                {
                    return lockTable.get(key);
                }

                public TransactionId propose(final ParticipantSet replicas,
                    final List<ReplicatedStates.StateOperation> operations, final OutcomeListener listener)
                {
                    final TransactionId id = new TransactionId(core, 1, ++sequence);
                    if (deferPrepares)
                    {
                        send("prepare", core, core, () -> transact(core, id, replicas.toArray(), operations, listener));
                    }
                    else
                    {
                        transact(core, id, replicas.toArray(), operations, listener);
                    }
                    return id;
                }
            };
            caps.attach(proposer);
            vm.attach(proposer);
            final FrameAccess access = new FrameAccess(caps, frameSender(core), this::coresOnHost, clock);
            caps.attachFrames(access);
            final Shootdown shootdown = new Shootdown(new Shootdown.Context()
                .selfCoreId(core)
                .nanoClock(clock)
                .roundTimeoutNs(ROUND_TIMEOUT_NS)
                .listener(vm)
                .invalidator(vm)
                .sender(shootdownSender(core)));
            vm.attach(access, shootdown, new RoutingPlanner(topology, new RttMatrix(topology)), RoutingProtocol.MULTICAST);
            capabilities.add(caps);
            services.add(vm);
            frames.add(access);
            shootdowns.add(shootdown);
            states.add(replicated);
            locks.add(lockTable);
        }
    }

    private List<Integer> coresOnHost(final int host)
    {
        final List<Integer> found = new ArrayList<>();
        for (final int core : cores)
        {
            if (core % hosts == host)
            {
                found.add(core);
            }
        }
        return found;
    }

    /** Prepare everywhere, decide, apply at the coordinator and tell it; commits to others are messages. */
    private void transact(final int coordinator, final TransactionId id, final int[] participants,
        final List<ReplicatedStates.StateOperation> operations, final OutcomeListener listener)
    {
        if (!abortNext.isEmpty())
        {
            listener.onOutcome(id, TransactionOutcome.aborted(abortNext.poll()));
            return;
        }
        final List<Integer> prepared = new ArrayList<>();
        String refusal = null;
        for (final int participant : participants)
        {
            final ReplicatedStates replica = states.get(participant);
            for (final ReplicatedStates.StateOperation operation : operations)
            {
                final String problem = replica.validate(operation);
                refusal = null == refusal && null != problem ? "core " + participant + " voted no: " + problem : refusal;
            }
            if (null == refusal)
            {
                final Map<Object, TransactionId> lockTable = locks.get(participant);
                for (final ReplicatedStates.StateOperation operation : operations)
                {
                    for (final Object key : replica.lockKeys(operation))
                    {
                        final TransactionId holder = lockTable.get(key);
                        if (null != holder && !holder.equals(id))
                        {
                            refusal = "core " + participant + " voted no: key " + key + " is locked by transaction " + holder;
                        }
                    }
                }
            }
            if (null != refusal)
            {
                break;
            }
            for (final ReplicatedStates.StateOperation operation : operations)
            {
                for (final Object key : replica.lockKeys(operation))
                {
                    locks.get(participant).put(key, id);
                }
            }
            prepared.add(participant);
        }
        if (null != refusal)
        {
            for (final int participant : prepared)
            {
                locks.get(participant).values().removeIf(id::equals);
            }
            listener.onOutcome(id, TransactionOutcome.aborted(refusal));
            return;
        }
        for (final int participant : participants)
        {
            if (participant == coordinator)
            {
                applyAt(participant, id, operations);
            }
        }
        listener.onOutcome(id, TransactionOutcome.committed());
        for (final int participant : participants)
        {
            if (participant != coordinator)
            {
                send("commit", coordinator, participant, () -> applyAt(participant, id, operations));
            }
        }
    }

    private void applyAt(final int core, final TransactionId id, final List<ReplicatedStates.StateOperation> operations)
    {
        for (final ReplicatedStates.StateOperation operation : operations)
        {
            states.get(core).apply(operation);
        }
        locks.get(core).values().removeIf(id::equals);
    }

    private void send(final String kind, final int source, final int destination, final Runnable delivery)
    {
        messages.add(new Message(kind, source, destination, delivery));
    }

    private ShootdownSender shootdownSender(final int self)
    {
        return new ShootdownSender()
        {
            public SendOutcome sendRequest(final int destination, final long roundId, final int initiatorCoreId,
                final long domainId, final long firstPage, final long pageCount, final int[] forwardCores,
                final int[] subtreeSizes, final int offset, final int length)
            {
                final int[] forward = Arrays.copyOfRange(forwardCores, offset, offset + length);
                final int[] sizes = Arrays.copyOfRange(subtreeSizes, offset, offset + length);
                send("shootdown", self, destination, () -> shootdowns.get(destination).onRequest(self, roundId,
                    initiatorCoreId, domainId, firstPage, pageCount, forward, sizes, forward.length));
                return SendOutcome.SENT;
            }

            public SendOutcome sendAck(final int destination, final long roundId, final int acknowledgedCores)
            {
                send("ack", self, destination, () -> shootdowns.get(destination).onAck(self, roundId, acknowledgedCores));
                return SendOutcome.SENT;
            }
        };
    }

    private FrameAccess.Sender frameSender(final int self)
    {
        return new FrameAccess.Sender()
        {
            public boolean sendRequest(final int destination, final long correlationId, final int holderCore,
                final long capId, final long offset, final int readLength, final boolean write, final DirectBuffer data,
                final int dataOffset, final int dataLength)
            {
                final UnsafeBuffer copy = copy(data, dataOffset, dataLength);
                send("frame", self, destination, () -> frames.get(destination).onRequest(self, correlationId, holderCore,
                    capId, offset, readLength, write, copy, 0, copy.capacity()));
                return true;
            }

            public boolean sendReply(final int destination, final long correlationId, final int outcomeOrdinal,
                final DirectBuffer data, final int dataOffset, final int dataLength, final String message)
            {
                final UnsafeBuffer copy = copy(data, dataOffset, dataLength);
                send("frame-reply", self, destination, () -> frames.get(destination).onReply(self, correlationId,
                    outcomeOrdinal, copy, 0, copy.capacity(), message));
                return true;
            }
        };
    }

    private static UnsafeBuffer copy(final DirectBuffer data, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        data.getBytes(offset, bytes);
        return new UnsafeBuffer(bytes);
    }

    /** Delivers messages (and what they cause) until none is left, except those {@code hold} keeps back. */
    void deliver(final Predicate<Message> hold)
    {
        for (int rounds = 0; rounds < 1_000; rounds++)
        {
            Message message;
            while (null != (message = messages.poll()))
            {
                if (hold.test(message))
                {
                    heldBack.add(message);
                }
                else
                {
                    message.delivery().run();
                }
            }
            int work = 0;
            for (int c = 0; c < cores.length; c++)
            {
                work += shootdowns.get(c).doWork(clock.nanoTime());
                work += services.get(c).doWork(clock.nanoTime());
                work += capabilities.get(c).doWork(clock.nanoTime());
                work += frames.get(c).doWork(clock.nanoTime());
            }
            if (0 == work && messages.isEmpty())
            {
                return;
            }
        }
        throw new AssertionError("the cluster did not settle");
    }

    void deliver()
    {
        deliver(message -> false);
    }

    /** Puts the held-back messages back in the queue, in order. */
    void release()
    {
        messages.addAll(heldBack);
        heldBack.clear();
    }

    /** Puts the oldest held-back message back in the queue. */
    void releaseOldest()
    {
        messages.add(heldBack.removeFirst());
    }

    List<Message> heldBack()
    {
        return new ArrayList<>(heldBack);
    }

    VmService core(final int core)
    {
        return services.get(core);
    }

    /** Runs one change to its result, delivering everything it causes. */
    VmResult run(final java.util.function.Consumer<VmService.Callback> request)
    {
        final VmResult[] result = new VmResult[1];
        request.accept(answer -> result[0] = answer);
        deliver();
        if (null == result[0])
        {
            throw new AssertionError("the request was not answered");
        }
        return result[0];
    }

    /** A load's or store's answer and bytes. */
    record Access(VmResult result, byte[] data)
    {
    }

    Access load(final int core, final long domain, final long vaddr, final int length)
    {
        final Access[] answer = new Access[1];
        services.get(core).load(domain, vaddr, length, (result, data, offset, bytes) ->
        {
            final byte[] copy = new byte[bytes];
            data.getBytes(offset, copy);
            answer[0] = new Access(result, copy);
        });
        deliver();
        return answer[0];
    }

    Access store(final int core, final long domain, final long vaddr, final byte[] bytes)
    {
        final Access[] answer = new Access[1];
        services.get(core).store(domain, vaddr, new UnsafeBuffer(bytes), 0, bytes.length,
            (result, data, offset, length) -> answer[0] = new Access(result, new byte[0]));
        deliver();
        return answer[0];
    }

    /** A capability operation of core {@code core}, run to its result. */
    CapabilityResult caps(final int core, final java.util.function.BiConsumer<CapabilityService,
        CapabilityService.Callback> request)
    {
        final CapabilityResult[] result = new CapabilityResult[1];
        request.accept(capabilities.get(core), answer -> result[0] = answer);
        deliver();
        return result[0];
    }

    /** A frame of {@code pages} pages held by {@code core}, from its own memory server. */
    long frame(final int core, final int pages)
    {
        final long ram = caps(core, (s, cb) -> s.allocate(pages * PAGE, cb)).capIds().get(0);
        return caps(core, (s, cb) -> s.retype(ram, CapabilityType.FRAME, 0, pages * PAGE, 1, cb)).capIds().get(0);
    }

    /** A VNODE held by {@code core}. */
    long vnode(final int core)
    {
        final long ram = caps(core, (s, cb) -> s.allocate(PAGE, cb)).capIds().get(0);
        return caps(core, (s, cb) -> s.retype(ram, CapabilityType.VNODE, 0, PAGE, 1, cb)).capIds().get(0);
    }

    /** A domain on {@code domainCores}, created by the first of them. */
    long domain(final int... domainCores)
    {
        final int creator = domainCores[0];
        final long root = vnode(creator);
        final VmResult created = run(cb -> core(creator).create(root, domainCores, cb));
        if (CapabilityResult.Outcome.COMMITTED != created.outcome())
        {
            throw new AssertionError("create: " + created);
        }
        return created.id();
    }

    /**
     * Asserts every core of the domain holds the same page table, whose leaf tables are the VNODEs of
     * the core's capability database; returns its fingerprint.
     */
    String fingerprint(final long domain)
    {
        String first = null;
        for (final VmService service : services)
        {
            if (null != service.spaces().domain(domain))
            {
                final List<String> violations = AddressSpaceInvariants.violations(service.spaces(),
                    capabilities.get(service.coreId()).database());
                if (!violations.isEmpty())
                {
                    throw new AssertionError("core " + service.coreId() + ": " + violations);
                }
                final String fingerprint = service.spaces().fingerprint(domain);
                if (null != first && !first.equals(fingerprint))
                {
                    throw new AssertionError("core " + service.coreId() + "'s replica of domain " + domain + " differs");
                }
                first = fingerprint;
            }
        }
        return first;
    }

    static int rw()
    {
        return Rights.READ | Rights.WRITE;
    }

    @Override
    public void close()
    {
        memories.forEach(PhysicalMemory::close);
    }
}
