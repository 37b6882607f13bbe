package io.multikernel.replication.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * The simulator's disk: a {@link WalStorage} in memory that remembers, per file, which prefix has
 * been forced, so that a crash can lose or tear what was not.
 *
 * <p>Model, chosen to match what an append-only log on a journaling file system can observe:
 * <ul>
 *   <li>bytes reach the "disk" in the order they were written (a kept part is always a prefix);</li>
 *   <li>{@link #crash(CrashMode, Random)} with {@link CrashMode#PROCESS} keeps everything written
 *   (the OS page cache survives kill -9); with {@link CrashMode#MACHINE} each file keeps its forced
 *   prefix plus a random part of the unforced bytes, and the last kept bytes may be garbage (a
 *   torn write);</li>
 *   <li>creating, renaming, deleting and truncating files are durable at once (a simplification:
 *   the code under test syncs the directory anyway).</li>
 * </ul>
 * {@link #crashDuringWrite(long)} makes a later write stop part-way and throw
 * {@link StorageCrashedError}, so a crash can land in the middle of a record. {@link #failWrites}
 * makes writes and forces throw {@link IOException}, like a full or failing disk.
 * Not thread-safe: one simulated core owns it.
 */
public final class MemoryStorage implements WalStorage
{
    /**
     * What a crash takes down with the process.
     */
    public enum CrashMode
    {
        /** The process dies, the OS lives: written bytes survive. */
        PROCESS,
        /** Power loss or OS crash: only forced bytes are sure to survive; the tail may be torn. */
        MACHINE
    }

    /** The most bytes at the end of a kept, unforced region that a torn write may garble. */
    public static final int TORN_WRITE_MAX_BYTES = 64;

    private final Map<String, MemoryFile> files = new TreeMap<>();
    private final String label;
    private long writeBytesUntilCrash = -1;
    private boolean failWrites;
    private boolean lieAboutForce;
    private long forceCount;

    public MemoryStorage(final String label)
    {
        this.label = label;
    }

    /**
     * Arms a crash: the write that would take the total written past {@code bytes} more bytes writes
     * only up to there and throws {@link StorageCrashedError}. Negative disarms.
     */
    public void crashDuringWrite(final long bytes)
    {
        writeBytesUntilCrash = bytes;
    }

    /**
     * @param fail when true, writes and forces throw {@link IOException} until set back to false.
     */
    public void failWrites(final boolean fail)
    {
        failWrites = fail;
    }

    /**
     * @param lie when true, {@link StorageFile#force()} returns without making anything durable: a disk
     *            whose write cache lies. For testing that the simulator's checker notices lost commits.
     */
    public void lieAboutForce(final boolean lie)
    {
        lieAboutForce = lie;
    }

    /**
     * @return how many times any file was forced: lets tests check group commit.
     */
    public long forceCount()
    {
        return forceCount;
    }

    /**
     * Applies a crash to every file, see the class comment. Handles opened before stay usable but
     * the code that held them is expected to be gone.
     */
    public void crash(final CrashMode mode, final Random random)
    {
        writeBytesUntilCrash = -1;
        if (mode == CrashMode.PROCESS)
        {
            return;
        }
        for (final MemoryFile file : files.values())
        {
            final int unforced = file.length - file.durableLength;
            final int kept = file.durableLength + (unforced > 0 ? random.nextInt(unforced + 1) : 0);
            if (kept > file.durableLength && random.nextBoolean())
            {
                final int tornFrom = Math.max(file.durableLength, kept - 1 - random.nextInt(TORN_WRITE_MAX_BYTES));
                for (int i = tornFrom; i < kept; i++)
                {
                    file.data[i] = random.nextBoolean() ? 0 : (byte)random.nextInt();
                }
            }
            Arrays.fill(file.data, kept, file.length, (byte)0);
            file.length = kept;
            file.durableLength = kept;
        }
    }

    /**
     * Flips one byte of a file, for corruption tests.
     */
    public void corrupt(final String name, final int offset)
    {
        final MemoryFile file = files.get(name);
        file.data[offset] ^= 0x5A;
    }

    /**
     * @return the current length of a file, or -1 when it does not exist.
     */
    public long fileLength(final String name)
    {
        final MemoryFile file = files.get(name);
        return null == file ? -1 : file.length;
    }

    @Override
    public List<String> list()
    {
        return new ArrayList<>(files.keySet());
    }

    @Override
    public StorageFile open(final String name, final boolean create) throws IOException
    {
        MemoryFile file = files.get(name);
        if (null == file)
        {
            if (!create)
            {
                throw new IOException("no such file: " + describe(name));
            }
            file = new MemoryFile();
            files.put(name, file);
        }
        return new Handle(file);
    }

    @Override
    public void delete(final String name)
    {
        files.remove(name);
    }

    @Override
    public void rename(final String from, final String to) throws IOException
    {
        final MemoryFile file = files.remove(from);
        if (null == file)
        {
            throw new IOException("no such file: " + describe(from));
        }
        files.put(to, file);
    }

    @Override
    public void syncDirectory()
    {
    }

    @Override
    public String describe(final String name)
    {
        return label + "/" + name;
    }

    private static final class MemoryFile
    {
        byte[] data = new byte[1024];
        int length;
        int durableLength;

        void ensureCapacity(final int capacity)
        {
            if (capacity > data.length)
            {
                data = Arrays.copyOf(data, Math.max(capacity, data.length * 2));
            }
        }
    }

    private final class Handle implements StorageFile
    {
        private final MemoryFile file;

        Handle(final MemoryFile file)
        {
            this.file = file;
        }

        @Override
        public long size()
        {
            return file.length;
        }

        @Override
        public int read(final ByteBuffer dst, final long position)
        {
            if (position >= file.length)
            {
                return -1;
            }
            final int count = (int)Math.min(dst.remaining(), file.length - position);
            dst.put(file.data, (int)position, count);
            return count;
        }

        @Override
        public void write(final ByteBuffer src, final long position) throws IOException
        {
            if (failWrites)
            {
                throw new IOException("injected write failure on " + label);
            }
            int count = src.remaining();
            boolean crash = false;
            if (writeBytesUntilCrash >= 0)
            {
                if (count > writeBytesUntilCrash)
                {
                    count = (int)writeBytesUntilCrash;
                    crash = true;
                }
                writeBytesUntilCrash -= count;
            }
            final int end = (int)position + count;
            file.ensureCapacity(end);
            src.get(file.data, (int)position, count);
            if (position < file.durableLength)
            {
                file.durableLength = (int)position;
            }
            file.length = Math.max(file.length, end);
            if (crash)
            {
                throw new StorageCrashedError(label + " crashed after writing " + count + " of the bytes");
            }
        }

        @Override
        public void force() throws IOException
        {
            if (failWrites)
            {
                throw new IOException("injected fsync failure on " + label);
            }
            forceCount++;
            if (!lieAboutForce)
            {
                file.durableLength = file.length;
            }
        }

        @Override
        public void truncate(final long size)
        {
            if (size < file.length)
            {
                Arrays.fill(file.data, (int)size, file.length, (byte)0);
                file.length = (int)size;
                file.durableLength = Math.min(file.durableLength, file.length);
            }
        }

        @Override
        public void close()
        {
        }
    }
}
