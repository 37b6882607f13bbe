package io.multikernel.it;

import io.multikernel.node.caps.CapabilityType;
import io.multikernel.node.caps.Rights;
import io.multikernel.node.lrpc.LrpcClient;
import io.multikernel.node.lrpc.LrpcStatus;
import io.multikernel.node.replication.ChaosFreeze;
import io.multikernel.node.replication.CoreReplicationConfiguration;
import io.multikernel.node.skb.RoutingProtocol;
import io.multikernel.node.vm.VmCalls;
import io.multikernel.node.vm.VmClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static io.multikernel.it.Await.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Page tables across core JVMs: concurrent changes from every core leave every replica identical; a
 * core killed in the middle of an unmap either leaves it undone everywhere (a participant killed
 * before it voted) or done everywhere (the coordinator killed after its commit decision), and the
 * restarted core agrees.
 */
class AddressSpaceClusterIT
{
    static final long PAGE = 4096;
    /** CHURN_MS: how long every core's app maps, protects and unmaps at once. */
    static final long CHURN_MS = 3_000;
    /** SLOTS: pages each app cycles its mappings over. */
    static final int SLOTS = 8;
    /** AGREE_TIMEOUT_S: longest wait for the replicas to agree once quiet. */
    static final long AGREE_TIMEOUT_S = 30;

    /** CALL_TIMEOUT_S: an app's call may wait this long (an unmap waits for the 2PC's prepare timeout). */
    static final long CALL_TIMEOUT_S = 30;
    /** FROZEN_CALL_TIMEOUT_S: how long an app waits for a coordinator the chaos hook froze. */
    static final long FROZEN_CALL_TIMEOUT_S = 5;

    @TempDir
    Path root;

    private TestCluster cluster;
    private final List<LrpcClient> clients = new ArrayList<>();
    /** Threads for calls made at once (the common pool may have a single thread on 2 CPUs). */
    private final java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newCachedThreadPool();

    @AfterEach
    void stop() throws InterruptedException
    {
        pool.shutdownNow();
        clients.forEach(LrpcClient::close);
        if (null != cluster)
        {
            cluster.stop();
        }
    }

    private List<VmClient> up(final int cores) throws Exception
    {
        cluster = new TestCluster(root, TestCluster.FAST_FAILURE_PROPERTIES);
        cluster.up(cores);
        final List<VmClient> apps = new ArrayList<>();
        for (int core = 0; core < cores; core++)
        {
            apps.add(attach(core));
        }
        return apps;
    }

    private VmClient attach(final int core)
    {
        return attach(core, TimeUnit.SECONDS.toNanos(CALL_TIMEOUT_S));
    }

    private VmClient attach(final int core, final long callTimeoutNs)
    {
        final LrpcClient client = LrpcClient.attach(new LrpcClient.Context()
            .file(cluster.runDirectory().lrpcFile(core)).coreId(core).callTimeoutNs(callTimeoutNs));
        clients.add(client);
        return new VmClient(client);
    }

    /**
     * The call's answer once its core no longer answers {@code unavailable}: a core that holds the
     * domain's last change prepared (the coordinator has answered, the commit or abort is still on
     * its way) fills no TLB entry of the domain and answers "retry" until it applies the outcome.
     */
    private static VmCalls.Call onceApplied(final Await.Read<VmCalls.Call> call) throws Exception
    {
        return Await.settled(call, answer -> LrpcStatus.UNAVAILABLE != answer.status());
    }

    private static VmCalls.Call ok(final VmCalls.Call call, final String what)
    {
        assertThat(call.ok()).as(what + ": " + call.statusName() + " " + call.message()).isTrue();
        return call;
    }

    /** A domain on every core, its root retyped by core 0's app. */
    private static long domain(final VmClient owner, final int cores)
    {
        final long ram = ok(owner.allocate(PAGE), "allocate").value();
        final long vnode = ok(owner.retype(ram, CapabilityType.VNODE, 0, PAGE, 1), "retype a VNODE").value();
        final int[] every = new int[cores];
        for (int core = 0; core < cores; core++)
        {
            every[core] = core;
        }
        return ok(owner.create(vnode, every), "create").value();
    }

    private static long frame(final VmClient app, final int pages)
    {
        final long ram = ok(app.allocate(pages * PAGE), "allocate").value();
        return ok(app.retype(ram, CapabilityType.FRAME, 0, pages * PAGE, 1), "retype a FRAME").value();
    }

