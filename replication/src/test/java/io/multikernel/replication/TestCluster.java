package io.multikernel.replication;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Predicate;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.multikernel.replication.kv.KeyValueOperation;
import io.multikernel.replication.kv.KeyValueStateMachine;
import io.multikernel.replication.protocol.MessageBatch;
import io.multikernel.replication.protocol.TwoPhaseBatchCodec;
import io.multikernel.replication.protocol.TwoPhaseMessage;
import io.multikernel.replication.wal.MemoryStorage;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.CachedNanoClock;

/**
 * Engines on a manual network for unit tests: messages wait in one FIFO list until the test
 * delivers them (through the SBE codec); the clock moves only when the test says so.
 */
final class TestCluster implements AutoCloseable
{
    static final long PREPARE_TIMEOUT_NS = 10_000_000;

    final CachedNanoClock clock = new CachedNanoClock();
    final MemoryStorage[] disks;
    final KeyValueStateMachine[] replicas;
    final SimpleMeterRegistry[] registries;
    final List<ReplicationEngine<KeyValueOperation>> engines = new ArrayList<>();
    final List<MessageBatch> inFlight = new ArrayList<>();
    final List<MessageBatch> sent = new ArrayList<>();
    private final CoreNetwork[] networks;
    /** For each batch in {@link #sent}: how many times its sender's disk had been forced when it left. */
    private final List<Long> sourceForcesAtSend = new ArrayList<>();
    private final Consumer<ReplicationContext<KeyValueOperation>> customiser;
    private final TwoPhaseBatchCodec codec = new TwoPhaseBatchCodec();
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer();
    private Predicate<MessageBatch> dropping = (batch) -> false;
    private Predicate<MessageBatch> holding = (batch) -> false;
    private Consumer<MessageBatch> transmitObserver = (batch) -> { };

    TestCluster(final int cores)
    {
        this(cores, (context) -> { });
    }

    TestCluster(final int cores, final Consumer<ReplicationContext<KeyValueOperation>> customiser)
    {
        this.customiser = customiser;
        disks = new MemoryStorage[cores];
        replicas = new KeyValueStateMachine[cores];
        registries = new SimpleMeterRegistry[cores];
        networks = new CoreNetwork[cores];
        clock.update(1_000_000_000L);
        for (int i = 0; i < cores; i++)
        {
            disks[i] = new MemoryStorage("core-" + i);
            engines.add(null);
            start(i);
        }
    }

    ReplicationEngine<KeyValueOperation> engine(final int coreId)
    {
        return engines.get(coreId);
    }

