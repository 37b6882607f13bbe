package io.multikernel.transport;

/**
 * Parses sizes such as {@code 65536}, {@code 64k}, {@code 1m}, {@code 1g} (binary multiples).
 */
public final class ByteSize
{
    private ByteSize()
    {
    }

    /**
     * @param name  of the setting, for the error message.
     * @param value text to parse.
     * @return the size in bytes.
     * @throws IllegalArgumentException naming the setting and value when the text is not a size.
     */
    public static long parse(final String name, final String value)
    {
        if (null == value || value.isBlank())
        {
            throw new IllegalArgumentException(name + " is empty: expected a size such as 65536, 64k or 1m");
        }
        final String text = value.trim().toLowerCase();
        final char last = text.charAt(text.length() - 1);
        final long multiplier = switch (last)
        {
            case 'k' -> 1024L;
            case 'm' -> 1024L * 1024;
            case 'g' -> 1024L * 1024 * 1024;
            default -> 1L;
        };
        final String digits = 1L == multiplier ? text : text.substring(0, text.length() - 1);
        try
        {
            final long number = Long.parseLong(digits);
            if (number < 0)
            {
                throw new NumberFormatException();
            }
            return Math.multiplyExact(number, multiplier);
        }
        catch (final NumberFormatException | ArithmeticException ex)
        {
            throw new IllegalArgumentException(
                name + "=" + value + " is not a size: expected a number with optional k, m or g suffix");
        }
    }
}