    /** @return the domain's fingerprint on each core that runs it, by core; absent cores missing. */
    private Map<Integer, String> fingerprints(final List<Integer> cores, final long domain)
    {
        final Map<Integer, String> found = new TreeMap<>();
        for (final int core : cores)
        {
            final Optional<Map<String, Object>> listing = cluster.admin().getObject(core, "/domains/" + domain);
            listing.ifPresent(json -> found.put(core, String.valueOf(json.get("fingerprint"))));
        }
        return found;
    }

    private Map<Integer, String> awaitAgreement(final String what, final List<Integer> cores, final long domain)
    {
        awaitTrue(what + ": domain " + domain + " identical on cores " + cores, () ->
        {
            final Map<Integer, String> now = fingerprints(cores, domain);
            return now.size() == cores.size() && now.values().stream().distinct().count() == 1;
        }, AGREE_TIMEOUT_S);
        return fingerprints(cores, domain);
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    @SuppressWarnings("unchecked")
    void changesFromEveryCoreAtOnceLeaveEveryReplicaIdentical() throws Exception
    {
        final int cores = 3;
        final List<VmClient> apps = up(cores);
        final long domain = domain(apps.get(0), cores);
        final Map<String, Integer> outcomes = new ConcurrentHashMap<>();
        final List<CompletableFuture<Void>> churn = new ArrayList<>();
        for (int core = 0; core < cores; core++)
        {
            final VmClient app = apps.get(core);
            final int self = core;
            final long frame = frame(app, 1);
            churn.add(CompletableFuture.runAsync(() ->
            {
                final long endNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CHURN_MS);
                final RoutingProtocol[] protocols = RoutingProtocol.values();
                for (int i = 0; System.nanoTime() - endNs < 0; i++)
                {
                    final long vaddr = (1L << 30) + ((long)self * SLOTS + i % SLOTS) * PAGE;
                    final VmCalls.Call map = app.map(domain, vaddr, frame, 0, PAGE, Rights.READ | Rights.WRITE);
                    outcomes.merge("map " + map.statusName(), 1, Integer::sum);
                    if (!map.ok())
                    {
                        continue;
                    }
                    outcomes.merge("protect " + app.protect(domain, vaddr, PAGE, Rights.READ, protocols[i % 4])
                        .statusName(), 1, Integer::sum);
                    if (i % 3 != 0)
                    {
                        // Leave every third mapping in place, so the tables end non-empty.
                        outcomes.merge("unmap " + app.unmap(domain, vaddr, PAGE, protocols[(i + 1) % 4]).statusName(), 1,
                            Integer::sum);
                    }
                }
            }));
        }
        CompletableFuture.allOf(churn.toArray(new CompletableFuture[0])).get(CHURN_MS + 60_000, TimeUnit.MILLISECONDS);
        System.out.println("changes from every core at once: " + new TreeMap<>(outcomes));
        assertThat(outcomes.getOrDefault("map ok", 0)).isPositive();
        assertThat(outcomes.keySet()).as("no change was left indefinite")
            .noneMatch(outcome -> outcome.endsWith("indefinite") || outcome.endsWith("not_delivered"));

        final Map<Integer, String> agreed = awaitAgreement("after the churn", List.of(0, 1, 2), domain);
        final Map<String, Object> table = cluster.admin().getObject(0, "/domains/" + domain).orElseThrow();
        System.out.println("domain " + domain + " after the churn: " + ((List<?>)table.get("mappings")).size() +
            " mappings, fingerprint " + agreed.get(0));
        assertThat((List<?>)table.get("mappings")).isNotEmpty();

        // Quiet now: one more unmap goes through, and the replicas agree on that too.
        final Map<String, Object> first = (Map<String, Object>)((List<?>)table.get("mappings")).get(0);
        final long vaddr = ((Number)first.get("vaddr")).longValue();
        final int owner = (int)((vaddr - (1L << 30)) / PAGE / SLOTS);
        ok(apps.get(owner).unmap(domain, vaddr, PAGE, RoutingProtocol.TOPOLOGY_AWARE_MULTICAST), "a quiet unmap");
        assertThat(awaitAgreement("after the quiet unmap", List.of(0, 1, 2), domain).get(0)).isNotEqualTo(agreed.get(0));
    }

