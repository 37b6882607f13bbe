package io.multikernel.replication.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An append-only log of records in segment files ({@code wal-<base position>.log}) of a
 * {@link WalStorage}. Each record is framed as {@link RecordDescriptor} draws it.
 *
 * <p>Appends collect in a write buffer; {@link #write()} hands them to the storage and
 * {@link #makeDurable()} makes them durable as the {@link FsyncPolicy} promises, so a caller that
 * appends many records and then calls {@code makeDurable()} once gets group commit. Positions only
 * grow: {@link #appendPosition()} &ge; {@link #writtenPosition()} &ge; {@link #durablePosition()}.
 *
 * <p>After an I/O error the log refuses all further work: what reached the disk is unknown
 * (a failed fsync may have dropped dirty pages), so the owner must restart and recover.
 * Single-threaded: owned by one core's agent.
 */
public final class WriteAheadLog implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(WriteAheadLog.class);

    private final WalStorage storage;
    private final WalOptions options;
    private final List<SegmentScanner.Segment> segments;
    private final CRC32C crc = new CRC32C();
    private final ByteBuffer writeBuffer;
    /** The write buffer's pending bytes as handed to the storage: one view, reused by every write. */
    private final ByteBuffer writeSlice;
    private final UnsafeBuffer writeView;
    private final Timer fsyncLatency;
    private final Counter bytesWritten;
    private final List<Meter> meters = new ArrayList<>();
    private StorageFile segmentFile;
    private long segmentBase;
    private long appendPosition;
    private long writtenPosition;
    private long durablePosition;
    private IOException failure;

    private WriteAheadLog(final WalStorage storage, final WalOptions options, final SegmentScanner.Result scan)
        throws IOException
    {
        this.storage = storage;
        this.options = options;
        this.segments = new ArrayList<>(scan.segments());
        this.writeBuffer = ByteBuffer.allocateDirect(options.writeBufferLengthBytes()).order(ByteOrder.LITTLE_ENDIAN);
        this.writeView = new UnsafeBuffer(writeBuffer);
        this.writeSlice = writeBuffer.duplicate();
        this.fsyncLatency = Timer.builder("mk.wal.fsync.latency")
            .description("Time one fsync of the write-ahead log takes")
            .tags(options.tags())
            .publishPercentileHistogram()
            .minimumExpectedValue(java.time.Duration.ofNanos(1_000))
            .maximumExpectedValue(java.time.Duration.ofSeconds(10))
            .register(options.registry());
        this.bytesWritten = Counter.builder("mk.wal.bytes.written")
            .description("Bytes handed to the write-ahead log's files")
            .baseUnit("bytes")
            .tags(options.tags())
            .register(options.registry());
        meters.add(fsyncLatency);
        meters.add(bytesWritten);
        appendPosition = scan.endPosition();
        writtenPosition = appendPosition;
        durablePosition = appendPosition;
        if (segments.isEmpty())
        {
            startSegment(appendPosition);
        }
        else
        {
            final SegmentScanner.Segment last = segments.get(segments.size() - 1);
            segmentBase = last.base();
            segmentFile = storage.openAppendOnly(last.name(), false);
        }
    }

    /**
     * Opens the log for appending after checking it: hands every record at or after
     * {@code fromPosition} to {@code handler}, truncates a torn tail, and throws
     * {@link WalCorruptionException} naming the file and offset of any other bad record.
     *
     * @param fromPosition where the state already restored (a snapshot) ends; 0 for none.
     */
    public static WriteAheadLog open(
        final WalStorage storage, final WalOptions options, final long fromPosition, final RecordHandler handler)
        throws IOException
    {
        final SegmentScanner.Result scan = new SegmentScanner(storage, options.recordLengthMaxBytes())
            .scan(fromPosition, handler);
        if (scan.tornTailBytes() > 0)
        {
            // Most often a crash's interrupted write; the log cannot tell that from bytes added to it, or from
            // records removed from its end, so it says what it cut and what it kept.
            LOG.warn("write-ahead log {}: cut {} bytes after the last whole record, at log position {}: a crash " +
                "interrupted a write, or the file was changed while the core was down (then records after that position, " +
                "if any were there, are lost from this replica)", storage.describe(""), scan.tornTailBytes(),
                scan.endPosition());
        }
        return new WriteAheadLog(storage, options, scan);
    }

    /**
     * Appends one record to the write buffer.
     *
     * @return the log position just past the record: it is durable once {@link #durablePosition()}
     * reaches this value.
     * @throws IllegalArgumentException when header plus payload exceed WAL_RECORD_LENGTH_MAX_BYTES.
     */
    public long append(final int type, final DirectBuffer payload, final int offset, final int length)
        throws IOException
    {
        checkNotFailed();
        final int recordLength = RecordDescriptor.HEADER_LENGTH + length;
        if (length < 0 || recordLength > options.recordLengthMaxBytes())
        {
            throw new IllegalArgumentException("write-ahead log record length=" + recordLength +
                " exceeds WAL_RECORD_LENGTH_MAX_BYTES=" + options.recordLengthMaxBytes());
        }
        final int aligned = RecordDescriptor.align(recordLength);
        if (appendPosition - segmentBase + aligned > options.segmentLengthBytes())
        {
            rollSegment();
        }
        if (writeBuffer.capacity() - (int)(appendPosition - writtenPosition) < aligned)
        {
            write();
        }
        final int at = (int)(appendPosition - writtenPosition);
        writeView.putInt(at + RecordDescriptor.LENGTH_OFFSET, recordLength);
        writeView.putLong(at + RecordDescriptor.POSITION_OFFSET, appendPosition);
        writeView.putInt(at + RecordDescriptor.TYPE_OFFSET, type);
        writeView.putBytes(at + RecordDescriptor.HEADER_LENGTH, payload, offset, length);
        writeView.setMemory(at + recordLength, aligned - recordLength, (byte)0);
        writeView.putInt(at + RecordDescriptor.CRC_OFFSET, RecordDescriptor.checksum(crc, writeBuffer, at, recordLength));
        appendPosition += aligned;
        return appendPosition;
    }

    /**
     * Hands buffered records to the storage without forcing them.
     */
    public void write() throws IOException
    {
        checkNotFailed();
        final int pending = (int)(appendPosition - writtenPosition);
        if (pending == 0)
        {
            return;
        }
        try
        {
            writeSlice.limit(pending).position(0);
            segmentFile.write(writeSlice, writtenPosition - segmentBase);
        }
        catch (final IOException ex)
        {
            throw fail(ex);
        }
        bytesWritten.increment(pending);
        writtenPosition = appendPosition;
        if (options.fsyncPolicy() == FsyncPolicy.NONE)
        {
            durablePosition = writtenPosition;
        }
    }

    /**
     * Makes every appended record as durable as the policy promises: writes, then fsyncs unless the
     * policy is {@link FsyncPolicy#NONE}. One call covers every record appended before it.
     */
    public void makeDurable() throws IOException
    {
        write();
        if (options.fsyncPolicy() != FsyncPolicy.NONE && durablePosition < writtenPosition)
        {
            force();
            durablePosition = writtenPosition;
        }
    }

    /**
     * Deletes the segments that hold only records before {@code position}: call once a snapshot
     * that covers them is durable. Never deletes the segment being appended to.
     *
     * @return how many segments were deleted.
     */
    public int deleteSegmentsBefore(final long position) throws IOException
    {
        checkNotFailed();
        int deleted = 0;
        while (segments.size() > 1 && segments.get(1).base() <= position)
        {
            storage.delete(segments.remove(0).name());
            deleted++;
        }
        if (deleted > 0 && options.fsyncPolicy() != FsyncPolicy.NONE)
        {
            storage.syncDirectory();
        }
        return deleted;
    }

    public long appendPosition()
    {
        return appendPosition;
    }

    public long writtenPosition()
    {
        return writtenPosition;
    }

    public long durablePosition()
    {
        return durablePosition;
    }

    public FsyncPolicy fsyncPolicy()
    {
        return options.fsyncPolicy();
    }

    /**
     * @return the number of segment files.
     */
    public int segmentCount()
    {
        return segments.size();
    }

    /**
     * Closes the segment without writing buffered records and removes the meters.
     */
    @Override
    public void close() throws IOException
    {
        meters.forEach(options.registry()::remove);
        if (null != segmentFile)
        {
            segmentFile.close();
            segmentFile = null;
        }
    }

    private void rollSegment() throws IOException
    {
        write();
        if (options.fsyncPolicy() != FsyncPolicy.NONE)
        {
            force();
            durablePosition = writtenPosition;
        }
        segmentFile.close();
        startSegment(appendPosition);
    }

    private void startSegment(final long base) throws IOException
    {
        final String name = SegmentScanner.segmentName(base);
        try
        {
            segmentFile = storage.openAppendOnly(name, true);
            if (options.fsyncPolicy() != FsyncPolicy.NONE)
            {
                storage.syncDirectory();
            }
        }
        catch (final IOException ex)
        {
            throw fail(ex);
        }
        segments.add(new SegmentScanner.Segment(name, base));
        segmentBase = base;
    }

    private void force() throws IOException
    {
        final long startNs = options.clock().nanoTime();
        try
        {
            segmentFile.force();
        }
        catch (final IOException ex)
        {
            throw fail(ex);
        }
        fsyncLatency.record(options.clock().nanoTime() - startNs, TimeUnit.NANOSECONDS);
    }

    private IOException fail(final IOException ex)
    {
        failure = ex;
        return ex;
    }

    private void checkNotFailed() throws IOException
    {
        if (null != failure)
        {
            throw new IOException("write-ahead log failed earlier and refuses further work; restart the core", failure);
        }
    }
}
