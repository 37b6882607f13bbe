package io.multikernel.replication.wal;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import org.agrona.concurrent.NanoClock;

/**
 * Settings of one {@link WriteAheadLog}; validated by the engine's context before use.
 *
 * @param segmentLengthBytes     a segment is closed and a new one started before it would exceed this.
 * @param recordLengthMaxBytes   WAL_RECORD_LENGTH_MAX_BYTES: header plus payload; larger appends are
 *                               rejected, and a larger length read back marks the record invalid.
 * @param writeBufferLengthBytes appends collect here until written to the file.
 * @param fsyncPolicy            see {@link FsyncPolicy}.
 * @param clock                  times fsyncs for the latency timer.
 * @param registry               where {@code mk.wal.*} meters go.
 * @param tags                   added to every meter (for example the core id).
 */
public record WalOptions(
    int segmentLengthBytes,
    int recordLengthMaxBytes,
    int writeBufferLengthBytes,
    FsyncPolicy fsyncPolicy,
    NanoClock clock,
    MeterRegistry registry,
    Tags tags)
{
    public WalOptions
    {
        if (recordLengthMaxBytes < RecordDescriptor.HEADER_LENGTH)
        {
            throw new IllegalArgumentException("walRecordLengthMaxBytes=" + recordLengthMaxBytes +
                " is less than the record header length " + RecordDescriptor.HEADER_LENGTH);
        }
        if (RecordDescriptor.align(recordLengthMaxBytes) > segmentLengthBytes)
        {
            throw new IllegalArgumentException("walRecordLengthMaxBytes=" + recordLengthMaxBytes +
                " does not fit in walSegmentLengthBytes=" + segmentLengthBytes);
        }
        if (RecordDescriptor.align(recordLengthMaxBytes) > writeBufferLengthBytes)
        {
            throw new IllegalArgumentException("walRecordLengthMaxBytes=" + recordLengthMaxBytes +
                " does not fit in walWriteBufferLengthBytes=" + writeBufferLengthBytes);
        }
    }
}
