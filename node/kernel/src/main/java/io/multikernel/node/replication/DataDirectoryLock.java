package io.multikernel.node.replication;

import io.multikernel.common.OwnerOnlyFiles;
import io.multikernel.common.ProcessLock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * One process per data directory. A second process of the same core (a second {@code mk core}, or a
 * {@code docker-compose run} of a host whose volume is in use) would replay and append to the same
 * write-ahead log and take over the core's LRPC file: the log was left corrupt for good. The first
 * process to start holds an exclusive lock on {@value #FILE_NAME} in the directory for as long as it
 * runs; another is refused before it touches anything, and the refusal names the pid that holds it.
 */
public final class DataDirectoryLock
{
    /** The lock file in the data directory; it holds the pid of the process that has it. */
    public static final String FILE_NAME = "core.lock";

    private DataDirectoryLock()
    {
    }

    /**
     * Lock the data directory of a core, creating it (owner-only) when it is missing.
     *
     * @param dataDirectory the core's data directory.
     * @param coreId        for the refusal.
     * @return the lock; close it once the core has closed its log.
     * @throws IllegalStateException when another process holds it, naming that process.
     * @throws UncheckedIOException when the directory or the lock file cannot be used.
     */
    public static ProcessLock acquire(final Path dataDirectory, final int coreId)
    {
        final Path file = dataDirectory.resolve(FILE_NAME);
        try
        {
            OwnerOnlyFiles.createDirectories(dataDirectory);
            final ProcessLock lock = ProcessLock.tryAcquire(file, "");
            if (null == lock)
            {
                final String holder = ProcessLock.holderOf(file);
                throw new IllegalStateException("core " + coreId + "'s data directory " + dataDirectory +
                    " is in use by another process" + (holder.isEmpty() ? "" : " (pid " + holder + ")") +
                    ": that core is running already; stop it first (two processes over one write-ahead log " +
                    "would corrupt it)");
            }
            return lock;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("core " + coreId + " cannot lock its data directory " + dataDirectory + " (" +
                FILE_NAME + "): " + ex.getMessage(), ex);
        }
    }

    /** @return whether {@code entry} is the lock file, which is not replicated state. */
    public static boolean isLockFile(final Path entry)
    {
        return FILE_NAME.equals(entry.getFileName().toString());
    }
}
