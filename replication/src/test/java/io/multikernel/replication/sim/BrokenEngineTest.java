package io.multikernel.replication.sim;

import java.util.Collection;

import io.multikernel.replication.StateMachine;
import io.multikernel.replication.kv.KeyValueOperation;
import io.multikernel.replication.wal.MemoryStorage;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests the checker: deliberately broken variants must be caught within a few seeds.
 */
class BrokenEngineTest
{
    /**
     * A participant that applies on PREPARE (while validating) instead of on COMMIT.
     */
    static final class ApplyOnPrepare implements StateMachine<KeyValueOperation>
    {
        private final StateMachine<KeyValueOperation> delegate;

        ApplyOnPrepare(final StateMachine<KeyValueOperation> delegate)
        {
            this.delegate = delegate;
        }

        @Override
        public int encodedLength(final KeyValueOperation operation)
        {
            return delegate.encodedLength(operation);
        }

        @Override
        public void encode(final KeyValueOperation operation, final MutableDirectBuffer buffer, final int offset)
        {
            delegate.encode(operation, buffer, offset);
        }

        @Override
        public KeyValueOperation decode(final DirectBuffer buffer, final int offset, final int length)
        {
            return delegate.decode(buffer, offset, length);
        }

        @Override
        public String validate(final KeyValueOperation operation)
        {
            final String invalid = delegate.validate(operation);
            if (null == invalid)
            {
                delegate.apply(operation);
            }
            return invalid;
        }

        @Override
        public Collection<?> lockKeys(final KeyValueOperation operation)
        {
            return delegate.lockKeys(operation);
        }

        @Override
        public void apply(final KeyValueOperation operation)
        {
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

    @Test
    void participantThatAppliesOnPrepareIsCaught() throws InterruptedException
    {
        final SimulationRunner.Summary summary = SimulationRunner.runSeeds(1, 20, 2,
            (config) -> config.stateMachineDecorator(ApplyOnPrepare::new));

        assertThat(summary.failures()).hasSize(20);
        assertThat(summary.failures().get(0).getMessage()).contains("seed=1 step=")
            .contains("which is undecided").contains("replay with -Dsim.seed=1");
    }

    @Test
    void diskThatLiesAboutFsyncIsCaught() throws InterruptedException
    {
        final SimulationRunner.Summary summary = SimulationRunner.runSeeds(1, 40, 2,
            (config) -> config.lyingDisk(true).crashMode(MemoryStorage.CrashMode.MACHINE).faultProbability(0.03));

        assertThat(summary.failures()).isNotEmpty();
        summary.failures().forEach((failure) -> assertThat(failure.getMessage()).matches(
            "(?s)seed=\\d+ step=\\d+: .*(lost|diverge|atomicity|not the value|did not settle|committed, but|corrupt).*"));
    }
}
