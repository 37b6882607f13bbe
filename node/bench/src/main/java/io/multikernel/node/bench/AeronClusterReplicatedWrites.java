package io.multikernel.node.bench;

import io.multikernel.replication.wal.FsyncPolicy;
import io.multikernel.transport.JvmFlags;
import org.agrona.IoUtil;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Aeron Cluster as a peer system: three members on loopback UDP, each a separate JVM
 * ({@link AeronClusterMemberProcess}) with its own media driver, Archive, consensus module and
 * key-value service, and a client in this JVM with a media driver of its own
 * ({@link AeronClusterWriteLoad}). The deployment directory holds one directory and one log per
 * member and the client driver's directory:
 *
 * <pre>
 *   DIR/member-0/{driver,archive,cluster}  DIR/member-0.log   (and so on)  DIR/client-driver
 * </pre>
 *
 * <p>Durability mapping (the Archive records the replicated log; a member reports a log position
 * as appended only after the Archive wrote, and with a sync level forced, it): our {@code none}
 * runs with {@code fileSyncLevel=0} (nothing forced: a commit is in three members' page caches);
 * {@code group} with {@code fileSyncLevel=1} and {@code always} with {@code fileSyncLevel=2} (data,
 * then data and metadata, forced before the position counts toward the commit quorum; the catalog
 * the same). The Archive forces each batch of log it writes, so like ZooKeeper it group-commits in
 * both modes: no setting forces each write on its own.
 *
 * <p>Idle strategy: every agent of the members yields ({@link #MEMBER_IDLE_STRATEGY}); the client's
 * driver backs off and its writing thread yields.
 */
public final class AeronClusterReplicatedWrites implements ReplicatedWriteSystem
{
    /** Name in output and JSON rows. */
    public static final String NAME = "aeron-cluster";
    /** Aeron Cluster is measured with three members whatever replica counts ours runs at. */
    public static final int MEMBERS = 3;
    /**
     * The members' idle strategy. Yielding beat Aeron's default backoff on a 2-CPU machine at 3
     * replicas fsync none, 32 in flight, back to back: p50 198 and 320 us against 600 us, 41,000
     * and 59,000 writes/s against 16,500. Backoff parks a member's threads when a poll finds nothing,
     * and a parked thread wakes late for the next write; yielding hands the CPU over without sleeping.
     */
    static final String MEMBER_IDLE_STRATEGY = AeronClusterMemberProcess.IDLE_YIELDING;
    /** Heap of each member JVM, MiB. */
    static final int MEMBER_HEAP_MB = 256;
    /** How long the client may take to connect and commit a first write once the members run, s. */
    static final long CONNECT_TIMEOUT_S = 60;
    /** Ports per member: ingress, consensus, log, catchup, archive control. */
    private static final int PORTS_PER_MEMBER = 5;

    private final ReplicatedWriteSettings settings;
    private final List<ChildProcess> members = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread shutdownHook = new Thread(this::close, "mk-aeron-cluster-shutdown");
    private Path directory;
    private AeronClusterWriteLoad load;
    private volatile boolean failed;

    public AeronClusterReplicatedWrites(final ReplicatedWriteSettings settings)
    {
        this.settings = settings;
    }

    /**
     * @param fsync our policy.
     * @return the Archive's {@code fileSyncLevel} and {@code catalogFileSyncLevel} that match it.
     */
    public static int fileSyncLevel(final FsyncPolicy fsync)
    {
        return switch (fsync)
        {
            case NONE -> 0;
            case GROUP -> 1;
            case ALWAYS -> 2;
        };
    }

    /**
     * Aeron's cluster members string: {@code id,ingress,consensus,log,catchup,archive} per member,
     * separated by {@code |}, all on 127.0.0.1.
     *
     * @param ports {@link #PORTS_PER_MEMBER} free ports per member.
     * @return the string every member is given.
     */
    static String clusterMembers(final int[] ports)
    {
        final StringBuilder sb = new StringBuilder();
        for (int id = 0; id < ports.length / PORTS_PER_MEMBER; id++)
        {
            if (id > 0)
            {
                sb.append('|');
            }
            sb.append(id);
            for (int i = 0; i < PORTS_PER_MEMBER; i++)
            {
                sb.append(",127.0.0.1:").append(ports[PORTS_PER_MEMBER * id + i]);
            }
        }
        return sb.toString();
    }

    /**
     * @param ports as for {@link #clusterMembers}.
     * @return the client's {@code id=host:port,...} of every member's ingress.
     */
    static String ingressEndpoints(final int[] ports)
    {
        final List<String> endpoints = new ArrayList<>();
        for (int id = 0; id < ports.length / PORTS_PER_MEMBER; id++)
        {
            endpoints.add(id + "=127.0.0.1:" + ports[PORTS_PER_MEMBER * id]);
        }
        return String.join(",", endpoints);
    }

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    public void start(final int replicas, final FsyncPolicy fsync) throws Exception
    {
        if (null != directory)
        {
            throw new IllegalStateException("this aeron-cluster deployment was already started");
        }
        if (MEMBERS != replicas)
        {
            throw new IllegalArgumentException("aeron-cluster runs " + MEMBERS + " members, not " + replicas);
        }
        Files.createDirectories(settings.runDirectory());
        directory = Files.createTempDirectory(settings.runDirectory(),
            "aeron-cluster-" + fsync.name().toLowerCase(Locale.ROOT) + "-");
        // Ctrl-C: the members would exit anyway (their stdin closes), but their data would stay.
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        try
        {
            launch(fsync);
        }
        catch (final Exception ex)
        {
            failed = true;
            throw ex;
        }
    }

    private void launch(final FsyncPolicy fsync) throws IOException, InterruptedException
    {
        final int[] ports = ZooKeeperEnsemble.freeLoopbackPorts(MEMBERS * PORTS_PER_MEMBER);
        final String clusterMembers = clusterMembers(ports);
        for (int id = 0; id < MEMBERS; id++)
        {
            final Path memberDirectory = directory.resolve("member-" + id);
            final Path log = directory.resolve("member-" + id + ".log");
            Files.createDirectories(memberDirectory);
            final List<String> command = JvmFlags.javaCommand(AeronClusterMemberProcess.class,
                List.of("-Xmx" + MEMBER_HEAP_MB + "m"));
            command.addAll(List.of(Integer.toString(id), clusterMembers, memberDirectory.toAbsolutePath().toString(),
                Integer.toString(ports[PORTS_PER_MEMBER * id + PORTS_PER_MEMBER - 1]),
                Integer.toString(fileSyncLevel(fsync)), MEMBER_IDLE_STRATEGY));
            members.add(ChildProcess.start("aeron cluster member " + id + " (log " + log + ")", command, log,
                AeronClusterMemberProcess.READY_LINE));
        }
        try
        {
            load = AeronClusterWriteLoad.connect(directory.resolve("client-driver"), ingressEndpoints(ports),
                settings.payloadBytes(), settings.clock(), TimeUnit.SECONDS.toNanos(CONNECT_TIMEOUT_S));
        }
        catch (final IOException ex)
        {
            throw new IOException(ex.getMessage() + "; the members' logs are " + directory.resolve("member-*.log") +
                ", member 0's ends: " + members.get(0).tail(), ex);
        }
    }

    @Override
    public LatencyPercentiles measureLatency(final int warmupOps, final int ops) throws Exception
    {
        return started().measureLatency(warmupOps, ops);
    }

    @Override
    public double measureThroughput(final long durationNs, final int inflight) throws Exception
    {
        return started().measureThroughput(durationNs, inflight);
    }

    private AeronClusterWriteLoad started()
    {
        if (null == load)
        {
            throw new IllegalStateException("the aeron-cluster deployment is not started");
        }
        return load;
    }

    /**
     * @return the process ids of the members started.
     */
    public List<Long> pids()
    {
        return members.stream().map(ChildProcess::pid).toList();
    }

    /**
     * Closes the client, stops every member (closes its standard input, then kills it if it has not
     * exited in time) and deletes the directory unless asked to keep it. After a failed start the
     * member data goes but the logs stay, because the error names them.
     */
    @Override
    public void close()
    {
        if (!closed.compareAndSet(false, true))
        {
            return;
        }
        if (Thread.currentThread() != shutdownHook && null != directory)
        {
            try
            {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            }
            catch (final IllegalStateException ignore)
            {
                // The JVM is already shutting down.
            }
        }
        if (null != load)
        {
            load.close();
            load = null;
        }
        for (final ChildProcess member : members)
        {
            member.close();
        }
        if (null == directory || settings.keepData())
        {
            return;
        }
        if (failed)
        {
            // The error names the logs: keep them, drop the data.
            for (int id = 0; id < MEMBERS; id++)
            {
                IoUtil.delete(directory.resolve("member-" + id).toFile(), true);
            }
            IoUtil.delete(directory.resolve("client-driver").toFile(), true);
        }
        else
        {
            IoUtil.delete(directory.toFile(), true);
        }
    }
}
