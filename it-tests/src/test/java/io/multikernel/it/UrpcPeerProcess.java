package io.multikernel.it;

import io.multikernel.transport.IdleStrategies;
import io.multikernel.transport.Media;
import io.multikernel.transport.PeerDescriptor;
import io.multikernel.transport.RejectReason;
import io.multikernel.transport.SendOutcome;
import io.multikernel.transport.TransportConfiguration;
import io.multikernel.transport.UrpcEndpoint;
import io.multikernel.transport.UrpcHandler;
import io.multikernel.transport.UrpcMediaDriver;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.IdleStrategy;

/**
 * One URPC endpoint in its own JVM, driven over stdin by a test.
 * <p>
 * Arguments: {@code coreId hostId IPC|UDP aeronDir embeddedDriver(true|false) selfUdp|- messagesPerPeer
 * peers} where peers is {@code id:host:udp|-,...}. Commands: {@code go} sends {@code messagesPerPeer}
 * sequence-numbered heartbeats to every peer and prints {@code DONE ...} once as many arrived from
 * each; {@code connected N} prints {@code CONNECTED N true|false}. Every 10 s it prints a
 * {@code PROGRESS} line (what it received, what its sends lost or rejected). Ends when stdin closes.
 */
public final class UrpcPeerProcess implements UrpcHandler
{
    private static final long NOT_CONNECTED_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);
    private static final int COMMAND_QUEUE_CAPACITY = 64;
    /** Messages to each peer sent between two reads of the inbox. */
    private static final int SEND_BURST_MESSAGES = 64;
    /** How often a peer still waiting for messages prints what it has, ns. */
    private static final long PROGRESS_INTERVAL_NS = TimeUnit.SECONDS.toNanos(10);
    /** The key every peer of the test seals its frames with. */
    private static final byte[] FRAME_KEY = "multi-process ky".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final long[] expectedNext;
    private final long[] received;
    private long errors;
    private String firstError;

    private UrpcPeerProcess(final int maxCoreId)
    {
        expectedNext = new long[maxCoreId + 1];
        received = new long[maxCoreId + 1];
    }

    public static void main(final String[] args) throws Exception
    {
        final int coreId = Integer.parseInt(args[0]);
        final int hostId = Integer.parseInt(args[1]);
        final Media sameHostMedia = Media.valueOf(args[2]);
        final String aeronDir = args[3];
        final boolean embedded = Boolean.parseBoolean(args[4]);
        final String selfUdp = "-".equals(args[5]) ? null : args[5];
        final long messagesPerPeer = Long.parseLong(args[6]);
        final List<PeerDescriptor> peers = new ArrayList<>();
        for (final String spec : args[7].split(","))
        {
            final String[] parts = spec.split(":", 3);
            peers.add(new PeerDescriptor(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]),
                "-".equals(parts[2]) ? null : parts[2]));
        }
        final int maxCoreId = peers.stream().mapToInt(PeerDescriptor::coreId).max().orElse(0);
        final UrpcPeerProcess self = new UrpcPeerProcess(maxCoreId);
        final BlockingQueue<String> commands = new ArrayBlockingQueue<>(COMMAND_QUEUE_CAPACITY);
        readCommands(commands);

        try (UrpcMediaDriver driver = embedded ? UrpcMediaDriver.launch(new UrpcMediaDriver.Context()
                .aeronDirectory(aeronDir).deleteDirectoryOnStart(true)) : null;
            UrpcEndpoint endpoint = UrpcEndpoint.launch(new UrpcEndpoint.Context()
                .aeronDirectory(aeronDir)
                .coreId(coreId)
                .hostId(hostId)
                .sameHostMedia(sameHostMedia)
                .udpBindEndpoint(selfUdp)
                .peers(peers)
                .frameKey(FRAME_KEY)
                .handler(self)))
        {
            System.out.println("READY " + coreId);
            System.out.flush();
            self.run(endpoint, peers, messagesPerPeer, commands);
        }
    }

    private void run(final UrpcEndpoint endpoint, final List<PeerDescriptor> peers, final long messagesPerPeer,
        final BlockingQueue<String> commands)
    {
        final IdleStrategy idle = IdleStrategies.of("backoff", TransportConfiguration.idleParkMaxNs());
        boolean reported = false;
        long nextProgressNs = System.nanoTime() + PROGRESS_INTERVAL_NS;
        while (true)
        {
            final String command = commands.poll();
            if (null != command)
            {
                if ("EOF".equals(command))
                {
                    return;
                }
                handle(command, endpoint, peers, messagesPerPeer);
            }
            final int work = endpoint.poll();
            if (!reported && messagesPerPeer > 0 && allReceived(peers, messagesPerPeer))
            {
                reported = true;
                report(peers);
            }
            // Also after DONE: a peer still waiting may be missing what this one sent, and this one's
            // send counters say whether it dropped anything.
            if (System.nanoTime() - nextProgressNs > 0)
            {
                nextProgressNs += PROGRESS_INTERVAL_NS;
                progress(endpoint, peers);
            }
            idle.idle(work);
        }
    }

    /**
     * What this endpoint received so far and every way a message could have gone missing, so that a
     * test that stalls says where: {@code PROGRESS from1=N ... connected1=true ... send_failed=... rejected=...}.
     */
    private void progress(final UrpcEndpoint endpoint, final List<PeerDescriptor> peers)
    {
        final StringBuilder sb = new StringBuilder("PROGRESS");
        for (final PeerDescriptor peer : peers)
        {
            sb.append(" from").append(peer.coreId()).append('=').append(received[peer.coreId()])
                .append(" connected").append(peer.coreId()).append('=').append(endpoint.isConnected(peer.coreId()));
        }
        sb.append(" errors=").append(errors);
        for (final SendOutcome outcome : SendOutcome.values())
        {
            final long failed = SendOutcome.SENT == outcome ? 0 : endpoint.metrics().sendFailureCount(outcome);
            if (failed > 0)
            {
                sb.append(" send_failed_").append(outcome.name().toLowerCase(java.util.Locale.ROOT)).append('=').append(failed);
            }
        }
        for (final RejectReason reason : RejectReason.values())
        {
            final long rejected = endpoint.metrics().rejectedCount(reason);
            if (rejected > 0)
            {
                sb.append(" rejected_").append(reason.name().toLowerCase(java.util.Locale.ROOT)).append('=').append(rejected);
            }
        }
        sb.append(" back_pressure=").append(endpoint.metrics().backPressureCount())
            .append(" aeron_reconnects=").append(endpoint.metrics().aeronReconnectCount())
            .append(" inbox_images_lost=").append(endpoint.metrics().inboxImagesLostCount())
            .append(" inbox_gap_bytes=").append(endpoint.metrics().inboxGapBytes());
        System.out.println(sb);
        System.out.flush();
    }

    private void handle(final String command, final UrpcEndpoint endpoint, final List<PeerDescriptor> peers,
        final long messagesPerPeer)
    {
        if ("go".equals(command))
        {
            sendAll(endpoint, peers, messagesPerPeer);
        }
        else if (command.startsWith("connected "))
        {
            final int peer = Integer.parseInt(command.substring("connected ".length()).trim());
            System.out.println("CONNECTED " + peer + " " + endpoint.isConnected(peer));
            System.out.flush();
        }
        else
        {
            System.out.println("UNKNOWN COMMAND " + command);
            System.out.flush();
        }
    }

    private void sendAll(final UrpcEndpoint endpoint, final List<PeerDescriptor> peers, final long messagesPerPeer)
    {
        for (long seq = 0; seq < messagesPerPeer; seq++)
        {
            if (0 == seq % SEND_BURST_MESSAGES)
            {
                // A core reads its inbox between bursts of sends (its duty cycle); one that never did
                // would leave its peers' streams unread and flow-control blocked for the whole run.
                endpoint.poll();
            }
            for (final PeerDescriptor peer : peers)
            {
                final long deadlineNs = System.nanoTime() + NOT_CONNECTED_TIMEOUT_NS;
                SendOutcome outcome;
                while (SendOutcome.SENT != (outcome = endpoint.publisher().sendHeartbeat(peer.coreId(), seq, seq)))
                {
                    if (SendOutcome.BACK_PRESSURED != outcome &&
                        (SendOutcome.NOT_CONNECTED != outcome || System.nanoTime() - deadlineNs > 0))
                    {
                        throw new IllegalStateException("send to core " + peer.coreId() + " failed: " + outcome);
                    }
                    endpoint.poll();
                }
            }
        }
        System.out.println("SENT " + messagesPerPeer);
        System.out.flush();
    }

    @Override
    public void onHeartbeat(final int sourceCoreId, final long incarnation, final long correlationId, final long ts)
    {
        if (correlationId != expectedNext[sourceCoreId] || ts != correlationId)
        {
            errors++;
            if (null == firstError)
            {
                firstError = "from " + sourceCoreId + " expected " + expectedNext[sourceCoreId] + " got " + correlationId;
            }
        }
        expectedNext[sourceCoreId] = correlationId + 1;
        received[sourceCoreId]++;
    }

    private boolean allReceived(final List<PeerDescriptor> peers, final long messagesPerPeer)
    {
        for (final PeerDescriptor peer : peers)
        {
            if (received[peer.coreId()] < messagesPerPeer)
            {
                return false;
            }
        }
        return true;
    }

    private void report(final List<PeerDescriptor> peers)
    {
        final StringBuilder sb = new StringBuilder("DONE errors=").append(errors);
        for (final PeerDescriptor peer : peers)
        {
            sb.append(" from").append(peer.coreId()).append('=').append(received[peer.coreId()]);
        }
        if (null != firstError)
        {
            sb.append(" first_error=").append(firstError.replace(' ', '_'));
        }
        System.out.println(sb);
        System.out.flush();
    }

    private static void readCommands(final BlockingQueue<String> commands)
    {
        final Thread reader = new Thread(() ->
        {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)))
            {
                String line;
                while (null != (line = in.readLine()))
                {
                    commands.put(line.trim());
                }
            }
            catch (final Exception ignore)
            {
                // Treated as end of input.
            }
            try
            {
                commands.put("EOF");
            }
            catch (final InterruptedException ignore)
            {
                Thread.currentThread().interrupt();
            }
        }, "stdin-commands");
        reader.setDaemon(true);
        reader.start();
    }
}
