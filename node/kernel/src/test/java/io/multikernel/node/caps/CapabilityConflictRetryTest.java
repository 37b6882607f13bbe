package io.multikernel.node.caps;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.multikernel.node.caps.CapabilityResult.Outcome;
import io.multikernel.replication.OutcomeListener;
import io.multikernel.replication.ParticipantSet;
import io.multikernel.replication.ReplicatedStates;
import io.multikernel.replication.TransactionId;
import io.multikernel.replication.TransactionOutcome;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.multikernel.node.caps.CapabilityType.PAGE_LENGTH_BYTES;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two operations that abort each other on a lock: the one with the lower transaction id proposes
 * again, the other is answered aborted.
 */
class CapabilityConflictRetryTest
{
    private static final long PAGE = PAGE_LENGTH_BYTES;
    private static final long RAM_CAP = 100;

    private final CachedNanoClock clock = new CachedNanoClock();
    private final List<TransactionId> proposed = new ArrayList<>();
    private final List<OutcomeListener> listeners = new ArrayList<>();
    private final List<CapabilityResult> results = new ArrayList<>();
    private CapabilityDatabase database;
    /** What every lock key is held by on this core, as the engine would answer; null for free. */
    private TransactionId lockedBy;
    private CapabilityService service;

    @BeforeEach
    void oneRamCapabilityOnCore1()
    {
        database = new CapabilityDatabase(Map.of(1, new PhysicalRange(1 << 20, 1 << 20)));
        database.apply(new CapabilityOperation.Allocate(1, 1 << 20, 64 * PAGE, 1, RAM_CAP, 1));
        clock.update(1_000_000_000L);
        service = new CapabilityService(1, new int[]{ 0, 1, 2 }, database, null, new SimpleMeterRegistry(), clock);
        service.register(new ReplicatedStates());
        service.attach(new CapabilityService.Proposer()
        {
            public String proposalRefusal()
            {
                return null;
            }

            public TransactionId lockHolder(final Object key)
            {
                return lockedBy;
            }

            public TransactionId propose(final ParticipantSet replicas, final List<ReplicatedStates.StateOperation> operations,
                final OutcomeListener listener)
            {
                final TransactionId id = new TransactionId(1, 0, proposed.size() + 1);
                proposed.add(id);
                listeners.add(listener);
                return id;
            }
        });
    }

    private void retype()
    {
        service.retype(RAM_CAP, CapabilityType.RAM, 0, PAGE, 1, results::add);
    }

    private void lastAborts(final String holder)
    {
        final int last = proposed.size() - 1;
        listeners.get(last).onOutcome(proposed.get(last), TransactionOutcome.aborted(
            "transaction " + proposed.get(last) + " aborted: core 2 voted no: key K is locked by transaction " + holder));
    }

    /**
     * The first retype (proposed first) commits and this replica applies it, which frees its lock
     * here: the one waiting behind it is proposed after the next delay and commits too.
     */
    private void firstCommitsAndTheWaitingOneGoes(final CapabilityType type)
    {
        listeners.get(0).onOutcome(proposed.get(0), TransactionOutcome.committed());
        database.apply(new CapabilityOperation.Retype(RAM_CAP, 0, type, PAGE, 1, 50, 60, 1));
        lockedBy = null;
        final int before = proposed.size();
        elapse(CapabilityService.CONFLICT_RETRY_DELAY_NS);
        assertThat(proposed).as("proposed once the lock is free here").hasSize(before + 1);
        listeners.get(before).onOutcome(proposed.get(before), TransactionOutcome.committed());
        assertThat(results).extracting(CapabilityResult::outcome).containsExactly(Outcome.COMMITTED, Outcome.COMMITTED);
    }

    private void elapse(final long nanos)
    {
        clock.update(clock.nanoTime() + nanos);
        service.doWork(clock.nanoTime());
    }

    @Test
    void theLowerIdProposesAgainAfterTheDelayAndSucceeds()
    {
        retype();
        lastAborts("2:0:7");
        assertThat(results).as("not answered: it has priority over 2:0:7 and retries").isEmpty();
        elapse(CapabilityService.CONFLICT_RETRY_DELAY_NS - 1);
        assertThat(proposed).hasSize(1);
        elapse(1);
        assertThat(proposed).as("proposed again once the delay passed").hasSize(2);
        listeners.get(1).onOutcome(proposed.get(1), TransactionOutcome.committed());
        assertThat(results).singleElement().extracting(CapabilityResult::outcome).isEqualTo(Outcome.COMMITTED);
    }

