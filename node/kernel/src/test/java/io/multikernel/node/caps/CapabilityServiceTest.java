package io.multikernel.node.caps;

import io.multikernel.node.caps.CapabilityResult.Outcome;
import io.multikernel.replication.ReplicatedStates;
import io.multikernel.replication.TransactionId;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.multikernel.node.caps.InProcessCapabilityCluster.PAGE;
import static io.multikernel.node.caps.InProcessCapabilityCluster.SERVER_BYTES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What a core's capability service does around the replication: checks before proposing (each
 * refusal one sentence, nothing proposed), ids, memory-server allocation, frame bytes, outcomes and
 * their counts. Three cores in one process, every replica equal after each step.
 */
class CapabilityServiceTest
{
    @TempDir
    Path directory;

    private InProcessCapabilityCluster cluster;

    private InProcessCapabilityCluster cluster()
    {
        if (null == cluster)
        {
            cluster = new InProcessCapabilityCluster(3, directory.resolve("host-0.memory"));
        }
        return cluster;
    }

    @AfterEach
    void close()
    {
        if (null != cluster)
        {
            cluster.close();
        }
    }

    private long allocate(final int core, final long bytes)
    {
        final CapabilityResult result = cluster().run(callback -> cluster().core(core).allocate(bytes, callback));
        assertThat(result.outcome()).as(String.valueOf(result.message())).isEqualTo(Outcome.COMMITTED);
        return result.capIds().get(0);
    }

    private List<Long> retype(final int core, final long capId, final CapabilityType type, final long offset,
        final long size, final int count)
    {
        final CapabilityResult result = cluster().run(callback ->
            cluster().core(core).retype(capId, type, offset, size, count, callback));
        assertThat(result.outcome()).as(String.valueOf(result.message())).isEqualTo(Outcome.COMMITTED);
        return result.capIds();
    }

    private CapabilityResult refused(final java.util.function.Consumer<CapabilityService.Callback> request)
    {
        final int before = cluster().queued();
        final String fingerprint = cluster().fingerprint();
        final CapabilityResult[] result = new CapabilityResult[1];
        request.accept(answer -> result[0] = answer);
        assertThat(result[0]).as("answered at once").isNotNull();
        assertThat(cluster().queued()).as("nothing proposed").isEqualTo(before);
        assertThat(cluster().fingerprint()).isEqualTo(fingerprint);
        assertThat(result[0].message()).doesNotContain("\n").endsWith(result[0].message().trim());
        return result[0];
    }

    @Test
    void allocateHandsOutZeroedRamFromTheCoresOwnRangeWithIdsOfThatCore()
    {
        final CapabilityService core1 = cluster().core(1);
        final UnsafeBuffer junk = new UnsafeBuffer("left over".getBytes(StandardCharsets.UTF_8));
        cluster().memory.store(InProcessCapabilityCluster.range(1).base(), junk, 0, junk.capacity());

        final long ram = allocate(1, 4 * PAGE);

        final Capability capability = core1.database().capability(ram);
        final KernelObject object = core1.database().object(capability.objectId());
        assertThat(ram >>> CapabilityService.ID_SEQUENCE_BITS).isEqualTo(2);
        assertThat(object.objectId() >>> CapabilityService.ID_SEQUENCE_BITS).isEqualTo(2);
        assertThat(object.base()).isEqualTo(InProcessCapabilityCluster.range(1).base());
        assertThat(object.type()).isEqualTo(CapabilityType.RAM);
        assertThat(capability.holderCore()).isEqualTo(1);
        assertThat(capability.rights()).isEqualTo(Rights.ALL);
        assertThat(cluster().memory.loadWord(object.base())).isZero();
        assertThat(core1.database().allocatedBytes(1)).isEqualTo(4 * PAGE);
        cluster().fingerprint();
    }

    @Test
    void allocationsInFlightAtOnceGetDisjointRuns()
    {
        final CapabilityService core0 = cluster().core(0);
        final List<CapabilityResult> results = new ArrayList<>();
        core0.allocate(2 * PAGE, results::add);
        core0.allocate(3 * PAGE, results::add);
        core0.allocate(PAGE, results::add);
        assertThat(results).isEmpty();
        cluster().deliver();

        assertThat(results).extracting(CapabilityResult::outcome).containsOnly(Outcome.COMMITTED);
        final List<Long> bases = new ArrayList<>();
        for (final CapabilityResult result : results)
        {
            bases.add(core0.database().object(core0.database().capability(result.capIds().get(0)).objectId()).base());
        }
        final long base = InProcessCapabilityCluster.range(0).base();
        assertThat(bases).containsExactly(base, base + 2 * PAGE, base + 5 * PAGE);
        assertThat(CapabilityInvariants.violations(core0.database())).isEmpty();
    }

