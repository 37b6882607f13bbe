package io.multikernel.node.cluster;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The one place that holds the cluster map's limits, defaults and per-field rules, so the YAML
 * reader, the overrides and the generator reject the same values with the same words.
 *
 * <p>Each {@code xxxProblem} method returns {@code null} when the value is acceptable, otherwise
 * the end of a one-line sentence such as {@code "is out of range 1..65535"}; callers prefix it with
 * the field and the value.
 */
public final class ClusterLimits
{
    /** Largest core id; ids are dense enough to index arrays and fit the envelope's int32. */
    public static final int CORE_ID_MAX = 65_535;
    /** Largest host id; the Hello message carries it as an int32. */
    public static final int HOST_ID_MAX = 65_535;
    /** Most cores one cluster map may list. */
    public static final int CORE_COUNT_MAX = 1_024;
    /** Most hosts one cluster map may list. */
    public static final int HOST_COUNT_MAX = 1_024;
    /** Smallest TCP/UDP port a map may name; 0 (ephemeral) is refused because peers need a known port. */
    public static final int PORT_MIN = 1;
    /** Largest TCP/UDP port. */
    public static final int PORT_MAX = 65_535;
    /** Largest cluster map file read. */
    public static final int CLUSTER_MAP_LENGTH_MAX_BYTES = 1024 * 1024;
    /** Longest cluster name. */
    public static final int CLUSTER_NAME_LENGTH_MAX_CHARS = 63;
    /** Longest host name or address (DNS limit). */
    public static final int ADDRESS_LENGTH_MAX_CHARS = 253;
    /** Longest Aeron directory path. */
    public static final int AERON_DIR_LENGTH_MAX_CHARS = 4_096;
    /** Longest path of a host's memory file (Linux's PATH_MAX). */
    public static final int MEMORY_FILE_LENGTH_MAX_CHARS = 4_096;
    /** Longest path of the cluster secret's file (Linux's PATH_MAX). */
    public static final int SECRET_FILE_LENGTH_MAX_CHARS = 4_096;
    /** A page of physical memory: the unit hosts' memory and memory servers' ranges are counted in. */
    public static final int PAGE_LENGTH_BYTES = 4_096;
    /** Smallest physical memory of a host: one page. */
    public static final long HOST_MEMORY_MIN_BYTES = PAGE_LENGTH_BYTES;
    /** Largest physical memory of a host: one mapped buffer, which is int-indexed, holds it. */
    public static final long HOST_MEMORY_MAX_BYTES = 1L << 30;
    /** Smallest Aeron term length (Aeron's own minimum). */
    public static final int TERM_LENGTH_MIN_BYTES = 64 * 1024;
    /** Largest Aeron term length (Aeron's own maximum). */
    public static final int TERM_LENGTH_MAX_BYTES = 1024 * 1024 * 1024;

    /** Cluster name used when the map gives none. */
    public static final String DEFAULT_CLUSTER_NAME = "mk";
    /** Physical memory of a host whose entry gives none: 16 MiB, a multiple of the page. */
    public static final long DEFAULT_HOST_MEMORY_BYTES = 16L * 1024 * 1024;
    /** Admin/metrics HTTP bind address used when a core gives none: loopback only. */
    public static final String DEFAULT_ADMIN_BIND_ADDRESS = "127.0.0.1";
    /** First admin/metrics port of a generated local cluster; core {@code i} gets this plus {@code i}. */
    public static final int DEFAULT_ADMIN_BASE_PORT = 9_400;
    /** First UDP inbox port of a generated local cluster; core {@code i} gets this plus {@code i}. */
    public static final int DEFAULT_UDP_BASE_PORT = 40_400;

    /** Idle strategy names of a core's kernel loop, as {@code mk core --idle} takes them. */
    public static final List<String> IDLE_STRATEGY_NAMES = io.multikernel.transport.IdleStrategies.NAMES;

    private static final Pattern CLUSTER_NAME = Pattern.compile("[a-z0-9][a-z0-9-]*");
    private static final Pattern ADDRESS = Pattern.compile("[A-Za-z0-9._:%-]+");

    private ClusterLimits()
    {
    }

