package io.multikernel.node.replication;

import io.multikernel.common.OwnerOnlyFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One process per data directory. A second process of the same core (a second {@code mk core}, or a
 * {@code docker-compose run} of a host whose volume is in use) would replay and append to the same
 * write-ahead log and take over the core's LRPC file: the log was left corrupt for good. The first
 * process to start holds an exclusive lock on {@value #FILE_NAME} in the directory for as long as it
 * runs (the operating system drops it when the process ends, however it ends); another is refused
 * before it touches anything, and the refusal names the pid that holds the lock.
 */
public final class DataDirectoryLock implements AutoCloseable
{
    /** The lock file in the data directory; it holds the pid of the process that has it. */
    public static final String FILE_NAME = "core.lock";
    /** Longest pid text read back from the file, bytes. */
    private static final int PID_TEXT_MAX_BYTES = 32;

    private final FileChannel channel;
    private final FileLock lock;

    private DataDirectoryLock(final FileChannel channel, final FileLock lock)
    {
        this.channel = channel;
        this.lock = lock;
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
    public static DataDirectoryLock acquire(final Path dataDirectory, final int coreId)
    {
        final Path file = dataDirectory.resolve(FILE_NAME);
        FileChannel channel = null;
        try
        {
            OwnerOnlyFiles.createDirectories(dataDirectory);
            channel = FileChannel.open(file, java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE), OwnerOnlyFiles.fileAttributes(file));
            FileLock lock;
            try
            {
                lock = channel.tryLock();
            }
            catch (final OverlappingFileLockException ex)
            {
                lock = null;
            }
            if (null == lock)
            {
                final String holder = holder(channel);
                channel.close();
                throw new IllegalStateException("core " + coreId + "'s data directory " + dataDirectory +
                    " is in use by another process" + (holder.isEmpty() ? "" : " (pid " + holder + ")") +
                    ": that core is running already; stop it first (two processes over one write-ahead log " +
                    "would corrupt it)");
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            channel.force(false);
            return new DataDirectoryLock(channel, lock);
        }
        catch (final IOException ex)
        {
            closeQuietly(channel);
            throw new UncheckedIOException("core " + coreId + " cannot lock its data directory " + dataDirectory + " (" +
                file.getFileName() + "): " + ex.getMessage(), ex);
        }
    }

    private static String holder(final FileChannel channel)
    {
        try
        {
            final ByteBuffer text = ByteBuffer.allocate(PID_TEXT_MAX_BYTES);
            channel.read(text, 0);
            final String pid = new String(text.array(), 0, text.position(), StandardCharsets.US_ASCII).trim();
            return pid.matches("[0-9]{1,19}") ? pid : "";
        }
        catch (final IOException ex)
        {
            return "";
        }
    }

    private static void closeQuietly(final FileChannel channel)
    {
        if (null != channel)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ignored)
            {
                // Closing drops the lock with the descriptor; nothing else to do.
            }
        }
    }

    /** @return whether {@code name} is the lock file, which is not replicated state. */
    static boolean isLockFile(final Path name)
    {
        return FILE_NAME.equals(name.getFileName().toString());
    }

    /** Releases the lock; the file stays, and the next process writes its own pid into it. */
    @Override
    public void close()
    {
        try
        {
            lock.release();
        }
        catch (final IOException ignored)
        {
            // The descriptor's close below drops it as well.
        }
        closeQuietly(channel);
    }
}
