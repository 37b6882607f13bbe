package io.multikernel.node.lrpc;

import io.multikernel.transport.Doorbell;
import org.agrona.IoUtil;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static io.multikernel.node.lrpc.LrpcFixture.ascii;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The app side: back pressure, timeouts (indefinite), a dead, closed, stalled or stale core (definite
 * for new calls, indefinite for calls in flight), attaching by file, and files that are not channels.
 */
class LrpcClientTest
{
    @TempDir
    Path tempDir;

    private LrpcFixture fixture = new LrpcFixture(LrpcFixture.smallLayout());
    private final LrpcFixture.Recorder recorder = new LrpcFixture.Recorder();

    @AfterEach
    void close()
    {
        fixture.close();
    }

    @Test
    void fullRequestRingIsBackPressureNotADrop()
    {
        fixture.close();
        fixture = new LrpcFixture(LrpcLayout.of(1, 4096, 64, 256));
        LrpcCoreServices.register(fixture.server);
        final LrpcClient client = fixture.attach();
        int sent = 0;
        long result;
        while ((result = client.send(LrpcOperations.ECHO, ascii("12345678"), 0, 8, recorder)) > 0)
        {
            sent++;
        }
        assertThat(result).isEqualTo(LrpcOutcome.BACK_PRESSURED.code());
        assertThat(LrpcOutcome.fromCode(result).isDefinite()).isTrue();
        assertThat(sent).isEqualTo(4096 / LrpcRecordDescriptor.recordLength(LrpcRecordDescriptor.REQUEST_HEADER_LENGTH_BYTES + 8));
        assertThat(fixture.channel.requestRingFullCount()).isEqualTo(1);
        fixture.advanceMs(1_001);
        while (fixture.server.doWork() > 0)
        {
            client.poll();
        }
        client.poll();
        assertThat(recorder.replies).hasSize(sent).allMatch(r -> LrpcOutcome.SUCCESS == r.outcome());
        assertThat(fixture.counter("mk.lrpc.queue.full", "ring", "request")).isEqualTo(1);
        assertThat(client.send(LrpcOperations.ECHO, ascii("again"), 0, 5, recorder)).isPositive();
    }

    @Test
    void aCallToADozingCoreRingsItsDoorbellAndOnlyThen() throws Exception
    {
        LrpcCoreServices.register(fixture.server);
        final LrpcClient client = fixture.attach();
        final NanoClock clock = SystemNanoClock.INSTANCE;
        try (Doorbell doorbell = Doorbell.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))
        {
            // Dozing, but no doorbell yet: nothing to ring.
            fixture.channel.dozing(true);
            assertThat(client.send(LrpcOperations.ECHO, ascii("a"), 0, 1, recorder)).isPositive();
            assertThat(client.doorbellRings()).isZero();

            fixture.channel.doorbellPort(doorbell.localAddress().getPort());
            fixture.channel.dozing(false);
            assertThat(client.send(LrpcOperations.ECHO, ascii("b"), 0, 1, recorder)).isPositive();
            assertThat(client.doorbellRings()).isZero();
            assertThat(doorbell.await(clock.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50), clock)).isFalse();

            fixture.channel.dozing(true);
            assertThat(fixture.channel.dozing()).isTrue();
            assertThat(client.send(LrpcOperations.ECHO, ascii("c"), 0, 1, recorder)).isPositive();
            assertThat(client.doorbellRings()).isEqualTo(1);
            assertThat(doorbell.await(clock.nanoTime() + TimeUnit.SECONDS.toNanos(10), clock)).isTrue();
            assertThat(doorbell.datagramsReceived()).isEqualTo(1);
            assertThat(client.doorbellRingFailures()).isZero();

            // A damaged header's port is counted as a failed ring, never thrown at the caller.
            for (final int damaged : new int[]{-1, 65_536, Integer.MAX_VALUE})
            {
                fixture.channel.doorbellPort(damaged);
                assertThat(client.send(LrpcOperations.ECHO, ascii("d"), 0, 1, recorder)).isPositive();
            }
            assertThat(client.doorbellRingFailures()).isEqualTo(3);
            assertThat(client.doorbellRings()).isEqualTo(1);

