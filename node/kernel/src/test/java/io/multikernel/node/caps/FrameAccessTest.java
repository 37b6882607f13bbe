package io.multikernel.node.caps;

import io.multikernel.node.caps.CapabilityResult.Outcome;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.multikernel.node.caps.InProcessCapabilityCluster.PAGE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Frames on another host: core 0 on host 0 and core 1 on host 1, each host with its own memory.
 * Core 1's apps reach a frame in host 0's memory through a request to a core of host 0, which
 * checks it against its own replica.
 */
class FrameAccessTest
{
    @TempDir
    Path directory;

    private InProcessCapabilityCluster cluster;

    @AfterEach
    void close()
    {
        if (null != cluster)
        {
            cluster.close();
        }
    }

    private record Answer(CapabilityResult result, byte[] data)
    {
    }

    private static FrameAccess.Callback into(final List<Answer> answers)
    {
        return (result, data, offset, length) ->
        {
            final byte[] bytes = new byte[length];
            data.getBytes(offset, bytes);
            answers.add(new Answer(result, bytes));
        };
    }

    /** A frame in host 0's memory, held by core 1 (host 1) with {@code rights}. */
    private long frameOfHost0HeldByCore1(final int rights)
    {
        cluster = new InProcessCapabilityCluster(2, 2, directory);
        final long ram = cluster.run(callback -> cluster.core(0).allocate(4 * PAGE, callback)).capIds().get(0);
        final long frame = cluster.run(callback ->
            cluster.core(0).retype(ram, CapabilityType.FRAME, 0, 2 * PAGE, 1, callback)).capIds().get(0);
        final CapabilityResult given = cluster.run(callback -> cluster.core(0).mint(frame, 1, rights, callback));
        assertThat(given.outcome()).isEqualTo(Outcome.COMMITTED);
        return given.capIds().get(0);
    }

    @Test
    void aFrameOnAnotherHostIsWrittenAndReadThroughACoreOfThatHost()
    {
        final long frame = frameOfHost0HeldByCore1(Rights.READ | Rights.WRITE);
        final byte[] hello = "bytes across hosts".getBytes(StandardCharsets.UTF_8);
        final List<Answer> answers = new ArrayList<>();

        cluster.frames.get(1).write(frame, PAGE + 3, new UnsafeBuffer(hello), 0, hello.length, into(answers));
        assertThat(answers).as("answered when the reply arrives").isEmpty();
        assertThat(cluster.frames.get(1).pendingCount()).isEqualTo(1);
        cluster.deliver();
        cluster.deliver();
        assertThat(answers).hasSize(1);
        assertThat(answers.get(0).result().outcome()).isEqualTo(Outcome.DONE);

        final KernelObject object = cluster.core(1).database().object(cluster.core(1).database().capability(frame).objectId());
        final UnsafeBuffer direct = new UnsafeBuffer(new byte[hello.length]);
        cluster.memories.get(0).load(object.base() + PAGE + 3, direct, 0, hello.length);
        assertThat(direct.byteArray()).as("host 0's memory holds the bytes").isEqualTo(hello);

        cluster.frames.get(1).read(frame, PAGE + 3, hello.length, into(answers));
        cluster.deliver();
        cluster.deliver();
        assertThat(answers.get(1).result().outcome()).isEqualTo(Outcome.DONE);
        assertThat(answers.get(1).data()).isEqualTo(hello);
        assertThat(cluster.frames.get(1).pendingCount()).isZero();
    }

    @Test
    void ramOfAnotherHostIsRetypedIntoFramesOnlyByACoreOfThatHostWhichZeroesThem()
    {
        cluster = new InProcessCapabilityCluster(2, 2, directory);
        final long ram = cluster.run(callback -> cluster.core(0).allocate(4 * PAGE, callback)).capIds().get(0);
        final long ramAtCore1 = cluster.run(callback -> cluster.core(0).copy(ram, 1, callback)).capIds().get(0);
        final String before = cluster.fingerprint();

        final CapabilityResult refused = cluster.run(callback ->
            cluster.core(1).retype(ramAtCore1, CapabilityType.FRAME, 0, PAGE, 1, callback));
        assertThat(refused.outcome()).isEqualTo(Outcome.INVALID);
        assertThat(refused.message()).isEqualTo("capability " + ramAtCore1 + "'s RAM is in host 0's memory and core 1 " +
            "is on host 1: frames, which start zeroed, are made from it by a core of that host (copy the capability there)");
        assertThat(cluster.fingerprint()).as("nothing proposed").isEqualTo(before);

        assertThat(cluster.run(callback -> cluster.core(1).retype(ramAtCore1, CapabilityType.RAM, 0, PAGE, 2, callback))
            .outcome()).as("splitting RAM writes no bytes, so any holder may").isEqualTo(Outcome.COMMITTED);
    }

