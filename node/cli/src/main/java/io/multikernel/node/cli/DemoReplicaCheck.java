package io.multikernel.node.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.multikernel.node.launcher.AdminCredentials;
import io.multikernel.node.launcher.StrictJson;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Asks every core of the demo's cluster, through its admin API, whether the replicas agree: the
 * capability database ({@code GET /caps}: one fingerprint, equal on every core) and each domain's
 * page table ({@code GET /domains}: equal fingerprints on exactly the cores that run the domain), and
 * reads the TLB counters ({@code /domains}, else {@code /metrics}). A core that answers 404 for
 * {@code /domains} does not serve page tables yet: the comparison is then reported unavailable,
 * neither passed nor failed.
 */
final class DemoReplicaCheck
{
    /** REQUEST_TIMEOUT: longest one admin request may take. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

    /**
     * What the cores answered.
     *
     * @param capsFingerprints     each core's capability fingerprint.
     * @param capsConsistent       all equal.
     * @param pageTablesAvailable  every core serves {@code /domains}.
     * @param pageTablesConsistent every domain's replicas agree (false when unavailable).
     * @param domainsCompared      domains whose replicas were compared.
     * @param problems             one sentence per disagreement, or why a comparison was not made.
     * @param tlbHits              TLB hits summed over the cores; -1 when no core said.
     * @param tlbMisses            TLB misses summed over the cores.
     */
    record Report(Map<Integer, String> capsFingerprints, boolean capsConsistent, boolean pageTablesAvailable,
        boolean pageTablesConsistent, int domainsCompared, List<String> problems, long tlbHits, long tlbMisses)
    {
        boolean consistent()
        {
            return capsConsistent && (!pageTablesAvailable || pageTablesConsistent);
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(REQUEST_TIMEOUT).build();
    private final Map<Integer, String> adminUrls;
    private final AdminCredentials credentials;

    /**
     * @param adminUrls   each core's admin base URL.
     * @param credentials what the cluster's admin API asks of a client.
     */
    DemoReplicaCheck(final Map<Integer, String> adminUrls, final AdminCredentials credentials)
    {
        this.adminUrls = new TreeMap<>(adminUrls);
        this.credentials = credentials;
    }

    /** @return what every core answers now. */
    Report check() throws InterruptedException
    {
        final List<String> problems = new ArrayList<>();
        final Map<Integer, String> fingerprints = new TreeMap<>();
        final Map<Integer, VmApi.Listing> domains = new TreeMap<>();
        boolean available = true;
        long hits = 0;
        long misses = 0;
        boolean tlbKnown = false;
        for (final Map.Entry<Integer, String> core : adminUrls.entrySet())
        {
            final int id = core.getKey();
            final HttpResponse<String> caps = get(core.getValue() + "/caps?limit=0");
            if (null == caps || 200 != caps.statusCode())
            {
                problems.add("core " + id + " did not answer GET /caps" + (null == caps ? "" : " (HTTP " + caps.statusCode() + ")"));
            }
            else
            {
                final ObjectNode body = StrictJson.readObject(caps.body(), "core " + id + "'s /caps");
                fingerprints.put(id, body.path("fingerprint").asText(""));
            }
            final HttpResponse<String> answer = get(core.getValue() + "/domains");
            if (null != answer && 200 == answer.statusCode())
            {
                final VmApi.Listing document = StrictJson.read(answer.body(), VmApi.Listing.class,
                    "core " + id + "'s /domains");
                domains.put(id, document);
                hits += document.tlb().hits();
                misses += document.tlb().misses();
                tlbKnown = true;
                continue;
            }
            if (available)
            {
                problems.add("page-table comparison unavailable: core " + id + " answers " +
                    (null == answer ? "nothing" : "HTTP " + answer.statusCode()) + " for GET /domains");
            }
            available = false;
            final HttpResponse<String> metrics = get(core.getValue() + "/metrics");
            if (null != metrics && 200 == metrics.statusCode())
            {
                hits += metric(metrics.body(), "mk_vm_tlb_hits_total");
                misses += metric(metrics.body(), "mk_vm_tlb_misses_total");
                tlbKnown = true;
            }
        }
        final boolean capsConsistent = fingerprints.size() == adminUrls.size() &&
            new TreeSet<>(fingerprints.values()).size() == 1;
        if (fingerprints.size() == adminUrls.size() && !capsConsistent)
        {
            problems.add("capability fingerprints differ: " + fingerprints);
        }
        final List<String> pageTableProblems = available ? pageTableProblems(domains) : List.of();
        problems.addAll(pageTableProblems);
        final int compared = available ? (int)domains.values().stream().flatMap(d -> d.domains().stream())
            .mapToLong(VmApi.Domain::domain).distinct().count() : 0;
        return new Report(fingerprints, capsConsistent, available, available && pageTableProblems.isEmpty(), compared,
            problems, tlbKnown ? hits : -1, tlbKnown ? misses : -1);
    }

    /**
     * @param byCore each core's {@code /domains}.
     * @return one sentence per domain whose replicas disagree: fingerprints that differ, or a domain held
     *         by other cores than the ones its replicas name.
     */
    static List<String> pageTableProblems(final Map<Integer, VmApi.Listing> byCore)
    {
        final Map<Long, Map<Integer, VmApi.Domain>> replicas = new TreeMap<>();
        byCore.forEach((core, document) -> document.domains().forEach(view ->
            replicas.computeIfAbsent(view.domain(), d -> new TreeMap<>()).put(core, view)));
        final List<String> problems = new ArrayList<>();
        replicas.forEach((domain, views) ->
        {
            final Map<Integer, String> fingerprints = new TreeMap<>();
            views.forEach((core, view) -> fingerprints.put(core, view.fingerprint()));
            if (new TreeSet<>(fingerprints.values()).size() > 1)
            {
                problems.add("domain " + domain + "'s page-table fingerprints differ: " + fingerprints);
                return;
            }
            for (final Map.Entry<Integer, VmApi.Domain> view : views.entrySet())
            {
                final TreeSet<Integer> named = new TreeSet<>(view.getValue().cores());
                if (!named.equals(views.keySet()))
                {
                    problems.add("domain " + domain + " is held by cores " + views.keySet() + " but core " + view.getKey() +
                        " says it runs on " + named);
                    return;
                }
            }
        });
        return problems;
    }

    /** @return the sum of every sample of {@code name} in a Prometheus text page. */
    static long metric(final String page, final String name)
    {
        double sum = 0;
        for (final String line : page.split("\n"))
        {
            if (line.startsWith(name) && (line.length() == name.length() || line.charAt(name.length()) == ' ' ||
                line.charAt(name.length()) == '{'))
            {
                final String value = line.substring(line.lastIndexOf(' ') + 1).trim();
                try
                {
                    sum += Double.parseDouble(value);
                }
                catch (final NumberFormatException ex)
                {
                    // Not a sample line; the exposition format allows nothing else starting with the name.
                }
            }
        }
        return (long)sum;
    }

    private HttpResponse<String> get(final String url) throws InterruptedException
    {
        try
        {
            return http.send(
                credentials.authorize(HttpRequest.newBuilder(URI.create(url))).timeout(REQUEST_TIMEOUT).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        }
        catch (final IOException ex)
        {
            return null;
        }
    }
}
