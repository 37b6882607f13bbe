package io.multikernel.node.replication;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.multikernel.common.PeerIncarnations;
import io.multikernel.common.RateLimitedErrorLog;
import io.multikernel.node.membership.Membership;
import io.multikernel.node.membership.MembershipSender;
import io.multikernel.node.membership.PeerState;
import io.multikernel.replication.ErrorKind;
import io.multikernel.replication.Network;
import io.multikernel.replication.ParticipantSet;
import io.multikernel.replication.ReplicationContext;
import io.multikernel.replication.ReplicationEngine;
import io.multikernel.replication.kv.KeyValueOperation;
import io.multikernel.replication.kv.KeyValueStateMachine;
import io.multikernel.replication.protocol.MessageBatch;
import io.multikernel.replication.protocol.Query;
import io.multikernel.replication.protocol.TwoPhaseBatchCodec;
import io.multikernel.replication.wal.MemoryStorage;
import io.multikernel.schema.EnvelopeEncoder;
import io.multikernel.schema.HeartbeatDecoder;
import io.multikernel.schema.HeartbeatEncoder;
import io.multikernel.schema.MessageHeaderEncoder;
import io.multikernel.transport.InboxAdapter;
import io.multikernel.transport.MessageDispatcher;
import io.multikernel.transport.RejectReason;
import io.multikernel.transport.SendOutcome;
import io.multikernel.transport.UrpcMetrics;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static io.multikernel.replication.kv.KeyValueOperation.put;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * One core's inbox, membership and 2PC engine wired as the kernel loop wires them, around the one
 * table that decides which incarnation of a peer is current: what the inbox sees is what the
 * membership and the engine see, and neither keeps a verdict of its own.
 */
class PeerIncarnationOwnerTest
{
    private static final int SELF = 0;
    private static final int PEER = 1;
    private static final long FIRST = 1_000;
    private static final long RESTARTED = 2_000;
    private static final int MESSAGE_LENGTH_MAX = 64 * 1024;

    private final CachedNanoClock clock = new CachedNanoClock();
    private final Membership membership = new Membership(new Membership.Context()
        .selfCoreId(SELF)
        .peerCoreIds(PEER)
        .sender(new NothingSent()));
    private final PeerIncarnations incarnations = membership.incarnations();
    private final UrpcMetrics metrics = new UrpcMetrics(new SimpleMeterRegistry());
    private final MessageDispatcher dispatcher = new MessageDispatcher(metrics);
    private final InboxAdapter inbox = new InboxAdapter(SELF, MESSAGE_LENGTH_MAX, dispatcher, incarnations, metrics,
        new RateLimitedErrorLog(LoggerFactory.getLogger(PeerIncarnationOwnerTest.class), clock, 1_000_000_000L));
    private final List<MessageBatch> sentBySelf = new ArrayList<>();
    private final List<MessageBatch> sentByPeer = new ArrayList<>();
    private final ExpandableArrayBuffer frame = new ExpandableArrayBuffer(4096);
    private final TwoPhaseBatchCodec codec = new TwoPhaseBatchCodec();
    private final ReplicationEngine<KeyValueOperation> engine;
    private final ReplicationEngine<KeyValueOperation> coordinator;

    PeerIncarnationOwnerTest() throws IOException
    {
        clock.update(1_000_000_000L);
        // As the kernel loop does: URPC's onNewIncarnation goes to membership, every valid frame is heard.
        incarnations.addListener((coreId, oldIncarnation, newIncarnation) ->
            membership.onNewIncarnation(coreId, oldIncarnation, newIncarnation, clock.nanoTime()));
        dispatcher.register(HeartbeatDecoder.TEMPLATE_ID, "heartbeat", HeartbeatDecoder.BLOCK_LENGTH,
            (buffer, blockOffset, blockLength, version, frameEnd) ->
            {
                membership.onHeard(PEER, incarnations.incarnation(PEER), clock.nanoTime());
                return blockOffset + blockLength;
            });
        engine = ReplicationEngine.launch(context(SELF, 1, new Network()
        {
            public boolean send(final MessageBatch batch)
            {
                return sentBySelf.add(batch);
            }

            public PeerIncarnations incarnations()
            {
                return incarnations;
            }
        }));
        dispatcher.register("two_phase_batch", new TwoPhaseBatchHandler(engine));
        coordinator = ReplicationEngine.launch(context(PEER, FIRST, sentByPeer::add));
    }

