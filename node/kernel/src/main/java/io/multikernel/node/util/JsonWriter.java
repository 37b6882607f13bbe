package io.multikernel.node.util;

import java.util.Locale;

/**
 * A minimal streaming JSON writer for reports and the admin API: objects, arrays, strings, numbers,
 * booleans. Commas are placed automatically. Not for hot paths.
 */
public final class JsonWriter
{
    private final StringBuilder out = new StringBuilder();
    private boolean needComma;

    public JsonWriter beginObject()
    {
        comma();
        out.append('{');
        needComma = false;
        return this;
    }

    public JsonWriter endObject()
    {
        out.append('}');
        needComma = true;
        return this;
    }

    public JsonWriter beginArray()
    {
        comma();
        out.append('[');
        needComma = false;
        return this;
    }

    public JsonWriter endArray()
    {
        out.append(']');
        needComma = true;
        return this;
    }

    /** Write a key; the next value call supplies its value. */
    public JsonWriter name(final String name)
    {
        comma();
        string(name);
        out.append(':');
        needComma = false;
        return this;
    }

    public JsonWriter value(final String value)
    {
        comma();
        if (null == value)
        {
            out.append("null");
        }
        else
        {
            string(value);
        }
        needComma = true;
        return this;
    }

    public JsonWriter value(final long value)
    {
        comma();
        out.append(value);
        needComma = true;
        return this;
    }

    public JsonWriter value(final double value)
    {
        comma();
        if (Double.isNaN(value) || Double.isInfinite(value))
        {
            out.append("null");
        }
        else
        {
            out.append(String.format(Locale.ROOT, "%.4f", value));
        }
        needComma = true;
        return this;
    }

    public JsonWriter value(final boolean value)
    {
        comma();
        out.append(value);
        needComma = true;
        return this;
    }

    public JsonWriter field(final String name, final String value)
    {
        return name(name).value(value);
    }

    public JsonWriter field(final String name, final long value)
    {
        return name(name).value(value);
    }

    public JsonWriter field(final String name, final double value)
    {
        return name(name).value(value);
    }

    public JsonWriter field(final String name, final boolean value)
    {
        return name(name).value(value);
    }

    @Override
    public String toString()
    {
        return out.toString();
    }

    private void comma()
    {
        if (needComma)
        {
            out.append(',');
        }
    }

    private void string(final String value)
    {
        out.append('"');
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            switch (c)
            {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default ->
                {
                    if (c < 0x20)
                    {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int)c));
                    }
                    else
                    {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
