package io.multikernel.replication;

import io.multikernel.replication.kv.KeyValueOperation;
import io.multikernel.replication.kv.KeyValueStateMachine;
import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
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
