package io.multikernel.node.cluster;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The cluster map fields that environment variables and flags can override, and the names of
 * their override keys. Keys are environment-variable shaped so that one spelling serves both:
 *
 * <pre>
 * MK_CLUSTER_NAME                    cluster
 * MK_TRANSPORT_IDLE_STRATEGY         transport.idleStrategy      (empty value: transport default)
 * MK_TRANSPORT_TERM_LENGTH_BYTES     transport.termLengthBytes   (empty value: transport default)
 * MK_HOST_&lt;id&gt;_ADDRESS              hosts[id].address           (empty value: none)
 * MK_HOST_&lt;id&gt;_AERON_DIR            hosts[id].aeronDir          (empty value: Aeron's default)
 * MK_HOST_&lt;id&gt;_MEMORY               hosts[id].memory            (bytes, or 64m; empty value: 16m)
 * MK_HOST_&lt;id&gt;_MEMORY_FILE          hosts[id].memoryFile        (empty value: aeronDir + ".memory")
 * MK_CORE_&lt;id&gt;_HOST                 cores[id].host
 * MK_CORE_&lt;id&gt;_INBOX_IPC            cores[id].inbox.ipc         (true / false)
 * MK_CORE_&lt;id&gt;_INBOX_UDP            cores[id].inbox.udp         (host:port; empty value: none)
 * MK_CORE_&lt;id&gt;_ADMIN_PORT           cores[id].adminPort
 * MK_CORE_&lt;id&gt;_ADMIN_BIND           cores[id].adminBind         (empty value: 127.0.0.1)
 * MK_CORE_&lt;id&gt;_DATA_DIR             the core's data directory  (not a map field: read by mk core)
 * </pre>
 *
 * {@code <id>} is the decimal core or host id. Overrides change listed cores and hosts; they do
 * not add new ones.
 */
public enum OverrideField
{
    /** The cluster name. */
    CLUSTER_NAME(Scope.CLUSTER, "NAME"),
    /** The agents' idle strategy. */
    TRANSPORT_IDLE_STRATEGY(Scope.TRANSPORT, "IDLE_STRATEGY"),
    /** The Aeron term length of inbox publications. */
    TRANSPORT_TERM_LENGTH_BYTES(Scope.TRANSPORT, "TERM_LENGTH_BYTES"),
    /** A host's address. */
    HOST_ADDRESS(Scope.HOST, "ADDRESS"),
    /** A host's media driver directory. */
    HOST_AERON_DIR(Scope.HOST, "AERON_DIR"),
    /** A host's physical memory, bytes. */
    HOST_MEMORY(Scope.HOST, "MEMORY"),
    /** The file a host's cores map as its physical memory. */
    HOST_MEMORY_FILE(Scope.HOST, "MEMORY_FILE"),
    /** The host a core runs on. */
    CORE_HOST(Scope.CORE, "HOST"),
    /** Whether a core's inbox listens on IPC. */
    CORE_INBOX_IPC(Scope.CORE, "INBOX_IPC"),
    /** A core's inbox UDP address. */
    CORE_INBOX_UDP(Scope.CORE, "INBOX_UDP"),
    /** A core's admin/metrics port. */
    CORE_ADMIN_PORT(Scope.CORE, "ADMIN_PORT"),
    /** A core's admin/metrics bind address. */
    CORE_ADMIN_BIND(Scope.CORE, "ADMIN_BIND"),
    /** A core's data directory (write-ahead log, snapshots); not in the map, read by {@code mk core}. */
    CORE_DATA_DIR(Scope.CORE, "DATA_DIR");

    /** What an override field belongs to. */
    public enum Scope
    {
        /** The whole cluster: no id in the key. */
        CLUSTER,
        /** The shared transport settings: no id in the key. */
        TRANSPORT,
        /** One host: the key carries the host id. */
        HOST,
        /** One core: the key carries the core id. */
        CORE
    }

    /**
     * An override key split into its field and, for host and core fields, the id.
     *
     * @param field the field.
     * @param id    the host or core id; -1 for cluster and transport fields.
     */
    public record Key(OverrideField field, int id)
    {
    }

    // Reserved: any digits. Parsed: canonical decimal only, so each field has one spelling.
    private static final Pattern RESERVED_PER_ID = Pattern.compile("MK_(CORE|HOST)_[0-9]+_.*");
    private static final Pattern PER_ID = Pattern.compile("MK_(CORE|HOST)_(0|[1-9][0-9]{0,8})_([A-Z_]+)");

    private final Scope scope;
    private final String suffix;

    OverrideField(final Scope scope, final String suffix)
    {
        this.scope = scope;
        this.suffix = suffix;
    }

    /**
     * @return what the field belongs to.
     */
    public Scope scope()
    {
        return scope;
    }

    /**
     * @param id the core or host id; ignored for cluster and transport fields.
     * @return the override key, for example {@code MK_CORE_3_ADMIN_PORT}.
     */
    public String key(final int id)
    {
        return switch (scope)
        {
            case CLUSTER -> "MK_CLUSTER_" + suffix;
            case TRANSPORT -> "MK_TRANSPORT_" + suffix;
            case HOST -> "MK_HOST_" + id + "_" + suffix;
            case CORE -> "MK_CORE_" + id + "_" + suffix;
        };
    }

    /**
     * Whether a name is in the override namespace: {@code MK_CLUSTER_NAME}, {@code MK_TRANSPORT_*},
     * {@code MK_HOST_<digits>_*} or {@code MK_CORE_<digits>_*}. Other {@code MK_*} variables (for
     * example {@code MK_CORE_ID}) belong to someone else and are left alone.
     *
     * @param name an environment variable or flag key.
     * @return true when the name must be a valid override key.
     */
    public static boolean isReserved(final String name)
    {
        return name.equals(CLUSTER_NAME.key(-1)) || name.startsWith("MK_TRANSPORT_") ||
            RESERVED_PER_ID.matcher(name).matches();
    }

    /**
     * @param name a key such as {@code MK_CORE_3_ADMIN_PORT}; ids are plain decimal, no leading zeros.
     * @return the field and id, or empty when the name is not an override key.
     */
    public static Optional<Key> parse(final String name)
    {
        final Matcher matcher = PER_ID.matcher(name);
        final Scope scope = matcher.matches() ? Scope.valueOf(matcher.group(1)) : null;
        for (final OverrideField field : values())
        {
            if (null == scope && field.key(-1).equals(name))
            {
                return Optional.of(new Key(field, -1));
            }
            if (null != scope && field.scope == scope && field.suffix.equals(matcher.group(3)))
            {
                return Optional.of(new Key(field, Integer.parseInt(matcher.group(2))));
            }
        }
        return Optional.empty();
    }

    /**
     * @return every key pattern, for error messages, for example {@code MK_CORE_<id>_ADMIN_PORT}.
     */
    public static String describeAll()
    {
        final StringBuilder builder = new StringBuilder();
        for (final OverrideField field : values())
        {
            builder.append(builder.length() == 0 ? "" : ", ")
                .append(field.key(-1).replace("_-1_", "_<id>_"));
        }
        return builder.toString();
    }
}
