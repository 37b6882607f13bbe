package io.multikernel.node.lrpc;

import io.multikernel.common.OwnerOnlyFiles;
import org.agrona.IoUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/**
 * One core's LRPC channel: the memory laid out by {@link LrpcLayout}, in process (a direct buffer)
 * or in a memory-mapped file that apps in other processes on the host map too. Gives typed access to
 * the header and the rings; owns nothing else.
 * <p>
 * A file is created under a temporary name, fully initialised, and then renamed into place, so an
 * app never maps a half-written file; and a restarted core gets a new file (a new inode) rather than
 * rewriting the old one under the feet of apps that still map it: they keep seeing the old
 * incarnation's header, which says the core is gone.
 * <p>
 * The file and its directory are owner-only ({@link OwnerOnlyFiles}) from the moment they exist: a
 * process of another user must neither read the calls of this user's apps nor write requests into the
 * core's ring. Apps therefore run as the core's user.
 */
public final class LrpcChannel implements AutoCloseable
{
    /** File name suffix of a core's channel: {@code core-N.lrpc}. */
    public static final String FILE_SUFFIX = ".lrpc";

    private final AtomicBuffer buffer;
    private final LrpcLayout layout;
    private final MappedByteBuffer mapped;
    private final Path file;
    private boolean closed;

    private LrpcChannel(final AtomicBuffer buffer, final LrpcLayout layout, final MappedByteBuffer mapped, final Path file)
    {
        this.buffer = buffer;
        this.layout = layout;
        this.mapped = mapped;
        this.file = file;
    }

    /**
     * @param lrpcDirectory a run directory's {@code lrpc/} directory.
     * @param coreId        a core id.
     * @return where that core's channel file lives.
     */
    public static Path fileOf(final Path lrpcDirectory, final int coreId)
    {
        return lrpcDirectory.resolve("core-" + coreId + FILE_SUFFIX);
    }

