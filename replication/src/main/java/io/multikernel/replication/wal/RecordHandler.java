package io.multikernel.replication.wal;

import org.agrona.DirectBuffer;

/**
 * Receives the records of the write-ahead log during recovery, in log order.
 */
@FunctionalInterface
public interface RecordHandler
{
    /**
     * @param position log position of the record's first byte.
     * @param type     the record type given to {@link WriteAheadLog#append}.
     * @param buffer   holds the payload; valid only during the call.
     */
    void onRecord(long position, int type, DirectBuffer buffer, int offset, int length);
}
