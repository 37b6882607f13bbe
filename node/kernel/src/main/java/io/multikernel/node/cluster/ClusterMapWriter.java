package io.multikernel.node.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import io.multikernel.common.Setting;
import org.yaml.snakeyaml.nodes.NodeId;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Writes a cluster map as YAML that {@link ClusterMapReader} reads back to an equal map: one line
 * per host and per core in flow style, so a 64-core map stays readable. Defaults (admin bind
 * address, absent transport settings, absent host memory fields) are left out; sizes are written
 * as settings write them, with a suffix where one divides them ({@code memory: 64m}).
 */
final class ClusterMapWriter
{
    private static final Pattern PLAIN_SAFE = Pattern.compile("[A-Za-z0-9_./-]+");
    // Only read after construction, so one instance serves every thread.
    private static final Resolver RESOLVER = new Resolver();

    private ClusterMapWriter()
    {
    }

    /**
     * @param map a valid map.
     * @return its YAML text.
     */
    static String write(final ClusterMap map)
    {
        final StringBuilder out = new StringBuilder(128 + 96 * map.cores().size());
        out.append("# Multikernel cluster map: one JVM process per core. Environment variables and flags\n")
            .append("# override fields, for example MK_CORE_0_ADMIN_PORT=9500 (see ClusterOverrides).\n")
            .append("cluster: ").append(scalar(map.name())).append('\n');
        if (!map.transport().isEmpty())
        {
            out.append("transport: ").append(transport(map.transport())).append('\n');
        }
        out.append("hosts:\n");
        for (final HostDescriptor host : map.hosts())
        {
            out.append("  - ").append(host(host)).append('\n');
        }
        out.append("cores:\n");
        for (final CoreDescriptor core : map.cores())
        {
            out.append("  - ").append(core(core)).append('\n');
        }
        return out.toString();
    }

    private static String transport(final TransportSettings transport)
    {
        final List<String> fields = new ArrayList<>();
        transport.idleStrategy().ifPresent(name -> fields.add("idleStrategy: " + scalar(name)));
        transport.termLengthBytes().ifPresent(length -> fields.add("termLengthBytes: " + length));
        transport.secretFile().ifPresent(file -> fields.add("secretFile: " + scalar(file)));
        return flow(fields);
    }

    private static String host(final HostDescriptor host)
    {
        final List<String> fields = new ArrayList<>();
        fields.add("id: " + host.id());
        host.address().ifPresent(address -> fields.add("address: " + scalar(address)));
        host.aeronDir().ifPresent(dir -> fields.add("aeronDir: " + scalar(dir)));
        host.memoryBytes().ifPresent(bytes -> fields.add("memory: " + Setting.size(bytes)));
        host.memoryFile().ifPresent(file -> fields.add("memoryFile: " + scalar(file)));
        return flow(fields);
    }

    private static String core(final CoreDescriptor core)
    {
        final List<String> inbox = new ArrayList<>();
        if (core.inbox().ipc())
        {
            inbox.add("ipc: true");
        }
        core.inbox().udp().ifPresent(udp -> inbox.add("udp: " + scalar(udp.toString())));

        final List<String> fields = new ArrayList<>();
        fields.add("id: " + core.id());
        fields.add("host: " + core.hostId());
        fields.add("inbox: " + flow(inbox));
        fields.add("adminPort: " + core.adminPort());
        if (!ClusterLimits.DEFAULT_ADMIN_BIND_ADDRESS.equals(core.adminBindAddress()))
        {
            fields.add("adminBind: " + scalar(core.adminBindAddress()));
        }
        return flow(fields);
    }

    private static String flow(final List<String> fields)
    {
        return "{" + String.join(", ", fields) + "}";
    }

    /**
     * A string as a YAML scalar: plain when YAML would read it back as the same string, otherwise
     * single-quoted (so {@code true}, {@code 10}, {@code a:b} and {@code ::1} stay strings).
     */
    static String scalar(final String value)
    {
        final boolean plain = PLAIN_SAFE.matcher(value).matches() &&
            Tag.STR.equals(RESOLVER.resolve(NodeId.scalar, value, true));
        return plain ? value : "'" + value.replace("'", "''") + "'";
    }
}