            // The calls themselves are unaffected.
            fixture.server.doWork();
            client.poll();
            assertThat(recorder.replies).extracting(LrpcFixture.Recorder.Reply::outcome)
                .containsExactly(LrpcOutcome.SUCCESS, LrpcOutcome.SUCCESS, LrpcOutcome.SUCCESS,
                    LrpcOutcome.SUCCESS, LrpcOutcome.SUCCESS, LrpcOutcome.SUCCESS);
        }
    }

    @Test
    void unansweredCallTimesOutAsIndefiniteAndALateReplyIsIgnored()
    {
        LrpcCoreServices.register(fixture.server);
        final LrpcClient client = fixture.attach();
        final long id = client.send(LrpcOperations.ECHO, ascii("slow"), 0, 4, recorder);
        fixture.advanceMs(100);
        client.poll();
        assertThat(recorder.replies).isEmpty();
        fixture.advanceMs(101);
        client.poll();
        assertThat(recorder.only().correlationId()).isEqualTo(id);
        assertThat(recorder.only().outcome()).isEqualTo(LrpcOutcome.TIMED_OUT);
        assertThat(recorder.only().outcome().isDefinite()).isFalse();
        assertThat(recorder.only().text()).isEqualTo("no reply from core 3 within 200 ms; it may still do the call");
        assertThat(client.outstanding()).isZero();

        // The core answers after all: the reply matches nothing in flight.
        final long next = client.send(LrpcOperations.ECHO, ascii("next"), 0, 4, recorder);
        fixture.server.doWork();
        client.poll();
        assertThat(client.unmatchedReplies()).isEqualTo(1);
        assertThat(recorder.replies.get(1).correlationId()).isEqualTo(next);
        assertThat(recorder.replies.get(1).text()).isEqualTo("next");
    }

    @Test
    void anAppClaimsASlotWithItsPidAndHeartbeatAlreadyThereAndLearnsWhenItsSlotWasFreed() throws Exception
    {
        LrpcCoreServices.register(fixture.server);
        // An earlier app left slot 0 with its dead pid and an old heartbeat, and freed the token.
        fixture.channel.slotClientPid(0, LrpcFixture.deadPid());
        fixture.channel.slotHeartbeatMs(0, 1);
        final LrpcClient client = fixture.attach();
        assertThat(fixture.channel.slotOwnerToken(0)).isNotZero();
        assertThat(fixture.channel.slotClientPid(0)).isEqualTo(ProcessHandle.current().pid());
        fixture.server.doWork();
        assertThat(fixture.channel.slotOwnerToken(0)).as("the core sees this app's pid beside its token").isNotZero();

        // Freed under it all the same (by hand here): its calls fail at its next heartbeat, saying why.
        client.send(LrpcOperations.ECHO, ascii("lost"), 0, 4, recorder);
        fixture.channel.casSlotOwnerToken(0, fixture.channel.slotOwnerToken(0), 0);
        fixture.advanceMs(LrpcConfiguration.CLIENT_HEARTBEAT_INTERVAL_MS + 1);
        client.poll();
        assertThat(recorder.only().outcome()).isEqualTo(LrpcOutcome.CORE_DIED);
        assertThat(recorder.only().text()).startsWith("core 3 freed this app's LRPC client slot 0 (it took the app " +
            "for gone); attach again");
    }

    @Test
    void aPayloadLengthTooLongForTheChannelIsTooLargeEvenNearTheIntLimit()
    {
        LrpcCoreServices.register(fixture.server);
        final LrpcClient client = fixture.attach();
        final org.agrona.concurrent.UnsafeBuffer payload = new org.agrona.concurrent.UnsafeBuffer(new byte[16]);
        for (final int length : new int[]{ -1, Integer.MAX_VALUE, Integer.MAX_VALUE - 20, 1 << 20 })
        {
            assertThat(client.send(LrpcOperations.ECHO, payload, 0, length, recorder)).as("length %d", length)
                .isEqualTo(LrpcOutcome.TOO_LARGE.code());
        }
        assertThat(client.outstanding()).isZero();
    }

    @Test
    void closedCoreFailsCallsInFlightIndefinitelyAndNewCallsDefinitely()
    {
        LrpcCoreServices.register(fixture.server);
        final LrpcClient client = fixture.attach();
        client.send(LrpcOperations.ECHO, ascii("answered"), 0, 8, recorder);
        fixture.server.doWork();
        client.send(LrpcOperations.ECHO, ascii("lost"), 0, 4, recorder);
        fixture.server.close();
        fixture.advanceMs(200);
        client.poll();
        assertThat(recorder.replies).extracting(LrpcFixture.Recorder.Reply::outcome)
            .containsExactly(LrpcOutcome.SUCCESS, LrpcOutcome.CORE_DIED);
        assertThat(recorder.replies.get(1).text()).startsWith("core 3 (incarnation 42, pid ")
            .contains("is not running: it closed its LRPC channel; a call in flight may or may not have been done");
        assertThat(client.send(LrpcOperations.ECHO, ascii("x"), 0, 1, recorder)).isEqualTo(LrpcOutcome.CORE_NOT_RUNNING.code());
        final LrpcResult result = client.call(LrpcOperations.ECHO, ascii("x"), 0, 1);
        assertThat(result.outcome()).isEqualTo(LrpcOutcome.CORE_NOT_RUNNING);
        assertThat(result.outcome().isDefinite()).isTrue();
        assertThat(result.message()).endsWith("is not running: it closed its LRPC channel");
        assertThatThrownBy(fixture::attach).isInstanceOf(LrpcException.class).hasMessageContaining("is not running");
    }

    @Test
    void stalledCoreIsNotRunning()
    {
        final LrpcClient client = fixture.attach();
        fixture.advanceMs(1_500);
        client.poll();
        assertThat(client.coreProblem()).contains("has not updated its LRPC liveness for 1500 ms (limit 1000 ms)");
        assertThatThrownBy(fixture::attach).isInstanceOf(LrpcException.class)
            .hasMessageContaining("is not running: its kernel loop has not updated its LRPC liveness");
        fixture.server.doWork();
        assertThat(fixture.attach().coreProblem()).isNull();
    }

    @Test
    void fileOfACoreWhoseProcessExitedIsStale() throws Exception
    {
        final Path file = LrpcChannel.fileOf(tempDir.resolve("lrpc"), 5);
        final long deadPid = LrpcFixture.deadPid();
        try (LrpcChannel stale = LrpcChannel.createFile(file, LrpcFixture.smallLayout(), 5, 7, deadPid,
            System.currentTimeMillis()))
        {
            assertThat(stale.file()).isEqualTo(file);
        }
        assertThatThrownBy(() -> LrpcClient.attach(new LrpcClient.Context().file(file).coreId(5)))
            .isInstanceOf(LrpcException.class)
            .hasMessage("core 5 (incarnation 7, pid " + deadPid + ") is not running: its process has exited and left " +
                "a stale LRPC file " + file);
        assertThatThrownBy(() -> LrpcClient.attach(new LrpcClient.Context().file(file).coreId(6)))
            .hasMessage("the LRPC file " + file + " belongs to core 5, not core 6");
    }

    @Test
    void attachesByFileAndARestartedCoreReplacesTheFile() throws Exception
    {
        final Path file = LrpcChannel.fileOf(tempDir.resolve("lrpc"), 1);
        final LrpcChannel first = LrpcChannel.createFile(file, LrpcFixture.smallLayout(), 1, 100,
            ProcessHandle.current().pid(), System.currentTimeMillis());
        final LrpcServer server = new LrpcServer(new LrpcServer.Context().channel(first));
        LrpcCoreServices.register(server);
        final LrpcChannel second;
        try (LrpcClient client = LrpcClient.attach(new LrpcClient.Context().file(file).coreId(1)))
        {
            final long id = client.send(LrpcOperations.ECHO, ascii("via file"), 0, 8, recorder);
            server.doWork();
            client.poll();
            assertThat(recorder.only()).isEqualTo(new LrpcFixture.Recorder.Reply(id, LrpcOutcome.SUCCESS, 0, "via file"));
            assertThat(client.coreIncarnation()).isEqualTo(100);

            // A new incarnation writes a new file; the old client still sees the old header.
            second = LrpcChannel.createFile(file, LrpcFixture.smallLayout(), 1, 200, ProcessHandle.current().pid(),
                System.currentTimeMillis());
            assertThat(client.coreIncarnation()).isEqualTo(100);
        }
        server.close();
        assertThat(file).as("the old incarnation leaves the new file alone").exists();
        try (LrpcClient client = LrpcClient.attach(new LrpcClient.Context().file(file)))
        {
            assertThat(client.coreIncarnation()).isEqualTo(200);
        }
        final LrpcServer secondServer = new LrpcServer(new LrpcServer.Context().channel(second));
        secondServer.close();
        assertThat(file).as("a clean exit removes the file").doesNotExist();
    }

    @Test
    void missingOrForeignFilesAreRefusedInOneSentence() throws Exception
    {
        final Path missing = tempDir.resolve("core-9.lrpc");
        assertThatThrownBy(() -> LrpcClient.attach(new LrpcClient.Context().file(missing).coreId(9)))
            .hasMessage("core 9 is not running: there is no LRPC file at " + missing + " (is the cluster up? see 'mk status')");

        final Path tiny = Files.write(tempDir.resolve("tiny.lrpc"), new byte[10]);
        assertThatThrownBy(() -> LrpcChannel.mapFile(tiny, 0))
            .hasMessage("the LRPC file " + tiny + " is not usable: it is 10 bytes, outside 384..1073741824");

        final Path zeros = Files.write(tempDir.resolve("zeros.lrpc"), new byte[4096]);
        assertThatThrownBy(() -> LrpcChannel.mapFile(zeros, 0)).hasMessageContaining("does not start with the LRPC magic");

        final Path file = tempDir.resolve("core-0.lrpc");
        LrpcChannel.createFile(file, LrpcFixture.smallLayout(), 0, 1, ProcessHandle.current().pid(), 0).close();
        corrupt(file, LrpcLayout.LAYOUT_VERSION_OFFSET, 99);
        assertThatThrownBy(() -> LrpcChannel.mapFile(file, 0))
            .hasMessageContaining("its layout version is 99, this build reads version " + LrpcLayout.LAYOUT_VERSION);
        corrupt(file, LrpcLayout.LAYOUT_VERSION_OFFSET, LrpcLayout.LAYOUT_VERSION);
        corrupt(file, LrpcLayout.REQUEST_RING_CAPACITY_OFFSET, 5000);
        assertThatThrownBy(() -> LrpcChannel.mapFile(file, 0))
            .hasMessageContaining("its header is inconsistent: requestRingCapacity=5000 is not a power of two");
        corrupt(file, LrpcLayout.REQUEST_RING_CAPACITY_OFFSET, 128 * 1024);
        assertThatThrownBy(() -> LrpcChannel.mapFile(file, 0)).hasMessageContaining("but its header describes");
    }

    @Test
    void layoutLimitsAreChecked()
    {
        assertThatThrownBy(() -> LrpcLayout.of(0, 4096, 64, 1)).hasMessage("clientSlots=0 is outside 1..256");
        assertThatThrownBy(() -> LrpcLayout.of(1, 5000, 64, 1)).hasMessage("requestRingCapacity=5000 is not a power of two");
        assertThatThrownBy(() -> LrpcLayout.of(1, 4096, 64, 3)).hasMessage("outstandingMax=3 is not a power of two");
        assertThatThrownBy(() -> LrpcLayout.of(1, 4096, 10, 1)).hasMessage("messageLengthMax=10 is outside 64..65536");
        assertThatThrownBy(() -> LrpcLayout.of(1, 4096, 1024, 1)).hasMessageContaining("does not fit the request ring");
        final LrpcLayout layout = LrpcLayout.of(8, 256 * 1024, 1024, 128);
        assertThat(layout.replyRingCapacity()).isEqualTo(256 * 1024);
        assertThat(layout.requestRingOffset() % LrpcLayout.REGION_ALIGNMENT_BYTES).isZero();
        assertThat(layout.replyRingOffset(7) % LrpcLayout.REGION_ALIGNMENT_BYTES).isZero();
        assertThat(layout.replyRingOffset(7) + layout.replyRingLength()).isLessThanOrEqualTo((int)layout.totalLength());
    }

    @Test
    void blockingCallReturnsTheResult()
    {
        LrpcCoreServices.register(fixture.server);
        final LrpcClient client = LrpcClient.attach(fixture.clientContext());
        final Thread core = new Thread(() ->
        {
            final long endMs = System.currentTimeMillis() + 5_000;
            while (System.currentTimeMillis() < endMs && 0 == fixture.server.doWork())
            {
                Thread.onSpinWait();
            }
        });
        core.start();
        final LrpcResult result = client.call(LrpcOperations.ECHO, ascii("blocking"), 0, 8);
        assertThat(result.isSuccess()).isTrue();
        assertThat(new String(result.payload())).isEqualTo("blocking");
        client.close();
        assertThat(client.send(LrpcOperations.ECHO, ascii("x"), 0, 1, recorder)).isEqualTo(LrpcOutcome.CLIENT_CLOSED.code());
    }

    private static void corrupt(final Path file, final int offset, final int value)
    {
        final MappedByteBuffer mapped = IoUtil.mapExistingFile(file.toFile(), "test");
        try
        {
            new UnsafeBuffer(mapped).putInt(offset, value);
        }
        finally
        {
            IoUtil.unmap(mapped);
        }
    }
}
