package io.multikernel.node.core;

import io.micrometer.core.instrument.FunctionCounter;
import io.multikernel.node.admin.AdminServer;
import io.multikernel.node.caps.CapabilityAdmin;
import io.multikernel.node.caps.CapabilityService;
import io.multikernel.node.chaos.LinkFaultsAdmin;
import io.multikernel.node.chaos.LinkFaultsProxy;
import io.multikernel.node.cluster.CoreDescriptor;
import io.multikernel.node.memory.PhysicalLayout;
import io.multikernel.node.memory.PhysicalMemory;
import io.multikernel.node.replication.CoreReplicationConfiguration;
import io.multikernel.common.ProcessLock;
import io.multikernel.node.replication.DataDirectoryLock;
import io.multikernel.node.replication.ReplicationAdmin;
import io.multikernel.node.replication.ReplicationProxy;
import io.multikernel.node.service.Health;
import io.multikernel.node.service.JsonSnapshot;
import io.multikernel.node.vm.VmAdmin;
import io.multikernel.node.vm.VmService;
import io.multikernel.transport.Doorbell;
import io.multikernel.transport.IdleStrategies;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ShutdownSignalBarrier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;

/**
 * One core as a process: its metrics registry, admin HTTP server and kernel-loop agent on its own
 * thread. Runs until SIGTERM/SIGINT, then leaves cleanly (peers get a Goodbye). An exception out of
 * the kernel loop is a broken invariant: the core stops rather than run on with suspect state.
 */
public final class CoreProcess implements AutoCloseable
{
    private static final Logger LOGGER = LoggerFactory.getLogger(CoreProcess.class);

    private final CoreContext ctx;
    private final CoreMetrics metrics;
    private final AdminServer admin;
    private final PhysicalMemory memory;
    private final CoreAgent agent;
    private final AgentRunner runner;
    /** What the kernel loop dozes on; {@code null} when it does not doze. */
    private final Doorbell doorbell;
    /** Held while this process is the core: no other process of it may open its data directory. */
    private final ProcessLock dataLock;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final ShutdownSignalBarrier barrier;

