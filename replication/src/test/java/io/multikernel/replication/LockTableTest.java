package io.multikernel.replication;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LockTableTest
{
    /** A lock key of another state: a record whose fields would read as Java, not as a sentence. */
    private record ObjectKey(long id)
    {
        @Override
        public String toString()
        {
            return "object " + id;
        }
    }

    @Test
    void aConflictNamesTheKeyAsItsStateDescribesItAndTheHolder()
    {
        final LockTable table = new LockTable();
        final TransactionId holder = new TransactionId(0, 7, 3);
        final TransactionId other = new TransactionId(1, 7, 4);
        final ReplicatedStates.StateKey kvKey = new ReplicatedStates.StateKey(0, "k1");
        final ReplicatedStates.StateKey objectKey = new ReplicatedStates.StateKey(1, new ObjectKey(1099511628304L));
        assertThat(table.tryLockAll(holder, List.of(kvKey, objectKey))).isNull();

        final String kvConflict = table.tryLockAll(other, List.of(kvKey));
        assertThat(kvConflict).isEqualTo("key k1 is locked by transaction 0:7:3");
        final String objectConflict = table.tryLockAll(other, List.of(objectKey));
        assertThat(objectConflict).isEqualTo("object 1099511628304 is locked by transaction 0:7:3")
            .doesNotContain("StateKey").doesNotContain("stateId");
        assertThat(LockTable.holderNamedIn("core 1 voted no: " + objectConflict)).isEqualTo(holder);
        assertThat(LockTable.holderNamedIn("key k is locked by transaction -1:-1:-1")).as("not an id").isNull();
    }
}