    /**
     * Apps of one core map pages of one domain all at once, then unmap them all at once: the core
     * proposes one change of the domain at a time, so none aborts on the lock or leaf table of another
     * (before, most did), and the replicas agree after each burst.
     */
    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void changesOfOneDomainPostedAtOnceFromOneCoreAllCommit() throws Exception
    {
        final int cores = 3;
        final int pages = 6;
        final List<VmClient> apps = up(cores);
        final long domain = domain(apps.get(0), cores);
        final long frame = frame(apps.get(0), pages);
        final List<VmClient> core0Apps = new ArrayList<>();
        for (int page = 0; page < pages; page++)
        {
            core0Apps.add(attach(0));
        }
        for (final boolean mapping : new boolean[]{ true, false })
        {
            final List<CompletableFuture<VmCalls.Call>> calls = new ArrayList<>();
            for (int page = 0; page < pages; page++)
            {
                final VmClient app = core0Apps.get(page);
                final long vaddr = (1L << 30) + page * PAGE;
                final long offset = page * PAGE;
                calls.add(CompletableFuture.supplyAsync(() -> mapping ?
                    app.map(domain, vaddr, frame, offset, PAGE, Rights.READ | Rights.WRITE) :
                    app.unmap(domain, vaddr, PAGE, RoutingProtocol.MULTICAST), pool));
            }
            for (int page = 0; page < pages; page++)
            {
                final VmCalls.Call call = calls.get(page).get(CALL_TIMEOUT_S, TimeUnit.SECONDS);
                assertThat(call.ok()).as("%s of page %d: %s %s", mapping ? "map" : "unmap", page, call.statusName(),
                    call.message()).isTrue();
            }
            awaitAgreement(mapping ? "mapped at once" : "unmapped at once", List.of(0, 1, 2), domain);
            assertThat(onceApplied(() -> apps.get(2).load(domain, (1L << 30) + (pages - 1) * PAGE, 8)).ok())
                .as("the last page %s on core 2", mapping ? "mapped" : "unmapped").isEqualTo(mapping);
        }
    }