    void start(final int coreId)
    {
        replicas[coreId] = new KeyValueStateMachine();
        registries[coreId] = new SimpleMeterRegistry();
        networks[coreId] = new CoreNetwork();
        final ReplicationContext<KeyValueOperation> context = new ReplicationContext<KeyValueOperation>()
            .coreId(coreId)
            .stateMachine(replicas[coreId])
            .network(networks[coreId])
            .storage(disks[coreId])
            .nanoClock(clock)
            .random(new Random(coreId))
            .meterRegistry(registries[coreId])
            .prepareTimeoutNs(PREPARE_TIMEOUT_NS)
            .commitResendIntervalNs(PREPARE_TIMEOUT_NS / 2)
            // Acks go out in the duty cycle they are durable in: settle() means every ack is in.
            .ackDelayMaxNs(0)
            .decisionQueryDelayNs(2 * PREPARE_TIMEOUT_NS)
            .decisionQueryIntervalNs(PREPARE_TIMEOUT_NS / 2)
            .cooperativeTerminationDelayNs(2 * PREPARE_TIMEOUT_NS)
            .maxOperationsLengthBytes(4096)
            .walRecordLengthMaxBytes(16 * 1024)
            .walSegmentLengthBytes(64 * 1024)
            .walWriteBufferLengthBytes(64 * 1024);
        customiser.accept(context);
        try
        {
            engines.set(coreId, ReplicationEngine.launch(context));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Kills a core as kill -9 would (or a power cut): the engine is dropped without closing, the
     * disk keeps what the crash mode says, and everything in flight to or from it is lost.
     */
    void crash(final int coreId, final MemoryStorage.CrashMode mode)
    {
        engines.set(coreId, null);
        networks[coreId].accepted.clear();
        disks[coreId].crash(mode, new Random(42));
        inFlight.removeIf((batch) -> batch.destinationCoreId() == coreId || batch.sourceCoreId() == coreId);
    }

    boolean isUp(final int coreId)
    {
        return null != engines.get(coreId);
    }

    /** Messages matching are lost when sent. */
    void drop(final Predicate<MessageBatch> predicate)
    {
        dropping = predicate;
    }

    /** Messages matching stay in flight until {@link #release()}. */
    void hold(final Predicate<MessageBatch> predicate)
    {
        holding = predicate;
    }

    void release()
    {
        holding = (batch) -> false;
    }

    /**
     * @param matching which messages count.
     * @return for each sent batch holding a matching message, in sending order: how many times its
     *         sender's disk had been forced when it left.
     */
    List<Long> sourceForcesWhenSent(final Predicate<TwoPhaseMessage> matching)
    {
        final List<Long> forces = new ArrayList<>();
        for (int i = 0; i < sent.size(); i++)
        {
            if (sent.get(i).messages().stream().anyMatch(matching))
            {
                forces.add(sourceForcesAtSend.get(i));
            }
        }
        return forces;
    }

    /**
     * A core's network as URPC behaves: accepted batches wait in the sender until a flush (the
     * engine's own, or the kernel loop's at the end of each duty cycle, which {@link #doWork()} models).
     */
    private final class CoreNetwork implements Network
    {
        private final List<MessageBatch> accepted = new ArrayList<>();

        @Override
        public boolean send(final MessageBatch batch)
        {
            accepted.add(batch);
            return true;
        }

        @Override
        public void flush()
        {
            for (final MessageBatch batch : accepted)
            {
                transmit(batch);
            }
            accepted.clear();
        }
    }

    /** {@code observer} sees each batch as it leaves its sender, before it is in flight. */
    void onTransmit(final Consumer<MessageBatch> observer)
    {
        transmitObserver = observer;
    }

    private void transmit(final MessageBatch batch)
    {
        transmitObserver.accept(batch);
        sent.add(batch);
        sourceForcesAtSend.add(disks[batch.sourceCoreId()].forceCount());
        if (!dropping.test(batch))
        {
            final int length = codec.encode(batch, buffer, 0);
            try
            {
                inFlight.add(codec.decode(buffer, 0, length));
            }
            catch (final io.multikernel.replication.protocol.MalformedMessageException ex)
            {
                throw new IllegalStateException(ex);
            }
        }
    }

    TransactionId propose(final int coordinator, final OutcomeListener listener, final int[] participants,
        final KeyValueOperation... operations)
    {
        return engine(coordinator).propose(ParticipantSet.of(participants), List.of(operations), listener);
    }

    /**
     * Delivers everything in flight that is not held, to cores that are up.
     *
     * @return batches delivered.
     */
    int deliver()
    {
        int delivered = 0;
        final List<MessageBatch> due = new ArrayList<>();
        final Iterator<MessageBatch> it = inFlight.iterator();
        while (it.hasNext())
        {
            final MessageBatch batch = it.next();
            if (!holding.test(batch))
            {
                due.add(batch);
                it.remove();
            }
        }
        for (final MessageBatch batch : due)
        {
            final ReplicationEngine<KeyValueOperation> engine = engines.get(batch.destinationCoreId());
            if (null != engine)
            {
                engine.onMessage(batch);
                delivered++;
            }
        }
        return delivered;
    }

    int doWork()
    {
        int work = 0;
        for (int coreId = 0; coreId < engines.size(); coreId++)
        {
            final ReplicationEngine<KeyValueOperation> engine = engines.get(coreId);
            if (null != engine)
            {
                work += engine.doWork(clock.nanoTime());
                networks[coreId].flush();
            }
        }
        return work;
    }

    /**
     * Runs duty cycles and deliveries without moving the clock until nothing happens.
     */
    void settle()
    {
        for (int i = 0; i < 1000; i++)
        {
            final int work = doWork() + deliver();
            if (work == 0)
            {
                return;
            }
        }
        throw new IllegalStateException("the cluster did not settle");
    }

    /**
     * Moves the clock in steps of 1 ms, settling after each.
     */
    void advance(final long nanos)
    {
        for (long elapsed = 0; elapsed < nanos; elapsed += 1_000_000)
        {
            clock.advance(Math.min(1_000_000, nanos - elapsed));
            settle();
        }
    }

    @Override
    public void close()
    {
        for (final ReplicationEngine<KeyValueOperation> engine : engines)
        {
            if (null != engine)
            {
                engine.close();
            }
        }
    }
}
