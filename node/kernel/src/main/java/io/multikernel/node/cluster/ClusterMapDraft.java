package io.multikernel.node.cluster;

import java.util.List;
import java.util.Objects;

/**
 * A cluster map's parts before the rules that span entries are checked: what the reader produces
 * and overrides edit. {@link #toClusterMap()} validates and freezes it.
 *
 * @param source    named first in error messages: a file name, or a description.
 * @param name      cluster name.
 * @param transport shared transport settings.
 * @param hosts     hosts in the order listed.
 * @param cores     cores in the order listed.
 */
record ClusterMapDraft(
    String source, String name, TransportSettings transport, List<HostDescriptor> hosts, List<CoreDescriptor> cores)
{
    ClusterMapDraft
    {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(transport, "transport");
        hosts = List.copyOf(hosts);
        cores = List.copyOf(cores);
    }

    /**
     * @return the validated, immutable map.
     * @throws ClusterMapException naming the first broken rule.
     */
    ClusterMap toClusterMap()
    {
        ClusterMapValidator.validate(source, this);
        return new ClusterMap(name, transport, hosts, cores);
    }
}
