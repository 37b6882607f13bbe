package io.multikernel.node.core;

import io.multikernel.node.cluster.ClusterMap;
import io.multikernel.node.cluster.CoreDescriptor;
import io.multikernel.node.cluster.HostDescriptor;
import io.multikernel.node.cluster.InboxRoute;
import io.multikernel.node.cluster.TransportKind;
import io.multikernel.node.cluster.UdpEndpoint;
import io.multikernel.node.lrpc.LrpcConfiguration;
import io.multikernel.node.lrpc.LrpcLayout;
import io.multikernel.node.membership.Membership;
import io.multikernel.node.shootdown.ShootdownBenchProxy;
import io.multikernel.transport.IdleStrategies;
import io.multikernel.transport.Media;
import io.multikernel.transport.PeerDescriptor;
import io.multikernel.transport.TransportConfiguration;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.SystemEpochNanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Configuration of one core process: which core of which cluster map, where its interconnect is,
 * its timers and clocks. {@link #conclude()} validates once and derives the peer table.
 */
public final class CoreContext
{
    private ClusterMap clusterMap;
    private int coreId = -1;
    private String aeronDirectory;
    private long incarnation = Long.MIN_VALUE;
    private String idleStrategy;
    private int termLength;
    private long rttProbeIntervalNs = CoreConfiguration.rttProbeIntervalNs();
    private long rttProbeIdleIntervalNs = CoreConfiguration.rttProbeIdleIntervalNs();
    private long skbRowIntervalNs = CoreConfiguration.skbRowIntervalNs();
    private long statusPublishIntervalNs = CoreConfiguration.statusPublishIntervalNs();
    private Membership.Context membership = new Membership.Context();
    private NanoClock nanoClock = SystemNanoClock.INSTANCE;
    private EpochClock epochClock = SystemEpochClock.INSTANCE;
    private List<PeerDescriptor> peers;
    private Path lrpcDirectory;
    private LrpcLayout lrpcLayout;
    private java.nio.file.Path dataDirectory;
    private io.multikernel.common.ClusterSecret clusterSecret;
    private io.multikernel.replication.wal.FsyncPolicy fsyncPolicy =
        io.multikernel.replication.ReplicationConfiguration.fsyncPolicy();
    private io.multikernel.node.replication.ChaosFreeze.Point chaosFreeze =
        io.multikernel.node.replication.ChaosFreeze.Point.parse(
            io.multikernel.node.replication.CoreReplicationConfiguration.chaosFreeze());
    private ShootdownBenchProxy shootdownBench;
    private boolean chaos = CoreConfiguration.chaosEnabled();
    private long chaosSeed = CoreConfiguration.chaosSeed();

    /**
     * @return this.
     * @throws IllegalArgumentException naming the bad value.
     */
    public CoreContext conclude()
    {
        Objects.requireNonNull(clusterMap, "clusterMap");
        if (!clusterMap.hasCore(coreId))
        {
            throw new IllegalArgumentException(clusterMap.missingCore(coreId));
        }
        if (null == idleStrategy)
        {
            idleStrategy = clusterMap.transport().idleStrategy().orElse(CoreConfiguration.coreIdle());
        }
        IdleStrategies.validate(idleStrategy);
        if (0 == termLength)
        {
            termLength = clusterMap.transport().termLengthBytes().orElse(TransportConfiguration.termLength());
        }
        CoreConfiguration.checkInterval(CoreConfiguration.RTT_PROBE_INTERVAL_PROP, rttProbeIntervalNs);
        CoreConfiguration.checkInterval(CoreConfiguration.RTT_PROBE_IDLE_INTERVAL_PROP, rttProbeIdleIntervalNs);
        CoreConfiguration.checkInterval(CoreConfiguration.SKB_ROW_INTERVAL_PROP, skbRowIntervalNs);
        CoreConfiguration.checkInterval(CoreConfiguration.STATUS_PUBLISH_INTERVAL_PROP, statusPublishIntervalNs);
        if (null == aeronDirectory)
        {
            final HostDescriptor host = clusterMap.hostOf(coreId);
            aeronDirectory = host.aeronDir().orElse(TransportConfiguration.aeronDirectory());
        }
        if (Long.MIN_VALUE == incarnation)
        {
            incarnation = SystemEpochNanoClock.INSTANCE.nanoTime();
        }
        peers = peersOf(clusterMap, coreId);
        if (null == lrpcLayout)
        {
            lrpcLayout = LrpcConfiguration.layout();
        }
        if (null == dataDirectory)
        {
            dataDirectory = java.nio.file.Path.of("data", "core-" + coreId);
        }
        Objects.requireNonNull(fsyncPolicy, "fsyncPolicy");
        Objects.requireNonNull(chaosFreeze, "chaosFreeze");
        if (null == clusterSecret)
        {
            throw new IllegalArgumentException("no cluster secret: a core seals its URPC frames and guards its " +
                "admin API with it");
        }
        if (null == shootdownBench)
        {
            shootdownBench = new ShootdownBenchProxy();
        }
        if (Long.MIN_VALUE == chaosSeed)
        {
            chaosSeed = incarnation;
        }
        return this;
    }

    /**
     * The transport's view of every other core: its host, UDP inbox, and the media the cluster map
     * routes this core's messages to it over.
     */
    static List<PeerDescriptor> peersOf(final ClusterMap map, final int selfCoreId)
    {
        final List<PeerDescriptor> result = new ArrayList<>();
        for (final CoreDescriptor core : map.cores())
        {
            if (core.id() != selfCoreId)
            {
                final InboxRoute route = map.inboxRoute(selfCoreId, core.id());
                final String udp = core.inbox().udp().map(UdpEndpoint::toString).orElse(null);
                result.add(new PeerDescriptor(core.id(), core.hostId(), udp,
                    TransportKind.IPC == route.kind() ? Media.IPC : Media.UDP));
            }
        }
        return List.copyOf(result);
    }

    public ClusterMap clusterMap()
    {
        return clusterMap;
    }

    public CoreContext clusterMap(final ClusterMap clusterMap)
    {
        this.clusterMap = clusterMap;
        return this;
    }

    public int coreId()
    {
        return coreId;
    }

    public CoreContext coreId(final int coreId)
    {
        this.coreId = coreId;
        return this;
    }

    public CoreDescriptor core()
    {
        return clusterMap.core(coreId);
    }

    public String aeronDirectory()
    {
        return aeronDirectory;
    }

    public CoreContext aeronDirectory(final String aeronDirectory)
    {
        this.aeronDirectory = aeronDirectory;
        return this;
    }

    public long incarnation()
    {
        return incarnation;
    }

    public CoreContext incarnation(final long incarnation)
    {
        this.incarnation = incarnation;
        return this;
    }

    /** @return the kernel loop's idle strategy: as set, else the map's transport.idleStrategy, else mk.core.idle. */
    public String idleStrategy()
    {
        return idleStrategy;
    }

    /**
     * @param idleStrategy one of {@link IdleStrategies#NAMES}; null for the map's, else mk.core.idle.
     * @return this.
     */
    public CoreContext idleStrategy(final String idleStrategy)
    {
        this.idleStrategy = idleStrategy;
        return this;
    }

    /** @return the term length of the URPC logs this core publishes to: the map's transport.termLengthBytes, else mk.urpc.term.length. */
    public int termLength()
    {
        return termLength;
    }

    public long rttProbeIntervalNs()
    {
        return rttProbeIntervalNs;
    }

    public CoreContext rttProbeIntervalNs(final long rttProbeIntervalNs)
    {
        this.rttProbeIntervalNs = rttProbeIntervalNs;
        return this;
    }

    /** @return how often a dozing core probes its RTTs: never more often than {@link #rttProbeIntervalNs()}. */
    public long rttProbeIdleIntervalNs()
    {
        return Math.max(rttProbeIdleIntervalNs, rttProbeIntervalNs);
    }

    public CoreContext rttProbeIdleIntervalNs(final long rttProbeIdleIntervalNs)
    {
        this.rttProbeIdleIntervalNs = rttProbeIdleIntervalNs;
        return this;
    }

    public long skbRowIntervalNs()
    {
        return skbRowIntervalNs;
    }

    public CoreContext skbRowIntervalNs(final long skbRowIntervalNs)
    {
        this.skbRowIntervalNs = skbRowIntervalNs;
        return this;
    }

    public long statusPublishIntervalNs()
    {
        return statusPublishIntervalNs;
    }

    public CoreContext statusPublishIntervalNs(final long statusPublishIntervalNs)
    {
        this.statusPublishIntervalNs = statusPublishIntervalNs;
        return this;
    }

    /** Failure-detector timers; peers, sender and metrics are filled in by the agent. */
    public Membership.Context membership()
    {
        return membership;
    }

    public CoreContext membership(final Membership.Context membership)
    {
        this.membership = membership;
        return this;
    }

    public NanoClock nanoClock()
    {
        return nanoClock;
    }

    public CoreContext nanoClock(final NanoClock nanoClock)
    {
        this.nanoClock = nanoClock;
        return this;
    }

    public EpochClock epochClock()
    {
        return epochClock;
    }

    public CoreContext epochClock(final EpochClock epochClock)
    {
        this.epochClock = epochClock;
        return this;
    }

    public List<PeerDescriptor> peers()
    {
        return peers;
    }

    /** Where the core's LRPC file goes ({@code <run dir>/lrpc}); null: an in-process channel only. */
    public Path lrpcDirectory()
    {
        return lrpcDirectory;
    }

    public CoreContext lrpcDirectory(final Path lrpcDirectory)
    {
        this.lrpcDirectory = lrpcDirectory;
        return this;
    }

    public LrpcLayout lrpcLayout()
    {
        return lrpcLayout;
    }

    public CoreContext lrpcLayout(final LrpcLayout lrpcLayout)
    {
        this.lrpcLayout = lrpcLayout;
        return this;
    }

    /** Where the core's write-ahead log and snapshots live; stable across restarts of this core id. */
    public java.nio.file.Path dataDirectory()
    {
        return dataDirectory;
    }

    /** @param dataDirectory default {@code data/core-<id>} in the working directory. */
    public CoreContext dataDirectory(final java.nio.file.Path dataDirectory)
    {
        this.dataDirectory = dataDirectory;
        return this;
    }

    public io.multikernel.common.ClusterSecret clusterSecret()
    {
        return clusterSecret;
    }

    /** @param clusterSecret the secret every core of the cluster shares; required. */
    public CoreContext clusterSecret(final io.multikernel.common.ClusterSecret clusterSecret)
    {
        this.clusterSecret = clusterSecret;
        return this;
    }

    public io.multikernel.replication.wal.FsyncPolicy fsyncPolicy()
    {
        return fsyncPolicy;
    }

    /** @param fsyncPolicy default from {@code mk.replication.fsync} (group). */
    public CoreContext fsyncPolicy(final io.multikernel.replication.wal.FsyncPolicy fsyncPolicy)
    {
        this.fsyncPolicy = fsyncPolicy;
        return this;
    }

    public io.multikernel.node.replication.ChaosFreeze.Point chaosFreeze()
    {
        return chaosFreeze;
    }

    /** @param chaosFreeze chaos hook for failure tests; default from {@code mk.chaos.freeze} (none). */
    public CoreContext chaosFreeze(final io.multikernel.node.replication.ChaosFreeze.Point chaosFreeze)
    {
        this.chaosFreeze = chaosFreeze;
        return this;
    }

    /** @return whether the core runs with its chaos fault points (link faults through {@code /chaos/links}). */
    public boolean chaos()
    {
        return chaos;
    }

    /** @param chaos default from {@code mk.chaos.enabled} (false); {@code mk core --chaos} sets it. */
    public CoreContext chaos(final boolean chaos)
    {
        this.chaos = chaos;
        return this;
    }

    /** @return the seed of the link faults' drop decisions; the incarnation unless given. */
    public long chaosSeed()
    {
        return chaosSeed;
    }

    /** @param chaosSeed default from {@code mk.chaos.seed}, else the core's incarnation. */
    public CoreContext chaosSeed(final long chaosSeed)
    {
        this.chaosSeed = chaosSeed;
        return this;
    }

    /** The bounded queue through which the admin API asks the kernel loop to run shootdown benchmarks. */
    public ShootdownBenchProxy shootdownBench()
    {
        return shootdownBench;
    }

    public CoreContext shootdownBench(final ShootdownBenchProxy shootdownBench)
    {
        this.shootdownBench = shootdownBench;
        return this;
    }
}