    /**
     * A revoke takes the mappings into its range away: core 2, which runs no domain, revokes its copy
     * of RAM whose frame core 0 mapped into a domain of cores 0 and 1. Once the revoke has returned,
     * loads and stores through the mapping fault on both cores, the page-table replicas agree with no
     * mapping left, and every core's capability database (fingerprint) is the same, with no MAPPING
     * capability left.
     */
    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    @SuppressWarnings("unchecked")
    void aRevokeFromACoreOutsideTheDomainUnmapsItsRangeEverywhereBeforeItReturns() throws Exception
    {
        final List<VmClient> apps = up(3);
        final long ram = ok(apps.get(0).allocate(2 * PAGE), "allocate").value();
        final long frame = ok(apps.get(0).retype(ram, CapabilityType.FRAME, 0, 2 * PAGE, 1), "retype a FRAME").value();
        final long root = ok(apps.get(0).retype(ok(apps.get(0).allocate(PAGE), "allocate").value(), CapabilityType.VNODE,
            0, PAGE, 1), "retype a VNODE").value();
        final long domain = ok(apps.get(0).create(root, 0, 1), "create").value();
        final long vaddr = 1L << 30;
        ok(apps.get(0).map(domain, vaddr, frame, 0, 2 * PAGE, Rights.READ | Rights.WRITE), "map");
        ok(apps.get(0).store(domain, vaddr + PAGE, new byte[]{ 7 }), "store");
        for (final int core : new int[]{ 0, 1 })
        {
            assertThat(ok(onceApplied(() -> apps.get(core).load(domain, vaddr + PAGE, 1)), "load on core " + core).data())
                .containsExactly(7);
        }
        final Map<String, Object> listed = cluster.admin().getObject(1, "/caps?limit=1000").orElseThrow();
        assertThat((List<Map<String, Object>>)listed.get("capabilities")).as("the map made a MAPPING capability")
            .anySatisfy(entry ->
            {
                assertThat(entry.get("type")).isEqualTo("mapping");
                assertThat(((Number)((Map<String, Object>)entry.get("mapping")).get("domain")).longValue()).isEqualTo(domain);
            });
        // The map made the leaf page table of its range, a VNODE capability held by core 0, on every core.
        final List<?> leaves = (List<?>)cluster.admin().getObject(1, "/domains/" + domain).orElseThrow().get("leaves");
        assertThat(leaves).hasSize(1);
        final long leafVnode = ((Number)((Map<String, Object>)leaves.get(0)).get("vnode")).longValue();
        assertThat((List<Map<String, Object>>)listed.get("capabilities")).as("core 1 lists the leaf's VNODE")
            .anySatisfy(entry ->
            {
                assertThat(((Number)entry.get("cap")).longValue()).isEqualTo(leafVnode);
                assertThat(entry.get("type")).isEqualTo("vnode");
                assertThat(((Number)((Map<String, Object>)entry.get("leaf")).get("leaf")).longValue())
                    .isEqualTo((vaddr / PAGE) / 512);
            });

        final AdminClient.Reply copied = cluster.admin().post(0, "/caps/copy", "{\"cap\":" + ram + ",\"to\":2}");
        assertThat(copied.status()).as(String.valueOf(copied.body())).isEqualTo(200);
        final long copy = ((Number)((List<?>)copied.body().get("caps")).get(0)).longValue();
        // Core 0 answered once the copy committed; core 2 revokes it once its own replica has it.
        awaitTrue("core 2 holds the copy", () -> cluster.admin().get(2, "/caps/" + copy).isPresent(), AGREE_TIMEOUT_S);
        ok(apps.get(2).revoke(copy), "revoke from core 2");

        for (final int core : new int[]{ 0, 1 })
        {
            final VmCalls.Call load = onceApplied(() -> apps.get(core).load(domain, vaddr + PAGE, 1));
            assertThat(load.fault()).as("core %d: %s %s", core, load.statusName(), load.message()).isTrue();
            assertThat(onceApplied(() -> apps.get(core).store(domain, vaddr, new byte[]{ 1 })).fault()).as("core %d", core)
                .isTrue();
        }
        awaitAgreement("after the revoke", List.of(0, 1), domain);
        assertThat((List<?>)cluster.admin().getObject(1, "/domains/" + domain).orElseThrow().get("mappings")).isEmpty();
        assertThat((List<?>)cluster.admin().getObject(1, "/domains/" + domain).orElseThrow().get("leaves"))
            .as("the revoke emptied the leaf, which went with its last mapping").isEmpty();
        final List<String> fingerprints = new ArrayList<>();
        for (int core = 0; core < 3; core++)
        {
            final Map<String, Object> caps = cluster.admin().getObject(core, "/caps?limit=1000").orElseThrow();
            fingerprints.add(String.valueOf(caps.get("fingerprint")));
            assertThat((List<Map<String, Object>>)caps.get("capabilities")).as("core %d", core)
                .noneMatch(entry -> "mapping".equals(entry.get("type")) || ((Number)entry.get("cap")).longValue() == frame ||
                    ((Number)entry.get("cap")).longValue() == leafVnode);
        }
        assertThat(fingerprints).as("every core's capability database").containsOnly(fingerprints.get(0));
    }

