package io.multikernel.node.bench;

import io.multikernel.common.Setting;
import io.multikernel.node.cluster.TransportKind;
import io.multikernel.node.core.CoreConfiguration;
import io.multikernel.node.launcher.ClusterLauncher;
import io.multikernel.node.launcher.ClusterStopper;
import io.multikernel.node.launcher.CpuPlacement;
import io.multikernel.node.launcher.RunDirectory;
import io.multikernel.node.lrpc.LrpcClient;
import io.multikernel.node.lrpc.LrpcConfiguration;
import io.multikernel.node.lrpc.LrpcOperations;
import io.multikernel.node.lrpc.LrpcOutcome;
import io.multikernel.node.lrpc.LrpcResult;
import io.multikernel.node.replication.KvPutCodec;
import io.multikernel.node.launcher.FreePorts;
import io.multikernel.replication.ReplicationConfiguration;
import io.multikernel.replication.wal.FsyncPolicy;
import io.multikernel.transport.IdleStrategies;
import org.HdrHistogram.Histogram;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Our side of {@code mk bench 2pc}: a fresh cluster of R core JVMs over IPC started by the
 * {@link ClusterLauncher} (one media driver, free ports, its own run directory under the bench's),
 * and an app in this JVM attached to core 0 by its LRPC file. Every write is one {@code kv.put} on
 * replicas {0..R-1}, coordinated by core 0: app -> LRPC -> core 0 -> 2PC over URPC -> participants.
 * <p>
 * Keys: write i goes to key {@code k<i mod KEY_SPACE>}, so pipelined writes never share a key (2PC
 * locks make a second write to a key in flight vote NO). Any write that does not commit (aborted,
 * not proposed, indefinite, timed out) fails the run with one line saying which and why.
 */
public final class MultikernelReplicatedWrites implements ReplicatedWriteSystem
{
    /** Name in output and JSON rows. */
    public static final String NAME = "multikernel";
    /** Idle strategy of the cores and the app: reported with the results. */
    public static final String IDLE_STRATEGY_PROP = "mk.bench.2pc.idle";
    public static final String IDLE_STRATEGY_DEFAULT = "yielding";
    public static final String IDLE_STRATEGY = System.getProperty(IDLE_STRATEGY_PROP, IDLE_STRATEGY_DEFAULT);
    /**
     * Idle strategy of the media driver. Over IPC the driver is off the data path (cores write into
     * each other's logs), so it need not compete with the cores for the CPU.
     */
    public static final String DRIVER_IDLE_STRATEGY_PROP = "mk.bench.2pc.driver.idle";
    public static final String DRIVER_IDLE_STRATEGY_DEFAULT = "backoff";
    public static final String DRIVER_IDLE_STRATEGY = System.getProperty(DRIVER_IDLE_STRATEGY_PROP,
        DRIVER_IDLE_STRATEGY_DEFAULT);
    /** Idle strategy of the app while its pipelined writes are outstanding. */
    public static final String PIPELINE_IDLE_STRATEGY_PROP = "mk.bench.2pc.pipeline.idle";
    public static final String PIPELINE_IDLE_STRATEGY_DEFAULT = "backoff";
    public static final String PIPELINE_IDLE_STRATEGY = System.getProperty(PIPELINE_IDLE_STRATEGY_PROP,
        PIPELINE_IDLE_STRATEGY_DEFAULT);
    /** Longest park of the app's idle strategies, when they park, ns. */
    static final long APP_IDLE_PARK_MAX_NS = TimeUnit.MICROSECONDS.toNanos(100);
    /**
     * Distinct keys written round robin: four times the most writes the bench keeps in flight, so
     * pipelined writes never share a key, and few enough that a long run keeps the replicas small
     * (ZooKeeper's side rewrites one znode).
     */
    static final int KEY_SPACE = 16_384;
    /** Heap of each core at start (its maximum stays the launcher's), and the part for new objects, MiB. */
    static final int HEAP_INITIAL_MB = 128;
    static final int YOUNG_GENERATION_MB = 64;
    /** Longest park of a core's idle strategy, when it parks at all, us. */
    static final long CORE_IDLE_PARK_MAX_US = 100;
    /** Vote timeout of the cores: holds on a loaded 2-CPU machine (the default is 1 s). */
    static final String PREPARE_TIMEOUT = "2s";
    /** How long the cluster may take to come up, ms. */
    static final long START_TIMEOUT_MS = 90_000;
    /** How long one write may take before it counts as timed out (indefinite), ms. */
    static final long CALL_TIMEOUT_MS = 30_000;
    /** How long the latency phase (warmup included) may take, s. */
    static final long PHASE_TIMEOUT_S = 600;
    /** How long stopping the cluster may take per group (cores, then driver), ms. */
    static final long STOP_TIMEOUT_MS = 10_000;
    /** The longest latency the histogram records exactly, ns. */
    static final long LATENCY_MAX_NS = TimeUnit.SECONDS.toNanos(30);
    /** The coordinator: core 0, one of the replicas, where the app attaches. */
    static final int COORDINATOR_CORE = 0;
    /** Room in an LRPC request for the header, counts, replicas and key, beyond the value, bytes. */
    private static final int REQUEST_OVERHEAD_BYTES = 128;

    private final ReplicatedWriteSettings settings;
    /** The app's idle strategy while it waits for one write: the cores' (latency is what is measured). */
    private final IdleStrategy idle = IdleStrategies.of(IDLE_STRATEGY, APP_IDLE_PARK_MAX_NS);
    /**
     * The app's idle strategy while its window of pipelined writes is full: it backs off to short
     * parks, leaving the CPUs to the cores, as a blocked client thread would.
     */
    private final IdleStrategy pipelineIdle = IdleStrategies.of(PIPELINE_IDLE_STRATEGY, APP_IDLE_PARK_MAX_NS);
    private RunDirectory runDirectory;
    private Thread shutdownHook;
    private LrpcClient client;
    private int[] replicas;
    private String value;
    private UnsafeBuffer request;
    private long nextKey;
    private boolean keepLogs;
    /** The CPUs this JVM ran on before it was pinned to the app's, restored at {@link #close()}; null when not pinned. */
    private String appUnpinnedCpus;

    public MultikernelReplicatedWrites(final ReplicatedWriteSettings settings)
    {
        this.settings = settings;
    }

    @Override
    public String name()
    {
        return NAME;
    }

    /**
     * @param replicas replicas per write.
     * @param payload  value bytes.
     * @param inflight most writes the app keeps outstanding.
     * @return the JVM options of every core for this benchmark.
     */
    static List<String> coreJvmOptions(final int replicas, final int payload, final int inflight)
    {
        final int outstanding = Math.max(LrpcConfiguration.OUTSTANDING_MAX_DEFAULT, BitUtil.findNextPositivePowerOfTwo(inflight));
        final int messageLength = Math.max(LrpcConfiguration.MESSAGE_LENGTH_MAX_DEFAULT_BYTES,
            REQUEST_OVERHEAD_BYTES + KvPutCodec.INT_LENGTH_BYTES * replicas + payload);
        return List.of(
            // A young generation sized for pipelined writes: fewer collections on the kernel thread.
            "-Xms" + HEAP_INITIAL_MB + "m", "-Xmn" + YOUNG_GENERATION_MB + "m",
            "-D" + LrpcConfiguration.OUTSTANDING_MAX_PROP + "=" + outstanding,
            "-D" + LrpcConfiguration.MESSAGE_LENGTH_MAX_PROP + "=" + messageLength,
            "-D" + LrpcConfiguration.CLIENT_SLOTS_PROP + "=2",
            "-D" + ReplicationConfiguration.PREPARE_TIMEOUT_PROP_NAME + "=" + PREPARE_TIMEOUT,
            // Parks of backing-off idle strategies stay short: a write waits on every core.
            "-D" + CoreConfiguration.CORE_IDLE_PARK_MAX_PROP + "=" + CORE_IDLE_PARK_MAX_US);
    }

    @Override
    public void start(final int replicas, final FsyncPolicy fsync) throws Exception
    {
        if (null != runDirectory)
        {
            throw new IllegalStateException("this multikernel deployment was already started");
        }
        Files.createDirectories(settings.runDirectory());
        final String fsyncName = fsync.name().toLowerCase(Locale.ROOT);
        runDirectory = new RunDirectory(Files.createTempDirectory(settings.runDirectory(),
            "multikernel-" + fsyncName + "-" + replicas + "-"));
        shutdownHook = new Thread(this::stopCluster, "mk-bench-2pc-cluster-stop");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        try
        {
            launch(replicas, fsyncName);
        }
        catch (final Exception ex)
        {
            // The message names a log: keep the logs, drop the data.
            keepLogs = true;
            throw ex;
        }
    }

    private void launch(final int replicas, final String fsyncName) throws Exception
    {
        final PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        final List<String> coreOptions = new ArrayList<>(coreJvmOptions(replicas, settings.payloadBytes(), settings.inflight()));
        coreOptions.addAll(ClusterLauncher.environmentCoreJvmArgs());
        new ClusterLauncher(runDirectory, quiet, coreOptions)
            .up(new ClusterLauncher.Options(replicas, 1, TransportKind.IPC, FreePorts.range(replicas),
                FreePorts.range(replicas), IDLE_STRATEGY, START_TIMEOUT_MS, fsyncName, DRIVER_IDLE_STRATEGY,
                settings.cpus()));
        final Optional<String> appCpus = settings.cpus().appCpus(replicas);
        if (appCpus.isPresent())
        {
            // The app (this JVM) shares the CPUs of the cores that have none of their own.
            appUnpinnedCpus = CpuPlacement.allowedCpuList();
            CpuPlacement.pinProcess(ProcessHandle.current().pid(), appCpus.get());
        }
        client = LrpcClient.attach(new LrpcClient.Context()
            .file(runDirectory.lrpcFile(COORDINATOR_CORE))
            .coreId(COORDINATOR_CORE)
            .idleStrategy(idle)
            .callTimeoutNs(TimeUnit.MILLISECONDS.toNanos(CALL_TIMEOUT_MS)));
        this.replicas = new int[replicas];
        for (int i = 0; i < replicas; i++)
        {
            this.replicas[i] = i;
        }
        value = new String(ZooKeeperWriteLoad.payload(settings.payloadBytes()), StandardCharsets.US_ASCII);
        request = new UnsafeBuffer(new byte[REQUEST_OVERHEAD_BYTES + KvPutCodec.INT_LENGTH_BYTES * replicas +
            settings.payloadBytes()]);
        final LrpcResult first = client.call(LrpcOperations.KV_PUT, request, 0, encodeNext());
        if (LrpcOutcome.SUCCESS != first.outcome())
        {
            throw new IOException("the first replicated put did not commit: " + describe(first.outcome(), first.message()) +
                " (logs: " + runDirectory.root().resolve("logs") + ")");
        }
    }

    private int encodeNext()
    {
        final String key = "k" + (nextKey++ % KEY_SPACE);
        return KvPutCodec.encodeRequest(request, 0, replicas, key, value);
    }

    private static String describe(final LrpcOutcome outcome, final String message)
    {
        return outcome.name().toLowerCase(Locale.ROOT) + (outcome.isDefinite() ? "" : " (it may have committed)") +
            (null == message || message.isEmpty() ? "" : ": " + message);
    }

    @Override
    public LatencyPercentiles measureLatency(final int warmupOps, final int ops) throws Exception
    {
        final LrpcClient started = started();
        final long deadlineNs = settings.clock().nanoTime() + TimeUnit.SECONDS.toNanos(PHASE_TIMEOUT_S);
        final Histogram histogram = new Histogram(LATENCY_MAX_NS, 3);
        for (int i = 0; i < warmupOps + ops; i++)
        {
            final int length = encodeNext();
            final long startNs = settings.clock().nanoTime();
            final LrpcResult result = started.call(LrpcOperations.KV_PUT, request, 0, length);
            final long endNs = settings.clock().nanoTime();
            if (LrpcOutcome.SUCCESS != result.outcome())
            {
                throw new IOException("write " + (i + 1) + " of " + (warmupOps + ops) + " (one at a time) did not commit: " +
                    describe(result.outcome(), result.message()));
            }
            if (i >= warmupOps)
            {
                histogram.recordValue(Math.min(endNs - startNs, LATENCY_MAX_NS));
            }
            if (endNs - deadlineNs >= 0)
            {
                throw new IOException("the latency phase did not finish within " + PHASE_TIMEOUT_S + " s (" + i +
                    " of " + (warmupOps + ops) + " writes done)");
            }
        }
        return LatencyPercentiles.of(histogram);
    }

    @Override
    public double measureThroughput(final long durationNs, final int inflight) throws Exception
    {
        final LrpcClient started = started();
        final int window = Math.min(inflight, started.outstandingMax());
        final long startNs = settings.clock().nanoTime();
        final long endNs = startNs + durationNs;
        final Completions completions = new Completions();
        long submitted = 0;
        pipelineIdle.reset();
        while (true)
        {
            final long nowNs = settings.clock().nanoTime();
            final boolean open = nowNs - endNs < 0;
            if (!open && 0 == started.outstanding())
            {
                break;
            }
            int work = 0;
            while (open && started.outstanding() < window)
            {
                final long sent = started.send(LrpcOperations.KV_PUT, request, 0, encodeNext(), completions);
                if (sent < 0)
                {
                    nextKey--;
                    final LrpcOutcome outcome = LrpcOutcome.fromCode(sent);
                    if (LrpcOutcome.BACK_PRESSURED != outcome)
                    {
                        throw new IOException("pipelined write " + (submitted + 1) + " was not sent: " +
                            describe(outcome, started.coreProblem()));
                    }
                    break;
                }
                submitted++;
                work++;
            }
            work += started.poll();
            if (null != completions.firstFailure)
            {
                throw new IOException(completions.failures + " of " + submitted + " pipelined writes did not commit (" +
                    completions.done + " answered); the first: " + completions.firstFailure);
            }
            if (!open && nowNs - endNs - TimeUnit.SECONDS.toNanos(THROUGHPUT_DRAIN_TIMEOUT_S) >= 0)
            {
                throw new IOException(started.outstanding() + " of " + submitted + " pipelined writes were still " +
                    "outstanding " + THROUGHPUT_DRAIN_TIMEOUT_S + " s after the phase ended");
            }
            pipelineIdle.idle(work);
        }
        final long elapsedNs = Math.max(1, settings.clock().nanoTime() - startNs);
        return completions.done * 1e9 / elapsedNs;
    }

    private LrpcClient started()
    {
        if (null == client)
        {
            throw new IllegalStateException("the multikernel deployment is not started");
        }
        return client;
    }

    @Override
    public void close()
    {
        if (null != client)
        {
            client.close();
            client = null;
        }
        if (null != appUnpinnedCpus)
        {
            final String cpus = appUnpinnedCpus;
            appUnpinnedCpus = null;
            try
            {
                CpuPlacement.pinProcess(ProcessHandle.current().pid(), cpus);
            }
            catch (final IOException ex)
            {
                System.err.println("mk bench 2pc: " + ex.getMessage() + "; later runs in this invocation stay pinned");
            }
        }
        if (null != shutdownHook)
        {
            try
            {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            }
            catch (final IllegalStateException ex)
            {
                // The JVM is shutting down: the hook stops the cluster.
            }
            shutdownHook = null;
        }
        stopCluster();
    }

    private synchronized void stopCluster()
    {
        if (null == runDirectory)
        {
            return;
        }
        try
        {
            new ClusterStopper(runDirectory, new PrintStream(OutputStream.nullOutputStream())).down(STOP_TIMEOUT_MS);
            if (settings.keepData())
            {
                return;
            }
            if (keepLogs)
            {
                IoUtil.delete(runDirectory.root().resolve("data").toFile(), true);
                IoUtil.delete(runDirectory.root().resolve("lrpc").toFile(), true);
            }
            else
            {
                IoUtil.delete(runDirectory.root().toFile(), true);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final RuntimeException ex)
        {
            System.err.println("mk bench 2pc: stopping the cluster in " + runDirectory.root() + " failed: " +
                ex.getMessage() + "; its processes are recorded in " + runDirectory.processesFile());
        }
        finally
        {
            runDirectory = null;
        }
    }

    /** Counts pipelined outcomes on the app's thread; keeps the first failure's line. */
    private static final class Completions implements io.multikernel.node.lrpc.LrpcReplyHandler
    {
        int done;
        int failures;
        String firstFailure;

        @Override
        public void onReply(final long correlationId, final LrpcOutcome outcome, final int status,
            final DirectBuffer buffer, final int offset, final int length)
        {
            done++;
            if (LrpcOutcome.SUCCESS != outcome)
            {
                failures++;
                if (null == firstFailure)
                {
                    firstFailure = describe(outcome, buffer.getStringWithoutLengthUtf8(offset, length));
                }
            }
        }
    }

    /**
     * The settings of our side of {@code mk bench 2pc} for the configuration reference ({@code mk config}):
     * system properties of the benchmark's JVM, read once when this class loads.
     *
     * @return every setting above with its default and meaning.
     */
    public static List<Setting> settings()
    {
        return List.of(
            new Setting(IDLE_STRATEGY_PROP, IDLE_STRATEGY_DEFAULT,
                "mk bench 2pc: idle strategy of the cores and of the app's one-at-a-time writes.", () -> IDLE_STRATEGY),
            new Setting(PIPELINE_IDLE_STRATEGY_PROP, PIPELINE_IDLE_STRATEGY_DEFAULT,
                "mk bench 2pc: idle strategy of the app while its pipelined writes are out (parks at most " +
                Setting.microseconds(APP_IDLE_PARK_MAX_NS) + " us).",
                () -> PIPELINE_IDLE_STRATEGY),
            new Setting(DRIVER_IDLE_STRATEGY_PROP, DRIVER_IDLE_STRATEGY_DEFAULT,
                "mk bench 2pc: idle strategy of the media driver, which IPC bypasses.", () -> DRIVER_IDLE_STRATEGY));
    }
}
