package io.multikernel.node.skb;

import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.OptionalInt;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The SKB's name service: service name to the core that serves it. A name is 1 to
 * {@link #SERVICE_NAME_LENGTH_MAX_CHARS} characters of {@code [a-z0-9._-]}, starting with a letter,
 * for example {@code memory.server} or {@code vm-3}. A name belongs to one core at a time.
 *
 * <p>A core serves names from its replica of the replicated key-value store: a registration is the
 * key {@link #keyOf(String) name/NAME} holding the serving core's id in decimal, agreed by every core
 * through 2PC ({@code io.multikernel.node.replication.AgreedNameService}). This class holds the rules
 * a registration must meet ({@link #nameProblem}, {@link #registrationProblem}), that key mapping,
 * and an in-memory registry with the same rules, for single-process uses and tests.
 * Owned by one agent; not thread-safe.
 */
public final class NameService
{
    /** Longest service name. */
    public static final int SERVICE_NAME_LENGTH_MAX_CHARS = 64;
    /** Most names the registry holds. */
    public static final int SERVICE_COUNT_MAX = 4_096;

    /** Prefix of every registration's key in the replicated key-value store. */
    public static final String KEY_PREFIX = "name/";

    private static final int NAME_DISPLAY_LENGTH_MAX_CHARS = 24;
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9._-]*");

    private final Topology topology;
    private final TreeMap<String, Integer> coreByName = new TreeMap<>();

    /**
     * @param topology the cores names may be registered to.
     */
    public NameService(final Topology topology)
    {
        this.topology = topology;
    }

    /**
     * @param name a candidate service name.
     * @return null when the name is valid, else one line saying why not.
     */
    public static String nameProblem(final String name)
    {
        if (null == name || name.isEmpty() || name.length() > SERVICE_NAME_LENGTH_MAX_CHARS)
        {
            return "service name '" + printable(name) + "' must be 1.." + SERVICE_NAME_LENGTH_MAX_CHARS +
                " characters (SERVICE_NAME_LENGTH_MAX_CHARS), was " + (null == name ? "null" : name.length());
        }
        if (!NAME.matcher(name).matches())
        {
            return "service name '" + printable(name) + "' must start with a lower-case letter and hold only " +
                "a-z, 0-9, '.', '_' and '-'";
        }
        return null;
    }

    /**
     * @param name a valid service name.
     * @return its key in the replicated key-value store, {@code name/NAME}.
     */
    public static String keyOf(final String name)
    {
        return KEY_PREFIX + name;
    }

    /**
     * @param value the value of a {@code name/NAME} key, or null when the key is absent.
     * @return the core id it holds, or empty when absent or not a core id (written by another writer).
     */
    public static OptionalInt coreOf(final String value)
    {
        if (null == value || value.isEmpty() || value.length() > 10 || !value.chars().allMatch(Character::isDigit))
        {
            return OptionalInt.empty();
        }
        final long coreId = Long.parseLong(value);
        return coreId > Integer.MAX_VALUE ? OptionalInt.empty() : OptionalInt.of((int)coreId);
    }

    /**
     * @param name   a candidate service name.
     * @param coreId the candidate serving core.
     * @return null when the name is valid and the core in the topology, else one line saying why not.
     */
    public String registrationProblem(final String name, final int coreId)
    {
        final String problem = nameProblem(name);
        if (null != problem)
        {
            return problem;
        }
        if (!topology.contains(coreId))
        {
            return "cannot register service name '" + name + "' to core " + coreId + ": no such core";
        }
        return null;
    }

    /**
     * Registers a name to a core; registering the same name to the same core again is a no-op.
     *
     * @param name   a valid service name.
     * @param coreId the serving core, in the topology.
     * @throws NameServiceException when the name is invalid, the core unknown, the name held by
     *                              another core, or the registry full. Nothing changed.
     */
    public void register(final String name, final int coreId)
    {
        final String problem = registrationProblem(name, coreId);
        if (null != problem)
        {
            throw new NameServiceException(problem);
        }
        final Integer holder = coreByName.get(name);
        if (null != holder)
        {
            if (holder != coreId)
            {
                throw new NameServiceException("service name '" + name + "' is already registered to core " +
                    holder + "; unregister it there first");
            }
            return;
        }
        if (coreByName.size() >= SERVICE_COUNT_MAX)
        {
            throw new NameServiceException("cannot register service name '" + name + "': the registry holds " +
                coreByName.size() + " names, SERVICE_COUNT_MAX=" + SERVICE_COUNT_MAX);
        }
        coreByName.put(name, coreId);
    }

    /**
     * @param name a valid service name.
     * @return the core serving it, or empty when it is not registered.
     * @throws NameServiceException when the name is invalid.
     */
    public OptionalInt lookup(final String name)
    {
        requireValid(name);
        final Integer coreId = coreByName.get(name);
        return null == coreId ? OptionalInt.empty() : OptionalInt.of(coreId);
    }

    /**
     * Removes a registration; only the core that holds the name may remove it.
     *
     * @param name   a registered service name.
     * @param coreId the core that registered it.
     * @throws NameServiceException when the name is invalid, not registered, or held by another core.
     */
    public void unregister(final String name, final int coreId)
    {
        requireValid(name);
        final Integer holder = coreByName.get(name);
        if (null == holder)
        {
            throw new NameServiceException("service name '" + name + "' is not registered");
        }
        if (holder != coreId)
        {
            throw new NameServiceException("service name '" + name + "' is registered to core " + holder +
                ", not core " + coreId + "; only its core may unregister it");
        }
        coreByName.remove(name);
    }

    /**
     * Removes every name a core holds, for example when the core leaves or is declared down.
     *
     * @param coreId a core id.
     * @return how many names were removed.
     */
    public int unregisterAll(final int coreId)
    {
        int removed = 0;
        for (final Iterator<Integer> holders = coreByName.values().iterator(); holders.hasNext(); )
        {
            if (holders.next() == coreId)
            {
                holders.remove();
                removed++;
            }
        }
        return removed;
    }

    /**
     * @return number of registered names.
     */
    public int size()
    {
        return coreByName.size();
    }

    /**
     * @return a copy of the registrations, sorted by name, for example for {@code /skb}.
     */
    public SortedMap<String, Integer> snapshot()
    {
        return Collections.unmodifiableSortedMap(new TreeMap<>(coreByName));
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        final StringBuilder builder = new StringBuilder("NameService{");
        for (final Map.Entry<String, Integer> entry : coreByName.entrySet())
        {
            builder.append(builder.length() > "NameService{".length() ? ", " : "")
                .append(entry.getKey()).append("->").append(entry.getValue());
        }
        return builder.append('}').toString();
    }

    private static void requireValid(final String name)
    {
        final String problem = nameProblem(name);
        if (null != problem)
        {
            throw new NameServiceException(problem);
        }
    }

    /**
     * @param name a name or key from a request, possibly long or holding control characters.
     * @return it cut to a display length, control characters shown as '?', for error messages.
     */
    public static String printable(final String name)
    {
        if (null == name)
        {
            return "null";
        }
        final String shown = name.length() > NAME_DISPLAY_LENGTH_MAX_CHARS ?
            name.substring(0, NAME_DISPLAY_LENGTH_MAX_CHARS) + "..." : name;
        return shown.replaceAll("\\p{Cntrl}", "?");
    }
}
