package io.multikernel.node.core;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.multikernel.node.caps.CapabilityDatabase;
import io.multikernel.node.chaos.LinkFaultsProxy;
import io.multikernel.node.caps.CapabilityLrpc;
import io.multikernel.node.caps.CapabilityService;
import io.multikernel.node.cluster.CoreDescriptor;
import io.multikernel.common.PeerIncarnations;
import io.multikernel.node.caps.FrameAccess;
import io.multikernel.node.caps.FrameAdapter;
import io.multikernel.node.caps.FramePublisher;
import io.multikernel.node.lrpc.LrpcChannel;
import io.multikernel.node.lrpc.LrpcCoreServices;
import io.multikernel.node.lrpc.LrpcServer;
import io.multikernel.node.membership.Membership;
import io.multikernel.node.membership.MembershipSender;
import io.multikernel.node.membership.PeerState;
import io.multikernel.node.memory.PhysicalLayout;
import io.multikernel.node.replication.AgreedNameService;
import io.multikernel.node.replication.CoreReplication;
import io.multikernel.node.replication.CoreReplicationConfiguration;
import io.multikernel.node.replication.KvPutService;
import io.multikernel.node.replication.ReplicationProxy;
import io.multikernel.node.service.Health;
import io.multikernel.node.service.JsonSnapshot;
import io.multikernel.node.shootdown.Shootdown;
import io.multikernel.node.shootdown.ShootdownAdapter;
import io.multikernel.node.shootdown.ShootdownBench;
import io.multikernel.node.shootdown.ShootdownPublisher;
import io.multikernel.node.skb.RoutingPlanner;
import io.multikernel.node.vm.AddressSpaces;
import io.multikernel.node.vm.Tlb;
import io.multikernel.node.vm.VmConfiguration;
import io.multikernel.node.vm.VmLrpc;
import io.multikernel.node.vm.VmService;
import io.multikernel.node.skb.NameService;
import io.multikernel.node.skb.RttMatrix;
import io.multikernel.node.skb.Topology;
import io.multikernel.node.util.Ticks;
import io.multikernel.replication.OutcomeListener;
import io.multikernel.replication.ParticipantSet;
import io.multikernel.replication.ReplicatedStates;
import io.multikernel.replication.TransactionId;
import io.multikernel.transport.DoorbellRinger;
import io.multikernel.transport.PeerDescriptor;
import io.multikernel.transport.SendOutcome;
import io.multikernel.transport.TransportConfiguration;
import io.multikernel.transport.UrpcEndpoint;
import io.multikernel.transport.UrpcHandler;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The kernel loop of one core: the CPU-driver analogue. One thread runs it and it owns every piece
 * of the core's state: the URPC endpoint, the failure detector (monitor), the SKB (topology, RTT
 * matrix). Other threads see only the snapshots it publishes.
 * <p>
 * Duty cycle: poll the inbox (dispatching, then flushing batched replies); advance the failure
 * detector (heartbeats, Hello retries, timeouts); run the replication engine (queued admin commands,
 * 2PC timers, group commit, outcomes, sends); advance shootdown rounds (timeouts, benchmark rounds
 * asked for through the admin API); probe RTTs and share the SKB row on their timers;
 * publish /status and /skb snapshots; flush what the timers sent.
 * <p>
 * Work reported to the idle strategy: only what a caller may be waiting on counts (LRPC requests,
 * replication, shootdown messages and rounds, handshakes, RTT probes and their answers). The monitor's
 * background traffic (heartbeats, SKB rows, failure-detector timers) is processed but does not count,
 * so a core at rest keeps backing off to its longest park while 63 peers' heartbeats trickle in,
 * instead of starting to spin again on each one.
 */
public final class CoreAgent implements Agent, UrpcHandler, MembershipSender
{
    private static final Logger LOGGER = LoggerFactory.getLogger(CoreAgent.class);
    private static final UnsafeBuffer EMPTY_PAYLOAD = new UnsafeBuffer(new byte[0]);
    /** Inbox polls in one duty cycle while each comes back full, so a burst does not wait a park. */
    static final int POLLS_PER_DUTY_CYCLE_MAX = 16;
    /** The gauge of this core's incarnation: its value changes when the core restarts. */
    static final String INCARNATION_METRIC_NAME = "mk.core.incarnation";

