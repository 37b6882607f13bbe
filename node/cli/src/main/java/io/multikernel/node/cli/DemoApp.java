package io.multikernel.node.cli;

import io.multikernel.node.caps.CapabilityType;
import io.multikernel.node.caps.Rights;
import io.multikernel.node.lrpc.LrpcStatus;
import io.multikernel.node.skb.RoutingProtocol;
import io.multikernel.node.vm.VmCalls;
import org.agrona.concurrent.NanoClock;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * One app of {@code mk demo}: a thread with its own {@link VmCalls} to one core (its LRPC channel, or
 * its admin API), which makes the domains it was given, then runs the mix until told to stop.
 *
 * <p>Memory: the app allocates RAM of {@link #RAM_PAGES} pages from its core's memory server and
 * retypes one FRAME out of it for each map; when the RAM is used up it allocates more. A revoke step
 * takes back a RAM (every frame retyped from it goes, and the mappings of those frames with their
 * TLB shootdowns) and deletes it, returning it to the memory server; the RAM holding its domains'
 * root VNODEs is never revoked. A mapping's page gets its tag (the mapping id) stored at its start before the mapping is
 * published; stores of the mix write at {@link #STORE_OFFSET_BYTES}, so the tag stays.
 *
 * <p>UNAVAILABLE and ABORTED answers are contention: what was tried stays to be tried again by a
 * later step. The seed makes each app's choices replayable, not the interleaving of the apps.
 */
final class DemoApp implements Runnable
{
    /** REVOKE_MAPPED_EVERY: one revoke in this many (on average) takes a RAM whose frames are mapped. */
    static final int REVOKE_MAPPED_EVERY = 3;
    /** RAM_PAGES: pages of each RAM capability the app allocates for frames. */
    static final int RAM_PAGES = 32;
    /** LIVE_MAPPINGS_MAX: the app's mappings at most; a map step beyond unmaps instead. */
    static final int LIVE_MAPPINGS_MAX = 48;
    /** SPARE_FRAMES_MAX: frames a retype step makes ahead of the maps that will use them. */
    static final int SPARE_FRAMES_MAX = 8;
    /** SETUP_TIMEOUT_NS: how long making the app's domains may be retried. */
    static final long SETUP_TIMEOUT_NS = 30_000_000_000L;
    /** SETUP_RETRY_INTERVAL_NS: pause between tries of a setup call answered unavailable or aborted. */
    static final long SETUP_RETRY_INTERVAL_NS = 10_000_000L;
    /** TAG_LENGTH_BYTES: the tag at a mapping's page start. */
    static final int TAG_LENGTH_BYTES = 8;
    /** STORE_OFFSET_BYTES: where the mix's stores write in a page, past the tag. */
    static final int STORE_OFFSET_BYTES = 64;
    /** PAGE: bytes of one page. */
    static final long PAGE = CapabilityType.PAGE_LENGTH_BYTES;
    /** VPAGES_PER_APP: each app maps in its own range of virtual pages of a domain, this many pages. */
    static final long VPAGES_PER_APP = 1L << 22;

    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final int READ_WRITE = Rights.READ | Rights.WRITE;

    /** A RAM capability frames are retyped from. */
    private static final class Ram
    {
        final long cap;
        int nextPage;
        int mappedFrames;

        Ram(final long cap)
        {
            this.cap = cap;
        }
    }

    private record Frame(long cap, Ram ram)
    {
    }

    /** A mapping this app made. */
    private static final class Own
    {
        final DemoRegistry.Published mapping;
        final Frame frame;
        int rights = READ_WRITE;
        boolean published;

        Own(final DemoRegistry.Published mapping, final Frame frame)
        {
            this.mapping = mapping;
            this.frame = frame;
        }
    }

    private final int core;
    private final VmCalls client;
    private final DemoRegistry registry;
    private final DemoStats stats;
    private final DemoStats.Local local = new DemoStats.Local();
    private final DemoStaleAccessChecker checker;
    private final DemoMix mix;
    private final SplittableRandom random;
    private final RoutingProtocol protocol;
    private final AtomicLong protocolTurn;
    private final AtomicBoolean running;
    private final NanoClock clock;
    private final long intervalNs;
    private final List<DemoRegistry.Plan> domainsToCreate;
    private final java.util.concurrent.CountDownLatch start;
    private final List<Ram> rams = new ArrayList<>();
    private final ArrayDeque<Frame> spares = new ArrayDeque<>();
    private final List<Own> own = new ArrayList<>();
    private final Map<Long, ArrayDeque<Long>> freeVaddrs = new HashMap<>();
    private final Map<Long, Long> nextVpage = new HashMap<>();
    private final ByteBuffer bytes = ByteBuffer.allocate(TAG_LENGTH_BYTES).order(ORDER);
    private Ram current;
    /** The RAM the domains' root VNODEs were retyped from; 0 until made. */
    private long rootsRam;
    private long storeCount;
    private volatile Throwable failure;

    /**
     * @param core            the core the client is attached to.
     * @param client          this app's client.
     * @param domainsToCreate the cores of each domain this app creates (this core among them).
     * @param start           counted down once this app's domains exist (or its setup failed), then awaited:
     *                        the workload starts when every app's domains exist.
     * @param protocol        the shootdown protocol of every change, or null to take turns over all.
     * @param protocolTurn    shared by the apps: whose turn it is when taking turns.
     * @param ratePerS        steps per second at most; 0 for as fast as answers come.
     */
    DemoApp(final int core, final VmCalls client, final DemoRegistry registry, final DemoStats stats,
        final DemoStaleAccessChecker checker, final DemoMix mix, final long seed, final RoutingProtocol protocol,
        final AtomicLong protocolTurn, final AtomicBoolean running, final NanoClock clock, final int ratePerS,
        final List<DemoRegistry.Plan> domainsToCreate, final java.util.concurrent.CountDownLatch start)
    {
        this.core = core;
        this.client = client;
        this.registry = registry;
        this.stats = stats;
        this.checker = checker;
        this.mix = mix;
        this.random = new SplittableRandom(seed);
        this.protocol = protocol;
        this.protocolTurn = protocolTurn;
        this.running = running;
        this.clock = clock;
        this.intervalNs = 0 == ratePerS ? 0 : 1_000_000_000L / ratePerS;
        this.domainsToCreate = domainsToCreate;
        this.start = start;
    }

    /** @return the core this app runs on. */
    int core()
    {
        return core;
    }

    /** @return what stopped this app, or null. */
    Throwable failure()
    {
        return failure;
    }

    DemoStats.Local local()
    {
        return local;
    }

    @Override
    public void run()
    {
        try
        {
            setUp();
        }
        catch (final RuntimeException ex)
        {
            failure = ex;
            return;
        }
        finally
        {
            start.countDown();
        }
        try
        {
            start.await();
            long nextNs = clock.nanoTime();
            while (running.get())
            {
                if (0 != intervalNs)
                {
                    final long waitNs = nextNs - clock.nanoTime();
                    if (waitNs > 0)
                    {
                        LockSupport.parkNanos(waitNs);
                        continue;
                    }
                    nextNs += intervalNs;
                }
                step(mix.pick(random.nextInt(DemoMix.PERCENT_TOTAL)));
                stats.steps.increment();
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final RuntimeException ex)
        {
            failure = ex;
        }
    }

    /** Makes this app's domains, each rooted in a VNODE retyped from RAM kept for them. */
    private void setUp()
    {
        if (domainsToCreate.isEmpty())
        {
            return;
        }
        final long roots = setUpCall("allocate", () -> client.allocate(domainsToCreate.size() * PAGE)).value();
        rootsRam = roots;
        for (int i = 0; i < domainsToCreate.size(); i++)
        {
            final long offset = i * PAGE;
            final long vnode = setUpCall("retype", () -> client.retype(roots, CapabilityType.VNODE, offset, PAGE, 1)).value();
            final DemoRegistry.Plan plan = domainsToCreate.get(i);
            final long domain = setUpCall("create", () -> client.create(vnode, plan.cores())).value();
            registry.addDomain(domain, plan.cores(), plan.home());
        }
    }

    private VmCalls.Call setUpCall(final String name, final java.util.function.Supplier<VmCalls.Call> call)
    {
        final long deadlineNs = clock.nanoTime() + SETUP_TIMEOUT_NS;
        while (true)
        {
            final VmCalls.Call answer = stats.change(local, name, call.get());
            if (answer.ok())
            {
                return answer;
            }
            final boolean contention = LrpcStatus.UNAVAILABLE == answer.status() || LrpcStatus.ABORTED == answer.status();
            if (!contention || clock.nanoTime() - deadlineNs > 0)
            {
                throw new IllegalStateException("the app on core " + core + " could not " + name + " while setting up: " +
                    answer.statusName() + ": " + answer.message());
            }
            LockSupport.parkNanos(SETUP_RETRY_INTERVAL_NS);
        }
    }

    private void step(final DemoOperation operation)
    {
        switch (operation)
        {
            case LOAD -> load();
            case STORE -> store();
            case MAP -> map();
            case UNMAP -> unmap();
            case PROTECT -> protect();
            case SPAN -> span();
            case SHRINK -> shrink();
            case RETYPE -> retypeSpare();
            case REVOKE -> revoke();
            default -> throw new IllegalStateException("no step for " + operation);
        }
    }

    private DemoRegistry.DomainEntry anyDomainOfMine(final boolean homeToo)
    {
        final List<DemoRegistry.DomainEntry> mine = registry.domainsOf(core);
        if (!homeToo)
        {
            mine.removeIf(entry -> entry.home);
        }
        return mine.isEmpty() ? null : mine.get(random.nextInt(mine.size()));
    }

    private void load()
    {
        final DemoRegistry.DomainEntry entry = anyDomainOfMine(true);
        final DemoRegistry.Published target = null == entry ? null : registry.pick(entry, random);
        if (null == target)
        {
            stats.skipped.increment();
            return;
        }
        final VmCalls.Call answer = stats.access(local, "load", client.load(target.domain(), target.vaddr(),
            TAG_LENGTH_BYTES));
        if (answer.ok() && answer.data().length >= TAG_LENGTH_BYTES)
        {
            final long tag = ByteBuffer.wrap(answer.data()).order(ORDER).getLong(0);
            checker.onLoad(core, target.domain(), target.vaddr(), answer.issuedNs(), tag);
        }
    }

    private void store()
    {
        final DemoRegistry.DomainEntry entry = anyDomainOfMine(true);
        final DemoRegistry.Published target = null == entry ? null : registry.pick(entry, random);
        if (null == target)
        {
            stats.skipped.increment();
            return;
        }
        stats.access(local, "store", client.store(target.domain(), target.vaddr() + STORE_OFFSET_BYTES,
            tag(++storeCount)));
    }

    private byte[] tag(final long value)
    {
        bytes.putLong(0, value);
        return bytes.array().clone();
    }

    private void map()
    {
        if (own.size() >= LIVE_MAPPINGS_MAX)
        {
            unmap();
            return;
        }
        final DemoRegistry.DomainEntry entry = anyDomainOfMine(true);
        final Frame frame = null == entry ? null : takeFrame();
        if (null == frame)
        {
            stats.skipped.increment();
            return;
        }
        final long vaddr = freeVaddr(entry.domain);
        final VmCalls.Call mapped = stats.change(local, "map", client.map(entry.domain, vaddr, frame.cap(), 0, PAGE,
            READ_WRITE));
        if (!mapped.ok())
        {
            spares.addFirst(frame);
            freeVaddrs.get(entry.domain).addFirst(vaddr);
            return;
        }
        frame.ram().mappedFrames++;
        final Own made = new Own(new DemoRegistry.Published(entry.domain, vaddr, mapped.value(), core), frame);
        own.add(made);
        final VmCalls.Call tagged = stats.access(local, "store", client.store(entry.domain, vaddr, tag(mapped.value())));
        if (tagged.ok())
        {
            registry.publish(made.mapping);
            made.published = true;
        }
    }

    private long freeVaddr(final long domain)
    {
        final ArrayDeque<Long> free = freeVaddrs.computeIfAbsent(domain, d -> new ArrayDeque<>());
        if (!free.isEmpty())
        {
            return free.poll();
        }
        final long vpage = nextVpage.merge(domain, 1L, Long::sum) - 1;
        return (core * VPAGES_PER_APP + vpage) * PAGE;
    }

    /** @return a frame: a spare, or one retyped now (allocating RAM when the current one is used up); null when none. */
    private Frame takeFrame()
    {
        final Frame spare = spares.poll();
        return null != spare ? spare : retypeFrame();
    }

    private Frame retypeFrame()
    {
        if (null == current || current.nextPage == RAM_PAGES)
        {
            final VmCalls.Call allocated = stats.change(local, "allocate", client.allocate(RAM_PAGES * PAGE));
            if (!allocated.ok())
            {
                return null;
            }
            current = new Ram(allocated.value());
            rams.add(current);
        }
        final Ram ram = current;
        final VmCalls.Call retyped = stats.change(local, "retype", client.retype(ram.cap, CapabilityType.FRAME,
            ram.nextPage * PAGE, PAGE, 1));
        if (!retyped.ok())
        {
            return null;
        }
        ram.nextPage++;
        return new Frame(retyped.value(), ram);
    }

    private void retypeSpare()
    {
        final Frame frame = spares.size() < SPARE_FRAMES_MAX ? retypeFrame() : null;
        if (null == frame)
        {
            stats.skipped.increment();
            return;
        }
        spares.add(frame);
    }

    /** @return one of this app's mappings in a domain its core runs, or null. */
    private Own anyOwnUsable(final boolean publishedOnly)
    {
        if (own.isEmpty())
        {
            return null;
        }
        final int start = random.nextInt(own.size());
        for (int i = 0; i < own.size(); i++)
        {
            final Own candidate = own.get((start + i) % own.size());
            final DemoRegistry.DomainEntry entry = registry.domain(candidate.mapping.domain());
            if (entry.runsOn(core) && (candidate.published || !publishedOnly))
            {
                return candidate;
            }
        }
        return null;
    }

    private RoutingProtocol nextProtocol()
    {
        if (null != protocol)
        {
            return protocol;
        }
        final RoutingProtocol[] all = RoutingProtocol.values();
        return all[(int)(protocolTurn.getAndIncrement() % all.length)];
    }

    private void unmap()
    {
        final Own target = anyOwnUsable(false);
        if (null == target)
        {
            stats.skipped.increment();
            return;
        }
        final DemoRegistry.Published mapping = target.mapping;
        final RoutingProtocol chosen = nextProtocol();
        final VmCalls.Call answer = stats.change(local, "unmap", client.unmap(mapping.domain(), mapping.vaddr(), PAGE,
            chosen));
        if (answer.ok())
        {
            // Recorded before anything else: from here on no load may read this mapping's tag.
            checker.onUnmapReturned(mapping.mapping(), answer.answeredNs());
            local.recordUnmap(chosen, answer);
            stats.shootdowns.increment();
            forget(target, true);
        }
        else if (LrpcStatus.NOT_FOUND == answer.status() && String.valueOf(answer.message()).contains("no mapping"))
        {
            // An earlier unmap answered indefinite had committed after all: gone, but when is unknown.
            forget(target, false);
        }
        else if (LrpcStatus.INDEFINITE == answer.status() || answer.status() < 0)
        {
            registry.withdraw(mapping.domain(), mapping.mapping());
            target.published = false;
        }
    }

    private void forget(final Own target, final boolean vaddrFree)
    {
        registry.withdraw(target.mapping.domain(), target.mapping.mapping());
        own.remove(target);
        target.frame.ram().mappedFrames--;
        if (vaddrFree)
        {
            freeVaddrs.computeIfAbsent(target.mapping.domain(), d -> new ArrayDeque<>()).add(target.mapping.vaddr());
        }
    }

    private void protect()
    {
        final Own target = anyOwnUsable(true);
        if (null == target)
        {
            stats.skipped.increment();
            return;
        }
        final int rights = READ_WRITE == target.rights ? Rights.READ : READ_WRITE;
        final VmCalls.Call answer = stats.change(local, "protect", client.protect(target.mapping.domain(),
            target.mapping.vaddr(), PAGE, rights, nextProtocol()));
        if (answer.ok())
        {
            if (READ_WRITE == target.rights)
            {
                stats.shootdowns.increment();
            }
            target.rights = rights;
        }
    }

    private void span()
    {
        final DemoRegistry.DomainEntry entry = anyDomainOfMine(false);
        if (null == entry || !registry.tryBeginChange(entry))
        {
            stats.skipped.increment();
            return;
        }
        int[] after = null;
        try
        {
            final int[] cores = entry.cores();
            final List<Integer> outside = new ArrayList<>();
            for (int c = 0; c < registry.coreCount(); c++)
            {
                if (!entry.runsOn(c))
                {
                    outside.add(c);
                }
            }
            if (outside.isEmpty() || !entry.runsOn(core))
            {
                stats.skipped.increment();
                return;
            }
            final int joining = outside.get(random.nextInt(outside.size()));
            if (stats.change(local, "span", client.span(entry.domain, joining)).ok())
            {
                after = java.util.stream.IntStream.concat(java.util.Arrays.stream(cores), java.util.stream.IntStream.of(joining))
                    .toArray();
            }
        }
        finally
        {
            registry.endChange(entry, after);
        }
    }

    private void shrink()
    {
        final DemoRegistry.DomainEntry entry = anyDomainOfMine(false);
        if (null == entry || !registry.tryBeginChange(entry))
        {
            stats.skipped.increment();
            return;
        }
        int[] after = null;
        try
        {
            final int[] cores = entry.cores();
            final int[] others = java.util.Arrays.stream(cores).filter(c -> c != core).toArray();
            if (0 == others.length || !entry.runsOn(core))
            {
                stats.skipped.increment();
                return;
            }
            final int leaving = others[random.nextInt(others.length)];
            if (stats.change(local, "shrink", client.shrink(entry.domain, leaving, nextProtocol())).ok())
            {
                stats.shootdowns.increment();
                after = java.util.Arrays.stream(cores).filter(c -> c != leaving).toArray();
            }
        }
        finally
        {
            registry.endChange(entry, after);
        }
    }

    /**
     * Gives back every RAM this app allocated, the roots' RAM too: revoke (its frames and VNODEs go)
     * then delete (the memory server has it back). Only once the app has stopped and its domains are
     * destroyed, so nothing of it is mapped.
     *
     * @return the first reason a RAM could not be given back, or null when all were.
     */
    String giveBack()
    {
        final List<Long> caps = new ArrayList<>();
        rams.forEach(ram -> caps.add(ram.cap));
        if (0 != rootsRam)
        {
            caps.add(rootsRam);
        }
        String problem = null;
        for (final long cap : caps)
        {
            for (final String step : List.of("revoke", "delete"))
            {
                final VmCalls.Call answer = DemoTeardown.retry(() -> "revoke".equals(step) ? client.revoke(cap) :
                    client.delete(cap));
                if (!answer.ok() && null == problem)
                {
                    problem = "core " + core + " could not " + step + " RAM " + cap + ": " + answer.statusName() + ": " +
                        answer.message();
                }
            }
        }
        rams.clear();
        spares.clear();
        rootsRam = 0;
        return problem;
    }

    /** @return this app's calls to its core, for the teardown once the app has stopped. */
    VmCalls calls()
    {
        return client;
    }

    /**
     * Revokes a RAM, then deletes it; the current RAM starts over instead. Every {@link
     * #REVOKE_MAPPED_EVERY}th revoke takes a RAM whose frames are mapped: the revoke unmaps them, and
     * from its answer on, the stale-access check holds them as unmapped; the others take a RAM none
     * of whose frames is mapped.
     */
    private void revoke()
    {
        final boolean mapped = 0 == random.nextInt(REVOKE_MAPPED_EVERY);
        Ram target = null;
        for (final Ram ram : rams)
        {
            if ((mapped ? ram.mappedFrames > 0 : 0 == ram.mappedFrames) && ram.nextPage > 0)
            {
                target = ram;
                break;
            }
        }
        if (null == target)
        {
            stats.skipped.increment();
            return;
        }
        final Ram revoked = target;
        final List<Own> under = new ArrayList<>();
        for (final Own mine : own)
        {
            if (mine.frame.ram() == revoked)
            {
                under.add(mine);
            }
        }
        final VmCalls.Call answer = stats.change(local, "revoke", client.revoke(revoked.cap));
        if (!answer.ok())
        {
            if (LrpcStatus.INDEFINITE == answer.status() || answer.status() < 0)
            {
                // It may have unmapped them: nobody checks them any more; a later unmap finds out.
                for (final Own mine : under)
                {
                    registry.withdraw(mine.mapping.domain(), mine.mapping.mapping());
                    mine.published = false;
                }
            }
            return;
        }
        for (final Own mine : under)
        {
            // Recorded first, as for an unmap: from the revoke's answer on, no load may read the mapping's tag.
            checker.onUnmapReturned(mine.mapping.mapping(), answer.answeredNs());
            stats.shootdowns.increment();
            forget(mine, true);
        }
        spares.removeIf(frame -> frame.ram() == revoked);
        if (revoked == current)
        {
            // Every frame retyped from it is gone, so its whole range can be retyped (and zeroed) again.
            revoked.nextPage = 0;
        }
        else if (stats.change(local, "delete", client.delete(revoked.cap)).ok())
        {
            rams.remove(revoked);
        }
    }
}
