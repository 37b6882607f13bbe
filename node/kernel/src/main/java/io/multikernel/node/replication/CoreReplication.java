package io.multikernel.node.replication;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.micrometer.core.instrument.MeterRegistry;
import io.multikernel.node.service.ServiceJson;
import io.multikernel.replication.InDoubtTransaction;
import io.multikernel.replication.OperatorDecision;
import io.multikernel.replication.OutcomeListener;
import io.multikernel.replication.ParticipantSet;
import io.multikernel.replication.ReplicationConfiguration;
import io.multikernel.replication.ReplicationContext;
import io.multikernel.replication.ReplicationEngine;
import io.multikernel.replication.ReplicationObserver;
import io.multikernel.replication.ReplicatedStates;
import io.multikernel.replication.TransactionId;
import io.multikernel.replication.kv.KeyValueOperation;
import io.multikernel.replication.kv.KeyValueStateMachine;
import io.multikernel.replication.wal.FsyncPolicy;
import io.multikernel.transport.UrpcEndpoint;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.NanoClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The core's replication, owned by its kernel loop: one {@link ReplicationEngine} over a replicated
 * key-value store ({@link KeyValueStateMachine}), talking to peers over URPC ({@link UrpcNetwork},
 * {@link TwoPhaseBatchHandler}), with its write-ahead log in the core's data directory. The kernel
 * loop calls {@link #doWork(long)} every duty cycle and {@link #afterFlush()} after URPC flushed;
 * kernel-side callers use {@link #propose}; other threads go through the {@link ReplicationProxy}.
 * <p>
 * The engine's incarnation is the core's URPC incarnation, so the envelope of every 2PC batch and
 * the transaction ids it coordinates carry the same number. Not thread safe: kernel loop only.
 */
public final class CoreReplication implements AutoCloseable
{
    /** KEY_VALUE_STATE_ID: the key-value store and the names in it, in the engine's replicated states. */
    public static final int KEY_VALUE_STATE_ID = 0;

    private static final Logger LOGGER = LoggerFactory.getLogger(CoreReplication.class);

    private final int coreId;
    private final int[] clusterCoreIds;
    private final Path dataDirectory;
    private final FsyncPolicy fsyncPolicy;
    private final ReplicationProxy proxy;
    private final ChaosFreeze chaos;
    private final KeyValueStateMachine replica = new KeyValueStateMachine();
    private final ReplicatedStates states;
    private final ReplicatedStates.State<KeyValueOperation> keyValueState;
    private final UrpcNetwork network;
    private final ReplicationEngine<ReplicatedStates.StateOperation> engine;
    private final TwoPhaseBatchHandler inbound;
    private final NanoClock nanoClock;
    private final EpochClock epochClock;
    private final int operationsLengthMaxBytes;
    /** A peer's state as this core's membership sees it (up, suspect, down, left, unknown); kernel loop. */
    private java.util.function.IntFunction<String> peerStates = peer -> "unknown";
    private IntSupplier proposalSource = () -> 0;

    /**
     * Recovers from the data directory and registers the inbound path with the endpoint's dispatcher.
     *
     * @param coreId         this core.
     * @param states         the replicated states other services registered (not
     *                       {@link #KEY_VALUE_STATE_ID}, which this registers); the engine serves them all.
     * @param clusterCoreIds every core of the cluster map (replica sets must name only these).
     * @param incarnation    the core's URPC incarnation; must be newer than any in the log.
     * @param dataDirectory  stable across restarts of this core id; created when missing.
     * @param fsyncPolicy    what a durable record promises.
     * @param chaosPoint     chaos freeze hook; {@link ChaosFreeze.Point#NONE} in normal operation.
     * @param endpoint       the core's URPC endpoint.
     * @param proxy          queue of commands from other threads.
     * @param registry       the core's registry ({@code mk_2pc_*}, {@code mk_wal_*}).
     * @param nanoClock      the core's injected clock.
     * @param epochClock     for wall-clock times in the admin API.
     * @throws UncheckedIOException naming the directory when the log cannot be opened or recovered.
     */
    public CoreReplication(
        final int coreId,
        final ReplicatedStates states,
        final int[] clusterCoreIds,
        final long incarnation,
        final Path dataDirectory,
        final FsyncPolicy fsyncPolicy,
        final ChaosFreeze.Point chaosPoint,
        final UrpcEndpoint endpoint,
        final ReplicationProxy proxy,
        final MeterRegistry registry,
        final NanoClock nanoClock,
        final EpochClock epochClock)
    {
        this.coreId = coreId;
        this.states = states;
        this.keyValueState = states.register(KEY_VALUE_STATE_ID, "kv", replica, KeyValueOperation.class);
        this.clusterCoreIds = clusterCoreIds.clone();
        this.dataDirectory = dataDirectory;
        this.fsyncPolicy = fsyncPolicy;
        this.proxy = proxy;
        this.nanoClock = nanoClock;
        this.epochClock = epochClock;
        this.chaos = new ChaosFreeze(chaosPoint, coreId);
        final int messageLengthMax = endpoint.publisher().messageLengthMax();
        this.network = new UrpcNetwork(endpoint.publisher(), endpoint.incarnations(), chaos, registry, messageLengthMax);
        this.operationsLengthMaxBytes = Math.min(ReplicationConfiguration.maxOperationsLengthBytes(), messageLengthMax / 2);
        try
        {
            DataFormat.claim(dataDirectory);
            engine = ReplicationEngine.launch(new ReplicationContext<ReplicatedStates.StateOperation>()
                .coreId(coreId)
                .incarnation(incarnation)
                .stateMachine(states)
                .network(network)
                .dataDirectory(dataDirectory)
                .fsyncPolicy(fsyncPolicy)
                .maxBatchLengthBytes(messageLengthMax)
                .maxOperationsLengthBytes(operationsLengthMaxBytes)
                .nanoClock(nanoClock)
                .meterRegistry(registry)
                .peerUnavailable(this::unavailable)
                .observer(new ReplicationObserver()
                {
                    public void onCoordinatorDecision(final TransactionId id, final boolean commit, final boolean recovered)
                    {
                        chaos.onCoordinatorDecision(id, commit, recovered);
                    }
                }));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("core " + coreId + " cannot recover its replication log in " + dataDirectory +
                ": " + ex.getMessage(), ex);
        }
        this.inbound = new TwoPhaseBatchHandler(engine);
        endpoint.dispatcher().register("two_phase_batch", inbound);
        if (ChaosFreeze.Point.NONE != chaosPoint)
        {
            LOGGER.warn("core {}: chaos hook {}={} is armed: the kernel loop freezes at that point of the first " +
                "transaction it coordinates", coreId, CoreReplicationConfiguration.CHAOS_FREEZE_PROP, chaosPoint.text());
        }
        if (io.multikernel.replication.ReplicationConfiguration.plantedApplyAtPrepare())
        {
            LOGGER.warn("core {}: PLANTED BUG {}={}: this core applies transactions when it prepares them, so aborted " +
                "ones stay on its replica; for testing chaos tools only", coreId,
                io.multikernel.replication.ReplicationConfiguration.PLANTED_BUG_PROP_NAME,
                io.multikernel.replication.ReplicationConfiguration.PLANTED_BUG_APPLY_AT_PREPARE);
        }
        LOGGER.info("core {} replication: data={} fsync={} incarnation={} in-doubt={}", coreId, dataDirectory,
            fsyncPolicy.name().toLowerCase(java.util.Locale.ROOT), engine.incarnation(), engine.inDoubtCount());
    }

    /**
     * One duty cycle: proposals collected by kernel-side sources (LRPC puts of this cycle's drain),
     * queued commands (bounded), then the engine (timers, group commit, outcomes, sends).
     *
     * @return work done; 0 when idle or frozen.
     */
    public int doWork(final long nowNs)
    {
        if (chaos.isFrozen())
        {
            return 0;
        }
        int work = proposalSource.getAsInt();
        work += proxy.drain(this, CoreReplicationConfiguration.COMMANDS_PER_DUTY_CYCLE_MAX);
        return work + engine.doWork(nowNs);
    }

    /**
     * Sets what proposes the transactions a kernel-side source collected since the last duty cycle;
     * the kernel loop calls {@link #doWork(long)} right after its LRPC drain, so this runs then.
     *
     * @param source proposes and returns how many transactions it proposed.
     */
    public void proposalSource(final IntSupplier source)
    {
        this.proposalSource = source;
    }

    /**
     * @param queuedTransactions transactions a caller will propose before the one asked about.
     * @return why that proposal would be refused at once (engine closed or failed, or
     *         MAX_IN_FLIGHT_TRANSACTIONS reached counting the queued ones), or null when it would be started.
     */
    public String proposalRefusal(final int queuedTransactions)
    {
        final String refusal = engine.proposalRefusal();
        if (null != refusal)
        {
            return refusal;
        }
        final int maxInFlight = engine.maxInFlightTransactions();
        if (engine.inFlightTransactions() + queuedTransactions >= maxInFlight)
        {
            return "core " + coreId + " already coordinates or has queued MAX_IN_FLIGHT_TRANSACTIONS=" + maxInFlight +
                " transactions; retry later";
        }
        return null;
    }

    /**
     * @return the most bytes the encoded operations of one transaction may take.
     */
    public int operationsLengthMaxBytes()
    {
        return operationsLengthMaxBytes;
    }

    /** OPERATION_COUNT_FIELD_BYTES, OPERATION_LENGTH_FIELD_BYTES: what a transaction's operation list adds to its operations. */
    static final int OPERATION_COUNT_FIELD_BYTES = 4;
    static final int OPERATION_LENGTH_FIELD_BYTES = 4;

    /**
     * The check the coordinator makes on the encoded operations, made before a proposal and said in what
     * a user wrote: the bytes of keys and values, and how many of them fit.
     *
     * @param operations key-value operations of one transaction.
     * @return why they do not fit one transaction; null when they do.
     */
    public String tooLongForOneTransaction(final List<KeyValueOperation> operations)
    {
        return tooLongForOneTransaction(operations, this::encodedLength, operationsLengthMaxBytes);
    }

    /**
     * @param operations              key-value operations of one transaction.
     * @param encodedLength           the bytes an operation takes in a transaction.
     * @param operationsLengthMaxBytes the most one transaction's operations may take.
     * @return why they do not fit; null when they do.
     */
    static String tooLongForOneTransaction(final List<KeyValueOperation> operations,
        final java.util.function.ToIntFunction<KeyValueOperation> encodedLength, final int operationsLengthMaxBytes)
    {
        long encoded = OPERATION_COUNT_FIELD_BYTES;
        long written = 0;
        for (final KeyValueOperation operation : operations)
        {
            encoded += OPERATION_LENGTH_FIELD_BYTES + encodedLength.applyAsInt(operation);
            written += KeyValueStateMachine.utf8Length(operation.key()) +
                KeyValueStateMachine.utf8Length(operation.expected()) + KeyValueStateMachine.utf8Length(operation.value());
        }
        if (encoded <= operationsLengthMaxBytes)
        {
            return null;
        }
        final long encoding = encoded - written;
        if (encoding >= operationsLengthMaxBytes)
        {
            return "the encoding of " + operations.size() + " operations alone takes " + encoding + " bytes, more " +
                "than the " + operationsLengthMaxBytes + " one transaction may carry (" +
                ReplicationConfiguration.MAX_OPERATIONS_LENGTH_PROP_NAME + "): write fewer at once; nothing changed";
        }
        return "the keys and values take " + written + " bytes, more than the " + (operationsLengthMaxBytes - encoding) +
            " that fit one transaction of " + operations.size() + (1 == operations.size() ? " operation" : " operations") +
            " (" + operationsLengthMaxBytes + " bytes with " + encoding + " of encoding; " +
            ReplicationConfiguration.MAX_OPERATIONS_LENGTH_PROP_NAME + ", at most half a URPC message: a longer " +
            "mk.urpc.term.length allows more); nothing changed";
    }

    /**
     * Called by the kernel loop after URPC flushed this duty cycle's sends.
     *
     * @return true when the chaos hook froze the loop just now; the loop must then stop doing work.
     */
    public boolean afterFlush()
    {
        if (chaos.freezeIfTriggered())
        {
            LOGGER.warn("core {} FROZEN: {}; kill it to continue the test", coreId, chaos.frozenReason());
            return true;
        }
        return false;
    }

    /**
     * @return why a replica cannot vote now, as this core's membership sees it (down: silent past the
     *         down timeout; left: it said goodbye), or null: a proposal to it is aborted at once rather
     *         than after the prepare timeout.
     */
    private String unavailable(final int peer)
    {
        final String state = peerStates.apply(peer);
        if (io.multikernel.node.membership.PeerState.DOWN.metricTag().equals(state))
        {
            return "replica core " + peer + " is down as core " + coreId + " sees it";
        }
        return io.multikernel.node.membership.PeerState.LEFT.metricTag().equals(state) ?
            "replica core " + peer + " has left the cluster" : null;
    }

    /**
     * @return null, or why this core's replicas lack transactions the cluster committed: a peer knows of
     *         one its write-ahead log lost ({@link ReplicationEngine#divergence()}).
     */
    public String divergence()
    {
        return engine.divergence();
    }

    /**
     * @return true when the chaos hook froze the kernel loop.
     */
    public boolean isFrozen()
    {
        return chaos.isFrozen();
    }

    public ChaosFreeze chaos()
    {
        return chaos;
    }

    /**
     * Proposes a replicated transaction with this core as coordinator. For kernel-side callers (the
     * admin proxy, LRPC): kernel loop only. The outcome reaches {@code listener} once, from a later
     * {@link #doWork(long)}: committed (durable here; every replica applies it), aborted with a reason
     * (nothing changed), or indefinite (it may have committed).
     *
     * @param replicas   the cores holding the replica; must be cores of the cluster map.
     * @param operations applied atomically on every replica.
     * @param listener   told the outcome.
     * @return the transaction id.
     * @throws IllegalArgumentException naming a replica that is not in the cluster map.
     */
    public TransactionId propose(
        final ParticipantSet replicas, final List<KeyValueOperation> operations, final OutcomeListener listener)
    {
        final List<ReplicatedStates.StateOperation> tagged = new java.util.ArrayList<>(operations.size());
        for (final KeyValueOperation operation : operations)
        {
            tagged.add(keyValueState.operation(operation));
        }
        return proposeStates(replicas, tagged, listener);
    }

    /**
     * Proposes a transaction of operations of any registered states, atomic across them; as
     * {@link #propose}. Kernel loop only.
     *
     * @throws IllegalArgumentException naming a replica that is not in the cluster map.
     */
    public TransactionId proposeStates(final ParticipantSet replicas,
        final List<ReplicatedStates.StateOperation> operations, final OutcomeListener listener)
    {
        for (final int replica : replicas.toArray())
        {
            if (!isClusterCore(replica))
            {
                throw new IllegalArgumentException("replica core " + replica + " is not in the cluster map");
            }
        }
        return engine.propose(replicas, operations, listener);
    }

    /**
     * @return true when the core id is in the cluster map.
     */
    public boolean isClusterCore(final int id)
    {
        for (final int core : clusterCoreIds)
        {
            if (core == id)
            {
                return true;
            }
        }
        return false;
    }

    int[] clusterCoreIds()
    {
        return clusterCoreIds.clone();
    }

    /**
     * An operator's decision for an in-doubt transaction; logged at WARN.
     */
    public OperatorDecision forceDecision(
        final TransactionId id, final boolean commit, final String operator, final String reason)
    {
        LOGGER.warn("core {}: operator '{}' forces {} of in-doubt transaction {}: {}", coreId, operator,
            commit ? "COMMIT" : "ABORT", id, reason);
        return engine.forceDecision(id, commit, operator, reason);
    }

    public ReplicationEngine<ReplicatedStates.StateOperation> engine()
    {
        return engine;
    }

    /**
     * @param operation a key-value operation.
     * @return the bytes it takes in a transaction: its state's tag and its own encoding.
     */
    public int encodedLength(final KeyValueOperation operation)
    {
        return states.encodedLength(keyValueState.operation(operation));
    }

    public KeyValueStateMachine replica()
    {
        return replica;
    }

    public UrpcNetwork network()
    {
        return network;
    }

    public ReplicationProxy proxy()
    {
        return proxy;
    }

    /**
     * @return 2PC batches received over URPC.
     */
    public long receivedBatches()
    {
        return inbound.received();
    }

    /**
     * @return SHA-256 over every entry of the local replica, hex: equal replicas, equal fingerprints.
     */
    public String fingerprint()
    {
        try
        {
            final MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (final Map.Entry<String, String> entry : replica.entries().entrySet())
            {
                update(digest, entry.getKey());
                update(digest, entry.getValue());
            }
            return HexFormat.of().formatHex(digest.digest());
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 is missing from this JVM", ex);
        }
    }

    private static void update(final MessageDigest digest, final String text)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        digest.update((byte)(bytes.length >>> 24));
        digest.update((byte)(bytes.length >>> 16));
        digest.update((byte)(bytes.length >>> 8));
        digest.update((byte)bytes.length);
        digest.update(bytes);
    }

    /**
     * @param limit most entries listed.
     * @return {@code GET /kv}: count, fingerprint and up to {@code limit} entries in key order.
     */
    String replicaJson(final int limit)
    {
        final Map<String, String> entries = replica.entries();
        final String fingerprint = fingerprint();
        return ServiceJson.write(json ->
        {
            json.writeStartObject();
            json.writeNumberField("core", coreId);
            json.writeNumberField("count", entries.size());
            json.writeStringField("fingerprint", fingerprint);
            json.writeNumberField("changes", replica.changes());
            json.writeNumberField("limit", limit);
            json.writeBooleanField("truncated", entries.size() > limit);
            json.writeObjectFieldStart("entries");
            int listed = 0;
            for (final Map.Entry<String, String> entry : entries.entrySet())
            {
                if (listed++ >= limit)
                {
                    break;
                }
                json.writeStringField(entry.getKey(), entry.getValue());
            }
            json.writeEndObject();
            json.writeEndObject();
        });
    }

    /**
     * @param peerStates a peer's state as this core's membership sees it, for {@code GET /2pc}; read on
     *                   the kernel loop.
     */
    public void peerStates(final java.util.function.IntFunction<String> peerStates)
    {
        this.peerStates = java.util.Objects.requireNonNull(peerStates);
    }

    /**
     * @return {@code GET /2pc}: counts and the in-doubt transactions, oldest first.
     */
    String statusJson()
    {
        final long nowNs = nanoClock.nanoTime();
        final long nowMs = epochClock.time();
        final List<InDoubtTransaction> inDoubt = engine.inDoubtTransactions();
        final List<InDoubtView> listed = new ArrayList<>();
        for (final InDoubtTransaction transaction : inDoubt)
        {
            if (listed.size() >= CoreReplicationConfiguration.IN_DOUBT_LIST_MAX)
            {
                break;
            }
            final long ageMs = TimeUnit.NANOSECONDS.toMillis(nowNs - transaction.inDoubtSinceNs());
            final int coordinator = transaction.id().coordinatorCoreId();
            listed.add(new InDoubtView(transaction.id().toString(), coordinator,
                coordinator == coreId ? "self" : peerStates.apply(coordinator),
                transaction.participants().toArray(), nowMs - ageMs, ageMs, transaction.queriesSent()));
        }
        return ServiceJson.write(new StatusView(coreId, engine.incarnation(),
            fsyncPolicy.name().toLowerCase(Locale.ROOT), dataDirectory.toString(), engine.isFailed(),
            engine.inFlightTransactions(), engine.preparedCount(), engine.locksHeld(), inDoubt.size(), listed));
    }

    /** {@code GET /2pc}. */
    private record StatusView(
        int core,
        long incarnation,
        String fsync,
        @JsonProperty("data_dir") String dataDirectory,
        boolean failed,
        @JsonProperty("in_flight") int inFlight,
        int prepared,
        @JsonProperty("locks_held") int locksHeld,
        @JsonProperty("in_doubt_count") int inDoubtCount,
        @JsonProperty("in_doubt") List<InDoubtView> inDoubt)
    {
    }

    /**
     * One in-doubt transaction of {@code GET /2pc}. The coordinator's state as this core sees it tells
     * an operator whether it is in doubt for good: one whose coordinator is up (or this core) is still
     * being decided by it, and deciding it by hand could contradict that decision.
     */
    private record InDoubtView(
        String transaction,
        int coordinator,
        @JsonProperty("coordinator_state") String coordinatorState,
        int[] participants,
        @JsonProperty("in_doubt_since_epoch_ms") long inDoubtSinceEpochMs,
        @JsonProperty("in_doubt_for_ms") long inDoubtForMs,
        @JsonProperty("queries_sent") long queriesSent)
    {
    }

    /**
     * Stops the engine: outcomes of unfinished proposals are delivered, the log is made durable.
     */
    @Override
    public void close()
    {
        engine.close();
        // Answers what the source still holds (puts of groups the close aborted): the engine refuses now.
        proposalSource.getAsInt();
    }
}