    private final CoreContext ctx;
    private final int coreId;
    private final int hostId;
    private final NanoClock clock;
    private final UrpcEndpoint endpoint;
    private final Membership membership;
    private final Topology topology;
    private final RttMatrix rttMatrix;
    private final RttProbe rttProbe;
    private final SkbRowExchange skbRows;
    private final CoreStatusWriter statusWriter;
    private final JsonSnapshot statusSnapshot;
    private final SkbView.Source skbSource;
    private final AtomicReference<Health> health;
    private final Timer rttTimer;
    private final PeerRttGauges peerRtts;
    private final NameService nameService;
    private final LrpcServer lrpcServer;
    private final CoreReplication replication;
    private final CapabilityService capabilities;
    private final VmService vm;
    private final FrameAccess frameAccess;
    /** Rings dozing peers after a quiet spell; {@code null} on a cluster whose cores do not doze. */
    private PeerDoorbells peerDoorbells;
    private final ShootdownBench shootdownBench;
    private final ShootdownAdapter shootdownAdapter;
    private final int pollFragmentsMax = TransportConfiguration.pollFragmentsMax();
    /** Chaos: rule changes from the admin API for the endpoint's link faults; null without chaos. */
    private final LinkFaultsProxy linkFaultsProxy;

    private long nextProbeNs;
    /** True when this core dozes when idle: a probe round after one without other work is an idle one. */
    private boolean dozes;
    /** Work other than probes and their answers since the last probe round. */
    private boolean workSinceProbeRound = true;
    /** Pings and pongs received: work, but not the kind that keeps probing frequent. */
    private long probeMessages;
    private long nextRowNs;
    private long nextStatusNs;
    private long probeSequence;
    private long publishedSkbVersion = -1;
    /** Inbound messages a caller may be waiting on (handshakes, probes), kernel loop only. */
    private long foregroundMessages;
    private boolean leaving;

    /**
     * @param ctx            concluded core configuration.
     * @param metrics        the core's registry.
     * @param statusSnapshot published /status document.
     * @param skbSource      published /skb view.
     * @param health         published health.
     */
    public CoreAgent(
        final CoreContext ctx,
        final CoreMetrics metrics,
        final JsonSnapshot statusSnapshot,
        final SkbView.Source skbSource,
        final AtomicReference<Health> health)
    {
        this(ctx, metrics, statusSnapshot, skbSource, health,
            new ReplicationProxy(CoreReplicationConfiguration.commandQueueCapacity(), metrics.registry()),
            capabilityService(ctx, metrics, null));
    }

    /**
     * @param ctx        concluded core configuration.
     * @param metrics    the core's registry.
     * @param hostMemory the host's physical memory mapped in this process, or null.
     * @return the core's capability service, with an empty replica over the cluster map's memory servers.
     */
    /**
     * @param ctx          concluded core configuration.
     * @param metrics      the core's registry.
     * @param capabilities the core's capability service.
     * @return the core's address-space service, with an empty replica and TLB.
     */
    public static VmService vmService(final CoreContext ctx, final CoreMetrics metrics,
        final CapabilityService capabilities)
    {
        return new VmService(ctx.coreId(), new AddressSpaces(ctx.coreId(), AddressSpaces.CORES_MAX, capabilities::lookup),
            new Tlb(VmConfiguration.tlbEntries()), capabilities, metrics.registry(), ctx.nanoClock());
    }

    public static CapabilityService capabilityService(
        final CoreContext ctx, final CoreMetrics metrics, final CapabilityService.HostMemory hostMemory)
    {
        return new CapabilityService(ctx.coreId(), ctx.clusterMap().coreIds(),
            new CapabilityDatabase(PhysicalLayout.of(ctx.clusterMap()).serverRanges()), hostMemory, metrics.registry(),
            ctx.nanoClock());
    }

