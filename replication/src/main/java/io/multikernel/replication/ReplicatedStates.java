package io.multikernel.replication;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.multikernel.common.Bounds;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Several replicated states served by one engine and one write-ahead log: the key-value store and
 * name service, the capability database, page tables. Each state is a {@link StateMachine} of its
 * own, registered under a small id; a transaction may carry operations of several states, and is
 * then atomic across them.
 *
 * <p>An operation is encoded as {@code stateId:int8} then the state's own bytes. Lock keys are the
 * state's keys tagged with its id, so equal keys of different states never conflict. The snapshot
 * holds every state's snapshot, little-endian:
 * <pre>
 *   magic:int32 (= {@value #SNAPSHOT_MAGIC}) version:int32 (= {@value #SNAPSHOT_VERSION}) count:int32
 *   then per state, in id order: stateId:int32 length:int32 bytes[length]
 * </pre>
 * A registered state missing from a snapshot is restored empty (a state added by a newer build);
 * a snapshot naming a state this build does not have is refused.
 */
public final class ReplicatedStates implements StateMachine<ReplicatedStates.StateOperation>
{
    /** STATES_MAX: ids are 0..STATES_MAX-1. */
    public static final int STATES_MAX = 64;
    static final int SNAPSHOT_MAGIC = 0x534B4D52;
    static final int SNAPSHOT_VERSION = 1;

    /** Registered states in id order (snapshots), and the same by id for the per-operation lookups. */
    private final Map<Integer, Entry<?>> states = new TreeMap<>();
    private final Entry<?>[] byId = new Entry<?>[STATES_MAX];

    /**
     * An operation of one state.
     *
     * @param stateId   the state it belongs to.
     * @param operation the state's operation.
     */
    public record StateOperation(int stateId, Object operation)
    {
    }

    /**
     * A key of one state, as the engine locks it.
     *
     * @param stateId the state.
     * @param key     the state's own key.
     */
    public record StateKey(int stateId, Object key)
    {
        /** @return the key as its state describes it: the state id means nothing to a reader. */
        @Override
        public String toString()
        {
            return String.valueOf(key);
        }
    }

    /**
     * A registered state: makes its operations.
     *
     * @param <O> the state's operation type.
     */
    public static final class State<O>
    {
        private final int stateId;
        private final String name;
        private final StateMachine<O> machine;
        private final Class<O> operationType;

        private State(final int stateId, final String name, final StateMachine<O> machine, final Class<O> operationType)
        {
            this.stateId = stateId;
            this.name = name;
            this.machine = machine;
            this.operationType = operationType;
        }

        /** @return an operation of this state for a transaction. */
        public StateOperation operation(final O operation)
        {
            return new StateOperation(stateId, operationType.cast(operation));
        }

        public int stateId()
        {
            return stateId;
        }

        public String name()
        {
            return name;
        }

        public StateMachine<O> machine()
        {
            return machine;
        }
    }

    private record Entry<O>(State<O> state, byte[] emptySnapshot)
    {
    }

    /**
     * Register a state; do it before the engine starts (recovery replays every state's operations).
     *
     * @param stateId       0..{@link #STATES_MAX}-1, stable across releases: it is in the log.
     * @param name          for messages, e.g. {@code kv} or {@code caps}.
     * @param machine       the state, empty.
     * @param operationType class of its operations.
     * @param <O>           operation type.
     * @return the handle that makes its operations.
     */
    public <O> State<O> register(final int stateId, final String name, final StateMachine<O> machine,
        final Class<O> operationType)
    {
        Bounds.check("stateId", stateId, 0, STATES_MAX - 1);
        if (states.containsKey(stateId))
        {
            throw new IllegalArgumentException("stateId=" + stateId + " is already " + states.get(stateId).state().name());
        }
        final State<O> state = new State<>(stateId, name, machine, operationType);
        final Entry<O> entry = new Entry<>(state, machine.snapshot());
        states.put(stateId, entry);
        byId[stateId] = entry;
        return state;
    }

    @SuppressWarnings("unchecked")
    private <O> Entry<O> entry(final int stateId)
    {
        final Entry<?> entry = stateId >= 0 && stateId < STATES_MAX ? byId[stateId] : null;
        if (null == entry)
        {
            throw new IllegalArgumentException("replicated state " + stateId + " is not registered");
        }
        return (Entry<O>)entry;
    }

    private <O> O typed(final Entry<O> entry, final StateOperation operation)
    {
        return entry.state().operationType.cast(operation.operation());
    }

    @Override
    public int encodedLength(final StateOperation operation)
    {
        final Entry<Object> entry = entry(operation.stateId());
        return 1 + entry.state().machine().encodedLength(typed(entry, operation));
    }

    @Override
    public void encode(final StateOperation operation, final MutableDirectBuffer buffer, final int offset)
    {
        final Entry<Object> entry = entry(operation.stateId());
        buffer.putByte(offset, (byte)operation.stateId());
        entry.state().machine().encode(typed(entry, operation), buffer, offset + 1);
    }

    @Override
    public StateOperation decode(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < 1)
        {
            throw new IllegalArgumentException("empty operation");
        }
        final int stateId = buffer.getByte(offset);
        final Entry<Object> entry = entry(stateId);
        return new StateOperation(stateId, entry.state().machine().decode(buffer, offset + 1, length - 1));
    }

    @Override
    public String validate(final StateOperation operation)
    {
        final Entry<Object> entry = entry(operation.stateId());
        return entry.state().machine().validate(typed(entry, operation));
    }

    /**
     * Hands each state the transaction's operations of that state, when it has two or more.
     */
    @Override
    public String validateTransaction(final List<StateOperation> operations)
    {
        final Map<Integer, List<Object>> byState = new TreeMap<>();
        for (final StateOperation operation : operations)
        {
            byState.computeIfAbsent(operation.stateId(), id -> new ArrayList<>()).add(operation.operation());
        }
        for (final Map.Entry<Integer, List<Object>> group : byState.entrySet())
        {
            if (group.getValue().size() > 1)
            {
                final Entry<Object> entry = entry(group.getKey());
                final String invalid = entry.state().machine().validateTransaction(group.getValue());
                if (null != invalid)
                {
                    return invalid;
                }
            }
        }
        return VALID;
    }

    @Override
    public Collection<?> lockKeys(final StateOperation operation)
    {
        final Entry<Object> entry = entry(operation.stateId());
        final Collection<?> keys = entry.state().machine().lockKeys(typed(entry, operation));
        if (1 == keys.size())
        {
            return List.of(new StateKey(operation.stateId(), keys.iterator().next()));
        }
        final List<StateKey> tagged = new ArrayList<>(keys.size());
        for (final Object key : keys)
        {
            tagged.add(new StateKey(operation.stateId(), key));
        }
        return tagged;
    }

    @Override
    public void apply(final StateOperation operation)
    {
        final Entry<Object> entry = entry(operation.stateId());
        entry.state().machine().apply(typed(entry, operation));
    }

    @Override
    public byte[] snapshot()
    {
        final List<byte[]> parts = new ArrayList<>();
        int length = 12;
        for (final Entry<?> entry : states.values())
        {
            final byte[] part = entry.state().machine().snapshot();
            parts.add(part);
            length += 8 + part.length;
        }
        final ByteBuffer out = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(SNAPSHOT_MAGIC).putInt(SNAPSHOT_VERSION).putInt(states.size());
        int i = 0;
        for (final int stateId : states.keySet())
        {
            final byte[] part = parts.get(i++);
            out.putInt(stateId).putInt(part.length).put(part);
        }
        return out.array();
    }

    @Override
    public void restore(final byte[] snapshot)
    {
        final Map<Integer, byte[]> parts = parse(snapshot);
        for (final Map.Entry<Integer, Entry<?>> state : states.entrySet())
        {
            final byte[] part = parts.get(state.getKey());
            state.getValue().state().machine().restore(null == part ? state.getValue().emptySnapshot() : part);
        }
    }

    private Map<Integer, byte[]> parse(final byte[] snapshot)
    {
        final ByteBuffer in = ByteBuffer.wrap(snapshot).order(ByteOrder.LITTLE_ENDIAN);
        try
        {
            final int magic = in.getInt();
            final int version = in.getInt();
            if (SNAPSHOT_MAGIC != magic || SNAPSHOT_VERSION != version)
            {
                throw new IllegalArgumentException("snapshot is not a replicated-states snapshot of version " +
                    SNAPSHOT_VERSION + " (magic " + Integer.toHexString(magic) + ", version " + version + ")");
            }
            final int count = in.getInt();
            if (count < 0 || count > STATES_MAX)
            {
                throw new IllegalArgumentException("snapshot names " + count + " states, outside 0.." + STATES_MAX);
            }
            final Map<Integer, byte[]> parts = new TreeMap<>();
            for (int i = 0; i < count; i++)
            {
                final int stateId = in.getInt();
                final int length = in.getInt();
                if (!states.containsKey(stateId))
                {
                    throw new IllegalArgumentException("snapshot holds replicated state " + stateId +
                        ", which this build does not have");
                }
                if (length < 0 || length > in.remaining() || null != parts.put(stateId, new byte[length]))
                {
                    throw new IllegalArgumentException("snapshot part of state " + stateId + " (" + length +
                        " bytes) is repeated or runs past the snapshot's end");
                }
                in.get(parts.get(stateId));
            }
            if (in.hasRemaining())
            {
                throw new IllegalArgumentException(in.remaining() + " bytes follow the last state of the snapshot");
            }
            return parts;
        }
        catch (final java.nio.BufferUnderflowException ex)
        {
            throw new IllegalArgumentException("snapshot of " + snapshot.length + " bytes is truncated", ex);
        }
    }
}