    @Test
    void theFramesHostChecksTheRequestAgainstItsOwnReplica()
    {
        final long frame = frameOfHost0HeldByCore1(Rights.READ);
        final List<Answer> answers = new ArrayList<>();

        // Core 1's own check refuses at once: it lacks the write right.
        cluster.frames.get(1).write(frame, 0, new UnsafeBuffer(new byte[4]), 0, 4, into(answers));
        assertThat(answers.get(0).result().outcome()).isEqualTo(Outcome.FORBIDDEN);
        assertThat(cluster.frames.get(1).pendingCount()).isZero();

        // A request that core 0 finds wrong (the frame gone from its replica) comes back with its sentence.
        cluster.frames.get(1).read(frame, 0, 4, into(answers));
        cluster.core(0).database().apply(new CapabilityOperation.Delete(frame));
        cluster.deliver();
        cluster.deliver();
        assertThat(answers.get(1).result().outcome()).isEqualTo(Outcome.NOT_FOUND);
        assertThat(answers.get(1).result().message()).isEqualTo("capability " + frame + " does not exist");
    }

    @Test
    void aRequestForgedFromACoreThatDoesNotHoldTheFrameIsRefused()
    {
        final long frame = frameOfHost0HeldByCore1(Rights.READ);
        final List<Answer> replies = new ArrayList<>();
        final FrameAccess.Sender recorder = new FrameAccess.Sender()
        {
            public boolean sendRequest(final int destination, final long correlationId, final int holderCore, final long capId,
                final long offset,
                final int readLength, final boolean write, final DirectBuffer data, final int dataOffset, final int dataLength)
            {
                return true;
            }

            public boolean sendReply(final int destination, final long correlationId, final int outcomeOrdinal,
                final DirectBuffer data, final int dataOffset, final int dataLength, final String message)
            {
                replies.add(new Answer(CapabilityResult.refused(Outcome.values()[outcomeOrdinal], message), new byte[0]));
                return true;
            }
        };
        final FrameAccess host0 = new FrameAccess(cluster.core(0), recorder, host -> List.of(0),
            new org.agrona.concurrent.SystemNanoClock());

        host0.onRequest(0, 1, 0, frame, 0, 4, false, new UnsafeBuffer(new byte[0]), 0, 0);

        assertThat(replies).hasSize(1);
        assertThat(replies.get(0).result().outcome()).isEqualTo(Outcome.FORBIDDEN);
        assertThat(replies.get(0).result().message()).contains("is held by core 1, not core 0");
    }

    @Test
    void noReachableCoreOnTheHostRefusesAtOnce()
    {
        final long frame = frameOfHost0HeldByCore1(Rights.READ);
        cluster.down.add(0);
        final List<Answer> answers = new ArrayList<>();

        cluster.frames.get(1).read(frame, 0, 4, into(answers));

        assertThat(answers.get(0).result().outcome()).isEqualTo(Outcome.UNAVAILABLE);
        assertThat(answers.get(0).result().message()).contains("no core of that host took the request");
    }

