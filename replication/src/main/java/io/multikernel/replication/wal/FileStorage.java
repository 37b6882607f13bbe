package io.multikernel.replication.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import io.multikernel.common.OwnerOnlyFiles;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * {@link WalStorage} on a real directory, through {@link FileChannel}. {@link StorageFile#force()}
 * is {@code fdatasync}; {@link #syncDirectory()} fsyncs the directory so that new, renamed and
 * deleted files survive a power loss.
 *
 * <p>Append-only files (log segments) are written through a shared memory mapping: an append is
 * a copy into the page cache, with no system call, which is what a write would have done at a
 * microsecond or more per call. The mapping runs ahead of the data, so the file holds zeros
 * past its last write (a sparse tail: no disk blocks) until it is closed, when it is cut back. A
 * process killed before that leaves the zeros, and recovery cuts them. Forcing such a file
 * ({@code msync}) is {@code fdatasync} of the same pages. A disk that fills up fails the write
 * that needed the page, with an {@link IOException}, as a write system call would.
 *
 * <p>The directory and its files are owner-only ({@code rwx------}, {@code rw-------}): they hold
 * every replicated state of the core, which no other local user may read or change.
 */
public final class FileStorage implements WalStorage
{
    /** The first mapping of an append-only file, and the step its mapping grows by at least, bytes. */
    static final int MAPPING_GRANULE_BYTES = 1024 * 1024;

    private static final Set<OpenOption> CREATE_OPTIONS =
        Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE);
    private static final Set<OpenOption> OPEN_OPTIONS = Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE);

    private final Path directory;
    private final FileAttribute<?>[] fileAttributes;

    /**
     * Opens a storage directory: creates it {@code rwx------} when missing, and takes group and other
     * permissions from it and its files when it exists with them (a directory of an older build),
     * logging that once. The files this storage creates are {@code rw-------} from the start.
     *
     * @param directory the directory, with missing parents.
     * @throws IOException when it cannot be created or its permissions cannot be changed.
     */
    public FileStorage(final Path directory) throws IOException
    {
        this.directory = directory;
        this.fileAttributes = OwnerOnlyFiles.fileAttributes(directory);
        final boolean existed = Files.isDirectory(directory);
        OwnerOnlyFiles.createDirectories(directory);
        if (existed)
        {
            try (Stream<Path> paths = Files.list(directory))
            {
                for (final Path path : (Iterable<Path>)paths::iterator)
                {
                    if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS))
                    {
                        OwnerOnlyFiles.tighten(path);
                    }
                }
            }
        }
    }

    public Path directory()
    {
        return directory;
    }

    @Override
    public List<String> list() throws IOException
    {
        final List<String> names = new ArrayList<>();
        try (Stream<Path> paths = Files.list(directory))
        {
            paths.filter(Files::isRegularFile).forEach((path) -> names.add(path.getFileName().toString()));
        }
        return names;
    }

    @Override
    public StorageFile open(final String name, final boolean create) throws IOException
    {
        return new ChannelFile(channel(name, create));
    }

    @Override
    public StorageFile openAppendOnly(final String name, final boolean create) throws IOException
    {
        return new MappedAppendFile(channel(name, create));
    }

    private FileChannel channel(final String name, final boolean create) throws IOException
    {
        // The attribute applies only when the file is created.
        return FileChannel.open(directory.resolve(name), create ? CREATE_OPTIONS : OPEN_OPTIONS, fileAttributes);
    }

    @Override
    public void delete(final String name) throws IOException
    {
        Files.deleteIfExists(directory.resolve(name));
    }

    @Override
    public void rename(final String from, final String to) throws IOException
    {
        Files.move(directory.resolve(from), directory.resolve(to),
            StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void syncDirectory() throws IOException
    {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ))
        {
            channel.force(true);
        }
    }

    @Override
    public String describe(final String name)
    {
        return directory.resolve(name).toString();
    }

    private static final class ChannelFile implements StorageFile
    {
        private final FileChannel channel;

        ChannelFile(final FileChannel channel)
        {
            this.channel = channel;
        }

        @Override
        public long size() throws IOException
        {
            return channel.size();
        }

        @Override
        public int read(final ByteBuffer dst, final long position) throws IOException
        {
            return channel.read(dst, position);
        }

        @Override
        public void write(final ByteBuffer src, final long position) throws IOException
        {
            long at = position;
            while (src.hasRemaining())
            {
                at += channel.write(src, at);
            }
        }

        @Override
        public void force() throws IOException
        {
            channel.force(false);
        }

        @Override
        public void truncate(final long size) throws IOException
        {
            channel.truncate(size);
        }

        @Override
        public void close() throws IOException
        {
            channel.close();
        }
    }

    /**
     * An append-only file written through a memory mapping from offset 0 that grows
     * (doubling, in whole granules) as writes pass its end. Only the bytes up to the end of the
     * last write count: {@link #size()} reports that, and {@link #close()} cuts the file there.
     */
    private static final class MappedAppendFile implements StorageFile
    {
        private static final byte[] EMPTY = new byte[0];
        private final FileChannel channel;
        private final UnsafeBuffer view = new UnsafeBuffer(EMPTY);
        private MappedByteBuffer mapping;
        private long dataEnd;

        MappedAppendFile(final FileChannel channel) throws IOException
        {
            this.channel = channel;
            this.dataEnd = channel.size();
        }

        @Override
        public long size()
        {
            return dataEnd;
        }

        @Override
        public int read(final ByteBuffer dst, final long position) throws IOException
        {
            if (position >= dataEnd)
            {
                return -1;
            }
            final ByteBuffer limited = dst.duplicate();
            limited.limit(limited.position() + (int)Math.min(dst.remaining(), dataEnd - position));
            final int read = channel.read(limited, position);
            dst.position(limited.position());
            return read;
        }

        @Override
        public void write(final ByteBuffer src, final long position) throws IOException
        {
            final int length = src.remaining();
            final long end = position + length;
            if (end > Integer.MAX_VALUE)
            {
                throw new IOException("append-only file would pass " + Integer.MAX_VALUE + " bytes (write of " + length +
                    " bytes at " + position + ")");
            }
            if (null == mapping || end > mapping.capacity())
            {
                remap(end);
            }
            try
            {
                view.putBytes((int)position, src, src.position(), length);
            }
            catch (final InternalError ex)
            {
                // The JVM's report of SIGBUS on a mapped page: the file system could not back it,
                // typically because the disk is full. A write would have failed with ENOSPC.
                throw new IOException("could not write " + length + " bytes at offset " + position +
                    " of a memory-mapped log file (disk full?): " + ex.getMessage(), ex);
            }
            src.position(src.limit());
            dataEnd = Math.max(dataEnd, end);
        }

        private void remap(final long required) throws IOException
        {
            final long doubled = null == mapping ? 0 : 2L * mapping.capacity();
            final long granules = (Math.max(required, doubled) + MAPPING_GRANULE_BYTES - 1) / MAPPING_GRANULE_BYTES;
            final long length = Math.min(Integer.MAX_VALUE, granules * MAPPING_GRANULE_BYTES);
            unmap();
            // Mapping past the end grows the file (sparse, no blocks until pages are written).
            mapping = channel.map(FileChannel.MapMode.READ_WRITE, 0, length);
            view.wrap(mapping);
        }

        @Override
        public void force() throws IOException
        {
            if (null != mapping)
            {
                mapping.force(0, (int)Math.min(dataEnd, mapping.capacity()));
            }
            else
            {
                channel.force(false);
            }
        }

        @Override
        public void truncate(final long size) throws IOException
        {
            unmap();
            channel.truncate(size);
            dataEnd = Math.min(dataEnd, size);
        }

        @Override
        public void close() throws IOException
        {
            try
            {
                unmap();
                if (channel.isOpen() && channel.size() > dataEnd)
                {
                    channel.truncate(dataEnd);
                }
            }
            finally
            {
                channel.close();
            }
        }

        private void unmap()
        {
            if (null != mapping)
            {
                view.wrap(EMPTY);
                IoUtil.unmap(mapping);
                mapping = null;
            }
        }
    }
}
