package io.multikernel.node.lrpc;

import io.micrometer.core.instrument.FunctionCounter;
import io.multikernel.node.replication.KvPutCodec;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
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
 * Fuzzes how the kernel side takes a request off its channel: {@value #REQUESTS_DEFAULT} requests by
 * default, each a valid request of an operation the core serves (every code in {@link LrpcOperations},
 * its payload as the operation's documentation lays it out) mutated by bit flips, byte overwrites, a
 * shorter or longer body, a random operation code, correlation id, client slot or client token. Each is
 * written into the request ring as a misbehaving app could write the shared memory (an operation code
 * below 1 too, which {@link LrpcClient} cannot send; only -1, the ring's padding, is left out, as the
 * ring skips it before the server sees it) and taken off by {@link LrpcServer#doWork()}, the path of
 * every request in a core. One request per duty cycle, so each verdict is checked on its own.
 * <p>
 * A reference model predicts each verdict from the bytes, following the checks {@link LrpcRejectReason}
 * documents, and the server must agree: no exception escapes; an accepted request reaches its
 * operation's handler exactly once, with its slot, correlation id and payload, is counted in
 * {@code mk_lrpc_requests_total{op}} and answered; a rejected one reaches no handler, is counted under
 * exactly its reason and no other counter moves, and is answered (TOO_LARGE, UNKNOWN_OPERATION, with
 * its correlation id, on its client's reply ring) exactly when there is a client to answer. The handlers
 * are recorders: the services' own payload checks are tested with those services; what is fuzzed here
 * is the part every operation shares.
 * <p>
 * Each failure names the seed, the request's number, its mutations and bytes. Replay one with
 * {@code -Dlrpc.fuzz.seed=N}; {@code -Dlrpc.fuzz.requests=COUNT} changes how many requests run.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LrpcRequestFuzzTest
{
    static final int REQUESTS_DEFAULT = 1_000_000;
    private static final int REQUESTS = Integer.getInteger("lrpc.fuzz.requests", REQUESTS_DEFAULT);
    private static final int CLIENT_SLOTS = 4;
    private static final int ATTACHED_CLIENTS = 2;
    private static final int MESSAGE_LENGTH_MAX_BYTES = 1024;
    /** Longest body sent: well past the channel's limit, still inside the request ring's (an eighth of it). */
    private static final int BODY_LENGTH_MAX_BYTES = 2 * MESSAGE_LENGTH_MAX_BYTES + 64;
    private static final int MUTATIONS_MAX = 4;
    private static final int HEADER = LrpcRecordDescriptor.REQUEST_HEADER_LENGTH_BYTES;
    private static final int PADDING_TYPE = -1;
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private static final String[] MUTATION_NAMES = {
        "flip-bit", "overwrite-byte", "truncate", "extend", "operation", "correlation-id", "client-slot", "client-token",
        "header-byte" };

    private enum Verdict
    {
        ACCEPTED, MALFORMED, UNKNOWN_CLIENT_SLOT, TOO_LARGE, UNKNOWN_OPERATION, UNKNOWN_OPERATION_UNANSWERED
    }

    private final LrpcFixture fixture = new LrpcFixture(
        LrpcLayout.of(CLIENT_SLOTS, 64 * 1024, MESSAGE_LENGTH_MAX_BYTES, 16));
    private final int[] operations = operationCodes();
    private final boolean[] registered = new boolean[LrpcOperations.OPERATION_CODE_MAX + 1];
    private final long[] tokens = new long[CLIENT_SLOTS];
    private final int[] heldSlots = new int[ATTACHED_CLIENTS];
    private final OneToOneRingBuffer[] replyRings = new OneToOneRingBuffer[CLIENT_SLOTS];

    // What the recording handlers saw during the current request.
    private int invocations;
    private int invokedOperation;
    private int invokedSlot;
    private long invokedCorrelationId;
    private final byte[] invokedPayload = new byte[BODY_LENGTH_MAX_BYTES];
    private int invokedPayloadLength;

    // The replies read after the current request.
    private int readingSlot;
    private int replies;
    private int replySlot;
    private int replyType;
    private long replyCorrelationId;
    private int replyStatus;

    // The current request.
    private final byte[] body = new byte[BODY_LENGTH_MAX_BYTES];
    private final UnsafeBuffer bodyBuffer = new UnsafeBuffer(body);
    private int operation;
    private int length;
    private final int[] applied = new int[MUTATIONS_MAX];
    private int appliedCount;

    @AfterEach
    void close()
    {
        fixture.close();
    }

    @Test
    void everyMutatedRequestIsAcceptedOrRejectedWithItsReasonAndRejectedOnesChangeNothing()
    {
        final long seed = Long.getLong("lrpc.fuzz.seed", System.nanoTime());
        final Random random = new Random(seed);
        final byte[][] seeds = new byte[operations.length][];
        for (int i = 0; i < operations.length; i++)
        {
            seeds[i] = validPayload(operations[i]);
            fixture.server.register(operations[i], "fuzz-" + operations[i], this::record);
            registered[operations[i]] = true;
        }
        for (int i = 0; i < ATTACHED_CLIENTS; i++)
        {
            final LrpcClient client = fixture.attach(fixture.clientContext().clientToken(0x5EED_0000L + i));
            heldSlots[i] = client.slot();
        }
        for (int slot = 0; slot < CLIENT_SLOTS; slot++)
        {
            tokens[slot] = fixture.channel.slotOwnerToken(slot);
            replyRings[slot] = fixture.channel.replyRing(slot);
        }
        final RingBuffer requestRing = fixture.server.requestRing();
        final long[] rejected = new long[LrpcRejectReason.values().length];
        final long[] requests = new long[LrpcOperations.OPERATION_CODE_MAX + 1];
        final long[] verdicts = new long[Verdict.values().length];
        final MessageHandler replyReader = this::onReply;
        final long startNs = System.nanoTime();

        for (int n = 0; n < REQUESTS; n++)
        {
            build(random, seeds);
            final Verdict verdict = expectedVerdict();
            verdicts[verdict.ordinal()]++;
            final long correlationId = length >= HEADER ? bodyBuffer.getLong(LrpcRecordDescriptor.REQUEST_CORRELATION_ID_OFFSET) : 0;
            final int slot = length >= HEADER ? bodyBuffer.getInt(LrpcRecordDescriptor.REQUEST_CLIENT_SLOT_OFFSET) : -1;

            write(requestRing, seed, n);
            invocations = 0;
            replies = 0;
            int read = 0;
            try
            {
                // A record that did not fit before the ring's end follows padding there; one read stops at the end.
                for (int cycle = 0; cycle < 2 && 0 == read; cycle++)
                {
                    read = fixture.server.doWork();
                }
            }
            catch (final RuntimeException ex)
            {
                throw new AssertionError(describe(seed, n, verdict) + ": the server threw " + ex, ex);
            }
            for (int s = 0; s < CLIENT_SLOTS; s++)
            {
                readingSlot = s;
                replyRings[s].read(replyReader);
                replyRings[s].read(replyReader); // after padding at the ring's end, as above
            }
            check(1 == read, seed, n, verdict, "the server took " + read + " requests off the ring, not 1");

            switch (verdict)
            {
                case ACCEPTED -> requests[operation]++;
                case MALFORMED -> rejected[LrpcRejectReason.MALFORMED.ordinal()]++;
                case UNKNOWN_CLIENT_SLOT -> rejected[LrpcRejectReason.UNKNOWN_CLIENT_SLOT.ordinal()]++;
                case TOO_LARGE -> rejected[LrpcRejectReason.TOO_LARGE.ordinal()]++;
                default -> rejected[LrpcRejectReason.UNKNOWN_OPERATION.ordinal()]++;
            }
            for (final LrpcRejectReason reason : LrpcRejectReason.values())
            {
                final long count = fixture.server.rejectedCount(reason);
                check(count == rejected[reason.ordinal()], seed, n, verdict,
                    "rejected{" + reason.label() + "} is " + count + ", expected " + rejected[reason.ordinal()]);
            }

            if (Verdict.ACCEPTED == verdict)
            {
                check(1 == invocations && invokedOperation == operation, seed, n, verdict,
                    "handlers ran " + invocations + " times (last: operation " + invokedOperation + ")");
                check(fixture.server.requestCount(operation) == requests[operation], seed, n, verdict,
                    "requests{op=" + operation + "} is " + fixture.server.requestCount(operation) + ", expected " +
                        requests[operation]);
                check(invokedSlot == slot && invokedCorrelationId == correlationId, seed, n, verdict,
                    "the handler saw slot " + invokedSlot + " and correlation id " + invokedCorrelationId);
                check(invokedPayloadLength == length - HEADER &&
                    Arrays.equals(invokedPayload, 0, invokedPayloadLength, body, HEADER, length), seed, n, verdict,
                    "the handler saw another payload of " + invokedPayloadLength + " bytes");
            }
            else
            {
                check(0 == invocations, seed, n, verdict,
                    "a rejected request reached the handler of operation " + invokedOperation);
            }

            final int expectedStatus = expectedReplyStatus(verdict);
            if (expectedStatus < 0)
            {
                check(0 == replies, seed, n, verdict, replies + " replies to a request with nobody to answer");
            }
            else
            {
                check(1 == replies && replySlot == slot && replyType == operation &&
                    replyCorrelationId == correlationId && replyStatus == expectedStatus, seed, n, verdict,
                    replies + " replies; the last on slot " + replySlot + " of type " + replyType + ", correlation id " +
                        replyCorrelationId + ", status " + LrpcStatus.name(replyStatus) + "; expected status " +
                        LrpcStatus.name(expectedStatus));
            }
        }
        final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
        System.out.printf("LRPC request fuzz: seed %d, %d requests in %d ms: %s%n", seed, REQUESTS, elapsedMs,
            summary(verdicts));

        final String seedNote = "seed " + seed + " (replay with -Dlrpc.fuzz.seed=" + seed + "): " + summary(verdicts);
        double counted = 0;
        for (final FunctionCounter counter : fixture.registry.find("mk.lrpc.rejected").functionCounters())
        {
            counted += counter.count();
        }
        for (final FunctionCounter counter : fixture.registry.find("mk.lrpc.requests").functionCounters())
        {
            counted += counter.count();
        }
        assertThat(counted).as("every request counted once in the LRPC metrics; " + seedNote).isEqualTo((double)REQUESTS);
        for (final Verdict verdict : Verdict.values())
        {
            assertThat(verdicts[verdict.ordinal()]).as("requests " + verdict + "; " + seedNote)
                .isGreaterThanOrEqualTo(REQUESTS / 200);
        }
        for (final int code : operations)
        {
            assertThat(requests[code]).as("requests of operation " + code + " accepted; " + seedNote)
                .isGreaterThanOrEqualTo(REQUESTS / 400);
        }
    }

    /**
     * A valid request of a random operation, from the held slot of a random client with its token and
     * a new correlation id, then up to {@value #MUTATIONS_MAX} mutations (none for one request in ten).
     */
    private void build(final Random random, final byte[][] seeds)
    {
        final int pick = random.nextInt(operations.length);
        final int slot = heldSlots[random.nextInt(heldSlots.length)];
        operation = operations[pick];
        bodyBuffer.putInt(LrpcRecordDescriptor.REQUEST_CLIENT_SLOT_OFFSET, slot);
        bodyBuffer.putInt(LrpcRecordDescriptor.REQUEST_CLIENT_SLOT_OFFSET + 4, 0);
        bodyBuffer.putLong(LrpcRecordDescriptor.REQUEST_CLIENT_TOKEN_OFFSET, tokens[slot]);
        bodyBuffer.putLong(LrpcRecordDescriptor.REQUEST_CORRELATION_ID_OFFSET, 1 + random.nextInt(1 << 20));
        System.arraycopy(seeds[pick], 0, body, HEADER, seeds[pick].length);
        length = HEADER + seeds[pick].length;

        appliedCount = 0;
        final int mutations = 0 == random.nextInt(10) ? 0 : 1 + random.nextInt(MUTATIONS_MAX);
        for (int i = 0; i < mutations; i++)
        {
            final int mutation = random.nextInt(MUTATION_NAMES.length);
            applied[appliedCount++] = mutation;
            mutate(random, mutation);
        }
    }

    private void mutate(final Random random, final int mutation)
    {
        switch (mutation)
        {
            case 0 ->
            {
                if (length > 0)
                {
                    body[random.nextInt(length)] ^= (byte)(1 << random.nextInt(8));
                }
            }
            case 1 ->
            {
                if (length > 0)
                {
                    body[random.nextInt(length)] = (byte)random.nextInt(256);
                }
            }
            case 2 -> length = random.nextInt(length + 1);
            case 3 ->
            {
                // A few bytes more, or up to well past the channel's limit.
                final int more = random.nextBoolean() ? 1 + random.nextInt(64) : 1 + random.nextInt(BODY_LENGTH_MAX_BYTES);
                final int longer = Math.min(BODY_LENGTH_MAX_BYTES, length + more);
                for (int i = length; i < longer; i++)
                {
                    body[i] = (byte)random.nextInt(256);
                }
                length = longer;
            }
            case 4 -> operation = randomOperation(random);
            case 5 -> bodyBuffer.putLong(LrpcRecordDescriptor.REQUEST_CORRELATION_ID_OFFSET, random.nextLong());
            case 6 -> bodyBuffer.putInt(LrpcRecordDescriptor.REQUEST_CLIENT_SLOT_OFFSET, randomSlot(random));
            case 7 -> bodyBuffer.putLong(LrpcRecordDescriptor.REQUEST_CLIENT_TOKEN_OFFSET, randomToken(random));
            case 8 -> body[random.nextInt(HEADER)] = (byte)random.nextInt(256);
            default -> throw new IllegalStateException("no mutation " + mutation);
        }
    }

    private int randomOperation(final Random random)
    {
        final int kind = random.nextInt(10);
        int code;
        if (kind < 4)
        {
            code = operations[random.nextInt(operations.length)];
        }
        else if (kind < 6)
        {
            code = 1 + random.nextInt(LrpcOperations.OPERATION_CODE_MAX);
        }
        else if (kind < 8)
        {
            code = LrpcOperations.OPERATION_CODE_MAX + 1 + random.nextInt(Integer.MAX_VALUE - LrpcOperations.OPERATION_CODE_MAX);
        }
        else if (kind < 9)
        {
            code = -random.nextInt(Integer.MAX_VALUE) - (random.nextBoolean() ? 1 : 0);
        }
        else
        {
            code = random.nextInt();
        }
        return PADDING_TYPE == code ? 0 : code;
    }

    private int randomSlot(final Random random)
    {
        return switch (random.nextInt(4))
        {
            case 0 -> heldSlots[random.nextInt(heldSlots.length)];
            case 1 -> random.nextInt(CLIENT_SLOTS);
            case 2 -> random.nextBoolean() ? -1 : CLIENT_SLOTS;
            default -> random.nextInt();
        };
    }

    private long randomToken(final Random random)
    {
        return switch (random.nextInt(4))
        {
            case 0 -> 0;
            case 1 -> tokens[heldSlots[random.nextInt(heldSlots.length)]];
            case 2 -> tokens[heldSlots[random.nextInt(heldSlots.length)]] ^ (1L << random.nextInt(64));
            default -> random.nextLong();
        };
    }

    /**
     * Writes the body as an app writes the shared ring, then sets the record's type to the operation
     * code, whatever it is: {@link RingBuffer#tryClaim} refuses codes below 1, the memory does not.
     */
    private void write(final RingBuffer ring, final long seed, final int n)
    {
        final int index = ring.tryClaim(1, length);
        if (index <= 0)
        {
            throw new AssertionError("seed " + seed + ", request " + n + ": the request ring has no room (" + index +
                ") although the server reads it after every request");
        }
        final AtomicBuffer buffer = ring.buffer();
        buffer.putBytes(index, body, 0, length);
        buffer.putInt(RecordDescriptor.typeOffset(index - RecordDescriptor.HEADER_LENGTH), operation);
        ring.commit(index);
    }

    /** The reference model: the checks {@link LrpcRejectReason} documents, in the order the server makes them. */
    private Verdict expectedVerdict()
    {
        if (length < HEADER)
        {
            return Verdict.MALFORMED;
        }
        final int slot = bodyBuffer.getInt(LrpcRecordDescriptor.REQUEST_CLIENT_SLOT_OFFSET);
        final long token = bodyBuffer.getLong(LrpcRecordDescriptor.REQUEST_CLIENT_TOKEN_OFFSET);
        if (slot < 0 || slot >= CLIENT_SLOTS || 0 == token || tokens[slot] != token)
        {
            return Verdict.UNKNOWN_CLIENT_SLOT;
        }
        if (operation < 1)
        {
            return Verdict.UNKNOWN_OPERATION_UNANSWERED;
        }
        if (length > MESSAGE_LENGTH_MAX_BYTES)
        {
            return Verdict.TOO_LARGE;
        }
        if (operation > LrpcOperations.OPERATION_CODE_MAX || !registered[operation])
        {
            return Verdict.UNKNOWN_OPERATION;
        }
        return Verdict.ACCEPTED;
    }

    private static int expectedReplyStatus(final Verdict verdict)
    {
        return switch (verdict)
        {
            case ACCEPTED -> LrpcStatus.OK;
            case TOO_LARGE -> LrpcStatus.TOO_LARGE;
            case UNKNOWN_OPERATION -> LrpcStatus.UNKNOWN_OPERATION;
            default -> -1;
        };
    }

    private void record(final LrpcServer server, final DirectBuffer payload, final int offset, final int payloadLength)
    {
        invocations++;
        invokedOperation = operation;
        invokedSlot = server.currentClientSlot();
        invokedCorrelationId = server.currentCorrelationId();
        invokedPayloadLength = payloadLength;
        payload.getBytes(offset, invokedPayload, 0, payloadLength);
        server.reply(payload, offset, 0);
    }

    private void onReply(final int type, final MutableDirectBuffer buffer, final int index, final int replyLength)
    {
        replies++;
        replySlot = readingSlot;
        replyType = type;
        replyCorrelationId = buffer.getLong(index + LrpcRecordDescriptor.REPLY_CORRELATION_ID_OFFSET);
        replyStatus = buffer.getInt(index + LrpcRecordDescriptor.REPLY_STATUS_OFFSET);
    }

    private void check(final boolean holds, final long seed, final int n, final Verdict verdict, final String what)
    {
        if (!holds)
        {
            throw new AssertionError(describe(seed, n, verdict) + ": " + what);
        }
    }

    private String describe(final long seed, final int n, final Verdict verdict)
    {
        final List<String> mutations = new ArrayList<>();
        for (int i = 0; i < appliedCount; i++)
        {
            mutations.add(MUTATION_NAMES[applied[i]]);
        }
        return "seed " + seed + " (replay with -Dlrpc.fuzz.seed=" + seed + "), request " + n + " " + mutations +
            ": operation " + operation + ", " + length + " bytes, expected " + verdict + ", first bytes " +
            HexFormat.of().formatHex(body, 0, Math.min(length, 48));
    }

    private static String summary(final long[] verdicts)
    {
        final StringBuilder text = new StringBuilder();
        for (final Verdict verdict : Verdict.values())
        {
            text.append(0 == text.length() ? "" : ", ").append(verdict).append(' ').append(verdicts[verdict.ordinal()]);
        }
        return text.toString();
    }

    /** @return every operation code {@link LrpcOperations} names, so a new operation is fuzzed without a change here. */
    private static int[] operationCodes()
    {
        final List<Integer> codes = new ArrayList<>();
        for (final Field field : LrpcOperations.class.getFields())
        {
            if (Modifier.isStatic(field.getModifiers()) && int.class == field.getType() &&
                !"OPERATION_CODE_MAX".equals(field.getName()))
            {
                try
                {
                    codes.add(field.getInt(null));
                }
                catch (final IllegalAccessException ex)
                {
                    throw new IllegalStateException(ex);
                }
            }
        }
        return codes.stream().mapToInt(Integer::intValue).sorted().toArray();
    }

    /**
     * @return a valid payload of the operation, laid out as {@link LrpcOperations},
     *         {@code CapabilityLrpc}, {@code VmLrpc} and {@link KvPutCodec} document it.
     */
    private static byte[] validPayload(final int operation)
    {
        final ByteBuffer payload = ByteBuffer.allocate(MESSAGE_LENGTH_MAX_BYTES - HEADER).order(ORDER);
        switch (operation)
        {
            case LrpcOperations.ECHO -> payload.put("hello core".getBytes(StandardCharsets.US_ASCII));
            case LrpcOperations.NAME_REGISTER -> payload.putInt(1).put("printer".getBytes(StandardCharsets.US_ASCII));
            case LrpcOperations.NAME_LOOKUP -> payload.put("printer".getBytes(StandardCharsets.US_ASCII));
            case LrpcOperations.KV_PUT ->
            {
                final UnsafeBuffer buffer = new UnsafeBuffer(payload);
                payload.position(KvPutCodec.encodeRequest(buffer, 0, new int[]{ 0, 1, 2 }, "colour", "blue"));
            }
            case LrpcOperations.CAPS_ALLOC -> payload.putLong(4096);
            case LrpcOperations.CAPS_RETYPE -> payload.putLong(7).putInt(1).putLong(0).putLong(4096).putInt(2);
            case LrpcOperations.CAPS_COPY -> payload.putLong(7).putInt(1);
            case LrpcOperations.CAPS_MINT -> payload.putLong(7).putInt(1).putInt(3);
            case LrpcOperations.CAPS_DELETE, LrpcOperations.CAPS_REVOKE, LrpcOperations.CAPS_IDENTIFY -> payload.putLong(7);
            case LrpcOperations.FRAME_READ -> payload.putLong(7).putLong(128).putInt(64);
            case LrpcOperations.FRAME_WRITE -> payload.putLong(7).putLong(128).put("frame bytes".getBytes(StandardCharsets.US_ASCII));
            case LrpcOperations.VM_CREATE -> payload.putLong(9).putInt(2).putInt(0).putInt(1);
            case LrpcOperations.VM_MAP -> payload.putLong(11).putLong(0x10000).putLong(7).putLong(0).putLong(4096).putInt(3);
            case LrpcOperations.VM_UNMAP -> payload.putLong(11).putLong(0x10000).putLong(4096).putInt(-1);
            case LrpcOperations.VM_PROTECT -> payload.putLong(11).putLong(0x10000).putLong(4096).putInt(1).putInt(-1);
            case LrpcOperations.VM_SPAN -> payload.putLong(11).putInt(1);
            case LrpcOperations.VM_SHRINK -> payload.putLong(11).putInt(1).putInt(-1);
            case LrpcOperations.VM_DESTROY -> payload.putLong(11).putInt(-1);
            case LrpcOperations.VM_LOAD -> payload.putLong(11).putLong(0x10000).putInt(8);
            case LrpcOperations.VM_STORE -> payload.putLong(11).putLong(0x10000).putLong(42);
            default -> throw new IllegalStateException("LRPC operation " + operation + " has no valid request here: " +
                "add one to validPayload so that the fuzz covers it");
        }
        return Arrays.copyOf(payload.array(), payload.position());
    }
}
