package io.multikernel.replication;

import java.util.ArrayList;
import java.util.List;

import io.multikernel.replication.kv.KeyValueOperation;
import io.multikernel.replication.kv.KeyValueStateMachine;
import io.multikernel.replication.protocol.Decision;
import io.multikernel.replication.protocol.MessageBatch;
import io.multikernel.replication.protocol.Prepare;
import io.multikernel.replication.wal.RecordDescriptor;
import io.multikernel.replication.protocol.Query;
import io.multikernel.replication.protocol.Vote;
import io.multikernel.replication.wal.FsyncPolicy;
import io.multikernel.replication.wal.MemoryStorage;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static io.multikernel.replication.kv.KeyValueOperation.compareAndSet;
import static io.multikernel.replication.kv.KeyValueOperation.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReplicationEngineTest
{
    private static final int[] ALL = {0, 1, 2};

    @Test
    void commitsOnEveryParticipantAndFinishes()
    {
        try (TestCluster cluster = new TestCluster(3))
        {
            final RecordingListener listener = new RecordingListener();
            final TransactionId id = cluster.propose(0, listener, ALL, put("x", "1"), put("y", "2"));
            cluster.settle();

            assertThat(listener.outcome(id)).isEqualTo(TransactionOutcome.committed());
            for (int core = 0; core < 3; core++)
            {
                assertThat(cluster.replicas[core].entries()).containsEntry("x", "1").containsEntry("y", "2");
                assertThat(cluster.engine(core).locksHeld()).isZero();
                assertThat(cluster.engine(core).inDoubtCount()).isZero();
            }
            assertThat(cluster.engine(0).inFlightTransactions()).isZero();
            assertThat(id).isEqualTo(new TransactionId(0, cluster.engine(0).incarnation(), 1));
        }
    }

    @Test
    void aProposalAfterTheCallersClockReadStillTimesItsCommitFromItsStart()
    {
        // The kernel loop reads its clock at the start of a duty cycle; an LRPC put earlier in that
        // cycle proposes later by the clock. The engine's time must not go back to the cycle's start,
        // or the commit latency comes out negative (and Micrometer drops it).
        try (TestCluster cluster = new TestCluster(1))
        {
            final long cycleStartNs = cluster.clock.nanoTime();
            cluster.clock.update(cycleStartNs + 5_000);
            final RecordingListener listener = new RecordingListener();
            cluster.propose(0, listener, new int[]{0}, put("x", "1"));
            for (int i = 0; i < 10 && listener.outcomes.isEmpty(); i++)
            {
                cluster.engine(0).doWork(cycleStartNs);
            }
            assertThat(listener.outcomes).hasSize(1);
            final io.micrometer.core.instrument.Timer latency = cluster.registries[0].get("mk.2pc.commit.latency").timer();
            assertThat(latency.count()).as("the commit's latency was recorded").isEqualTo(1);
            assertThat(latency.totalTime(java.util.concurrent.TimeUnit.NANOSECONDS)).isGreaterThanOrEqualTo(0);
        }
    }

    @Test
    void transactionIdsStayUniqueAcrossRestarts()
    {
        try (TestCluster cluster = new TestCluster(1))
        {
            final RecordingListener listener = new RecordingListener();
            final TransactionId first = cluster.propose(0, listener, new int[]{0}, put("x", "1"));
            cluster.settle();
            cluster.engine(0).close();
            cluster.start(0);
            final TransactionId second = cluster.propose(0, listener, new int[]{0}, put("x", "2"));
            cluster.settle();

            assertThat(second.coordinatorIncarnation()).isGreaterThan(first.coordinatorIncarnation());
            assertThat(second).isNotEqualTo(first);
            assertThat(cluster.replicas[0].get("x")).isEqualTo("2");
        }
    }

    @Test
    void coordinatorNeedNotBeAParticipant()
    {
        try (TestCluster cluster = new TestCluster(3))
        {
            final RecordingListener listener = new RecordingListener();
            final TransactionId id = cluster.propose(0, listener, new int[]{1, 2}, put("x", "1"));
            cluster.settle();

            assertThat(listener.outcome(id).isCommitted()).isTrue();
            assertThat(cluster.replicas[0].entries()).isEmpty();
            assertThat(cluster.replicas[1].get("x")).isEqualTo("1");
            assertThat(cluster.replicas[2].get("x")).isEqualTo("1");
        }
    }

    @Test
    void invalidOperationAbortsWithTheParticipantsReasonAndChangesNothing()
    {
        try (TestCluster cluster = new TestCluster(3))
        {
            final RecordingListener listener = new RecordingListener();
            final TransactionId id = cluster.propose(1, listener, ALL, put("x", "1"), compareAndSet("y", "old", "new"));
            cluster.settle();

            final TransactionOutcome outcome = listener.outcome(id);
            assertThat(outcome.status()).isEqualTo(TransactionOutcome.Status.ABORTED);
            assertThat(outcome.isDefinite()).isTrue();
            assertThat(outcome.reason()).contains("voted no").contains("key 'y' is absent, not 'old'")
                .contains("nothing changed").as("the reason names the core that voted no")
                .containsPattern("core [0-2]: key 'y' is absent");
            for (int core = 0; core < 3; core++)
            {
                assertThat(cluster.replicas[core].entries()).isEmpty();
                assertThat(cluster.engine(core).locksHeld()).isZero();
                assertThat(cluster.engine(core).inDoubtCount()).isZero();
            }
        }
    }

    @Test
    void conflictingTransactionVotesNoWithoutWaiting()
    {
        try (TestCluster cluster = new TestCluster(3))
        {
            final RecordingListener listener = new RecordingListener();
            cluster.hold((batch) -> batch.destinationCoreId() == 0 && batch.sourceCoreId() == 1);
            final TransactionId first = cluster.propose(0, listener, ALL, put("x", "1"));
            cluster.settle();
            assertThat(listener.outcome(first)).isNull();
            assertThat(cluster.engine(1).locksHeld()).isEqualTo(1);

            final TransactionId second = cluster.propose(2, listener, ALL, put("x", "2"));
            cluster.settle();

            assertThat(listener.outcome(second).status()).isEqualTo(TransactionOutcome.Status.ABORTED);
            assertThat(listener.outcome(second).reason()).contains("key x is locked by transaction " + first);
            assertThat(listener.outcome(second).lockConflictWith()).as("the abort names the holder").isEqualTo(first);
            cluster.release();
            cluster.settle();
            assertThat(listener.outcome(first).isCommitted()).isTrue();
            assertThat(listener.outcome(first).lockConflictWith()).isNull();
            assertThat(cluster.replicas[2].get("x")).isEqualTo("1");
        }
    }

    @Test
    void onlyAnAbortForALockNamesAConflictingTransaction()
    {
        assertThat(TransactionOutcome.aborted("core 1: key k is locked by transaction 3:2:1 (and more)").lockConflictWith())
            .isEqualTo(new TransactionId(3, 2, 1));
        assertThat(TransactionOutcome.aborted("core 1: key 'y' is absent, not 'old'").lockConflictWith()).isNull();
        assertThat(TransactionOutcome.indefinite("key k is locked by transaction 3:2:1").lockConflictWith()).isNull();
        assertThat(TransactionOutcome.aborted(null).lockConflictWith()).isNull();
    }

    @Test
    void missingVoteAbortsDefinitelyAfterPrepareTimeout()
    {
        try (TestCluster cluster = new TestCluster(3))
        {
            final RecordingListener listener = new RecordingListener();
            cluster.drop((batch) -> batch.destinationCoreId() == 2);
            final TransactionId id = cluster.propose(0, listener, ALL, put("x", "1"));
            cluster.settle();
            assertThat(listener.outcome(id)).isNull();

            cluster.advance(TestCluster.PREPARE_TIMEOUT_NS);

            final TransactionOutcome outcome = listener.outcome(id);
            assertThat(outcome.status()).isEqualTo(TransactionOutcome.Status.ABORTED);
            assertThat(outcome.reason()).contains("core(s) 2 did not vote within 10 ms");
            assertThat(cluster.engine(1).locksHeld()).isZero();
            assertThat(cluster.replicas[1].entries()).isEmpty();
            assertThat(cluster.registries[0].get("mk.2pc.transactions").tag("outcome", "aborted").counter().count())
                .isEqualTo(1.0);
        }
    }

    @Test
    void aProposalNamingAParticipantKnownDownIsAbortedAtOnceWithoutAPrepare()
    {
        try (TestCluster cluster = new TestCluster(3, (context) ->
            context.peerUnavailable((core) -> 2 == core ? "replica core 2 is down" : null)))
        {
            final RecordingListener listener = new RecordingListener();
            final int sentBefore = cluster.sent.size();
            final TransactionId refused = cluster.propose(0, listener, new int[]{0, 1, 2}, put("x", "1"));
            cluster.doWork();

            final TransactionOutcome outcome = listener.outcome(refused);
            assertThat(outcome.status()).isEqualTo(TransactionOutcome.Status.ABORTED);
            assertThat(outcome.reason())
                .isEqualTo("replica core 2 is down, so it cannot vote; retry once it is back; nothing changed");
            assertThat(cluster.sent).hasSize(sentBefore);
            // Core 2 knowing itself down changes nothing for its own proposals; the others go ahead.
            final TransactionId committed = cluster.propose(0, listener, new int[]{0, 1}, put("y", "1"));
            final TransactionId own = cluster.propose(2, listener, new int[]{2}, put("z", "1"));
            cluster.settle();
            assertThat(listener.outcome(committed).isCommitted()).isTrue();
            assertThat(listener.outcome(own).isCommitted()).isTrue();
            assertThat(cluster.replicas[1].get("x")).isNull();
        }
    }

    @Test
    void pipelinesManyTransactionsAndRejectsBeyondTheLimit()
    {
        try (TestCluster cluster = new TestCluster(3, (context) -> context.maxInFlightTransactions(10)))
        {
            final RecordingListener listener = new RecordingListener();
            final List<TransactionId> ids = new ArrayList<>();
            for (int i = 0; i < 12; i++)
            {
                ids.add(cluster.propose(0, listener, ALL, put("k" + i, "v" + i)));
            }
            cluster.settle();

            assertThat(ids.subList(0, 10)).allMatch((id) -> listener.outcome(id).isCommitted());
            assertThat(listener.outcome(ids.get(10)).status()).isEqualTo(TransactionOutcome.Status.ABORTED);
            assertThat(listener.outcome(ids.get(10)).reason()).contains("MAX_IN_FLIGHT_TRANSACTIONS=10");
            assertThat(cluster.replicas[2].entries()).hasSize(10);
            assertThat(cluster.registries[0].get("mk.2pc.transactions").tag("outcome", "rejected").counter().count())
                .isEqualTo(2.0);
        }
    }

    @Test
    void batchesMessagesToTheSameParticipant()
    {
        try (TestCluster cluster = new TestCluster(3))
        {
            final RecordingListener listener = new RecordingListener();
            for (int i = 0; i < 20; i++)
            {
                cluster.propose(0, listener, ALL, put("k" + i, "v"));
            }
            cluster.doWork();

            final List<MessageBatch> toCore1 = cluster.sent.stream().filter((b) -> b.destinationCoreId() == 1).toList();
            assertThat(toCore1).hasSize(1);
            assertThat(toCore1.get(0).messages()).hasSize(20).allMatch((m) -> m instanceof Prepare);
        }
    }

    @Test
    void groupCommitCoversManyTransactionsWithOneFsync()
    {
        try (TestCluster cluster = new TestCluster(1, (context) -> context.fsyncPolicy(FsyncPolicy.GROUP)))
        {
            final RecordingListener listener = new RecordingListener();
            final long before = cluster.disks[0].forceCount();
            for (int i = 0; i < 50; i++)
            {
                cluster.propose(0, listener, new int[]{0}, put("k" + i, "v"));
            }
            cluster.settle();

            assertThat(listener.outcomes.values()).hasSize(50).allMatch(TransactionOutcome::isCommitted);
            // PREPARED, COMMIT_DECIDED and COMMITTED of all fifty: one fsync per stage, not per transaction.
            assertThat(cluster.disks[0].forceCount() - before).isLessThanOrEqualTo(4);
        }
    }

    @ParameterizedTest
    @EnumSource(value = FsyncPolicy.class, names = { "GROUP", "ALWAYS" })
    void ackSharesTheNextFsyncAndWaitsNoLongerThanItsDelay(final FsyncPolicy policy)
    {
        final long ackDelayNs = 2_000_000;
        try (TestCluster cluster = new TestCluster(3, (context) -> context.fsyncPolicy(policy)
            .ackDelayMaxNs(ackDelayNs)))
        {
            final RecordingListener listener = new RecordingListener();
            final long before = cluster.disks[1].forceCount();
            final TransactionId first = cluster.propose(0, listener, ALL, put("a", "1"));
            cluster.settle();

            // Committed everywhere, but COMMITTED is not forced for its ack alone: the coordinator
            // still waits for acks, and the participant forced only its PREPARED.
            assertThat(listener.outcome(first)).isEqualTo(TransactionOutcome.committed());
            assertThat(cluster.replicas[1].entries()).containsEntry("a", "1");
            assertThat(cluster.engine(1).locksHeld()).isZero();
            assertThat(cluster.engine(0).inFlightTransactions()).isEqualTo(1);
            assertThat(cluster.disks[1].forceCount() - before).isEqualTo(1);

            // The next PREPARED's fsync covers the earlier COMMITTED: that ack goes with it.
            final TransactionId second = cluster.propose(0, listener, ALL, put("b", "2"));
            cluster.settle();
            assertThat(listener.outcome(second)).isEqualTo(TransactionOutcome.committed());
            assertThat(cluster.disks[1].forceCount() - before).isEqualTo(2);
            assertThat(cluster.engine(0).inFlightTransactions()).isEqualTo(1);

            // With nothing else to share, the log is forced once the delay has passed.
            cluster.advance(ackDelayNs - 1_000_000);
            assertThat(cluster.engine(0).inFlightTransactions()).isEqualTo(1);
            cluster.advance(1_000_000);
            assertThat(cluster.engine(0).inFlightTransactions()).isZero();
            assertThat(cluster.disks[1].forceCount() - before).isEqualTo(3);
        }
    }

    @ParameterizedTest
    @EnumSource(value = FsyncPolicy.class, names = { "GROUP", "ALWAYS" })
    void theCoordinatorsOwnPreparedIsMadeDurableByItsDecisionsFsync(final FsyncPolicy policy)
    {
        try (TestCluster cluster = new TestCluster(3, (context) -> context.fsyncPolicy(policy)
            .ackDelayMaxNs(ReplicationConfiguration.ACK_DELAY_MAX_DEFAULT_NS)))
        {
            final long before = cluster.disks[0].forceCount();
            final RecordingListener listener = new RecordingListener(cluster.disks[0]);
            cluster.propose(0, listener, ALL, put("a", "1"));
            cluster.engine(0).doWork(cluster.clock.nanoTime());

            // Core 0 logged its own PREPARED and voted yes to itself without an fsync; the PREPAREs
            // had left before anything was forced.
            assertThat(cluster.disks[0].forceCount() - before).isZero();
            assertThat(cluster.sourceForcesWhenSent(m -> m instanceof Prepare)).containsExactly(before, before);

            // One fsync, for the COMMIT decision, also covered the PREPARED before it; then the caller heard.
            cluster.settle();
            assertThat(listener.outcomes.values()).containsExactly(TransactionOutcome.committed());
            assertThat(listener.forcesAtOutcome).containsExactly(before + 1);
            assertThat(cluster.sourceForcesWhenSent(m -> m instanceof Decision d && d.commit()))
                .containsExactly(before + 1, before + 1);

            // A power cut now loses core 0's unforced COMMITTED; it recovers PREPARED and the
            // decision, and so the write.
            assertThat(cluster.disks[0].forceCount() - before).isEqualTo(1);
            cluster.crash(0, MemoryStorage.CrashMode.MACHINE);
            cluster.start(0);
            cluster.settle();
            assertThat(cluster.replicas[0].entries()).containsEntry("a", "1");
        }
    }

    @Test
    void preparesLeaveBeforeTheCoordinatorTakesItsOwnShare()
    {
        try (TestCluster cluster = new TestCluster(3, (context) -> context.fsyncPolicy(FsyncPolicy.NONE)))
        {
            final List<Integer> coordinatorLocksWhenPrepareLeft = new ArrayList<>();
            cluster.onTransmit((batch) ->
            {
                if (batch.messages().stream().anyMatch(m -> m instanceof Prepare))
                {
                    coordinatorLocksWhenPrepareLeft.add(cluster.engine(0).locksHeld());
                }
            });
            final RecordingListener listener = new RecordingListener();
            final TransactionId id = cluster.propose(0, listener, ALL, put("a", "1"));
            cluster.engine(0).doWork(cluster.clock.nanoTime());

            // Both PREPAREs left before core 0 validated, locked and logged its own share.
            assertThat(coordinatorLocksWhenPrepareLeft).containsExactly(0, 0);
            assertThat(cluster.engine(0).locksHeld()).isEqualTo(1);

            cluster.settle();
            assertThat(listener.outcome(id)).isEqualTo(TransactionOutcome.committed());
        }
    }

    @Test
    void withFsyncAlwaysTheCallerHearsTheCommitBeforeTheCoordinatorForcesItsOwnCommitted()
    {
        try (TestCluster cluster = new TestCluster(3, (context) -> context.fsyncPolicy(FsyncPolicy.ALWAYS)
            .ackDelayMaxNs(ReplicationConfiguration.ACK_DELAY_MAX_DEFAULT_NS)))
        {
            final long before = cluster.disks[0].forceCount();
            final RecordingListener listener = new RecordingListener(cluster.disks[0]);
            cluster.propose(0, listener, ALL, put("a", "1"));
            cluster.settle();

            // Core 0 forced COMMIT_DECIDED (covering its own PREPARED); the caller heard then. Core
            // 0's COMMITTED (a participant here too) waits to share a later fsync, for its ack only.
            assertThat(listener.outcomes.values()).containsExactly(TransactionOutcome.committed());
            assertThat(listener.forcesAtOutcome).containsExactly(before + 1);
            assertThat(cluster.disks[0].forceCount() - before).isEqualTo(1);
            assertThat(cluster.replicas[0].entries()).containsEntry("a", "1");
            assertThat(cluster.engine(0).locksHeld()).isZero();

            cluster.advance(ReplicationConfiguration.ACK_DELAY_MAX_DEFAULT_NS);
            assertThat(cluster.disks[0].forceCount() - before).isEqualTo(2);
            assertThat(cluster.engine(0).inFlightTransactions()).isZero();
        }
    }

    @Test
    void aRefusalIsToldToEveryAskerOnlyOnceItIsDurable()
    {
        try (TestCluster cluster = new TestCluster(4, (context) -> context.fsyncPolicy(FsyncPolicy.GROUP)))
        {
            // Two peers ask core 2 about a transaction of core 0 it never heard of, in one cycle:
            // it refuses (the coordinator's PREPARE can no longer get a yes here) and tells both.
            final TransactionId unknown = new TransactionId(0, cluster.engine(0).incarnation(), 1_000);
            final long before = cluster.disks[2].forceCount();
            cluster.engine(2).onMessage(new MessageBatch(1, cluster.engine(1).incarnation(), 2, 1,
                List.of(new Query(unknown))));
            cluster.engine(2).onMessage(new MessageBatch(3, cluster.engine(3).incarnation(), 2, 1,
                List.of(new Query(unknown))));
            cluster.engine(2).doWork(cluster.clock.nanoTime());

            assertThat(cluster.sourceForcesWhenSent(m -> m instanceof Decision d && !d.commit()))
                .hasSize(2).allMatch(forces -> forces > before);
        }
    }

    @Test
    void ackDelayMustStayBelowTheCommitResendInterval()
    {
        final ReplicationContext<KeyValueOperation> context = new ReplicationContext<KeyValueOperation>()
            .coreId(0)
            .stateMachine(new KeyValueStateMachine())
            .network((batch) -> true)
            .storage(new MemoryStorage("core-0"))
            .commitResendIntervalNs(10_000_000)
            .ackDelayMaxNs(10_000_000);
        assertThatThrownBy(context::conclude)
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("ackDelayMaxNs=10000000")
            .hasMessageContaining("commitResendIntervalNs=10000000");
    }

    @Test
    void fsyncAlwaysForcesEachDecisionOnItsOwn()
    {
        try (TestCluster cluster = new TestCluster(1, (context) -> context.fsyncPolicy(FsyncPolicy.ALWAYS)))
        {
            final RecordingListener listener = new RecordingListener();
            final long before = cluster.disks[0].forceCount();
            for (int i = 0; i < 10; i++)
            {
                cluster.propose(0, listener, new int[]{0}, put("k" + i, "v"));
            }
            cluster.settle();

            // Ten COMMIT_DECIDED, one fsync each (the first also covers the ten PREPARED records of
            // this core's own transactions); the ten COMMITTED records, needed only before the
            // acks, share one.
            assertThat(listener.outcomes.values()).hasSize(10).allMatch(TransactionOutcome::isCommitted);
            assertThat(cluster.disks[0].forceCount() - before).isEqualTo(11);
        }
    }

    @Test
    void fsyncNoneNeverForces()
    {
        try (TestCluster cluster = new TestCluster(1, (context) -> context.fsyncPolicy(FsyncPolicy.NONE)))
        {
            final RecordingListener listener = new RecordingListener();
            final long before = cluster.disks[0].forceCount();
            cluster.propose(0, listener, new int[]{0}, put("k", "v"));
            cluster.settle();

            assertThat(listener.outcomes.values()).allMatch(TransactionOutcome::isCommitted);
            assertThat(cluster.disks[0].forceCount()).isEqualTo(before);
        }
    }

    @Test
    void doWorkReturnsZeroWhenIdle()
    {
        try (TestCluster cluster = new TestCluster(3))
        {
            cluster.settle();
            assertThat(cluster.doWork()).isZero();
            cluster.propose(0, new RecordingListener(), ALL, put("x", "1"));
            assertThat(cluster.doWork()).isPositive();
            cluster.settle();
            cluster.advance(10 * TestCluster.PREPARE_TIMEOUT_NS);
            assertThat(cluster.doWork()).isZero();
        }
    }

    @Test
    void walFailureGivesIndefiniteOutcomeWhenTheCommitRecordMayHaveLanded()
    {
        try (TestCluster cluster = new TestCluster(4))
        {
            final RecordingListener listener = new RecordingListener();
            cluster.hold((batch) -> batch.sourceCoreId() == 2 || batch.sourceCoreId() == 3);
            final TransactionId deciding = cluster.propose(0, listener, new int[]{0, 1, 2}, put("x", "1"));
            final TransactionId collecting = cluster.propose(0, listener, new int[]{0, 1, 3}, put("y", "1"));
            cluster.settle();
            cluster.hold((batch) -> batch.sourceCoreId() == 3);
            cluster.disks[0].failWrites(true);
            cluster.settle();

            assertThat(cluster.engine(0).isFailed()).isTrue();
            assertThat(listener.outcome(deciding).status()).isEqualTo(TransactionOutcome.Status.INDEFINITE);
            assertThat(listener.outcome(deciding).reason()).contains("may have committed");
            assertThat(listener.outcome(collecting).status()).isEqualTo(TransactionOutcome.Status.ABORTED);
            assertThat(cluster.engine(0).errorCount(ErrorKind.WAL_FAILURE)).isEqualTo(1);
            assertThat(cluster.registries[0].get("mk.2pc.transactions").tag("outcome", "indefinite").counter().count())
                .isEqualTo(1.0);
        }
    }

    @Test
    void abortsWhoseEndedRecordsCannotBeWrittenAreStillAnswered()
    {
        // An abort appends its ENDED record after it is decided. With the smallest write buffer and many
        // transactions aborting at once, one of those appends is the write that meets the failing disk:
        // the engine fails, and that transaction's caller must still hear, as the others' do.
        final int recordMax = RecordDescriptor.align(LogRecords.preparedRecordLengthMaxBytes(64));
        final int transactions = 150;
        try (TestCluster cluster = new TestCluster(3, (context) -> context.maxOperationsLengthBytes(64)
            .walRecordLengthMaxBytes(recordMax).walWriteBufferLengthBytes(recordMax)))
        {
            final RecordingListener listener = new RecordingListener();
            cluster.hold((batch) -> batch.sourceCoreId() == 2);
            final List<TransactionId> ids = new ArrayList<>();
            for (int i = 0; i < transactions; i++)
            {
                ids.add(cluster.propose(0, listener, new int[]{0, 1, 2}, put("k" + i, "1")));
            }
            cluster.settle();
            assertThat(listener.outcomes).as("core 2's votes are held").isEmpty();

            cluster.disks[0].failWrites(true);
            cluster.advance(ReplicationConfiguration.prepareTimeoutNs() + 1_000_000);

            assertThat(cluster.engine(0).isFailed()).isTrue();
            for (final TransactionId id : ids)
            {
                assertThat(listener.outcome(id)).as(id.toString()).isNotNull()
                    .extracting(TransactionOutcome::status).isEqualTo(TransactionOutcome.Status.ABORTED);
            }
        }
    }

    @Test
    void aTransactionLongerThanOneMayCarryIsAbortedSayingHowLongAndWhatBoundsIt()
    {
        try (TestCluster cluster = new TestCluster(3, (context) -> context.maxOperationsLengthBytes(64)))
        {
            final RecordingListener listener = new RecordingListener();
            final TransactionId id = cluster.propose(0, listener, new int[]{0, 1, 2}, put("k", "v".repeat(100)));
            cluster.settle();

            final TransactionOutcome outcome = listener.outcome(id);
            assertThat(outcome.status()).isEqualTo(TransactionOutcome.Status.ABORTED);
            assertThat(outcome.reason()).matches("the operations take \\d+ bytes, more than the 64 one transaction may " +
                "carry \\(mk.replication.max.operations.length, at most half a URPC message: a longer " +
                "mk.urpc.term.length allows more\\); write less in one transaction; nothing changed");
        }
    }

    @Test
    void batchRefusedUnderBackPressureIsRetriedThenDroppedAndCounted()
    {
        final int[] offers = new int[1];
        try (TestCluster cluster = new TestCluster(2, (context) -> context.maxSendAttempts(3).network((batch) ->
        {
            offers[0]++;
            return false;
        })))
        {
            final RecordingListener listener = new RecordingListener();
            final TransactionId id = cluster.propose(0, listener, new int[]{0, 1}, put("x", "1"));
            for (int i = 0; i < 5; i++)
            {
                cluster.doWork();
            }

            assertThat(offers[0]).isEqualTo(3);
            assertThat(cluster.engine(0).errorCount(ErrorKind.SEND_DROPPED)).isEqualTo(1);
            assertThat(cluster.engine(0).hasSendBacklog()).isFalse();
            cluster.advance(TestCluster.PREPARE_TIMEOUT_NS);
            assertThat(listener.outcome(id).status()).isEqualTo(TransactionOutcome.Status.ABORTED);
        }
    }

    @Test
    void closingAbortsWhatIsStillCollectingVotesAndFinishesWhatIsDecided()
    {
        try (TestCluster cluster = new TestCluster(3))
        {
            final RecordingListener listener = new RecordingListener();
            cluster.hold((batch) -> batch.sourceCoreId() == 2);
            final TransactionId collecting = cluster.propose(0, listener, ALL, put("x", "1"));
            final TransactionId local = cluster.propose(0, listener, new int[]{0}, put("y", "1"));
            cluster.settle();
            cluster.engine(0).close();

            assertThat(listener.outcome(local).isCommitted()).isTrue();
            assertThat(listener.outcome(collecting).status()).isEqualTo(TransactionOutcome.Status.ABORTED);
            assertThat(listener.outcome(collecting).reason()).contains("shut down");
            assertThatThrownBy(() -> cluster.propose(0, listener, ALL, put("z", "1")))
                .isInstanceOf(IllegalStateException.class);
            cluster.engines.set(0, null);
        }
    }

    @Test
    void transactionIdsAndPoliciesParse()
    {
        assertThat(TransactionId.parse("3:7:42")).isEqualTo(new TransactionId(3, 7, 42));
        assertThat(TransactionId.parse(new TransactionId(1, 2, 3).toString())).isEqualTo(new TransactionId(1, 2, 3));
        assertThatThrownBy(() -> TransactionId.parse("3:x")).hasMessageContaining("'3:x' is not core:incarnation:sequence");
        assertThat(FsyncPolicy.parse(" Group ")).isEqualTo(FsyncPolicy.GROUP);
        assertThatThrownBy(() -> FsyncPolicy.parse("sometimes")).hasMessageContaining("'sometimes' is not one of");
        assertThatThrownBy(() -> ParticipantSet.of(1, 1)).hasMessageContaining("core id=1 is named twice");
    }

    @Test
    void malformedFramesAreCountedAndDropped()
    {
        try (TestCluster cluster = new TestCluster(2))
        {
            final byte[] garbage = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
            cluster.engine(0).onMessage(new UnsafeBuffer(garbage), 0, garbage.length);

            assertThat(cluster.engine(0).errorCount(ErrorKind.MALFORMED_MESSAGE)).isEqualTo(1);
            assertThat(cluster.registries[0].get("mk.2pc.errors").tag("kind", "malformed_message").counter().count())
                .isEqualTo(1.0);
        }
    }

    @Test
    void batchesFromAnOlderIncarnationAreDropped()
    {
        try (TestCluster cluster = new TestCluster(2))
        {
            final TransactionId id = new TransactionId(1, 5, 1);
            cluster.engine(0).onMessage(new MessageBatch(1, 5, 0, 1, List.of(new Vote(id, true, ""))));
            cluster.engine(0).onMessage(new MessageBatch(1, 4, 0, 2, List.of(new Vote(id, true, ""))));

            assertThat(cluster.engine(0).errorCount(ErrorKind.STALE_INCARNATION)).isEqualTo(1);
        }
    }

    @Test
    void prepareFromACoreThatIsNotItsCoordinatorIsRefused()
    {
        try (TestCluster cluster = new TestCluster(3))
        {
            final KeyValueOperation operation = put("x", "1");
            cluster.propose(0, new RecordingListener(), ALL, operation);
            cluster.doWork();
            final Prepare prepare = (Prepare)cluster.inFlight.get(0).messages().get(0);
            cluster.engine(1).onMessage(new MessageBatch(2, 1, 1, 1, List.of(prepare)));

            assertThat(cluster.engine(1).errorCount(ErrorKind.UNEXPECTED_MESSAGE)).isEqualTo(1);
            assertThat(cluster.engine(1).locksHeld()).isZero();
        }
    }

    @Test
    void contextNamesTheBadValue()
    {
        final ReplicationContext<KeyValueOperation> context = new ReplicationContext<KeyValueOperation>()
            .coreId(0).stateMachine(new io.multikernel.replication.kv.KeyValueStateMachine())
            .network((batch) -> true).storage(new io.multikernel.replication.wal.MemoryStorage("x"))
            .maxOperationsLengthBytes(100_000);

        assertThatThrownBy(context::conclude).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("maxOperationsLengthBytes=100000");
    }

    @Test
    void metricsCountOutcomesAndLatency()
    {
        try (TestCluster cluster = new TestCluster(3))
        {
            final RecordingListener listener = new RecordingListener();
            cluster.propose(0, listener, ALL, put("x", "1"));
            cluster.settle();

            assertThat(cluster.registries[0].get("mk.2pc.transactions").tag("outcome", "committed").counter().count())
                .isEqualTo(1.0);
            assertThat(cluster.registries[0].get("mk.2pc.commit.latency").timer().count()).isEqualTo(1);
            assertThat(cluster.registries[0].get("mk.2pc.in.doubt").gauge().value()).isZero();
            assertThat(cluster.registries[0].get("mk.2pc.locks.held").gauge().value()).isZero();
            assertThat(cluster.registries[0].get("mk.wal.bytes.written").counter().count()).isPositive();
            assertThat(cluster.registries[0].get("mk.wal.fsync.latency").timer().count()).isPositive();
        }
    }
}
