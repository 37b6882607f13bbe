package io.multikernel.node.cluster;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.LongFunction;

import io.multikernel.common.Sizes;

/**
 * Overrides of cluster map fields from environment variables and flags, so that a container can
 * change its core's ports and addresses without editing the shared file. Key names are listed in
 * {@link OverrideField}; for example {@code MK_CORE_3_ADMIN_PORT=9500} or
 * {@code MK_CORE_3_ADMIN_BIND=0.0.0.0}.
 *
 * <p>The CLI layers the sources, later winning:
 * {@code ClusterOverrides.fromEnvironment(System.getenv()).and(ClusterOverrides.fromAssignments(setFlags))},
 * where {@code setFlags} are {@code --set KEY=VALUE} arguments, and a flag such as
 * {@code --admin-port} becomes {@code OverrideField.CORE_ADMIN_PORT.key(coreId)}. Overrides are
 * applied before the map is validated, so an override may repair a map and the result is checked
 * as a whole. An empty value clears an optional field. Immutable.
 */
public final class ClusterOverrides
{
    /** No overrides. */
    public static final ClusterOverrides NONE = new ClusterOverrides(new TreeMap<>());

    private final SortedMap<String, String> entries;

    private ClusterOverrides(final SortedMap<String, String> entries)
    {
        this.entries = Collections.unmodifiableSortedMap(entries);
    }

    /**
     * @param entries override keys to values; every key must be an {@link OverrideField} key.
     * @return the overrides.
     * @throws ClusterMapException naming the first key that is not an override key.
     */
    public static ClusterOverrides of(final Map<String, String> entries)
    {
        for (final Map.Entry<String, String> entry : entries.entrySet())
        {
            if (OverrideField.parse(entry.getKey()).isEmpty())
            {
                throw new ClusterMapException("override " + entry.getKey() +
                    " is not a cluster map override key; known keys: " + OverrideField.describeAll());
            }
            if (null == entry.getValue())
            {
                throw new ClusterMapException("override " + entry.getKey() + " has no value");
            }
        }
        return new ClusterOverrides(new TreeMap<>(entries));
    }

    /**
     * Takes the variables in the override namespace ({@link OverrideField#isReserved}) and ignores
     * the rest, so unrelated {@code MK_*} variables do not fail a start, while a misspelt override
     * such as {@code MK_CORE_3_ADMIN_PROT} does.
     *
     * @param environment for example {@code System.getenv()}.
     * @return the overrides found.
     * @throws ClusterMapException naming a reserved variable that is not an override key.
     */
    public static ClusterOverrides fromEnvironment(final Map<String, String> environment)
    {
        final TreeMap<String, String> reserved = new TreeMap<>();
        environment.forEach((key, value) ->
        {
            if (OverrideField.isReserved(key))
            {
                reserved.put(key, value);
            }
        });
        return of(reserved);
    }

    /**
     * @param assignments {@code KEY=VALUE} strings, for example from repeated {@code --set} flags.
     * @return the overrides; a key given twice takes its last value.
     * @throws ClusterMapException naming an assignment without {@code =} or with an unknown key.
     */
    public static ClusterOverrides fromAssignments(final List<String> assignments)
    {
        final TreeMap<String, String> parsed = new TreeMap<>();
        for (final String assignment : assignments)
        {
            final int equals = assignment.indexOf('=');
            if (equals <= 0)
            {
                throw new ClusterMapException("override " + assignment + " is not KEY=VALUE, for example " +
                    OverrideField.CORE_ADMIN_PORT.key(0) + "=9500");
            }
            parsed.put(assignment.substring(0, equals).trim(), assignment.substring(equals + 1).trim());
        }
        return of(parsed);
    }

    /**
     * @param later overrides that win over these, for example flags over environment.
     * @return both, layered.
     */
    public ClusterOverrides and(final ClusterOverrides later)
    {
        final TreeMap<String, String> merged = new TreeMap<>(entries);
        merged.putAll(later.entries);
        return new ClusterOverrides(merged);
    }

