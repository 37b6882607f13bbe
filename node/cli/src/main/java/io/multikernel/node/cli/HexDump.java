package io.multikernel.node.cli;

import java.util.HexFormat;

/**
 * Bytes as {@code hexdump -C} prints them: the offset, sixteen bytes in hex in two groups of eight,
 * and the printable ASCII ones between bars ({@code .} for the rest).
 *
 * <pre>
 * 00001000  68 65 6c 6c 6f 0a                                 |hello.|
 * </pre>
 */
final class HexDump
{
    /** BYTES_PER_LINE: bytes on one line. */
    static final int BYTES_PER_LINE = 16;

    private static final HexFormat HEX = HexFormat.of();

    private HexDump()
    {
    }

    /**
     * @param firstOffset the offset of {@code bytes[0]}, printed at the start of the first line.
     * @param bytes       what to print.
     * @return one line per sixteen bytes, each ending in a line separator; empty for no bytes.
     */
    static String lines(final long firstOffset, final byte[] bytes)
    {
        final StringBuilder text = new StringBuilder();
        for (int start = 0; start < bytes.length; start += BYTES_PER_LINE)
        {
            text.append(String.format("%08x ", firstOffset + start));
            final StringBuilder printable = new StringBuilder(BYTES_PER_LINE);
            for (int i = 0; i < BYTES_PER_LINE; i++)
            {
                text.append(BYTES_PER_LINE / 2 == i ? "  " : " ");
                if (start + i < bytes.length)
                {
                    final byte value = bytes[start + i];
                    text.append(HEX.toHexDigits(value));
                    printable.append(value >= 0x20 && value < 0x7f ? (char)value : '.');
                }
                else
                {
                    text.append("  ");
                }
            }
            text.append("  |").append(printable).append('|').append(System.lineSeparator());
        }
        return text.toString();
    }
}
