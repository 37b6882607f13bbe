package io.multikernel.node.bench;

import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.ClusteredMediaDriver;
import io.aeron.cluster.ConsensusModule;
import io.aeron.cluster.service.ClusteredServiceContainer;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.function.Supplier;

/**
 * The main class of one Aeron Cluster member JVM started by {@link AeronClusterReplicatedWrites}:
 * an embedded media driver, Archive and consensus module ({@link ClusteredMediaDriver}) and a service
 * container running {@link AeronClusterKeyValueService}. It prints {@link #READY_LINE} once they are
 * up and ends when its standard input closes, as the ZooKeeper servers do, so no member outlives
 * the benchmark.
 *
 * <p>Arguments: member id, the cluster's members string (Aeron's
 * {@code id,ingress,consensus,log,catchup,archive|...}), the member's directory, the port of its
 * Archive's control endpoint, the Archive's file sync level (0, 1 or 2, for both the recordings
 * and the catalog) and the idle strategy ({@link #IDLE_BACKOFF} or {@link #IDLE_YIELDING}).
 *
 * <p>Everything runs in as few threads as Aeron allows (driver and Archive shared, one consensus
 * module thread, one service thread): three members and a client share two CPUs.
 */
public final class AeronClusterMemberProcess
{
    /** What a member prints on stdout once its driver, Archive, consensus module and service run. */
    static final String READY_LINE = "aeron-cluster-member-ready";
    /** Backs off from spinning to yielding to parking: Aeron's default, kind to a small machine. */
    static final String IDLE_BACKOFF = "backoff";
    /** Yields between polls: lower latency, a thread on the CPU while idle. */
    static final String IDLE_YIELDING = "yielding";
    /** Term length of the replicated log and of every publication, bytes (Aeron's 64 MiB default is for long runs). */
    static final int TERM_LENGTH_BYTES = 4 * 1024 * 1024;
    private static final int ARGUMENTS = 6;

    private AeronClusterMemberProcess()
    {
    }

    /**
     * @param args member id, members, directory, archive control port, file sync level, idle strategy.
     */
    public static void main(final String[] args)
    {
        if (ARGUMENTS != args.length)
        {
            System.err.println("usage: AeronClusterMemberProcess <member-id> <members> <directory> <archive-port> " +
                "<file-sync-level> <idle>");
            System.exit(2);
        }
        final int memberId = Integer.parseInt(args[0]);
        final File directory = new File(args[2]);
        final int archivePort = Integer.parseInt(args[3]);
        final int fileSyncLevel = Integer.parseInt(args[4]);
        final Supplier<IdleStrategy> idle = idleStrategy(args[5]);
        final String aeronDirectory = new File(directory, "driver").getAbsolutePath();

        final MediaDriver.Context driver = new MediaDriver.Context()
            .aeronDirectoryName(aeronDirectory)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(idle.get())
            .publicationTermBufferLength(TERM_LENGTH_BYTES)
            .ipcTermBufferLength(TERM_LENGTH_BYTES)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true);
        final Archive.Context archive = new Archive.Context()
            .aeronDirectoryName(aeronDirectory)
            .archiveDir(new File(directory, "archive"))
            .archiveId(memberId)
            .controlChannel("aeron:udp?endpoint=127.0.0.1:" + archivePort)
            .localControlChannel("aeron:ipc?term-length=64k")
            .replicationChannel("aeron:udp?endpoint=127.0.0.1:0")
            .recordingEventsEnabled(false)
            .threadingMode(ArchiveThreadingMode.SHARED)
            .idleStrategySupplier(idle)
            .fileSyncLevel(fileSyncLevel)
            .catalogFileSyncLevel(fileSyncLevel)
            .deleteArchiveOnStart(true);
        final AeronArchive.Context archiveClient = new AeronArchive.Context()
            .aeronDirectoryName(aeronDirectory)
            .controlRequestChannel(archive.localControlChannel())
            .controlRequestStreamId(archive.localControlStreamId())
            .controlResponseChannel("aeron:ipc");
        final File clusterDirectory = new File(directory, "cluster");
        final ConsensusModule.Context consensus = new ConsensusModule.Context()
            .aeronDirectoryName(aeronDirectory)
            .clusterMemberId(memberId)
            .clusterMembers(args[1])
            .clusterDir(clusterDirectory)
            .ingressChannel("aeron:udp")
            .logChannel("aeron:udp?term-length=" + TERM_LENGTH_BYTES)
            .replicationChannel("aeron:udp?endpoint=127.0.0.1:0")
            .archiveContext(archiveClient.clone())
            .idleStrategySupplier(idle)
            .deleteDirOnStart(true);
        final ClusteredServiceContainer.Context service = new ClusteredServiceContainer.Context()
            .aeronDirectoryName(aeronDirectory)
            .clusterDir(clusterDirectory)
            .archiveContext(archiveClient.clone())
            .idleStrategySupplier(idle)
            .clusteredService(new AeronClusterKeyValueService());

        final ClusteredMediaDriver media = ClusteredMediaDriver.launch(driver, archive, consensus);
        final ClusteredServiceContainer container = ClusteredServiceContainer.launch(service);
        final PrintStream out = System.out;
        out.println(READY_LINE);
        out.flush();
        // Nobody reads stdout after the ready line: anything later goes to the log.
        System.setOut(System.err);
        awaitStdinClosed();
        container.close();
        media.close();
        System.exit(0);
    }

    static Supplier<IdleStrategy> idleStrategy(final String name)
    {
        return switch (name)
        {
            case IDLE_BACKOFF -> BackoffIdleStrategy::new;
            case IDLE_YIELDING -> YieldingIdleStrategy::new;
            default -> throw new IllegalArgumentException("idle strategy '" + name + "' is not one of " + IDLE_BACKOFF +
                ", " + IDLE_YIELDING);
        };
    }

    private static void awaitStdinClosed()
    {
        final InputStream in = System.in;
        try
        {
            while (in.read() >= 0)
            {
                // Nothing is ever written; only the end of the stream matters.
            }
        }
        catch (final IOException ignore)
        {
            // A broken pipe means the parent is gone: stop as for end of stream.
        }
    }
}
