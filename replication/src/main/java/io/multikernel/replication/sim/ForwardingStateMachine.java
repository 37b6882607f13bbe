package io.multikernel.replication.sim;

import java.util.Collection;
import java.util.List;
import java.util.Objects;

import io.multikernel.replication.StateMachine;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * A state machine that hands every call to another one. The deliberately broken variants that show
 * a simulation's checks catch a breakage extend it and override the one call they break.
 *
 * @param <O> the operation type.
 */
public class ForwardingStateMachine<O> implements StateMachine<O>
{
    /** Where every call goes. */
    protected final StateMachine<O> delegate;

    /**
     * @param delegate where every call goes.
     */
    public ForwardingStateMachine(final StateMachine<O> delegate)
    {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public int encodedLength(final O operation)
    {
        return delegate.encodedLength(operation);
    }

    @Override
    public void encode(final O operation, final MutableDirectBuffer buffer, final int offset)
    {
        delegate.encode(operation, buffer, offset);
    }

    @Override
    public O decode(final DirectBuffer buffer, final int offset, final int length)
    {
        return delegate.decode(buffer, offset, length);
    }

    @Override
    public String validate(final O operation)
    {
        return delegate.validate(operation);
    }

    @Override
    public String validateTransaction(final List<O> operations)
    {
        return delegate.validateTransaction(operations);
    }

    @Override
    public Collection<?> lockKeys(final O operation)
    {
        return delegate.lockKeys(operation);
    }

    @Override
    public void apply(final O operation)
    {
        delegate.apply(operation);
    }

    @Override
    public byte[] snapshot()
    {
        return delegate.snapshot();
    }

    @Override
    public void restore(final byte[] snapshot)
    {
        delegate.restore(snapshot);
    }
}