    @Test
    void allocationRefusalsSayWhyAndProposeNothing()
    {
        final CapabilityService core0 = cluster().core(0);
        assertThat(refused(callback -> core0.allocate(100, callback)).outcome()).isEqualTo(Outcome.INVALID);
        assertThat(refused(callback -> core0.allocate(0, callback)).message()).contains("positive multiple");

        allocate(0, SERVER_BYTES - PAGE);
        final CapabilityResult full = refused(callback -> core0.allocate(2 * PAGE, callback));
        assertThat(full.outcome()).isEqualTo(Outcome.CONFLICT);
        assertThat(full.message()).contains("no free run of 8192 bytes").contains("4096 bytes free");
    }

    @Test
    void deletingTheLastCopyReturnsTheMemoryForTheNextAllocation()
    {
        final long ram = allocate(0, SERVER_BYTES);
        assertThat(cluster().core(0).database().freeBytes(0)).isZero();

        final CapabilityResult deleted = cluster().run(callback -> cluster().core(0).delete(ram, callback));

        assertThat(deleted.outcome()).isEqualTo(Outcome.COMMITTED);
        assertThat(cluster().core(2).database().returnedBytes(0)).isEqualTo(SERVER_BYTES);
        assertThat(cluster().core(0).database().freeBytes(0)).isEqualTo(SERVER_BYTES);
        allocate(0, SERVER_BYTES);
    }

    @Test
    void retypeMakesContiguousIdsOnEveryReplicaAndRefusesOverlapAndBadArguments()
    {
        final long ram = allocate(0, 16 * PAGE);
        final List<Long> frames = retype(0, ram, CapabilityType.FRAME, 4 * PAGE, PAGE, 3);

        assertThat(frames).hasSize(3);
        assertThat(frames.get(1)).isEqualTo(frames.get(0) + 1);
        assertThat(frames.get(2)).isEqualTo(frames.get(0) + 2);
        for (final CapabilityService service : cluster().services)
        {
            assertThat(service.database().capability(frames.get(2))).isNotNull();
        }
        cluster().fingerprint();

        final CapabilityService core0 = cluster().core(0);
        final CapabilityResult overlap = refused(callback ->
            core0.retype(ram, CapabilityType.FRAME, 5 * PAGE, PAGE, 1, callback));
        assertThat(overlap.outcome()).isEqualTo(Outcome.CONFLICT);
        assertThat(overlap.message()).endsWith("revoke first");

        final CapabilityResult misaligned = refused(callback ->
            core0.retype(ram, CapabilityType.FRAME, 100, PAGE, 1, callback));
        assertThat(misaligned.outcome()).isEqualTo(Outcome.INVALID);
        assertThat(misaligned.message()).contains("page-aligned");

        final CapabilityResult outside = refused(callback ->
            core0.retype(ram, CapabilityType.FRAME, 12 * PAGE, PAGE, 8, callback));
        assertThat(outside.outcome()).isEqualTo(Outcome.INVALID);
        assertThat(outside.message()).contains("do not fit");

        final CapabilityResult wrongType = refused(callback ->
            core0.retype(frames.get(0), CapabilityType.CNODE, 0, CapabilityType.CNODE_LENGTH_BYTES, 1, callback));
        assertThat(wrongType.outcome()).isEqualTo(Outcome.INVALID);
        assertThat(wrongType.message()).contains("cannot be retyped into a CNODE");

        final CapabilityResult missing = refused(callback -> core0.retype(42, CapabilityType.FRAME, 0, PAGE, 1, callback));
        assertThat(missing.outcome()).isEqualTo(Outcome.NOT_FOUND);
        assertThat(missing.message()).isEqualTo("capability 42 does not exist");
    }

    @Test
    void aCoreActsOnlyForCapabilitiesItHolds()
    {
        final long ram = allocate(0, 4 * PAGE);
        final CapabilityResult elsewhere = refused(callback -> cluster().core(1).revoke(ram, callback));

        assertThat(elsewhere.outcome()).isEqualTo(Outcome.FORBIDDEN);
        assertThat(elsewhere.message()).isEqualTo("capability " + ram + " is held by core 0, not core 1; ask core 0");
    }

