package io.multikernel.replication.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.zip.CRC32C;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Recovery's reader of the write-ahead log: checks every record of the segments from the one that
 * holds the start position on, hands the valid ones to a {@link RecordHandler}, truncates a torn
 * tail, and stops with {@link WalCorruptionException} on anything else.
 *
 * <p>A bad record is a torn tail only when it is in the last segment and no valid record (right
 * length, right log position, right CRC32C) starts at any aligned offset after it: a crash can tear
 * the last write, but it cannot produce a good record behind a bad one. Zeros from the end of the
 * last valid record to the end of a file are not a record at all: space an append-only file had
 * reserved ahead of its data when its writer died. They are cut without complaint.
 */
final class SegmentScanner
{
    static final String SEGMENT_PREFIX = "wal-";
    static final String SEGMENT_SUFFIX = ".log";

    /**
     * One segment file: its name and the log position of its first byte.
     */
    record Segment(String name, long base)
    {
    }

    /**
     * What the scan found.
     *
     * @param segments      every segment, oldest first.
     * @param endPosition   log position just past the last valid record.
     * @param tornTailBytes bytes cut from the end of the last segment.
     */
    record Result(List<Segment> segments, long endPosition, long tornTailBytes)
    {
    }

    private final WalStorage storage;
    private final int recordLengthMaxBytes;
    private final CRC32C crc = new CRC32C();

    SegmentScanner(final WalStorage storage, final int recordLengthMaxBytes)
    {
        this.storage = storage;
        this.recordLengthMaxBytes = recordLengthMaxBytes;
    }

    static String segmentName(final long base)
    {
        return String.format("%s%020d%s", SEGMENT_PREFIX, base, SEGMENT_SUFFIX);
    }

    static List<Segment> listSegments(final WalStorage storage) throws IOException
    {
        final List<Segment> segments = new ArrayList<>();
        for (final String name : storage.list())
        {
            if (name.startsWith(SEGMENT_PREFIX) && name.endsWith(SEGMENT_SUFFIX))
            {
                final String digits = name.substring(SEGMENT_PREFIX.length(), name.length() - SEGMENT_SUFFIX.length());
                try
                {
                    segments.add(new Segment(name, Long.parseLong(digits)));
                }
                catch (final NumberFormatException ex)
                {
                    throw new WalCorruptionException(storage.describe(name), 0, "segment name does not hold a log position");
                }
            }
        }
        segments.sort(Comparator.comparingLong(Segment::base));
        return segments;
    }

    Result scan(final long fromPosition, final RecordHandler handler) throws IOException
    {
        final List<Segment> segments = listSegments(storage);
        if (segments.isEmpty())
        {
            return new Result(segments, fromPosition, 0);
        }
        int first = -1;
        for (int i = 0; i < segments.size(); i++)
        {
            if (segments.get(i).base() <= fromPosition)
            {
                first = i;
            }
        }
        if (first < 0)
        {
            final Segment oldest = segments.get(0);
            throw new WalCorruptionException(storage.describe(oldest.name()), 0,
                "the log starts at position " + oldest.base() + ", after the snapshot's position " + fromPosition);
        }
        long expected = segments.get(first).base();
        long tornTailBytes = 0;
        for (int i = first; i < segments.size(); i++)
        {
            final Segment segment = segments.get(i);
            if (segment.base() != expected)
            {
                throw new WalCorruptionException(storage.describe(segment.name()), 0,
                    "segment starts at log position " + segment.base() + " but the previous one ends at " + expected);
            }
            final long[] torn = new long[1];
            expected = scanSegment(segment, i == segments.size() - 1, fromPosition, handler, torn);
            tornTailBytes += torn[0];
        }
        if (expected < fromPosition)
        {
            throw new WalCorruptionException(storage.describe(segments.get(segments.size() - 1).name()), 0,
                "the log ends at position " + expected + ", before the snapshot's position " + fromPosition);
        }
        return new Result(segments, expected, tornTailBytes);
    }

    private long scanSegment(
        final Segment segment, final boolean last, final long fromPosition, final RecordHandler handler, final long[] torn)
        throws IOException
    {
        final String file = storage.describe(segment.name());
        try (StorageFile storageFile = storage.open(segment.name(), false))
        {
            final int size = (int)storageFile.size();
            final ByteBuffer bytes = readFully(storageFile, size);
            final UnsafeBuffer view = new UnsafeBuffer(bytes);
            int offset = 0;
            int code = 0;
            while (offset < size)
            {
                final long position = segment.base() + offset;
                code = RecordDescriptor.validate(crc, bytes, offset, size, position, recordLengthMaxBytes);
                if (code < 0)
                {
                    break;
                }
                final int aligned = RecordDescriptor.align(code);
                if (position >= fromPosition)
                {
                    handler.onRecord(position, bytes.getInt(offset + RecordDescriptor.TYPE_OFFSET), view,
                        offset + RecordDescriptor.HEADER_LENGTH, code - RecordDescriptor.HEADER_LENGTH);
                }
                else if (position + aligned > fromPosition)
                {
                    throw new WalCorruptionException(file, offset,
                        "the snapshot's position " + fromPosition + " falls inside a record");
                }
                offset += aligned;
            }
            if (offset < size)
            {
                // Zeros to the end are space an append-only file had reserved when its writer died
                // (FileStorage maps ahead of the data): not a record, so not torn, in any segment.
                if (!zeroFrom(bytes, offset, size))
                {
                    rejectUnlessTornTail(file, bytes, offset, size, segment.base(), last, code);
                    torn[0] = size - offset;
                }
                storageFile.truncate(offset);
                storageFile.force();
            }
            return segment.base() + offset;
        }
    }

    private void rejectUnlessTornTail(
        final String file, final ByteBuffer bytes, final int offset, final int size, final long base,
        final boolean last, final int code) throws WalCorruptionException
    {
        final String what = RecordDescriptor.describeInvalid(code);
        if (!last)
        {
            throw new WalCorruptionException(file, offset, what + " in a segment that is not the last");
        }
        for (int next = offset + RecordDescriptor.ALIGNMENT; next + RecordDescriptor.HEADER_LENGTH <= size;
            next += RecordDescriptor.ALIGNMENT)
        {
            if (RecordDescriptor.validate(crc, bytes, next, size, base + next, recordLengthMaxBytes) > 0)
            {
                throw new WalCorruptionException(file, offset, what + ", and a valid record follows at offset " + next);
            }
        }
    }

    private static boolean zeroFrom(final ByteBuffer bytes, final int offset, final int size)
    {
        int at = offset;
        for (; at + Long.BYTES <= size; at += Long.BYTES)
        {
            if (0 != bytes.getLong(at))
            {
                return false;
            }
        }
        for (; at < size; at++)
        {
            if (0 != bytes.get(at))
            {
                return false;
            }
        }
        return true;
    }

    private static ByteBuffer readFully(final StorageFile file, final int size) throws IOException
    {
        final ByteBuffer bytes = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        while (bytes.hasRemaining())
        {
            if (file.read(bytes, bytes.position()) < 0)
            {
                break;
            }
        }
        bytes.clear();
        return bytes;
    }
}
