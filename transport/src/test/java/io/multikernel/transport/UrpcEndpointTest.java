package io.multikernel.transport;

import io.multikernel.schema.HeartbeatEncoder;
import io.multikernel.schema.MessageHeaderEncoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Two endpoints in one JVM over a real embedded media driver: sends, outcomes, per-sender FIFO,
 * fragmentation, and bad frames on the wire. The multi-process version lives in it-tests.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UrpcEndpointTest
{
    private static final int TERM_LENGTH = 64 * 1024;

    @TempDir
    Path tempDir;

    private UrpcMediaDriver driver;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final Recorder recorderA = new Recorder();
    private final Recorder recorderB = new Recorder();

    @BeforeEach
    void startDriver()
    {
        driver = UrpcMediaDriver.launch(new UrpcMediaDriver.Context()
            .aeronDirectory(tempDir.resolve("aeron").toString())
            .idleStrategy("yielding")
            .termLength(TERM_LENGTH)
            .deleteDirectoryOnStart(true));
    }

    @AfterEach
    void stop() throws Exception
    {
        for (int i = closeables.size() - 1; i >= 0; i--)
        {
            closeables.get(i).close();
        }
        driver.close();
    }

    @Test
    void pingPongOverIpc()
    {
        final UrpcEndpoint a = endpoint(1, 0, null, recorderA, List.of(new PeerDescriptor(2, 0, null)), Media.IPC);
        final UrpcEndpoint b = endpoint(2, 0, null, recorderB, List.of(new PeerDescriptor(1, 0, null)), Media.IPC);
        assertThat(a.mediaTo(2)).isEqualTo(Media.IPC);
        awaitConnected(a, b);
        pingPong(a, b);
    }

    @Test
    void scrapesSeeExactMessageCountsByTypeAfterEachPoll()
    {
        final io.micrometer.core.instrument.MeterRegistry registryA = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        final io.micrometer.core.instrument.MeterRegistry registryB = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        final UrpcEndpoint a = UrpcEndpoint.launch(new UrpcEndpoint.Context().aeronDirectory(driver.aeronDirectory())
            .coreId(1).peers(List.of(new PeerDescriptor(2, 0, null))).termLength(TERM_LENGTH).frameKey(FrameAuthenticationTest.KEY).meterRegistry(registryA)
            .handler(recorderA));
        closeables.add(a);
        final UrpcEndpoint b = UrpcEndpoint.launch(new UrpcEndpoint.Context().aeronDirectory(driver.aeronDirectory())
            .coreId(2).peers(List.of(new PeerDescriptor(1, 0, null))).termLength(TERM_LENGTH).frameKey(FrameAuthenticationTest.KEY).meterRegistry(registryB)
            .handler(recorderB));
        closeables.add(b);
        awaitConnected(a, b);
        final int count = 5000;
        int sent = 0;
        while (sent < count)
        {
            if (SendOutcome.SENT == a.publisher().sendHeartbeat(2, sent, sent))
            {
                sent++;
            }
            a.poll();
            b.poll();
        }
        await(() -> recorderB.heartbeats.size() == count, a, b);
        final int heartbeatLength = MessageHeaderEncoder.ENCODED_LENGTH + io.multikernel.schema.HeartbeatEncoder.BLOCK_LENGTH;
        assertThat(registryA.get("mk.urpc.messages.sent").tag("type", "heartbeat").functionCounter().count())
            .isEqualTo(count);
        assertThat(registryA.get("mk.urpc.sent").tag("type", "heartbeat").functionCounter().count())
            .isEqualTo((double)count * heartbeatLength);
        assertThat(registryB.get("mk.urpc.messages.received").tag("type", "heartbeat").functionCounter().count())
            .isEqualTo(count);
        assertThat(registryB.get("mk.urpc.received").tag("type", "heartbeat").functionCounter().count())
            .isEqualTo((double)count * heartbeatLength);
        assertThat(b.metrics().receivedCount(io.multikernel.schema.HeartbeatEncoder.TEMPLATE_ID)).isEqualTo(count);
    }

    @Test
    void pingPongOverUdpLoopback()
    {
        final String endpointA = "127.0.0.1:" + freePort();
        final String endpointB = "127.0.0.1:" + freePort();
        final UrpcEndpoint a = endpoint(1, 0, endpointA, recorderA, List.of(new PeerDescriptor(2, 1, endpointB)), Media.IPC);
        final UrpcEndpoint b = endpoint(2, 1, endpointB, recorderB, List.of(new PeerDescriptor(1, 0, endpointA)), Media.IPC);
        assertThat(a.mediaTo(2)).isEqualTo(Media.UDP);
        awaitConnected(a, b);
        pingPong(a, b);
    }

    @Test
    void aPeerWhoseHostNameDoesNotResolveIsLeftOutAndTheOthersAreReached()
    {
        final String endpointA = "127.0.0.1:" + freePort();
        final String endpointB = "127.0.0.1:" + freePort();
        // A stopped container's name, or a typo in the map: the endpoint used to fail to start.
        final UrpcEndpoint a = endpoint(1, 0, endpointA, recorderA, List.of(new PeerDescriptor(2, 1, endpointB),
            new PeerDescriptor(3, 2, "no-such-host.invalid:" + freePort())), Media.IPC);
        final UrpcEndpoint b = endpoint(2, 1, endpointB, recorderB, List.of(new PeerDescriptor(1, 0, endpointA)), Media.IPC);
        assertThat(a.isUnresolved(3)).isTrue();
        assertThat(a.isUnresolved(2)).isFalse();
        assertThat(a.isConnected(3)).isFalse();
        assertThat(a.publisher().sendHeartbeat(3, 1, 1)).isEqualTo(SendOutcome.UNKNOWN_DESTINATION);
        awaitConnected(a, b);
        pingPong(a, b);
        // Asked again on a later poll: still unresolved, still no failure.
        final long untilNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(UrpcEndpoint.UNRESOLVED_PEER_RETRY_INTERVAL_MS + 200);
        while (System.nanoTime() < untilNs)
        {
            a.poll();
        }
        assertThat(a.isUnresolved(3)).isTrue();
    }

    @Test
    void explicitMediaPerPeerOverridesTheHostRule()
    {
        final String endpointA = "127.0.0.1:" + freePort();
        final String endpointB = "127.0.0.1:" + freePort();
        final UrpcEndpoint a = endpoint(1, 0, endpointA, recorderA,
            List.of(new PeerDescriptor(2, 0, endpointB, Media.UDP)), Media.IPC);
        final UrpcEndpoint b = endpoint(2, 0, endpointB, recorderB,
            List.of(new PeerDescriptor(1, 0, endpointA, Media.UDP)), Media.IPC);
        assertThat(a.mediaTo(2)).isEqualTo(Media.UDP);
        awaitConnected(a, b);
        pingPong(a, b);
    }

    @Test
    void keepsPerSenderOrderAndLosesNothing()
    {
        final UrpcEndpoint a = endpoint(1, 0, null, recorderA, List.of(new PeerDescriptor(2, 0, null)), Media.IPC);
        final UrpcEndpoint b = endpoint(2, 0, null, recorderB, List.of(new PeerDescriptor(1, 0, null)), Media.IPC);
        awaitConnected(a, b);
        final int count = 20_000;
        int sent = 0;
        while (sent < count)
        {
            final SendOutcome outcome = a.publisher().sendHeartbeat(2, sent, sent);
            if (SendOutcome.SENT == outcome)
            {
                sent++;
            }
            else
            {
                assertThat(outcome).isEqualTo(SendOutcome.BACK_PRESSURED);
            }
            b.poll();
        }
        await(() -> recorderB.heartbeats.size() == count, a, b);
        for (int i = 0; i < count; i++)
        {
            assertThat(recorderB.heartbeats.get(i)).isEqualTo(i);
        }
    }

    @Test
    void aBatchGrowsPastItsFirstBufferUpToOneIpcFrameAndKeepsItsOrder()
    {
        final UrpcEndpoint a = endpoint(1, 0, null, recorderA, List.of(new PeerDescriptor(2, 0, null)), Media.IPC);
        final UrpcEndpoint b = endpoint(2, 0, null, recorderB, List.of(new PeerDescriptor(1, 0, null)), Media.IPC);
        awaitConnected(a, b);
        assertThat(TransportConfiguration.ipcMtu(TERM_LENGTH)).isEqualTo(8 * 1024);
        assertThat(TransportConfiguration.ipcMtu(4 * TERM_LENGTH)).isEqualTo(TransportConfiguration.IPC_MTU_MAX_BYTES);
        assertThat(TransportConfiguration.ipcMtu(16 * TERM_LENGTH)).isEqualTo(TransportConfiguration.IPC_MTU_MAX_BYTES);
        // 40-byte heartbeats: 25 fill the first 1 KiB buffer, 203 a whole 8 KiB IPC frame of this term.
        final int count = 300;
        for (int i = 0; i < count; i++)
        {
            assertThat(a.publisher().sendHeartbeat(2, i, i)).as("heartbeat %d", i).isEqualTo(SendOutcome.SENT);
        }
        assertThat(a.publisher().pendingBatches()).isEqualTo(1);
        assertThat(recorderB.heartbeats).isEmpty();
        b.poll();
        // The first frame left when the batch reached the frame's length, not the first buffer's.
        await(() -> recorderB.heartbeats.size() > 0, b);
        assertThat(recorderB.heartbeats).hasSize((TransportConfiguration.ipcMtu(TERM_LENGTH) - 32 -
            FrameAuthenticator.SEAL_LENGTH_BYTES) / 40);
        assertThat(a.flush()).isEqualTo(1);
        await(() -> recorderB.heartbeats.size() == count, b);
        for (int i = 0; i < count; i++)
        {
            assertThat(recorderB.heartbeats.get(i)).isEqualTo(i);
        }
    }

    @Test
    void batchesAreFlushedInOrderAndNeverOvertaken()
    {
        final UrpcEndpoint a = endpoint(1, 0, null, recorderA, List.of(new PeerDescriptor(2, 0, null)), Media.IPC);
        final UrpcEndpoint b = endpoint(2, 0, null, recorderB, List.of(new PeerDescriptor(1, 0, null)), Media.IPC);
        awaitConnected(a, b);
        assertThat(a.publisher().sendHeartbeat(2, 0, 0)).isEqualTo(SendOutcome.SENT);
        assertThat(a.publisher().sendHeartbeat(2, 1, 1)).isEqualTo(SendOutcome.SENT);
        assertThat(a.publisher().pendingBatches()).isEqualTo(1);
        // A message too big for a batch goes straight to the log, after the batch it must not overtake.
        // (An IPC frame is an eighth of this term, so a batch holds up to 8,136 bytes; this message is 8,148.)
        final UnsafeBuffer big = new UnsafeBuffer(new byte[TransportConfiguration.messageLengthLimit(TERM_LENGTH) - 64]);
        assertThat(a.publisher().sendPing(2, 2, 2, big, 0, big.capacity())).isEqualTo(SendOutcome.SENT);
        assertThat(a.publisher().pendingBatches()).isZero();
        assertThat(a.publisher().sendHeartbeat(2, 3, 3)).isEqualTo(SendOutcome.SENT);
        assertThat(a.flush()).isEqualTo(1);
        await(() -> recorderB.heartbeats.size() == 3 && recorderB.pingPayloads.size() == 1, b);
        assertThat(recorderB.heartbeats).containsExactly(0L, 1L, 3L);
        assertThat(recorderB.order).containsExactly("hb0", "hb1", "ping2", "hb3");
    }

    @Test
    void aThrowingHandlerSurfacesFromPollSoTheCoreStops()
    {
        final UrpcEndpoint a = endpoint(1, 0, null, recorderA, List.of(new PeerDescriptor(2, 0, null)), Media.IPC);
        final UrpcEndpoint b = endpoint(2, 0, null, new UrpcHandler()
        {
            public void onHeartbeat(final int source, final long incarnation, final long correlationId, final long ts)
            {
                throw new IllegalStateException("broken invariant in a handler");
            }
        }, List.of(new PeerDescriptor(1, 0, null)), Media.IPC);
        awaitConnected(a, b);
        assertThat(a.publisher().sendHeartbeat(2, 0, 0)).isEqualTo(SendOutcome.SENT);
        a.flush();
        // The subscriber's client may learn of the new image a conductor cycle after the publication
        // reports connected: poll until the handler throws, within a bound.
        final long deadlineNs = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        assertThatThrownBy(() ->
        {
            while (System.nanoTime() - deadlineNs < 0)
            {
                b.poll();
            }
        }).isInstanceOf(IllegalStateException.class).hasMessageContaining("broken invariant in a handler");
    }

    @Test
    void payloadLengthsOutsideTheFieldAreRefusedBeforeAnythingIsReserved()
    {
        final UrpcEndpoint a = endpoint(1, 0, null, recorderA, List.of(new PeerDescriptor(2, 0, null)), Media.IPC);
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[8]);
        assertThatThrownBy(() -> a.publisher().sendPing(2, 0, 0, payload, 0, -1))
            .hasMessageContaining("payloadLength=-1 is negative");
        assertThat(a.publisher().sendPing(2, 0, 0, payload, 0, 70_000)).isEqualTo(SendOutcome.TOO_LARGE);
        assertThatThrownBy(() -> a.publisher().begin(2, 3, 32, 10, 0)).hasMessageContaining("cannot hold header");
        // Nothing was left open: the publisher still works.
        assertThat(a.publisher().sendHeartbeat(2, 0, 0)).isNotEqualTo(null);
    }

    @Test
    void closeFlushesWhatIsStillBatched() throws Exception
    {
        final UrpcEndpoint a = endpoint(1, 0, null, recorderA, List.of(new PeerDescriptor(2, 0, null)), Media.IPC);
        final UrpcEndpoint b = endpoint(2, 0, null, recorderB, List.of(new PeerDescriptor(1, 0, null)), Media.IPC);
        awaitConnected(a, b);
        assertThat(a.publisher().sendHeartbeat(2, 7, 7)).isEqualTo(SendOutcome.SENT);
        assertThat(a.publisher().sendGoodbye(2, (short)1)).isEqualTo(SendOutcome.SENT);
        a.close();
        await(() -> recorderB.heartbeats.size() == 1 && recorderB.goodbyes == 1, b);
    }

    @Test
    void reportsEveryKindOfSendFailure()
    {
        final UrpcEndpoint a = endpoint(1, 0, null, recorderA,
            List.of(new PeerDescriptor(2, 0, null), new PeerDescriptor(3, 0, null)), Media.IPC);
        final UrpcEndpoint b = endpoint(2, 0, null, recorderB, List.of(new PeerDescriptor(1, 0, null)), Media.IPC);
        awaitConnected(a, b);

        assertThat(a.publisher().sendHeartbeat(9, 0, 0)).isEqualTo(SendOutcome.UNKNOWN_DESTINATION);
        assertThat(a.publisher().sendHeartbeat(3, 0, 0)).isEqualTo(SendOutcome.NOT_CONNECTED);
        final UnsafeBuffer big = new UnsafeBuffer(new byte[TERM_LENGTH]);
        assertThat(a.publisher().sendPing(2, 0, 0, big, 0, TERM_LENGTH / 8)).isEqualTo(SendOutcome.TOO_LARGE);

        // B never polls: A fills B's inbox until back pressure is reported, not hidden.
        SendOutcome outcome = SendOutcome.SENT;
        for (int i = 0; i < 100_000 && SendOutcome.SENT == outcome; i++)
        {
            outcome = a.publisher().sendPing(2, i, 0, big, 0, 1000);
        }
        assertThat(outcome).isEqualTo(SendOutcome.BACK_PRESSURED);
        assertThat(a.metrics().sendFailureCount(SendOutcome.BACK_PRESSURED)).isEqualTo(1);
        assertThat(a.metrics().sendFailureCount(SendOutcome.NOT_CONNECTED)).isEqualTo(1);
        assertThat(a.metrics().sendFailureCount(SendOutcome.UNKNOWN_DESTINATION)).isEqualTo(1);
        assertThat(a.metrics().sendFailureCount(SendOutcome.TOO_LARGE)).isEqualTo(1);
    }

    @Test
    void aBatchThatMetBackPressureArrivesWholeWhetherItGoesAgainAsSealedOrAMessageWasAbortedOverItsSeal()
    {
        final UrpcEndpoint a = endpoint(1, 0, null, recorderA, List.of(new PeerDescriptor(2, 0, null)), Media.IPC);
        final UrpcEndpoint b = endpoint(2, 0, null, recorderB, List.of(new PeerDescriptor(1, 0, null)), Media.IPC);
        awaitConnected(a, b);
        // Nothing joins the pending batch after its seal: it goes again as sealed once B makes room
        // (a's poll flushes it).
        final int sent = fillUntilBackPressured(a);
        await(() -> recorderB.pingPayloads.size() == sent, a, b);
        assertThat(a.publisher().pendingBatches()).isZero();

        // Again, and this time a heartbeat is begun in the pending batch, written over its seal, and aborted.
        final int more = fillUntilBackPressured(a);
        final int blockLength = HeartbeatEncoder.BLOCK_LENGTH;
        assertThat(a.publisher().begin(2, HeartbeatEncoder.TEMPLATE_ID, blockLength,
            MessageHeaderEncoder.ENCODED_LENGTH + blockLength, 99)).isEqualTo(SendOutcome.SENT);
        a.publisher().buffer().setMemory(a.publisher().blockOffset(), blockLength, (byte)0x5a);
        a.publisher().abort();
        await(() -> recorderB.pingPayloads.size() == sent + more, a, b);
        assertThat(a.publisher().pendingBatches()).isZero();
        assertThat(recorderB.heartbeats).isEmpty();
        assertThat(b.metrics().rejectedCount(RejectReason.UNAUTHENTICATED)).isZero();
        assertThat(b.metrics().rejectedCount(RejectReason.REPLAYED)).isZero();
        assertThat(b.metrics().rejectedCount(RejectReason.MALFORMED)).isZero();
    }

    /** Send 1,000-byte pings to core 2, which does not poll, until one meets back pressure. */
    private static int fillUntilBackPressured(final UrpcEndpoint a)
    {
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[1000]);
        for (int sent = 0; sent < 100_000; sent++)
        {
            final SendOutcome outcome = a.publisher().sendPing(2, sent, 0, payload, 0, payload.capacity());
            if (SendOutcome.BACK_PRESSURED == outcome)
            {
                assertThat(a.publisher().pendingBatches()).isEqualTo(1);
                return sent;
            }
            assertThat(outcome).isEqualTo(SendOutcome.SENT);
        }
        throw new AssertionError("no back pressure after 100,000 pings");
    }

    @Test
    void fragmentsAndReassemblesMessagesLargerThanOneFrame()
    {
        final UrpcEndpoint a = endpoint(1, 0, null, recorderA, List.of(new PeerDescriptor(2, 0, null)), Media.IPC);
        final UrpcEndpoint b = endpoint(2, 0, null, recorderB, List.of(new PeerDescriptor(1, 0, null)), Media.IPC);
        awaitConnected(a, b);
        final int length = TERM_LENGTH / 8 - 100;
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[length]);
        for (int i = 0; i < length; i++)
        {
            payload.putByte(i, (byte)i);
        }
        assertThat(a.publisher().sendPing(2, 42, 7, payload, 0, length)).isEqualTo(SendOutcome.SENT);
        await(() -> recorderB.pingPayloads.size() == 1, a, b);
        final byte[] got = recorderB.pingPayloads.get(0);
        assertThat(got).hasSize(length);
        for (int i = 0; i < length; i++)
        {
            assertThat(got[i]).isEqualTo((byte)i);
        }
    }

    @Test
    void badFramesOnTheWireAreCountedAndTheInboxKeepsWorking()
    {
        final UrpcEndpoint a = endpoint(1, 0, null, recorderA, List.of(new PeerDescriptor(2, 0, null)), Media.IPC);
        final UrpcEndpoint b = endpoint(2, 0, null, recorderB, List.of(new PeerDescriptor(1, 0, null)), Media.IPC);
        awaitConnected(a, b);
        final UnsafeBuffer junk = new UnsafeBuffer(new byte[64]);
        // Validly sealed by core 1 (sendRaw seals), so the envelope's sender is believed; the rest is junk.
        junk.putInt(MessageHeaderEncoder.ENCODED_LENGTH, 1, java.nio.ByteOrder.LITTLE_ENDIAN);
        junk.putInt(MessageHeaderEncoder.ENCODED_LENGTH + 4, 2, java.nio.ByteOrder.LITTLE_ENDIAN);
        junk.putShort(2, (short)3);
        assertThat(a.publisher().sendRaw(2, junk, 0, 5)).isEqualTo(SendOutcome.SENT);
        junk.putShort(4, (short)MessageHeaderEncoder.SCHEMA_ID);
        junk.putShort(2, (short)500);
        junk.putShort(6, (short)1);
        assertThat(a.publisher().sendRaw(2, junk, 0, 64)).isEqualTo(SendOutcome.SENT);
        junk.putShort(4, (short)4242);
        assertThat(a.publisher().sendRaw(2, junk, 0, 64)).isEqualTo(SendOutcome.SENT);
        assertThat(a.publisher().sendHeartbeat(2, 1, 99)).isEqualTo(SendOutcome.SENT);

        await(() -> recorderB.heartbeats.size() == 1, a, b);
        assertThat(b.metrics().rejectedCount(RejectReason.TRUNCATED)).isEqualTo(1);
        assertThat(b.metrics().rejectedCount(RejectReason.UNKNOWN_TEMPLATE)).isEqualTo(1);
        assertThat(b.metrics().rejectedCount(RejectReason.FOREIGN_SCHEMA)).isEqualTo(1);
    }

    @Test
    void contextRejectsBadSettingsWithTheValueNamed()
    {
        assertThatThrownBy(() -> new UrpcEndpoint.Context().coreId(1).termLength(100_000).conclude())
            .hasMessage("termLength=100000 bytes is not a power of two");
        assertThatThrownBy(() -> new UrpcEndpoint.Context().coreId(-4).conclude())
            .hasMessageContaining("coreId=-4");
        assertThatThrownBy(() -> new UrpcEndpoint.Context().coreId(1).peers(List.of(new PeerDescriptor(2, 0, null)))
            .incarnations(io.multikernel.common.PeerIncarnations.of(3)).conclude())
            .hasMessage("the incarnations table given has no entry for peer core 2: build it from the same peers");
        assertThatThrownBy(() -> new UrpcEndpoint.Context().coreId(1).peers(List.of(new PeerDescriptor(1, 0, null))).conclude())
            .hasMessageContaining("this core itself");
        assertThatThrownBy(() -> new UrpcEndpoint.Context().coreId(1).peers(List.of(new PeerDescriptor(2, 5, null))).conclude())
            .hasMessageContaining("core 2 on host 5 has no udpEndpoint");
        assertThatThrownBy(() -> new UrpcEndpoint.Context().coreId(1).termLength(65536).messageLengthMax(65536).conclude())
            .hasMessageContaining("messageLengthMax=65536");
        assertThatThrownBy(() -> new UrpcEndpoint.Context().coreId(1).termLength(65536).messageLengthMax(8192).conclude())
            .hasMessageContaining("messageLengthMax=8192 bytes").hasMessageContaining("8168");
        assertThatThrownBy(() -> new UrpcEndpoint.Context().coreId(1).conclude())
            .hasMessageContaining("no frameKey").hasMessageContaining("unauthenticated(true)");
        assertThatThrownBy(() -> new UrpcEndpoint.Context().coreId(1).frameKey(new byte[8]).conclude())
            .hasMessageContaining("frameKey length=8");
        assertThat(new UrpcEndpoint.Context().coreId(1).unauthenticated(true).conclude().authenticator()).isNull();
        assertThatThrownBy(() -> new UrpcEndpoint.Context().coreId(1).hostId(0)
            .peers(List.of(new PeerDescriptor(2, 5, "h:1", Media.IPC))).conclude())
            .hasMessageContaining("core 2 on host 5 cannot be reached over IPC from core 1 on host 0");
        assertThatThrownBy(() -> new PeerDescriptor(2, 0, null, Media.UDP))
            .hasMessageContaining("core 2 is to be reached over UDP but has no udpEndpoint");
        assertThatThrownBy(() -> new PeerDescriptor(3, 0, "nohostport"))
            .hasMessageContaining("udpEndpoint=nohostport of core 3 is not host:port");
        assertThatThrownBy(() -> UrpcMediaDriver.launch(new UrpcMediaDriver.Context()
            .aeronDirectory(driver.aeronDirectory())))
            .hasMessageContaining("already running in " + driver.aeronDirectory());
        assertThatThrownBy(() -> new UrpcMediaDriver.Context().threading("turbo").conclude())
            .hasMessageContaining("threading=turbo is unknown");
    }

    @Test
    void anEndpointWhoseDriverIsStoppedKeepsPollingWithoutBlockingAndConnectsOnceADriverAnswersAgain()
    {
        final String directory = tempDir.resolve("stopped-driver").toString();
        UrpcMediaDriver stopped = launchDriver(directory);
        final UrpcEndpoint a = lonelyEndpoint(directory, org.agrona.concurrent.SystemNanoClock.INSTANCE, 60_000);
        final io.aeron.Aeron before = a.aeron();

        // The driver goes, and the client with it (as on its driver timeout).
        stopped.close();
        before.close();
        final long startNs = System.nanoTime();
        for (int i = 0; i < 20; i++)
        {
            assertThat(a.poll()).isZero();
        }
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs)).as("polls never wait on a silent driver")
            .isLessThan(2_000);
        assertThat(a.publisher().sendHeartbeat(2, 1, 1)).isEqualTo(SendOutcome.NOT_CONNECTED);
        assertThat(a.metrics().aeronReconnectCount()).isZero();

        stopped = launchDriver(directory);
        try
        {
            await(() -> a.metrics().aeronReconnectCount() == 1, a);
            assertThat(a.aeron()).isNotSameAs(before);
            assertThat(a.aeron().isClosed()).isFalse();
        }
        finally
        {
            a.close();
            stopped.close();
        }
    }

    @Test
    void aDriverWhoseFilesRemainButWhoseHeartbeatIsStaleIsNotAskedSoPollsDoNotWait() throws Exception
    {
        final String directory = tempDir.resolve("stale-driver").toString();
        final UrpcMediaDriver stale = UrpcMediaDriver.launch(new UrpcMediaDriver.Context().aeronDirectory(directory)
            .idleStrategy("yielding").termLength(TERM_LENGTH).deleteDirectoryOnStart(true).deleteDirectoryOnShutdown(false));
        final UrpcEndpoint a = lonelyEndpoint(directory, org.agrona.concurrent.SystemNanoClock.INSTANCE, 60_000);
        stale.close();
        a.aeron().close();
        // As a driver stopped by SIGSTOP or killed leaves it: its files in place, its heartbeat ageing.
        Thread.sleep(UrpcEndpoint.DRIVER_HEARTBEAT_FRESH_MS + 500);
        assertThat(java.nio.file.Files.exists(java.nio.file.Path.of(directory, "cnc.dat"))).isTrue();

        final long startNs = System.nanoTime();
        for (int i = 0; i < 20; i++)
        {
            assertThat(a.poll()).isZero();
            Thread.sleep(UrpcEndpoint.CONNECT_ATTEMPT_INTERVAL_MS / 10);
        }
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs)).as("no attempt waited on the driver")
            .isLessThan(2_000);
        assertThat(a.metrics().aeronReconnectCount()).isZero();
        a.close();
    }

    @Test
    void anEndpointWhoseDriverStaysSilentPastItsBoundStopsTheCoreSayingWhy()
    {
        final String directory = tempDir.resolve("gone-driver").toString();
        final UrpcMediaDriver gone = launchDriver(directory);
        final org.agrona.concurrent.CachedNanoClock clock = new org.agrona.concurrent.CachedNanoClock();
        final UrpcEndpoint a = lonelyEndpoint(directory, clock, 1_000);
        gone.close();
        a.aeron().close();

        assertThat(a.poll()).isZero();
        clock.advance(TimeUnit.MILLISECONDS.toNanos(999));
        assertThat(a.poll()).as("still within the bound").isZero();
        clock.advance(TimeUnit.MILLISECONDS.toNanos(1));
        assertThatThrownBy(a::poll).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("core 1 could not connect to the media driver in " + directory + " for 1000 ms")
            .hasMessageContaining("no heartbeat from the driver").hasMessageEndingWith("the core stops");
        a.close();
    }

    private static UrpcMediaDriver launchDriver(final String directory)
    {
        return UrpcMediaDriver.launch(new UrpcMediaDriver.Context().aeronDirectory(directory).idleStrategy("yielding")
            .termLength(TERM_LENGTH).deleteDirectoryOnStart(true).deleteDirectoryOnShutdown(true));
    }

    /** Core 1, whose only peer (core 2) never starts. */
    private static UrpcEndpoint lonelyEndpoint(final String directory, final org.agrona.concurrent.NanoClock clock,
        final long reconnectTimeoutMs)
    {
        return UrpcEndpoint.launch(new UrpcEndpoint.Context().aeronDirectory(directory).coreId(1)
            .peers(List.of(new PeerDescriptor(2, 0, null))).termLength(TERM_LENGTH).frameKey(FrameAuthenticationTest.KEY)
            .nanoClock(clock).driverReconnectTimeoutMs(reconnectTimeoutMs));
    }

    @Test
    void anEndpointWhoseAeronClientClosedUnderItConnectsANewOneAndItsFramesAreStillAccepted()
    {
        final UrpcEndpoint a = endpoint(1, 0, null, recorderA, List.of(new PeerDescriptor(2, 0, null)), Media.IPC);
        final UrpcEndpoint b = endpoint(2, 0, null, recorderB, List.of(new PeerDescriptor(1, 0, null)), Media.IPC);
        awaitConnected(a, b);
        pingPong(a, b);
        final io.aeron.Aeron before = a.aeron();

        // What a conductor not serviced within the liveness timeout (SIGSTOP) does: every resource closes.
        before.close();
        assertThat(a.publisher().sendHeartbeat(2, 1, 1)).isNotEqualTo(SendOutcome.SENT);
        a.poll();

        assertThat(a.aeron()).isNotSameAs(before);
        assertThat(a.aeron().isClosed()).isFalse();
        assertThat(a.metrics().aeronReconnectCount()).isEqualTo(1);
        awaitConnected(a, b);
        final UnsafeBuffer payload = new UnsafeBuffer("again".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertThat(a.publisher().sendPing(2, 12, 99, payload, 0, payload.capacity())).isEqualTo(SendOutcome.SENT);
        await(() -> recorderA.pongs.size() == 2, a, b);
        assertThat(recorderA.pongs.get(1)).as("the peer accepts the same incarnation's later frames, and answers")
            .isEqualTo("2:12:99:again");
        assertThat(b.metrics().rejectedCount(RejectReason.REPLAYED)).isZero();
        // The old client's image of the peer went with it; the new one joined where it stopped.
        await(() -> a.metrics().inboxImagesLostCount() == 1, a, b);
        assertThat(a.metrics().inboxGapBytes()).isZero();
    }

    @Test
    void anEndpointOnALentAeronClientThatClosedStopsWithAClearError()
    {
        final io.aeron.Aeron lent = io.aeron.Aeron.connect(UrpcEndpoint.clientContext(driver.aeronDirectory()));
        closeables.add(lent);
        final UrpcEndpoint a = UrpcEndpoint.launch(new UrpcEndpoint.Context().aeron(lent).coreId(1)
            .peers(List.of(new PeerDescriptor(2, 0, null))).termLength(TERM_LENGTH).frameKey(FrameAuthenticationTest.KEY)
            .handler(recorderA));
        closeables.add(a);
        lent.close();

        assertThatThrownBy(a::poll).isInstanceOf(IllegalStateException.class)
            .hasMessage("core 1's Aeron client was closed under it");
    }

    private void pingPong(final UrpcEndpoint a, final UrpcEndpoint b)
    {
        final UnsafeBuffer payload = new UnsafeBuffer("payload!".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        recorderB.replyWith = b;
        assertThat(a.publisher().sendPing(2, 11, 1234, payload, 0, payload.capacity())).isEqualTo(SendOutcome.SENT);
        await(() -> recorderA.pongs.size() == 1, a, b);
        assertThat(recorderA.pongs.get(0)).isEqualTo("2:11:1234:payload!");
        assertThat(a.incarnations().incarnation(2)).isEqualTo(b.incarnation());
    }

    private UrpcEndpoint endpoint(final int coreId, final int hostId, final String udp, final UrpcHandler handler,
        final List<PeerDescriptor> peers, final Media sameHost)
    {
        final UrpcEndpoint endpoint = UrpcEndpoint.launch(new UrpcEndpoint.Context()
            .aeronDirectory(driver.aeronDirectory())
            .coreId(coreId)
            .hostId(hostId)
            .udpBindEndpoint(udp)
            .peers(peers)
            .sameHostMedia(sameHost)
            .termLength(TERM_LENGTH)
            .frameKey(FrameAuthenticationTest.KEY)
            .handler(handler));
        closeables.add(endpoint);
        return endpoint;
    }

    private static void awaitConnected(final UrpcEndpoint a, final UrpcEndpoint b)
    {
        await(() -> a.isConnected(b.coreId()) && b.isConnected(a.coreId()), a, b);
    }

    static void await(final BooleanSupplier condition, final UrpcEndpoint... endpoints)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean())
        {
            for (final UrpcEndpoint endpoint : endpoints)
            {
                endpoint.poll();
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("condition not met within 20 s");
            }
            Thread.yield();
        }
    }

    static int freePort()
    {
        try (java.net.DatagramSocket socket = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    static final class Recorder implements UrpcHandler
    {
        final List<Long> heartbeats = new ArrayList<>();
        final List<String> order = new ArrayList<>();
        int goodbyes;
        final List<String> pongs = new ArrayList<>();
        final List<byte[]> pingPayloads = new ArrayList<>();
        UrpcEndpoint replyWith;

        public void onHeartbeat(final int source, final long incarnation, final long correlationId, final long ts)
        {
            heartbeats.add(correlationId);
            order.add("hb" + correlationId);
        }

        public void onPing(final int source, final long correlationId, final long ts,
            final DirectBuffer payload, final int offset, final int length)
        {
            final byte[] bytes = new byte[length];
            payload.getBytes(offset, bytes);
            pingPayloads.add(bytes);
            order.add("ping" + correlationId);
            if (null != replyWith)
            {
                replyWith.publisher().sendPong(source, correlationId, ts, payload, offset, length);
            }
        }

        public void onGoodbye(final int source, final long incarnation, final short reason)
        {
            goodbyes++;
        }

        public void onPong(final int source, final long correlationId, final long pingTs,
            final DirectBuffer payload, final int offset, final int length)
        {
            pongs.add(source + ":" + correlationId + ":" + pingTs + ":" + payload.getStringWithoutLengthAscii(offset, length));
        }
    }
}