    private ReplicationContext<KeyValueOperation> context(final int coreId, final long incarnation, final Network network)
    {
        return new ReplicationContext<KeyValueOperation>()
            .coreId(coreId)
            .incarnation(incarnation)
            .stateMachine(new KeyValueStateMachine())
            .network(network)
            .storage(new MemoryStorage("core-" + coreId))
            .nanoClock(clock)
            .meterRegistry(new SimpleMeterRegistry());
    }

    @AfterEach
    void close()
    {
        engine.close();
        coordinator.close();
    }

    @Test
    void aNewerIncarnationSeenByTheInboxIsWhatMembershipAndReplicationSee()
    {
        deliver(heartbeat(FIRST));
        coordinator.propose(ParticipantSet.of(SELF, PEER), List.of(put("x", "1")), (id, outcome) -> { });
        coordinator.doWork();
        deliver(twoPhaseBatch(sentByPeer.get(0)));
        engine.doWork();
        engine.doWork();
        sentBySelf.clear();
        engine.doWork();
        assertThat(engine.inDoubtCount()).as("voted yes, decision unknown").isEqualTo(1);
        assertThat(sentBySelf).as("no query before the decision query delay").isEmpty();

        deliver(heartbeat(RESTARTED));

        assertThat(incarnations.incarnation(PEER)).isEqualTo(RESTARTED);
        assertThat(membership.incarnation(PEER)).isEqualTo(RESTARTED);
        assertThat(membership.snapshot(clock.nanoTime()).peer(PEER).restarts()).isEqualTo(1);
        assertThat(membership.state(PEER)).isEqualTo(PeerState.UP);
        engine.doWork();
        assertThat(sentBySelf).as("the engine heard of the restart from a heartbeat and asks the new coordinator at once")
            .singleElement().satisfies(batch -> assertThat(batch.messages()).singleElement().isInstanceOf(Query.class));

        final MessageBatch fromTheOldIncarnation = sentByPeer.get(0);
        deliver(twoPhaseBatch(fromTheOldIncarnation));
        assertThat(metrics.rejectedCount(RejectReason.STALE_INCARNATION)).isEqualTo(1);
        engine.onMessage(fromTheOldIncarnation);
        assertThat(engine.errorCount(ErrorKind.STALE_INCARNATION))
            .as("stale for the engine too, which never received a batch of the new incarnation").isEqualTo(1);
        assertThat(membership.snapshot(clock.nanoTime()).peer(PEER).restarts()).isEqualTo(1);
    }

    private void deliver(final int length)
    {
        inbox.onFragment(frame, 0, length, null);
    }

    private int heartbeat(final long incarnation)
    {
        final HeartbeatEncoder encoder = new HeartbeatEncoder().wrapAndApplyHeader(frame, 0, new MessageHeaderEncoder());
        new EnvelopeEncoder().wrap(frame, MessageHeaderEncoder.ENCODED_LENGTH)
            .sourceCoreId(PEER).destinationCoreId(SELF).sourceIncarnation(incarnation).correlationId(0);
        encoder.timestampNs(clock.nanoTime());
        return encoder.encodedLength() + MessageHeaderEncoder.ENCODED_LENGTH;
    }

    private int twoPhaseBatch(final MessageBatch batch)
    {
        return codec.encode(batch, frame, 0);
    }

    private static final class NothingSent implements MembershipSender
    {
        public SendOutcome sendHello(final int coreId, final boolean reply, final long nowNs)
        {
            return SendOutcome.SENT;
        }

        public SendOutcome sendHeartbeat(final int coreId, final long nowNs)
        {
            return SendOutcome.SENT;
        }

        public SendOutcome sendGoodbye(final int coreId)
        {
            return SendOutcome.SENT;
        }
    }
}
