package io.multikernel.node.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.multikernel.node.caps.CapabilityType;
import io.multikernel.node.caps.Rights;
import io.multikernel.node.launcher.RunDirectory;
import io.multikernel.node.lrpc.LrpcClient;
import io.multikernel.node.lrpc.LrpcStatus;
import io.multikernel.node.skb.RoutingProtocol;
import io.multikernel.node.vm.VmCalls;
import io.multikernel.node.vm.VmClient;
import org.HdrHistogram.Histogram;

/**
 * The app of {@code mk bench unmap}: attached to core 0's LRPC channel it builds a domain that spans
 * every core of the cluster (RAM from core 0's memory server, retyped into a root VNODE and a one-page
 * FRAME), then times unmaps of that page with a given protocol.
 * <p>
 * One round: map the frame at {@link #VADDR} (a 2PC over the domain's cores, not timed); when TLBs are
 * to be filled, load a word through the mapping on every other core, each through an app attached to
 * that core, so every core's TLB holds the entry the unmap takes away; then unmap with the protocol and
 * record the call's latency as the app saw it ({@code answeredNs - issuedNs}), which includes the LRPC
 * to core 0, the 2PC of the page-table change and the TLB shootdown it waits for.
 * <p>
 * Every call ends definitely or the run fails with one sentence naming the round, the core and the
 * status; a failed run leaves the page unmapped when it can, so the next protocol starts clean.
 */