    /**
     * @return the keys and values, sorted by key.
     */
    public SortedMap<String, String> entries()
    {
        return entries;
    }

    /**
     * @return true when there is nothing to override.
     */
    public boolean isEmpty()
    {
        return entries.isEmpty();
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public boolean equals(final Object other)
    {
        return other instanceof ClusterOverrides that && entries.equals(that.entries);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int hashCode()
    {
        return entries.hashCode();
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return "ClusterOverrides" + entries;
    }

    /**
     * @param draft a map as read, not yet validated across entries.
     * @return the draft with every override applied, each value checked as the reader would.
     * @throws ClusterMapException naming the first override that is invalid or names an unlisted entry.
     */
    ClusterMapDraft applyTo(final ClusterMapDraft draft)
    {
        if (entries.isEmpty())
        {
            return draft;
        }
        checkIdsExist(draft);
        String name = draft.name();
        TransportSettings transport = draft.transport();
        for (final Map.Entry<String, String> entry : entries.entrySet())
        {
            final OverrideField field = OverrideField.parse(entry.getKey()).orElseThrow().field();
            final String value = entry.getValue();
            switch (field)
            {
                case CLUSTER_NAME -> name = text(entry, ClusterLimits::clusterNameProblem).orElse(
                    ClusterLimits.DEFAULT_CLUSTER_NAME);
                case TRANSPORT_IDLE_STRATEGY -> transport = transport.withIdleStrategy(
                    text(entry, ClusterLimits::idleStrategyProblem));
                case TRANSPORT_TERM_LENGTH_BYTES -> transport = transport.withTermLengthBytes(value.isEmpty() ?
                    OptionalInt.empty() : OptionalInt.of(integer(entry, ClusterLimits::termLengthProblem)));
                default ->
                {
                    // Host and core fields are applied per entry below.
                }
            }
        }
        final List<HostDescriptor> hosts = new ArrayList<>();
        draft.hosts().forEach(host -> hosts.add(applyToHost(host)));
        final List<CoreDescriptor> cores = new ArrayList<>();
        draft.cores().forEach(core -> cores.add(applyToCore(core)));
        return new ClusterMapDraft(draft.source() + " with overrides", name, transport, hosts, cores);
    }

    private void checkIdsExist(final ClusterMapDraft draft)
    {
        for (final Map.Entry<String, String> entry : entries.entrySet())
        {
            final OverrideField.Key key = OverrideField.parse(entry.getKey()).orElseThrow();
            final OverrideField.Scope scope = key.field().scope();
            final boolean listed = switch (scope)
            {
                case HOST -> draft.hosts().stream().anyMatch(host -> host.id() == key.id());
                case CORE -> draft.cores().stream().anyMatch(core -> core.id() == key.id());
                default -> true;
            };
            if (!listed)
            {
                throw error(entry, "names " + scope.name().toLowerCase(Locale.ROOT) + " " + key.id() +
                    ", which the cluster map does not list; overrides change entries, they do not add them");
            }
        }
    }

    private HostDescriptor applyToHost(final HostDescriptor host)
    {
        HostDescriptor result = host;
        final Map.Entry<String, String> address = entry(OverrideField.HOST_ADDRESS.key(host.id()));
        if (null != address)
        {
            result = result.withAddress(text(address, ClusterLimits::addressProblem));
        }
        final Map.Entry<String, String> aeronDir = entry(OverrideField.HOST_AERON_DIR.key(host.id()));
        if (null != aeronDir)
        {
            result = result.withAeronDir(text(aeronDir, ClusterLimits::aeronDirProblem));
        }
        final Map.Entry<String, String> memory = entry(OverrideField.HOST_MEMORY.key(host.id()));
        if (null != memory)
        {
            result = result.withMemoryBytes(memory.getValue().isEmpty() ?
                OptionalLong.empty() : OptionalLong.of(size(memory, ClusterLimits::hostMemoryProblem)));
        }
        final Map.Entry<String, String> memoryFile = entry(OverrideField.HOST_MEMORY_FILE.key(host.id()));
        if (null != memoryFile)
        {
            result = result.withMemoryFile(text(memoryFile, ClusterLimits::memoryFileProblem));
        }
        return result;
    }

    private CoreDescriptor applyToCore(final CoreDescriptor core)
    {
        final int id = core.id();
        final Map.Entry<String, String> host = entry(OverrideField.CORE_HOST.key(id));
        final Map.Entry<String, String> port = entry(OverrideField.CORE_ADMIN_PORT.key(id));
        final Map.Entry<String, String> bind = entry(OverrideField.CORE_ADMIN_BIND.key(id));
        final Map.Entry<String, String> ipc = entry(OverrideField.CORE_INBOX_IPC.key(id));
        final Map.Entry<String, String> udp = entry(OverrideField.CORE_INBOX_UDP.key(id));

        final boolean newIpc = null == ipc ? core.inbox().ipc() : bool(ipc);
        final Optional<UdpEndpoint> newUdp = null == udp ?
            core.inbox().udp() : text(udp, UdpEndpoint::syntaxProblem).map(UdpEndpoint::parse);
        if (!newIpc && newUdp.isEmpty())
        {
            throw error(null != ipc ? ipc : udp, "leaves core " + id + "'s inbox with neither ipc nor udp; set " +
                OverrideField.CORE_INBOX_UDP.key(id) + "=host:port");
        }
        return new CoreDescriptor(
            id,
            null == host ? core.hostId() : integer(host, ClusterLimits::hostIdProblem),
            new InboxEndpoints(newIpc, newUdp),
            null == port ? core.adminPort() : integer(port, ClusterLimits::portProblem),
            null == bind ? core.adminBindAddress() :
                text(bind, ClusterLimits::addressProblem).orElse(ClusterLimits.DEFAULT_ADMIN_BIND_ADDRESS));
    }

    private Map.Entry<String, String> entry(final String key)
    {
        final String value = entries.get(key);
        return null == value ? null : Map.entry(key, value);
    }

    private static Optional<String> text(
        final Map.Entry<String, String> entry, final Function<String, String> problem)
    {
        final String value = entry.getValue();
        if (value.isEmpty())
        {
            return Optional.empty();
        }
        final String textProblem = problem.apply(value);
        if (null != textProblem)
        {
            throw error(entry, textProblem);
        }
        return Optional.of(value);
    }

    private static int integer(final Map.Entry<String, String> entry, final LongFunction<String> problem)
    {
        final long value;
        try
        {
            value = Long.parseLong(entry.getValue());
        }
        catch (final NumberFormatException ex)
        {
            throw error(entry, "is not an integer");
        }
        final String rangeProblem = problem.apply(value);
        if (null != rangeProblem)
        {
            throw error(entry, rangeProblem);
        }
        return (int)value;
    }

    private static long size(final Map.Entry<String, String> entry, final LongFunction<String> problem)
    {
        final long value;
        try
        {
            value = Sizes.parse(entry.getKey(), entry.getValue());
        }
        catch (final IllegalArgumentException ex)
        {
            throw error(entry, "is not a size: expected bytes, or a number with a k, m or g suffix");
        }
        final String rangeProblem = problem.apply(value);
        if (null != rangeProblem)
        {
            throw error(entry, rangeProblem);
        }
        return value;
    }

    private static boolean bool(final Map.Entry<String, String> entry)
    {
        return switch (entry.getValue().toLowerCase(Locale.ROOT))
        {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw error(entry, "is not true or false");
        };
    }

    private static ClusterMapException error(final Map.Entry<String, String> entry, final String problem)
    {
        final String value = entry.getValue().replaceAll("\\p{Cntrl}", "?");
        return new ClusterMapException("override " + entry.getKey() + "=" + value + " " + problem);
    }
}
