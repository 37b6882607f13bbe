package io.multikernel.it;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.multikernel.schema.EnvelopeEncoder;
import io.multikernel.schema.GoodbyeDecoder;
import io.multikernel.schema.GoodbyeEncoder;
import io.multikernel.schema.HeartbeatDecoder;
import io.multikernel.schema.HelloDecoder;
import io.multikernel.schema.HelloEncoder;
import io.multikernel.schema.MessageHeaderDecoder;
import io.multikernel.schema.MessageHeaderEncoder;
import io.multikernel.schema.PingDecoder;
import io.multikernel.schema.PongDecoder;
import io.multikernel.schema.ShootdownAckDecoder;
import io.multikernel.schema.ShootdownRequestDecoder;
import io.multikernel.schema.SkbRowDecoder;
import io.multikernel.schema.TwoPhaseBatchDecoder;
import io.multikernel.transport.FrameAuthenticator;
import io.multikernel.transport.TransportConfiguration;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * An attacker on a cluster's host: it can reach a core's inbox (the host's Aeron directory, or the
 * core's UDP port) and watch the frames other cores send it, but does not hold the cluster secret.
 * It captures real frames to one core (a spy subscription on the inbox's IPC log, or on this host's
 * UDP publications to it), then sends each captured frame again as it was (a replay), without its
 * seal, with its envelope changed under the old tag, and re-sealed with a key of its own; and it
 * forges a Hello and a Goodbye claiming a much newer incarnation of a live core.
 * <p>
 * Arguments: {@code aeronDir targetCoreId udpEndpoint|- claimedCoreId captureTimeoutMs templates}, the
 * templates to capture before attacking as a comma list. Prints {@code SPYING}, then
 * {@code CAPTURED ids}, then {@code ATTACKED replayed=R forged=F} and exits.
 */
public final class FrameForger
{
    private static final int SEAL = FrameAuthenticator.SEAL_LENGTH_BYTES;
    private static String spied = "";
    private static final long OFFER_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    private FrameForger()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final String aeronDir = args[0];
        final int target = Integer.parseInt(args[1]);
        final String udp = "-".equals(args[2]) ? null : args[2];
        final int claimed = Integer.parseInt(args[3]);
        final long captureTimeoutMs = Long.parseLong(args[4]);
        final Set<Integer> wanted = new TreeSet<>();
        for (final String id : args[5].split(","))
        {
            wanted.add(Integer.parseInt(id));
        }
        final int streamId = TransportConfiguration.inboxStreamId(target);
        final String channel = null == udp ? "aeron:ipc" : "aeron:udp?endpoint=" + udp;
        final String spyChannel = null == udp ? "aeron:ipc" : "aeron-spy:" + channel;
        try (Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDir)))
        {
            final Map<Integer, byte[]> captured = capture(aeron, spyChannel, streamId, wanted, captureTimeoutMs);
            System.out.println("CAPTURED " + String.join(",", captured.keySet().stream().map(String::valueOf).toList()) +
                " (" + spied + ")");
            System.out.flush();
            try (Publication publication = aeron.addPublication(channel, streamId))
            {
                awaitConnected(publication);
                final FrameAuthenticator foreignKey = new FrameAuthenticator(randomKey(), 64 * 1024);
                int replayed = 0;
                int forged = 0;
                for (final byte[] frame : captured.values())
                {
                    final int length = frame.length;
                    // 1. The frame again, byte for byte.
                    send(publication, new UnsafeBuffer(frame.clone()), length);
                    replayed++;
                    // 2. Without its seal.
                    send(publication, new UnsafeBuffer(frame.clone()), length - SEAL);
                    forged++;
                    // 3. A much newer incarnation under the old tag.
                    final UnsafeBuffer tampered = new UnsafeBuffer(frame.clone());
                    final int incarnationAt = MessageHeaderDecoder.ENCODED_LENGTH + EnvelopeEncoder.sourceIncarnationEncodingOffset();
                    tampered.putLong(incarnationAt, tampered.getLong(incarnationAt, ByteOrder.LITTLE_ENDIAN) + 1_000_000_000_000L,
                        ByteOrder.LITTLE_ENDIAN);
                    send(publication, tampered, length);
                    forged++;
                    // 4. Sealed with another key and a sequence far ahead of the real sender's.
                    final UnsafeBuffer resealed = new UnsafeBuffer(frame.clone());
                    foreignKey.seal(resealed, 0, length - SEAL, Long.MAX_VALUE / 2);
                    send(publication, resealed, length);
                    forged++;
                }
                // Hello and Goodbye from a much newer incarnation of a live core: with no seal (zeros),
                // and sealed with the wrong key.
                final long newIncarnation = System.currentTimeMillis() * 1_000_000_000L;
                for (final boolean goodbye : new boolean[]{ false, true })
                {
                    final UnsafeBuffer forgery = new UnsafeBuffer(new byte[256]);
                    final int messages = goodbye ? goodbye(forgery, claimed, target, newIncarnation) :
                        hello(forgery, claimed, target, newIncarnation);
                    send(publication, forgery, messages + SEAL);
                    forged++;
                    foreignKey.seal(forgery, 0, messages, Long.MAX_VALUE / 2);
                    send(publication, forgery, messages + SEAL);
                    forged++;
                }
                System.out.println("ATTACKED replayed=" + replayed + " forged=" + forged);
                System.out.flush();
            }
        }
    }

    private static Map<Integer, byte[]> capture(
        final Aeron aeron, final String spyChannel, final int streamId, final Set<Integer> wanted, final long timeoutMs)
    {
        final Map<Integer, byte[]> captured = new TreeMap<>();
        final long[] frames = new long[1];
        final FragmentHandler handler = (buffer, offset, length, header) ->
        {
            frames[0]++;
            for (final int templateId : templates(buffer, offset, offset + length - SEAL))
            {
                if (wanted.contains(templateId) && !captured.containsKey(templateId))
                {
                    final byte[] frame = new byte[length];
                    buffer.getBytes(offset, frame);
                    captured.put(templateId, frame);
                }
            }
        };
        // The spy holds back the inbox's senders while it is open (IPC flow control counts it), so it
        // polls without pause and closes as soon as it has what it came for.
        final io.aeron.FragmentAssembler assembler = new io.aeron.FragmentAssembler(handler);
        try (Subscription spy = aeron.addSubscription(spyChannel, streamId))
        {
            System.out.println("SPYING");
            System.out.flush();
            final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            while (captured.size() < wanted.size() && System.nanoTime() - deadlineNs < 0)
            {
                if (0 == spy.poll(assembler, 64))
                {
                    Thread.onSpinWait();
                }
            }
            spied = "frames=" + frames[0] + " images=" + spy.imageCount();
        }
        return captured;
    }

    /**
     * @return the template ids of the messages a frame holds, as far as they can be walked.
     */
    private static List<Integer> templates(final DirectBuffer buffer, final int offset, final int end)
    {
        final List<Integer> templates = new ArrayList<>();
        final MessageHeaderDecoder header = new MessageHeaderDecoder();
        int position = offset;
        while (position + MessageHeaderDecoder.ENCODED_LENGTH < end)
        {
            header.wrap(buffer, position);
            final int templateId = header.templateId();
            templates.add(templateId);
            final int next;
            try
            {
                next = messageEnd(templateId, buffer, position + MessageHeaderDecoder.ENCODED_LENGTH,
                    header.blockLength(), header.version());
            }
            catch (final RuntimeException ex)
            {
                break;
            }
            if (next <= position)
            {
                break;
            }
            position = next;
        }
        return templates;
    }

    /**
     * @return where the message at {@code offset} ends, or -1 for a template the attacker cannot walk.
     */
    private static int messageEnd(
        final int templateId, final DirectBuffer buffer, final int offset, final int blockLength, final int version)
    {
        switch (templateId)
        {
            case HelloDecoder.TEMPLATE_ID: return new HelloDecoder().wrap(buffer, offset, blockLength, version).sbeSkip().limit();
            case HeartbeatDecoder.TEMPLATE_ID:
                return new HeartbeatDecoder().wrap(buffer, offset, blockLength, version).sbeSkip().limit();
            case PingDecoder.TEMPLATE_ID: return new PingDecoder().wrap(buffer, offset, blockLength, version).sbeSkip().limit();
            case PongDecoder.TEMPLATE_ID: return new PongDecoder().wrap(buffer, offset, blockLength, version).sbeSkip().limit();
            case GoodbyeDecoder.TEMPLATE_ID:
                return new GoodbyeDecoder().wrap(buffer, offset, blockLength, version).sbeSkip().limit();
            case TwoPhaseBatchDecoder.TEMPLATE_ID:
                return new TwoPhaseBatchDecoder().wrap(buffer, offset, blockLength, version).sbeSkip().limit();
            case SkbRowDecoder.TEMPLATE_ID: return new SkbRowDecoder().wrap(buffer, offset, blockLength, version).sbeSkip().limit();
            case ShootdownRequestDecoder.TEMPLATE_ID:
                return new ShootdownRequestDecoder().wrap(buffer, offset, blockLength, version).sbeSkip().limit();
            case ShootdownAckDecoder.TEMPLATE_ID:
                return new ShootdownAckDecoder().wrap(buffer, offset, blockLength, version).sbeSkip().limit();
            default: return -1;
        }
    }

    private static int hello(final UnsafeBuffer buffer, final int source, final int destination, final long incarnation)
    {
        final HelloEncoder hello = new HelloEncoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder());
        new EnvelopeEncoder().wrap(buffer, MessageHeaderEncoder.ENCODED_LENGTH)
            .sourceCoreId(source).destinationCoreId(destination).sourceIncarnation(incarnation).correlationId(1);
        hello.schemaVersion(HelloEncoder.SCHEMA_VERSION).hostId(0).timestampNs(System.nanoTime())
            .reply(io.multikernel.schema.BooleanType.FALSE);
        return hello.limit();
    }

    private static int goodbye(final UnsafeBuffer buffer, final int source, final int destination, final long incarnation)
    {
        final GoodbyeEncoder goodbye = new GoodbyeEncoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder());
        new EnvelopeEncoder().wrap(buffer, MessageHeaderEncoder.ENCODED_LENGTH)
            .sourceCoreId(source).destinationCoreId(destination).sourceIncarnation(incarnation).correlationId(1);
        goodbye.reason((short)0);
        return goodbye.limit();
    }

    private static byte[] randomKey()
    {
        final byte[] key = new byte[FrameAuthenticator.KEY_LENGTH_BYTES];
        new SecureRandom().nextBytes(key);
        return key;
    }

    private static void awaitConnected(final Publication publication) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + OFFER_TIMEOUT_NS;
        while (!publication.isConnected())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new IllegalStateException("the target's inbox never connected to " + publication.channel());
            }
            Thread.sleep(10);
        }
    }

    private static void send(final Publication publication, final UnsafeBuffer frame, final int length)
        throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + OFFER_TIMEOUT_NS;
        while (publication.offer(frame, 0, length) < 0)
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new IllegalStateException("could not send a forged frame to " + publication.channel());
            }
            Thread.sleep(1);
        }
        // Spaced out so the target's real senders interleave: the attack is not one burst.
        Thread.sleep(5);
    }
}
