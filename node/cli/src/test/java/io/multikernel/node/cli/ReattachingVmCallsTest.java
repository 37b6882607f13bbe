package io.multikernel.node.cli;

import io.multikernel.node.caps.CapabilityType;
import io.multikernel.node.skb.RoutingProtocol;
import io.multikernel.node.vm.VmCalls;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class ReattachingVmCallsTest
{
    /** A channel to one process of the core: answers until that process is gone, then not_delivered. */
    private static final class Channel implements VmCalls
    {
        final int process;
        boolean gone;
        /** Not delivered, but the process lives: timed out, back-pressured. */
        boolean slow;
        boolean closed;
        int calls;

        Channel(final int process)
        {
            this.process = process;
        }

        private Call answer()
        {
            calls++;
            return gone ? new Call(false, -1, "core 1 (process " + process + ") is not running", 0, null, 0, 0) :
                slow ? new Call(false, -1, "timed out", 0, null, 0, 0) : new Call(true, 0, "ok", process, null, 0, 0);
        }

        public Call allocate(final long bytes)
        {
            return answer();
        }

        public Call retype(final long capId, final CapabilityType type, final long offset, final long objectLength,
            final int count)
        {
            return answer();
        }

        public Call revoke(final long capId)
        {
            return answer();
        }

        public Call delete(final long capId)
        {
            return answer();
        }

        public Call create(final long rootVnodeCapId, final int... cores)
        {
            return answer();
        }

        public Call map(final long domain, final long vaddr, final long frameCapId, final long frameOffset,
            final long length, final int rights)
        {
            return answer();
        }

        public Call unmap(final long domain, final long vaddr, final long length, final RoutingProtocol protocol)
        {
            return answer();
        }

        public Call protect(final long domain, final long vaddr, final long length, final int rights,
            final RoutingProtocol protocol)
        {
            return answer();
        }

        public Call span(final long domain, final int core)
        {
            return answer();
        }

        public Call shrink(final long domain, final int core, final RoutingProtocol protocol)
        {
            return answer();
        }

        public Call destroy(final long domain, final RoutingProtocol protocol)
        {
            return answer();
        }

        public Call load(final long domain, final long vaddr, final int length)
        {
            return answer();
        }

        public Call store(final long domain, final long vaddr, final byte[] bytes)
        {
            return answer();
        }

        public String via()
        {
            return "lrpc";
        }

        public boolean coreGone()
        {
            return gone;
        }

        public void close()
        {
            closed = true;
        }
    }

    @Test
    void aCallThatDidNotReachTheCoreDropsTheChannelAndALaterOneAttachesToTheNewProcess()
    {
        final CachedNanoClock clock = new CachedNanoClock();
        final List<Channel> channels = new ArrayList<>();
        final boolean[] coreRunning = { true };
        final ReattachingVmCalls calls = new ReattachingVmCalls(1, () ->
        {
            if (!coreRunning[0])
            {
                throw new IllegalStateException("core 1 is not running: there is no LRPC file");
            }
            final Channel channel = new Channel(channels.size() + 1);
            channels.add(channel);
            return channel;
        }, clock);
        assertThat(calls.load(7, 0, 8).value()).as("answered by the first process").isEqualTo(1);
        channels.get(0).slow = true;
        assertThat(calls.load(7, 0, 8).statusName()).isEqualTo("not_delivered");
        assertThat(channels.get(0).closed).as("a core that is only slow keeps its channel").isFalse();
        channels.get(0).slow = false;

        channels.get(0).gone = true;
        coreRunning[0] = false;
        final VmCalls.Call lost = calls.load(7, 0, 8);
        assertThat(lost.statusName()).isEqualTo("not_delivered");
        assertThat(channels.get(0).closed).as("the dead channel is let go").isTrue();

        // While the core is down: no attempt before the interval, then a failed one; calls answer not_delivered.
        final VmCalls.Call waiting = calls.load(7, 0, 8);
        assertThat(waiting.statusName()).isEqualTo("not_delivered");
        assertThat(waiting.message()).startsWith("core 1 is not reachable; attaching to its channel again");
        assertThat(channels.get(0).calls).as("the dead channel is not called again").isEqualTo(3);
        clock.advance(TimeUnit.MILLISECONDS.toNanos(ReattachingVmCalls.REATTACH_INTERVAL_MS));
        assertThat(calls.load(7, 0, 8).message()).contains("core 1 is not running: there is no LRPC file");

        // The core is back: the next call after the interval goes to its new channel.
        coreRunning[0] = true;
        clock.advance(TimeUnit.MILLISECONDS.toNanos(ReattachingVmCalls.REATTACH_INTERVAL_MS));
        assertThat(calls.store(7, 0, new byte[8]).value()).as("answered by the second process").isEqualTo(2);
        assertThat(calls.reattachments()).isOne();
        calls.close();
        assertThat(channels.get(1).closed).isTrue();
    }
}
