package io.multikernel.replication.kv;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

import io.multikernel.replication.StateMachine;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A small replicated map of strings, for the engine's own tests and the simulator. Each operation
 * locks its key.
 *
 * <p>Operation encoding: {@code type:int8} then key, expected and value as
 * {@code present:int8 length:int32 UTF-8 bytes}. Snapshot: {@code count:int32} then key and value
 * as {@code length:int32 UTF-8 bytes}, in key order.
 */
public final class KeyValueStateMachine implements StateMachine<KeyValueOperation>
{
    /** MAX_STRING_LENGTH_BYTES: a key or value longer than this does not decode. */
    public static final int MAX_STRING_LENGTH_BYTES = 16 * 1024;

    /** The operation types by their encoded index; {@code values()} would copy the array on every decode. */
    private static final KeyValueOperation.Type[] TYPES = KeyValueOperation.Type.values();

    private final TreeMap<String, String> entries = new TreeMap<>();
    private long changes;

    /**
     * @return how many times the state changed (applies and restores): lets a reader skip
     * re-reading an unchanged replica.
     */
    public long changes()
    {
        return changes;
    }

    public String get(final String key)
    {
        return entries.get(key);
    }

    /**
     * @return a read-only view, in key order.
     */
    public NavigableMap<String, String> entries()
    {
        return Collections.unmodifiableNavigableMap(entries);
    }

    @Override
    public int encodedLength(final KeyValueOperation operation)
    {
        return 1 + stringLength(operation.key()) + stringLength(operation.expected()) + stringLength(operation.value());
    }

    private static int stringLength(final String value)
    {
        return 1 + (null == value ? 0 : 4 + utf8Length(value));
    }

    /**
     * @param value a key, value or expected value; null for none.
     * @return the bytes of its UTF-8 text, without the encoding around it; 0 for none.
     */
    public static int utf8Length(final String value)
    {
        return null == value ? 0 : value.getBytes(StandardCharsets.UTF_8).length;
    }

    @Override
    public void encode(final KeyValueOperation operation, final MutableDirectBuffer buffer, final int offset)
    {
        buffer.putByte(offset, (byte)operation.type().ordinal());
        int at = putString(buffer, offset + 1, operation.key());
        at = putString(buffer, at, operation.expected());
        putString(buffer, at, operation.value());
    }

    private static int putString(final MutableDirectBuffer buffer, final int offset, final String value)
    {
        if (null == value)
        {
            buffer.putByte(offset, (byte)0);
            return offset + 1;
        }
        buffer.putByte(offset, (byte)1);
        final byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        buffer.putInt(offset + 1, bytes.length, java.nio.ByteOrder.LITTLE_ENDIAN);
        buffer.putBytes(offset + 5, bytes);
        return offset + 5 + bytes.length;
    }

    @Override
    public KeyValueOperation decode(final DirectBuffer buffer, final int offset, final int length)
    {
        final int[] at = {offset + 1};
        final int limit = offset + length;
        if (length < 1)
        {
            throw new IllegalArgumentException("empty key-value operation");
        }
        final int typeIndex = buffer.getByte(offset);
        if (typeIndex < 0 || typeIndex >= TYPES.length)
        {
            throw new IllegalArgumentException("key-value operation type " + typeIndex + " is not known");
        }
        final String key = getString(buffer, at, limit);
        final String expected = getString(buffer, at, limit);
        final String value = getString(buffer, at, limit);
        if (at[0] != limit)
        {
            throw new IllegalArgumentException((limit - at[0]) + " bytes follow a key-value operation");
        }
        return new KeyValueOperation(TYPES[typeIndex], key, expected, value);
    }

    private static String getString(final DirectBuffer buffer, final int[] at, final int limit)
    {
        if (at[0] >= limit)
        {
            throw new IllegalArgumentException("key-value operation cut short");
        }
        if (buffer.getByte(at[0]) == 0)
        {
            at[0]++;
            return null;
        }
        if (at[0] + 5 > limit)
        {
            throw new IllegalArgumentException("key-value operation cut short");
        }
        final int length = buffer.getInt(at[0] + 1, java.nio.ByteOrder.LITTLE_ENDIAN);
        if (length < 0 || length > MAX_STRING_LENGTH_BYTES || at[0] + 5 + length > limit)
        {
            throw new IllegalArgumentException("string length " + length + " out of range");
        }
        final byte[] bytes = new byte[length];
        buffer.getBytes(at[0] + 5, bytes);
        at[0] += 5 + length;
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public String validate(final KeyValueOperation operation)
    {
        final String current = entries.get(operation.key());
        switch (operation.type())
        {
            case PUT_IF_ABSENT:
                return null == current ? VALID : "key '" + operation.key() + "' already exists";
            case COMPARE_AND_SET:
                if (null == operation.expected() ? null == current : operation.expected().equals(current))
                {
                    return VALID;
                }
                return "key '" + operation.key() + "' is " + (null == current ? "absent" : "'" + current + "'") +
                    ", not " + (null == operation.expected() ? "absent" : "'" + operation.expected() + "'");
            default:
                return VALID;
        }
    }

    @Override
    public Collection<?> lockKeys(final KeyValueOperation operation)
    {
        return List.of(operation.key());
    }

    @Override
    public void apply(final KeyValueOperation operation)
    {
        changes++;
        if (operation.type() == KeyValueOperation.Type.DELETE)
        {
            entries.remove(operation.key());
        }
        else
        {
            entries.put(operation.key(), operation.value());
        }
    }

    @Override
    public byte[] snapshot()
    {
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);
        buffer.putInt(0, entries.size(), java.nio.ByteOrder.LITTLE_ENDIAN);
        int at = 4;
        for (final Map.Entry<String, String> entry : entries.entrySet())
        {
            at = putString(buffer, at, entry.getKey());
            at = putString(buffer, at, entry.getValue());
        }
        final byte[] bytes = new byte[at];
        buffer.getBytes(0, bytes);
        return bytes;
    }

    @Override
    public void restore(final byte[] snapshot)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(snapshot);
        entries.clear();
        changes++;
        final int count = buffer.getInt(0, java.nio.ByteOrder.LITTLE_ENDIAN);
        final int[] at = {4};
        for (int i = 0; i < count; i++)
        {
            final String key = getString(buffer, at, snapshot.length);
            entries.put(key, getString(buffer, at, snapshot.length));
        }
    }
}
