package io.multikernel.it;

import io.multikernel.node.caps.CapabilityType;
import io.multikernel.node.caps.Rights;
import io.multikernel.node.lrpc.LrpcClient;
import io.multikernel.node.skb.RoutingProtocol;
import io.multikernel.node.vm.VmCalls;
import io.multikernel.node.vm.VmClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.multikernel.it.Await.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The unmap guarantee across core JVMs: apps on every core of a domain load and store in a loop at a
 * mapped page while core 0's app unmaps it; once the unmap has returned, no load or store through
 * that mapping succeeds on any core. Each app records when it issued every access (the host's
 * monotonic clock, shared by every process here), so a violation is named by core, time and
 * address. Every routing protocol, on one host and on two (where the frame is in host 0's memory and
 * host 1's cores reach it through a core of host 0).
 */
class UnmapShootdownIT
{
    /** VADDR: where the page is mapped. */
    static final long VADDR = 0x20_0000L;
    static final long PAGE = 4096;
    /** LOOP_BEFORE_MS, LOOP_AFTER_MS: how long the apps access the page before the unmap and after it returns. */
    static final long LOOP_BEFORE_MS = 300;
    static final long LOOP_AFTER_MS = 300;
    /** PHASE_TIMEOUT_S: longest wait for every core to have accessed the page (before) or faulted (after). */
    static final long PHASE_TIMEOUT_S = 30;
    /** APP_JOIN_TIMEOUT_MS: longest wait for an app thread to stop. */
    static final long APP_JOIN_TIMEOUT_MS = 10_000;

    @TempDir
    Path root;

    private TestCluster cluster;
    private final List<LrpcClient> clients = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException
    {
        clients.forEach(LrpcClient::close);
        if (null != cluster)
        {
            cluster.stop();
        }
    }

    /** One access an app made. */
    private record Access(int core, boolean store, long issuedNs, long answeredNs, boolean ok, String status)
    {
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void onOneHostNoCoreAccessesThePageOnceUnmapReturned() throws Exception
    {
        run(3, 1);
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void acrossTwoHostsNoCoreAccessesThePageOnceUnmapReturned() throws Exception
    {
        run(4, 2);
    }

    private void run(final int cores, final int hosts) throws Exception
    {
        cluster = new TestCluster(root, List.of());
        cluster.up(cores, hosts);
        final List<VmClient> apps = new ArrayList<>();
        for (int core = 0; core < cores; core++)
        {
            final LrpcClient client = LrpcClient.attach(new LrpcClient.Context()
                .file(cluster.runDirectory().lrpcFile(core)).coreId(core));
            clients.add(client);
            apps.add(new VmClient(client));
        }
        final VmClient owner = apps.get(0);
        final long ram = ok(owner.allocate(4 * PAGE), "allocate").value();
        final long vnode = ok(owner.retype(ram, CapabilityType.VNODE, 0, PAGE, 1), "retype a VNODE").value();
        final long frame = ok(owner.retype(ram, CapabilityType.FRAME, PAGE, PAGE, 1), "retype a FRAME").value();
        final int[] everyCore = new int[cores];
        for (int core = 0; core < cores; core++)
        {
            everyCore[core] = core;
        }
        final long domain = ok(owner.create(vnode, everyCore), "create").value();

        for (final RoutingProtocol protocol : RoutingProtocol.values())
        {
            final long mapping = ok(owner.map(domain, VADDR, frame, 0, PAGE, Rights.READ | Rights.WRITE), "map").value();
            final List<Access> accesses = Collections.synchronizedList(new ArrayList<>());
            final AtomicBoolean stop = new AtomicBoolean();
            final List<Thread> threads = new ArrayList<>();
            for (int core = 1; core < cores; core++)
            {
                final int self = core;
                final VmClient app = apps.get(core);
                final Thread thread = new Thread(() -> loop(self, app, domain, stop, accesses), "app-" + core);
                threads.add(thread);
                thread.start();
            }
            Thread.sleep(LOOP_BEFORE_MS);
            awaitTrue(protocol + ": every other core accessed the page while it was mapped", () ->
                everyCoreAccessed(accesses, cores, 1, Long.MIN_VALUE, false), PHASE_TIMEOUT_S);
            // Core 0's own app accesses too, right up to its unmap.
            for (int i = 0; i < 20; i++)
            {
                accesses.add(access(0, owner, domain, i % 2 == 0));
            }
            final VmCalls.Call unmapped = ok(owner.unmap(domain, VADDR, PAGE, protocol), "unmap with " + protocol);
            final long returnedNs = unmapped.answeredNs();
            for (int i = 0; i < 20; i++)
            {
                accesses.add(access(0, owner, domain, i % 2 == 0));
            }
            Thread.sleep(LOOP_AFTER_MS);
            awaitTrue(protocol + ": every other core faulted after the unmap returned", () ->
                everyCoreAccessed(accesses, cores, 1, returnedNs, true), PHASE_TIMEOUT_S);
            stop.set(true);
            for (final Thread thread : threads)
            {
                thread.join(APP_JOIN_TIMEOUT_MS);
                assertThat(thread.isAlive()).as(thread.getName() + " stopped").isFalse();
            }

            final List<Access> seen;
            synchronized (accesses)
            {
                seen = new ArrayList<>(accesses);
            }
            final List<String> violations = new ArrayList<>();
            for (final Access access : seen)
            {
                if (access.ok() && access.issuedNs() > returnedNs)
                {
                    violations.add("core " + access.core() + " " + (access.store() ? "stored to" : "loaded from") +
                        " 0x" + Long.toHexString(VADDR) + " (mapping " + mapping + ") " +
                        TimeUnit.NANOSECONDS.toMicros(access.issuedNs() - returnedNs) + " us after the unmap returned");
                }
            }
            System.out.println(protocol.cliName() + " on " + cores + " cores / " + hosts + " host(s): unmap " +
                TimeUnit.NANOSECONDS.toMicros(returnedNs - unmapped.issuedNs()) + " us (shootdown " +
                TimeUnit.NANOSECONDS.toMicros(unmapped.value()) + " us), " + seen.size() + " accesses, " +
                seen.stream().filter(Access::ok).count() + " succeeded");
            assertThat(violations).as("%s: accesses through the mapping after its unmap returned", protocol).isEmpty();
            for (int core = 0; core < cores; core++)
            {
                final int self = core;
                assertThat(seen).as("%s: core %d accessed the page while it was mapped", protocol, core)
                    .anyMatch(a -> a.core() == self && a.ok() && a.answeredNs() < returnedNs);
                assertThat(seen).as("%s: core %d faulted after the unmap returned", protocol, core)
                    .anyMatch(a -> a.core() == self && "fault".equals(a.status()) && a.issuedNs() > returnedNs);
            }
        }
    }

    /**
     * @return true when every core from {@code firstCore} made an access issued after {@code afterNs}
     *         that succeeded ({@code fault} false) or faulted ({@code fault} true).
     */
    private static boolean everyCoreAccessed(final List<Access> accesses, final int cores, final int firstCore,
        final long afterNs, final boolean fault)
    {
        synchronized (accesses)
        {
            for (int core = firstCore; core < cores; core++)
            {
                final int self = core;
                if (accesses.stream().noneMatch(a -> a.core() == self && a.issuedNs() > afterNs &&
                    (fault ? "fault".equals(a.status()) : a.ok())))
                {
                    return false;
                }
            }
            return true;
        }
    }

    private static void loop(final int core, final VmClient app, final long domain, final AtomicBoolean stop,
        final List<Access> accesses)
    {
        boolean store = false;
        while (!stop.get())
        {
            accesses.add(access(core, app, domain, store));
            store = !store;
        }
    }

    private static Access access(final int core, final VmClient app, final long domain, final boolean store)
    {
        final VmCalls.Call call = store ?
            app.store(domain, VADDR + 8L * core, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(core).array()) :
            app.load(domain, VADDR, 8);
        return new Access(core, store, call.issuedNs(), call.answeredNs(), call.ok(), call.statusName());
    }

    private static VmCalls.Call ok(final VmCalls.Call call, final String what)
    {
        assertThat(call.ok()).as(what + ": " + call.statusName() + " " + call.message()).isTrue();
        return call;
    }
}
