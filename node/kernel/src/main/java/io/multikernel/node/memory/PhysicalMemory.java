package io.multikernel.node.memory;

import io.multikernel.common.Bounds;
import io.multikernel.node.cluster.ClusterLimits;
import io.multikernel.common.OwnerOnlyFiles;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One host's physical memory: a file (in {@code /dev/shm} by default) of {@link #length()} bytes
 * mapped into this process. Every core of the host maps the same file, so a Frame's bytes written by
 * one core are the bytes another core of that host reads; physical address {@code a} is byte
 * {@code a - base} of the file. The file is created owner-only ({@code rw-------}), and one that an
 * older build left open to others is tightened to that when mapped; it has exactly the configured length:
 * a file that exists with another length is refused rather than resized under a running core. Its
 * bounds are the cluster map's ({@link ClusterLimits}), which sizes each host's memory;
 * {@link PhysicalLayout} says where each host's memory sits and maps it.
 *
 * <p>Loads and stores check their range and throw {@link IllegalArgumentException} with one sentence;
 * callers that serve apps turn that into a fault, never a silent zero.
 */
public final class PhysicalMemory implements AutoCloseable
{
    /** LENGTH_MAX_BYTES: largest physical memory one host maps (a mapped buffer is int-indexed). */
    public static final long LENGTH_MAX_BYTES = ClusterLimits.HOST_MEMORY_MAX_BYTES;
    /** LENGTH_MIN_BYTES: one page. */
    public static final long LENGTH_MIN_BYTES = ClusterLimits.HOST_MEMORY_MIN_BYTES;

    private final Path file;
    private final long base;
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer buffer;

    private PhysicalMemory(final Path file, final long base, final MappedByteBuffer mapped)
    {
        this.file = file;
        this.base = base;
        this.mapped = mapped;
        this.buffer = new UnsafeBuffer(mapped);
    }

    /**
     * Map a host's physical memory, creating the file (owner-only, zeroed) if it does not exist and
     * taking group and other permissions from one that does.
     *
     * @param file   the host's memory file.
     * @param base   physical address of its first byte.
     * @param length bytes, a multiple of {@link #LENGTH_MIN_BYTES} up to {@link #LENGTH_MAX_BYTES}.
     * @return the mapping.
     * @throws IllegalArgumentException when the length is out of bounds or the file exists with another length.
     * @throws UncheckedIOException     when the file cannot be created or mapped.
     */
    public static PhysicalMemory map(final Path file, final long base, final long length)
    {
        Bounds.check("physical memory length", length, LENGTH_MIN_BYTES, LENGTH_MAX_BYTES, "bytes");
        if (length % LENGTH_MIN_BYTES != 0 || base < 0 || base % LENGTH_MIN_BYTES != 0)
        {
            throw new IllegalArgumentException("physical memory base=" + base + " length=" + length +
                " is not page aligned (" + LENGTH_MIN_BYTES + " bytes)");
        }
        try
        {
            final Path parent = file.toAbsolutePath().getParent();
            if (null != parent)
            {
                // Usually /dev/shm, which others share: only directories made here are owner-only.
                OwnerOnlyFiles.createMissingDirectories(parent);
            }
            // Another core of this host may have created it: map the same memory, tightened if an
            // older build left it open to others.
            OwnerOnlyFiles.createFile(file);
            checkFits(file, length, java.nio.file.Files.getFileStore(file).getTotalSpace());
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
            {
                final long existing = raf.length();
                if (0 == existing)
                {
                    raf.setLength(length);
                }
                else if (existing != length)
                {
                    throw new IllegalArgumentException("physical memory file " + file + " holds " + existing +
                        " bytes, not the configured " + length + "; remove it once no core of this host runs");
                }
                final MappedByteBuffer mapped = raf.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, length);
                return new PhysicalMemory(file, base, mapped);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("physical memory file " + file + " could not be mapped: " + ex.getMessage(), ex);
        }
    }

    /**
     * The memory file is sparse: a host's memory larger than its file system is accepted by the
     * mapping, and the first store past the room there is kills the core with SIGBUS (seen with a 1 GiB
     * host in a container with Docker's 64 MiB {@code /dev/shm}). Refused when it cannot fit at all.
     *
     * @param file            the memory file.
     * @param length          the host's memory, bytes.
     * @param fileSystemBytes the size of the file system that holds the file, bytes.
     * @throws IllegalArgumentException naming both sizes and what to change.
     */
    static void checkFits(final Path file, final long length, final long fileSystemBytes)
    {
        if (fileSystemBytes > 0 && length > fileSystemBytes)
        {
            throw new IllegalArgumentException("physical memory of " + length + " bytes does not fit the file system " +
                "of " + file + " (" + fileSystemBytes + " bytes in all): give it more room (a container's /dev/shm: " +
                "docker's --shm-size, compose's shm_size) or the host less memory (the cluster map's memory)");
        }
    }

    /** @return the memory file. */
    public Path file()
    {
        return file;
    }

    /** @return physical address of the first byte. */
    public long base()
    {
        return base;
    }

    /** @return bytes of physical memory. */
    public long length()
    {
        return buffer.capacity();
    }

    /**
     * Copy bytes out of physical memory.
     *
     * @param address physical address of the first byte.
     * @param target  where to copy to.
     * @param offset  in the target.
     * @param length  bytes.
     * @throws IllegalArgumentException when the range is not inside this memory.
     */
    public void load(final long address, final MutableDirectBuffer target, final int offset, final int length)
    {
        buffer.getBytes(index(address, length), target, offset, length);
    }

    /**
     * Copy bytes into physical memory.
     *
     * @param address physical address of the first byte.
     * @param source  what to copy.
     * @param offset  in the source.
     * @param length  bytes.
     * @throws IllegalArgumentException when the range is not inside this memory.
     */
    public void store(final long address, final DirectBuffer source, final int offset, final int length)
    {
        buffer.putBytes(index(address, length), source, offset, length);
    }

    /**
     * @param address physical address.
     * @return the 8-byte word there, read with volatile semantics (another core may store it).
     */
    public long loadWord(final long address)
    {
        return buffer.getLongVolatile(alignedWord(address));
    }

    /**
     * @param address physical address, 8-byte aligned.
     * @param value   stored with volatile semantics.
     */
    public void storeWord(final long address, final long value)
    {
        buffer.putLongVolatile(alignedWord(address), value);
    }

    /**
     * Zero a range: memory a memory server hands out again starts clean.
     *
     * @param address physical address of the first byte.
     * @param length  bytes.
     */
    public void zero(final long address, final long length)
    {
        if (length < 0 || length > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("zero length " + length + " is outside 0.." + Integer.MAX_VALUE + " bytes");
        }
        buffer.setMemory(index(address, (int)length), (int)length, (byte)0);
    }

    /** @return true when {@code [address, address + length)} lies inside this memory. */
    public boolean contains(final long address, final long length)
    {
        return length >= 0 && address >= base && address - base <= buffer.capacity() - length;
    }

    private int index(final long address, final int length)
    {
        if (!contains(address, length))
        {
            throw new IllegalArgumentException("physical range " + address + "+" + length + " is outside this host's " +
                "memory " + base + "+" + buffer.capacity());
        }
        return (int)(address - base);
    }

    private int alignedWord(final long address)
    {
        if ((address & 7) != 0)
        {
            throw new IllegalArgumentException("physical address " + address + " of a word is not 8-byte aligned");
        }
        return index(address, 8);
    }

    /** Unmap; the file stays for the other cores of the host. */
    @Override
    public void close()
    {
        IoUtil.unmap(mapped);
    }
}
