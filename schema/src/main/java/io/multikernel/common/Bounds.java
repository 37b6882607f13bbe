package io.multikernel.common;

/**
 * Range checks for settings and arguments, each failure one sentence that names the setting, the
 * value, both bounds and the unit once: {@code "termLength=1000 bytes is outside 65536..1073741824 bytes"}.
 * Used by every {@code Context.conclude()} so that a bound is spelled in one place (its constant) and
 * its message in one place (here).
 */
public final class Bounds
{
    private Bounds()
    {
    }

    /**
     * @param name  the setting or argument, as the user spells it.
     * @param value its value.
     * @param min   smallest allowed, inclusive.
     * @param max   largest allowed, inclusive.
     * @return {@code value}, for use in assignments.
     * @throws IllegalArgumentException when {@code value} is outside {@code min..max}.
     */
    public static long check(final String name, final long value, final long min, final long max)
    {
        return check(name, value, min, max, "");
    }

    /**
     * @param name  the setting or argument, as the user spells it.
     * @param value its value.
     * @param min   smallest allowed, inclusive.
     * @param max   largest allowed, inclusive.
     * @param unit  the unit, such as {@code "ms"} or {@code "bytes"}; empty for none.
     * @return {@code value}, for use in assignments.
     * @throws IllegalArgumentException when {@code value} is outside {@code min..max}.
     */
    public static long check(final String name, final long value, final long min, final long max, final String unit)
    {
        if (min > max)
        {
            throw new IllegalStateException("bounds of " + name + " are empty: " + min + ".." + max);
        }
        if (value < min || value > max)
        {
            throw new IllegalArgumentException(message(name, value, min, max, unit));
        }
        return value;
    }

    /**
     * {@link #check(String, long, long, long, String)} for an int.
     *
     * @return {@code value}.
     */
    public static int check(final String name, final int value, final int min, final int max, final String unit)
    {
        return (int)check(name, (long)value, min, max, unit);
    }

    /**
     * {@link #check(String, long, long, long)} for an int.
     *
     * @return {@code value}.
     */
    public static int check(final String name, final int value, final int min, final int max)
    {
        return (int)check(name, (long)value, min, max, "");
    }

    /**
     * @param name  the setting.
     * @param value its value.
     * @param min   smallest allowed, inclusive.
     * @param max   largest allowed, inclusive.
     * @return {@code value}.
     * @throws IllegalArgumentException when {@code value} is not a power of two inside {@code min..max}.
     */
    public static int checkPowerOfTwo(final String name, final int value, final int min, final int max, final String unit)
    {
        check(name, value, min, max, unit);
        if (Integer.bitCount(value) != 1)
        {
            throw new IllegalArgumentException(name + "=" + value + suffix(unit) + " is not a power of two");
        }
        return value;
    }

    /**
     * @return the sentence {@link #check} throws, for callers that report instead of throwing.
     */
    public static String message(final String name, final long value, final long min, final long max, final String unit)
    {
        final String suffix = suffix(unit);
        return name + "=" + value + suffix + " is outside " + min + ".." + max + suffix;
    }

    private static String suffix(final String unit)
    {
        return null == unit || unit.isEmpty() ? "" : " " + unit;
    }
}
