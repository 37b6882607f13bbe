package io.multikernel.replication.sim;

import io.multikernel.replication.StateMachine;
import io.multikernel.replication.kv.KeyValueOperation;
import io.multikernel.replication.wal.MemoryStorage;
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
    static final class ApplyOnPrepare extends ForwardingStateMachine<KeyValueOperation>
    {
        ApplyOnPrepare(final StateMachine<KeyValueOperation> delegate)
        {
            super(delegate);
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
        public void apply(final KeyValueOperation operation)
        {
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