    @Test
    void waitsBehindThisCoresOwnTransactionsDoNotUseUpTheRetriesOfAConflictItHasPriorityIn()
    {
        retype();
        for (int wait = 0; wait < CapabilityService.CONFLICT_RETRIES_MAX; wait++)
        {
            // Lost to this core's own earlier transaction, which holds no lock here any more.
            lastAborts("1:0:0");
            elapse(CapabilityService.ownConflictDelayNs(wait));
            assertThat(proposed).as("proposed again after its own-conflict delay").hasSize(wait + 2);
        }
        lastAborts("2:0:99");
        assertThat(results).as("it has priority over 2:0:99: not answered, it goes again").isEmpty();
        elapse(CapabilityService.CONFLICT_RETRY_DELAY_NS);
        assertThat(proposed).hasSize(CapabilityService.CONFLICT_RETRIES_MAX + 2);
        listeners.get(proposed.size() - 1).onOutcome(proposed.get(proposed.size() - 1), TransactionOutcome.committed());
        assertThat(results).singleElement().extracting(CapabilityResult::outcome).isEqualTo(Outcome.COMMITTED);
    }

    @Test
    void aRetypeIntoFramesWaitsAgainWhileTheTransactionItCollidedWithIsPreparedHere()
    {
        service.retype(RAM_CAP, CapabilityType.FRAME, 0, PAGE, 1, results::add);
        lastAborts("2:0:7");
        lockedBy = new TransactionId(2, 0, 7);
        elapse(CapabilityService.CONFLICT_RETRY_DELAY_NS);
        assertThat(proposed).as("its frames are not zeroed while 2:0:7 holds the source here").hasSize(1);
        assertThat(results).isEmpty();

        lockedBy = null;
        elapse(CapabilityService.CONFLICT_RETRY_DELAY_NS << 1);
        assertThat(proposed).as("proposed once the source is free here").hasSize(2);
        listeners.get(1).onOutcome(proposed.get(1), TransactionOutcome.committed());
        assertThat(results).singleElement().extracting(CapabilityResult::outcome).isEqualTo(Outcome.COMMITTED);
    }

    @Test
    void aRetypeIntoFramesWhoseSourceThisCoresEarlierRetypeHoldsWaitsForItThenGoes()
    {
        service.retype(RAM_CAP, CapabilityType.FRAME, 0, PAGE, 1, results::add);
        assertThat(proposed).hasSize(1);
        lockedBy = proposed.get(0);
        service.retype(RAM_CAP, CapabilityType.FRAME, PAGE, PAGE, 1, results::add);
        assertThat(results).as("not refused: the source is held by this core's own earlier retype").isEmpty();
        assertThat(proposed).as("nothing proposed (nor zeroed) while the source is held here").hasSize(1);
        elapse(CapabilityService.CONFLICT_RETRY_DELAY_NS);
        assertThat(proposed).hasSize(1);

        firstCommitsAndTheWaitingOneGoes(CapabilityType.FRAME);
        assertThat(results.get(1).capIds()).as("ids of its own, not the first's").doesNotContainAnyElementsOf(
            results.get(0).capIds());
    }

    @Test
    void aRetypeIntoFramesThatWaitsOnItsOwnCoreIsCheckedAgainAndBoundedByTime()
    {
        service.retype(RAM_CAP, CapabilityType.FRAME, 0, PAGE, 1, results::add);
        lockedBy = proposed.get(0);
        service.retype(RAM_CAP, CapabilityType.FRAME, 0, PAGE, 1, results::add);
        listeners.get(0).onOutcome(proposed.get(0), TransactionOutcome.committed());
        database.apply(new CapabilityOperation.Retype(RAM_CAP, 0, CapabilityType.FRAME, PAGE, 1, 50, 60, 1));
        lockedBy = null;
        elapse(CapabilityService.CONFLICT_RETRY_DELAY_NS);
        assertThat(proposed).as("the same range, now retyped: refused by the replica, not proposed").hasSize(1);
        assertThat(results).hasSize(2).last().satisfies(result ->
            assertThat(result.outcome()).isEqualTo(Outcome.CONFLICT));

        lockedBy = new TransactionId(1, 0, 99);
        service.retype(RAM_CAP, CapabilityType.FRAME, 2 * PAGE, PAGE, 1, results::add);
        elapse(CapabilityService.OWN_CONFLICT_WAIT_MAX_NS);
        assertThat(results).as("answered once it waited OWN_CONFLICT_WAIT_MAX_NS").hasSize(3).last().satisfies(result ->
        {
            assertThat(result.outcome()).isEqualTo(Outcome.ABORTED);
            assertThat(result.message()).contains("locked by transaction 1:0:99");
        });

        lockedBy = new TransactionId(2, 0, 7);
        service.retype(RAM_CAP, CapabilityType.FRAME, 2 * PAGE, PAGE, 1, results::add);
        assertThat(results).as("another core's transaction holds it: refused at once, as before").hasSize(4).last()
            .satisfies(result -> assertThat(result.outcome()).isEqualTo(Outcome.ABORTED));
        assertThat(proposed).hasSize(1);
    }