    /**
     * @param ctx              concluded core configuration.
     * @param metrics          the core's registry.
     * @param statusSnapshot   published /status document.
     * @param skbSource        published /skb view.
     * @param health           published health.
     * @param replicationProxy commands from other threads for the core's replication.
     * @param capabilities     the core's capability service; its database joins the engine's states.
     * @throws RuntimeException when a part cannot be set up (the endpoint, the write-ahead log, the
     *                          LRPC channel); whatever was opened before it is closed, in reverse
     *                          order, so the data directory can be opened again in this process.
     */
    public CoreAgent(
        final CoreContext ctx,
        final CoreMetrics metrics,
        final JsonSnapshot statusSnapshot,
        final SkbView.Source skbSource,
        final AtomicReference<Health> health,
        final ReplicationProxy replicationProxy,
        final CapabilityService capabilities)
    {
        this(ctx, metrics, statusSnapshot, skbSource, health, replicationProxy, capabilities,
            vmService(ctx, metrics, capabilities));
    }

    /**
     * As above, with the core's address-space service (its page tables join the engine's states).
     */
    public CoreAgent(
        final CoreContext ctx,
        final CoreMetrics metrics,
        final JsonSnapshot statusSnapshot,
        final SkbView.Source skbSource,
        final AtomicReference<Health> health,
        final ReplicationProxy replicationProxy,
        final CapabilityService capabilities,
        final VmService vm)
    {
        this(ctx, metrics, statusSnapshot, skbSource, health, replicationProxy, capabilities, vm, null);
    }

