package io.multikernel.replication;

import java.util.Collection;
import java.util.List;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The replicated state a participant holds, as the engine sees it: operations it can encode,
 * check, lock, apply, and a whole-state snapshot. The engine calls it only from its own thread.
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link #validate} looks at the committed state only and changes nothing;</li>
 *   <li>{@link #apply} of a validated operation is total and deterministic: every replica that
 *   applies the same operations in the same order reaches the same state. The engine applies the
 *   operations of one transaction in the order given, after validating each against the state
 *   before the transaction (operations of one transaction do not see each other during
 *   validation);</li>
 *   <li>{@link #lockKeys} names everything the operation reads or writes: two transactions whose
 *   keys intersect never prepare at the same time on one replica (the second votes no);</li>
 *   <li>{@link #snapshot} / {@link #restore} round-trip the whole state.</li>
 * </ul>
 *
 * @param <O> the operation type.
 */
public interface StateMachine<O>
{
    /** What {@link #validate} returns for a valid operation. */
    String VALID = null;

    int encodedLength(O operation);

    void encode(O operation, MutableDirectBuffer buffer, int offset);

    /**
     * @throws IllegalArgumentException (or an index exception) when the bytes are not an operation.
     */
    O decode(DirectBuffer buffer, int offset, int length);

    /**
     * @return {@link #VALID}, or one sentence for a user saying why the operation cannot apply here.
     */
    String validate(O operation);

    /**
     * Checks a transaction of several operations as a whole, after each passed {@link #validate}:
     * a state whose operations can interfere within one transaction (the second would not be
     * valid after the first) refuses such a combination here, so {@link #apply} stays total. Not
     * called for a transaction of one operation.
     *
     * @param operations the transaction's operations of this state, in order; two or more.
     * @return {@link #VALID}, or one sentence saying why they cannot be one transaction.
     */
    default String validateTransaction(final List<O> operations)
    {
        return VALID;
    }

    /**
     * @return the keys to lock; equal keys (by {@code equals}) conflict.
     */
    Collection<?> lockKeys(O operation);

    void apply(O operation);

    byte[] snapshot();

    void restore(byte[] snapshot);
}