    /**
     * @param id a core id.
     * @return null when valid, else the problem.
     */
    public static String coreIdProblem(final long id)
    {
        return rangeProblem(id, 0, CORE_ID_MAX);
    }

    /**
     * @param id a host id.
     * @return null when valid, else the problem.
     */
    public static String hostIdProblem(final long id)
    {
        return rangeProblem(id, 0, HOST_ID_MAX);
    }

    /**
     * @param port a TCP or UDP port.
     * @return null when valid, else the problem.
     */
    public static String portProblem(final long port)
    {
        return rangeProblem(port, PORT_MIN, PORT_MAX);
    }

    /**
     * @param termLengthBytes an Aeron term length.
     * @return null when valid, else the problem.
     */
    public static String termLengthProblem(final long termLengthBytes)
    {
        final String range = rangeProblem(termLengthBytes, TERM_LENGTH_MIN_BYTES, TERM_LENGTH_MAX_BYTES);
        if (null != range)
        {
            return range;
        }
        return Long.bitCount(termLengthBytes) == 1 ? null : "is not a power of two";
    }

    /**
     * @param name a cluster name.
     * @return null when valid, else the problem.
     */
    public static String clusterNameProblem(final String name)
    {
        if (name.isEmpty() || name.length() > CLUSTER_NAME_LENGTH_MAX_CHARS)
        {
            return "must be 1.." + CLUSTER_NAME_LENGTH_MAX_CHARS + " characters";
        }
        return CLUSTER_NAME.matcher(name).matches() ? null : "must be lower-case letters, digits and '-'";
    }

    /**
     * @param address a host name, IPv4 or IPv6 address (IPv6 without brackets).
     * @return null when valid, else the problem.
     */
    public static String addressProblem(final String address)
    {
        if (address.isEmpty() || address.length() > ADDRESS_LENGTH_MAX_CHARS)
        {
            return "must be 1.." + ADDRESS_LENGTH_MAX_CHARS + " characters";
        }
        return ADDRESS.matcher(address).matches() ? null : "is not a host name or IP address";
    }

    /**
     * @param aeronDir a directory path.
     * @return null when valid, else the problem.
     */
    public static String aeronDirProblem(final String aeronDir)
    {
        return pathProblem(aeronDir, AERON_DIR_LENGTH_MAX_CHARS);
    }

    /**
     * @param memoryFile a file path.
     * @return null when valid, else the problem.
     */
    public static String memoryFileProblem(final String memoryFile)
    {
        return pathProblem(memoryFile, MEMORY_FILE_LENGTH_MAX_CHARS);
    }

    /**
     * @param secretFile the cluster secret's file.
     * @return null when valid, else the problem.
     */
    public static String secretFileProblem(final String secretFile)
    {
        return secretFile.isBlank() ? "is blank; name the cluster secret's file" :
            pathProblem(secretFile, SECRET_FILE_LENGTH_MAX_CHARS);
    }

    /**
     * @param memoryBytes a host's physical memory.
     * @return null when valid, else the problem.
     */
    public static String hostMemoryProblem(final long memoryBytes)
    {
        final String range = rangeProblem(memoryBytes, HOST_MEMORY_MIN_BYTES, HOST_MEMORY_MAX_BYTES);
        if (null != range)
        {
            return range;
        }
        return memoryBytes % PAGE_LENGTH_BYTES == 0 ? null :
            "is not a multiple of the " + PAGE_LENGTH_BYTES + "-byte page";
    }

    /**
     * @param name an idle strategy name.
     * @return null when valid, else the problem.
     */
    public static String idleStrategyProblem(final String name)
    {
        return IDLE_STRATEGY_NAMES.contains(name) ? null : "is not one of " + String.join(", ", IDLE_STRATEGY_NAMES);
    }

    private static String pathProblem(final String path, final int lengthMaxChars)
    {
        if (path.isEmpty() || path.length() > lengthMaxChars)
        {
            return "must be 1.." + lengthMaxChars + " characters";
        }
        for (int i = 0; i < path.length(); i++)
        {
            if (Character.isISOControl(path.charAt(i)))
            {
                return "contains a control character";
            }
        }
        return null;
    }

    private static String rangeProblem(final long value, final long min, final long max)
    {
        return value < min || value > max ? "is out of range " + min + ".." + max : null;
    }
}