    /**
     * As above, with the queue through which the admin API sets the rules of the core's link faults;
     * {@code null} when there is none (a core without {@link CoreContext#chaos()} has no link faults).
     */
    public CoreAgent(
        final CoreContext ctx,
        final CoreMetrics metrics,
        final JsonSnapshot statusSnapshot,
        final SkbView.Source skbSource,
        final AtomicReference<Health> health,
        final ReplicationProxy replicationProxy,
        final CapabilityService capabilities,
        final VmService vm,
        final LinkFaultsProxy linkFaultsProxy)
    {
        this.ctx = ctx;
        this.linkFaultsProxy = ctx.chaos() ? linkFaultsProxy : null;
        this.coreId = ctx.coreId();
        this.hostId = ctx.core().hostId();
        this.clock = ctx.nanoClock();
        this.statusSnapshot = statusSnapshot;
        this.skbSource = skbSource;
        this.health = health;
        this.topology = Topology.from(ctx.clusterMap());
        this.rttMatrix = new RttMatrix(topology);
        this.rttProbe = new RttProbe(topology, coreId);
        this.rttTimer = metrics.microsecondTimer("mk.skb.rtt", "Round trips to peers measured by the SKB", Tags.empty());
        this.peerRtts = new PeerRttGauges(metrics.registry(), topology, coreId);
        final long incarnation = ctx.incarnation();
        Gauge.builder(INCARNATION_METRIC_NAME, () -> incarnation)
            .description("This core's incarnation (its start time in nanoseconds since the epoch)")
            .strongReference(true)
            .register(metrics.registry());
        this.membership = new Membership(ctx.membership()
            .selfCoreId(coreId)
            .peers(ctx.peers())
            .sender(this)
            .meterRegistry(metrics.registry())
            .conclude());
        this.statusWriter = new CoreStatusWriter(ctx, rttProbe);
        this.nameService = new NameService(topology);
        // What this constructor opens, in order; a failure part-way closes what is open, in reverse.
        UrpcEndpoint openedEndpoint = null;
        CoreReplication openedReplication = null;
        LrpcChannel openedChannel = null;
        LrpcServer openedServer = null;
        try
        {
            openedEndpoint = UrpcEndpoint.launch(new UrpcEndpoint.Context()
                .aeronDirectory(ctx.aeronDirectory())
                .termLength(ctx.termLength())
                .coreId(coreId)
                .hostId(hostId)
                .incarnation(ctx.incarnation())
                .udpBindEndpoint(ctx.core().inbox().udp().map(Object::toString).orElse(null))
                .peers(ctx.peers())
                .incarnations(membership.incarnations())
                .meterRegistry(metrics.registry())
                .nanoClock(clock)
                .frameKey(ctx.clusterSecret().frameKey())
                .linkFaults(ctx.chaos() ? new SplittableRandom(ctx.chaosSeed()) : null)
                .handler(this));
            this.skbRows = new SkbRowExchange(openedEndpoint, topology, rttMatrix, coreId, ctx.incarnation());
            this.shootdownBench = new ShootdownBench(ctx.shootdownBench(), new Shootdown.Context()
                .selfCoreId(coreId)
                .firstRoundSequence(ctx.incarnation())
                .sender(new ShootdownPublisher(openedEndpoint.publisher()))
                .listener(vm)
                .invalidator(vm)
                .meterRegistry(metrics.registry())
                .nanoClock(clock), topology, rttMatrix);
            this.shootdownAdapter = new ShootdownAdapter(shootdownBench.shootdown());
            shootdownAdapter.registerWith(openedEndpoint.dispatcher());
            final ReplicatedStates states = new ReplicatedStates();
            capabilities.register(states);
            vm.register(states);
            openedReplication = new CoreReplication(coreId, states, ctx.clusterMap().coreIds(), ctx.incarnation(),
                ctx.dataDirectory(), ctx.fsyncPolicy(), ctx.chaosFreeze(), openedEndpoint, replicationProxy,
                metrics.registry(), clock, ctx.epochClock());
            openedReplication.peerStates(peer ->
            {
                // Membership knows only the map's cores: a coordinator outside it (an older map) is unknown.
                final PeerState state = membership.state(peer);
                return null == state ? PeerState.UNKNOWN.metricTag() : state.metricTag();
            });
            openedChannel = createLrpcChannel(ctx);
            openedServer = new LrpcServer(new LrpcServer.Context()
                .channel(openedChannel)
                .epochClock(ctx.epochClock())
                .nanoClock(clock)
                .meterRegistry(metrics.registry()));
            LrpcCoreServices.register(openedServer);
            AgreedNameService.register(openedServer, openedReplication, nameService);
            KvPutService.register(openedServer, openedReplication, metrics.registry());
            final CoreReplication proposing = openedReplication;
            final CapabilityService.Proposer proposer = new CapabilityService.Proposer()
            {
                public String proposalRefusal()
                {
                    return proposing.proposalRefusal(0);
                }

                public TransactionId lockHolder(final Object key)
                {
                    return proposing.engine().lockHolder(key);
                }

                public TransactionId propose(final ParticipantSet replicas,
                    final List<ReplicatedStates.StateOperation> operations, final OutcomeListener listener)
                {
                    return proposing.proposeStates(replicas, operations, listener);
                }
            };
            capabilities.attach(proposer);
            vm.attach(proposer);
            final java.util.Map<Integer, List<Integer>> coresByHost = new java.util.HashMap<>();
            ctx.clusterMap().cores().forEach(core ->
                coresByHost.computeIfAbsent(core.hostId(), host -> new java.util.ArrayList<>()).add(core.id()));
            this.frameAccess = new FrameAccess(capabilities, new FramePublisher(openedEndpoint.publisher()),
                host -> coresByHost.getOrDefault(host, List.of()), clock);
            new FrameAdapter(frameAccess).registerWith(openedEndpoint.dispatcher());
            capabilities.attachFrames(frameAccess);
            CapabilityLrpc.register(openedServer, capabilities);
            vm.attach(frameAccess, shootdownBench.shootdown(), new RoutingPlanner(topology, rttMatrix),
                VmConfiguration.defaultProtocol());
            VmLrpc.register(openedServer, vm);
        }
        catch (final RuntimeException | Error ex)
        {
            // The server owns the channel once it exists. The replication closes before the endpoint:
            // closing makes its log durable and may still send through the endpoint.
            CloseHelper.closeAll(ex::addSuppressed,
                openedServer, null == openedServer ? openedChannel : null, openedReplication, openedEndpoint);
            throw ex;
        }
        this.endpoint = openedEndpoint;
        this.replication = openedReplication;
        this.capabilities = capabilities;
        this.vm = vm;
        this.lrpcServer = openedServer;
    }

