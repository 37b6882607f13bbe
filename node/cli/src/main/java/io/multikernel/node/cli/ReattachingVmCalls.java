package io.multikernel.node.cli;

import io.multikernel.node.caps.CapabilityType;
import io.multikernel.node.skb.RoutingProtocol;
import io.multikernel.node.vm.VmCalls;
import org.agrona.concurrent.NanoClock;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * An app's calls to its core that outlive a restart of the core. A call that did not reach the core
 * because its process is gone ({@link VmCalls#coreGone()}; its LRPC channel went with it) drops the channel; the next call attaches to the
 * core's channel again, at most every {@link #REATTACH_INTERVAL_MS}, once a new process of the core
 * has made it. Until then each call answers {@code not_delivered} after a short wait instead of
 * spinning: an app of {@code mk demo --attach} whose core was killed and restarted used to stay on
 * the dead channel for the rest of the run, millions of failed calls a second. The core's replicated
 * state (the app's capabilities and domains) is still there when it comes back.
 */
final class ReattachingVmCalls implements VmCalls
{
    /** Least time between two attempts to attach to the core's channel, ms. */
    static final long REATTACH_INTERVAL_MS = 200;
    /** Longest a call waits, without a channel, before it answers not_delivered, ms. */
    static final long DETACHED_CALL_WAIT_MS = 20;

    private final int core;
    private final Supplier<VmCalls> attach;
    private final NanoClock clock;
    private VmCalls current;
    private long nextAttachNs;
    private String lastProblem = "";
    private long reattachments;

    /**
     * @param core   the core, for messages.
     * @param attach attaches to the core's channel; throws when it cannot.
     * @param clock  for the attempts' spacing.
     */
    ReattachingVmCalls(final int core, final Supplier<VmCalls> attach, final NanoClock clock)
    {
        this.core = core;
        this.attach = attach;
        this.clock = clock;
        this.current = attach.get();
    }

    /** @return how often the channel was attached again after it was lost. */
    long reattachments()
    {
        return reattachments;
    }

    private Call call(final Function<VmCalls, Call> call)
    {
        final VmCalls calls = attached();
        if (null == calls)
        {
            final long issuedNs = clock.nanoTime();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(DETACHED_CALL_WAIT_MS));
            return new Call(false, -1, "core " + core + " is not reachable; attaching to its channel again (" +
                lastProblem + ")", 0, null, issuedNs, clock.nanoTime());
        }
        final Call answer = call.apply(calls);
        if (!answer.ok() && answer.status() < 0 && calls.coreGone())
        {
            // Not delivered because the core's process is gone: a new one makes a new channel. A core
            // that is only slow or back-pressured keeps its channel.
            lastProblem = answer.message();
            detach();
        }
        return answer;
    }

    private VmCalls attached()
    {
        if (null == current && clock.nanoTime() - nextAttachNs >= 0)
        {
            try
            {
                current = attach.get();
                reattachments++;
            }
            catch (final RuntimeException ex)
            {
                lastProblem = String.valueOf(ex.getMessage());
                nextAttachNs = clock.nanoTime() + TimeUnit.MILLISECONDS.toNanos(REATTACH_INTERVAL_MS);
            }
        }
        return current;
    }

    private void detach()
    {
        final VmCalls lost = current;
        current = null;
        nextAttachNs = clock.nanoTime() + TimeUnit.MILLISECONDS.toNanos(REATTACH_INTERVAL_MS);
        try
        {
            lost.close();
        }
        catch (final RuntimeException ignored)
        {
            // The channel's core is gone; nothing of it needs closing cleanly.
        }
    }

    @Override
    public Call allocate(final long bytes)
    {
        return call(c -> c.allocate(bytes));
    }

    @Override
    public Call retype(final long capId, final CapabilityType type, final long offset, final long objectLength,
        final int count)
    {
        return call(c -> c.retype(capId, type, offset, objectLength, count));
    }

    @Override
    public Call revoke(final long capId)
    {
        return call(c -> c.revoke(capId));
    }

    @Override
    public Call delete(final long capId)
    {
        return call(c -> c.delete(capId));
    }

    @Override
    public Call create(final long rootVnodeCapId, final int... cores)
    {
        return call(c -> c.create(rootVnodeCapId, cores));
    }

    @Override
    public Call map(final long domain, final long vaddr, final long frameCapId, final long frameOffset, final long length,
        final int rights)
    {
        return call(c -> c.map(domain, vaddr, frameCapId, frameOffset, length, rights));
    }

    @Override
    public Call unmap(final long domain, final long vaddr, final long length, final RoutingProtocol protocol)
    {
        return call(c -> c.unmap(domain, vaddr, length, protocol));
    }

    @Override
    public Call protect(final long domain, final long vaddr, final long length, final int rights,
        final RoutingProtocol protocol)
    {
        return call(c -> c.protect(domain, vaddr, length, rights, protocol));
    }

    @Override
    public Call span(final long domain, final int core)
    {
        return call(c -> c.span(domain, core));
    }

    @Override
    public Call shrink(final long domain, final int core, final RoutingProtocol protocol)
    {
        return call(c -> c.shrink(domain, core, protocol));
    }

    @Override
    public Call destroy(final long domain, final RoutingProtocol protocol)
    {
        return call(c -> c.destroy(domain, protocol));
    }

    @Override
    public Call load(final long domain, final long vaddr, final int length)
    {
        return call(c -> c.load(domain, vaddr, length));
    }

    @Override
    public Call store(final long domain, final long vaddr, final byte[] bytes)
    {
        return call(c -> c.store(domain, vaddr, bytes));
    }

    @Override
    public String via()
    {
        return "lrpc";
    }

    @Override
    public void close()
    {
        if (null != current)
        {
            current.close();
            current = null;
        }
    }
}