    @Test
    void anUnansweredWriteIsIndefiniteAndAnUnansweredReadUnavailable()
    {
        final long frame = frameOfHost0HeldByCore1(Rights.READ | Rights.WRITE);
        final long[] now = { 1_000 };
        final FrameAccess.Sender silent = new FrameAccess.Sender()
        {
            public boolean sendRequest(final int destination, final long correlationId, final int holderCore, final long capId,
                final long offset,
                final int readLength, final boolean write, final DirectBuffer data, final int dataOffset, final int dataLength)
            {
                return true;
            }

            public boolean sendReply(final int destination, final long correlationId, final int outcomeOrdinal,
                final DirectBuffer data, final int dataOffset, final int dataLength, final String message)
            {
                return true;
            }
        };
        final FrameAccess access = new FrameAccess(cluster.core(1), silent, host -> List.of(0), () -> now[0]);
        final List<Answer> answers = new ArrayList<>();
        access.write(frame, 0, new UnsafeBuffer(new byte[4]), 0, 4, into(answers));
        access.read(frame, 0, 4, into(answers));

        assertThat(access.doWork(now[0] + FrameAccess.REMOTE_TIMEOUT_NS - 1)).isZero();
        assertThat(access.doWork(now[0] + FrameAccess.REMOTE_TIMEOUT_NS)).isEqualTo(2);

        assertThat(answers).extracting(answer -> answer.result().outcome())
            .containsExactlyInAnyOrder(Outcome.INDEFINITE, Outcome.UNAVAILABLE);
        assertThat(answers).allSatisfy(answer -> assertThat(answer.result().message())
            .contains("did not answer within " + TimeUnit.NANOSECONDS.toMillis(FrameAccess.REMOTE_TIMEOUT_NS) + " ms"));
        access.onReply(0, 1, Outcome.DONE.ordinal(), new UnsafeBuffer(new byte[0]), 0, 0, "");
        assertThat(access.lateReplies()).isEqualTo(1);
        assertThat(answers).hasSize(2);
    }

    /** Requests as a sender was given them: destination, correlation id, capability, read length, write. */
    private record Sent(int destination, long correlationId, long capId, int readLength, boolean write)
    {
    }

    private static FrameAccess.Sender recording(final List<Sent> requests, final List<Sent> replies)
    {
        return new FrameAccess.Sender()
        {
            public boolean sendRequest(final int destination, final long correlationId, final int holderCore,
                final long capId, final long offset, final int readLength, final boolean write, final DirectBuffer data,
                final int dataOffset, final int dataLength)
            {
                requests.add(new Sent(destination, correlationId, capId, readLength, write));
                return true;
            }

            public boolean sendReply(final int destination, final long correlationId, final int outcomeOrdinal,
                final DirectBuffer data, final int dataOffset, final int dataLength, final String message)
            {
                replies.add(new Sent(destination, correlationId, outcomeOrdinal, dataLength, false));
                return true;
            }
        };
    }

    @Test
    void aWriteThatTimedOutIsSettledOnlyOnceItsCoreAnswersSomethingSentAfterIt()
    {
        final long frame = frameOfHost0HeldByCore1(Rights.READ | Rights.WRITE);
        final long now = 1_000;
        final long timeout = FrameAccess.REMOTE_TIMEOUT_NS;
        final List<Sent> requests = new ArrayList<>();
        final FrameAccess access = new FrameAccess(cluster.core(1), recording(requests, new ArrayList<>()),
            host -> List.of(0), () -> now);
        final List<Answer> answers = new ArrayList<>();
        final List<String> settled = new ArrayList<>();
        access.access(1, frame, 0, 4, true, new UnsafeBuffer(new byte[4]), 0, into(answers), () -> settled.add("write"));
        access.access(1, frame, 0, 4, false, null, 0, into(answers), () -> settled.add("read"));
        access.access(1, frame, 0, 4, true, new UnsafeBuffer(new byte[4]), 0, into(answers), () -> settled.add("second"));

        access.doWork(now + timeout);
        assertThat(answers).extracting(answer -> answer.result().outcome())
            .containsExactlyInAnyOrder(Outcome.INDEFINITE, Outcome.UNAVAILABLE, Outcome.INDEFINITE);
        assertThat(settled).as("a read that did not come back changes nothing").containsExactly("read");
        assertThat(access.unsettledCount()).isEqualTo(2);
        final Sent fence = requests.get(requests.size() - 1);
        assertThat(fence).isEqualTo(new Sent(0, fence.correlationId(), FrameAccess.FENCE_CAP_ID, 0, false));
        assertThat(access.fencesSent()).isEqualTo(1);

        assertThat(access.doWork(now + 2 * timeout - 1)).as("no second fence before the timeout").isZero();
        access.doWork(now + 2 * timeout);
        assertThat(access.fencesSent()).isEqualTo(2);

        final UnsafeBuffer none = new UnsafeBuffer(new byte[0]);
        access.onReply(1, fence.correlationId(), Outcome.DONE.ordinal(), none, 0, 0, "");
        assertThat(settled).as("an answer from another core proves nothing").containsExactly("read");
        access.onReply(0, requests.get(0).correlationId(), Outcome.DONE.ordinal(), none, 0, 0, "");
        assertThat(settled).as("the first write's own late reply: it was handled").containsExactly("read", "write");
        access.onReply(0, fence.correlationId(), Outcome.DONE.ordinal(), none, 0, 0, "");
        assertThat(settled).as("the answer to the first fence, though another went since")
            .containsExactly("read", "write", "second");
        assertThat(access.unsettledCount()).isZero();
        assertThat(access.doWork(now + 10 * timeout)).as("nothing left to fence").isZero();
    }

