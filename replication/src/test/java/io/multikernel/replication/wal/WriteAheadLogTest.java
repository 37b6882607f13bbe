package io.multikernel.replication.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WriteAheadLogTest
{
    private static final int RECORD_MAX_BYTES = 1024;
    private static final int SEGMENT_BYTES = 4096;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final CachedNanoClock clock = new CachedNanoClock();

    private WalOptions options(final FsyncPolicy policy)
    {
        return new WalOptions(SEGMENT_BYTES, RECORD_MAX_BYTES, 8192, policy, clock, registry, Tags.of("core", "0"));
    }

    private record Read(long position, int type, String text)
    {
    }

    private WriteAheadLog open(final WalStorage storage, final List<Read> into) throws IOException
    {
        return WriteAheadLog.open(storage, options(FsyncPolicy.GROUP), 0,
            (position, type, buffer, offset, length) -> into.add(new Read(position, type, buffer.getStringWithoutLengthUtf8(offset, length))));
    }

    private static long append(final WriteAheadLog wal, final int type, final String text) throws IOException
    {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return wal.append(type, new UnsafeBuffer(bytes), 0, bytes.length);
    }

    private static String segment(final long base)
    {
        return SegmentScanner.segmentName(base);
    }

    @Test
    void emptyLogStartsAtPositionZeroAndReplaysNothing() throws IOException
    {
        final MemoryStorage storage = new MemoryStorage("disk");
        final List<Read> read = new ArrayList<>();
        try (WriteAheadLog wal = open(storage, read))
        {
            assertThat(read).isEmpty();
            assertThat(wal.appendPosition()).isZero();
            assertThat(storage.list()).containsExactly(segment(0));
        }
        try (WriteAheadLog wal = open(storage, read))
        {
            assertThat(wal.segmentCount()).isPositive();
            assertThat(read).isEmpty();
        }
    }

    @Test
    void recordsReplayInOrderAcrossSegments() throws IOException
    {
        final MemoryStorage storage = new MemoryStorage("disk");
        final List<String> written = new ArrayList<>();
        try (WriteAheadLog wal = open(storage, new ArrayList<>()))
        {
            for (int i = 0; i < 100; i++)
            {
                final String text = "record-" + i + "-" + "x".repeat(i);
                written.add(text);
                append(wal, 1 + i % 7, text);
            }
            wal.makeDurable();
            assertThat(wal.segmentCount()).isGreaterThan(1);
        }
        final List<Read> read = new ArrayList<>();
        try (WriteAheadLog wal = open(storage, read))
        {
            assertThat(read).extracting(Read::text).isEqualTo(written);
            assertThat(read).extracting(Read::type).startsWith(1, 2, 3, 4, 5, 6, 7, 1);
            final long end = wal.appendPosition();
            append(wal, 9, "after reopening");
            wal.makeDurable();
            assertThat(wal.durablePosition()).isGreaterThan(end);
        }
    }

    @Test
    void tornRecordAtTheTailIsTruncated() throws IOException
    {
        final MemoryStorage storage = new MemoryStorage("disk");
        try (WriteAheadLog wal = open(storage, new ArrayList<>()))
        {
            append(wal, 1, "first");
            append(wal, 1, "second");
            wal.makeDurable();
            append(wal, 1, "third, cut short by a crash in the middle of the write");
            storage.crashDuringWrite(30);
            assertThatThrownBy(wal::write).isInstanceOf(StorageCrashedError.class);
        }
        storage.crash(MemoryStorage.CrashMode.PROCESS, new Random(1));
        final long lengthBefore = storage.fileLength(segment(0));
        final List<Read> read = new ArrayList<>();
        try (WriteAheadLog wal = open(storage, read))
        {
            assertThat(read).extracting(Read::text).containsExactly("first", "second");
            assertThat(storage.fileLength(segment(0))).isLessThan(lengthBefore).isEqualTo(wal.appendPosition());
            append(wal, 1, "third, again");
            wal.makeDurable();
        }
        read.clear();
        try (WriteAheadLog wal = open(storage, read))
        {
            assertThat(wal.segmentCount()).isPositive();
            assertThat(read).extracting(Read::text).containsExactly("first", "second", "third, again");
        }
    }

    @Test
    void unforcedTailLostOrTornInAPowerCutIsTruncated() throws IOException
    {
        for (int seed = 0; seed < 200; seed++)
        {
            final MemoryStorage storage = new MemoryStorage("disk");
            try (WriteAheadLog wal = open(storage, new ArrayList<>()))
            {
                append(wal, 1, "durable");
                wal.makeDurable();
                for (int i = 0; i < 5; i++)
                {
                    append(wal, 2, "maybe-" + i);
                }
                wal.write();
            }
            storage.crash(MemoryStorage.CrashMode.MACHINE, new Random(seed));
            final List<Read> read = new ArrayList<>();
            try (WriteAheadLog wal = open(storage, read))
            {
                assertThat(wal.segmentCount()).isPositive();
                assertThat(read.get(0).text()).isEqualTo("durable");
                for (int i = 1; i < read.size(); i++)
                {
                    assertThat(read.get(i).text()).isEqualTo("maybe-" + (i - 1));
                }
            }
        }
    }

    @Test
    void corruptRecordInTheMiddleStopsStartUpNamingFileAndOffset() throws IOException
    {
        final MemoryStorage storage = new MemoryStorage("disk");
        long secondAt;
        try (WriteAheadLog wal = open(storage, new ArrayList<>()))
        {
            secondAt = append(wal, 1, "first");
            append(wal, 1, "second");
            append(wal, 1, "third");
            wal.makeDurable();
        }
        storage.corrupt(segment(0), (int)secondAt + RecordDescriptor.HEADER_LENGTH + 2);

        assertThatThrownBy(() -> open(storage, new ArrayList<>()))
            .isInstanceOf(WalCorruptionException.class)
            .hasMessageContaining("disk/" + segment(0))
            .hasMessageContaining("at offset " + secondAt)
            .hasMessageContaining("CRC32C mismatch")
            .hasMessageContaining("a valid record follows");
        assertThat(storage.fileLength(segment(0))).as("nothing was truncated").isGreaterThan(secondAt + 40);
    }

    @Test
    void corruptionInAnEarlierSegmentStopsStartUp() throws IOException
    {
        final MemoryStorage storage = new MemoryStorage("disk");
        try (WriteAheadLog wal = open(storage, new ArrayList<>()))
        {
            for (int i = 0; i < 20; i++)
            {
                append(wal, 1, "y".repeat(500));
            }
            wal.makeDurable();
        }
        final String last = storage.list().get(storage.list().size() - 1);
        storage.corrupt(segment(0), RecordDescriptor.HEADER_LENGTH + 1);

        assertThatThrownBy(() -> open(storage, new ArrayList<>()))
            .isInstanceOf(WalCorruptionException.class)
            .hasMessageContaining(segment(0))
            .hasMessageContaining("not the last");
        assertThat(last).isNotEqualTo(segment(0));
    }

    @Test
    void hugeRecordIsRejected() throws IOException
    {
        final MemoryStorage storage = new MemoryStorage("disk");
        try (WriteAheadLog wal = open(storage, new ArrayList<>()))
        {
            final byte[] huge = new byte[RECORD_MAX_BYTES];
            assertThatThrownBy(() -> wal.append(1, new UnsafeBuffer(huge), 0, huge.length))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("exceeds WAL_RECORD_LENGTH_MAX_BYTES=" + RECORD_MAX_BYTES);
            append(wal, 1, "fine");
        }
    }

    @Test
    void recordClaimingAHugeLengthBeforeValidRecordsIsCorruption() throws IOException
    {
        final MemoryStorage storage = new MemoryStorage("disk");
        try (WriteAheadLog wal = open(storage, new ArrayList<>()))
        {
            append(wal, 1, "first");
            append(wal, 1, "second");
            wal.makeDurable();
        }
        try (StorageFile file = storage.open(segment(0), false))
        {
            final ByteBuffer length = ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(0, 1 << 30);
            file.write(length, 0);
        }

        assertThatThrownBy(() -> open(storage, new ArrayList<>()))
            .isInstanceOf(WalCorruptionException.class)
            .hasMessageContaining("at offset 0")
            .hasMessageContaining("record length out of range");
    }

    @Test
    void groupCommitMakesManyRecordsDurableWithOneFsync() throws IOException
    {
        final MemoryStorage storage = new MemoryStorage("disk");
        try (WriteAheadLog wal = open(storage, new ArrayList<>()))
        {
            final long before = storage.forceCount();
            long last = 0;
            for (int i = 0; i < 20; i++)
            {
                last = append(wal, 1, "r" + i);
            }
            assertThat(wal.durablePosition()).isLessThan(last);
            wal.makeDurable();
            assertThat(storage.forceCount() - before).isEqualTo(1);
            assertThat(wal.durablePosition()).isEqualTo(last);
            assertThat(registry.get("mk.wal.fsync.latency").timer().count()).isEqualTo(1);
            assertThat(registry.get("mk.wal.bytes.written").counter().count()).isEqualTo(last);
        }
    }

    @Test
    void fsyncPolicyNoneWritesButNeverForces() throws IOException
    {
        final MemoryStorage storage = new MemoryStorage("disk");
        try (WriteAheadLog wal = WriteAheadLog.open(storage, options(FsyncPolicy.NONE), 0, (p, t, b, o, l) -> { }))
        {
            final long before = storage.forceCount();
            final long end = append(wal, 1, "r");
            wal.makeDurable();
            assertThat(wal.durablePosition()).isEqualTo(end);
            assertThat(storage.forceCount()).isEqualTo(before);
        }
    }

    @Test
    void segmentsBeforeASnapshotPositionAreDeleted() throws IOException
    {
        final MemoryStorage storage = new MemoryStorage("disk");
        final List<Read> read = new ArrayList<>();
        long snapshotAt;
        try (WriteAheadLog wal = open(storage, new ArrayList<>()))
        {
            for (int i = 0; i < 20; i++)
            {
                append(wal, 1, "old-" + "z".repeat(400));
            }
            wal.makeDurable();
            snapshotAt = wal.appendPosition();
            append(wal, 2, "new");
            wal.makeDurable();
            final int segments = wal.segmentCount();
            assertThat(wal.deleteSegmentsBefore(snapshotAt)).isEqualTo(segments - 1);
        }
        try (WriteAheadLog wal = WriteAheadLog.open(storage, options(FsyncPolicy.GROUP), snapshotAt,
            (position, type, buffer, offset, length) -> read.add(new Read(position, type, buffer.getStringWithoutLengthUtf8(offset, length)))))
        {
            assertThat(wal.segmentCount()).isPositive();
            assertThat(read).extracting(Read::text).containsExactly("new");
        }
    }

    @Test
    void aFailedWriteStopsTheLog() throws IOException
    {
        final MemoryStorage storage = new MemoryStorage("disk");
        try (WriteAheadLog wal = open(storage, new ArrayList<>()))
        {
            append(wal, 1, "r");
            storage.failWrites(true);
            assertThatThrownBy(wal::makeDurable).isInstanceOf(IOException.class);
            storage.failWrites(false);
            assertThatThrownBy(() -> append(wal, 1, "again")).isInstanceOf(IOException.class)
                .hasMessageContaining("refuses further work");
        }
    }

    @Test
    void realFilesSurviveReopenAndATruncatedTail(@TempDir final Path directory) throws IOException
    {
        final FileStorage storage = new FileStorage(directory);
        try (WriteAheadLog wal = open(storage, new ArrayList<>()))
        {
            append(wal, 1, "alpha");
            append(wal, 2, "beta");
            wal.makeDurable();
        }
        final Path file = directory.resolve(segment(0));
        final long size = Files.size(file);
        try (var channel = java.nio.channels.FileChannel.open(file, StandardOpenOption.WRITE))
        {
            channel.truncate(size - 3);
        }
        final List<Read> read = new ArrayList<>();
        try (WriteAheadLog wal = open(storage, read))
        {
            assertThat(wal.segmentCount()).isPositive();
            assertThat(read).extracting(Read::text).containsExactly("alpha");
            assertThat(read.get(0).position()).isZero();
        }
    }

    @Test
    void aSegmentLeftOpenByAKilledProcessKeepsItsRecordsAndLosesOnlyTheReservedZeros(@TempDir final Path directory)
        throws IOException
    {
        final FileStorage storage = new FileStorage(directory);
        final WriteAheadLog killed = open(storage, new ArrayList<>());
        append(killed, 1, "alpha");
        final long end = append(killed, 2, "beta");
        killed.write();
        // Never closed, as after kill -9: the mapping reserved space past the data.
        final Path file = directory.resolve(segment(0));
        assertThat(Files.size(file)).isEqualTo(FileStorage.MAPPING_GRANULE_BYTES);

        final List<Read> read = new ArrayList<>();
        final SegmentScanner.Result scan = new SegmentScanner(storage, RECORD_MAX_BYTES)
            .scan(0, (position, type, buffer, offset, length) ->
                read.add(new Read(position, type, buffer.getStringWithoutLengthUtf8(offset, length))));
        assertThat(read).extracting(Read::text).containsExactly("alpha", "beta");
        assertThat(scan.endPosition()).isEqualTo(end);
        assertThat(scan.tornTailBytes()).as("zeros are not a torn record").isZero();
        assertThat(Files.size(file)).isEqualTo(end);
        try (WriteAheadLog wal = open(storage, new ArrayList<>()))
        {
            append(wal, 3, "gamma");
            wal.makeDurable();
        }
        assertThat(Files.size(file)).as("closing cuts the reserved space").isGreaterThan(end).isLessThan(2 * end);
        read.clear();
        try (WriteAheadLog wal = open(storage, read))
        {
            assertThat(read).extracting(Read::text).containsExactly("alpha", "beta", "gamma");
        }
    }

    @Test
    void zerosBeforeAValidRecordAreCorruptionNotReservedSpace(@TempDir final Path directory) throws IOException
    {
        final FileStorage storage = new FileStorage(directory);
        final long secondAt;
        try (WriteAheadLog wal = open(storage, new ArrayList<>()))
        {
            secondAt = append(wal, 1, "first");
            append(wal, 1, "second");
            append(wal, 1, "third");
            wal.makeDurable();
        }
        try (var channel = java.nio.channels.FileChannel.open(directory.resolve(segment(0)), StandardOpenOption.WRITE))
        {
            channel.write(ByteBuffer.allocate(RecordDescriptor.HEADER_LENGTH), secondAt);
        }
        assertThatThrownBy(() -> open(storage, new ArrayList<>()))
            .isInstanceOf(WalCorruptionException.class)
            .hasMessageContaining(segment(0))
            .hasMessageContaining("at offset " + secondAt)
            .hasMessageContaining("a valid record follows");
    }

    @Test
    void reservedZerosAtTheEndOfAnEarlierSegmentAreCut() throws IOException
    {
        final MemoryStorage storage = new MemoryStorage("disk");
        try (WriteAheadLog wal = open(storage, new ArrayList<>()))
        {
            for (int i = 0; i < 20; i++)
            {
                append(wal, 1, "y".repeat(500));
            }
            wal.makeDurable();
        }
        final long firstLength = storage.fileLength(segment(0));
        try (StorageFile file = storage.open(segment(0), false))
        {
            // A power cut after the next segment was created, before the cut of this one was on disk.
            file.write(ByteBuffer.allocate(700), firstLength);
        }
        final List<Read> read = new ArrayList<>();
        try (WriteAheadLog wal = open(storage, read))
        {
            assertThat(wal.segmentCount()).isGreaterThan(1);
            assertThat(read).hasSize(20);
        }
        assertThat(storage.fileLength(segment(0))).isEqualTo(firstLength);
    }

    @Test
    void appendsPastTheFirstMappingGrowItAndSurviveReopen(@TempDir final Path directory) throws IOException
    {
        final FileStorage storage = new FileStorage(directory);
        final WalOptions big = new WalOptions(8 * FileStorage.MAPPING_GRANULE_BYTES, 64 * 1024, 64 * 1024,
            FsyncPolicy.ALWAYS, clock, registry, Tags.of("core", "0"));
        final String value = "z".repeat(60_000);
        final int records = 3 * FileStorage.MAPPING_GRANULE_BYTES / value.length();
        long end = 0;
        try (WriteAheadLog wal = WriteAheadLog.open(storage, big, 0, (position, type, buffer, offset, length) -> { }))
        {
            for (int i = 0; i < records; i++)
            {
                end = append(wal, 1 + (i % 3), value);
                if (i % 7 == 0)
                {
                    wal.makeDurable();
                }
            }
            wal.makeDurable();
            assertThat(wal.segmentCount()).isEqualTo(1);
        }
        assertThat(Files.size(directory.resolve(segment(0)))).isEqualTo(end);
        final List<Integer> types = new ArrayList<>();
        try (WriteAheadLog wal = WriteAheadLog.open(storage, big, 0, (position, type, buffer, offset, length) ->
        {
            assertThat(buffer.getStringWithoutLengthUtf8(offset, length)).isEqualTo(value);
            types.add(type);
        }))
        {
            assertThat(wal.appendPosition()).isEqualTo(end);
        }
        assertThat(types).hasSize(records);
        assertThat(types.get(records - 1)).isEqualTo(1 + ((records - 1) % 3));
    }

    @Test
    void anAppendOnlyFileReadsOnlyItsDataAndRefusesToPassTwoGigabytes(@TempDir final Path directory) throws IOException
    {
        final FileStorage storage = new FileStorage(directory);
        try (StorageFile file = storage.openAppendOnly("f", true))
        {
            file.write(ByteBuffer.wrap("abcdef".getBytes(StandardCharsets.US_ASCII)), 0);
            assertThat(file.size()).isEqualTo(6);
            final ByteBuffer read = ByteBuffer.allocate(64);
            assertThat(file.read(read, 2)).as("stops at the data's end, not the mapping's").isEqualTo(4);
            assertThat(new String(read.array(), 0, read.position(), StandardCharsets.US_ASCII)).isEqualTo("cdef");
            assertThat(file.read(ByteBuffer.allocate(8), 6)).isEqualTo(-1);

            assertThatThrownBy(() -> file.write(ByteBuffer.allocate(16), Integer.MAX_VALUE - 8))
                .isInstanceOf(IOException.class).hasMessageContaining("would pass " + Integer.MAX_VALUE + " bytes");
            assertThat(file.size()).as("the refused write changed nothing").isEqualTo(6);
        }
        assertThat(Files.size(directory.resolve("f"))).isEqualTo(6);
    }
}
