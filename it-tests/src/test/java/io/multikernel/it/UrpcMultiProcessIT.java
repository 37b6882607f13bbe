package io.multikernel.it;

import io.multikernel.transport.Media;
import io.multikernel.transport.TransportConfiguration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three URPC endpoints, each a separate JVM, exchange messages all-to-all: per-sender FIFO, no loss,
 * no duplicates; then one is killed with SIGKILL and the others must see it as not connected.
 * <p>
 * Over IPC the three share one standalone {@code mk driver} process (one host). Over UDP each
 * endpoint embeds its own driver, as three hosts would.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class UrpcMultiProcessIT
{
    /** Messages each endpoint sends to each other endpoint: 3 x 2 x this in all. */
    static final long MESSAGES_PER_PEER = Long.getLong("mk.it.messages", 100_000);
    /**
     * Driver liveness timeout for these tests, ms: how fast a dead peer is noticed, and how long a
     * stream may fall silent before it is dropped and loses its window. The clusters' default: with
     * 2 s, three JVMs spinning on 2 CPUs (each sender busy-polls while back-pressured) once starved
     * a receiving driver past it during start-up, and 110 KB of one stream were lost as designed.
     */
    static final long LIVENESS_TIMEOUT_MS = TransportConfiguration.LIVENESS_TIMEOUT_DEFAULT_MS;
    static final int CORES = 3;
    /** How long each core may take to receive every message, s. */
    static final long DONE_TIMEOUT_S = 180;

    @TempDir
    Path tempDir;

    /**
     * Where the drivers' directories go: in memory under /dev/shm, as a cluster's are (Aeron's
     * default). Log buffers on a disk-backed temporary directory wait for writeback when the disk is
     * busy, and a driver stalled past the liveness timeout loses a window of a stream.
     */
    private Path aeronBase;

    private final List<ManagedProcess> processes = new ArrayList<>();

    @BeforeEach
    void aeronBase() throws IOException
    {
        final Path shm = Path.of("/dev/shm");
        aeronBase = Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, "mk-urpc-it-") : tempDir;
    }

    @AfterEach
    void stopAll() throws InterruptedException, IOException
    {
        try
        {
            for (int i = processes.size() - 1; i >= 0; i--)
            {
                processes.get(i).close();
            }
        }
        finally
        {
            if (!aeronBase.equals(tempDir))
            {
                TestFiles.deleteTree(aeronBase);
            }
        }
    }

    @Test
    void allToAllOverIpcWithAStandaloneDriver() throws Exception
    {
        final String aeronDir = aeronBase.resolve("aeron").toString();
        final ManagedProcess driver = ManagedProcess.startKernel("ipc-driver", List.of(),
            List.of("driver", "--aeron-dir", aeronDir, "--liveness-timeout-ms", "" + LIVENESS_TIMEOUT_MS));
        processes.add(driver);
        driver.awaitLine(line -> line.startsWith("media driver running in " + aeronDir), 60, TimeUnit.SECONDS);

        final List<ManagedProcess> cores = new ArrayList<>();
        for (int id = 0; id < CORES; id++)
        {
            cores.add(startCore("ipc-core-" + id, id, 0, Media.IPC, aeronDir, false, null, peersOf(id, null, false)));
        }
        exchangeAndKill(cores);
    }

    @Test
    void allToAllOverUdpWithADriverPerHost() throws Exception
    {
        final String[] endpoints = new String[CORES];
        for (int id = 0; id < CORES; id++)
        {
            endpoints[id] = "127.0.0.1:" + freeUdpPort();
        }
        final List<ManagedProcess> cores = new ArrayList<>();
        for (int id = 0; id < CORES; id++)
        {
            cores.add(startCore("udp-core-" + id, id, id, Media.IPC, aeronBase.resolve("aeron-" + id).toString(), true,
                endpoints[id], peersOf(id, endpoints, true)));
        }
        exchangeAndKill(cores);
    }

    private void exchangeAndKill(final List<ManagedProcess> cores) throws Exception
    {
        for (int id = 0; id < CORES; id++)
        {
            cores.get(id).awaitLine(("READY " + id)::equals, 60, TimeUnit.SECONDS);
        }
        for (final ManagedProcess core : cores)
        {
            core.send("go");
        }
        for (int id = 0; id < CORES; id++)
        {
            final String done = awaitDone(cores, id);
            assertThat(done).as("core %d", id).startsWith("DONE errors=0 ");
            for (int peer = 0; peer < CORES; peer++)
            {
                if (peer != id)
                {
                    assertThat(done).as("core %d", id).contains(" from" + peer + "=" + MESSAGES_PER_PEER);
                }
            }
        }

        final ManagedProcess victim = cores.get(CORES - 1);
        victim.kill();
        assertThat(victim.isAlive()).isFalse();
        for (int id = 0; id < CORES - 1; id++)
        {
            awaitConnected(cores.get(id), CORES - 1, false);
            awaitConnected(cores.get(id), 1 - id, true);
        }
    }

    /**
     * Core {@code id}'s DONE line; when it does not come, the failure also tells what every other core
     * last printed (PROGRESS lines: what each received, lost and rejected), since the stall may be any
     * of theirs.
     */
    private static String awaitDone(final List<ManagedProcess> cores, final int id) throws InterruptedException
    {
        try
        {
            return cores.get(id).awaitLine(line -> line.startsWith("DONE"), DONE_TIMEOUT_S, TimeUnit.SECONDS);
        }
        catch (final AssertionError ex)
        {
            final StringBuilder others = new StringBuilder(ex.getMessage());
            for (int other = 0; other < cores.size(); other++)
            {
                if (other != id)
                {
                    others.append(System.lineSeparator()).append("core ").append(other).append(": ")
                        .append(cores.get(other).drainedOutput());
                }
            }
            throw new AssertionError(others.toString(), ex);
        }
    }

    private static void awaitConnected(final ManagedProcess core, final int peer, final boolean expected)
        throws IOException, InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10 + 5 * LIVENESS_TIMEOUT_MS / 1000);
        while (true)
        {
            core.send("connected " + peer);
            final String line = core.awaitLine(l -> l.startsWith("CONNECTED " + peer + " "), 10, TimeUnit.SECONDS);
            if (line.endsWith(" " + expected))
            {
                return;
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("peer " + peer + " still reported " + line + "; expected connected=" + expected);
            }
            Thread.sleep(100);
        }
    }

    private ManagedProcess startCore(final String name, final int id, final int host, final Media media,
        final String aeronDir, final boolean embedded, final String udp, final String peers) throws IOException
    {
        final ManagedProcess process = ManagedProcess.start(name, UrpcPeerProcess.class,
            List.of("-Xmx128m", "-Dmk.driver.liveness.timeout.ms=" + LIVENESS_TIMEOUT_MS),
            List.of("" + id, "" + host, media.name(), aeronDir, "" + embedded, null == udp ? "-" : udp,
                "" + MESSAGES_PER_PEER, peers));
        processes.add(process);
        return process;
    }

    private static String peersOf(final int self, final String[] endpoints, final boolean hostPerCore)
    {
        final List<String> peers = new ArrayList<>();
        for (int id = 0; id < CORES; id++)
        {
            if (id != self)
            {
                peers.add(id + ":" + (hostPerCore ? id : 0) + ":" + (null == endpoints ? "-" : endpoints[id]));
            }
        }
        return String.join(",", peers);
    }

    private static int freeUdpPort() throws IOException
    {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }
}
