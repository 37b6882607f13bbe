package io.multikernel.replication;

import java.util.Map;

import io.multikernel.replication.wal.SnapshotStore;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The payload of a snapshot: everything replaying the log up to the snapshot's position would
 * rebuild. Little-endian, in this order:
 *
 * <pre>
 * formatVersion:int32  incarnation:int64  stateMachine:bytes
 * prepared:     count:int32, then per transaction  id participants operations:bytes
 * refused:      count:int32, then per transaction  id
 * watermarks:   count:int32, then per coordinator  coreId:int32 incarnation:int64 sequence:int64
 * decisions:    count:int32, then per transaction  id outcome:int8
 * coordinated:  count:int32, then per transaction  id commitDecided:int8 participants
 * peerCommits:  count:int32, then per entry  peer:int32 id          (format version 2 on)
 * </pre>
 *
 * (encodings of id, participants and bytes as in {@link LogRecords}). The file around it is
 * framed and checksummed by {@link SnapshotStore}.
 */
final class EngineSnapshot
{
    static final int FORMAT_VERSION = 2;
    /** The format before {@link PeerCommits} was kept: read, never written. */
    static final int FORMAT_VERSION_WITHOUT_PEER_COMMITS = 1;

    private EngineSnapshot()
    {
    }

    static <O> byte[] encode(
        final long incarnation,
        final StateMachine<O> stateMachine,
        final Participant<O> participant,
        final Coordinator<O> coordinator,
        final PeerCommits peerCommits)
    {
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(4096);
        final BufferCursor cursor = new BufferCursor().forWriting(buffer);
        cursor.putInt(FORMAT_VERSION).putLong(incarnation).putBytes(stateMachine.snapshot());
        cursor.putInt(participant.prepared().size());
        for (final ParticipantTransaction<O> transaction : participant.prepared().values())
        {
            cursor.putId(transaction.id).putParticipants(transaction.participants).putBytes(transaction.operationBytes);
        }
        cursor.putInt(participant.refusals().refused().size());
        participant.refusals().refused().forEach(cursor::putId);
        cursor.putInt(participant.refusals().watermarks().size());
        participant.refusals().watermarks().forEach((coreId, watermark) ->
            cursor.putInt(coreId).putLong(watermark[0]).putLong(watermark[1]));
        final Map<TransactionId, Byte> decisions = participant.decisions().asMap();
        cursor.putInt(decisions.size());
        decisions.forEach((id, outcome) -> cursor.putId(id).putByte(outcome));
        cursor.putInt(coordinator.active().size());
        for (final CoordinatorTransaction transaction : coordinator.active().values())
        {
            final boolean decided = transaction.state != CoordinatorTransaction.State.COLLECTING;
            cursor.putId(transaction.id).putByte(decided ? 1 : 0).putParticipants(transaction.participants);
        }
        cursor.putInt(peerCommits.size());
        peerCommits.forEach((peer, id) -> cursor.putInt(peer).putId(id));
        final byte[] bytes = new byte[cursor.position()];
        buffer.getBytes(0, bytes);
        return bytes;
    }

    /**
     * Restores a snapshot into freshly made roles and state machine.
     *
     * @return the incarnation recorded in the snapshot.
     * @throws IllegalArgumentException when the payload does not decode.
     */
    static <O> long restore(
        final byte[] payload,
        final StateMachine<O> stateMachine,
        final Participant<O> participant,
        final Coordinator<O> coordinator,
        final PeerCommits peerCommits)
    {
        final BufferCursor cursor = new BufferCursor().forReading(new UnsafeBuffer(payload), 0, payload.length);
        final int version = cursor.getInt();
        if (version != FORMAT_VERSION && version != FORMAT_VERSION_WITHOUT_PEER_COMMITS)
        {
            throw new IllegalArgumentException("snapshot format version " + version + " is neither " + FORMAT_VERSION +
                " nor " + FORMAT_VERSION_WITHOUT_PEER_COMMITS);
        }
        final long incarnation = cursor.getLong();
        stateMachine.restore(cursor.getBytes());
        for (int i = 0, count = cursor.getInt(); i < count; i++)
        {
            participant.replayPrepared(cursor.getId(), cursor.getParticipants(), cursor.getBytes());
        }
        for (int i = 0, count = cursor.getInt(); i < count; i++)
        {
            participant.refusals().refuse(cursor.getId());
        }
        for (int i = 0, count = cursor.getInt(); i < count; i++)
        {
            participant.refusals().restoreWatermark(cursor.getInt(), cursor.getLong(), cursor.getLong());
        }
        for (int i = 0, count = cursor.getInt(); i < count; i++)
        {
            participant.decisions().put(cursor.getId(), (byte)cursor.getByte());
        }
        for (int i = 0, count = cursor.getInt(); i < count; i++)
        {
            final TransactionId id = cursor.getId();
            final boolean decided = cursor.getByte() != 0;
            final ParticipantSet participants = cursor.getParticipants();
            if (decided)
            {
                coordinator.replayCommitDecided(id, participants);
            }
            else
            {
                coordinator.replayStarted(id, participants);
            }
        }
        if (version >= FORMAT_VERSION)
        {
            for (int i = 0, count = cursor.getInt(); i < count; i++)
            {
                peerCommits.restore(cursor.getInt(), cursor.getId());
            }
        }
        if (cursor.remaining() != 0)
        {
            throw new IllegalArgumentException(cursor.remaining() + " bytes follow the snapshot's last section");
        }
        return incarnation;
    }
}
