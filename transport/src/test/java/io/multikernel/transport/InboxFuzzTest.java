package io.multikernel.transport;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.multikernel.common.PeerIncarnations;
import io.multikernel.common.RateLimitedErrorLog;
import io.multikernel.schema.BooleanType;
import io.multikernel.schema.EnvelopeEncoder;
import io.multikernel.schema.FrameReplyDecoder;
import io.multikernel.schema.FrameReplyEncoder;
import io.multikernel.schema.FrameRequestDecoder;
import io.multikernel.schema.FrameRequestEncoder;
import io.multikernel.schema.GoodbyeEncoder;
import io.multikernel.schema.HeartbeatEncoder;
import io.multikernel.schema.HelloEncoder;
import io.multikernel.schema.MessageHeaderEncoder;
import io.multikernel.schema.PingEncoder;
import io.multikernel.schema.PongEncoder;
import io.multikernel.schema.ShootdownAckDecoder;
import io.multikernel.schema.ShootdownAckEncoder;
import io.multikernel.schema.ShootdownRequestDecoder;
import io.multikernel.schema.ShootdownRequestEncoder;
import io.multikernel.schema.SkbRowDecoder;
import io.multikernel.schema.SkbRowEncoder;
import io.multikernel.schema.TwoPhaseBatchDecoder;
import io.multikernel.schema.TwoPhaseBatchEncoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.sbe.MessageDecoderFlyweight;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes the inbox of an authenticated cluster: {@value #FRAMES_DEFAULT} frames by default through
 * {@link InboxAdapter#onFragment}, the path of every inbound URPC frame. Each frame is built from
 * valid messages of every template in the schema (one to four back to back, from one of two peers),
 * mutated (bit flips, byte overwrites, a shorter or longer frame, messages swapped or repeated, the
 * sender, destination, incarnation, template id, block length, schema id or version changed), and then
 * <ul>
 *   <li>{@link FrameClass#STALE_SEAL}: sealed before the mutation, or with the seal cut off;</li>
 *   <li>{@link FrameClass#RESEALED}: sealed after it with the cluster's key and a fresh sequence, so
 *   every check behind the seal runs (one in ten is left unmutated, a control);</li>
 *   <li>{@link FrameClass#WRONG_KEY}: sealed after it with another key;</li>
 *   <li>{@link FrameClass#REPLAYED}: a frame whose seal the inbox accepted earlier, sent again.</li>
 * </ul>
 * A model of the seal checks (length, tag, sender, incarnation, sequence) predicts each verdict
 * before the messages are looked at. What must hold for every frame: nothing escapes {@code onFragment}
 * and no handler fails; a frame refused at its seal is counted under exactly the predicted reason, reaches
 * no handler and changes no incarnation; a frame whose seal is accepted dispatches some messages and then
 * is either done or counted under exactly one reason, every dispatched message is counted received and
 * reached its handler once, carrying the sealed sender and incarnation, and only that sender's incarnation
 * may change, to the one the seal vouched for. Controls are dispatched whole.
 * <p>
 * The inbox starts afresh (new incarnation table and sequence state) every {@value #EPOCH_FRAMES}
 * frames, so a wild incarnation does not make every later frame stale. Each failure names the seed, the
 * frame's number, class, mutations and bytes. Replay with {@code -Dfuzz.seed=N}; {@code -Dfuzz.frames=COUNT}
 * changes how many frames run.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class InboxFuzzTest
{
    static final int FRAMES_DEFAULT = 1_000_000;
    private static final int FRAMES = Integer.getInteger("fuzz.frames", FRAMES_DEFAULT);
    private static final int EPOCH_FRAMES = 4096;
    private static final byte[] KEY = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OTHER_KEY = "0123456789abcdeF".getBytes(StandardCharsets.US_ASCII);
    private static final int SELF = 1;
    private static final int[] PEERS = { 2, 3 };
    private static final int STRANGER = 9;
    private static final long INCARNATION = 1_000;
    private static final int MESSAGE_LENGTH_MAX = 512;
    private static final int SEAL = FrameAuthenticator.SEAL_LENGTH_BYTES;
    private static final int BATCH_MESSAGES_MAX = 4;
    private static final int MUTATIONS_MAX = 4;
    private static final int EXTENSION_MAX_BYTES = MESSAGE_LENGTH_MAX + 64;
    private static final int WORK_LENGTH_BYTES = 8192;
    private static final int DELIVERY_LENGTH_BYTES = 64 * 1024;
    private static final int REPLAY_SLOTS = 32;
    private static final int EVENTS_MAX = 64;
    private static final long NO_INCARNATION = Long.MIN_VALUE + 1;
    private static final RejectReason[] REASONS = RejectReason.values();

    private enum FrameClass
    {
        STALE_SEAL, RESEALED, WRONG_KEY, REPLAYED
    }

    /** In the order they are applied: structure, then header and envelope fields, then raw bytes. */
    private enum Mutation
    {
        SWAP_MESSAGES, DUPLICATE_MESSAGE,
        SENDER, DESTINATION, INCARNATION, TEMPLATE_ID, BLOCK_LENGTH, VERSION, SCHEMA_ID,
        FLIP_BIT, OVERWRITE_BYTE, TRUNCATE, EXTEND
    }

    private record Seed(int templateId, String name, byte[] bytes)
    {
    }

    private final UrpcMetrics metrics = new UrpcMetrics(new SimpleMeterRegistry());
    private final MessageDispatcher dispatcher = new MessageDispatcher(metrics);
    private final RateLimitedErrorLog log =
        new RateLimitedErrorLog(LoggerFactory.getLogger("fuzz"), new CachedNanoClock(), 1_000_000_000L);
    private final FrameAuthenticator sealer = new FrameAuthenticator(KEY, WORK_LENGTH_BYTES);
    private final FrameAuthenticator forger = new FrameAuthenticator(OTHER_KEY, WORK_LENGTH_BYTES);
    private final List<Seed> seeds = new ArrayList<>();
    private final int[] templateIds = new int[UrpcMetrics.TEMPLATE_ID_MAX + 1];
    private int templateCount;

    // The inbox under test and the model of its seal checks.
    private PeerIncarnations incarnations;
    private InboxAdapter adapter;
    private int incarnationChanges;
    private final long[] acceptedIncarnation = new long[STRANGER + 1];
    private final long[] acceptedSequence = new long[STRANGER + 1];
    private long nextSequence;

    // The frame being built.
    private final byte[] work = new byte[WORK_LENGTH_BYTES];
    private final UnsafeBuffer workBuffer = new UnsafeBuffer(work);
    private final byte[] original = new byte[WORK_LENGTH_BYTES];
    private int originalLength;
    private int length;
    private final int[] messageOffsets = new int[BATCH_MESSAGES_MAX * 2];
    private final int[] messageSeeds = new int[BATCH_MESSAGES_MAX * 2];
    private int messageCount;
    private final List<Mutation> applied = new ArrayList<>();
    private FrameClass frameClass;
    private boolean control;
    private final UnsafeBuffer delivery = new UnsafeBuffer(new byte[DELIVERY_LENGTH_BYTES]);
    private int deliveryOffset;

    // Frames whose seal the inbox accepted, for replay.
    private final byte[][] replays = new byte[REPLAY_SLOTS][WORK_LENGTH_BYTES];
    private final int[] replayLengths = new int[REPLAY_SLOTS];
    private int replayCount;

    // What the handlers saw during the current frame.
    private int events;
    private final int[] eventTemplate = new int[EVENTS_MAX];
    private final int[] eventSource = new int[EVENTS_MAX];
    private final long[] eventIncarnation = new long[EVENTS_MAX];
    private final int[] eventDestination = new int[EVENTS_MAX];
    private long checksum;

    private long seed;
    private int frame;

    @Test
    void everyFrameIsDispatchedOrRejectedAndNothingUnsealedOrReplayedReachesAHandler()
    {
        seed = Long.getLong("fuzz.seed", System.nanoTime());
        final Random random = new Random(seed);
        registerHandlers();
        buildSeeds();
        assertThat(seedTemplateIds()).as("a seed for every template of the schema").isEqualTo(schemaTemplateIds());

        final long[] classes = new long[FrameClass.values().length];
        final long[] rejected = new long[REASONS.length];
        final long[] mutationCounts = new long[Mutation.values().length];
        long dispatched = 0;
        long controls = 0;
        for (frame = 0; frame < FRAMES; frame++)
        {
            if (frame % EPOCH_FRAMES == 0)
            {
                newInbox();
            }
            buildFrame(random);
            classes[frameClass.ordinal()]++;
            controls += control ? 1 : 0;
            for (final Mutation mutation : applied)
            {
                mutationCounts[mutation.ordinal()]++;
            }
            final RejectReason predicted = predictSeal();
            deliverAndCheck(random, predicted);
            dispatched += events;
        }
        for (final RejectReason reason : REASONS)
        {
            rejected[reason.ordinal()] = metrics.rejectedCount(reason);
        }
        System.out.printf("InboxFuzzTest seed=%d frames=%d classes=%s controls=%d dispatched=%d rejected=%s " +
            "mutations=%s checksum=%d%n", seed, FRAMES, Arrays.toString(classes), controls, dispatched,
            Arrays.toString(rejected), Arrays.toString(mutationCounts), checksum);
        assertThat(dispatched).as("seed=%d: mutated frames still dispatch", seed).isGreaterThan(FRAMES / 20);
        for (final RejectReason reason : REASONS)
        {
            assertThat(rejected[reason.ordinal()]).as("seed=%d: some frames rejected %s", seed, reason).isPositive();
        }
    }

    private void newInbox()
    {
        incarnations = PeerIncarnations.of(PEERS);
        incarnations.addListener((core, oldValue, newValue) -> incarnationChanges++);
        adapter = new InboxAdapter(SELF, MESSAGE_LENGTH_MAX, dispatcher, incarnations, metrics, log,
            new FrameAuthenticator(KEY, MESSAGE_LENGTH_MAX + SEAL));
        Arrays.fill(acceptedIncarnation, Long.MIN_VALUE);
        Arrays.fill(acceptedSequence, 0);
        replayCount = 0;
        nextSequence = 1;
    }

    // ---------------------------------------------------------------------------------------------
    // Building frames
    // ---------------------------------------------------------------------------------------------

    private void buildFrame(final Random random)
    {
        applied.clear();
        control = false;
        final int roll = random.nextInt(100);
        if (roll < 15 && replayCount > 0)
        {
            frameClass = FrameClass.REPLAYED;
            final int slot = random.nextInt(Math.min(replayCount, REPLAY_SLOTS));
            length = replayLengths[slot];
            System.arraycopy(replays[slot], 0, work, 0, length);
            return;
        }
        frameClass = roll < 30 ? FrameClass.STALE_SEAL : roll < 45 ? FrameClass.WRONG_KEY : FrameClass.RESEALED;
        final int sender = PEERS[random.nextInt(PEERS.length)];
        final long incarnation = Long.MIN_VALUE == acceptedIncarnation[sender] ?
            INCARNATION : acceptedIncarnation[sender] + (random.nextInt(50) == 0 ? 1 : 0);
        final int messages = 1 + random.nextInt(BATCH_MESSAGES_MAX);
        messageCount = 0;
        for (int i = 0; i < messages; i++)
        {
            messageSeeds[messageCount++] = random.nextInt(seeds.size());
        }
        if (FrameClass.STALE_SEAL == frameClass)
        {
            assemble(sender, incarnation);
            sealer.seal(workBuffer, 0, length, nextSequence++);
            length += SEAL;
            System.arraycopy(work, 0, original, 0, length);
            originalLength = length;
            do
            {
                mutate(random, 1 + random.nextInt(MUTATIONS_MAX), random.nextInt(4) == 0);
            }
            while (length == originalLength && Arrays.equals(work, 0, length, original, 0, length));
            return;
        }
        control = FrameClass.RESEALED == frameClass && random.nextInt(10) == 0;
        final int mutations = control ? 0 : (FrameClass.WRONG_KEY == frameClass ? 0 : 1) + random.nextInt(MUTATIONS_MAX);
        structural(random, mutations);
        assemble(sender, incarnation);
        mutate(random, mutations, false);
        (FrameClass.WRONG_KEY == frameClass ? forger : sealer).seal(workBuffer, 0, length, nextSequence++);
        length += SEAL;
    }

    /** Swapping and repeating messages of a batch happen before it is laid out. */
    private void structural(final Random random, final int mutations)
    {
        for (int i = 0; i < mutations; i++)
        {
            if (random.nextInt(6) == 0 && messageCount > 1)
            {
                final int a = random.nextInt(messageCount);
                final int b = random.nextInt(messageCount);
                final int swapped = messageSeeds[a];
                messageSeeds[a] = messageSeeds[b];
                messageSeeds[b] = swapped;
                applied.add(Mutation.SWAP_MESSAGES);
            }
            else if (random.nextInt(6) == 0 && messageCount < messageSeeds.length)
            {
                messageSeeds[messageCount] = messageSeeds[random.nextInt(messageCount)];
                messageCount++;
                applied.add(Mutation.DUPLICATE_MESSAGE);
            }
        }
    }

    /** Lays the batch's messages out back to back, each from {@code sender} at {@code incarnation} to this core. */
    private void assemble(final int sender, final long incarnation)
    {
        length = 0;
        final EnvelopeEncoder envelope = new EnvelopeEncoder();
        for (int i = 0; i < messageCount; i++)
        {
            final byte[] bytes = seeds.get(messageSeeds[i]).bytes();
            messageOffsets[i] = length;
            System.arraycopy(bytes, 0, work, length, bytes.length);
            envelope.wrap(workBuffer, length + MessageHeaderEncoder.ENCODED_LENGTH)
                .sourceCoreId(sender).destinationCoreId(SELF).sourceIncarnation(incarnation).correlationId(frame);
            length += bytes.length;
        }
    }

    /**
     * Apply {@code count} mutations to the frame in {@link #work}, field mutations at the messages'
     * offsets before the byte mutations that may move them.
     *
     * @param stripSeal cut the seal off as well: a frame that was never sealed.
     */
    private void mutate(final Random random, final int count, final boolean stripSeal)
    {
        final Mutation[] all = Mutation.values();
        final List<Mutation> chosen = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            chosen.add(all[Mutation.SENDER.ordinal() + random.nextInt(all.length - Mutation.SENDER.ordinal())]);
        }
        chosen.sort(null);
        for (final Mutation mutation : chosen)
        {
            apply(random, mutation);
            applied.add(mutation);
        }
        if (stripSeal && length >= SEAL)
        {
            length -= SEAL;
            applied.add(Mutation.TRUNCATE);
        }
    }

    private void apply(final Random random, final Mutation mutation)
    {
        if (0 == length)
        {
            return;
        }
        final int message = messageOffsets[random.nextInt(messageCount)];
        final boolean inside = message + InboxAdapter.FRAME_LENGTH_MIN_BYTES <= length;
        switch (mutation)
        {
            case SENDER -> putIntIf(inside, message + 8, pickCore(random));
            case DESTINATION -> putIntIf(inside, message + 12, pickCore(random));
            case INCARNATION ->
            {
                if (inside)
                {
                    workBuffer.putLong(message + 16, pickIncarnation(random, workBuffer.getLong(message + 16)));
                }
            }
            case TEMPLATE_ID -> putShortIf(inside, message + 2, random.nextInt(3) == 0 ?
                random.nextInt(65536) : templateIds[random.nextInt(templateCount)] + random.nextInt(3) - 1);
            case BLOCK_LENGTH -> putShortIf(inside, message, pickBlockLength(random, workBuffer.getShort(message) & 0xFFFF));
            case VERSION -> putShortIf(inside, message + 6, random.nextInt(3) == 0 ? random.nextInt(65536) : random.nextInt(7));
            case SCHEMA_ID -> putShortIf(inside, message + 4, random.nextInt(65536));
            case FLIP_BIT ->
            {
                final int bit = random.nextInt(length * 8);
                work[bit / 8] ^= (byte)(1 << (bit % 8));
            }
            case OVERWRITE_BYTE -> work[random.nextInt(length)] = (byte)random.nextInt(256);
            case TRUNCATE -> length -= 1 + random.nextInt(Math.min(length, random.nextBoolean() ? 8 : 64));
            case EXTEND ->
            {
                final int more = 1 + random.nextInt(random.nextInt(8) == 0 ? EXTENSION_MAX_BYTES : 32);
                for (int i = 0; i < more; i++)
                {
                    work[length++] = (byte)random.nextInt(256);
                }
            }
            default -> throw new IllegalStateException("not a byte mutation: " + mutation);
        }
    }

    private void putIntIf(final boolean inside, final int offset, final int value)
    {
        if (inside)
        {
            workBuffer.putInt(offset, value);
        }
    }

    private void putShortIf(final boolean inside, final int offset, final int value)
    {
        if (inside)
        {
            workBuffer.putShort(offset, (short)value);
        }
    }

    private static int pickCore(final Random random)
    {
        switch (random.nextInt(8))
        {
            case 0: return SELF;
            case 1: return STRANGER;
            case 2: return -1;
            case 3: return Integer.MIN_VALUE;
            case 4: return random.nextInt();
            case 5: return PeerIncarnations.CORE_ID_MAX + 1;
            default: return PEERS[random.nextInt(PEERS.length)];
        }
    }

    private static long pickIncarnation(final Random random, final long current)
    {
        switch (random.nextInt(7))
        {
            case 0: return current - 1;
            case 1: return current + 1 + random.nextInt(1000);
            case 2: return Long.MAX_VALUE;
            case 3: return Long.MIN_VALUE;
            case 4: return 0;
            case 5: return random.nextLong();
            default: return current + 1;
        }
    }

    private static int pickBlockLength(final Random random, final int current)
    {
        switch (random.nextInt(6))
        {
            case 0: return current - 1 - random.nextInt(8);
            case 1: return current + 1 + random.nextInt(16);
            case 2: return 0;
            case 3: return 0xFFFF;
            case 4: return random.nextInt(65536);
            default: return random.nextInt(64);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // The model and the checks
    // ---------------------------------------------------------------------------------------------

    /**
     * The seal checks of {@link InboxAdapter}, from the bytes: updates the model when the seal is accepted.
     *
     * @return the reason the frame is refused before any message is looked at, or {@code null}.
     */
    private RejectReason predictSeal()
    {
        if (length > MESSAGE_LENGTH_MAX + SEAL)
        {
            return RejectReason.OVERSIZED;
        }
        if (length < InboxAdapter.FRAME_LENGTH_MIN_BYTES + SEAL)
        {
            return RejectReason.TRUNCATED;
        }
        if (FrameClass.STALE_SEAL == frameClass || FrameClass.WRONG_KEY == frameClass)
        {
            return RejectReason.UNAUTHENTICATED;
        }
        final int sender = workBuffer.getInt(8);
        if (sender != PEERS[0] && sender != PEERS[1])
        {
            return RejectReason.UNKNOWN_SENDER;
        }
        if (workBuffer.getInt(12) != SELF)
        {
            return RejectReason.WRONG_DESTINATION; // sealed for another core: moves nothing here
        }
        final long incarnation = workBuffer.getLong(16);
        final long sequence = workBuffer.getLong(length - SEAL);
        if (incarnation < acceptedIncarnation[sender])
        {
            return RejectReason.STALE_INCARNATION;
        }
        if (incarnation == acceptedIncarnation[sender] && sequence <= acceptedSequence[sender])
        {
            return RejectReason.REPLAYED;
        }
        if (FrameClass.REPLAYED == frameClass)
        {
            throw failure("the model accepted a replayed frame's seal");
        }
        acceptedIncarnation[sender] = incarnation;
        acceptedSequence[sender] = sequence;
        final int slot = replayCount++ % REPLAY_SLOTS;
        System.arraycopy(work, 0, replays[slot], 0, length);
        replayLengths[slot] = length;
        return null;
    }

    private void deliverAndCheck(final Random random, final RejectReason predicted)
    {
        // Half the frames end at the buffer's last byte, so any read past the frame fails loudly; the
        // others have old frames' bytes after them, which nothing may believe.
        deliveryOffset = random.nextBoolean() ? DELIVERY_LENGTH_BYTES - length :
            random.nextInt(DELIVERY_LENGTH_BYTES - length - EXTENSION_MAX_BYTES);
        delivery.putBytes(deliveryOffset, work, 0, length);
        final long[] before = snapshot();
        final long incarnationsBefore0 = incarnations.incarnation(PEERS[0]);
        final long incarnationsBefore1 = incarnations.incarnation(PEERS[1]);
        final int changesBefore = incarnationChanges;
        events = 0;
        try
        {
            adapter.onFragment(delivery, deliveryOffset, length, null);
        }
        catch (final Throwable ex)
        {
            throw failure("onFragment threw " + ex, ex);
        }
        final RuntimeException handlerFailure = adapter.takeHandlerFailure();
        if (null != handlerFailure)
        {
            throw failure("a handler threw " + handlerFailure, handlerFailure);
        }
        final long[] after = snapshot();
        final long received = after[REASONS.length] - before[REASONS.length];
        int rejectedTotal = 0;
        RejectReason rejectedReason = null;
        for (final RejectReason reason : REASONS)
        {
            final long delta = after[reason.ordinal()] - before[reason.ordinal()];
            rejectedTotal += (int)delta;
            if (delta > 0)
            {
                rejectedReason = reason;
            }
        }
        check(received == events, "counted received " + received + " but handlers saw " + events);
        check(incarnations.incarnation(STRANGER) == PeerIncarnations.UNKNOWN_INCARNATION &&
            incarnations.incarnation(SELF) == PeerIncarnations.UNKNOWN_INCARNATION, "a non-peer got an incarnation");
        if (null != predicted)
        {
            check(1 == rejectedTotal && predicted == rejectedReason,
                "expected exactly one rejection " + predicted + ", got " + rejectedTotal + " last " + rejectedReason);
            check(0 == events, "a frame refused at its seal reached a handler " + events + " times");
            check(incarnationsBefore0 == incarnations.incarnation(PEERS[0]) &&
                incarnationsBefore1 == incarnations.incarnation(PEERS[1]) && changesBefore == incarnationChanges,
                "a frame refused at its seal changed an incarnation");
            return;
        }
        checkAccepted(rejectedTotal, rejectedReason, incarnationsBefore0, incarnationsBefore1);
    }

    private void checkAccepted(
        final int rejectedTotal, final RejectReason rejectedReason, final long before0, final long before1)
    {
        final int sender = workBuffer.getInt(8);
        final long incarnation = workBuffer.getLong(16);
        check(rejectedTotal <= 1, "a frame was rejected " + rejectedTotal + " times");
        check(rejectedTotal + events >= 1, "a frame was neither dispatched nor rejected");
        check(null == rejectedReason || (RejectReason.UNAUTHENTICATED != rejectedReason &&
            RejectReason.REPLAYED != rejectedReason && RejectReason.OVERSIZED != rejectedReason),
            "a frame whose seal was accepted was rejected " + rejectedReason);
        check(events <= (length - SEAL) / InboxAdapter.FRAME_LENGTH_MIN_BYTES, events + " messages dispatched");
        for (int i = 0; i < Math.min(events, EVENTS_MAX); i++)
        {
            check(eventSource[i] == sender, "message " + i + " dispatched from " + eventSource[i] + ", sealed by " + sender);
            check(NO_INCARNATION == eventIncarnation[i] || eventIncarnation[i] == incarnation,
                "message " + i + " dispatched at incarnation " + eventIncarnation[i] + ", sealed at " + incarnation);
            check(-1 == eventDestination[i] || SELF == eventDestination[i], "message " + i + " dispatched for core " +
                eventDestination[i]);
        }
        final int other = sender == PEERS[0] ? PEERS[1] : PEERS[0];
        final long otherBefore = other == PEERS[0] ? before0 : before1;
        final long senderBefore = sender == PEERS[0] ? before0 : before1;
        final long senderAfter = incarnations.incarnation(sender);
        check(incarnations.incarnation(other) == otherBefore, "core " + other + "'s incarnation changed");
        check(senderAfter == senderBefore || (senderAfter == incarnation && incarnation > senderBefore),
            "core " + sender + "'s incarnation went from " + senderBefore + " to " + senderAfter);
        check(0 == events || senderAfter == incarnation, "dispatched, yet the sender's incarnation is " + senderAfter);
        if (control)
        {
            check(0 == rejectedTotal && events == messageCount, "a valid frame of " + messageCount +
                " messages dispatched " + events + " and was rejected " + rejectedReason);
            for (int i = 0; i < messageCount; i++)
            {
                check(eventTemplate[i] == seeds.get(messageSeeds[i]).templateId(), "message " + i + " went to " +
                    eventTemplate[i]);
            }
        }
    }

    private long[] snapshot()
    {
        final long[] counts = new long[REASONS.length + 1];
        for (final RejectReason reason : REASONS)
        {
            counts[reason.ordinal()] = metrics.rejectedCount(reason);
        }
        for (int i = 0; i < templateCount; i++)
        {
            counts[REASONS.length] += metrics.receivedCount(templateIds[i]);
        }
        return counts;
    }

    private void check(final boolean condition, final String what)
    {
        if (!condition)
        {
            throw failure(what);
        }
    }

    private AssertionError failure(final String what)
    {
        return failure(what, null);
    }

    private AssertionError failure(final String what, final Throwable cause)
    {
        return new AssertionError("seed=" + seed + " (replay with -Dfuzz.seed=" + seed + ") frame=" + frame +
            " class=" + frameClass + (control ? " (control)" : "") + " mutations=" + applied + " seeds=" +
            seedNames() + " length=" + length + ": " + what + "; frame " +
            HexFormat.of().formatHex(work, 0, Math.min(length, 160)), cause);
    }

    private String seedNames()
    {
        final StringBuilder names = new StringBuilder("[");
        for (int i = 0; FrameClass.REPLAYED != frameClass && i < messageCount; i++)
        {
            names.append(i > 0 ? ", " : "").append(seeds.get(messageSeeds[i]).name());
        }
        return names.append(']').toString();
    }

    // ---------------------------------------------------------------------------------------------
    // Handlers and seeds
    // ---------------------------------------------------------------------------------------------

    private void record(final int templateId, final int source, final long incarnation, final int destination)
    {
        if (events < EVENTS_MAX)
        {
            eventTemplate[events] = templateId;
            eventSource[events] = source;
            eventIncarnation[events] = incarnation;
            eventDestination[events] = destination;
        }
        events++;
    }

    /**
     * A handler like the node's: proves the message ends in the frame with {@code sbeSkip()}, then
     * reads every field, group and var data the way a service would.
     */
    private final class Recorder<D extends MessageDecoderFlyweight> extends DecodingHandler<D>
    {
        private final ToIntFunction<D> skip;
        private final Consumer<D> read;

        Recorder(final D decoder, final ToIntFunction<D> skip, final Consumer<D> read)
        {
            super(decoder);
            this.skip = skip;
            this.read = read;
        }

        protected int skipToEnd(final D decoder)
        {
            return skip.applyAsInt(decoder);
        }

        protected void onDecoded(final D decoder)
        {
            final DirectBuffer buffer = decoder.buffer();
            final int envelope = decoder.offset();
            record(decoder.sbeTemplateId(), buffer.getInt(envelope, FrameLayout.BYTE_ORDER),
                buffer.getLong(envelope + FrameLayout.INCARNATION_OFFSET, FrameLayout.BYTE_ORDER),
                buffer.getInt(envelope + 4, FrameLayout.BYTE_ORDER));
            read.accept(decoder);
        }
    }

    private void registerHandlers()
    {
        TransportHandlers.register(dispatcher, new UrpcHandler()
        {
            public void onHello(final int source, final long incarnation, final long correlationId,
                final int schemaVersion, final int hostId, final long timestampNs, final boolean reply)
            {
                record(HelloEncoder.TEMPLATE_ID, source, incarnation, -1);
            }

            public void onHeartbeat(final int source, final long incarnation, final long correlationId, final long ts)
            {
                record(HeartbeatEncoder.TEMPLATE_ID, source, incarnation, -1);
            }

            public void onPing(final int source, final long correlationId, final long ts,
                final DirectBuffer payload, final int offset, final int length)
            {
                checksum += payload.getByte(offset + length - 1);
                record(PingEncoder.TEMPLATE_ID, source, NO_INCARNATION, -1);
            }

            public void onPong(final int source, final long correlationId, final long ts,
                final DirectBuffer payload, final int offset, final int length)
            {
                checksum += payload.getByte(offset + length - 1);
                record(PongEncoder.TEMPLATE_ID, source, NO_INCARNATION, -1);
            }

            public void onGoodbye(final int source, final long incarnation, final short reason)
            {
                record(GoodbyeEncoder.TEMPLATE_ID, source, incarnation, -1);
            }
        });
        dispatcher.register("two_phase_batch", new Recorder<>(new TwoPhaseBatchDecoder(),
            decoder -> decoder.sbeSkip().limit(), this::readTwoPhaseBatch));
        dispatcher.register("skb_row", new Recorder<>(new SkbRowDecoder(), decoder -> decoder.sbeSkip().limit(),
            decoder ->
            {
                checksum += decoder.ownerCoreId() + decoder.ownerIncarnation() + decoder.sequence();
                for (final SkbRowDecoder.EntriesDecoder entry : decoder.entries())
                {
                    checksum += entry.coreId() + entry.rttNs();
                }
            }));
        dispatcher.register("shootdown_request", new Recorder<>(new ShootdownRequestDecoder(),
            decoder -> decoder.sbeSkip().limit(), this::readShootdownRequest));
        dispatcher.register("shootdown_ack", new Recorder<>(new ShootdownAckDecoder(),
            decoder -> decoder.sbeSkip().limit(), decoder -> checksum += decoder.roundId() + decoder.acknowledgedCores()));
        dispatcher.register("frame_request", new Recorder<>(new FrameRequestDecoder(),
            decoder -> decoder.sbeSkip().limit(), this::readFrameRequest));
        dispatcher.register("frame_reply", new Recorder<>(new FrameReplyDecoder(),
            decoder -> decoder.sbeSkip().limit(), decoder ->
            {
                final UnsafeBuffer data = new UnsafeBuffer(0, 0);
                checksum += decoder.outcome();
                decoder.wrapData(data);
                checksum += data.capacity() + decoder.message().length();
            }));
    }

    private void readTwoPhaseBatch(final TwoPhaseBatchDecoder decoder)
    {
        for (final TwoPhaseBatchDecoder.PreparesDecoder prepare : decoder.prepares())
        {
            checksum += prepare.coordinatorCoreId() + prepare.coordinatorIncarnation() + prepare.sequence();
            for (final TwoPhaseBatchDecoder.PreparesDecoder.ParticipantsDecoder core : prepare.participants())
            {
                checksum += core.coreId();
            }
            checksum += prepare.skipOperations();
        }
        for (final TwoPhaseBatchDecoder.VotesDecoder vote : decoder.votes())
        {
            checksum += vote.sequence() + vote.yesRaw() + vote.reason().length();
        }
        for (final TwoPhaseBatchDecoder.DecisionsDecoder decision : decoder.decisions())
        {
            checksum += decision.sequence() + decision.commitRaw() + decision.reason().length();
        }
        for (final TwoPhaseBatchDecoder.AcksDecoder ack : decoder.acks())
        {
            checksum += ack.sequence();
        }
        for (final TwoPhaseBatchDecoder.QueriesDecoder query : decoder.queries())
        {
            checksum += query.sequence();
        }
        for (final TwoPhaseBatchDecoder.StatusesDecoder status : decoder.statuses())
        {
            checksum += status.sequence() + status.status();
        }
    }

    private void readShootdownRequest(final ShootdownRequestDecoder decoder)
    {
        checksum += decoder.roundId() + decoder.initiatorCoreId();
        if (decoder.actingVersion() >= 4)
        {
            checksum += decoder.domainId() + decoder.firstPage() + decoder.pageCount();
        }
        for (final ShootdownRequestDecoder.ForwardToDecoder entry : decoder.forwardTo())
        {
            checksum += entry.coreId() + entry.subtreeSize();
        }
    }

    private void readFrameRequest(final FrameRequestDecoder decoder)
    {
        // As the node's FrameAdapter reads it: the raw flag, since the typed accessor throws on a byte that
        // is neither TRUE nor FALSE (this test found FrameAdapter stopping its core on one).
        final boolean write = BooleanType.TRUE.value() == decoder.writeRaw();
        final int holder = decoder.actingVersion() >= 4 ? decoder.holderCoreId() : decoder.envelope().sourceCoreId();
        final UnsafeBuffer data = new UnsafeBuffer(0, 0);
        decoder.wrapData(data);
        checksum += decoder.capId() + decoder.frameOffset() + decoder.readLength() + (write ? 1 : 0) + holder +
            data.capacity();
    }

    private void buildSeeds()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
        final MessageHeaderEncoder header = new MessageHeaderEncoder();
        final byte[] payload = "a payload of some length".getBytes(StandardCharsets.US_ASCII);
        seed("hello", buffer, new HelloEncoder().wrapAndApplyHeader(buffer, 0, header)
            .schemaVersion(HelloEncoder.SCHEMA_VERSION).hostId(4).timestampNs(123_456_789L).reply(BooleanType.TRUE).limit());
        seed("heartbeat", buffer, new HeartbeatEncoder().wrapAndApplyHeader(buffer, 0, header).timestampNs(42).limit());
        seed("ping", buffer, new PingEncoder().wrapAndApplyHeader(buffer, 0, header).timestampNs(7)
            .putPayload(payload, 0, payload.length).limit());
        seed("pong", buffer, new PongEncoder().wrapAndApplyHeader(buffer, 0, header).pingTimestampNs(7)
            .putPayload(payload, 0, 3).limit());
        seed("goodbye", buffer, new GoodbyeEncoder().wrapAndApplyHeader(buffer, 0, header).reason((short)1).limit());
        seed("two_phase_batch", buffer, twoPhaseBatch(buffer, header));
        final SkbRowEncoder row = new SkbRowEncoder().wrapAndApplyHeader(buffer, 0, header)
            .ownerCoreId(2).ownerIncarnation(INCARNATION).sequence(5);
        row.entriesCount(3).next().coreId(1).rttNs(2_000).next().coreId(2).rttNs(0).next().coreId(3).rttNs(-1);
        seed("skb_row", buffer, row.limit());
        final ShootdownRequestEncoder request = new ShootdownRequestEncoder().wrapAndApplyHeader(buffer, 0, header)
            .roundId(77).initiatorCoreId(2).domainId(5).firstPage(4096).pageCount(16);
        request.forwardToCount(2).next().coreId(1).subtreeSize(1).next().coreId(3).subtreeSize(0);
        seed("shootdown_request", buffer, request.limit());
        seed("shootdown_ack", buffer, new ShootdownAckEncoder().wrapAndApplyHeader(buffer, 0, header)
            .roundId(77).acknowledgedCores(2).limit());
        seed("frame_request", buffer, new FrameRequestEncoder().wrapAndApplyHeader(buffer, 0, header)
            .capId(0x1234).frameOffset(64).readLength(0).write(BooleanType.TRUE).holderCoreId(2)
            .putData(payload, 0, 8).limit());
        seed("frame_reply", buffer, new FrameReplyEncoder().wrapAndApplyHeader(buffer, 0, header)
            .outcome((short)0).putData(payload, 0, 16).message("").limit());
        for (final Seed seed : seeds)
        {
            if (null != dispatcher.handler(seed.templateId()) && Arrays.stream(templateIds, 0, templateCount)
                .noneMatch(id -> id == seed.templateId()))
            {
                templateIds[templateCount++] = seed.templateId();
            }
        }
    }

    private static int twoPhaseBatch(final UnsafeBuffer buffer, final MessageHeaderEncoder header)
    {
        final TwoPhaseBatchEncoder batch = new TwoPhaseBatchEncoder().wrapAndApplyHeader(buffer, 0, header);
        final TwoPhaseBatchEncoder.PreparesEncoder prepares = batch.preparesCount(1).next()
            .coordinatorCoreId(2).coordinatorIncarnation(INCARNATION).sequence(9);
        prepares.participantsCount(2).next().coreId(1).next().coreId(2);
        prepares.putOperations(new byte[]{ 1, 2, 3, 4 }, 0, 4);
        batch.votesCount(1).next().coordinatorCoreId(2).coordinatorIncarnation(INCARNATION).sequence(8)
            .yes(BooleanType.FALSE).reason("key 'x' is locked");
        batch.decisionsCount(1).next().coordinatorCoreId(2).coordinatorIncarnation(INCARNATION).sequence(7)
            .commit(BooleanType.TRUE).reason("");
        batch.acksCount(1).next().coordinatorCoreId(2).coordinatorIncarnation(INCARNATION).sequence(6);
        batch.queriesCount(1).next().coordinatorCoreId(1).coordinatorIncarnation(INCARNATION).sequence(5);
        batch.statusesCount(1).next().coordinatorCoreId(1).coordinatorIncarnation(INCARNATION).sequence(5)
            .status((short)1);
        return batch.limit();
    }

    private void seed(final String name, final UnsafeBuffer buffer, final int limit)
    {
        final byte[] bytes = new byte[limit];
        buffer.getBytes(0, bytes);
        seeds.add(new Seed(buffer.getShort(2) & 0xFFFF, name, bytes));
    }

    private TreeSet<Integer> seedTemplateIds()
    {
        final TreeSet<Integer> ids = new TreeSet<>();
        for (final Seed seed : seeds)
        {
            assertThat(dispatcher.handler(seed.templateId())).as("handler for %s", seed.name()).isNotNull();
            ids.add(seed.templateId());
        }
        return ids;
    }

    private static TreeSet<Integer> schemaTemplateIds()
    {
        final TreeSet<Integer> ids = new TreeSet<>();
        try (InputStream in = InboxFuzzTest.class.getResourceAsStream("/mk-schema.xml"))
        {
            assertThat(in).as("mk-schema.xml on the class path").isNotNull();
            final Matcher matcher = Pattern.compile("<sbe:message\\s+name=\"\\w+\"\\s+id=\"(\\d+)\"")
                .matcher(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            while (matcher.find())
            {
                ids.add(Integer.parseInt(matcher.group(1)));
            }
        }
        catch (final IOException ex)
        {
            throw new AssertionError("cannot read mk-schema.xml", ex);
        }
        return ids;
    }
}
