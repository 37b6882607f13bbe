package io.multikernel.replication.wal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A core's data directory on disk: the directory and every segment and snapshot in it are owner-only,
 * and a directory that an older build left open to others is tightened when opened.
 */
class FileStorageTest
{
    private static final int SNAPSHOT_LENGTH_MAX_BYTES = 4096;

    @TempDir
    Path dir;

    private static WalOptions options()
    {
        return new WalOptions(4096, 1024, 8192, FsyncPolicy.ALWAYS, new CachedNanoClock(), new SimpleMeterRegistry(),
            Tags.of("core", "0"));
    }

    private static WriteAheadLog open(final WalStorage storage, final List<String> replayed) throws IOException
    {
        return WriteAheadLog.open(storage, options(), 0,
            (position, type, buffer, offset, length) -> replayed.add(buffer.getStringWithoutLengthUtf8(offset, length)));
    }

    private static void append(final WriteAheadLog wal, final String text) throws IOException
    {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        wal.append(1, new UnsafeBuffer(bytes), 0, bytes.length);
    }

    @Test
    void theDirectoryAndEverySegmentAndSnapshotAreOwnerOnly() throws IOException
    {
        final Path data = dir.resolve("data").resolve("core-0");
        final FileStorage storage = new FileStorage(data);
        try (WriteAheadLog wal = open(storage, new ArrayList<>()))
        {
            for (int i = 0; i < 300; i++)
            {
                append(wal, "record " + i);
            }
            wal.makeDurable();
        }
        new SnapshotStore(storage, FsyncPolicy.ALWAYS, SNAPSHOT_LENGTH_MAX_BYTES).write(10, new byte[]{ 1, 2, 3 });

        assertThat(permissions(data)).isEqualTo("rwx------");
        assertThat(permissions(data.getParent())).as("a parent made for it").isEqualTo("rwx------");
        try (Stream<Path> files = Files.list(data))
        {
            final List<Path> all = files.toList();
            assertThat(all).as("several segments and a snapshot").hasSizeGreaterThan(2)
                .anyMatch(path -> path.getFileName().toString().startsWith(SnapshotStore.PREFIX));
            for (final Path file : all)
            {
                assertThat(permissions(file)).as(file.toString()).isEqualTo("rw-------");
            }
        }
    }

    @Test
    void aDirectoryOpenToOthersIsTightenedWithItsFilesAndItsLogStillReads() throws IOException
    {
        final Path data = dir.resolve("core-1");
        try (WriteAheadLog wal = open(new FileStorage(data), new ArrayList<>()))
        {
            append(wal, "kept");
            wal.makeDurable();
        }
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
        final Path segment = data.resolve(SegmentScanner.segmentName(0));
        Files.setPosixFilePermissions(segment, PosixFilePermissions.fromString("rw-r--r--"));

        final List<String> replayed = new ArrayList<>();
        try (WriteAheadLog ignored = open(new FileStorage(data), replayed))
        {
            assertThat(permissions(data)).isEqualTo("rwx------");
            assertThat(permissions(segment)).isEqualTo("rw-------");
            assertThat(replayed).containsExactly("kept");
        }
    }

    private static String permissions(final Path path) throws IOException
    {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }
}
