package io.multikernel.node.launcher.chaos;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.multikernel.node.launcher.StrictJson;

/**
 * Partitions, lossy links and slow links, through the link fault point of every core of a cluster
 * started with {@code --chaos} ({@code /chaos/links} on its admin API). A rule faults only what its
 * core sends and receives, so a partition sets a rule at both ends of every cut link; a lossy or slow
 * core gets one rule per peer, both directions, on itself. Healing removes every rule of the cores
 * the fault touched.
 */
public final class LinkInjector implements ChaosInjector
{
    /**
     * How often a heal is tried before the run gives up: long enough for a core that a supervisor
     * restarts (docker's restart policy, about 20 s in compose) to answer again; it comes back with
     * no rules, so its heal then succeeds. With {@link #HEAL_REQUEST_TIMEOUT_MS} and the pause between
     * attempts, a core that never answers holds the run at most a minute.
     */
    public static final int HEAL_ATTEMPTS = 20;
    /** Longest one heal request waits for its answer, ms: a paused core would hold each for the full request timeout. */
    static final long HEAL_REQUEST_TIMEOUT_MS = 2_000;
    /** Pause between two heal attempts, ms. */
    public static final long HEAL_RETRY_INTERVAL_MS = 1_000;
    private static final String PATH = "/chaos/links";
    private static final int NOT_STARTED_WITH_CHAOS_STATUS = 409;
    private static final List<ChaosFault.Kind> KINDS =
        List.of(ChaosFault.Kind.PARTITION, ChaosFault.Kind.LOSSY, ChaosFault.Kind.SLOW);

    private final ChaosTarget target;
    /** How often a heal is tried before the run gives up. */
    private final int healAttempts;

    /** @param target the cluster. */
    public LinkInjector(final ChaosTarget target)
    {
        this(target, HEAL_ATTEMPTS);
    }

    /** @param healAttempts how often a heal is tried ({@link #HEAL_ATTEMPTS}; fewer in tests). */
    LinkInjector(final ChaosTarget target, final int healAttempts)
    {
        this.target = target;
        this.healAttempts = healAttempts;
    }

    @Override
    public boolean makes(final ChaosFault.Kind kind)
    {
        return KINDS.contains(kind);
    }

    @Override
    public List<ChaosFault.Kind> available()
    {
        for (final int core : target.cores())
        {
            if (200 != probe(core).statusCode())
            {
                return List.of();
            }
        }
        return KINDS;
    }

    @Override
    public void prepare(final List<ChaosFault.Kind> kinds)
    {
        ChaosInjector.requireMade(kinds, KINDS, "by a link fault point");
        for (final int core : target.cores())
        {
            final Probe probe = probe(core);
            if (NOT_STARTED_WITH_CHAOS_STATUS == probe.statusCode())
            {
                throw new IllegalStateException("core " + core + " has no link fault point, so " +
                    ChaosFault.Kind.names(kinds) + " faults cannot be made: start the cluster with mk up --chaos (MK_CHAOS=true for the docker-compose cluster)");
            }
            if (200 != probe.statusCode())
            {
                throw new IllegalStateException("core " + core + " did not answer " + PATH + " (" + probe.problem() +
                    "), so its links cannot be faulted: see mk status");
            }
        }
    }