    @Test
    void aRestartedCoreIsFencedAtOnceAndASilentOneGivenUpOnInTheEnd()
    {
        final long frame = frameOfHost0HeldByCore1(Rights.READ | Rights.WRITE);
        final List<Sent> requests = new ArrayList<>();
        final FrameAccess access = new FrameAccess(cluster.core(1), recording(requests, new ArrayList<>()),
            host -> List.of(0), () -> 0);
        final List<String> settled = new ArrayList<>();
        access.access(1, frame, 0, 4, true, new UnsafeBuffer(new byte[4]), 0, into(new ArrayList<>()),
            () -> settled.add("write"));
        final long timedOut = FrameAccess.REMOTE_TIMEOUT_NS;
        access.doWork(timedOut);
        assertThat(access.fencesSent()).isEqualTo(1);

        access.onPeerRestarted(0);
        assertThat(settled).as("the write may have gone to the new incarnation").isEmpty();
        access.doWork(timedOut + 1);
        assertThat(access.fencesSent()).as("fenced at once, not at the next resend").isEqualTo(2);

        access.doWork(timedOut + FrameAccess.UNSETTLED_MAX_NS - 1);
        assertThat(settled).isEmpty();
        access.doWork(timedOut + FrameAccess.UNSETTLED_MAX_NS);
        assertThat(settled).as("a core that answers nothing for that long is given up on").containsExactly("write");
        assertThat(access.writesGivenUp()).isEqualTo(1);
        assertThat(access.unsettledCount()).isZero();
        final long fences = access.fencesSent();
        access.doWork(timedOut + 2 * FrameAccess.UNSETTLED_MAX_NS);
        assertThat(access.fencesSent()).as("no fences once nothing waits").isEqualTo(fences);
    }

    @Test
    void aCoreAnswersAFenceAtOnceAndTouchesNoFrame()
    {
        frameOfHost0HeldByCore1(Rights.READ);
        final List<Sent> replies = new ArrayList<>();
        final FrameAccess host = new FrameAccess(cluster.core(0), recording(new ArrayList<>(), replies),
            h -> List.of(0), () -> 0);
        host.onRequest(1, 77, 1, FrameAccess.FENCE_CAP_ID, 0, 0, false, new UnsafeBuffer(new byte[0]), 0, 0);
        assertThat(replies).containsExactly(new Sent(1, 77, Outcome.DONE.ordinal(), 0, false));
    }

    @Test
    void requestsInFlightAreBounded()
    {
        final long frame = frameOfHost0HeldByCore1(Rights.READ);
        final List<Answer> answers = new ArrayList<>();
        for (int i = 0; i < FrameAccess.REMOTE_REQUESTS_MAX; i++)
        {
            cluster.frames.get(1).read(frame, 0, 4, into(answers));
        }
        assertThat(answers).isEmpty();

        cluster.frames.get(1).read(frame, 0, 4, into(answers));

        assertThat(answers).hasSize(1);
        assertThat(answers.get(0).result().message()).contains("REMOTE_REQUESTS_MAX=" + FrameAccess.REMOTE_REQUESTS_MAX);
        cluster.deliver();
        cluster.deliver();
        assertThat(answers).hasSize(1 + FrameAccess.REMOTE_REQUESTS_MAX);
    }
}