    @Test
    void mintShrinksRightsAndAGrantlessCopyStaysOnItsCore()
    {
        final long ram = allocate(0, 4 * PAGE);
        final CapabilityResult minted = cluster().run(callback ->
            cluster().core(0).mint(ram, 1, Rights.READ | Rights.WRITE, callback));
        assertThat(minted.outcome()).isEqualTo(Outcome.COMMITTED);
        final long copy = minted.capIds().get(0);
        assertThat(cluster().core(2).database().capability(copy).rights()).isEqualTo(Rights.READ | Rights.WRITE);
        assertThat(cluster().core(2).database().capability(copy).holderCore()).isEqualTo(1);

        final CapabilityResult regrow = cluster().run(callback -> cluster().core(1).mint(copy, 1, Rights.ALL, callback));
        assertThat(regrow.outcome()).isEqualTo(Outcome.COMMITTED);
        assertThat(cluster().core(1).database().capability(regrow.capIds().get(0)).rights())
            .isEqualTo(Rights.READ | Rights.WRITE);

        final CapabilityResult noGrant = refused(callback -> cluster().core(1).copy(copy, 2, callback));
        assertThat(noGrant.outcome()).isEqualTo(Outcome.FORBIDDEN);
        assertThat(noGrant.message()).contains("lacks the grant right");

        final CapabilityResult notACore = refused(callback -> cluster().core(0).copy(ram, 9, callback));
        assertThat(notACore.outcome()).isEqualTo(Outcome.INVALID);
        assertThat(notACore.message()).isEqualTo("core 9 is not in the cluster map");
        cluster().fingerprint();
    }

    @Test
    void identifyNeedsTheIdentifyRight() throws CapabilityException
    {
        final long ram = allocate(0, 4 * PAGE);
        final CapabilityView view = cluster().core(0).identify(ram);
        assertThat(view.type()).isEqualTo(CapabilityType.RAM);
        assertThat(view.length()).isEqualTo(4 * PAGE);
        assertThat(view.holderCore()).isZero();

        final long readOnly = cluster().run(callback -> cluster().core(0).mint(ram, 0, Rights.READ, callback)).capIds().get(0);
        assertThatThrownBy(() -> cluster().core(0).identify(readOnly))
            .isInstanceOf(CapabilityException.class)
            .hasMessage("capability " + readOnly + " has rights read and lacks identify");
    }

    @Test
    void revokeRemovesCopiesAndDescendantsOnEveryReplicaAndKeepsTheTarget()
    {
        final long ram = allocate(0, 16 * PAGE);
        final List<Long> frames = retype(0, ram, CapabilityType.FRAME, 0, PAGE, 4);
        final long frameCopy = cluster().run(callback -> cluster().core(0).copy(frames.get(0), 1, callback)).capIds().get(0);
        final long ramCopy = cluster().run(callback -> cluster().core(0).copy(ram, 2, callback)).capIds().get(0);

        final CapabilityResult revoked = cluster().run(callback -> cluster().core(2).revoke(ramCopy, callback));

        assertThat(revoked.outcome()).isEqualTo(Outcome.COMMITTED);
        for (final CapabilityService service : cluster().services)
        {
            assertThat(service.database().capabilities().keySet()).containsExactly(ramCopy);
            assertThat(service.database().capability(frameCopy)).isNull();
        }
        cluster().fingerprint();
    }

    @Test
    void frameBytesAreReadAndWrittenWithTheirRightsInsideTheFrame() throws CapabilityException
    {
        final long ram = allocate(0, 16 * PAGE);
        final long frame = retype(0, ram, CapabilityType.FRAME, 2 * PAGE, 2 * PAGE, 1).get(0);
        final CapabilityService core0 = cluster().core(0);
        final byte[] hello = "hello, frame".getBytes(StandardCharsets.UTF_8);

        core0.write(frame, PAGE + 7, new UnsafeBuffer(hello), 0, hello.length);
        final UnsafeBuffer read = new UnsafeBuffer(new byte[hello.length]);
        core0.read(frame, PAGE + 7, hello.length, read, 0);

        assertThat(read.byteArray()).isEqualTo(hello);
        final long physical = core0.database().object(core0.database().capability(frame).objectId()).base() + PAGE + 7;
        final UnsafeBuffer direct = new UnsafeBuffer(new byte[hello.length]);
        cluster().memory.load(physical, direct, 0, hello.length);
        assertThat(direct.byteArray()).as("the host's physical memory holds the bytes").isEqualTo(hello);

        assertThatThrownBy(() -> core0.read(frame, 2 * PAGE - 4, 8, read, 0))
            .isInstanceOf(CapabilityException.class).hasMessageContaining("outside frame");
        assertThatThrownBy(() -> core0.read(frame, Long.MAX_VALUE - 7, 16, read, 0)).as("the end printed exactly")
            .isInstanceOf(CapabilityException.class)
            .hasMessageContaining("bytes 9223372036854775800..9223372036854775816 are outside frame");
        assertThatThrownBy(() -> core0.read(ram, 0, 8, read, 0))
            .isInstanceOf(CapabilityException.class).hasMessageContaining("is a RAM, not a FRAME");
        final long readOnly = cluster().run(callback -> core0.mint(frame, 0, Rights.READ, callback)).capIds().get(0);
        assertThatThrownBy(() -> core0.write(readOnly, 0, new UnsafeBuffer(hello), 0, hello.length))
            .isInstanceOf(CapabilityException.class).hasMessage("capability " + readOnly + " has rights read and lacks write");
        core0.read(readOnly, PAGE + 7, hello.length, read, 0);
        assertThat(read.byteArray()).isEqualTo(hello);
    }

