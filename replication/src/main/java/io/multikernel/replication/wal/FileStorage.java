package io.multikernel.replication.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@link WalStorage} on a real directory, through {@link FileChannel}. {@link StorageFile#force()}
 * is {@code fdatasync}; {@link #syncDirectory()} fsyncs the directory so that new, renamed and
 * deleted files survive a power loss.
 */
public final class FileStorage implements WalStorage
{
    private final Path directory;

    public FileStorage(final Path directory) throws IOException
    {
        this.directory = directory;
        Files.createDirectories(directory);
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
        final FileChannel channel = create ?
            FileChannel.open(directory.resolve(name), StandardOpenOption.READ, StandardOpenOption.WRITE,
                StandardOpenOption.CREATE) :
            FileChannel.open(directory.resolve(name), StandardOpenOption.READ, StandardOpenOption.WRITE);
        return new ChannelFile(channel);
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
}
