package io.multikernel.node.cluster;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads a cluster map from YAML, strictly: unknown keys, wrong types and out-of-range values are
 * rejected with one line naming the file, line, field and value. The format:
 *
 * <pre>
 * cluster: local                      # optional name, default "mk"
 * transport:                          # optional; absent settings use the transport's defaults
 *   idleStrategy: backoff             # every core's kernel loop: busy-spin | yielding | backoff |
 *                                     #   sleeping; mk core --idle wins over it
 *   termLengthBytes: 1048576          # every core's URPC logs: power of two, 64 KiB .. 1 GiB
 *   secretFile: cluster.secret        # the cluster secret (URPC frame key, admin token); relative to
 *                                     #   this file's directory; $MK_CLUSTER_SECRET_FILE wins over it
 * hosts:
 *   - id: 0                           # int >= 0, unique
 *     address: 10.0.0.1               # optional; hosts with one address are one machine
 *     aeronDir: /dev/shm/aeron-mk-0   # optional; this host's media driver directory
 *     memory: 64m                     # optional, default 16m: the host's physical memory in bytes,
 *                                     #   or with a k, m or g suffix; whole 4 KiB pages, 4k .. 1g,
 *                                     #   at least one page per core of the host
 *     memoryFile: /dev/shm/mk-0.mem   # optional; the file the host's cores map as its memory,
 *                                     #   default: the Aeron directory (aeronDir, else Aeron's
 *                                     #   default) followed by ".memory"
 * cores:
 *   - id: 0                           # int >= 0, unique
 *     host: 0                         # a listed host id
 *     inbox:                          # at least one of:
 *       ipc: true                     #   same-host peers publish over IPC
 *       udp: 10.0.0.1:40400           #   others publish over UDP; [ipv6]:port for IPv6
 *     adminPort: 9400                 # admin API and /metrics
 *     adminBind: 127.0.0.1            # optional, default 127.0.0.1
 * </pre>
 *
 * Flow style ({@code - {id: 0, host: 0, inbox: {ipc: true}, adminPort: 9400}}) is the same map;
 * {@link ClusterMapWriter} writes one core per line that way. Rules across entries (unique ids, port
 * clashes, reachability) are checked after overrides, by {@link ClusterMapValidator}.
 */
final class ClusterMapReader
{
    private static final int YAML_ALIASES_MAX = 50;

    private static final Set<String> ROOT_KEYS = Set.of("cluster", "transport", "hosts", "cores");
    private static final Set<String> TRANSPORT_KEYS = Set.of("idleStrategy", "termLengthBytes", "secretFile");
    private static final Set<String> HOST_KEYS = Set.of("id", "address", "aeronDir", "memory", "memoryFile");
    private static final Set<String> CORE_KEYS = Set.of("id", "host", "inbox", "adminPort", "adminBind");
    private static final Set<String> INBOX_KEYS = Set.of("ipc", "udp");

    private ClusterMapReader()
    {
    }

    /**
     * @param file a YAML file of at most {@link ClusterLimits#CLUSTER_MAP_LENGTH_MAX_BYTES}.
     * @return the map's parts, not yet checked across entries.
     * @throws ClusterMapException when the file cannot be read or a field is invalid.
     */
    static ClusterMapDraft read(final Path file)
    {
        final String source = file.toString();
        if (source.isBlank())
        {
            throw new ClusterMapException("the cluster map's path is empty: name a file");
        }
        if (Files.isDirectory(file))
        {
            throw new ClusterMapException("cannot read cluster map " + source + ": it is a directory; name the map's " +
                "file (mk up writes cluster.yaml in its run directory)");
        }
        try
        {
            final long lengthBytes = Files.size(file);
            if (lengthBytes > ClusterLimits.CLUSTER_MAP_LENGTH_MAX_BYTES)
            {
                throw new ClusterMapException(source + ": is " + lengthBytes +
                    " bytes, more than CLUSTER_MAP_LENGTH_MAX_BYTES=" + ClusterLimits.CLUSTER_MAP_LENGTH_MAX_BYTES);
            }
            return read(Files.readString(file, StandardCharsets.UTF_8), source);
        }
        catch (final NoSuchFileException ex)
        {
            throw new ClusterMapException("cannot read cluster map " + source + ": no such file");
        }
        catch (final AccessDeniedException ex)
        {
            throw new ClusterMapException("cannot read cluster map " + source + ": permission denied");
        }
        catch (final IOException ex)
        {
            throw new ClusterMapException("cannot read cluster map " + source + ": " +
                (null == ex.getMessage() ? ex.getClass().getSimpleName() : ex.getMessage()));
        }
    }