    @Test
    void aNewFrameStartsZeroedWhateverAnEarlierFrameThereHeld() throws CapabilityException
    {
        final long ram = allocate(0, 4 * PAGE);
        final long first = retype(0, ram, CapabilityType.FRAME, 0, PAGE, 1).get(0);
        final byte[] secret = "secret".getBytes(StandardCharsets.UTF_8);
        cluster().core(0).write(first, 8, new UnsafeBuffer(secret), 0, secret.length);
        assertThat(cluster().run(callback -> cluster().core(0).revoke(ram, callback)).outcome()).isEqualTo(Outcome.COMMITTED);

        final long second = retype(0, ram, CapabilityType.FRAME, 0, PAGE, 1).get(0);

        final UnsafeBuffer read = new UnsafeBuffer(new byte[secret.length]);
        cluster().core(0).read(second, 8, secret.length, read, 0);
        assertThat(read.byteArray()).containsOnly(0);
    }

    @Test
    void aFrameLockedByAPreparedTransactionIsNeitherReadNorWritten()
    {
        final long ram = allocate(0, 16 * PAGE);
        final long frame = retype(0, ram, CapabilityType.FRAME, 0, PAGE, 1).get(0);
        final long objectId = cluster().core(0).database().capability(frame).objectId();
        cluster().locked.put(new ReplicatedStates.StateKey(CapabilityService.STATE_ID, CapabilityLock.object(objectId)),
            new TransactionId(2, 5, 9));

        assertThatThrownBy(() -> cluster().core(0).read(frame, 0, 8, new UnsafeBuffer(new byte[8]), 0))
            .isInstanceOf(CapabilityException.class)
            .hasMessage("frame " + frame + " is locked by transaction 2:5:9, which may change or remove it; retry shortly")
            .satisfies(ex -> assertThat(((CapabilityException)ex).result().outcome()).isEqualTo(Outcome.UNAVAILABLE));
    }

    @Test
    void aFrameOnAnotherHostIsNotReadHere() throws CapabilityException
    {
        try (InProcessCapabilityCluster noMemory = new InProcessCapabilityCluster(2, null))
        {
            final CapabilityResult ram = noMemory.run(callback -> noMemory.core(0).allocate(4 * PAGE, callback));
            final long frame = noMemory.run(callback ->
                noMemory.core(0).retype(ram.capIds().get(0), CapabilityType.FRAME, 0, PAGE, 1, callback)).capIds().get(0);

            assertThatThrownBy(() -> noMemory.core(0).read(frame, 0, 8, new UnsafeBuffer(new byte[8]), 0))
                .isInstanceOf(CapabilityException.class)
                .hasMessageContaining("not core 0's host");
        }
    }

    @Test
    void anAbortedTransactionIsReportedWithItsReasonAndCounted()
    {
        final long ram = allocate(0, 16 * PAGE);
        final long ramCopy = cluster().run(callback -> cluster().core(0).copy(ram, 1, callback)).capIds().get(0);
        // Two overlapping retypes of copies, each valid on its core's replica, proposed before either is decided.
        final CapabilityService core1 = cluster().core(1);
        final List<CapabilityResult> raced = new ArrayList<>();
        core1.retype(ramCopy, CapabilityType.FRAME, 8 * PAGE, PAGE, 1, raced::add);
        cluster().core(0).retype(ram, CapabilityType.FRAME, 8 * PAGE, PAGE, 1, raced::add);
        cluster().deliver();
        assertThat(raced).extracting(CapabilityResult::outcome).containsExactly(Outcome.COMMITTED, Outcome.ABORTED);
        assertThat(raced.get(1).message()).contains("voted NO").endsWith("revoke first");
        assertThat(cluster().core(0).metrics().count(CapabilityMetrics.Operation.RETYPE, Outcome.ABORTED)).isEqualTo(1);
        assertThat(core1.metrics().count(CapabilityMetrics.Operation.RETYPE, Outcome.COMMITTED)).isEqualTo(1);
        cluster().fingerprint();
    }

