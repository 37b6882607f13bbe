package io.multikernel.node.replication;

import java.util.List;

import io.multikernel.replication.ParticipantSet;
import io.multikernel.replication.TransactionId;
import io.multikernel.replication.protocol.Decision;
import io.multikernel.replication.protocol.MessageBatch;
import io.multikernel.replication.protocol.Prepare;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChaosFreezeTest
{
    private static final TransactionId OWN = new TransactionId(0, 7, 1);
    private static final TransactionId PEERS = new TransactionId(2, 9, 1);

    @Test
    void parsesTheDocumentedPointsAndRefusesOthers()
    {
        assertThat(ChaosFreeze.Point.parse("none")).isEqualTo(ChaosFreeze.Point.NONE);
        assertThat(ChaosFreeze.Point.parse(" After-Prepare ")).isEqualTo(ChaosFreeze.Point.AFTER_PREPARE);
        assertThat(ChaosFreeze.Point.parse("after-commit-decision")).isEqualTo(ChaosFreeze.Point.AFTER_COMMIT_DECISION);
        assertThatThrownBy(() -> ChaosFreeze.Point.parse("sometimes"))
            .hasMessage("mk.chaos.freeze=sometimes is not one of none, after-prepare, after-commit-decision");
    }

    @Test
    void afterPrepareFreezesOnlyAfterTheFlushOfItsOwnPrepare()
    {
        final ChaosFreeze chaos = new ChaosFreeze(ChaosFreeze.Point.AFTER_PREPARE, 0);
        chaos.onBatchSent(batch(new Prepare(PEERS, ParticipantSet.of(0, 2), new byte[1])));
        chaos.onBatchSent(batch(new Decision(OWN, false, "no")));
        assertThat(chaos.freezeIfTriggered()).isFalse();
        chaos.onBatchSent(batch(new Prepare(OWN, ParticipantSet.of(0, 2), new byte[1])));
        assertThat(chaos.stopSending()).isFalse();
        assertThat(chaos.isFrozen()).isFalse();
        assertThat(chaos.freezeIfTriggered()).isTrue();
        assertThat(chaos.isFrozen()).isTrue();
        assertThat(chaos.stopSending()).isTrue();
        assertThat(chaos.frozenReason()).contains("after-prepare", "transaction 0:7:1");
        assertThat(chaos.freezeIfTriggered()).isFalse();
    }

    @Test
    void afterCommitDecisionStopsSendsAtOnceAndIgnoresAbortsAndRecovery()
    {
        final ChaosFreeze chaos = new ChaosFreeze(ChaosFreeze.Point.AFTER_COMMIT_DECISION, 0);
        chaos.onCoordinatorDecision(OWN, false, false);
        chaos.onCoordinatorDecision(OWN, true, true);
        assertThat(chaos.stopSending()).isFalse();
        assertThat(chaos.freezeIfTriggered()).isFalse();
        chaos.onCoordinatorDecision(OWN, true, false);
        assertThat(chaos.stopSending()).isTrue();
        assertThat(chaos.freezeIfTriggered()).isTrue();
        assertThat(chaos.trigger()).isEqualTo(OWN);
    }

    @Test
    void noneNeverFreezes()
    {
        final ChaosFreeze chaos = new ChaosFreeze(ChaosFreeze.Point.NONE, 0);
        chaos.onBatchSent(batch(new Prepare(OWN, ParticipantSet.of(0, 2), new byte[1])));
        chaos.onCoordinatorDecision(OWN, true, false);
        assertThat(chaos.freezeIfTriggered()).isFalse();
        assertThat(chaos.stopSending()).isFalse();
    }

    private static MessageBatch batch(final io.multikernel.replication.protocol.TwoPhaseMessage message)
    {
        return new MessageBatch(0, 7, 2, 1, List.of(message));
    }
}