    @Test
    void theHigherIdGivesUpAtOnceAsAborted()
    {
        retype();
        lastAborts("0:0:7");
        assertThat(results).singleElement().satisfies(result ->
        {
            assertThat(result.outcome()).isEqualTo(Outcome.ABORTED);
            assertThat(result.message()).contains("is locked by transaction 0:0:7");
        });
        elapse(10 * CapabilityService.CONFLICT_RETRY_DELAY_NS);
        assertThat(proposed).hasSize(1);
    }

    @Test
    void retriesAreBoundedAndOtherAbortsAreNotRetried()
    {
        retype();
        for (int attempt = 0; attempt < CapabilityService.CONFLICT_RETRIES_MAX; attempt++)
        {
            lastAborts("9:0:1");
            assertThat(results).isEmpty();
            elapse(CapabilityService.CONFLICT_RETRY_DELAY_NS << attempt);
        }
        assertThat(proposed).hasSize(1 + CapabilityService.CONFLICT_RETRIES_MAX);
        lastAborts("9:0:1");
        assertThat(results).singleElement().extracting(CapabilityResult::outcome).isEqualTo(Outcome.ABORTED);

        retype();
        final int last = proposed.size() - 1;
        listeners.get(last).onOutcome(proposed.get(last), TransactionOutcome.aborted("core 0 voted no: disk full"));
        assertThat(results).hasSize(2).last().extracting(CapabilityResult::outcome).isEqualTo(Outcome.ABORTED);
    }

    @Test
    void aRetryFindingTheOtherCommittedIsAnsweredWithTheReplicasRefusal()
    {
        retype();
        lastAborts("2:0:7");
        // Meanwhile the other retype (of the same range) committed here.
        database.apply(new CapabilityOperation.Retype(RAM_CAP, 0, CapabilityType.RAM, PAGE, 1, 50, 60, 2));
        elapse(CapabilityService.CONFLICT_RETRY_DELAY_NS);
        assertThat(proposed).hasSize(1);
        assertThat(results).singleElement().satisfies(result ->
        {
            assertThat(result.outcome()).isEqualTo(Outcome.CONFLICT);
            assertThat(result.message()).endsWith("revoke first");
        });
    }

    @Test
    void anOperationThatLostToThisCoresOwnEarlierOneWaitsForItsLockAndGoesAgainBoundedByTime()
    {
        service.retype(RAM_CAP, CapabilityType.RAM, 0, PAGE, 1, results::add);
        service.retype(RAM_CAP, CapabilityType.RAM, PAGE, PAGE, 1, results::add);
        assertThat(proposed).hasSize(2);
        // Both lock the RAM's object: the second, proposed after the first, votes no behind it.
        lockedBy = proposed.get(0);
        lastAborts(proposed.get(0).toString());
        assertThat(results).as("not answered: it waits for this core's own earlier retype").isEmpty();
        for (int i = 0; i < 2 * CapabilityService.CONFLICT_RETRIES_MAX; i++)
        {
            elapse(CapabilityService.CONFLICT_RETRY_DELAY_NS);
        }
        assertThat(proposed).as("nothing proposed while the lock is held here").hasSize(2);

        firstCommitsAndTheWaitingOneGoes(CapabilityType.RAM);

        service.retype(RAM_CAP, CapabilityType.RAM, 2 * PAGE, PAGE, 1, results::add);
        final TransactionId holder = proposed.get(2);
        lockedBy = holder;
        lastAborts(holder.toString());
        elapse(CapabilityService.OWN_CONFLICT_WAIT_MAX_NS);
        assertThat(results).as("answered aborted once it waited OWN_CONFLICT_WAIT_MAX_NS").hasSize(3).last()
            .satisfies(result ->
            {
                assertThat(result.outcome()).isEqualTo(Outcome.ABORTED);
                assertThat(result.message()).contains("is locked by transaction " + holder);
            });
        assertThat(proposed).hasSize(4);
    }

    @Test
    void anOperationThatKeepsLosingToItsOwnCoresEarlierOneBacksOff()
    {
        service.retype(RAM_CAP, CapabilityType.RAM, 0, PAGE, 1, results::add);
        service.retype(RAM_CAP, CapabilityType.RAM, PAGE, PAGE, 1, results::add);
        final String first = proposed.get(0).toString();
        // The first is decided here, but a participant that missed the decision still holds its lock.
        for (int loss = 0; loss < 6; loss++)
        {
            lastAborts(first);
            final long delayNs = CapabilityService.CONFLICT_RETRY_DELAY_NS <<
                Math.min(loss, CapabilityService.OWN_CONFLICT_BACKOFF_SHIFT_MAX);
            final int before = proposed.size();
            elapse(delayNs - 1);
            assertThat(proposed).as("loss %d: not proposed again before %d ns", loss, delayNs).hasSize(before);
            elapse(1);
            assertThat(proposed).as("loss %d: proposed again after %d ns", loss, delayNs).hasSize(before + 1);
        }
        assertThat(results).as("still waiting, well within OWN_CONFLICT_WAIT_MAX_NS").isEmpty();
    }
}
