package io.multikernel.replication;

import java.io.IOException;

import io.multikernel.replication.kv.KeyValueOperation;
import io.multikernel.replication.kv.KeyValueStateMachine;
import io.multikernel.replication.protocol.Decision;
import io.multikernel.replication.protocol.Prepare;
import io.multikernel.replication.protocol.Vote;
import io.multikernel.replication.wal.MemoryStorage;
import org.junit.jupiter.api.Test;

import static io.multikernel.replication.kv.KeyValueOperation.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RecoveryTest
{
    private static final int[] ALL = {0, 1, 2};

    private static boolean carries(final io.multikernel.replication.protocol.MessageBatch batch, final Class<?> type)
    {
        return batch.messages().stream().anyMatch(type::isInstance);
    }

    private static boolean carriesCommit(final io.multikernel.replication.protocol.MessageBatch batch)
    {
        return batch.messages().stream().anyMatch((m) -> m instanceof Decision d && d.commit());
    }

    @Test
    void aParticipantWhoseLogLostCommittedRecordsIsToldByItsPeersAndSaysSo()
    {
        try (TestCluster cluster = new TestCluster(3))
        {
            final RecordingListener listener = new RecordingListener();
            final TransactionId last = loseCoreOnesLastRecords(cluster, listener, 0);
            assertThat(cluster.engine(1).divergence()).isNull();

            // Its peers hear its new incarnation with its first message, and tell it what they know it committed.
            final TransactionId next = cluster.propose(1, listener, new int[]{1, 2}, put("after", "v"));
            cluster.settle();

            assertThat(listener.outcome(next).isCommitted()).isTrue();
            assertThat(cluster.engine(1).divergence())
                .contains("core 2 knows transaction " + last + " committed with core 1 as a participant")
                .contains("holds no trace of it (the newest transaction of core 0 it held at start is 0:1:5)")
                .contains("its replicas lack writes the cluster committed");
            assertThat(cluster.engine(1).divergence())
                .contains("Lost so far, the newest of each coordinator: " + last + ". ")
                .endsWith("core-1/diverged keeps this verdict across restarts: remove it only once this core's replicas " +
                    "hold those writes again (its data directory restored from a backup taken after them), or they " +
                    "differ from the other replicas for good and nothing says so again");
            // Every peer tells it four times: one lost transaction is counted once.
            cluster.advance(java.util.concurrent.TimeUnit.SECONDS.toNanos(1));
            assertThat(cluster.engine(1).errorCount(ErrorKind.LOST_TRANSACTION)).isEqualTo(1);
            assertThat(cluster.engine(0).divergence()).isNull();
            assertThat(cluster.engine(2).divergence()).isNull();
            assertThat(cluster.replicas[0].get("late-2")).isEqualTo("v");
            assertThat(cluster.replicas[2].get("late-2")).isEqualTo("v");
        }
    }

    /**
     * Core 1's disk lies about fsync for three transactions coordinated by {@code coordinator}, then
     * loses them in a power cut; core 1 starts again.
     *
     * @return the last of them.
     */
    private static TransactionId loseCoreOnesLastRecords(final TestCluster cluster, final RecordingListener listener,
        final int coordinator)
    {
        for (int i = 0; i < 5; i++)
        {
            cluster.propose(coordinator, listener, ALL, put("early-" + i, "v"));
            cluster.settle();
        }
        // From here core 1's disk says it forced what it did not: a power cut loses what follows.
        cluster.disks[1].lieAboutForce(true);
        TransactionId last = null;
        for (int i = 0; i < 3; i++)
        {
            last = cluster.propose(coordinator, listener, ALL, put("late-" + i, "v"));
            cluster.settle();
            assertThat(listener.outcome(last).isCommitted()).isTrue();
        }
        cluster.crash(1, MemoryStorage.CrashMode.MACHINE);
        cluster.disks[1].lieAboutForce(false);
        cluster.start(1);
        assertThat(cluster.replicas[1].get("late-0")).isNull();
        return last;
    }

    @Test
    void aPrepareFromTheSameCoordinatorBeforeItsPeersSpeakDoesNotHideTheLoss()
    {
        try (TestCluster cluster = new TestCluster(3))
        {
            final RecordingListener listener = new RecordingListener();
            final TransactionId last = loseCoreOnesLastRecords(cluster, listener, 0);

            // Core 0 proposes to core 1 before telling it anything: core 1 prepares 0:1:9, above the lost 0:1:8.
            final TransactionId next = cluster.propose(0, listener, new int[]{0, 1}, put("after", "v"));
            cluster.settle();

            assertThat(listener.outcome(next).isCommitted()).isTrue();
            assertThat(cluster.engine(1).divergence())
                .contains("core 0 knows transaction " + last + " committed with core 1 as a participant")
                .contains("the newest transaction of core 0 it held at start is 0:1:5");
        }
    }

    @Test
    void itsOwnFirstProposalAfterTheRestartDoesNotHideTheLossOfTransactionsItCoordinated()
    {
        try (TestCluster cluster = new TestCluster(3))
        {
            final RecordingListener listener = new RecordingListener();
            final TransactionId last = loseCoreOnesLastRecords(cluster, listener, 1);

            final TransactionId next = cluster.propose(1, listener, new int[]{1, 2}, put("after", "v"));
            cluster.settle();

            assertThat(listener.outcome(next).isCommitted()).isTrue();
            assertThat(cluster.engine(1).divergence()).contains("knows transaction " + last + " committed with core 1");
        }
    }

    @Test
    void aDivergedCoreStaysDivergedAcrossRestartsUntilTheMarkerIsRemoved() throws java.io.IOException
    {
        try (TestCluster cluster = new TestCluster(3))
        {
            final RecordingListener listener = new RecordingListener();
            loseCoreOnesLastRecords(cluster, listener, 0);
            cluster.propose(1, listener, new int[]{1, 2}, put("after", "v"));
            cluster.settle();
            final String verdict = cluster.engine(1).divergence();
            assertThat(verdict).isNotNull();
            // It keeps voting: its watermarks pass the lost transactions, so its peers could not tell again.
            for (int i = 0; i < 3; i++)
            {
                cluster.propose(0, listener, ALL, put("later-" + i, "v"));
                cluster.settle();
            }

            cluster.crash(1, MemoryStorage.CrashMode.PROCESS);
            cluster.start(1);
            cluster.propose(1, listener, ALL, put("after-restart", "v"));
            cluster.settle();

            assertThat(cluster.engine(1).divergence()).isEqualTo("since an earlier start: " + verdict);
            assertThat(cluster.engine(1).errorCount(ErrorKind.LOST_TRANSACTION)).isPositive();

            cluster.crash(1, MemoryStorage.CrashMode.PROCESS);
            cluster.disks[1].delete(DivergenceMarker.FILE_NAME);
            cluster.start(1);
            cluster.propose(1, listener, ALL, put("cleared", "v"));
            cluster.settle();
            assertThat(cluster.engine(1).divergence()).as("the operator removed the marker").isNull();

            // A marker emptied by hand still keeps the core diverged, and says where it is.
            cluster.crash(1, MemoryStorage.CrashMode.PROCESS);
            cluster.disks[1].open(DivergenceMarker.FILE_NAME, true).close();
            cluster.start(1);
            assertThat(cluster.engine(1).divergence())
                .isEqualTo("since an earlier start: core-1/diverged is there but says no more");
        }
    }

    @Test
    void aPeerWhoseSnapshotCoversTheCommitsStillTellsThem()
    {
        try (TestCluster cluster = new TestCluster(3, (context) -> context.snapshotIntervalBytes(2048)))
        {
            final RecordingListener listener = new RecordingListener();
            final TransactionId last = loseCoreOnesLastRecords(cluster, listener, 0);
            // Core 2 restarts too, from a snapshot taken after the lost commits and a log with nothing of them.
            for (int i = 0; i < 40; i++)
            {
                cluster.propose(2, listener, new int[]{0, 2}, put("k" + (i % 5), "v" + i));
                cluster.settle();
            }
            assertThat(cluster.disks[2].list()).anyMatch((name) -> name.startsWith("snapshot-"));
            cluster.crash(2, MemoryStorage.CrashMode.PROCESS);
            cluster.start(2);

            cluster.propose(1, listener, new int[]{1, 2}, put("after", "v"));
            cluster.settle();

            assertThat(cluster.engine(1).divergence()).contains("core 2 knows transaction " + last);
        }
    }

    @Test
    void aPeerTellsAgainWhenItsFirstTellingIsLost()
    {
        try (TestCluster cluster = new TestCluster(3))
        {
            final RecordingListener listener = new RecordingListener();
            final TransactionId last = loseCoreOnesLastRecords(cluster, listener, 0);
            cluster.drop((batch) -> batch.destinationCoreId() == 1 && batch.sourceCoreId() != 1);
            final TransactionId next = cluster.propose(1, listener, new int[]{1, 2}, put("after", "v"));
            cluster.settle();
            assertThat(cluster.engine(1).divergence()).as("every telling so far was lost").isNull();

            cluster.drop((batch) -> false);
            cluster.advance(PeerCommits.FIRST_RETELL_DELAY_NS);
            cluster.settle();

            assertThat(cluster.engine(1).divergence()).contains("knows transaction " + last);
            assertThat(listener.outcome(next)).isNotNull();
        }
    }

    @Test
    void aSnapshotOfTheFormatBeforePeerCommitsIsReadAndAnUnknownFormatIsRefusedNamingBoth() throws java.io.IOException
    {
        try (TestCluster cluster = new TestCluster(3, (context) -> context.snapshotIntervalBytes(2048)))
        {
            final RecordingListener listener = new RecordingListener();
            // Core 1 alone takes part: it remembers no commit of a peer, so its snapshot's last section is empty.
            for (int i = 0; i < 40; i++)
            {
                cluster.propose(1, listener, new int[]{1}, put("k" + (i % 5), "v" + i));
                cluster.settle();
            }
            final var store = new io.multikernel.replication.wal.SnapshotStore(cluster.disks[1],
                io.multikernel.replication.wal.FsyncPolicy.ALWAYS, 1 << 20);
            final var latest = store.loadLatest();
            final java.nio.ByteBuffer payload = java.nio.ByteBuffer.wrap(latest.payload()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            assertThat(payload.getInt(0)).isEqualTo(EngineSnapshot.FORMAT_VERSION);
            assertThat(payload.getInt(latest.payload().length - Integer.BYTES)).as("no peer commits").isZero();
            final var before = new java.util.TreeMap<>(cluster.replicas[1].entries());

            // The same snapshot as the format before peer commits wrote it: no last section.
            final byte[] older = java.util.Arrays.copyOf(latest.payload(), latest.payload().length - Integer.BYTES);
            java.nio.ByteBuffer.wrap(older).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putInt(0, EngineSnapshot.FORMAT_VERSION_WITHOUT_PEER_COMMITS);
            cluster.crash(1, MemoryStorage.CrashMode.PROCESS);
            store.write(latest.position(), older);
            cluster.start(1);
            assertThat(cluster.replicas[1].entries()).isEqualTo(before);

            cluster.crash(1, MemoryStorage.CrashMode.PROCESS);
            java.nio.ByteBuffer.wrap(older).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(0, 3);
            store.write(latest.position(), older);
            assertThatThrownBy(() -> cluster.start(1)).hasMessageContaining("snapshot format version 3 is neither 2 nor 1");
        }
    }

    @Test
    void restartsThatLostNothingAreNotTakenForLostRecords()
    {
        try (TestCluster cluster = new TestCluster(3, (context) -> context.snapshotIntervalBytes(2048)))
        {
            final RecordingListener listener = new RecordingListener();
            for (int i = 0; i < 60; i++)
            {
                cluster.propose(i % 3, listener, i % 2 == 0 ? ALL : new int[]{1, 2}, put("k" + (i % 7), "v" + i));
                cluster.settle();
            }
            assertThat(cluster.disks[1].list()).anyMatch((name) -> name.startsWith("snapshot-"));
            // One core after a power cut, then every core at once (each hears the others for the first time).
            cluster.crash(1, MemoryStorage.CrashMode.MACHINE);
            cluster.start(1);
            cluster.propose(1, listener, ALL, put("a", "1"));
            cluster.settle();
            for (int core = 0; core < 3; core++)
            {
                cluster.crash(core, MemoryStorage.CrashMode.PROCESS);
            }
            for (int core = 0; core < 3; core++)
            {
                cluster.start(core);
            }
            for (int core = 0; core < 3; core++)
            {
                final TransactionId id = cluster.propose(core, listener, ALL, put("b" + core, "1"));
                cluster.settle();
                assertThat(listener.outcome(id).isCommitted()).isTrue();
            }

            for (int core = 0; core < 3; core++)
            {
                assertThat(cluster.engine(core).divergence()).as("core %d", core).isNull();
                assertThat(cluster.engine(core).errorCount(ErrorKind.LOST_TRANSACTION)).as("core %d", core).isZero();
            }
            // Cores 1 and 2 take part in every transaction.
            assertThat(cluster.replicas[1].entries()).isEqualTo(cluster.replicas[2].entries()).containsKeys("k6", "a", "b0");
        }
    }

    @Test
    void coordinatorRestartResendsCommitForDecidedButUnfinished()
    {
        try (TestCluster cluster = new TestCluster(3))
        {
            final RecordingListener listener = new RecordingListener();
            cluster.drop((batch) -> batch.sourceCoreId() == 0 && carriesCommit(batch));
            final TransactionId id = cluster.propose(0, listener, ALL, put("x", "1"));
            cluster.settle();
            assertThat(listener.outcome(id).isCommitted()).isTrue();
            assertThat(cluster.engine(1).inDoubtCount()).isEqualTo(1);

            cluster.crash(0, MemoryStorage.CrashMode.MACHINE);
            cluster.drop((batch) -> false);
            cluster.start(0);
            cluster.settle();

            for (int core = 0; core < 3; core++)
            {
                assertThat(cluster.replicas[core].get("x")).as("core %d", core).isEqualTo("1");
                assertThat(cluster.engine(core).inDoubtCount()).isZero();
                assertThat(cluster.engine(core).locksHeld()).isZero();
            }
            assertThat(cluster.engine(0).inFlightTransactions()).isZero();
        }
    }

    @Test
    void coordinatorRestartAbortsStartedButUndecided()
    {
        try (TestCluster cluster = new TestCluster(3))
        {
            final RecordingListener listener = new RecordingListener();
            cluster.drop((batch) -> batch.destinationCoreId() == 0 && carries(batch, Vote.class));
            cluster.propose(0, listener, new int[]{1, 2}, put("x", "1"));
            cluster.settle();
            assertThat(cluster.engine(1).inDoubtCount()).isEqualTo(1);
            assertThat(cluster.engine(2).inDoubtCount()).isEqualTo(1);

            cluster.crash(0, MemoryStorage.CrashMode.PROCESS);
            cluster.drop((batch) -> false);
            cluster.start(0);
            cluster.settle();

            for (int core = 1; core < 3; core++)
            {
                assertThat(cluster.replicas[core].entries()).isEmpty();
                assertThat(cluster.engine(core).inDoubtCount()).isZero();
                assertThat(cluster.engine(core).locksHeld()).isZero();
            }
        }
    }

    @Test
    void participantRestartRebuildsTheReplicaFromSnapshotAndLog()
    {
        try (TestCluster cluster = new TestCluster(3, (context) -> context.snapshotIntervalBytes(2048)))
        {
            final RecordingListener listener = new RecordingListener();
            for (int i = 0; i < 60; i++)
            {
                cluster.propose(i % 3, listener, ALL, put("k" + (i % 7), "v" + i));
                cluster.settle();
            }
            assertThat(cluster.disks[2].list()).anyMatch((name) -> name.startsWith("snapshot-"));
            final var before = new java.util.TreeMap<>(cluster.replicas[2].entries());

            cluster.crash(2, MemoryStorage.CrashMode.MACHINE);
            cluster.start(2);

            assertThat(cluster.replicas[2].entries()).isEqualTo(before).isEqualTo(cluster.replicas[0].entries());
        }
    }

    @Test
    void aSnapshotLongerThanARestartReadsIsNotTakenAndTheLogStaysWhole()
    {
        try (TestCluster cluster = new TestCluster(3, (context) -> context.snapshotIntervalBytes(2048)
            .snapshotLengthMaxBytes(64)))
        {
            final RecordingListener listener = new RecordingListener();
            for (int i = 0; i < 60; i++)
            {
                cluster.propose(i % 3, listener, ALL, put("k" + (i % 7), "v" + i));
                cluster.settle();
            }
            assertThat(cluster.disks[2].list()).noneMatch((name) -> name.startsWith("snapshot-"));
            assertThat(cluster.engine(2).errorCount(ErrorKind.SNAPSHOT_TOO_LARGE)).isPositive();
            final var before = new java.util.TreeMap<>(cluster.replicas[2].entries());

            cluster.crash(2, MemoryStorage.CrashMode.MACHINE);
            cluster.start(2);

            assertThat(cluster.replicas[2].entries()).as("rebuilt from the whole log").isEqualTo(before)
                .isEqualTo(cluster.replicas[0].entries()).hasSize(7);
        }
    }

    @Test
    void participantRestartAsksTheCoordinatorAboutWhatItIsInDoubtAbout()
    {
        try (TestCluster cluster = new TestCluster(3))
        {
            final RecordingListener listener = new RecordingListener();
            cluster.hold((batch) -> batch.destinationCoreId() == 2 && carriesCommit(batch));
            final TransactionId id = cluster.propose(0, listener, ALL, put("x", "1"));
            cluster.settle();
            assertThat(listener.outcome(id).isCommitted()).isTrue();

            cluster.crash(2, MemoryStorage.CrashMode.MACHINE);
            cluster.release();
            cluster.start(2);
            assertThat(cluster.engine(2).inDoubtTransactions()).extracting(InDoubtTransaction::id).containsExactly(id);
            assertThat(cluster.registries[2].get("mk.2pc.in.doubt").gauge().value()).isEqualTo(1.0);
            assertThat(cluster.engine(2).locksHeld()).isEqualTo(1);
            cluster.settle();

            assertThat(cluster.replicas[2].get("x")).isEqualTo("1");
            assertThat(cluster.engine(2).inDoubtCount()).isZero();
            assertThat(cluster.registries[2].get("mk.2pc.in.doubt").gauge().value()).isZero();
        }
    }

    @Test
    void cooperativeTerminationLearnsTheCommitFromAPeerWhileTheCoordinatorIsDown()
    {
        try (TestCluster cluster = new TestCluster(4))
        {
            final RecordingListener listener = new RecordingListener();
            cluster.drop((batch) -> batch.sourceCoreId() == 0 && batch.destinationCoreId() == 2 && carriesCommit(batch));
            final TransactionId id = cluster.propose(0, listener, new int[]{1, 2, 3}, put("x", "1"));
            cluster.settle();
            assertThat(cluster.replicas[1].get("x")).isEqualTo("1");
            assertThat(cluster.engine(2).inDoubtCount()).isEqualTo(1);

            cluster.crash(0, MemoryStorage.CrashMode.MACHINE);
            cluster.drop((batch) -> false);
            cluster.advance(6 * TestCluster.PREPARE_TIMEOUT_NS);

            assertThat(cluster.replicas[2].get("x")).isEqualTo("1");
            assertThat(cluster.engine(2).inDoubtCount()).isZero();
            assertThat(listener.outcome(id).isCommitted()).isTrue();
        }
    }

    @Test
    void cooperativeTerminationAbortsWhenAPeerHadNotVoted()
    {
        try (TestCluster cluster = new TestCluster(4))
        {
            cluster.drop((batch) -> batch.sourceCoreId() == 0 && batch.destinationCoreId() == 3 && carries(batch, Prepare.class));
            final TransactionId id = cluster.propose(0, new RecordingListener(), new int[]{1, 2, 3}, put("x", "1"));
            cluster.doWork();
            cluster.deliver();
            cluster.crash(0, MemoryStorage.CrashMode.MACHINE);
            cluster.drop((batch) -> false);
            cluster.settle();
            assertThat(cluster.engine(1).inDoubtCount()).isEqualTo(1);

            cluster.advance(6 * TestCluster.PREPARE_TIMEOUT_NS);

            for (int core = 1; core < 4; core++)
            {
                assertThat(cluster.engine(core).inDoubtCount()).as("core %d", core).isZero();
                assertThat(cluster.engine(core).locksHeld()).isZero();
                assertThat(cluster.replicas[core].entries()).isEmpty();
            }
            // Core 3 promised never to vote yes: the PREPARE arriving now gets a no.
            final byte[] operations = preparedOperations(cluster, id);
            cluster.engine(3).onMessage(new io.multikernel.replication.protocol.MessageBatch(0, id.coordinatorIncarnation(),
                3, 99, java.util.List.of(new Prepare(id, ParticipantSet.of(1, 2, 3), operations))));
            assertThat(cluster.engine(3).locksHeld()).isZero();
        }
    }

    private static byte[] preparedOperations(final TestCluster cluster, final TransactionId id)
    {
        return cluster.sent.stream().flatMap((b) -> b.messages().stream())
            .filter((m) -> m instanceof Prepare p && p.transactionId().equals(id))
            .map((m) -> ((Prepare)m).operations()).findFirst().orElseThrow();
    }

    @Test
    void participantsAllInDoubtStayBlockedUntilTheCoordinatorReturns()
    {
        try (TestCluster cluster = new TestCluster(3))
        {
            cluster.drop((batch) -> batch.sourceCoreId() == 0 && carriesCommit(batch));
            final TransactionId id = cluster.propose(0, new RecordingListener(), new int[]{1, 2}, put("x", "1"));
            cluster.settle();
            cluster.crash(0, MemoryStorage.CrashMode.MACHINE);
            cluster.drop((batch) -> false);

            cluster.advance(20 * TestCluster.PREPARE_TIMEOUT_NS);

            for (int core = 1; core < 3; core++)
            {
                assertThat(cluster.engine(core).inDoubtTransactions()).extracting(InDoubtTransaction::id).containsExactly(id);
                assertThat(cluster.engine(core).inDoubtTransactions().get(0).queriesSent()).isGreaterThan(3);
                assertThat(cluster.replicas[core].entries()).isEmpty();
                assertThat(cluster.registries[core].get("mk.2pc.in.doubt").gauge().value()).isEqualTo(1.0);
            }

            cluster.start(0);
            cluster.advance(2 * TestCluster.PREPARE_TIMEOUT_NS);

            for (int core = 1; core < 3; core++)
            {
                assertThat(cluster.engine(core).inDoubtCount()).isZero();
                assertThat(cluster.replicas[core].get("x")).isEqualTo("1");
            }
        }
    }

    @Test
    void operatorCanForceADecisionOnlyExplicitlyAndAMismatchIsReported()
    {
        try (TestCluster cluster = new TestCluster(3))
        {
            cluster.drop((batch) -> batch.sourceCoreId() == 0 && carriesCommit(batch));
            final TransactionId id = cluster.propose(0, new RecordingListener(), new int[]{1, 2}, put("x", "1"));
            cluster.settle();
            cluster.crash(0, MemoryStorage.CrashMode.MACHINE);
            cluster.drop((batch) -> false);

            final OperatorDecision notInDoubt = cluster.engine(1).forceDecision(
                new TransactionId(0, 1, 999), false, "alice", "testing");
            assertThat(notInDoubt.applied()).isFalse();
            assertThat(notInDoubt.message()).contains("is not in doubt");

            final OperatorDecision forced = cluster.engine(1).forceDecision(id, false, "alice", "coordinator lost");
            assertThat(forced.applied()).isTrue();
            assertThat(cluster.engine(1).inDoubtCount()).isZero();
            assertThat(cluster.engine(1).locksHeld()).isZero();

            cluster.start(0);
            cluster.advance(2 * TestCluster.PREPARE_TIMEOUT_NS);

            assertThat(cluster.replicas[2].get("x")).isEqualTo("1");
            assertThat(cluster.replicas[1].get("x")).isNull();
            assertThat(cluster.engine(1).errorCount(ErrorKind.DECISION_MISMATCH)).isPositive();
            assertThat(cluster.engine(0).inFlightTransactions()).isZero();
        }
    }

    @Test
    void aGivenIncarnationMustBeNewerThanTheLogs()
    {
        final MemoryStorage disk = new MemoryStorage("core-0");
        launch(disk, 5).close();

        assertThatThrownBy(() -> launch(disk, 5)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("incarnation=5 is not newer than incarnation 5");
        final ReplicationEngine<KeyValueOperation> next = launch(disk, 0);
        assertThat(next.incarnation()).isEqualTo(6);
        next.close();
    }

    @Test
    void unforcedCommitRecordLostInAPowerCutLeavesTheParticipantInDoubt()
    {
        try (TestCluster cluster = new TestCluster(3))
        {
            cluster.hold((batch) -> batch.destinationCoreId() == 2 && carriesCommit(batch));
            cluster.propose(0, new RecordingListener(), ALL, put("x", "1"));
            cluster.settle();
            cluster.release();
            cluster.deliver();
            // Core 2 applied the commit in memory and appended COMMITTED, not yet forced: a power cut loses it.
            assertThat(cluster.replicas[2].get("x")).isEqualTo("1");
            cluster.crash(2, MemoryStorage.CrashMode.MACHINE);
            cluster.start(2);

            assertThat(cluster.engine(2).inDoubtCount()).isEqualTo(1);
            cluster.settle();
            assertThat(cluster.replicas[2].get("x")).isEqualTo("1");
        }
    }

    private static ReplicationEngine<KeyValueOperation> launch(final MemoryStorage disk, final long incarnation)
    {
        try
        {
            return ReplicationEngine.launch(new ReplicationContext<KeyValueOperation>()
                .coreId(0).incarnation(incarnation).stateMachine(new KeyValueStateMachine())
                .network((batch) -> true).storage(disk));
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }
}
