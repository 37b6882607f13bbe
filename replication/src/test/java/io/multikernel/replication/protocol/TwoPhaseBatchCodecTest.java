package io.multikernel.replication.protocol;

import java.util.ArrayList;
import java.util.List;

import io.multikernel.replication.ParticipantSet;
import io.multikernel.replication.TransactionId;
import io.multikernel.schema.MessageHeaderEncoder;
import io.multikernel.schema.PingEncoder;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TwoPhaseBatchCodecTest
{
    private final TwoPhaseBatchCodec codec = new TwoPhaseBatchCodec();
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);

    private MessageBatch roundTrip(final MessageBatch batch) throws MalformedMessageException
    {
        final int length = codec.encode(batch, buffer, 16);
        return codec.decode(buffer, 16, length);
    }

    @Test
    void everyMessageKindRoundTrips() throws MalformedMessageException
    {
        final TransactionId id = new TransactionId(3, 7, 42);
        final MessageBatch batch = new MessageBatch(3, 7, 1, 99, List.of(
            new StatusReply(id, QueryStatus.UNDECIDED),
            new Query(id),
            new Ack(id),
            new Decision(id, false, "core 2 voted no: key 'é' is locked"),
            new Decision(id, true, ""),
            new Vote(id, true, ""),
            new Vote(id, false, "no room"),
            new Prepare(id, ParticipantSet.of(1, 3, 2), new byte[]{1, 2, 3})));

        final MessageBatch decoded = roundTrip(batch);

        assertThat(decoded).isEqualTo(batch);
        assertThat(decoded.messages().get(0)).isInstanceOf(Prepare.class);
        assertThat(decoded.messages().get(decoded.messages().size() - 1)).isInstanceOf(StatusReply.class);
    }

    @Test
    void emptyBatchRoundTrips() throws MalformedMessageException
    {
        final MessageBatch batch = new MessageBatch(0, 1, 2, 3, List.of());
        assertThat(roundTrip(batch)).isEqualTo(batch);
    }

    @Test
    void truncatedFrameIsMalformed()
    {
        final MessageBatch batch = new MessageBatch(0, 1, 2, 3,
            List.of(new Prepare(new TransactionId(0, 1, 1), ParticipantSet.of(0, 2), new byte[100])));
        final int length = codec.encode(batch, buffer, 0);

        for (final int cut : new int[]{0, 4, 20, length / 2, length - 1})
        {
            assertThatThrownBy(() -> codec.decode(buffer, 0, cut)).as("cut at %d", cut)
                .isInstanceOf(MalformedMessageException.class);
        }
    }

    @Test
    void anotherTemplateIsMalformed()
    {
        final PingEncoder ping = new PingEncoder();
        ping.wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder()).timestampNs(1).putPayload(new byte[0], 0, 0);
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + ping.encodedLength();

        assertThatThrownBy(() -> codec.decode(buffer, 0, length)).isInstanceOf(MalformedMessageException.class)
            .hasMessageContaining("not a TwoPhaseBatch");
    }

    @Test
    void unknownStatusCodeIsMalformed() throws MalformedMessageException
    {
        final TransactionId id = new TransactionId(0, 1, 1);
        final int length = codec.encode(new MessageBatch(0, 1, 2, 3, List.of(new StatusReply(id, QueryStatus.UNKNOWN))),
            buffer, 0);
        buffer.putByte(length - 1, (byte)77);

        assertThatThrownBy(() -> codec.decode(buffer, 0, length)).isInstanceOf(MalformedMessageException.class)
            .hasMessageContaining("status code 77");
    }

    /**
     * Found by TwoPhaseBatchCodecFuzzTest: entries are stepped over by the block length on the wire but
     * their fields read at fixed offsets, so a group of 0-byte entries decoded thousands of messages
     * from the bytes after it.
     */
    @Test
    void aGroupWhoseEntriesCannotHoldTheirFieldsIsMalformed()
    {
        final TransactionId id = new TransactionId(0, 1, 1);
        final int length = codec.encode(new MessageBatch(0, 1, 2, 3, List.of(new Query(id))), buffer, 0);
        // The queries group header, 4 bytes before its only 20-byte entry, then the empty statuses group.
        final int queries = length - 4 - 20 - 4;
        assertThat(buffer.getShort(queries) & 0xFFFF).isEqualTo(20);
        buffer.putShort(queries, (short)0);
        buffer.putShort(queries + 2, (short)5000);

        assertThatThrownBy(() -> codec.decode(buffer, 0, length)).isInstanceOf(MalformedMessageException.class)
            .hasMessageContaining("queries of 0 bytes cannot hold its 20 bytes of fields");

        codec.encode(new MessageBatch(0, 1, 2, 3, List.of()), buffer, 0);
        buffer.putShort(TwoPhaseBatchCodec.BATCH_OVERHEAD_BYTES - 4, (short)0);
        assertThatCode(() -> codec.decode(buffer, 0, TwoPhaseBatchCodec.BATCH_OVERHEAD_BYTES))
            .as("an empty group reads nothing, whatever its block length").doesNotThrowAnyException();
    }

    @Test
    void garbageNeverEscapesAsAnotherException()
    {
        final java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 2000; i++)
        {
            final byte[] bytes = new byte[random.nextInt(200)];
            random.nextBytes(bytes);
            if (bytes.length >= 8)
            {
                new UnsafeBuffer(bytes).putShort(2, (short)TwoPhaseBatchCodec.TEMPLATE_ID);
                new UnsafeBuffer(bytes).putShort(4, (short)TwoPhaseBatchCodec.SCHEMA_ID);
            }
            try
            {
                codec.decode(new UnsafeBuffer(bytes), 0, bytes.length);
            }
            catch (final MalformedMessageException expected)
            {
                // bad input is data
            }
        }
    }

    @Property(tries = 300)
    void randomBatchesRoundTripAndFitTheirBound(@ForAll("batches") final MessageBatch batch) throws MalformedMessageException
    {
        final int length = codec.encode(batch, buffer, 0);
        int bound = TwoPhaseBatchCodec.BATCH_OVERHEAD_BYTES;
        for (final TwoPhaseMessage message : batch.messages())
        {
            bound += TwoPhaseBatchCodec.encodedLengthUpperBound(message);
        }
        assertThat(length).isLessThanOrEqualTo(bound);
        assertThat(codec.decode(buffer, 0, length)).isEqualTo(batch);
    }

    @Provide
    Arbitrary<MessageBatch> batches()
    {
        final Arbitrary<TransactionId> ids = Combinators.combine(
            Arbitraries.integers().between(0, 64), Arbitraries.longs().between(1, 1L << 40),
            Arbitraries.longs().between(1, Long.MAX_VALUE)).as(TransactionId::new);
        final Arbitrary<String> reasons = Arbitraries.strings().ofMaxLength(250);
        final Arbitrary<TwoPhaseMessage> messages = Arbitraries.oneOf(
            Combinators.combine(ids, Arbitraries.integers().between(0, 64).set().ofMinSize(1).ofMaxSize(8),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(300))
                .as((id, cores, ops) -> new Prepare(id, ParticipantSet.of(cores.stream().mapToInt(Integer::intValue).toArray()), ops)),
            Combinators.combine(ids, Arbitraries.of(true, false), reasons).as(Vote::new),
            Combinators.combine(ids, Arbitraries.of(true, false), reasons).as(Decision::new),
            ids.map(Ack::new),
            ids.map(Query::new),
            Combinators.combine(ids, Arbitraries.of(QueryStatus.class)).as(StatusReply::new));
        return Combinators.combine(Arbitraries.integers().between(0, 64), Arbitraries.longs().between(1, 1000),
            Arbitraries.integers().between(0, 64), Arbitraries.longs().between(1, 1000),
            messages.list().ofMaxSize(20)).as((source, incarnation, destination, sequence, list) ->
                new MessageBatch(source, incarnation, destination, sequence, new ArrayList<>(list)));
    }
}