final class UnmapApp implements AutoCloseable
{
    /** Where the frame is mapped: a fixed, page-aligned address. */
    static final long VADDR = 0x40_0000L;
    /** Bytes loaded on each other core to fill its TLB. */
    static final int LOAD_LENGTH_BYTES = 8;
    /** Longest one call (a map, a load, an unmap) may take before the run fails, ns. */
    static final long CALL_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);
    /** Longest a map or a load answered UNAVAILABLE (retry) is repeated before the run fails, ns. */
    static final long RETRY_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    /** Largest latency the histogram records; longer ones are recorded as this, ns. */
    static final long LATENCY_MAX_NS = CALL_TIMEOUT_NS;

    private static final long PAGE = CapabilityType.PAGE_LENGTH_BYTES;

    /**
     * What a protocol's measured rounds took.
     *
     * @param unmapNs     each unmap call as the app saw it, from issue to answer, ns.
     * @param shootdownNs the shootdown of each, as core 0 timed it and answered it, ns.
     */
    record Latencies(Histogram unmapNs, Histogram shootdownNs)
    {
    }

    private final int cores;
    private final boolean fillTlbs;
    private final List<LrpcClient> clients = new ArrayList<>();
    private final VmClient app;
    private final VmClient[] loaders;
    private long frame;
    private long domain = -1;
    private long retries;

    /**
     * Attaches to core 0 and, when TLBs are to be filled, to every other core.
     *
     * @param runDirectory the cluster's run directory.
     * @param cores        cores in the cluster; the domain spans all of them.
     * @param fillTlbs     load the page on every other core before each unmap.
     */
    UnmapApp(final RunDirectory runDirectory, final int cores, final boolean fillTlbs)
    {
        this.cores = cores;
        this.fillTlbs = fillTlbs;
        this.loaders = new VmClient[cores];
        try
        {
            app = new VmClient(attach(runDirectory, 0));
            loaders[0] = app;
            for (int core = 1; fillTlbs && core < cores; core++)
            {
                loaders[core] = new VmClient(attach(runDirectory, core));
            }
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    private LrpcClient attach(final RunDirectory runDirectory, final int core)
    {
        final LrpcClient client = LrpcClient.attach(new LrpcClient.Context()
            .file(runDirectory.lrpcFile(core))
            .coreId(core)
            .callTimeoutNs(CALL_TIMEOUT_NS));
        clients.add(client);
        return client;
    }

    /**
     * Allocates two pages of RAM on core 0, retypes a root VNODE and a one-page FRAME from them and
     * creates a domain spanning every core.
     *
     * @throws IOException naming the step that failed and the core's answer.
     */
    void createDomain() throws IOException
    {
        final long ram = check(app.allocate(2 * PAGE), "allocating RAM").value();
        final long vnode = check(app.retype(ram, CapabilityType.VNODE, 0, PAGE, 1), "retyping a VNODE").value();
        frame = check(app.retype(ram, CapabilityType.FRAME, PAGE, PAGE, 1), "retyping a FRAME").value();
        final int[] all = new int[cores];
        for (int core = 0; core < cores; core++)
        {
            all[core] = core;
        }
        domain = check(app.create(vnode, all), "creating a domain on " + cores + " cores").value();
    }

    /**
     * @param protocol the shootdown's routing protocol.
     * @param warmup   rounds before measuring.
     * @param rounds   measured rounds.
     * @return the latencies of the measured rounds.
     * @throws IOException naming the round, the step and the core's answer; the page is unmapped if it can be.
     */
    Latencies run(final RoutingProtocol protocol, final int warmup, final int rounds) throws IOException
    {
        if (domain < 0)
        {
            throw new IllegalStateException("run before createDomain");
        }
        final Latencies latencies = new Latencies(new Histogram(LATENCY_MAX_NS, 3), new Histogram(LATENCY_MAX_NS, 3));
        for (int round = 1; round <= warmup + rounds; round++)
        {
            final String where = protocol.cliName() + " round " + round;
            check(retried(() -> app.map(domain, VADDR, frame, 0, PAGE, Rights.READ | Rights.WRITE)), where + ": map");
            try
            {
                fill(where);
                final VmCalls.Call unmapped = check(app.unmap(domain, VADDR, PAGE, protocol), where + ": unmap");
                if (round > warmup)
                {
                    latencies.unmapNs().recordValue(Math.min(unmapped.answeredNs() - unmapped.issuedNs(), LATENCY_MAX_NS));
                    latencies.shootdownNs().recordValue(Math.max(0, Math.min(unmapped.value(), LATENCY_MAX_NS)));
                }
            }
            catch (final IOException ex)
            {
                // Leave the page unmapped so that the next protocol can map it; if this fails too, the first failure counts.
                app.unmap(domain, VADDR, PAGE, null);
                throw ex;
            }
        }
        return latencies;
    }

    /** Loads through the mapping on every other core, so each TLB holds the entry the unmap removes. */
    private void fill(final String where) throws IOException
    {
        for (int core = 1; fillTlbs && core < cores; core++)
        {
            final VmClient loader = loaders[core];
            check(retried(() -> loader.load(domain, VADDR, LOAD_LENGTH_BYTES)), where + ": load on core " + core);
        }
    }

    /**
     * A map is answered once committed on core 0, and another core may still hold it prepared: until it
     * applies the commit it answers a load UNAVAILABLE (retry), as it fills no entry of a domain whose
     * change is prepared there. Such calls are repeated, yielding between attempts, for at most
     * {@link #RETRY_TIMEOUT_NS}; {@link #retries()} counts them.
     */
    private VmCalls.Call retried(final Supplier<VmCalls.Call> call)
    {
        final long deadlineNs = System.nanoTime() + RETRY_TIMEOUT_NS;
        VmCalls.Call answer = call.get();
        while (!answer.ok() && LrpcStatus.UNAVAILABLE == answer.status() && answer.answeredNs() - deadlineNs < 0)
        {
            retries++;
            Thread.yield();
            answer = call.get();
        }
        return answer;
    }

    /** @return calls repeated because a core answered UNAVAILABLE (retry), since this app attached. */
    long retries()
    {
        return retries;
    }

    private static VmCalls.Call check(final VmCalls.Call call, final String what) throws IOException
    {
        if (!call.ok())
        {
            throw new IOException(what + " failed: " + call.statusName().toLowerCase(Locale.ROOT) +
                (null == call.message() || call.message().isEmpty() ? "" : ", " + call.message()));
        }
        return call;
    }

    @Override
    public void close()
    {
        for (final LrpcClient client : clients)
        {
            client.close();
        }
        clients.clear();
    }
}
