package io.multikernel.node.caps;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Rights of a capability, as bits: read, write, execute, grant, identify. Rights only shrink: a copy
 * keeps them, a mint takes a subset.
 */
public final class Rights
{
    public static final int READ = 1;
    public static final int WRITE = 1 << 1;
    public static final int EXECUTE = 1 << 2;
    public static final int GRANT = 1 << 3;
    public static final int IDENTIFY = 1 << 4;
    /** ALL: every right; what a memory server's RAM and a retype's new objects start with. */
    public static final int ALL = READ | WRITE | EXECUTE | GRANT | IDENTIFY;

    private static final String[] NAMES = { "read", "write", "execute", "grant", "identify" };

    private Rights()
    {
    }

    /**
     * @param rights bits.
     * @return true when no bit outside {@link #ALL} is set.
     */
    public static boolean valid(final int rights)
    {
        return (rights & ~ALL) == 0;
    }

    /**
     * @param held     rights a capability has.
     * @param required rights an operation needs.
     * @return true when every required right is held.
     */
    public static boolean includes(final int held, final int required)
    {
        return (held & required) == required;
    }

    /**
     * @param rights bits.
     * @return e.g. {@code read,write}; {@code none} for no rights.
     */
    public static String format(final int rights)
    {
        final List<String> names = new ArrayList<>();
        for (int i = 0; i < NAMES.length; i++)
        {
            if ((rights & (1 << i)) != 0)
            {
                names.add(NAMES[i]);
            }
        }
        return names.isEmpty() ? "none" : String.join(",", names);
    }

    /**
     * @param text e.g. {@code read,write}, {@code all} or {@code none}.
     * @return the bits.
     * @throws IllegalArgumentException naming an unknown right.
     */
    public static int parse(final String text)
    {
        final String trimmed = text.trim().toLowerCase(Locale.ROOT);
        if ("all".equals(trimmed))
        {
            return ALL;
        }
        if ("none".equals(trimmed) || trimmed.isEmpty())
        {
            return 0;
        }
        int rights = 0;
        for (final String name : trimmed.split(","))
        {
            final int index = List.of(NAMES).indexOf(name.trim());
            if (index < 0)
            {
                throw new IllegalArgumentException("right '" + name.trim() + "' is unknown: use " +
                    String.join(", ", NAMES) + ", all or none");
            }
            rights |= 1 << index;
        }
        return rights;
    }
}
