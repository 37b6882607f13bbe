package io.multikernel.node.replication;

import io.multikernel.replication.kv.KeyValueOperation;
import io.multikernel.replication.kv.KeyValueStateMachine;
import org.junit.jupiter.api.Test;

import java.util.Collections;
import java.util.List;
import java.util.function.ToIntFunction;

import static org.assertj.core.api.Assertions.assertThat;

/** What a transaction too long to propose is refused with: the bytes a user wrote, and how many fit. */
class TransactionLengthTest
{
    /** A key-value operation as a transaction carries it: its state's one-byte tag, then its own encoding. */
    private static final ToIntFunction<KeyValueOperation> ENCODED = op -> 1 + new KeyValueStateMachine().encodedLength(op);

    @Test
    void aPutThatFitsIsNotRefusedAndOneByteMoreIsRefusedInTheBytesOfItsKeyAndValue()
    {
        // One put's encoding around its key and value: 4 (count) + 4 (length) + 1 (tag) + 1 (type) + 5 (key's
        // presence and length) + 1 (no expected value) + 5 (value's presence and length).
        final int encoding = 4 + 4 + 1 + 1 + 5 + 1 + 5;
        final int max = 100;
        final int fits = max - encoding;
        assertThat(CoreReplication.tooLongForOneTransaction(List.of(KeyValueOperation.put("k", "v".repeat(fits - 1))),
            ENCODED, max)).isNull();

        assertThat(CoreReplication.tooLongForOneTransaction(List.of(KeyValueOperation.put("k", "v".repeat(fits))),
            ENCODED, max)).startsWith("the keys and values take " + (fits + 1) + " bytes, more than the " + fits +
            " that fit one transaction of 1 operation (100 bytes with " + encoding + " of encoding;")
            .endsWith("nothing changed");
    }

    @Test
    void operationsWhoseEncodingAloneIsTooLongAreToldToBeFewer()
    {
        final List<KeyValueOperation> deletes = Collections.nCopies(10, KeyValueOperation.delete("k"));

        assertThat(CoreReplication.tooLongForOneTransaction(deletes, ENCODED, 64)).startsWith("the encoding of 10 " +
            "operations alone takes ").contains("more than the 64 one transaction may carry").doesNotContain("-");
    }
}
