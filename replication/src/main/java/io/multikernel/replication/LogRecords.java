package io.multikernel.replication;

import java.io.IOException;

import io.multikernel.replication.wal.FsyncPolicy;
import io.multikernel.replication.wal.RecordDescriptor;
import io.multikernel.replication.wal.WriteAheadLog;
import org.agrona.ExpandableArrayBuffer;

/**
 * The engine's write-ahead log records: types, payloads, and which must be forced.
 *
 * <pre>
 * type            role         payload                                         forced before acting
 * INCARNATION     both         incarnation:int64                                yes (at start)
 * STARTED         coordinator  id, participants                                 no
 * COMMIT_DECIDED  coordinator  id, participants                                 yes, before any COMMIT is sent
 * ENDED           coordinator  id                                               no (presumed abort)
 * PREPARED        participant  id, participants, operations:bytes               yes, before voting yes (the
 *                                                                               coordinator's own: by COMMIT_DECIDED)
 * COMMITTED       participant  id, flags:int8 (2 = forced by an operator)       yes, before acking (shares a later fsync)
 * ABORTED         participant  id, flags:int8 (1 = refusal, 2 = by operator)    refusals only
 *
 * id = coordinatorCoreId:int32 coordinatorIncarnation:int64 sequence:int64
 * participants = count:int32 then count x coreId:int32;  bytes = length:int32 then the bytes
 * </pre>
 *
 * With {@link FsyncPolicy#ALWAYS} a forced record is fsynced as it is appended, except a
 * participant's own COMMITTED: its only dependent is the ack that lets the coordinator forget, so it
 * shares the next fsync (at most {@code ackDelayMaxNs} later), as with {@link FsyncPolicy#GROUP},
 * and the next PREPARE does not wait behind it. With {@code GROUP} the engine makes all of a duty
 * cycle's records durable at once (group commit) before acting on them.
 * Either way, the messages already queued leave before the fsync ({@code beforeForce}, which also
 * flushes the network): none of
 * them waits for it (a message that needs a record durable is queued only once it is), so remote
 * work, such as other participants' PREPARED fsyncs, overlaps this core's.
 */
final class LogRecords
{
    static final int INCARNATION = 1;
    static final int STARTED = 2;
    static final int COMMIT_DECIDED = 3;
    static final int ENDED = 4;
    static final int PREPARED = 5;
    static final int COMMITTED = 6;
    static final int ABORTED = 7;

    static final int FLAG_NONE = 0;
    static final int FLAG_REFUSAL = 1;
    static final int FLAG_BY_OPERATOR = 2;

    private final WriteAheadLog wal;
    private final Runnable beforeForce;
    private final ExpandableArrayBuffer scratch = new ExpandableArrayBuffer(1024);
    private final BufferCursor cursor = new BufferCursor();

    /**
     * @param wal         the log.
     * @param beforeForce runs before each fsync made through {@link #makeDurable()}.
     */
    LogRecords(final WriteAheadLog wal, final Runnable beforeForce)
    {
        this.wal = wal;
        this.beforeForce = beforeForce;
    }

    /**
     * @return the longest PREPARED record, header included, for a transaction whose operations take
     * {@code maxOperationsLengthBytes}.
     */
    static int preparedRecordLengthMaxBytes(final int maxOperationsLengthBytes)
    {
        return RecordDescriptor.HEADER_LENGTH + TransactionId.ENCODED_LENGTH + 4 + 4 * ParticipantSet.MAX_PARTICIPANTS +
            4 + maxOperationsLengthBytes;
    }

    WriteAheadLog wal()
    {
        return wal;
    }

    /** @return the position just past the last appended record. */
    long appendPosition()
    {
        return wal.appendPosition();
    }

    long appendIncarnation(final long incarnation) throws IOException
    {
        cursor.forWriting(scratch).putLong(incarnation);
        return append(INCARNATION, true);
    }

    long appendStarted(final TransactionId id, final ParticipantSet participants) throws IOException
    {
        cursor.forWriting(scratch).putId(id).putParticipants(participants);
        return append(STARTED, false);
    }

    long appendCommitDecided(final TransactionId id, final ParticipantSet participants) throws IOException
    {
        cursor.forWriting(scratch).putId(id).putParticipants(participants);
        return append(COMMIT_DECIDED, true);
    }

    long appendEnded(final TransactionId id) throws IOException
    {
        cursor.forWriting(scratch).putId(id);
        return append(ENDED, false);
    }

    /**
     * @param forced false for the coordinator's own PREPARED, which the COMMIT_DECIDED record after
     *               it makes durable.
     */
    long appendPrepared(final TransactionId id, final ParticipantSet participants, final byte[] operations,
        final boolean forced) throws IOException
    {
        cursor.forWriting(scratch).putId(id).putParticipants(participants).putBytes(operations);
        return append(PREPARED, forced);
    }

    long appendCommitted(final TransactionId id, final int flags) throws IOException
    {
        cursor.forWriting(scratch).putId(id).putByte(flags);
        return append(COMMITTED, flags == FLAG_BY_OPERATOR);
    }

    long appendAborted(final TransactionId id, final int flags) throws IOException
    {
        cursor.forWriting(scratch).putId(id).putByte(flags);
        return append(ABORTED, flags != FLAG_NONE);
    }

    private long append(final int type, final boolean forced) throws IOException
    {
        final long position = wal.append(type, scratch, 0, cursor.position());
        if (forced && wal.fsyncPolicy() == FsyncPolicy.ALWAYS)
        {
            makeDurable();
        }
        return position;
    }

    /**
     * Lets what is queued leave ({@code beforeForce}), then makes every appended record durable.
     */
    void makeDurable() throws IOException
    {
        beforeForce.run();
        wal.makeDurable();
    }
}
