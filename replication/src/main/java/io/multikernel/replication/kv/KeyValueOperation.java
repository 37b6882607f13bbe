package io.multikernel.replication.kv;

/**
 * One operation on the {@link KeyValueStateMachine}.
 *
 * @param expected for {@link Type#COMPARE_AND_SET} the value the key must hold (null: absent);
 *                 otherwise null.
 * @param value    the value to write; null for {@link Type#DELETE}.
 */
public record KeyValueOperation(Type type, String key, String expected, String value)
{
    /** What the operation does. */
    public enum Type
    {
        /** Writes the value. */
        PUT,
        /** Writes the value; invalid when the key exists. */
        PUT_IF_ABSENT,
        /** Writes the value; invalid unless the key holds {@code expected}. */
        COMPARE_AND_SET,
        /** Removes the key; valid whether or not it exists. */
        DELETE
    }

    public KeyValueOperation
    {
        if (null == type || null == key)
        {
            throw new IllegalArgumentException("type and key are required");
        }
        if ((type == Type.DELETE) != (null == value))
        {
            throw new IllegalArgumentException(type + " of key '" + key + "' " +
                (type == Type.DELETE ? "takes no value" : "needs a value"));
        }
    }

    public static KeyValueOperation put(final String key, final String value)
    {
        return new KeyValueOperation(Type.PUT, key, null, value);
    }

    public static KeyValueOperation putIfAbsent(final String key, final String value)
    {
        return new KeyValueOperation(Type.PUT_IF_ABSENT, key, null, value);
    }

    public static KeyValueOperation compareAndSet(final String key, final String expected, final String value)
    {
        return new KeyValueOperation(Type.COMPARE_AND_SET, key, expected, value);
    }

    public static KeyValueOperation delete(final String key)
    {
        return new KeyValueOperation(Type.DELETE, key, null, null);
    }
}