    private static LrpcChannel createLrpcChannel(final CoreContext ctx)
    {
        final long pid = ProcessHandle.current().pid();
        final long nowMs = ctx.epochClock().time();
        return null == ctx.lrpcDirectory() ?
            LrpcChannel.createInMemory(ctx.lrpcLayout(), ctx.coreId(), ctx.incarnation(), pid, nowMs) :
            LrpcChannel.createFile(LrpcChannel.fileOf(ctx.lrpcDirectory(), ctx.coreId()), ctx.lrpcLayout(),
                ctx.coreId(), ctx.incarnation(), pid, nowMs);
    }

    @Override
    public String roleName()
    {
        return "kernel-" + coreId;
    }

    @Override
    public void onStart()
    {
        final long nowNs = clock.nanoTime();
        nextProbeNs = nowNs;
        nextRowNs = Ticks.nextTick(nowNs, ctx.skbRowIntervalNs());
        nextStatusNs = nowNs;
        publishSkbView();
        LOGGER.info("core {} kernel loop started: incarnation={} peers={}", coreId, ctx.incarnation(), ctx.peers().size());
        if (ctx.chaos())
        {
            LOGGER.warn("core {} runs with chaos fault points: its links may be faulted through /chaos/links " +
                "(drop seed {})", coreId, ctx.chaosSeed());
        }
    }

    @Override
    public int doWork()
    {
        if (replication.isFrozen())
        {
            return 0;
        }
        final long nowNs = clock.nanoTime();
        final long foregroundBefore = foregroundMessages();
        final long probeMessagesBefore = probeMessages;
        int probesSent = 0;
        // Rule changes first, so that they hold for every frame of this duty cycle.
        int work = null == linkFaultsProxy ? 0 : linkFaultsProxy.drain(endpoint.linkFaults());
        // A full poll may have left frames in the inbox (a heartbeat burst from 63 peers is more
        // than one poll's worth): drain it now rather than on the next wake.
        int polls = 1;
        while (endpoint.poll() >= pollFragmentsMax && polls < POLLS_PER_DUTY_CYCLE_MAX)
        {
            polls++;
        }
        membership.doWork(nowNs);
        work += lrpcServer.doWork();
        work += replication.doWork(nowNs);
        capabilities.refreshMetrics();
        work += capabilities.doWork(nowNs);
        work += vm.doWork(nowNs);
        vm.refreshMetrics(nowNs);
        work += frameAccess.doWork(nowNs);
        work += shootdownBench.doWork(nowNs);
        if (nowNs - nextProbeNs >= 0)
        {
            // On the shared grid: every core probes in the same burst, and a probe or its answer
            // is work (the backoff starts over), so most probes find their peer awake; the
            // probe's windowed minimum drops those that found it parked. A dozing core with nothing
            // but probes to do since the last round waits the idle interval for the next one.
            nextProbeNs = Ticks.nextTick(nowNs,
                dozes && !workSinceProbeRound ? ctx.rttProbeIdleIntervalNs() : ctx.rttProbeIntervalNs());
            workSinceProbeRound = false;
            probesSent = probeRtts(nowNs);
            work += probesSent;
        }
        if (nowNs - nextRowNs >= 0)
        {
            nextRowNs = Ticks.nextTick(nowNs, ctx.skbRowIntervalNs());
            skbRows.publishOwnRow(rttProbe);
        }
        if (nowNs - nextStatusNs >= 0)
        {
            nextStatusNs = Ticks.nextTick(nowNs, ctx.statusPublishIntervalNs());
            publishSnapshots(nowNs);
        }
        // Whatever the timers queued leaves in this duty cycle.
        endpoint.flush();
        if (null != peerDoorbells)
        {
            // After the flush: a peer woken by the ring finds the message in its inbox.
            peerDoorbells.ringAfterFlush(nowNs);
        }
        if (replication.afterFlush())
        {
            health.set(new Health("frozen", replication.chaos().frozenReason()));
        }
        work += (int)Math.min(Integer.MAX_VALUE, foregroundMessages() - foregroundBefore);
        if (work - probesSent - (probeMessages - probeMessagesBefore) > 0)
        {
            workSinceProbeRound = true;
        }
        return work;
    }

