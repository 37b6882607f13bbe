package io.multikernel.common;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/**
 * An exclusive lock on a file, held by one process for as long as it keeps it open: the operating
 * system drops it when the process ends, however it ends, so a crash never leaves it stuck. The
 * file (owner-only) names its holder: its pid and what it is doing, for the refusal of the next.
 */
public final class ProcessLock implements AutoCloseable
{
    /** Longest holder text read back from a lock file, bytes. */
    private static final int HOLDER_TEXT_MAX_BYTES = 256;
    /**
     * The files this JVM holds locked, with what it wrote into them. The operating system's record
     * locks belong to the process, and closing any handle of the file drops them all: a second
     * attempt in this JVM must be refused from here, without opening the file.
     */
    private static final java.util.concurrent.ConcurrentHashMap<Path, String> HELD_HERE =
        new java.util.concurrent.ConcurrentHashMap<>();

    private final Path key;
    private final FileChannel channel;
    private final FileLock lock;

    private ProcessLock(final Path key, final FileChannel channel, final FileLock lock)
    {
        this.key = key;
        this.channel = channel;
        this.lock = lock;
    }

    private static Path key(final Path file)
    {
        return file.toAbsolutePath().normalize();
    }

    /**
     * Takes the lock on {@code file}, creating it when missing (its directory must exist).
     *
     * @param file what to lock.
     * @param what what the holder does, written after its pid.
     * @return the lock, or {@code null} when another process (or another lock of this one) holds it.
     * @throws IOException when the file cannot be opened or written.
     */
    public static ProcessLock tryAcquire(final Path file, final String what) throws IOException
    {
        final Path key = key(file);
        final String holder = ProcessHandle.current().pid() + (what.isEmpty() ? "" : " " + what);
        if (null != HELD_HERE.putIfAbsent(key, holder))
        {
            return null;
        }
        FileChannel channel = null;
        try
        {
            channel = FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
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
                // Another process holds it: closing this handle drops nothing of ours (we hold none on it).
                channel.close();
                HELD_HERE.remove(key);
                return null;
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((holder + "\n").getBytes(StandardCharsets.UTF_8)), 0);
            return new ProcessLock(key, channel, lock);
        }
        catch (final IOException | RuntimeException ex)
        {
            HELD_HERE.remove(key);
            if (null != channel)
            {
                channel.close();
            }
            throw ex;
        }
    }

    /**
     * @param file a lock file.
     * @return what its holder wrote: {@code "PID"} or {@code "PID WHAT"}; empty when unreadable.
     */
    public static String holderOf(final Path file)
    {
        final String here = HELD_HERE.get(key(file));
        if (null != here)
        {
            // Held by this JVM: opening and closing the file again would drop the lock.
            return here;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final ByteBuffer text = ByteBuffer.allocate(HOLDER_TEXT_MAX_BYTES);
            channel.read(text, 0);
            final String holder = new String(text.array(), 0, text.position(), StandardCharsets.UTF_8).trim();
            return holder.matches("[0-9]{1,19}( [\\p{Print}&&[^\\p{Cntrl}]]*)?") ? holder : "";
        }
        catch (final IOException ex)
        {
            return "";
        }
    }

    /** Releases the lock; the file stays, and the next holder writes itself into it. */
    @Override
    public void close()
    {
        try
        {
            lock.release();
        }
        catch (final IOException ignored)
        {
            // Closing the channel below drops it as well.
        }
        try
        {
            channel.close();
        }
        catch (final IOException ignored)
        {
            // Nothing holds the lock once the descriptor is gone.
        }
        // Last: until the descriptor is closed, another attempt here must not open the file.
        HELD_HERE.remove(key);
    }
}