    private CoreProcess(final CoreContext ctx, final ShutdownSignalBarrier barrier)
    {
        this.ctx = ctx;
        this.barrier = barrier;
        final CoreDescriptor core = ctx.core();
        this.metrics = new CoreMetrics(ctx.coreId(), core.hostId());
        final JsonSnapshot status = new JsonSnapshot();
        final SkbView.Source skb = new SkbView.Source();
        final AtomicReference<Health> health = new AtomicReference<>(Health.down("core is starting"));
        AdminServer server = null;
        CoreAgent coreAgent = null;
        IdleStrategy idle;
        PhysicalMemory memory = null;
        final long dozeAfterNs = CoreConfiguration.coreIdleDozeAfterNs();
        final boolean ringsPeers = dozeAfterNs > 0 && oneHost(ctx);
        // Before anything of the core is opened: a second process of this core is refused untouched.
        final ProcessLock dataLock = DataDirectoryLock.acquire(ctx.dataDirectory(), ctx.coreId());
        final Doorbell doorbell;
        try
        {
            doorbell = ringsPeers && "backoff".equals(ctx.idleStrategy()) ? openDoorbell(ctx) : null;
        }
        catch (final RuntimeException ex)
        {
            dataLock.close();
            throw ex;
        }
        try
        {
            final PhysicalLayout layout = PhysicalLayout.of(ctx.clusterMap());
            memory = layout.map(core.hostId());
            final CapabilityService capabilities = CoreAgent.capabilityService(ctx, metrics,
                new CapabilityService.HostMemory(core.hostId(), memory, layout::hostOf));
            final VmService vm = CoreAgent.vmService(ctx, metrics, capabilities);
            final ReplicationProxy replicationProxy =
                new ReplicationProxy(CoreReplicationConfiguration.commandQueueCapacity(), metrics.registry());
            if (null != doorbell)
            {
                replicationProxy.kernelWaker(doorbell::wakeup);
            }
            final LinkFaultsProxy linkFaultsProxy = ctx.chaos() ? new LinkFaultsProxy(metrics.registry()) : null;
            server = AdminServer.launch(new AdminServer.Context()
                .bindAddress(core.adminBindAddress())
                .port(core.adminPort())
                .token(ctx.clusterSecret().adminToken())
                .kernelWaker(null == doorbell ? () -> { } : doorbell::wakeup)
                .threadNamePrefix("mk-admin-" + ctx.coreId())
                .meterRegistry(metrics.registry())
                .statusSource(status)
                .skbSource(skb)
                .healthSource(health::get)
                .services(List.of(
                    new ReplicationAdmin(replicationProxy, ctx.clusterMap().coreIds(),
                        CoreReplicationConfiguration.adminTimeoutNs()),
                    new CapabilityAdmin(replicationProxy, capabilities, CoreReplicationConfiguration.adminTimeoutNs()),
                    new VmAdmin(replicationProxy, vm, CoreReplicationConfiguration.adminTimeoutNs()),
                    new LinkFaultsAdmin(ctx.coreId(), ctx.clusterMap().coreIds(), linkFaultsProxy, ctx.chaosSeed(),
                        LinkFaultsAdmin.KERNEL_LOOP_WAIT_MAX_NS),
                    ctx.shootdownBench())));
            coreAgent = new CoreAgent(ctx, metrics, status, skb, health, replicationProxy, capabilities, vm,
                linkFaultsProxy);
            if (ringsPeers)
            {
                coreAgent.enableDoorbells(dozeAfterNs, null == doorbell ? 0 : doorbell.localAddress().getPort());
            }
            idle = idleStrategy(ctx, coreAgent, doorbell, dozeAfterNs);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(server, memory, metrics, doorbell, dataLock);
            throw ex;
        }
        this.dataLock = dataLock;
        this.memory = memory;
        this.admin = server;
        this.agent = coreAgent;
        this.doorbell = doorbell;
        this.runner = new AgentRunner(idle, this::onAgentError, null, agent);
    }

    /**
     * Dozing needs every core of the cluster on this host, so that every peer can ring this one over
     * loopback. Such a core rings its peers whatever its own idle strategy; it dozes itself
     * (DozingIdleStrategy) only when it backs off when idle.
     */
    private static boolean oneHost(final CoreContext ctx)
    {
        final int hostId = ctx.core().hostId();
        return ctx.clusterMap().cores().stream().allMatch(core -> core.hostId() == hostId);
    }

