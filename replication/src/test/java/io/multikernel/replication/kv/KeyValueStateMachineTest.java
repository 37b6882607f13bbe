package io.multikernel.replication.kv;

import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KeyValueStateMachineTest
{
    private final KeyValueStateMachine machine = new KeyValueStateMachine();

    @Test
    void operationsRoundTripThroughTheirEncoding()
    {
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer();
        for (final KeyValueOperation operation : new KeyValueOperation[]{
            KeyValueOperation.put("k", "v"), KeyValueOperation.delete("ключ"),
            KeyValueOperation.putIfAbsent("k", ""), KeyValueOperation.compareAndSet("k", null, "v"),
            KeyValueOperation.compareAndSet("k", "a", "b")})
        {
            final int length = machine.encodedLength(operation);
            machine.encode(operation, buffer, 3);
            assertThat(machine.decode(buffer, 3, length)).isEqualTo(operation);
            assertThatThrownBy(() -> machine.decode(buffer, 3, length - 1)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void validationSaysWhyInOneSentence()
    {
        machine.apply(KeyValueOperation.put("k", "v"));

        assertThat(machine.validate(KeyValueOperation.put("k", "w"))).isNull();
        assertThat(machine.validate(KeyValueOperation.putIfAbsent("k", "w"))).isEqualTo("key 'k' already exists");
        assertThat(machine.validate(KeyValueOperation.compareAndSet("k", "x", "w"))).isEqualTo("key 'k' is 'v', not 'x'");
        assertThat(machine.validate(KeyValueOperation.compareAndSet("k", "v", "w"))).isNull();
        assertThat(new java.util.ArrayList<Object>(machine.lockKeys(KeyValueOperation.delete("k")))).containsExactly("k");
    }

    @Test
    void snapshotRestoresTheWholeState()
    {
        machine.apply(KeyValueOperation.put("a", "1"));
        machine.apply(KeyValueOperation.put("b", "2"));
        machine.apply(KeyValueOperation.delete("a"));
        final KeyValueStateMachine other = new KeyValueStateMachine();
        other.apply(KeyValueOperation.put("c", "3"));

        other.restore(machine.snapshot());

        assertThat(other.entries()).isEqualTo(machine.entries()).containsOnlyKeys("b");
    }
}
