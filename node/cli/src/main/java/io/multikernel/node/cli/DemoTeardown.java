package io.multikernel.node.cli;

import io.multikernel.node.lrpc.LrpcStatus;
import io.multikernel.node.vm.VmCalls;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * What {@code mk demo --attach} does once its verdict is in: the cluster keeps running, so the demo
 * takes away what it made. Every domain it created is destroyed (through a core that runs it), then
 * every app gives back its RAM ({@link DemoApp#giveBack()}), so a cluster that ran the demo holds no
 * more domains, capabilities or memory of it than before. Runs after the apps stopped: each app's
 * calls are used by one thread at a time.
 */
final class DemoTeardown
{
    /** CALL_TRIES_MAX: tries of one teardown call answered unavailable or aborted (contention, a core catching up). */
    static final int CALL_TRIES_MAX = 20;
    /** RETRY_INTERVAL_NS: pause between two tries. */
    static final long RETRY_INTERVAL_NS = 50_000_000L;

    /**
     * @param destroyed domains destroyed.
     * @param problems  the first reason of each thing left behind; empty when nothing was.
     */
    record Result(int destroyed, List<String> problems)
    {
    }

    private DemoTeardown()
    {
    }

    /**
     * @param registry the domains the demo made, with the cores each runs on as the apps last saw them.
     * @param apps     the apps, each with its core's calls.
     * @return what was taken away, and what could not be.
     */
    static Result run(final DemoRegistry registry, final List<DemoApp> apps)
    {
        final Map<Integer, VmCalls> byCore = new java.util.TreeMap<>();
        for (int core = 0; core < apps.size(); core++)
        {
            byCore.put(core, apps.get(core).calls());
        }
        final List<String> problems = new ArrayList<>();
        int destroyed = 0;
        for (final DemoRegistry.DomainEntry entry : registry.domains())
        {
            final String problem = destroy(entry, byCore);
            if (null == problem)
            {
                destroyed++;
            }
            else
            {
                problems.add(problem);
            }
        }
        for (final DemoApp app : apps)
        {
            final String problem = app.giveBack();
            if (null != problem)
            {
                problems.add(problem);
            }
        }
        return new Result(destroyed, List.copyOf(problems));
    }

    /**
     * Destroys a domain through the cores the apps last saw it on, then through any other: a span or
     * shrink whose answer was lost may have changed its cores.
     *
     * @return null when destroyed, else why not.
     */
    private static String destroy(final DemoRegistry.DomainEntry entry, final Map<Integer, VmCalls> byCore)
    {
        final Set<Integer> order = new LinkedHashSet<>();
        for (final int core : entry.cores())
        {
            order.add(core);
        }
        order.addAll(byCore.keySet());
        VmCalls.Call last = null;
        for (final int core : order)
        {
            final VmCalls calls = byCore.get(core);
            if (null == calls)
            {
                continue;
            }
            last = retry(() -> calls.destroy(entry.domain, null));
            if (last.ok())
            {
                return null;
            }
        }
        return "domain " + entry.domain + " could not be destroyed: " + (null == last ? "no core to ask" :
            last.statusName() + ": " + last.message());
    }

    /**
     * @param call one call.
     * @return its answer, asked again up to {@link #CALL_TRIES_MAX} times while it is unavailable or aborted.
     */
    static VmCalls.Call retry(final Supplier<VmCalls.Call> call)
    {
        VmCalls.Call answer = call.get();
        for (int tries = 1; tries < CALL_TRIES_MAX && !answer.ok() &&
            (LrpcStatus.UNAVAILABLE == answer.status() || LrpcStatus.ABORTED == answer.status()); tries++)
        {
            LockSupport.parkNanos(RETRY_INTERVAL_NS);
            answer = call.get();
        }
        return answer;
    }
}
