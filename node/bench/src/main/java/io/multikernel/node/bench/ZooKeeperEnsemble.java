package io.multikernel.node.bench;

import io.multikernel.common.Bounds;
import io.multikernel.node.launcher.RunDirectory;
import io.multikernel.transport.JvmFlags;
import org.agrona.IoUtil;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A ZooKeeper ensemble on loopback, each server a separate JVM started from this JVM's class path
 * ({@link ZooKeeperServerProcess}). The ensemble directory holds one configuration file, one data
 * directory ({@code dataDir}, which is also the transaction log directory) and one log per server:
 *
 * <pre>
 *   DIR/server-1.cfg  DIR/server-1/myid  DIR/server-1.log   (and so on for each server)
 * </pre>
 *
 * Every server listens on 127.0.0.1 only, on free ports picked at start (client, quorum, election),
 * with the admin server off and only the {@code srvr} four-letter command enabled (used to see
 * which server leads). {@code zookeeper.forceSync} is set on each server's command line.
 * {@link #start(Context)} returns once every server reports itself leader or follower; {@link #close()}
 * (also run by a shutdown hook, so Ctrl-C cleans up) stops them and deletes the directory unless it
 * was asked to keep it, or a server failed to start (then the logs stay and the error names them).
 */
public final class ZooKeeperEnsemble implements AutoCloseable
{
    /** The main class each server JVM runs. */
    public static final String SERVER_MAIN_CLASS = ZooKeeperServerProcess.class.getName();
    /** How long a four-letter command may take to answer, ms. */
    static final int FOUR_LETTER_TIMEOUT_MS = 1_000;
    /** Pause between readiness polls, ms. */
    static final long READY_POLL_INTERVAL_MS = 100;
    /** How long a server may take to exit after its standard input closed, s. */
    static final long EXIT_TIMEOUT_S = 10;
    private static final int PORTS_PER_SERVER = 3;

    private final Context ctx;
    private final List<Server> servers = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread shutdownHook = new Thread(this::close, "mk-zookeeper-ensemble-shutdown");
    private volatile boolean failed;

    /**
     * One server: its id (1-based, ZooKeeper's {@code myid}), ports, files and process.
     */
    static final class Server
    {
        final int id;
        final int clientPort;
        final int quorumPort;
        final int electionPort;
        final Path config;
        final Path dataDir;
        final Path log;
        Process process;

        Server(final int id, final int clientPort, final int quorumPort, final int electionPort, final Path directory)
        {
            this.id = id;
            this.clientPort = clientPort;
            this.quorumPort = quorumPort;
            this.electionPort = electionPort;
            this.config = directory.resolve("server-" + id + ".cfg");
            this.dataDir = directory.resolve("server-" + id);
            this.log = directory.resolve("server-" + id + ".log");
        }

        String name()
        {
            return "zookeeper server " + id;
        }
    }

    /**
     * Configuration of an ensemble; defaults suit a benchmark on one small machine.
     */
    public static final class Context
    {
        /** Servers in the ensemble by default. */
        public static final int SERVERS_DEFAULT = 3;
        /** Most servers one machine runs. */
        public static final int SERVERS_MAX = 9;
        /** ZooKeeper's tick by default, ms: short, so elections settle fast. */
        public static final int TICK_TIME_DEFAULT_MS = 200;
        /** Heap of each server JVM by default, MiB. */
        public static final int SERVER_HEAP_DEFAULT_MB = 256;
        /** How long the ensemble may take to form by default, s. */
        public static final long START_TIMEOUT_DEFAULT_S = 120;

        private Path directory;
        private int servers = SERVERS_DEFAULT;
        private boolean forceSync = true;
        private int tickTimeMs = TICK_TIME_DEFAULT_MS;
        private int serverHeapMb = SERVER_HEAP_DEFAULT_MB;
        private long startTimeoutNs = TimeUnit.SECONDS.toNanos(START_TIMEOUT_DEFAULT_S);
        private boolean keepData;
        private NanoClock nanoClock;

        /** @param directory new or empty directory for configurations, data and logs. */
        public Context directory(final Path directory)
        {
            this.directory = directory;
            return this;
        }

        public Path directory()
        {
            return directory;
        }

        /** @param servers ensemble size, 1..{@link #SERVERS_MAX}. */
        public Context servers(final int servers)
        {
            this.servers = servers;
            return this;
        }

        public int servers()
        {
            return servers;
        }

        /** @param forceSync ZooKeeper's {@code zookeeper.forceSync}: fsync the transaction log before acknowledging. */
        public Context forceSync(final boolean forceSync)
        {
            this.forceSync = forceSync;
            return this;
        }

        public boolean forceSync()
        {
            return forceSync;
        }

        /** @param tickTimeMs ZooKeeper's {@code tickTime}; init and sync limits are 10 s and 5 s of ticks. */
        public Context tickTimeMs(final int tickTimeMs)
        {
            this.tickTimeMs = tickTimeMs;
            return this;
        }

        public int tickTimeMs()
        {
            return tickTimeMs;
        }

        /** @param serverHeapMb {@code -Xmx} of each server JVM, MiB. */
        public Context serverHeapMb(final int serverHeapMb)
        {
            this.serverHeapMb = serverHeapMb;
            return this;
        }

        public int serverHeapMb()
        {
            return serverHeapMb;
        }

        /** @param startTimeoutNs how long every server may take to join the ensemble. */
        public Context startTimeoutNs(final long startTimeoutNs)
        {
            this.startTimeoutNs = startTimeoutNs;
            return this;
        }

        public long startTimeoutNs()
        {
            return startTimeoutNs;
        }

        /** @param keepData keep the directory (data, configurations, logs) after close. */
        public Context keepData(final boolean keepData)
        {
            this.keepData = keepData;
            return this;
        }

        public boolean keepData()
        {
            return keepData;
        }

        /** @param nanoClock for start deadlines. */
        public Context nanoClock(final NanoClock nanoClock)
        {
            this.nanoClock = nanoClock;
            return this;
        }

        public NanoClock nanoClock()
        {
            return nanoClock;
        }

        /**
         * Validates once and fills in derived defaults.
         *
         * @return this.
         * @throws IllegalArgumentException naming the value and its limit.
         */
        public Context conclude()
        {
            if (null == directory)
            {
                throw new IllegalArgumentException("directory is not set");
            }
            Bounds.check("servers", servers, 1, SERVERS_MAX);
            Bounds.check("tickTimeMs", tickTimeMs, 10, 10_000);
            Bounds.check("serverHeapMb", serverHeapMb, 32, 32_768);
            check(startTimeoutNs > 0, "startTimeoutNs=" + startTimeoutNs + " is not positive");
            if (null == nanoClock)
            {
                nanoClock = new SystemNanoClock();
            }
            return this;
        }

        private static void check(final boolean condition, final String message)
        {
            if (!condition)
            {
                throw new IllegalArgumentException(message);
            }
        }
    }

    private ZooKeeperEnsemble(final Context ctx)
    {
        this.ctx = ctx;
    }

    /**
     * Writes the configurations, starts every server and waits until each is leader or follower.
     *
     * @param ctx configuration; concluded here.
     * @return the running ensemble.
     * @throws IOException when the directory cannot be written, or a server exits or does not join in
     *                     time; the message names the server and its log. Every server started is
     *                     stopped before this throws.
     */
    public static ZooKeeperEnsemble start(final Context ctx) throws IOException, InterruptedException
    {
        final ZooKeeperEnsemble ensemble = new ZooKeeperEnsemble(ctx.conclude());
        // Ctrl-C: the servers would exit anyway (their stdin closes), but their data would stay.
        Runtime.getRuntime().addShutdownHook(ensemble.shutdownHook);
        try
        {
            ensemble.writeConfigurations();
            ensemble.launch();
            ensemble.awaitServing();
            return ensemble;
        }
        catch (final IOException | InterruptedException | RuntimeException ex)
        {
            ensemble.failed = true;
            ensemble.close();
            throw ex;
        }
    }

    private void writeConfigurations() throws IOException
    {
        Files.createDirectories(ctx.directory());
        final int[] ports = freeLoopbackPorts(ctx.servers() * PORTS_PER_SERVER);
        for (int i = 0; i < ctx.servers(); i++)
        {
            servers.add(new Server(i + 1, ports[PORTS_PER_SERVER * i], ports[PORTS_PER_SERVER * i + 1],
                ports[PORTS_PER_SERVER * i + 2], ctx.directory()));
        }
        for (final Server server : servers)
        {
            Files.createDirectories(server.dataDir);
            Files.writeString(server.dataDir.resolve("myid"), server.id + "\n", StandardCharsets.US_ASCII);
            Files.writeString(server.config, configuration(server, servers, ctx.tickTimeMs()), StandardCharsets.UTF_8);
        }
    }

    /**
     * The {@code zoo.cfg} of one server.
     *
     * @param server     the server.
     * @param ensemble   every server, for the {@code server.N} lines.
     * @param tickTimeMs ZooKeeper's tick.
     * @return the file's text.
     */
    static String configuration(final Server server, final List<Server> ensemble, final int tickTimeMs)
    {
        final int initLimitTicks = (int)Math.max(10, TimeUnit.SECONDS.toMillis(10) / tickTimeMs);
        final int syncLimitTicks = (int)Math.max(5, TimeUnit.SECONDS.toMillis(5) / tickTimeMs);
        final StringBuilder sb = new StringBuilder()
            .append("# Written by mk bench 2pc for one run; deleted when the run ends.\n")
            .append("tickTime=").append(tickTimeMs).append('\n')
            .append("initLimit=").append(initLimitTicks).append('\n')
            .append("syncLimit=").append(syncLimitTicks).append('\n')
            .append("dataDir=").append(server.dataDir.toAbsolutePath()).append('\n')
            .append("clientPort=").append(server.clientPort).append('\n')
            .append("clientPortAddress=127.0.0.1\n")
            .append("admin.enableServer=false\n")
            .append("4lw.commands.whitelist=srvr\n")
            .append("autopurge.purgeInterval=0\n");
        for (final Server peer : ensemble)
        {
            sb.append("server.").append(peer.id).append("=127.0.0.1:").append(peer.quorumPort).append(':')
                .append(peer.electionPort).append('\n');
        }
        return sb.toString();
    }

    private void launch() throws IOException
    {
        for (final Server server : servers)
        {
            final List<String> command = JvmFlags.javaCommand(ZooKeeperServerProcess.class, List.of(
                "-Xmx" + ctx.serverHeapMb() + "m",
                "-Dzookeeper.forceSync=" + (ctx.forceSync() ? "yes" : "no"),
                "-Dmk.zookeeper.log.level=INFO"));
            command.add(server.config.toAbsolutePath().toString());
            server.process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(server.log.toFile())
                .start();
        }
    }

    private void awaitServing() throws IOException, InterruptedException
    {
        final NanoClock clock = ctx.nanoClock();
        final long deadlineNs = clock.nanoTime() + ctx.startTimeoutNs();
        while (true)
        {
            final List<Server> waiting = new ArrayList<>();
            for (final Server server : servers)
            {
                if (!server.process.isAlive())
                {
                    throw new IOException(server.name() + " exited with code " + server.process.exitValue() +
                        " while starting; its log " + server.log + " ends: " + RunDirectory.tail(server.log, 3));
                }
                if (mode(server).isEmpty())
                {
                    waiting.add(server);
                }
            }
            if (waiting.isEmpty())
            {
                return;
            }
            if (clock.nanoTime() - deadlineNs >= 0)
            {
                final Server first = waiting.get(0);
                throw new IOException(first.name() + (waiting.size() > 1 ? " (and " + (waiting.size() - 1) + " more)" : "") +
                    " did not join the ensemble within " + TimeUnit.NANOSECONDS.toMillis(ctx.startTimeoutNs()) +
                    " ms; its log " + first.log + " ends: " + RunDirectory.tail(first.log, 3));
            }
            Thread.sleep(READY_POLL_INTERVAL_MS);
        }
    }

    /**
     * @param server to ask.
     * @return {@code leader}, {@code follower} or {@code standalone} once it serves; empty while it
     *         does not answer or answers that it is not serving.
     */
    static Optional<String> mode(final Server server)
    {
        return mode(server.clientPort);
    }

    private static Optional<String> mode(final int clientPort)
    {
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), clientPort), FOUR_LETTER_TIMEOUT_MS);
            socket.setSoTimeout(FOUR_LETTER_TIMEOUT_MS);
            final OutputStream out = socket.getOutputStream();
            out.write("srvr".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            final BufferedReader reader = new BufferedReader(
                new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            String line;
            while (null != (line = reader.readLine()))
            {
                if (line.startsWith("Mode: "))
                {
                    return Optional.of(line.substring("Mode: ".length()).trim().toLowerCase(Locale.ROOT));
                }
            }
            return Optional.empty();
        }
        catch (final IOException ex)
        {
            return Optional.empty();
        }
    }

    /**
     * @return the client address of the server that leads now, e.g. {@code 127.0.0.1:34567}.
     * @throws IllegalStateException when no server says it leads.
     */
    public String leaderConnectString()
    {
        for (final Server server : servers)
        {
            final Optional<String> mode = mode(server);
            if (mode.isPresent() && ("leader".equals(mode.get()) || "standalone".equals(mode.get())))
            {
                return "127.0.0.1:" + server.clientPort;
            }
        }
        throw new IllegalStateException("no zookeeper server of the ensemble in " + ctx.directory() + " says it leads");
    }

    /**
     * @return the client addresses of every server, comma-separated, as a ZooKeeper connect string.
     */
    public String connectString()
    {
        final List<String> addresses = new ArrayList<>();
        for (final Server server : servers)
        {
            addresses.add("127.0.0.1:" + server.clientPort);
        }
        return String.join(",", addresses);
    }

    /**
     * @return the process ids of the servers started.
     */
    public List<Long> pids()
    {
        final List<Long> pids = new ArrayList<>();
        for (final Server server : servers)
        {
            if (null != server.process)
            {
                pids.add(server.process.pid());
            }
        }
        return pids;
    }

    public Path directory()
    {
        return ctx.directory();
    }

    /**
     * Stops every server (closes its standard input, then kills it if it has not exited within
     * {@link #EXIT_TIMEOUT_S}) and deletes the directory unless asked to keep it. After a failed
     * start the data directories go but the configurations and logs stay, because the error names them.
     */
    @Override
    public void close()
    {
        if (!closed.compareAndSet(false, true))
        {
            return;
        }
        if (Thread.currentThread() != shutdownHook)
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
        for (final Server server : servers)
        {
            if (null != server.process)
            {
                closeQuietly(server.process);
            }
        }
        for (final Server server : servers)
        {
            if (null != server.process)
            {
                awaitExit(server.process);
            }
        }
        if (ctx.keepData())
        {
            return;
        }
        if (failed)
        {
            for (final Server server : servers)
            {
                IoUtil.delete(server.dataDir.toFile(), true);
            }
        }
        else
        {
            IoUtil.delete(ctx.directory().toFile(), true);
        }
    }

    private static void closeQuietly(final Process process)
    {
        try
        {
            process.getOutputStream().close();
        }
        catch (final IOException ex)
        {
            process.destroyForcibly();
        }
    }

    private static void awaitExit(final Process process)
    {
        try
        {
            if (!process.waitFor(EXIT_TIMEOUT_S, TimeUnit.SECONDS))
            {
                process.destroyForcibly().waitFor(EXIT_TIMEOUT_S, TimeUnit.SECONDS);
            }
        }
        catch (final InterruptedException ex)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    static int[] freeLoopbackPorts(final int count) throws IOException
    {
        // Hold every socket open until all are picked, so no port is handed out twice.
        final List<ServerSocket> sockets = new ArrayList<>();
        try
        {
            final int[] ports = new int[count];
            for (int i = 0; i < count; i++)
            {
                final ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                sockets.add(socket);
                ports[i] = socket.getLocalPort();
            }
            return ports;
        }
        finally
        {
            for (final ServerSocket socket : sockets)
            {
                socket.close();
            }
        }
    }

    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder("ZooKeeperEnsemble{").append(ctx.directory());
        for (final Server server : servers)
        {
            sb.append(", ").append(server.id).append('@').append(server.clientPort);
        }
        return sb.append('}').toString();
    }
}