    /**
     * A channel in this process's memory, for apps running in the core's JVM.
     */
    public static LrpcChannel createInMemory(
        final LrpcLayout layout, final int coreId, final long incarnation, final long pid, final long nowMs)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect((int)layout.totalLength()));
        initialise(buffer, layout, coreId, incarnation, pid, nowMs);
        return new LrpcChannel(buffer, layout, null, null);
    }

    /**
     * A channel in a new file, replacing any file of an earlier incarnation at that path. The file is
     * created {@code rw-------}; its directory is created {@code rwx------}, or tightened to that when it
     * exists with more.
     *
     * @param path where apps find it.
     * @return the channel, mapped.
     * @throws UncheckedIOException when the file cannot be written.
     */
    public static LrpcChannel createFile(
        final Path path, final LrpcLayout layout, final int coreId, final long incarnation, final long pid, final long nowMs)
    {
        final Path temp = path.resolveSibling(path.getFileName() + ".tmp-" + pid);
        MappedByteBuffer mapped = null;
        try
        {
            OwnerOnlyFiles.createDirectories(path.toAbsolutePath().getParent());
            Files.deleteIfExists(temp);
            try (FileChannel channel = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW,
                StandardOpenOption.READ, StandardOpenOption.WRITE), OwnerOnlyFiles.fileAttributes(temp)))
            {
                allocate(channel, layout.totalLength());
                mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, layout.totalLength());
            }
            final UnsafeBuffer buffer = new UnsafeBuffer(mapped);
            initialise(buffer, layout, coreId, incarnation, pid, nowMs);
            Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return new LrpcChannel(buffer, layout, mapped, path);
        }
        catch (final IOException ex)
        {
            IoUtil.unmap(mapped);
            throw new UncheckedIOException("cannot create the LRPC file " + path + ": " + ex.getMessage() +
                " (give mk core a writable --run-dir)", ex);
        }
    }

    /** ALLOCATION_CHUNK_BYTES: zeros written at a time when a channel file is created. */
    static final int ALLOCATION_CHUNK_BYTES = 64 * 1024;

    /**
     * Writes the whole file with zeros through the channel, so the file system gives it every block now.
     * A file grown by mapping past its end would be sparse: on a full file system the first store to a
     * page without a block would fault (SIGBUS) and kill the core, and the app writing its request too.
     * Written this way a full file system fails the core's start with ENOSPC, and the channel never
     * faults later; the core's memory is not touched (only the pages it maps and uses count).
     */
    static void allocate(final FileChannel channel, final long length) throws IOException
    {
        final ByteBuffer zeros = ByteBuffer.allocate((int)Math.min(ALLOCATION_CHUNK_BYTES, length));
        long position = 0;
        while (position < length)
        {
            zeros.clear().limit((int)Math.min(zeros.capacity(), length - position));
            while (zeros.hasRemaining())
            {
                position += channel.write(zeros, position);
            }
        }
    }

    /**
     * Maps an existing channel file, as an app does.
     *
     * @param path   the file.
     * @param coreId the core the caller expects, for messages.
     * @return the channel.
     * @throws LrpcException saying in one sentence why it cannot be used.
     */
    public static LrpcChannel mapFile(final Path path, final int coreId)
    {
        if (!Files.isRegularFile(path))
        {
            throw new LrpcException("core " + coreId + " is not running: there is no LRPC file at " + path +
                " (is the cluster up? see 'mk status')");
        }
        final long length;
        try
        {
            length = Files.size(path);
        }
        catch (final IOException ex)
        {
            throw new LrpcException("cannot read the LRPC file " + path + ": " + ex.getMessage());
        }
        if (length < LrpcLayout.HEADER_LENGTH_BYTES || length > LrpcLayout.FILE_LENGTH_MAX_BYTES)
        {
            throw new LrpcException("the LRPC file " + path + " is not usable: it is " + length + " bytes, outside " +
                LrpcLayout.HEADER_LENGTH_BYTES + ".." + LrpcLayout.FILE_LENGTH_MAX_BYTES);
        }
        final MappedByteBuffer mapped;
        try
        {
            mapped = IoUtil.mapExistingFile(path.toFile(), "LRPC file of core " + coreId);
        }
        catch (final RuntimeException ex)
        {
            throw new LrpcException("cannot map the LRPC file " + path + ": " + ex.getMessage());
        }
        final UnsafeBuffer buffer = new UnsafeBuffer(mapped);
        try
        {
            final LrpcLayout layout = LrpcLayout.read(buffer, length);
            return new LrpcChannel(buffer, layout, mapped, path);
        }
        catch (final IllegalStateException ex)
        {
            IoUtil.unmap(mapped);
            throw new LrpcException("the LRPC file " + path + " is not usable: " + ex.getMessage());
        }
    }

    /**
     * Wraps a buffer that already holds an initialised channel (another view of an in-process one).
     */
    public static LrpcChannel wrap(final AtomicBuffer buffer)
    {
        return new LrpcChannel(buffer, LrpcLayout.read(buffer, buffer.capacity()), null, null);
    }

    private static void initialise(
        final AtomicBuffer buffer, final LrpcLayout layout, final int coreId, final long incarnation, final long pid,
        final long nowMs)
    {
        // The memory is new and already zero (a fresh sparse file, or allocateDirect): writing zeroes over
        // it would only make every page of the rings resident (2.3 MB per core) before any app uses them.
        buffer.putInt(LrpcLayout.LAYOUT_VERSION_OFFSET, LrpcLayout.LAYOUT_VERSION);
        buffer.putInt(LrpcLayout.CORE_ID_OFFSET, coreId);
        buffer.putInt(LrpcLayout.CLIENT_SLOTS_OFFSET, layout.clientSlots());
        buffer.putLong(LrpcLayout.INCARNATION_OFFSET, incarnation);
        buffer.putLong(LrpcLayout.PID_OFFSET, pid);
        buffer.putInt(LrpcLayout.REQUEST_RING_CAPACITY_OFFSET, layout.requestRingCapacity());
        buffer.putInt(LrpcLayout.REPLY_RING_CAPACITY_OFFSET, layout.replyRingCapacity());
        buffer.putInt(LrpcLayout.MESSAGE_LENGTH_MAX_OFFSET, layout.messageLengthMax());
        buffer.putInt(LrpcLayout.OUTSTANDING_MAX_OFFSET, layout.outstandingMax());
        buffer.putLong(LrpcLayout.LIVENESS_TIMESTAMP_OFFSET, nowMs);
        buffer.putInt(LrpcLayout.CORE_STATE_OFFSET, LrpcLayout.CORE_STATE_ACTIVE);
        // The magic last, with release semantics: whoever sees it sees everything above.
        buffer.putIntOrdered(LrpcLayout.MAGIC_OFFSET, LrpcLayout.MAGIC);
    }

    public LrpcLayout layout()
    {
        return layout;
    }

    public AtomicBuffer buffer()
    {
        return buffer;
    }

    /** @return the file, or {@code null} in process. */
    public Path file()
    {
        return file;
    }

    public int coreId()
    {
        return buffer.getInt(LrpcLayout.CORE_ID_OFFSET);
    }

    public long incarnation()
    {
        return buffer.getLong(LrpcLayout.INCARNATION_OFFSET);
    }

    public long pid()
    {
        return buffer.getLong(LrpcLayout.PID_OFFSET);
    }

    public long livenessTimestampMs()
    {
        return buffer.getLongVolatile(LrpcLayout.LIVENESS_TIMESTAMP_OFFSET);
    }

    void livenessTimestampMs(final long nowMs)
    {
        buffer.putLongOrdered(LrpcLayout.LIVENESS_TIMESTAMP_OFFSET, nowMs);
    }

    public int coreState()
    {
        return buffer.getIntVolatile(LrpcLayout.CORE_STATE_OFFSET);
    }

    void coreState(final int state)
    {
        buffer.putIntVolatile(LrpcLayout.CORE_STATE_OFFSET, state);
    }

    /** @return true while the core dozes: a client that just committed a request must ring its doorbell. */
    public boolean dozing()
    {
        return 0 != buffer.getIntVolatile(LrpcLayout.DOZING_OFFSET);
    }

    /**
     * Kernel loop: raise or lower the dozing flag. A volatile store, so the loop's next read of the
     * request ring cannot pass it: a request it misses was committed after the flag was visible.
     */
    public void dozing(final boolean dozing)
    {
        buffer.putIntVolatile(LrpcLayout.DOZING_OFFSET, dozing ? 1 : 0);
    }

    /** @return the UDP port of the core's doorbell on 127.0.0.1, or 0 when it has none. */
    public int doorbellPort()
    {
        return buffer.getIntVolatile(LrpcLayout.DOORBELL_PORT_OFFSET);
    }

    /** Kernel loop, before it first dozes: where clients ring. */
    public void doorbellPort(final int port)
    {
        buffer.putIntVolatile(LrpcLayout.DOORBELL_PORT_OFFSET, port);
    }

    /** @return times a client found the request ring full (clients add, the core reads). */
    public long requestRingFullCount()
    {
        return buffer.getLongVolatile(LrpcLayout.REQUEST_RING_FULL_COUNT_OFFSET);
    }

    void countRequestRingFull()
    {
        buffer.getAndAddLong(LrpcLayout.REQUEST_RING_FULL_COUNT_OFFSET, 1);
    }

    long slotOwnerToken(final int slot)
    {
        return buffer.getLongVolatile(layout.slotOffset(slot) + LrpcLayout.SLOT_OWNER_TOKEN_OFFSET);
    }

    boolean casSlotOwnerToken(final int slot, final long expected, final long update)
    {
        return buffer.compareAndSetLong(layout.slotOffset(slot) + LrpcLayout.SLOT_OWNER_TOKEN_OFFSET, expected, update);
    }

    long slotClientPid(final int slot)
    {
        return buffer.getLongVolatile(layout.slotOffset(slot) + LrpcLayout.SLOT_CLIENT_PID_OFFSET);
    }

    void slotClientPid(final int slot, final long pid)
    {
        buffer.putLongVolatile(layout.slotOffset(slot) + LrpcLayout.SLOT_CLIENT_PID_OFFSET, pid);
    }

    long slotHeartbeatMs(final int slot)
    {
        return buffer.getLongVolatile(layout.slotOffset(slot) + LrpcLayout.SLOT_HEARTBEAT_OFFSET);
    }

    void slotHeartbeatMs(final int slot, final long nowMs)
    {
        buffer.putLongOrdered(layout.slotOffset(slot) + LrpcLayout.SLOT_HEARTBEAT_OFFSET, nowMs);
    }

    /** @return a new view of the request ring (each side keeps its own). */
    ManyToOneRingBuffer requestRing()
    {
        return new ManyToOneRingBuffer(new UnsafeBuffer(buffer, layout.requestRingOffset(), layout.requestRingLength()));
    }

    /** @return a new view of one slot's reply ring. */
    OneToOneRingBuffer replyRing(final int slot)
    {
        return new OneToOneRingBuffer(new UnsafeBuffer(buffer, layout.replyRingOffset(slot), layout.replyRingLength()));
    }

    /**
     * Unmaps the file (if any). The file stays: {@link #delete()} removes it.
     */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            IoUtil.unmap(mapped);
        }
    }

    /**
     * Removes the file if it is still this channel's (a newer incarnation may have replaced it).
     */
    void delete()
    {
        if (null == file)
        {
            return;
        }
        try
        {
            if (Files.isRegularFile(file) && sameIncarnation(file))
            {
                Files.deleteIfExists(file);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot remove the LRPC file " + file + ": " + ex.getMessage(), ex);
        }
    }

    private boolean sameIncarnation(final Path path) throws IOException
    {
        try (var channel = java.nio.channels.FileChannel.open(path))
        {
            final ByteBuffer header = ByteBuffer.allocate(LrpcLayout.PID_OFFSET).order(java.nio.ByteOrder.nativeOrder());
            channel.read(header, 0);
            return header.position() >= LrpcLayout.PID_OFFSET &&
                header.getLong(LrpcLayout.INCARNATION_OFFSET) == incarnation();
        }
    }
}
