package io.multikernel.node.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What the apps of {@code mk demo} share in their JVM: the domains with the cores each runs on (as the
 * apps last changed them), and the mappings apps have published, each with its tag already stored.
 * Apps load and store at mappings others published; only the publisher unmaps or protects one.
 * Membership changes of a domain are taken one at a time ({@link #tryBeginChange}), so a shrink never
 * takes a domain's last core.
 */
final class DemoRegistry
{
    /**
     * A mapping whose page holds its tag.
     *
     * @param domain    its domain.
     * @param vaddr     its virtual address (one page).
     * @param mapping   the mapping id: the tag.
     * @param publisher the core whose app mapped it.
     */
    record Published(long domain, long vaddr, long mapping, int publisher)
    {
    }

    /** A domain and what the apps know of it. */
    static final class DomainEntry
    {
        final long domain;
        final boolean home;
        private volatile int[] cores;
        private final AtomicBoolean changing = new AtomicBoolean();
        private final ConcurrentHashMap<Long, Published> published = new ConcurrentHashMap<>();

        DomainEntry(final long domain, final int[] cores, final boolean home)
        {
            this.domain = domain;
            this.cores = cores.clone();
            this.home = home;
        }

        int[] cores()
        {
            return cores.clone();
        }

        boolean runsOn(final int core)
        {
            for (final int c : cores)
            {
                if (c == core)
                {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * A domain to create at the start.
     *
     * @param creator the core whose app creates it, one of its cores.
     * @param cores   its cores, ascending.
     * @param home    true for the domain of every core, whose cores never change.
     */
    record Plan(int creator, int[] cores, boolean home)
    {
    }

    private final int coreCount;
    private final List<DomainEntry> domains = new CopyOnWriteArrayList<>();
    private final ConcurrentHashMap<Long, DomainEntry> byId = new ConcurrentHashMap<>();

    /** @param coreCount the cluster's cores, 0..coreCount-1. */
    DemoRegistry(final int coreCount)
    {
        this.coreCount = coreCount;
    }

    int coreCount()
    {
        return coreCount;
    }

    /**
     * The domains the demo starts with: one on every core (created by core 0, never spanned or
     * shrunk, so every app always has a domain), and one more per core: with more than two cores the
     * pair of it and the next core, with two cores the core alone (a pair would be the home domain).
     *
     * @param coreCount the cluster's cores.
     * @return the plan, home domain first.
     */
    static List<Plan> plan(final int coreCount)
    {
        final List<Plan> plans = new ArrayList<>();
        final int[] all = new int[coreCount];
        Arrays.setAll(all, i -> i);
        plans.add(new Plan(0, all, true));
        for (int core = 0; core < coreCount; core++)
        {
            final int[] cores = coreCount > 2 ? new int[]{ core, (core + 1) % coreCount } : new int[]{ core };
            Arrays.sort(cores);
            plans.add(new Plan(core, cores, false));
        }
        return plans;
    }

    /**
     * @param home true for the domain every core runs, whose cores never change.
     */
    void addDomain(final long domain, final int[] cores, final boolean home)
    {
        final DomainEntry entry = new DomainEntry(domain, cores, home);
        if (null != byId.putIfAbsent(domain, entry))
        {
            throw new IllegalStateException("domain " + domain + " was registered twice: domain ids are never reused");
        }
        domains.add(entry);
    }

    /** @return every domain, in the order they were created. */
    List<DomainEntry> domains()
    {
        return List.copyOf(domains);
    }

    DomainEntry domain(final long domain)
    {
        return byId.get(domain);
    }

    /** @return the domains {@code core} runs, as the apps last changed them. */
    List<DomainEntry> domainsOf(final int core)
    {
        final List<DomainEntry> of = new ArrayList<>();
        for (final DomainEntry entry : domains)
        {
            if (entry.runsOn(core))
            {
                of.add(entry);
            }
        }
        return of;
    }

    /** Makes a mapping visible to every app; its tag must be stored already. */
    void publish(final Published mapping)
    {
        byId.get(mapping.domain()).published.put(mapping.mapping(), mapping);
    }

    /** Takes a mapping out of view; apps that picked it already may still use it. */
    void withdraw(final long domain, final long mapping)
    {
        byId.get(domain).published.remove(mapping);
    }

    /** @return a published mapping of the domain, or null when it has none. */
    Published pick(final DomainEntry entry, final SplittableRandom random)
    {
        final Object[] mappings = entry.published.values().toArray();
        return 0 == mappings.length ? null : (Published)mappings[random.nextInt(mappings.length)];
    }

    /** @return true when the caller may change the domain's cores; then it must call {@link #endChange}. */
    boolean tryBeginChange(final DomainEntry entry)
    {
        return !entry.home && entry.changing.compareAndSet(false, true);
    }

    /** @param cores the domain's cores after the change, or null when it did not happen. */
    void endChange(final DomainEntry entry, final int[] cores)
    {
        if (null != cores)
        {
            final int[] sorted = cores.clone();
            Arrays.sort(sorted);
            entry.cores = sorted;
        }
        entry.changing.set(false);
    }

    /** @return mappings published now, over every domain. */
    int publishedCount()
    {
        int count = 0;
        for (final DomainEntry entry : domains)
        {
            count += entry.published.size();
        }
        return count;
    }
}