    @Test
    void aProposalTheEngineRefusesIsUnavailableAndLeavesNoPendingMemory()
    {
        cluster().failProposals = true;
        final CapabilityResult refused = refused(callback -> cluster().core(0).allocate(SERVER_BYTES, callback));
        assertThat(refused.outcome()).isEqualTo(Outcome.UNAVAILABLE);
        assertThat(refused.message()).contains("the engine is closed");

        cluster().failProposals = false;
        allocate(0, SERVER_BYTES);
    }

    @Test
    void inFlightOperationsAreBounded()
    {
        final CapabilityService core0 = cluster().core(0);
        final long ram = allocate(0, PAGE);
        final List<CapabilityResult> results = new ArrayList<>();
        for (int i = 0; i < CapabilityService.IN_FLIGHT_MAX; i++)
        {
            core0.copy(ram, i % 3, results::add);
        }
        final CapabilityResult refused = refused(callback -> core0.copy(ram, 1, callback));
        assertThat(refused.outcome()).isEqualTo(Outcome.UNAVAILABLE);
        assertThat(refused.message()).contains("IN_FLIGHT_MAX=" + CapabilityService.IN_FLIGHT_MAX);
        cluster().deliver();
        assertThat(results).hasSize(CapabilityService.IN_FLIGHT_MAX)
            .extracting(CapabilityResult::outcome).containsOnly(Outcome.COMMITTED);
        assertThat(core0.database().copies(core0.database().capability(ram).objectId()))
            .hasSize(CapabilityService.IN_FLIGHT_MAX + 1);
        allocate(0, PAGE);
    }

    @Test
    void idsContinueAboveTheReplicasAfterARestartEvenAboveDeletedOnes()
    {
        allocate(0, PAGE);
        final long deletedCap = allocate(0, PAGE);
        assertThat(cluster().run(callback -> cluster().core(0).delete(deletedCap, callback)).outcome())
            .isEqualTo(Outcome.COMMITTED);
        assertThat(cluster().core(0).database().capability(deletedCap)).isNull();
        final CapabilityDatabase recovered = new CapabilityDatabase(cluster().core(0).database().serverRanges());
        recovered.restore(cluster().core(0).database().snapshot());
        final CapabilityService restarted = new CapabilityService(0, cluster().cores, recovered, null,
            new io.micrometer.core.instrument.simple.SimpleMeterRegistry(), new org.agrona.concurrent.SystemNanoClock());
        restarted.register(new ReplicatedStates());
        final List<CapabilityResult> results = new ArrayList<>();
        restarted.attach(new CapabilityService.Proposer()
        {
            public String proposalRefusal()
            {
                return null;
            }

            public TransactionId lockHolder(final Object key)
            {
                return null;
            }

            public TransactionId propose(final io.multikernel.replication.ParticipantSet replicas,
                final List<ReplicatedStates.StateOperation> operations, final io.multikernel.replication.OutcomeListener listener)
            {
                final CapabilityOperation.Allocate allocate = (CapabilityOperation.Allocate)operations.get(0).operation();
                assertThat(recovered.validate(allocate)).isNull();
                assertThat(allocate.objectId()).as("a deleted capability's id is never handed out again")
                    .isGreaterThan(deletedCap);
                assertThat(allocate.capId()).isGreaterThan(allocate.objectId());
                return new TransactionId(0, 2, 1);
            }
        });
        restarted.allocate(PAGE, results::add);
        assertThat(results).isEmpty();
    }

    @Test
    void refusalsOfTheDatabaseAreClassified()
    {
        assertThat(CapabilityService.classify("the range overlaps live descendant object 5 (FRAME at offset 0): revoke first"))
            .isEqualTo(Outcome.CONFLICT);
        assertThat(CapabilityService.classify("capability id 7 is already in use")).isEqualTo(Outcome.CONFLICT);
        assertThat(CapabilityService.classify("capability 7 does not exist")).isEqualTo(Outcome.NOT_FOUND);
        assertThat(CapabilityService.classify("capability 7 lacks the grant right needed to copy it to core 1"))
            .isEqualTo(Outcome.FORBIDDEN);
        assertThat(CapabilityService.classify("a CNODE is exactly 16384 bytes, not 4096")).isEqualTo(Outcome.INVALID);
    }
}
