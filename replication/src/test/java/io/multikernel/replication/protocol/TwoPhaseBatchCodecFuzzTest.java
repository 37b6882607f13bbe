package io.multikernel.replication.protocol;

import io.multikernel.replication.ParticipantSet;
import io.multikernel.replication.TransactionId;
import io.multikernel.schema.TwoPhaseBatchDecoder;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes {@link TwoPhaseBatchCodec#decode}, the path of every inbound 2PC batch: {@value #BATCHES_DEFAULT}
 * batches by default, each a valid batch (every kind of 2PC message alone, several kinds together, an
 * empty batch) mutated by bit flips, byte overwrites, a shorter or longer frame, a header field (block
 * length, template id, schema id, version), a group's block length or count, a var-data length, a vote's
 * or decision's flag, a status code, a participant id, or bytes spliced from another batch.
 * <p>
 * The codec reports a malformed batch by throwing {@link MalformedMessageException}, and its only caller,
 * {@code ReplicationEngine.onMessage(DirectBuffer, int, int)}, catches it, reports
 * {@code MALFORMED_MESSAGE} and drops the frame; the codec builds the whole batch before it returns, so
 * the engine gets all of a batch or none of it. What must hold for every batch: nothing but
 * {@code MalformedMessageException} escapes, and the verdict and the messages are the ones a reference
 * decoder written from the schema gives: a batch is decoded exactly when the root block and every entry
 * of a non-empty group are at least as long as their fields, every group and var data ends inside the
 * frame, every flag is TRUE or FALSE, every status code known and every prepare names a valid participant set; the bytes after the
 * frame never matter (half the frames end at the buffer's last byte, the others have junk after them).
 * One batch in ten is left unmutated, a control that must decode to the batch encoded, which also shows
 * that a malformed batch left nothing behind in the reused codec.
 * <p>
 * Each failure names the seed, the batch's number, its mutations and bytes. Replay with
 * {@code -Dfuzz.seed=N}; {@code -Dfuzz.batches=COUNT} changes how many batches run.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TwoPhaseBatchCodecFuzzTest
{
    static final int BATCHES_DEFAULT = 1_000_000;
    private static final int BATCHES = Integer.getInteger("fuzz.batches", BATCHES_DEFAULT);
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final int HEADER_BYTES = 8;
    /** The schema's fixed fields: the root block (the envelope) and one entry of each group. */
    private static final int ROOT_BLOCK_BYTES = 24;
    private static final int ID_BYTES = 20;
    private static final int PARTICIPANT_BYTES = 4;
    private static final int FLAGGED_BYTES = 21;
    private static final int MUTATIONS_MAX = 4;
    private static final int EXTENSION_MAX_BYTES = 256;
    private static final int DELIVERY_LENGTH_BYTES = 64 * 1024;

    private enum Mutation
    {
        FLIP_BIT, OVERWRITE_BYTE, TRUNCATE, EXTEND, HEADER_FIELD, GROUP_BLOCK_LENGTH, GROUP_COUNT, VAR_LENGTH, FLAG,
        PARTICIPANT, SPLICE
    }

    /** Where the interesting fields of a valid batch are, found by the reference decoder. */
    private static final class Layout
    {
        final List<Integer> groupHeaders = new ArrayList<>();
        final List<Integer> varLengths = new ArrayList<>();
        final List<Integer> flags = new ArrayList<>();
        final List<Integer> participants = new ArrayList<>();
    }

    private record Seed(MessageBatch batch, byte[] bytes, Layout layout)
    {
    }

    /** The reference decoder's verdict: a batch, or why it is malformed. */
    private record Verdict(MessageBatch batch, String malformed)
    {
    }

    private final TwoPhaseBatchCodec codec = new TwoPhaseBatchCodec();
    private final List<Seed> seeds = new ArrayList<>();
    private final byte[] work = new byte[4096];
    private final UnsafeBuffer workBuffer = new UnsafeBuffer(work);
    private final UnsafeBuffer delivery = new UnsafeBuffer(new byte[DELIVERY_LENGTH_BYTES]);
    private final List<Mutation> applied = new ArrayList<>();
    private int length;
    private Seed current;
    private boolean control;
    private long seed;
    private int index;

    @Test
    void everyMutatedBatchIsDecodedAsTheSchemaSaysOrRejectedAsMalformed()
    {
        seed = Long.getLong("fuzz.seed", System.nanoTime());
        final Random random = new Random(seed);
        assertThat(new int[]{ TwoPhaseBatchDecoder.BLOCK_LENGTH, TwoPhaseBatchDecoder.PreparesDecoder.sbeBlockLength(),
            TwoPhaseBatchDecoder.PreparesDecoder.ParticipantsDecoder.sbeBlockLength(),
            TwoPhaseBatchDecoder.VotesDecoder.sbeBlockLength(), TwoPhaseBatchDecoder.DecisionsDecoder.sbeBlockLength(),
            TwoPhaseBatchDecoder.AcksDecoder.sbeBlockLength(), TwoPhaseBatchDecoder.QueriesDecoder.sbeBlockLength(),
            TwoPhaseBatchDecoder.StatusesDecoder.sbeBlockLength() })
            .as("the reference decoder's layout is the schema's")
            .containsExactly(ROOT_BLOCK_BYTES, ID_BYTES, PARTICIPANT_BYTES, FLAGGED_BYTES, FLAGGED_BYTES, ID_BYTES, ID_BYTES,
                FLAGGED_BYTES);
        buildSeeds();
        long decoded = 0;
        long malformed = 0;
        long controls = 0;
        final long[] kinds = new long[6];
        for (index = 0; index < BATCHES; index++)
        {
            current = seeds.get(random.nextInt(seeds.size()));
            length = current.bytes().length;
            System.arraycopy(current.bytes(), 0, work, 0, length);
            applied.clear();
            control = random.nextInt(10) == 0;
            if (!control)
            {
                mutate(random);
            }
            final MessageBatch batch = decodeAndCheck(random);
            if (null == batch)
            {
                malformed++;
                continue;
            }
            decoded++;
            controls += control ? 1 : 0;
            for (final TwoPhaseMessage message : batch.messages())
            {
                kinds[message.kind()]++;
            }
        }
        System.out.printf("TwoPhaseBatchCodecFuzzTest seed=%d batches=%d decoded=%d (controls %d) malformed=%d " +
            "messages by kind=%s%n", seed, BATCHES, decoded, controls, malformed, Arrays.toString(kinds));
        assertThat(decoded - controls).as("seed=%d: some mutated batches still decode", seed).isPositive();
        assertThat(malformed).as("seed=%d: some batches are malformed", seed).isPositive();
    }

    /**
     * @return the decoded batch, or {@code null} when the codec found it malformed, as the reference did.
     */
    private MessageBatch decodeAndCheck(final Random random)
    {
        // Half the batches end at the buffer's last byte, so any read past the frame fails loudly; the
        // others have junk after them, which must not change the verdict.
        final int offset = random.nextBoolean() ? DELIVERY_LENGTH_BYTES - length :
            random.nextInt(DELIVERY_LENGTH_BYTES - length - EXTENSION_MAX_BYTES);
        delivery.putBytes(offset, work, 0, length);
        if (offset + length < DELIVERY_LENGTH_BYTES)
        {
            for (int i = offset + length; i < Math.min(DELIVERY_LENGTH_BYTES, offset + length + 64); i++)
            {
                delivery.putByte(i, (byte)random.nextInt(256));
            }
        }
        final Verdict expected = reference(workBuffer, 0, length, null);
        MessageBatch batch = null;
        String malformed = null;
        try
        {
            batch = codec.decode(delivery, offset, length);
        }
        catch (final MalformedMessageException ex)
        {
            malformed = ex.getMessage();
            check(null != malformed && !malformed.isEmpty(), "malformed without a sentence saying why");
        }
        catch (final Throwable ex)
        {
            throw failure("decode threw " + ex, ex);
        }
        if (null == expected.batch())
        {
            check(null == batch, "decoded " + batch + ", but the reference finds it malformed: " + expected.malformed());
            return null;
        }
        check(null != batch, "malformed (" + malformed + "), but the reference decodes " + expected.batch());
        check(expected.batch().equals(batch), "decoded " + batch + ", the reference decodes " + expected.batch());
        check(!control || current.batch().equals(batch), "a valid batch decoded to " + batch);
        return batch;
    }

    // ---------------------------------------------------------------------------------------------
    // The reference decoder, written from the schema (mk-schema.xml, TwoPhaseBatch)
    // ---------------------------------------------------------------------------------------------

    private static final class Malformed extends Exception
    {
        private static final long serialVersionUID = 1L;

        Malformed(final String message)
        {
            super(message, null, false, false);
        }
    }

    /**
     * @param layout filled with where the groups, var data, flags and participants are; {@code null} to skip.
     */
    private static Verdict reference(final DirectBuffer buffer, final int offset, final int length, final Layout layout)
    {
        try
        {
            final Reader reader = new Reader(buffer, offset, length, layout);
            return new Verdict(reader.batch(), null);
        }
        catch (final Malformed ex)
        {
            return new Verdict(null, ex.getMessage());
        }
    }

    private static final class Reader
    {
        private final DirectBuffer buffer;
        private final int end;
        private final Layout layout;
        private int position;

        Reader(final DirectBuffer buffer, final int offset, final int length, final Layout layout)
        {
            this.buffer = buffer;
            this.end = offset + length;
            this.layout = layout;
            this.position = offset;
        }

        MessageBatch batch() throws Malformed
        {
            need(HEADER_BYTES, "header");
            final int blockLength = u16(position);
            if (u16(position + 2) != TwoPhaseBatchCodec.TEMPLATE_ID || u16(position + 4) != TwoPhaseBatchCodec.SCHEMA_ID)
            {
                throw new Malformed("not a TwoPhaseBatch");
            }
            position += HEADER_BYTES;
            fixed(blockLength, ROOT_BLOCK_BYTES, "root block");
            final int block = position;
            position += blockLength;
            final List<TwoPhaseMessage> messages = new ArrayList<>();
            prepares(messages);
            flagged(messages, "votes");
            flagged(messages, "decisions");
            idOnly(messages, "acks");
            idOnly(messages, "queries");
            idOnly(messages, "statuses");
            return new MessageBatch(buffer.getInt(block, ORDER), buffer.getLong(block + 8, ORDER),
                buffer.getInt(block + 4, ORDER), buffer.getLong(block + 16, ORDER), messages);
        }

        private void prepares(final List<TwoPhaseMessage> messages) throws Malformed
        {
            final int count = groupHeader(ID_BYTES, "prepares");
            final int blockLength = u16(position - 4);
            for (int i = 0; i < count; i++)
            {
                need(blockLength, "prepare");
                final TransactionId id = id(position);
                position += blockLength;
                final int cores = groupHeader(PARTICIPANT_BYTES, "participants");
                final int coreLength = u16(position - 4);
                final int[] coreIds = new int[cores];
                for (int p = 0; p < cores; p++)
                {
                    need(coreLength, "participant");
                    mark(null == layout ? null : layout.participants, position);
                    coreIds[p] = buffer.getInt(position, ORDER);
                    position += coreLength;
                }
                final byte[] operations = varData("operations");
                final ParticipantSet participants;
                try
                {
                    participants = ParticipantSet.of(coreIds);
                }
                catch (final IllegalArgumentException ex)
                {
                    throw new Malformed(ex.getMessage());
                }
                messages.add(new Prepare(id, participants, operations));
            }
        }

        private void flagged(final List<TwoPhaseMessage> messages, final String group) throws Malformed
        {
            final int count = groupHeader(FLAGGED_BYTES, group);
            final int blockLength = u16(position - 4);
            for (int i = 0; i < count; i++)
            {
                need(blockLength, group);
                final TransactionId id = id(position);
                mark(null == layout ? null : layout.flags, position + ID_BYTES);
                final int flag = buffer.getByte(position + ID_BYTES) & 0xFF;
                if (flag > 1)
                {
                    throw new Malformed(group + " flag " + flag);
                }
                position += blockLength;
                final String reason = new String(varData("reason"), StandardCharsets.UTF_8);
                messages.add("votes".equals(group) ? new Vote(id, 1 == flag, reason) : new Decision(id, 1 == flag, reason));
            }
        }

        private void idOnly(final List<TwoPhaseMessage> messages, final String group) throws Malformed
        {
            final boolean statuses = "statuses".equals(group);
            final int count = groupHeader(statuses ? FLAGGED_BYTES : ID_BYTES, group);
            final int blockLength = u16(position - 4);
            for (int i = 0; i < count; i++)
            {
                need(blockLength, group);
                final TransactionId id = id(position);
                if (statuses)
                {
                    mark(null == layout ? null : layout.flags, position + ID_BYTES);
                    final int code = buffer.getByte(position + ID_BYTES) & 0xFF;
                    if (code < 1 || code > 3)
                    {
                        throw new Malformed("status " + code);
                    }
                    messages.add(new StatusReply(id, QueryStatus.values()[code - 1]));
                }
                else
                {
                    messages.add("acks".equals(group) ? new Ack(id) : new Query(id));
                }
                position += blockLength;
            }
        }

        /** @return the group's count, with {@link #position} after its header. */
        private int groupHeader(final int fieldBytes, final String group) throws Malformed
        {
            need(4, group + " header");
            mark(null == layout ? null : layout.groupHeaders, position);
            final int count = u16(position + 2);
            if (count > 0)
            {
                // An empty group's block length describes no entry that is read.
                fixed(u16(position), fieldBytes, group);
            }
            position += 4;
            return count;
        }

        private byte[] varData(final String field) throws Malformed
        {
            need(2, field + " length");
            mark(null == layout ? null : layout.varLengths, position);
            final int dataLength = u16(position);
            position += 2;
            need(dataLength, field);
            final byte[] bytes = new byte[dataLength];
            buffer.getBytes(position, bytes);
            position += dataLength;
            return bytes;
        }

        private TransactionId id(final int at)
        {
            return new TransactionId(buffer.getInt(at, ORDER), buffer.getLong(at + 4, ORDER), buffer.getLong(at + 12, ORDER));
        }

        private void fixed(final int blockLength, final int fieldBytes, final String what) throws Malformed
        {
            if (blockLength < fieldBytes)
            {
                throw new Malformed(what + " block of " + blockLength + " bytes cannot hold its " + fieldBytes);
            }
        }

        private void need(final int bytes, final String what) throws Malformed
        {
            if (position + bytes > end)
            {
                throw new Malformed(what + " runs past the frame");
            }
        }

        private int u16(final int at)
        {
            return buffer.getShort(at, ORDER) & 0xFFFF;
        }

        private static void mark(final List<Integer> offsets, final int at)
        {
            if (null != offsets)
            {
                offsets.add(at);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Seeds and mutations
    // ---------------------------------------------------------------------------------------------

    private void buildSeeds()
    {
        final TransactionId id = new TransactionId(3, 7, 42);
        final TransactionId other = new TransactionId(1, 2, 3);
        final List<TwoPhaseMessage> kinds = List.of(
            new Prepare(id, ParticipantSet.of(1, 3, 2), new byte[]{ 1, 2, 3, 4, 5 }),
            new Vote(id, true, ""),
            new Vote(other, false, "core 2 voted no: key 'é' is locked"),
            new Decision(id, true, ""),
            new Decision(other, false, "aborted by the coordinator"),
            new Ack(id),
            new Query(other),
            new StatusReply(id, QueryStatus.IN_DOUBT),
            new StatusReply(other, QueryStatus.UNDECIDED));
        seed(List.of());
        for (final TwoPhaseMessage message : kinds)
        {
            seed(List.of(message));
        }
        seed(kinds);
        seed(List.of(kinds.get(0), new Prepare(other, ParticipantSet.of(0), new byte[0]), kinds.get(2), kinds.get(5),
            kinds.get(5), kinds.get(8)));
        seed(List.of(kinds.get(1), kinds.get(3), kinds.get(6), kinds.get(7)));
        final Random random = new Random(1);
        for (int i = 0; i < 8; i++)
        {
            final List<TwoPhaseMessage> some = new ArrayList<>();
            for (int m = 1 + random.nextInt(6); m > 0; m--)
            {
                some.add(kinds.get(random.nextInt(kinds.size())));
            }
            seed(some);
        }
    }

    private void seed(final List<TwoPhaseMessage> messages)
    {
        final MessageBatch batch = new MessageBatch(3, 7, 1, 99, messages);
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(512);
        final int encoded = codec.encode(batch, buffer, 0);
        final byte[] bytes = Arrays.copyOf(buffer.byteArray(), encoded);
        final Layout layout = new Layout();
        final Verdict verdict = reference(new UnsafeBuffer(bytes), 0, bytes.length, layout);
        assertThat(verdict.batch()).as("the reference decodes a valid batch").isEqualTo(batch);
        seeds.add(new Seed(batch, bytes, layout));
    }

    private void mutate(final Random random)
    {
        final Mutation[] all = Mutation.values();
        final int count = 1 + random.nextInt(MUTATIONS_MAX);
        final Mutation[] chosen = new Mutation[count];
        for (int i = 0; i < count; i++)
        {
            chosen[i] = all[random.nextInt(all.length)];
        }
        // Field mutations at the seed's offsets before byte mutations that may move or cut them.
        Arrays.sort(chosen, (a, b) -> Boolean.compare(isByteMutation(a), isByteMutation(b)));
        for (final Mutation mutation : chosen)
        {
            apply(random, mutation);
            applied.add(mutation);
        }
    }

    private static boolean isByteMutation(final Mutation mutation)
    {
        return Mutation.TRUNCATE == mutation || Mutation.EXTEND == mutation || Mutation.SPLICE == mutation;
    }

    private void apply(final Random random, final Mutation mutation)
    {
        final Layout layout = current.layout();
        switch (mutation)
        {
            case FLIP_BIT ->
            {
                final int bit = random.nextInt(length * 8);
                work[bit / 8] ^= (byte)(1 << (bit % 8));
            }
            case OVERWRITE_BYTE -> work[random.nextInt(length)] = (byte)random.nextInt(256);
            case TRUNCATE -> length -= Math.min(length - 1, 1 + random.nextInt(random.nextBoolean() ? 8 : 64));
            case EXTEND ->
            {
                for (int more = 1 + random.nextInt(random.nextInt(8) == 0 ? EXTENSION_MAX_BYTES : 16); more > 0; more--)
                {
                    work[length++] = (byte)random.nextInt(256);
                }
            }
            case HEADER_FIELD -> workBuffer.putShort(2 * random.nextInt(4), (short)pickU16(random,
                workBuffer.getShort(0, ORDER) & 0xFFFF), ORDER);
            case GROUP_BLOCK_LENGTH -> putU16At(random, layout.groupHeaders, 0);
            case GROUP_COUNT -> putU16At(random, layout.groupHeaders, 2);
            case VAR_LENGTH -> putU16At(random, layout.varLengths, 0);
            case FLAG ->
            {
                if (!layout.flags.isEmpty())
                {
                    work[layout.flags.get(random.nextInt(layout.flags.size()))] =
                        (byte)(random.nextBoolean() ? random.nextInt(5) : random.nextInt(256));
                }
            }
            case PARTICIPANT ->
            {
                if (!layout.participants.isEmpty())
                {
                    final int at = layout.participants.get(random.nextInt(layout.participants.size()));
                    workBuffer.putInt(at, random.nextBoolean() ? workBuffer.getInt(layout.participants.get(0), ORDER) :
                        random.nextInt(3) == 0 ? -1 - random.nextInt(5) : random.nextInt(8), ORDER);
                }
            }
            case SPLICE ->
            {
                final byte[] donor = seeds.get(random.nextInt(seeds.size())).bytes();
                final int from = random.nextInt(donor.length);
                final int to = random.nextInt(length);
                final int bytes = Math.min(1 + random.nextInt(32), donor.length - from);
                System.arraycopy(donor, from, work, to, bytes);
                length = Math.max(length, to + bytes);
            }
            default -> throw new IllegalStateException("unknown mutation " + mutation);
        }
    }

    /** Overwrites the u16 at {@code delta} past one of {@code offsets}, if the seed has any and it is still in the frame. */
    private void putU16At(final Random random, final List<Integer> offsets, final int delta)
    {
        if (offsets.isEmpty())
        {
            return;
        }
        final int at = offsets.get(random.nextInt(offsets.size())) + delta;
        if (at + 2 <= length)
        {
            workBuffer.putShort(at, (short)pickU16(random, workBuffer.getShort(at, ORDER) & 0xFFFF), ORDER);
        }
    }

    private static int pickU16(final Random random, final int current)
    {
        switch (random.nextInt(7))
        {
            case 0: return current - 1;
            case 1: return current + 1;
            case 2: return current + 2 + random.nextInt(16);
            case 3: return 0;
            case 4: return 0xFFFF;
            case 5: return random.nextInt(32);
            default: return random.nextInt(65536);
        }
    }

    private void check(final boolean condition, final String what)
    {
        if (!condition)
        {
            throw failure(what, null);
        }
    }

    private AssertionError failure(final String what, final Throwable cause)
    {
        return new AssertionError("seed=" + seed + " (replay with -Dfuzz.seed=" + seed + ") batch=" + index +
            (control ? " (control)" : "") + " mutations=" + applied + " seed batch=" + current.batch().messages() +
            " length=" + length + ": " + what + "; bytes " + HexFormat.of().formatHex(work, 0, Math.min(length, 200)),
            cause);
    }
}
