package io.multikernel.common;

import org.agrona.SystemUtil;

/**
 * Sizes given by users ({@code 65536}, {@code 64k}, {@code 1m}, {@code 1g}: binary multiples, either
 * case) in options and system properties. Agrona's {@link SystemUtil#parseSize} does the parsing, as
 * it does for Aeron's and replication's settings; this only trims the text and turns Agrona's
 * exceptions into one sentence that names the setting and the value.
 */
public final class Sizes
{
    private Sizes()
    {
    }

    /**
     * @param name  the option or property, as the user spells it.
     * @param value the text the user gave.
     * @return the size in bytes, at least 0.
     * @throws IllegalArgumentException {@code "name=value is not a size: ..."} or {@code "name is empty: ..."}.
     */
    public static long parse(final String name, final String value)
    {
        if (null == value || value.isBlank())
        {
            throw new IllegalArgumentException(name + " is empty: expected a size such as 65536, 64k or 1m");
        }
        try
        {
            return SystemUtil.parseSize(name, value.trim());
        }
        catch (final NumberFormatException ex)
        {
            if (value.trim().matches("[0-9]+[kKmMgG]?"))
            {
                // Well formed, only past what a long holds: say so rather than call it no size.
                throw new IllegalArgumentException(name + "=" + value + " is too large: at most " + Long.MAX_VALUE +
                    " bytes", ex);
            }
            throw new IllegalArgumentException(
                name + "=" + value + " is not a size: expected a number with optional k, m or g suffix", ex);
        }
    }

    /**
     * @param name         a system property.
     * @param defaultBytes when the property is not set.
     * @return the property's size in bytes, or {@code defaultBytes}.
     * @throws IllegalArgumentException naming the property when it is set to something that is not a size.
     */
    public static long longProperty(final String name, final long defaultBytes)
    {
        final String value = System.getProperty(name);
        return null == value ? defaultBytes : parse(name, value);
    }

    /**
     * {@link #longProperty} for sizes held in an int.
     *
     * @throws IllegalArgumentException naming the property when it is not a size or does not fit an int.
     */
    public static int intProperty(final String name, final int defaultBytes)
    {
        final String value = System.getProperty(name);
        return null == value ? defaultBytes : parseInt(name, value);
    }

    /**
     * {@link #parse} for sizes held in an int (term lengths, message lengths).
     *
     * @return the size in bytes, 0..{@link Integer#MAX_VALUE}.
     * @throws IllegalArgumentException when the text is not a size or the size does not fit.
     */
    public static int parseInt(final String name, final String value)
    {
        return (int)Bounds.check(name, parse(name, value), 0, Integer.MAX_VALUE, "bytes");
    }
}
