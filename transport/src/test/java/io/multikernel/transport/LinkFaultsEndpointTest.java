package io.multikernel.transport;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.multikernel.schema.HeartbeatEncoder;
import io.multikernel.transport.LinkFaults.Direction;
import io.multikernel.transport.LinkFaults.DropReason;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static io.multikernel.transport.UrpcEndpointTest.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Link faults in two endpoints over a real embedded media driver: a dropped frame never reaches a
 * handler and leaves no trace at the inbox, and a held frame arrives after its delay, in order, and
 * still passes (or fails) the seal and replay checks. The endpoints' clock is advanced by hand; the
 * frames themselves travel through Aeron.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LinkFaultsEndpointTest
{
    private static final int TERM_LENGTH = 64 * 1024;
    private static final long SEED = 7;
    private static final byte[] FORGER_KEY = "not the key!!!!!".getBytes(StandardCharsets.US_ASCII);
    /** How long a frame that was offered takes at most to reach the other endpoint here, ms. */
    private static final long QUIET_MS = 200;

    @TempDir
    Path tempDir;

    private final CachedNanoClock clock = new CachedNanoClock();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final UrpcEndpointTest.Recorder recorderA = new UrpcEndpointTest.Recorder();
    private final UrpcEndpointTest.Recorder recorderB = new UrpcEndpointTest.Recorder();
    private UrpcMediaDriver driver;
    private UrpcEndpoint a;
    private UrpcEndpoint b;

    @BeforeEach
    void start()
    {
        driver = UrpcMediaDriver.launch(new UrpcMediaDriver.Context()
            .aeronDirectory(tempDir.resolve("aeron").toString())
            .idleStrategy("yielding")
            .termLength(TERM_LENGTH)
            .deleteDirectoryOnStart(true));
        a = endpoint(1, 2, recorderA, FrameAuthenticationTest.KEY);
        b = endpoint(2, 1, recorderB, FrameAuthenticationTest.KEY);
        await(() -> a.isConnected(2) && b.isConnected(1), a, b);
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
    void anEndpointWithoutLinkFaultsHasNoFilter()
    {
        final UrpcEndpoint plain = UrpcEndpoint.launch(new UrpcEndpoint.Context().aeronDirectory(driver.aeronDirectory())
            .coreId(3).peers(List.of(new PeerDescriptor(1, 0, null))).termLength(TERM_LENGTH)
            .frameKey(FrameAuthenticationTest.KEY));
        closeables.add(plain);
        assertThat(plain.linkFaults()).isNull();
        assertThat(a.linkFaults()).isNotNull();
    }

    @Test
    void framesDroppedOnTheWayOutNeverArriveAndLaterOnesDo()
    {
        a.linkFaults().rule(2, Direction.OUTBOUND, 1.0, 0);
        sendHeartbeats(a, 0, 10);
        a.linkFaults().heal(2);
        sendHeartbeats(a, 10, 11);
        await(() -> recorderB.heartbeats.contains(10L), a, b);

        assertThat(recorderB.heartbeats).containsExactly(10L);
        assertThat(a.linkFaults().droppedCount(2, Direction.OUTBOUND, DropReason.RULE)).isEqualTo(10);
        assertThat(a.metrics().sentCount(HeartbeatEncoder.TEMPLATE_ID)).as("sent, then lost on the wire").isEqualTo(11);
        assertNothingRejected(b);
    }

    @Test
    void framesHeldOnTheWayOutLeaveAfterTheDelayInOrderAndStillVerify()
    {
        a.linkFaults().rule(2, Direction.OUTBOUND, 0, 50);
        sendHeartbeats(a, 0, 5);
        // Healed while five are held: the next five queue behind them rather than overtake.
        a.linkFaults().rule(2, Direction.OUTBOUND, 0, 0);
        sendHeartbeats(a, 5, 10);
        pollQuietly();
        assertThat(recorderB.heartbeats).as("before the delay is over").isEmpty();
        assertThat(a.linkFaults().queuedFrames()).isEqualTo(10);

        clock.advance(TimeUnit.MILLISECONDS.toNanos(50));
        await(() -> recorderB.heartbeats.size() == 10, a, b);
        assertThat(recorderB.heartbeats).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
        assertThat(a.linkFaults().view(2, Direction.OUTBOUND).delayed()).isEqualTo(10);
        assertNothingRejected(b);
    }

    @Test
    void framesDroppedOnTheWayInReachNoHandlerAndNoInboxCounter()
    {
        b.linkFaults().rule(1, Direction.INBOUND, 1.0, 0);
        sendHeartbeats(a, 0, 10);
        await(() -> 10 == b.linkFaults().droppedCount(1, Direction.INBOUND, DropReason.RULE), a, b);

        assertThat(recorderB.heartbeats).isEmpty();
        assertThat(b.metrics().receivedCount(HeartbeatEncoder.TEMPLATE_ID)).isZero();
        assertNothingRejected(b);
        assertThat(b.incarnations().incarnation(1)).as("not even the sender's incarnation was learnt")
            .isNotEqualTo(a.incarnation());
    }

    @Test
    void framesHeldOnTheWayInAreCheckedInFullWhenHandedOn()
    {
        b.linkFaults().rule(1, Direction.INBOUND, 0, 30);
        sendHeartbeats(a, 0, 5);
        await(() -> 5 == b.linkFaults().queuedFrames(), a, b);
        assertThat(recorderB.heartbeats).isEmpty();

        clock.advance(TimeUnit.MILLISECONDS.toNanos(30));
        b.poll();
        assertThat(recorderB.heartbeats).containsExactly(0L, 1L, 2L, 3L, 4L);
        assertNothingRejected(b);

        // A frame that claims to come from core 1 but is sealed with another key is held like core 1's,
        // and refused by the inbox only when its delay is over.
        final UrpcEndpoint forger = endpoint(1, 2, new UrpcEndpointTest.Recorder(), FORGER_KEY);
        await(() -> forger.isConnected(2), forger, b);
        sendHeartbeats(forger, 100, 101);
        await(() -> 1 == b.linkFaults().queuedFrames(), forger, b);
        assertThat(b.metrics().rejectedCount(RejectReason.UNAUTHENTICATED)).as("held, not yet checked").isZero();
        clock.advance(TimeUnit.MILLISECONDS.toNanos(30));
        b.poll();
        assertThat(b.metrics().rejectedCount(RejectReason.UNAUTHENTICATED)).isEqualTo(1);
        assertThat(recorderB.heartbeats).containsExactly(0L, 1L, 2L, 3L, 4L);
    }

    @Test
    void withoutBatchingAFaultedLinkStillSeesEveryFrameItWouldHaveClaimed()
    {
        final UrpcEndpointTest.Recorder recorderD = new UrpcEndpointTest.Recorder();
        final UrpcEndpoint c = endpoint(3, 4, new UrpcEndpointTest.Recorder(), FrameAuthenticationTest.KEY, false);
        final UrpcEndpoint d = endpoint(4, 3, recorderD, FrameAuthenticationTest.KEY, false);
        await(() -> c.isConnected(4) && d.isConnected(3), c, d);
        c.linkFaults().rule(4, Direction.OUTBOUND, 0, 20);
        for (int i = 0; i < 3; i++)
        {
            assertThat(c.publisher().sendHeartbeat(4, i, i)).isEqualTo(SendOutcome.SENT);
        }
        assertThat(c.linkFaults().queuedFrames()).as("one frame per message, none claimed in the log").isEqualTo(3);
        clock.advance(TimeUnit.MILLISECONDS.toNanos(20));
        await(() -> recorderD.heartbeats.size() == 3, c, d);
        assertThat(recorderD.heartbeats).containsExactly(0L, 1L, 2L);
        assertNothingRejected(d);
    }

    @Test
    void theTwoDirectionsOfALinkAreFaultedApart()
    {
        b.linkFaults().rule(1, Direction.OUTBOUND, 1.0, 0);
        sendHeartbeats(a, 0, 3);
        await(() -> recorderB.heartbeats.size() == 3, a, b);
        sendHeartbeats(b, 0, 3);
        pollQuietly();
        assertThat(recorderA.heartbeats).isEmpty();
        assertThat(b.linkFaults().droppedCount(1, Direction.OUTBOUND, DropReason.RULE)).isEqualTo(3);
        assertThat(b.linkFaults().droppedCount(1, Direction.INBOUND, DropReason.RULE)).isZero();
    }

    /** Heartbeats with correlation ids first..last-1 from one endpoint to the other, a frame each. */
    private static void sendHeartbeats(final UrpcEndpoint from, final int first, final int end)
    {
        final int to = 1 == from.coreId() ? 2 : 1;
        for (int i = first; i < end; i++)
        {
            assertThat(from.publisher().sendHeartbeat(to, i, i)).isEqualTo(SendOutcome.SENT);
            from.flush();
        }
    }

    /** Poll both endpoints for {@link #QUIET_MS} of real time, the clock standing still. */
    private void pollQuietly()
    {
        final long endNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(QUIET_MS);
        while (System.nanoTime() - endNs < 0)
        {
            a.poll();
            b.poll();
            Thread.yield();
        }
    }

    private static void assertNothingRejected(final UrpcEndpoint endpoint)
    {
        for (final RejectReason reason : RejectReason.values())
        {
            assertThat(endpoint.metrics().rejectedCount(reason)).as("frames rejected as %s", reason).isZero();
        }
    }

    private UrpcEndpoint endpoint(final int coreId, final int peer, final UrpcHandler handler, final byte[] key)
    {
        return endpoint(coreId, peer, handler, key, true);
    }

    private UrpcEndpoint endpoint(final int coreId, final int peer, final UrpcHandler handler, final byte[] key,
        final boolean batching)
    {
        final UrpcEndpoint endpoint = UrpcEndpoint.launch(new UrpcEndpoint.Context()
            .batching(batching)
            .aeronDirectory(driver.aeronDirectory())
            .coreId(coreId)
            .peers(List.of(new PeerDescriptor(peer, 0, null)))
            .termLength(TERM_LENGTH)
            .frameKey(key)
            .nanoClock(clock)
            .linkFaults(new SplittableRandom(SEED))
            .handler(handler));
        closeables.add(endpoint);
        return endpoint;
    }
}