    @Override
    public void inject(final ChaosFault fault) throws Exception
    {
        for (final Rule rule : rules(fault, target.cores()))
        {
            final Map<String, Object> body = new LinkedHashMap<>();
            body.put("peer", rule.peer());
            body.put("direction", rule.direction());
            body.put("drop", rule.drop());
            body.put("delay_ms", rule.delayMs());
            final HttpResponse<String> response = target.send(target.request(rule.core(), PATH)
                .timeout(Duration.ofMillis(ChaosTarget.REQUEST_TIMEOUT_MS))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(StrictJson.write(body))).build());
            if (200 != response.statusCode())
            {
                throw new IllegalStateException("core " + rule.core() + " refused the link rule " + rule + ": " +
                    response.statusCode() + " " + response.body().strip());
            }
        }
    }

    @Override
    public void heal(final ChaosFault fault) throws Exception
    {
        final Set<Integer> touched = new TreeSet<>();
        for (final Rule rule : rules(fault, target.cores()))
        {
            touched.add(rule.core());
        }
        healEach(touched, false);
    }

    @Override
    public void healAll() throws Exception
    {
        healEach(target.cores(), true);
    }

    /** Heals every one of the cores, even past one that cannot be reached; then names every core left unhealed. */
    private void healEach(final Collection<Integer> cores, final boolean withoutFaultPointToo) throws Exception
    {
        final List<Integer> unhealed = new ArrayList<>();
        Exception first = null;
        for (final int core : cores)
        {
            try
            {
                healCore(core, withoutFaultPointToo);
            }
            catch (final IllegalStateException ex)
            {
                unhealed.add(core);
                first = null == first ? ex : first;
            }
        }
        if (unhealed.size() > 1)
        {
            throw new IllegalStateException("the links of cores " + unhealed + " could not be healed; the first: " +
                first.getMessage() + "; heal each with mk chaos heal --core N", first);
        }
        if (null != first)
        {
            throw first;
        }
    }

    /**
     * @param fault a link fault.
     * @param cores every core of the cluster.
     * @return the rules that make it, at both ends of a cut link.
     */
    static List<Rule> rules(final ChaosFault fault, final List<Integer> cores)
    {
        final List<Rule> rules = new ArrayList<>();
        if (ChaosFault.Kind.PARTITION == fault.kind())
        {
            final String opposite = "outbound".equals(fault.direction()) ? "inbound" :
                "inbound".equals(fault.direction()) ? "outbound" : "both";
            for (final int cut : fault.cores())
            {
                for (final int rest : cores)
                {
                    if (!fault.cores().contains(rest))
                    {
                        rules.add(new Rule(cut, rest, fault.direction(), 1.0, 0));
                        rules.add(new Rule(rest, cut, opposite, 1.0, 0));
                    }
                }
            }
        }
        else if (fault.kind().link())
        {
            for (final int peer : cores)
            {
                if (peer != fault.core())
                {
                    rules.add(new Rule(fault.core(), peer, "both", fault.drop(), fault.delayMs()));
                }
            }
        }
        else
        {
            throw new IllegalArgumentException(fault.kind().cliName() + " is not a link fault");
        }
        return rules;
    }

    /**
     * One rule set on one core.
     *
     * @param core      the core that applies it.
     * @param peer      the other end.
     * @param direction inbound, outbound or both, as the core sees it.
     * @param drop      fraction dropped.
     * @param delayMs   delay, ms.
     */
    record Rule(int core, int peer, String direction, double drop, long delayMs)
    {
    }

    private void healCore(final int core, final boolean withoutFaultPointToo) throws Exception
    {
        String problem = "";
        for (int attempt = 1; attempt <= healAttempts; attempt++)
        {
            try
            {
                final HttpResponse<String> response = target.send(target.request(core, PATH)
                    .timeout(Duration.ofMillis(HEAL_REQUEST_TIMEOUT_MS)).DELETE().build());
                if (200 == response.statusCode() ||
                    withoutFaultPointToo && NOT_STARTED_WITH_CHAOS_STATUS == response.statusCode())
                {
                    return;
                }
                problem = response.statusCode() + " " + response.body().strip();
            }
            catch (final IOException ex)
            {
                // The HTTP client's connection failures often carry no message: the type says what happened.
                problem = null == ex.getMessage() ? ex.getClass().getSimpleName() : ex.getMessage();
            }
            Thread.sleep(HEAL_RETRY_INTERVAL_MS);
        }
        throw new IllegalStateException("core " + core + "'s links could not be healed in " + healAttempts +
            " attempts (" + problem + "): heal them with mk chaos heal --core " + core);
    }

    private record Probe(int statusCode, String problem)
    {
    }

    private Probe probe(final int core)
    {
        try
        {
            final HttpResponse<String> response = target.send(target.request(core, PATH)
                .timeout(Duration.ofMillis(ChaosTarget.REQUEST_TIMEOUT_MS)).GET().build());
            return new Probe(response.statusCode(), response.statusCode() + " " + response.body().strip());
        }
        catch (final IOException ex)
        {
            return new Probe(-1, String.valueOf(ex.getMessage()));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return new Probe(-1, "interrupted");
        }
    }
}