    /**
     * @param yaml   the map's text.
     * @param source named first in error messages.
     * @return the map's parts, not yet checked across entries.
     * @throws ClusterMapException when the text is not YAML or a field is invalid.
     */
    static ClusterMapDraft read(final String yaml, final String source)
    {
        final YamlMapping root = YamlMapping.of(source, "", compose(yaml, source));
        root.allowOnly(ROOT_KEYS);
        final String name = root.optionalString("cluster", ClusterLimits::clusterNameProblem)
            .orElse(ClusterLimits.DEFAULT_CLUSTER_NAME);
        final TransportSettings transport = root.optionalMapping("transport")
            .map(ClusterMapReader::readTransport)
            .orElse(TransportSettings.DEFAULTS);

        final List<HostDescriptor> hosts = new ArrayList<>();
        for (final YamlMapping host : root.requiredMappingList("hosts"))
        {
            hosts.add(readHost(host));
        }
        final List<CoreDescriptor> cores = new ArrayList<>();
        for (final YamlMapping core : root.requiredMappingList("cores"))
        {
            cores.add(readCore(core));
        }
        return new ClusterMapDraft(source, name, transport, hosts, cores);
    }

    private static Node compose(final String yaml, final String source)
    {
        if (yaml.length() > ClusterLimits.CLUSTER_MAP_LENGTH_MAX_BYTES)
        {
            throw new ClusterMapException(source + ": is " + yaml.length() +
                " characters, more than CLUSTER_MAP_LENGTH_MAX_BYTES=" + ClusterLimits.CLUSTER_MAP_LENGTH_MAX_BYTES);
        }
        final LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(YAML_ALIASES_MAX);
        options.setAllowRecursiveKeys(false);
        final Node root;
        try
        {
            root = new Yaml(options).compose(new StringReader(yaml));
        }
        catch (final MarkedYAMLException ex)
        {
            final int line = null == ex.getProblemMark() ? 0 : ex.getProblemMark().getLine() + 1;
            throw new ClusterMapException(source + ":" + line + ": is not valid YAML: " + ex.getProblem());
        }
        catch (final YAMLException ex)
        {
            final String firstLine = ex.getMessage().lines().findFirst().orElse("");
            throw new ClusterMapException(source + ": is not valid YAML: " + firstLine);
        }
        if (null == root)
        {
            throw new ClusterMapException(source + ": is empty; expected hosts and cores");
        }
        return root;
    }

    private static TransportSettings readTransport(final YamlMapping transport)
    {
        transport.allowOnly(TRANSPORT_KEYS);
        final Optional<String> idleStrategy =
            transport.optionalString("idleStrategy", ClusterLimits::idleStrategyProblem);
        final OptionalInt termLengthBytes = toInt(transport.optionalInteger("termLengthBytes",
            ClusterLimits::termLengthProblem));
        final Optional<String> secretFile = transport.optionalString("secretFile", ClusterLimits::secretFileProblem);
        return new TransportSettings(idleStrategy, termLengthBytes, secretFile);
    }

    private static HostDescriptor readHost(final YamlMapping host)
    {
        host.allowOnly(HOST_KEYS);
        final int id = (int)host.requiredInteger("id", ClusterLimits::hostIdProblem);
        return new HostDescriptor(
            id,
            host.optionalString("address", ClusterLimits::addressProblem),
            host.optionalString("aeronDir", ClusterLimits::aeronDirProblem),
            host.optionalSize("memory", ClusterLimits::hostMemoryProblem),
            host.optionalString("memoryFile", ClusterLimits::memoryFileProblem));
    }

    private static CoreDescriptor readCore(final YamlMapping core)
    {
        core.allowOnly(CORE_KEYS);
        final int id = (int)core.requiredInteger("id", ClusterLimits::coreIdProblem);
        final int hostId = (int)core.requiredInteger("host", ClusterLimits::hostIdProblem);
        final YamlMapping inbox = core.optionalMapping("inbox")
            .orElseThrow(() -> core.errorAtMapping("has no inbox; add inbox: {ipc: true} or inbox: {udp: host:port}"));
        final int adminPort = (int)core.requiredInteger("adminPort", ClusterLimits::portProblem);
        final String adminBind = core.optionalString("adminBind", ClusterLimits::addressProblem)
            .orElse(ClusterLimits.DEFAULT_ADMIN_BIND_ADDRESS);
        return new CoreDescriptor(id, hostId, readInbox(inbox), adminPort, adminBind);
    }

    private static InboxEndpoints readInbox(final YamlMapping inbox)
    {
        inbox.allowOnly(INBOX_KEYS);
        final boolean ipc = inbox.optionalBoolean("ipc").orElse(false);
        final Optional<UdpEndpoint> udp =
            inbox.optionalString("udp", UdpEndpoint::syntaxProblem).map(UdpEndpoint::parse);
        if (!ipc && udp.isEmpty())
        {
            throw inbox.errorAtMapping("offers no endpoint; set ipc: true, udp: host:port, or both");
        }
        return new InboxEndpoints(ipc, udp);
    }

    private static OptionalInt toInt(final OptionalLong value)
    {
        return value.isPresent() ? OptionalInt.of((int)value.getAsLong()) : OptionalInt.empty();
    }
}
