package io.multikernel.node.util;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small strict JSON parser for documents this project writes (admin API answers, reports):
 * objects become {@link Map}s (insertion ordered), arrays {@link List}s, numbers {@link Long} when
 * integral and {@link Double} otherwise, plus {@link String}, {@link Boolean} and {@code null}.
 * Nesting and length are bounded; malformed input gets an {@link IllegalArgumentException} naming
 * the offset.
 */
public final class JsonReader
{
    /** Deepest nesting accepted. */
    public static final int DEPTH_MAX = 64;
    /** Longest document accepted, characters. */
    public static final int LENGTH_MAX_CHARS = 16 * 1024 * 1024;

    private final String text;
    private int position;

    private JsonReader(final String text)
    {
        this.text = text;
    }

    /**
     * @param text a JSON document.
     * @return its value.
     * @throws IllegalArgumentException when it is not valid JSON.
     */
    public static Object parse(final String text)
    {
        if (null == text || text.length() > LENGTH_MAX_CHARS)
        {
            throw new IllegalArgumentException("JSON document is missing or longer than " + LENGTH_MAX_CHARS + " chars");
        }
        final JsonReader reader = new JsonReader(text);
        final Object value = reader.value(0);
        reader.skipWhitespace();
        if (reader.position != text.length())
        {
            throw reader.error("trailing characters");
        }
        return value;
    }

    /**
     * @param text a JSON object.
     * @return the object.
     * @throws IllegalArgumentException when it is not a JSON object.
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(final String text)
    {
        final Object value = parse(text);
        if (!(value instanceof Map))
        {
            throw new IllegalArgumentException("expected a JSON object");
        }
        return (Map<String, Object>)value;
    }

    private Object value(final int depth)
    {
        if (depth > DEPTH_MAX)
        {
            throw error("nesting deeper than " + DEPTH_MAX);
        }
        skipWhitespace();
        if (position >= text.length())
        {
            throw error("unexpected end");
        }
        final char c = text.charAt(position);
        return switch (c)
        {
            case '{' -> object(depth);
            case '[' -> array(depth);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> number();
        };
    }

    private Map<String, Object> object(final int depth)
    {
        final Map<String, Object> result = new LinkedHashMap<>();
        position++;
        skipWhitespace();
        if (peek('}'))
        {
            position++;
            return result;
        }
        while (true)
        {
            skipWhitespace();
            if (!peek('"'))
            {
                throw error("expected a string key");
            }
            final String key = string();
            skipWhitespace();
            expect(':');
            result.put(key, value(depth + 1));
            skipWhitespace();
            if (peek(','))
            {
                position++;
                continue;
            }
            expect('}');
            return result;
        }
    }

    private List<Object> array(final int depth)
    {
        final List<Object> result = new ArrayList<>();
        position++;
        skipWhitespace();
        if (peek(']'))
        {
            position++;
            return result;
        }
        while (true)
        {
            result.add(value(depth + 1));
            skipWhitespace();
            if (peek(','))
            {
                position++;
                continue;
            }
            expect(']');
            return result;
        }
    }

    private String string()
    {
        position++;
        final StringBuilder sb = new StringBuilder();
        while (position < text.length())
        {
            final char c = text.charAt(position++);
            if ('"' == c)
            {
                return sb.toString();
            }
            if ('\\' != c)
            {
                sb.append(c);
                continue;
            }
            if (position >= text.length())
            {
                break;
            }
            final char escaped = text.charAt(position++);
            switch (escaped)
            {
                case '"', '\\', '/' -> sb.append(escaped);
                case 'n' -> sb.append('\n');
                case 't' -> sb.append('\t');
                case 'r' -> sb.append('\r');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'u' -> sb.append(unicode());
                default -> throw error("bad escape \\" + escaped);
            }
        }
        throw error("unterminated string");
    }

    private char unicode()
    {
        if (position + 4 > text.length())
        {
            throw error("short \\u escape");
        }
        try
        {
            final char c = (char)Integer.parseInt(text.substring(position, position + 4), 16);
            position += 4;
            return c;
        }
        catch (final NumberFormatException ex)
        {
            throw error("bad \\u escape");
        }
    }

    private Object number()
    {
        final int start = position;
        while (position < text.length() && "+-0123456789.eE".indexOf(text.charAt(position)) >= 0)
        {
            position++;
        }
        final String token = text.substring(start, position);
        if (token.isEmpty())
        {
            throw error("unexpected character '" + text.charAt(start) + "'");
        }
        try
        {
            if (token.indexOf('.') < 0 && token.indexOf('e') < 0 && token.indexOf('E') < 0)
            {
                return Long.parseLong(token);
            }
            return Double.parseDouble(token);
        }
        catch (final NumberFormatException ex)
        {
            position = start;
            throw error("bad number '" + token + "'");
        }
    }

    private Object literal(final String word, final Object value)
    {
        if (!text.startsWith(word, position))
        {
            throw error("unexpected token");
        }
        position += word.length();
        return value;
    }

    private boolean peek(final char c)
    {
        return position < text.length() && text.charAt(position) == c;
    }

    private void expect(final char c)
    {
        if (!peek(c))
        {
            throw error("expected '" + c + "'");
        }
        position++;
    }

    private void skipWhitespace()
    {
        while (position < text.length() && Character.isWhitespace(text.charAt(position)))
        {
            position++;
        }
    }

    private IllegalArgumentException error(final String what)
    {
        return new IllegalArgumentException("bad JSON at offset " + position + ": " + what);
    }
}