    /** The doorbell on 127.0.0.1 at the admin port (UDP); a core that cannot bind it backs off and never dozes. */
    private static Doorbell openDoorbell(final CoreContext ctx)
    {
        final InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), ctx.core().adminPort());
        try
        {
            return Doorbell.open(address);
        }
        catch (final IOException ex)
        {
            LOGGER.warn("core {} cannot bind its doorbell on UDP {} ({}); it will back off when idle instead of dozing",
                ctx.coreId(), address, ex.toString());
            return null;
        }
    }

    private IdleStrategy idleStrategy(
        final CoreContext ctx, final CoreAgent agent, final Doorbell doorbell, final long dozeAfterNs)
    {
        final IdleStrategy awake = IdleStrategies.of(ctx.idleStrategy(), CoreConfiguration.coreIdleParkMaxNs());
        final PeerDoorbells peers = agent.peerDoorbells();
        if (null != peers)
        {
            counter("mk.core.doorbell.rings.sent", peers, PeerDoorbells::ringsSent,
                "Doorbell rings this core sent to peers it gave work after a quiet spell");
            counter("mk.core.doorbell.ring.failures", peers, PeerDoorbells::ringsFailed,
                "Doorbell rings that could not be sent (the peer finds the message at its next tick)");
        }
        if (null == doorbell)
        {
            return awake;
        }
        // The doze wakes on every tick of the core's shortest periodic timer, so none of those is late by
        // more than its own interval, and at least every 250 ms; timers off the grid (2PC resends and
        // timeouts) do not run while dozing: a core with transactions in flight does not doze.
        final long dozeTickNs = Math.min(TimeUnit.MILLISECONDS.toNanos(CoreConfiguration.CORE_IDLE_DOZE_TICK_MAX_MS),
            Math.min(Math.min(ctx.membership().heartbeatIntervalNs(), ctx.statusPublishIntervalNs()),
            Math.min(ctx.rttProbeIntervalNs(), ctx.skbRowIntervalNs())));
        final DozingIdleStrategy dozing = new DozingIdleStrategy(awake, doorbell, ctx.nanoClock(), dozeAfterNs,
            dozeTickNs, agent::mayDoze, agent::onDozing);
        counter("mk.core.dozes", dozing, DozingIdleStrategy::dozes,
            "Times the kernel loop started dozing (blocking on its doorbell) after a quiet spell");
        counter("mk.core.doze.rung.wakeups", dozing, DozingIdleStrategy::rungWakeups,
            "Dozes ended by a ring (a peer, an app or an admin request) rather than the timer tick");
        return dozing;
    }

    /** A counter the kernel loop keeps in a plain field, read at scrape time. */
    private <T> void counter(final String name, final T source, final ToDoubleFunction<T> value, final String description)
    {
        FunctionCounter.builder(name, source, value).description(description).register(metrics.registry());
    }

    /**
     * Start a core.
     *
     * @param ctx     configuration, concluded here.
     * @param barrier signalled when the core must stop (SIGTERM, or a failure).
     * @return the running core.
     */
    public static CoreProcess start(final CoreContext ctx, final ShutdownSignalBarrier barrier)
    {
        ctx.conclude();
        final CoreProcess process = new CoreProcess(ctx, barrier);
        AgentRunner.startOnThread(process.runner);
        return process;
    }

    /**
     * Print the one line that says the core is up and where to look.
     *
     * @param out where to print.
     */
    public void printBanner(final PrintStream out)
    {
        out.println("core " + ctx.coreId() + " up: pid=" + ProcessHandle.current().pid() + " incarnation=" +
            ctx.incarnation() + " host=" + ctx.core().hostId() + " admin=" + admin.url() + " aeron=" + ctx.aeronDirectory() +
            " data=" + ctx.dataDirectory() + " fsync=" + ctx.fsyncPolicy().name().toLowerCase(java.util.Locale.ROOT) +
            (ctx.chaos() ? " chaos=on seed=" + ctx.chaosSeed() : "") +
            (null == agent.lrpcChannel().file() ? "" : " lrpc=" + agent.lrpcChannel().file()));
        out.flush();
    }

    /**
     * @return the failure that stopped the kernel loop, or {@code null}.
     */
    public Throwable failure()
    {
        return failure.get();
    }

    /** @return the core's LRPC channel, for apps in this process. */
    public io.multikernel.node.lrpc.LrpcChannel lrpcChannel()
    {
        return agent.lrpcChannel();
    }

    public AdminServer admin()
    {
        return admin;
    }

    @Override
    public void close()
    {
        if (null != doorbell)
        {
            // A dozing loop would see the runner stop only at its next tick.
            doorbell.wakeup();
        }
        CloseHelper.quietClose(runner);
        CloseHelper.quietCloseAll(admin, memory, metrics, doorbell);
        // Last: the runner's close stopped the kernel loop, which closed the write-ahead log.
        CloseHelper.quietClose(dataLock);
    }

    private void onAgentError(final Throwable ex)
    {
        if (failure.compareAndSet(null, ex))
        {
            LOGGER.error("core {} kernel loop failed; stopping the core", ctx.coreId(), ex);
            barrier.signal();
        }
    }
}