    /**
     * The coordinator of an unmap is stopped by the chaos hook as soon as its commit decision is
     * durable, before any participant learns it, and killed: the app's call ends without an answer
     * (indefinite), and while core 0 is down the participants stay prepared. Restarted from its log,
     * core 0 sends the decision: the unmap completes on every core, and every core faults.
     */
    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void anUnmapWhoseCoordinatorDiesAfterItsCommitDecisionCompletesOnEveryCore() throws Exception
    {
        final int cores = 3;
        final List<VmClient> apps = up(cores);
        final long domain = domain(apps.get(0), cores);
        final long frame = frame(apps.get(0), 1);
        final long vaddr = 1L << 30;
        final long firstMapping = ok(apps.get(0).map(domain, vaddr, frame, 0, PAGE, Rights.READ | Rights.WRITE), "map")
            .value();
        awaitAgreement("mapped", List.of(0, 1, 2), domain);

        cluster.kill(0);
        cluster.restart(0, "vm-core-0-chaos-after-commit-decision",
            List.of("-D" + CoreReplicationConfiguration.CHAOS_FREEZE_PROP + "=" + ChaosFreeze.Point.AFTER_COMMIT_DECISION.text()));
        final VmClient owner = attach(0, TimeUnit.SECONDS.toNanos(FROZEN_CALL_TIMEOUT_S));
        final Map<Integer, String> before = awaitAgreement("core 0 restarted with the chaos hook", List.of(0, 1, 2), domain);

        final VmCalls.Call unmap = owner.unmap(domain, vaddr, PAGE, RoutingProtocol.MULTICAST);
        assertThat(unmap.ok()).as("a frozen coordinator answers nothing").isFalse();
        assertThat(unmap.status()).as(unmap.statusName() + " " + unmap.message()).isEqualTo(-1);
        awaitTrue("core 0 reports frozen on /health", () -> cluster.admin().health(0)
            .map(h -> "frozen".equals(h.get("status"))).orElse(false), AGREE_TIMEOUT_S);
        cluster.kill(0);
        assertThat(fingerprints(List.of(1, 2), domain)).as("the participants, prepared, have not applied it")
            .containsEntry(1, before.get(1)).containsEntry(2, before.get(2));

        cluster.restart(0, "vm-core-0-recovered-after-commit-decision", List.of());
        final VmClient restarted = attach(0);
        final Map<Integer, String> after = awaitAgreement("the unmap completed on every core", List.of(0, 1, 2), domain);
        assertThat(after.get(0)).as("the page table changed").isNotEqualTo(before.get(0));
        final List<VmClient> now = List.of(restarted, apps.get(1), apps.get(2));
        for (int core = 0; core < cores; core++)
        {
            final VmClient app = now.get(core);
            awaitTrue("a load faults on core " + core, () -> app.load(domain, vaddr, 8).fault(), AGREE_TIMEOUT_S);
        }
        final long secondMapping = ok(restarted.map(domain, vaddr, frame, 0, PAGE, Rights.READ), "map again").value();
        assertThat(secondMapping).as("core 0's highest id in its replica is the domain's, below the unmapped " +
            "mapping's; restarted, it still never hands out an id twice").isGreaterThan(firstMapping);
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void anUnmapWhoseParticipantIsKilledBeforeItVotesAbortsEverywhereAndTheRestartedCoreAgrees() throws Exception
    {
        final int cores = 3;
        final List<VmClient> apps = up(cores);
        final VmClient owner = apps.get(0);
        final long domain = domain(owner, cores);
        final long frame = frame(owner, 1);
        final long vaddr = 1L << 30;
        ok(owner.map(domain, vaddr, frame, 0, PAGE, Rights.READ | Rights.WRITE), "map");
        final Map<Integer, String> before = awaitAgreement("mapped", List.of(0, 1, 2), domain);

        cluster.pause(2);
        final CompletableFuture<VmCalls.Call> unmap =
            CompletableFuture.supplyAsync(() -> owner.unmap(domain, vaddr, PAGE, RoutingProtocol.UNICAST));
        // Prepared on core 0 (not only in flight: the map's transaction may still await core 2's
        // acknowledgement), or already answered when a slow poll missed the prepare timeout.
        awaitTrue("core 0 has the unmap prepared", () -> unmap.isDone() || cluster.admin().getObject(0, "/2pc")
            .map(status -> ((Number)status.get("prepared")).intValue() == 1).orElse(false), CALL_TIMEOUT_S);
        cluster.kill(2);

        final VmCalls.Call answer = unmap.get(CALL_TIMEOUT_S, TimeUnit.SECONDS);
        assertThat(answer.statusName()).as("the unmap's answer: %s; 2PC of core 0 then: %s, of core 1: %s",
            answer.message(), cluster.admin().getObject(0, "/2pc"), cluster.admin().getObject(1, "/2pc"))
            .isEqualTo("aborted");
        assertThat(answer.message()).as("a clear reason").isNotBlank();
        assertThat(fingerprints(List.of(0, 1), domain)).as("nothing changed on the cores that stayed")
            .containsEntry(0, before.get(0)).containsEntry(1, before.get(0));
        assertThat(onceApplied(() -> apps.get(1).load(domain, vaddr, 8)).ok()).as("still mapped on core 1").isTrue();

        cluster.restart(2, "vm-core-2-killed-before-it-voted", List.of());
        final VmClient core2 = attach(2);
        assertThat(awaitAgreement("core 2 restarted", List.of(0, 1, 2), domain).get(2)).isEqualTo(before.get(0));
        awaitTrue("core 2 serves loads of the domain again", () -> core2.load(domain, vaddr, 8).ok(), AGREE_TIMEOUT_S);

        ok(owner.unmap(domain, vaddr, PAGE, RoutingProtocol.MULTICAST), "unmap once every core is back");
        awaitAgreement("unmapped", List.of(0, 1, 2), domain);
        assertThat(core2.load(domain, vaddr, 8).fault()).as("the restarted core faults too").isTrue();
    }
}
