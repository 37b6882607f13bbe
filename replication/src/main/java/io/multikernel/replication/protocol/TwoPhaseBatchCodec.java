package io.multikernel.replication.protocol;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.multikernel.replication.ParticipantSet;
import io.multikernel.replication.TransactionId;
import io.multikernel.schema.BooleanType;
import io.multikernel.schema.MessageHeaderDecoder;
import io.multikernel.schema.MessageHeaderEncoder;
import io.multikernel.schema.TwoPhaseBatchDecoder;
import io.multikernel.schema.TwoPhaseBatchEncoder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Encodes a {@link MessageBatch} as the SBE {@code TwoPhaseBatch} message (template id
 * {@value #TEMPLATE_ID}) and decodes it back. The URPC envelope carries the batch's source,
 * destination, source incarnation and batch sequence (as correlation id). Reuses its encoders and
 * decoders: one instance per thread.
 */
public final class TwoPhaseBatchCodec
{
    public static final int TEMPLATE_ID = TwoPhaseBatchEncoder.TEMPLATE_ID;
    public static final int SCHEMA_ID = TwoPhaseBatchEncoder.SCHEMA_ID;

    /** Bytes a batch takes before any entry: message header, envelope, six empty group headers. */
    public static final int BATCH_OVERHEAD_BYTES =
        MessageHeaderEncoder.ENCODED_LENGTH + TwoPhaseBatchEncoder.BLOCK_LENGTH + 6 * 4;

    private static final int ENTRY_ID_BYTES = 4 + 8 + 8;
    private static final int VAR_LENGTH_BYTES = 4;
    private static final int GROUP_HEADER_BYTES = 4;

    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final TwoPhaseBatchEncoder encoder = new TwoPhaseBatchEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final TwoPhaseBatchDecoder decoder = new TwoPhaseBatchDecoder();

    /**
     * @return the most bytes {@code message} adds to an encoded batch.
     */
    public static int encodedLengthUpperBound(final TwoPhaseMessage message)
    {
        if (message instanceof Prepare prepare)
        {
            return ENTRY_ID_BYTES + GROUP_HEADER_BYTES + 4 * prepare.participants().size() +
                VAR_LENGTH_BYTES + prepare.operations().length;
        }
        if (message instanceof Vote vote)
        {
            return ENTRY_ID_BYTES + 1 + VAR_LENGTH_BYTES + 3 * vote.reason().length();
        }
        if (message instanceof Decision decision)
        {
            return ENTRY_ID_BYTES + 1 + VAR_LENGTH_BYTES + 3 * decision.reason().length();
        }
        if (message instanceof StatusReply)
        {
            return ENTRY_ID_BYTES + 1;
        }
        return ENTRY_ID_BYTES;
    }

    /**
     * Encodes header and message at {@code offset}.
     *
     * @return bytes written.
     */
    public int encode(final MessageBatch batch, final MutableDirectBuffer buffer, final int offset)
    {
        encoder.wrapAndApplyHeader(buffer, offset, headerEncoder);
        encoder.envelope()
            .sourceCoreId(batch.sourceCoreId())
            .destinationCoreId(batch.destinationCoreId())
            .sourceIncarnation(batch.sourceIncarnation())
            .correlationId(batch.batchSequence());
        final int[] counts = new int[6];
        for (final TwoPhaseMessage message : batch.messages())
        {
            counts[message.kind()]++;
        }
        final List<TwoPhaseMessage> messages = batch.messages();
        int index = encodePrepares(messages, 0, counts[Prepare.KIND]);
        index = encodeVotes(messages, index, counts[Vote.KIND]);
        index = encodeDecisions(messages, index, counts[Decision.KIND]);
        final TwoPhaseBatchEncoder.AcksEncoder acks = encoder.acksCount(counts[Ack.KIND]);
        for (int i = 0; i < counts[Ack.KIND]; i++)
        {
            final TransactionId id = messages.get(index++).transactionId();
            acks.next().coordinatorCoreId(id.coordinatorCoreId())
                .coordinatorIncarnation(id.coordinatorIncarnation()).sequence(id.sequence());
        }
        final TwoPhaseBatchEncoder.QueriesEncoder queries = encoder.queriesCount(counts[Query.KIND]);
        for (int i = 0; i < counts[Query.KIND]; i++)
        {
            final TransactionId id = messages.get(index++).transactionId();
            queries.next().coordinatorCoreId(id.coordinatorCoreId())
                .coordinatorIncarnation(id.coordinatorIncarnation()).sequence(id.sequence());
        }
        final TwoPhaseBatchEncoder.StatusesEncoder statuses = encoder.statusesCount(counts[StatusReply.KIND]);
        for (int i = 0; i < counts[StatusReply.KIND]; i++)
        {
            final StatusReply reply = (StatusReply)messages.get(index++);
            final TransactionId id = reply.transactionId();
            statuses.next().coordinatorCoreId(id.coordinatorCoreId())
                .coordinatorIncarnation(id.coordinatorIncarnation()).sequence(id.sequence())
                .status((short)reply.status().code());
        }
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    private int encodePrepares(final List<TwoPhaseMessage> messages, final int from, final int count)
    {
        final TwoPhaseBatchEncoder.PreparesEncoder prepares = encoder.preparesCount(count);
        for (int i = from; i < from + count; i++)
        {
            final Prepare prepare = (Prepare)messages.get(i);
            final TransactionId id = prepare.transactionId();
            prepares.next().coordinatorCoreId(id.coordinatorCoreId())
                .coordinatorIncarnation(id.coordinatorIncarnation()).sequence(id.sequence());
            final ParticipantSet participants = prepare.participants();
            final TwoPhaseBatchEncoder.PreparesEncoder.ParticipantsEncoder cores =
                prepares.participantsCount(participants.size());
            for (int p = 0; p < participants.size(); p++)
            {
                cores.next().coreId(participants.coreId(p));
            }
            prepares.putOperations(prepare.operations(), 0, prepare.operations().length);
        }
        return from + count;
    }

    private int encodeVotes(final List<TwoPhaseMessage> messages, final int from, final int count)
    {
        final TwoPhaseBatchEncoder.VotesEncoder votes = encoder.votesCount(count);
        for (int i = from; i < from + count; i++)
        {
            final Vote vote = (Vote)messages.get(i);
            final TransactionId id = vote.transactionId();
            votes.next().coordinatorCoreId(id.coordinatorCoreId())
                .coordinatorIncarnation(id.coordinatorIncarnation()).sequence(id.sequence())
                .yes(vote.yes() ? BooleanType.TRUE : BooleanType.FALSE);
            final byte[] reason = vote.reason().getBytes(StandardCharsets.UTF_8);
            votes.putReason(reason, 0, reason.length);
        }
        return from + count;
    }

    private int encodeDecisions(final List<TwoPhaseMessage> messages, final int from, final int count)
    {
        final TwoPhaseBatchEncoder.DecisionsEncoder decisions = encoder.decisionsCount(count);
        for (int i = from; i < from + count; i++)
        {
            final Decision decision = (Decision)messages.get(i);
            final TransactionId id = decision.transactionId();
            decisions.next().coordinatorCoreId(id.coordinatorCoreId())
                .coordinatorIncarnation(id.coordinatorIncarnation()).sequence(id.sequence())
                .commit(decision.commit() ? BooleanType.TRUE : BooleanType.FALSE);
            final byte[] reason = decision.reason().getBytes(StandardCharsets.UTF_8);
            decisions.putReason(reason, 0, reason.length);
        }
        return from + count;
    }

    /**
     * Decodes a batch whose message header starts at {@code offset}.
     *
     * @throws MalformedMessageException with a sentence saying what is wrong.
     */
    public MessageBatch decode(final DirectBuffer buffer, final int offset, final int length)
        throws MalformedMessageException
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            throw new MalformedMessageException("TwoPhaseBatch frame of " + length + " bytes is shorter than its header");
        }
        headerDecoder.wrap(buffer, offset);
        if (headerDecoder.schemaId() != SCHEMA_ID || headerDecoder.templateId() != TEMPLATE_ID)
        {
            throw new MalformedMessageException("frame has schema id " + headerDecoder.schemaId() + " and template id " +
                headerDecoder.templateId() + ", not a TwoPhaseBatch (" + SCHEMA_ID + "/" + TEMPLATE_ID + ")");
        }
        try
        {
            return decodeBody(buffer, offset, length);
        }
        catch (final IndexOutOfBoundsException | IllegalArgumentException | IllegalStateException ex)
        {
            throw new MalformedMessageException("TwoPhaseBatch frame of " + length + " bytes is malformed: " +
                ex.getMessage(), ex);
        }
    }

    private MessageBatch decodeBody(final DirectBuffer buffer, final int offset, final int length)
        throws MalformedMessageException
    {
        decoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        checkBlockLength(1, headerDecoder.blockLength(), TwoPhaseBatchDecoder.BLOCK_LENGTH, "root block");
        final List<TwoPhaseMessage> messages = new ArrayList<>();
        final TwoPhaseBatchDecoder.PreparesDecoder prepares = decoder.prepares();
        checkBlockLength(prepares.count(), prepares.actingBlockLength(),
            TwoPhaseBatchDecoder.PreparesDecoder.sbeBlockLength(), "prepares");
        for (final TwoPhaseBatchDecoder.PreparesDecoder prepare : prepares)
        {
            final TransactionId id = new TransactionId(
                prepare.coordinatorCoreId(), prepare.coordinatorIncarnation(), prepare.sequence());
            final TwoPhaseBatchDecoder.PreparesDecoder.ParticipantsDecoder cores = prepare.participants();
            checkBlockLength(cores.count(), cores.actingBlockLength(),
                TwoPhaseBatchDecoder.PreparesDecoder.ParticipantsDecoder.sbeBlockLength(), "participants");
            final int[] coreIds = new int[cores.count()];
            for (int i = 0; i < coreIds.length; i++)
            {
                coreIds[i] = cores.next().coreId();
            }
            final byte[] operations = new byte[prepare.operationsLength()];
            prepare.getOperations(operations, 0, operations.length);
            messages.add(new Prepare(id, ParticipantSet.of(coreIds), operations));
        }
        final TwoPhaseBatchDecoder.VotesDecoder votes = decoder.votes();
        checkBlockLength(votes.count(), votes.actingBlockLength(),
            TwoPhaseBatchDecoder.VotesDecoder.sbeBlockLength(), "votes");
        for (final TwoPhaseBatchDecoder.VotesDecoder vote : votes)
        {
            final TransactionId id = new TransactionId(vote.coordinatorCoreId(), vote.coordinatorIncarnation(), vote.sequence());
            final boolean yes = toBoolean(vote.yes(), "vote");
            messages.add(new Vote(id, yes, vote.reason()));
        }
        final TwoPhaseBatchDecoder.DecisionsDecoder decisions = decoder.decisions();
        checkBlockLength(decisions.count(), decisions.actingBlockLength(),
            TwoPhaseBatchDecoder.DecisionsDecoder.sbeBlockLength(), "decisions");
        for (final TwoPhaseBatchDecoder.DecisionsDecoder decision : decisions)
        {
            final TransactionId id = new TransactionId(
                decision.coordinatorCoreId(), decision.coordinatorIncarnation(), decision.sequence());
            final boolean commit = toBoolean(decision.commit(), "decision");
            messages.add(new Decision(id, commit, decision.reason()));
        }
        decodeIdOnly(messages);
        if (decoder.limit() > offset + length)
        {
            throw new MalformedMessageException("TwoPhaseBatch runs " + (decoder.limit() - offset - length) +
                " bytes past the end of its " + length + "-byte frame");
        }
        return new MessageBatch(
            decoder.envelope().sourceCoreId(),
            decoder.envelope().sourceIncarnation(),
            decoder.envelope().destinationCoreId(),
            decoder.envelope().correlationId(),
            messages);
    }

    private void decodeIdOnly(final List<TwoPhaseMessage> messages) throws MalformedMessageException
    {
        final TwoPhaseBatchDecoder.AcksDecoder acks = decoder.acks();
        checkBlockLength(acks.count(), acks.actingBlockLength(),
            TwoPhaseBatchDecoder.AcksDecoder.sbeBlockLength(), "acks");
        for (final TwoPhaseBatchDecoder.AcksDecoder ack : acks)
        {
            messages.add(new Ack(new TransactionId(ack.coordinatorCoreId(), ack.coordinatorIncarnation(), ack.sequence())));
        }
        final TwoPhaseBatchDecoder.QueriesDecoder queries = decoder.queries();
        checkBlockLength(queries.count(), queries.actingBlockLength(),
            TwoPhaseBatchDecoder.QueriesDecoder.sbeBlockLength(), "queries");
        for (final TwoPhaseBatchDecoder.QueriesDecoder query : queries)
        {
            messages.add(new Query(
                new TransactionId(query.coordinatorCoreId(), query.coordinatorIncarnation(), query.sequence())));
        }
        final TwoPhaseBatchDecoder.StatusesDecoder statuses = decoder.statuses();
        checkBlockLength(statuses.count(), statuses.actingBlockLength(),
            TwoPhaseBatchDecoder.StatusesDecoder.sbeBlockLength(), "statuses");
        for (final TwoPhaseBatchDecoder.StatusesDecoder status : statuses)
        {
            final QueryStatus queryStatus = QueryStatus.fromCode(status.status());
            if (null == queryStatus)
            {
                throw new MalformedMessageException("TwoPhaseBatch status code " + status.status() + " is not known");
            }
            messages.add(new StatusReply(
                new TransactionId(status.coordinatorCoreId(), status.coordinatorIncarnation(), status.sequence()),
                queryStatus));
        }
    }

    /**
     * The decoders step over a group's entries by the block length on the wire but read each entry's
     * fields at their fixed offsets: an entry shorter than its fields would be decoded from the bytes
     * after it, the next groups' or those past the frame, and a group of 0-byte entries would turn a
     * few bytes into up to 65,535 messages. An empty group reads nothing, whatever its block length.
     */
    private static void checkBlockLength(final int count, final int actingBlockLength, final int blockLength,
        final String part) throws MalformedMessageException
    {
        if (count > 0 && actingBlockLength < blockLength)
        {
            throw new MalformedMessageException("TwoPhaseBatch " + part + " of " + actingBlockLength +
                " bytes cannot hold its " + blockLength + " bytes of fields");
        }
    }

    private static boolean toBoolean(final BooleanType value, final String field) throws MalformedMessageException
    {
        if (value == BooleanType.TRUE)
        {
            return true;
        }
        if (value == BooleanType.FALSE)
        {
            return false;
        }
        throw new MalformedMessageException("TwoPhaseBatch " + field + " flag is neither TRUE nor FALSE");
    }
}