    @Override
    public void onClose()
    {
        leaving = true;
        health.set(Health.down("core " + coreId + " is shutting down"));
        try
        {
            endpoint.publisher().abort();
            replication.close();
            endpoint.flush();
            final int goodbyes = membership.leave(clock.nanoTime());
            LOGGER.info("core {} leaving: said goodbye to {} peer(s)", coreId, goodbyes);
        }
        finally
        {
            try
            {
                lrpcServer.close();
            }
            finally
            {
                try
                {
                    endpoint.close();
                }
                finally
                {
                    if (null != peerDoorbells)
                    {
                        peerDoorbells.close();
                    }
                }
            }
        }
    }

    /** A new /skb view when the matrix changed since the last one. */
    private void publishSkbView()
    {
        if (rttMatrix.version() != publishedSkbVersion || null == skbSource.latest())
        {
            publishedSkbVersion = rttMatrix.version();
            skbSource.publish(SkbView.of(topology, rttMatrix));
        }
    }

    private long foregroundMessages()
    {
        return foregroundMessages + shootdownAdapter.messagesHandled();
    }

    private int probeRtts(final long nowNs)
    {
        int sent = 0;
        for (final PeerDescriptor peer : ctx.peers())
        {
            final PeerState state = membership.state(peer.coreId());
            if (PeerState.UP == state || PeerState.SUSPECT == state)
            {
                if (SendOutcome.SENT == endpoint.publisher().sendPing(
                    peer.coreId(), ++probeSequence, nowNs, EMPTY_PAYLOAD, 0, 0))
                {
                    sent++;
                }
            }
        }
        return sent;
    }

    private void publishSnapshots(final long nowNs)
    {
        final var snapshot = membership.snapshot(nowNs);
        final String divergence = leaving ? null : replication.divergence();
        statusSnapshot.publishLazily(statusWriter.status(snapshot,
            leaving ? "leaving" : null != divergence ? Health.DIVERGED_STATUS : Health.UP_STATUS, divergence));
        publishSkbView();
        health.set(leaving ? Health.down("core " + coreId + " is shutting down") :
            null != divergence ? new Health(Health.DIVERGED_STATUS, divergence) : Health.UP);
    }

    // URPC inbound: every valid frame is proof of life for the failure detector.

    @Override
    public void onHello(final int sourceCoreId, final long sourceIncarnation, final long correlationId,
        final int schemaVersion, final int peerHostId, final long timestampNs, final boolean reply)
    {
        foregroundMessages++;
        membership.onHello(sourceCoreId, sourceIncarnation, peerHostId, reply, clock.nanoTime());
    }

    @Override
    public void onHeartbeat(final int sourceCoreId, final long sourceIncarnation, final long correlationId,
        final long timestampNs)
    {
        membership.onHeard(sourceCoreId, sourceIncarnation, clock.nanoTime());
    }

    @Override
    public void onPing(final int sourceCoreId, final long correlationId, final long timestampNs,
        final DirectBuffer payload, final int payloadOffset, final int payloadLength)
    {
        foregroundMessages++;
        probeMessages++;
        membership.onHeard(sourceCoreId, endpoint.incarnations().incarnation(sourceCoreId), clock.nanoTime());
        endpoint.publisher().sendPong(sourceCoreId, correlationId, timestampNs, payload, payloadOffset, payloadLength);
    }

    @Override
    public void onPong(final int sourceCoreId, final long correlationId, final long pingTimestampNs,
        final DirectBuffer payload, final int payloadOffset, final int payloadLength)
    {
        foregroundMessages++;
        probeMessages++;
        final long nowNs = clock.nanoTime();
        membership.onHeard(sourceCoreId, endpoint.incarnations().incarnation(sourceCoreId), nowNs);
        if (rttProbe.onPong(sourceCoreId, pingTimestampNs, nowNs))
        {
            rttTimer.record(nowNs - pingTimestampNs, TimeUnit.NANOSECONDS);
            peerRtts.onRtt(sourceCoreId, rttProbe.rttNs(sourceCoreId));
        }
    }

    @Override
    public void onGoodbye(final int sourceCoreId, final long sourceIncarnation, final short reason)
    {
        foregroundMessages++;
        membership.onGoodbye(sourceCoreId, sourceIncarnation, clock.nanoTime());
    }

