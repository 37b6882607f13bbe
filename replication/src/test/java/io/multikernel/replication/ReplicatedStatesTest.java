package io.multikernel.replication;

import io.multikernel.replication.kv.KeyValueOperation;
import io.multikernel.replication.kv.KeyValueStateMachine;
import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReplicatedStatesTest
{
    private final KeyValueStateMachine kv = new KeyValueStateMachine();
    private final KeyValueStateMachine names = new KeyValueStateMachine();
    private final ReplicatedStates states = new ReplicatedStates();
    private final ReplicatedStates.State<KeyValueOperation> kvState =
        states.register(0, "kv", kv, KeyValueOperation.class);
    private final ReplicatedStates.State<KeyValueOperation> nameState =
        states.register(1, "names", names, KeyValueOperation.class);

    @Test
    void operationsReachTheirOwnStateThroughTheirEncoding()
    {
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(64);
        for (final ReplicatedStates.StateOperation operation : new ReplicatedStates.StateOperation[]{
            kvState.operation(KeyValueOperation.put("k", "1")), nameState.operation(KeyValueOperation.put("k", "2")) })
        {
            final int length = states.encodedLength(operation);
            states.encode(operation, buffer, 5);
            final ReplicatedStates.StateOperation decoded = states.decode(buffer, 5, length);
            assertThat(decoded).isEqualTo(operation);
            assertThat(states.validate(decoded)).isNull();
            states.apply(decoded);
        }
        assertThat(kv.get("k")).isEqualTo("1");
        assertThat(names.get("k")).isEqualTo("2");
    }

    @Test
    void equalKeysOfDifferentStatesDoNotConflict()
    {
        final Set<Object> first = new HashSet<>(states.lockKeys(kvState.operation(KeyValueOperation.put("k", "1"))));
        final Set<Object> second = new HashSet<>(states.lockKeys(nameState.operation(KeyValueOperation.put("k", "2"))));
        final Set<Object> again = new HashSet<>(states.lockKeys(kvState.operation(KeyValueOperation.delete("k"))));
        assertThat(first).doesNotContainAnyElementsOf(second);
        assertThat(first).containsExactlyElementsOf(again);
    }

    @Test
    void snapshotsHoldEveryStateAndAStateMissingFromOneRestoresEmpty()
    {
        states.apply(kvState.operation(KeyValueOperation.put("a", "1")));
        states.apply(nameState.operation(KeyValueOperation.put("b", "2")));
        final byte[] snapshot = states.snapshot();

        final ReplicatedStates other = new ReplicatedStates();
        final KeyValueStateMachine otherKv = new KeyValueStateMachine();
        final KeyValueStateMachine otherNames = new KeyValueStateMachine();
        final KeyValueStateMachine caps = new KeyValueStateMachine();
        other.register(0, "kv", otherKv, KeyValueOperation.class);
        other.register(1, "names", otherNames, KeyValueOperation.class);
        other.register(2, "added later", caps, KeyValueOperation.class);
        caps.apply(KeyValueOperation.put("stale", "x"));
        other.restore(snapshot);
        assertThat(otherKv.entries()).containsEntry("a", "1").hasSize(1);
        assertThat(otherNames.entries()).containsEntry("b", "2").hasSize(1);
        assertThat(caps.entries()).as("a state the snapshot lacks restores empty").isEmpty();
    }

    @Test
    void aTransactionIsCheckedAsAWholeByEveryStateWithTwoOrMoreOfItsOperations()
    {
        final ReplicatedStates guarded = new ReplicatedStates();
        final ReplicatedStates.State<KeyValueOperation> plain =
            guarded.register(0, "kv", new KeyValueStateMachine(), KeyValueOperation.class);
        final ReplicatedStates.State<KeyValueOperation> single =
            guarded.register(1, "single", new OneOperationPerTransaction(), KeyValueOperation.class);
        final ReplicatedStates.StateOperation a = single.operation(KeyValueOperation.put("a", "1"));
        final ReplicatedStates.StateOperation b = single.operation(KeyValueOperation.put("b", "1"));
        final ReplicatedStates.StateOperation c = plain.operation(KeyValueOperation.put("c", "1"));

        assertThat(guarded.validateTransaction(List.of(a, c, plain.operation(KeyValueOperation.put("d", "1")))))
            .as("one operation of the refusing state beside several of another").isNull();
        assertThat(guarded.validateTransaction(List.of(a, c, b))).isEqualTo("at most one, not 2");
    }

    /** A key-value store that takes one operation per transaction. */
    private static final class OneOperationPerTransaction implements StateMachine<KeyValueOperation>
    {
        private final KeyValueStateMachine inner = new KeyValueStateMachine();

        @Override
        public int encodedLength(final KeyValueOperation operation)
        {
            return inner.encodedLength(operation);
        }

        @Override
        public void encode(final KeyValueOperation operation, final org.agrona.MutableDirectBuffer buffer, final int offset)
        {
            inner.encode(operation, buffer, offset);
        }

        @Override
        public KeyValueOperation decode(final org.agrona.DirectBuffer buffer, final int offset, final int length)
        {
            return inner.decode(buffer, offset, length);
        }

        @Override
        public String validate(final KeyValueOperation operation)
        {
            return inner.validate(operation);
        }

        @Override
        public String validateTransaction(final List<KeyValueOperation> operations)
        {
            return "at most one, not " + operations.size();
        }

        @Override
        public java.util.Collection<?> lockKeys(final KeyValueOperation operation)
        {
            return inner.lockKeys(operation);
        }

        @Override
        public void apply(final KeyValueOperation operation)
        {
            inner.apply(operation);
        }

        @Override
        public byte[] snapshot()
        {
            return inner.snapshot();
        }

        @Override
        public void restore(final byte[] snapshot)
        {
            inner.restore(snapshot);
        }
    }

    @Test
    void badInputIsRefusedWithAReason()
    {
        assertThatThrownBy(() -> states.register(1, "again", new KeyValueStateMachine(), KeyValueOperation.class))
            .hasMessage("stateId=1 is already names");
        assertThatThrownBy(() -> states.register(64, "big", new KeyValueStateMachine(), KeyValueOperation.class))
            .hasMessage("stateId=64 is outside 0..63");
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(16);
        buffer.putByte(0, (byte)9);
        assertThatThrownBy(() -> states.decode(buffer, 0, 4)).hasMessage("replicated state 9 is not registered");
        assertThatThrownBy(() -> states.decode(buffer, 0, 0)).hasMessage("empty operation");
        buffer.putByte(0, (byte)0);
        assertThatThrownBy(() -> states.decode(buffer, 0, 1))
            .isInstanceOfAny(IllegalArgumentException.class, IndexOutOfBoundsException.class);
        final byte[] snapshot = states.snapshot();
        assertThatThrownBy(() -> states.restore(Arrays.copyOf(snapshot, snapshot.length - 1)))
            .isInstanceOf(IllegalArgumentException.class);
        final byte[] foreign = snapshot.clone();
        foreign[0] ^= 1;
        assertThatThrownBy(() -> states.restore(foreign)).hasMessageContaining("is not a replicated-states snapshot");
        final ReplicatedStates fewer = new ReplicatedStates();
        fewer.register(0, "kv", new KeyValueStateMachine(), KeyValueOperation.class);
        assertThatThrownBy(() -> fewer.restore(snapshot))
            .hasMessage("snapshot holds replicated state 1, which this build does not have");
    }
}
