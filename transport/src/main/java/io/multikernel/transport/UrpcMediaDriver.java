package io.multikernel.transport;

import io.aeron.CommonContext;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.CloseHelper;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The host's interconnect: one Aeron media driver per host, embedded in a process or standalone
 * ({@code mk driver}). Configured from {@link TransportConfiguration} with short terms and idle
 * strategies that back off, so many cores fit on few CPUs. Its directory is owner-only while it runs
 * (see {@link #ownerOnly}).
 */
public final class UrpcMediaDriver implements AutoCloseable
{
    /**
     * Sleep of the driver's async executor thread between polls of its task queue (rare slow tasks
     * such as name resolution), ms. Aeron's default woke it ~900 times a second at rest.
     */
    static final long ASYNC_EXECUTOR_SLEEP_MS = 10;

    private static final Logger LOGGER = LoggerFactory.getLogger(UrpcMediaDriver.class);
    private static final long DRIVER_ACTIVE_CHECK_TIMEOUT_MS = 2_000;
    private static final long TIMER_INTERVAL_MAX_NS = 1_000_000_000L;
    /**
     * Counter values in the CnC file, bytes: 8192 counters, enough for a few hundred cores' worth of
     * publications and images; Aeron's default makes the CnC file alone tens of MiB of /dev/shm.
     */
    static final int COUNTER_VALUES_BUFFER_LENGTH_BYTES = 1024 * 1024;
    /** File systems whose files are memory: log buffers there never wait for a disk. */
    static final Set<String> MEMORY_FILE_SYSTEMS = Set.of("tmpfs", "ramfs", "hugetlbfs");


    private final MediaDriver driver;
    private final Context ctx;

    private UrpcMediaDriver(final Context ctx, final MediaDriver driver)
    {
        this.ctx = ctx;
        this.driver = driver;
    }

    /**
     * Start a driver.
     *
     * @param ctx configuration, concluded here.
     * @return the running driver.
     * @throws IllegalStateException when another driver is already active in the directory.
     */
    public static UrpcMediaDriver launch(final Context ctx)
    {
        ctx.conclude();
        if (!ctx.deleteDirectoryOnStart &&
            CommonContext.isDriverActive(new File(ctx.aeronDirectory), DRIVER_ACTIVE_CHECK_TIMEOUT_MS, msg -> { }))
        {
            throw new IllegalStateException("a media driver is already running in " + ctx.aeronDirectory +
                ": use it, stop it, or choose another directory with --aeron-dir");
        }
        final long livenessNs = ctx.livenessTimeoutNs;
        final MediaDriver.Context driverCtx = new MediaDriver.Context()
            .aeronDirectoryName(ctx.aeronDirectory)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(ctx.deleteDirectoryOnShutdown)
            .warnIfDirectoryExists(false)
            .threadingMode(ctx.threadingMode)
            .ipcTermBufferLength(ctx.termLength)
            .publicationTermBufferLength(ctx.termLength)
            .timerIntervalNs(timerIntervalNs(livenessNs))
            .clientLivenessTimeoutNs(livenessNs)
            .imageLivenessTimeoutNs(livenessNs)
            .publicationConnectionTimeoutNs(livenessNs)
            .publicationUnblockTimeoutNs(2 * livenessNs + 1_000_000_000L)
            .untetheredWindowLimitTimeoutNs(livenessNs)
            .counterValuesBufferLength(COUNTER_VALUES_BUFFER_LENGTH_BYTES)
            .errorHandler(ex -> LOGGER.warn("media driver error in {}: {}", ctx.aeronDirectory, ex.toString()));
        driverCtx
            .conductorIdleStrategy(IdleStrategies.of(ctx.idleStrategy, ctx.idleParkMaxNs))
            .senderIdleStrategy(IdleStrategies.of(ctx.idleStrategy, ctx.idleParkMaxNs))
            .receiverIdleStrategy(IdleStrategies.of(ctx.idleStrategy, ctx.idleParkMaxNs))
            .sharedNetworkIdleStrategy(IdleStrategies.of(ctx.idleStrategy, ctx.idleParkMaxNs))
            .sharedIdleStrategy(IdleStrategies.of(ctx.idleStrategy, ctx.idleParkMaxNs))
            .asyncExecutorIdleStrategy(new SleepingMillisIdleStrategy(ASYNC_EXECUTOR_SLEEP_MS));
        final MediaDriver driver = MediaDriver.launch(driverCtx);
        try
        {
            ownerOnly(Path.of(driverCtx.aeronDirectoryName()));
        }
        catch (final IOException | RuntimeException ex)
        {
            CloseHelper.quietClose(driver);
            throw new IllegalStateException("cannot make the media driver directory " + ctx.aeronDirectory +
                " owner-only: " + ex.getMessage() + " (choose a directory of your own with --aeron-dir)", ex);
        }
        LOGGER.info("media driver up: dir={} threading={} idle={} termLength={}", ctx.aeronDirectory,
            ctx.threadingMode, ctx.idleStrategy, ctx.termLength);
        fileSystemType(Path.of(driverCtx.aeronDirectoryName()))
            .flatMap(type -> storageWarning(ctx.aeronDirectory, type))
            .ifPresent(LOGGER::warn);
        return new UrpcMediaDriver(ctx, driver);
    }

    public String aeronDirectory()
    {
        return ctx.aeronDirectory;
    }

    /**
     * Aeron creates its directory with the umask's permissions, usually {@code rwxr-xr-x}. Made
     * {@code rwx------} right after the driver starts, before any core connects and so before any
     * publication's log buffer exists: another user can then reach neither the CnC file nor the log
     * buffers that carry the URPC frames. Aeron's clients run as this user and are unaffected. The
     * driver creates the directory and its CnC file in one step, so a process of another user that
     * opened the CnC file in the instant between keeps that mapping; to close that gap too, put the
     * directory inside one that is already owner-only.
     */
    static void ownerOnly(final Path directory) throws IOException
    {
        if (directory.getFileSystem().supportedFileAttributeViews().contains("posix"))
        {
            Files.setPosixFilePermissions(directory, io.multikernel.common.OwnerOnlyFiles.DIRECTORY_PERMISSIONS);
        }
    }

    /**
     * @param directory of a running driver.
     * @return the type of the file system it is on ({@code tmpfs}, {@code ext4}, ...), when known.
     */
    static Optional<String> fileSystemType(final Path directory)
    {
        try
        {
            return Optional.of(Files.getFileStore(directory).type());
        }
        catch (final IOException | RuntimeException ex)
        {
            return Optional.empty();
        }
    }

    /**
     * The log buffers are memory-mapped files in the driver's directory. On a disk-backed file system
     * every fresh page of a term (and the cleaning of each term ahead) is a page of a file the kernel
     * must write back; on a busy disk its dirty-page throttling stalls the thread that touches it, the
     * driver's included, for seconds: past the liveness timeout, peers' streams are dropped and
     * restart later in the log, and the messages between are lost (see {@link InboxImages}).
     *
     * @param directory      of the driver, as configured.
     * @param fileSystemType what it is on.
     * @return a warning when that is not memory, on Linux (where Aeron's default is /dev/shm).
     */
    static Optional<String> storageWarning(final String directory, final String fileSystemType)
    {
        if (MEMORY_FILE_SYSTEMS.contains(fileSystemType) ||
            !System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux"))
        {
            return Optional.empty();
        }
        return Optional.of("the media driver directory " + directory + " is on a " + fileSystemType +
            " file system, not in memory: its log buffers wait for disk writeback when the disk is busy, which " +
            "can stall the driver past its liveness timeout and lose messages; put it under /dev/shm (--aeron-dir)");
    }

    /**
     * The driver checks liveness on its timer, so the timer must tick well inside the timeout (Aeron
     * also insists on it): a fifth of the timeout, never more than Aeron's 1 s default.
     */
    static long timerIntervalNs(final long livenessTimeoutNs)
    {
        return Math.min(TIMER_INTERVAL_MAX_NS, livenessTimeoutNs / 5);
    }

    @Override
    public void close()
    {
        CloseHelper.quietClose(driver);
    }

    /**
     * Driver configuration; defaults from {@link TransportConfiguration}.
     */
    public static final class Context
    {
        private String aeronDirectory = TransportConfiguration.aeronDirectory();
        private String threading = TransportConfiguration.driverThreading();
        private ThreadingMode threadingMode;
        private String idleStrategy = TransportConfiguration.driverIdle();
        private long idleParkMaxNs = TransportConfiguration.idleParkMaxNs();
        private int termLength = TransportConfiguration.termLength();
        private long livenessTimeoutNs = TransportConfiguration.livenessTimeoutNs();
        private boolean deleteDirectoryOnStart;
        private boolean deleteDirectoryOnShutdown = true;

        public Context conclude()
        {
            if (null == aeronDirectory || aeronDirectory.isBlank())
            {
                throw new IllegalArgumentException("aeronDirectory is empty");
            }
            try
            {
                threadingMode = ThreadingMode.valueOf(threading.toUpperCase(Locale.ROOT).replace('-', '_'));
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalArgumentException("threading=" + threading +
                    " is unknown: use SHARED, SHARED_NETWORK or DEDICATED");
            }
            if (ThreadingMode.INVOKER == threadingMode)
            {
                throw new IllegalArgumentException("threading=INVOKER is not supported: use SHARED, SHARED_NETWORK or DEDICATED");
            }
            IdleStrategies.of(idleStrategy, idleParkMaxNs);
            UrpcEndpoint.Context.checkTermLength(termLength);
            final long minNs = TransportConfiguration.LIVENESS_TIMEOUT_MIN_MS * 1_000_000L;
            if (livenessTimeoutNs < minNs)
            {
                throw new IllegalArgumentException("livenessTimeout=" + livenessTimeoutNs / 1_000_000 +
                    " ms is below " + TransportConfiguration.LIVENESS_TIMEOUT_MIN_MS + " ms");
            }
            return this;
        }

        public Context aeronDirectory(final String aeronDirectory)
        {
            this.aeronDirectory = aeronDirectory;
            return this;
        }

        public String aeronDirectory()
        {
            return aeronDirectory;
        }

        /** SHARED, SHARED_NETWORK or DEDICATED. */
        public Context threading(final String threading)
        {
            this.threading = threading;
            return this;
        }

        public Context idleStrategy(final String idleStrategy)
        {
            this.idleStrategy = idleStrategy;
            return this;
        }

        public Context idleParkMaxNs(final long idleParkMaxNs)
        {
            this.idleParkMaxNs = idleParkMaxNs;
            return this;
        }

        public Context termLength(final int termLength)
        {
            this.termLength = termLength;
            return this;
        }

        public Context livenessTimeoutNs(final long livenessTimeoutNs)
        {
            this.livenessTimeoutNs = livenessTimeoutNs;
            return this;
        }

        /** Take over the directory even if a driver seems active there (benchmarks' private dirs). */
        public Context deleteDirectoryOnStart(final boolean deleteDirectoryOnStart)
        {
            this.deleteDirectoryOnStart = deleteDirectoryOnStart;
            return this;
        }

        public Context deleteDirectoryOnShutdown(final boolean deleteDirectoryOnShutdown)
        {
            this.deleteDirectoryOnShutdown = deleteDirectoryOnShutdown;
            return this;
        }
    }
}
