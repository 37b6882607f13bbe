package io.multikernel.replication;

import io.multikernel.replication.wal.RecordHandler;
import org.agrona.DirectBuffer;

/**
 * Replays write-ahead log records into the coordinator and participant roles, after the snapshot
 * (if any) has been restored. Sends nothing: what to do about unfinished transactions is decided
 * after the whole log has been read.
 */
final class Recovery<O> implements RecordHandler
{
    private final Participant<O> participant;
    private final Coordinator<O> coordinator;
    private final BufferCursor cursor = new BufferCursor();
    private long newestIncarnation;
    private long records;

    Recovery(final Participant<O> participant, final Coordinator<O> coordinator, final long snapshotIncarnation)
    {
        this.participant = participant;
        this.coordinator = coordinator;
        this.newestIncarnation = snapshotIncarnation;
    }

    @Override
    public void onRecord(final long position, final int type, final DirectBuffer buffer, final int offset, final int length)
    {
        cursor.forReading(buffer, offset, length);
        try
        {
            replay(type);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalStateException("write-ahead log record of type " + type + " at log position " + position +
                " passed its checksum but does not decode: " + ex.getMessage(), ex);
        }
        records++;
    }

    private void replay(final int type)
    {
        switch (type)
        {
            case LogRecords.INCARNATION:
                newestIncarnation = Math.max(newestIncarnation, cursor.getLong());
                break;
            case LogRecords.STARTED:
                coordinator.replayStarted(cursor.getId(), cursor.getParticipants());
                break;
            case LogRecords.COMMIT_DECIDED:
                coordinator.replayCommitDecided(cursor.getId(), cursor.getParticipants());
                break;
            case LogRecords.ENDED:
                coordinator.replayEnded(cursor.getId());
                break;
            case LogRecords.PREPARED:
                participant.replayPrepared(cursor.getId(), cursor.getParticipants(), cursor.getBytes());
                break;
            case LogRecords.COMMITTED:
                participant.replayCommitted(cursor.getId(), cursor.getByte());
                break;
            case LogRecords.ABORTED:
                participant.replayAborted(cursor.getId(), cursor.getByte());
                break;
            default:
                throw new IllegalArgumentException("unknown record type (written by a newer version?)");
        }
    }

    long newestIncarnation()
    {
        return newestIncarnation;
    }

    long records()
    {
        return records;
    }
}
