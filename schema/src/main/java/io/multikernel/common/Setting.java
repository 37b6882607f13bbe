package io.multikernel.common;

import java.math.BigDecimal;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One line of the configuration reference ({@code mk config}, {@code docs/CONFIGURATION.md}): a system
 * property, its default as a user would write it ({@code 256k}, {@code 1s}, {@code 250}, {@code group}),
 * and one sentence on what it does. Each {@code *Configuration} class lists its own in
 * {@code settings()}, built from its property-name and default constants.
 *
 * <p>{@link #current()} renders what the setting's accessor returns now, in the notation of
 * {@link #defaultValue()}. With the property unset the two must be equal, which a test checks for
 * every setting: the reference cannot drift from the constant, nor the constant from the accessor.
 * A setting whose default is found at run time (a path beside a jar) is {@link #derived}: its
 * "default" describes the rule and it has no {@code current}.
 *
 * @param name         the system property, {@code mk.…}.
 * @param defaultValue the default as a user would write it, or for a derived setting the rule.
 * @param meaning      one sentence: what it does, its unit and its limits.
 * @param current      the accessor's value in the notation of {@code defaultValue}; {@code null} when derived.
 */
public record Setting(String name, String defaultValue, String meaning, Supplier<String> current)
{
    private static final long KIB = 1024;
    private static final long MIB = 1024 * KIB;
    private static final long GIB = 1024 * MIB;

    public Setting
    {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(defaultValue, "defaultValue");
        Objects.requireNonNull(meaning, "meaning");
        if (!name.startsWith("mk.") || name.contains(" "))
        {
            throw new IllegalArgumentException("setting name " + name + " does not start with mk. or holds a space");
        }
        if (defaultValue.isBlank() || meaning.isBlank() || meaning.contains("\n"))
        {
            throw new IllegalArgumentException("setting " + name + " needs a default and a one-line meaning");
        }
    }

    /**
     * @param name        the system property.
     * @param defaultRule how the default is found at run time, e.g. "mk-core.jar beside mk.jar".
     * @param meaning     one sentence.
     * @return a setting with no fixed default to compare against.
     */
    public static Setting derived(final String name, final String defaultRule, final String meaning)
    {
        return new Setting(name, defaultRule, meaning, null);
    }

    /**
     * @return true when the default is found at run time and {@link #current()} is {@code null}.
     */
    public boolean isDerived()
    {
        return null == current;
    }

    /**
     * @param bytes a size.
     * @return it as written in a property: {@code 1g}, {@code 64m}, {@code 256k} when it is a whole
     * number of those, else the number of bytes.
     */
    public static String size(final long bytes)
    {
        if (0 == bytes)
        {
            return "0";
        }
        if (0 == bytes % GIB)
        {
            return bytes / GIB + "g";
        }
        if (0 == bytes % MIB)
        {
            return bytes / MIB + "m";
        }
        if (0 == bytes % KIB)
        {
            return bytes / KIB + "k";
        }
        return Long.toString(bytes);
    }

    /**
     * @param nanoseconds a duration.
     * @return it as written in a duration property: {@code 10s}, {@code 500ms}, {@code 50us} when it
     * is a whole number of those, {@code 0} for none, else {@code 7ns}.
     */
    public static String duration(final long nanoseconds)
    {
        if (0 == nanoseconds)
        {
            return "0";
        }
        if (0 == nanoseconds % TimeUnit.SECONDS.toNanos(1))
        {
            return TimeUnit.NANOSECONDS.toSeconds(nanoseconds) + "s";
        }
        if (0 == nanoseconds % TimeUnit.MILLISECONDS.toNanos(1))
        {
            return TimeUnit.NANOSECONDS.toMillis(nanoseconds) + "ms";
        }
        if (0 == nanoseconds % TimeUnit.MICROSECONDS.toNanos(1))
        {
            return TimeUnit.NANOSECONDS.toMicros(nanoseconds) + "us";
        }
        return nanoseconds + "ns";
    }

    /**
     * @param nanoseconds a duration held in nanoseconds whose property is in milliseconds ({@code .ms}).
     * @return the whole number of milliseconds, or the exact fraction when there is one.
     */
    public static String milliseconds(final long nanoseconds)
    {
        return exact(nanoseconds, TimeUnit.MILLISECONDS.toNanos(1));
    }

    /**
     * @param nanoseconds a duration held in nanoseconds whose property is in microseconds ({@code .us}).
     * @return the whole number of microseconds, or the exact fraction when there is one.
     */
    public static String microseconds(final long nanoseconds)
    {
        return exact(nanoseconds, TimeUnit.MICROSECONDS.toNanos(1));
    }

    private static String exact(final long nanoseconds, final long unitNs)
    {
        return 0 == nanoseconds % unitNs ?
            Long.toString(nanoseconds / unitNs) :
            BigDecimal.valueOf(nanoseconds).divide(BigDecimal.valueOf(unitNs)).toPlainString();
    }
}