    @Override
    public void onNewIncarnation(final int peerCoreId, final long oldIncarnation, final long newIncarnation)
    {
        rttProbe.forget(peerCoreId);
        peerRtts.forget(peerCoreId);
        if (PeerIncarnations.UNKNOWN_INCARNATION != oldIncarnation)
        {
            frameAccess.onPeerRestarted(peerCoreId);
        }
        membership.onNewIncarnation(peerCoreId, oldIncarnation, newIncarnation, clock.nanoTime());
    }

    // MembershipSender: the failure detector's outgoing messages.

    @Override
    public SendOutcome sendHello(final int peerCoreId, final boolean reply, final long nowNs)
    {
        return endpoint.publisher().sendHello(peerCoreId, 0, hostId, nowNs, reply);
    }

    @Override
    public SendOutcome sendHeartbeat(final int peerCoreId, final long nowNs)
    {
        return endpoint.publisher().sendHeartbeat(peerCoreId, 0, nowNs);
    }

    @Override
    public SendOutcome sendGoodbye(final int peerCoreId)
    {
        return endpoint.publisher().sendGoodbye(peerCoreId, (short)0);
    }

    /**
     * Before the kernel loop starts, on a cluster whose cores doze: ring each peer's doorbell (UDP on
     * 127.0.0.1 at its admin port) when it gets work after a quiet spell, and tell this core's LRPC
     * clients where to ring it.
     *
     * @param dozeAfterNs  the cores' quiet time before they doze.
     * @param doorbellPort this core's doorbell port, or 0 when it has none (it does not doze then).
     */
    void enableDoorbells(final long dozeAfterNs, final int doorbellPort)
    {
        final int[] coreIds = ctx.clusterMap().coreIds();
        final InetSocketAddress[] doorbells = new InetSocketAddress[coreIds[coreIds.length - 1] + 1];
        for (final CoreDescriptor core : ctx.clusterMap().cores())
        {
            if (core.id() != coreId)
            {
                doorbells[core.id()] = new InetSocketAddress(InetAddress.getLoopbackAddress(), core.adminPort());
            }
        }
        peerDoorbells = new PeerDoorbells(doorbells, dozeAfterNs, clock, new DoorbellRinger());
        dozes = doorbellPort > 0;
        endpoint.publisher().sendObserver(peerDoorbells);
        lrpcServer.channel().doorbellPort(doorbellPort);
    }

    /**
     * @return false while something must happen on a timer soon: a batch that met back pressure,
     *         frames a chaos rule delays, transactions this core coordinates or has prepared (their
     *         resends, decision queries and timeouts); or while a peer is unknown (start-up) or
     *         suspect, when heartbeats handled a tick late could tip a loaded machine's failure
     *         detector over. The core then backs off instead of dozing.
     */
    boolean mayDoze()
    {
        return 0 == endpoint.publisher().pendingBatches() &&
            (null == endpoint.linkFaults() || 0 == endpoint.linkFaults().queuedFrames()) &&
            0 == replication.engine().inFlightTransactions() && 0 == replication.engine().preparedCount() &&
            0 == membership.count(PeerState.UNKNOWN) && 0 == membership.count(PeerState.SUSPECT);
    }

    /** The idle strategy's news: LRPC clients ring while the flag is up. */
    void onDozing(final boolean dozing)
    {
        lrpcServer.channel().dozing(dozing);
    }

    /** @return the doorbells this core rings, or {@code null} when it rings none. */
    PeerDoorbells peerDoorbells()
    {
        return peerDoorbells;
    }

    /** @return the core's LRPC channel, for apps in this process ({@code LrpcClient.Context.channel}). */
    public LrpcChannel lrpcChannel()
    {
        return lrpcServer.channel();
    }

    LrpcServer lrpcServer()
    {
        return lrpcServer;
    }

    NameService nameService()
    {
        return nameService;
    }

    UrpcEndpoint endpoint()
    {
        return endpoint;
    }

    Membership membership()
    {
        return membership;
    }

    /**
     * @return the core's replication, for kernel-side callers (kernel loop only).
     */
    public CoreReplication replication()
    {
        return replication;
    }

    RttMatrix rttMatrix()
    {
        return rttMatrix;
    }

    PeerRttGauges peerRtts()
    {
        return peerRtts;
    }
}
