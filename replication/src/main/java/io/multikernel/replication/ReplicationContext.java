package io.multikernel.replication;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Random;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.multikernel.common.Bounds;
import io.multikernel.replication.wal.FileStorage;
import io.multikernel.replication.wal.FsyncPolicy;
import io.multikernel.replication.wal.RecordDescriptor;
import io.multikernel.replication.wal.WalStorage;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

/**
 * Configures one {@link ReplicationEngine}. Setters are fluent; {@link #conclude()} checks every
 * value once, with errors that name the value and the limit, and fills in derived defaults.
 * Defaults come from {@link ReplicationConfiguration}.
 *
 * @param <O> the state machine's operation type.
 */
public final class ReplicationContext<O>
{
    /** The largest var-data field SBE carries, which bounds the operations of one transaction. */
    public static final int SBE_VAR_DATA_MAX_BYTES = 65536;
    /** The largest count an SBE group carries, which bounds the messages of one batch. */
    public static final int SBE_GROUP_COUNT_MAX = 65535;

    private boolean concluded;
    private int coreId = -1;
    private long incarnation;
    private StateMachine<O> stateMachine;
    private Network network;
    private WalStorage storage;
    private Path dataDirectory;
    private NanoClock nanoClock;
    private Random random;
    private MeterRegistry meterRegistry;
    private ReplicationObserver observer = ReplicationObserver.NONE;
    private java.util.function.IntFunction<String> peerUnavailable = (coreId) -> null;
    private FsyncPolicy fsyncPolicy = ReplicationConfiguration.fsyncPolicy();
    private long prepareTimeoutNs = ReplicationConfiguration.prepareTimeoutNs();
    private long commitResendIntervalNs = ReplicationConfiguration.commitResendIntervalNs();
    private long ackDelayMaxNs = ReplicationConfiguration.ackDelayMaxNs();
    private long decisionQueryDelayNs = ReplicationConfiguration.decisionQueryDelayNs();
    private long decisionQueryIntervalNs = ReplicationConfiguration.decisionQueryIntervalNs();
    private long cooperativeTerminationDelayNs = ReplicationConfiguration.cooperativeTerminationDelayNs();
    private int maxInFlightTransactions = ReplicationConfiguration.maxInFlightTransactions();
    private int maxPreparedTransactions = ReplicationConfiguration.maxPreparedTransactions();
    private int maxOperationsLengthBytes = ReplicationConfiguration.maxOperationsLengthBytes();
    private int maxBatchMessages = ReplicationConfiguration.maxBatchMessages();
    private int maxBatchLengthBytes = ReplicationConfiguration.maxBatchLengthBytes();
    private int maxSendAttempts = ReplicationConfiguration.maxSendAttempts();
    private int walSegmentLengthBytes = ReplicationConfiguration.walSegmentLengthBytes();
    private int walRecordLengthMaxBytes = ReplicationConfiguration.walRecordLengthMaxBytes();
    private int walWriteBufferLengthBytes = ReplicationConfiguration.walWriteBufferLengthBytes();
    private long snapshotIntervalBytes = ReplicationConfiguration.snapshotIntervalBytes();
    private int snapshotLengthMaxBytes = ReplicationConfiguration.snapshotLengthMaxBytes();
    private int maxRememberedDecisions = ReplicationConfiguration.maxRememberedDecisions();
    private boolean plantedApplyAtPrepare = ReplicationConfiguration.plantedApplyAtPrepare();
    private int maxRefusedTransactions = ReplicationConfiguration.maxRefusedTransactions();
    private long errorLogIntervalNs = ReplicationConfiguration.errorLogIntervalNs();

    /**
     * Checks every value and fills in defaults. Idempotent.
     *
     * @return this.
     * @throws IllegalArgumentException naming the first bad value and its limit.
     */
    public ReplicationContext<O> conclude()
    {
        if (concluded)
        {
            return this;
        }
        require(coreId >= 0, "coreId=" + coreId + " must be set and non-negative");
        require(incarnation >= 0, "incarnation=" + incarnation + " is negative (0 means: one more than the log's)");
        require(null != stateMachine, "stateMachine must be set");
        require(null != network, "network must be set");
        require(null != storage || null != dataDirectory, "storage or dataDirectory must be set");
        requirePositive(prepareTimeoutNs, "prepareTimeoutNs");
        requirePositive(commitResendIntervalNs, "commitResendIntervalNs");
        require(ackDelayMaxNs >= 0 && ackDelayMaxNs < commitResendIntervalNs, "ackDelayMaxNs=" + ackDelayMaxNs +
            " is not in 0..commitResendIntervalNs=" + commitResendIntervalNs + " (exclusive)");
        requirePositive(decisionQueryDelayNs, "decisionQueryDelayNs");
        requirePositive(decisionQueryIntervalNs, "decisionQueryIntervalNs");
        requirePositive(cooperativeTerminationDelayNs, "cooperativeTerminationDelayNs");
        requirePositive(maxInFlightTransactions, "maxInFlightTransactions");
        requirePositive(maxPreparedTransactions, "maxPreparedTransactions");
        requirePositive(maxSendAttempts, "maxSendAttempts");
        requirePositive(maxRememberedDecisions, "maxRememberedDecisions");
        requirePositive(maxRefusedTransactions, "maxRefusedTransactions");
        requirePositive(snapshotIntervalBytes, "snapshotIntervalBytes");
        requirePositive(snapshotLengthMaxBytes, "snapshotLengthMaxBytes");
        requirePositive(errorLogIntervalNs, "errorLogIntervalNs");
        Bounds.check("maxBatchMessages", maxBatchMessages, 1, SBE_GROUP_COUNT_MAX);
        Bounds.check("maxOperationsLengthBytes", maxOperationsLengthBytes, 1, SBE_VAR_DATA_MAX_BYTES);
        final int largestPrepareBytes = largestPrepareBytes();
        require(maxBatchLengthBytes >= largestPrepareBytes, "maxBatchLengthBytes=" + maxBatchLengthBytes +
            " cannot carry one PREPARE of maxOperationsLengthBytes=" + maxOperationsLengthBytes +
            " (needs " + largestPrepareBytes + ")");
        final int largestRecordBytes = LogRecords.preparedRecordLengthMaxBytes(maxOperationsLengthBytes);
        require(walRecordLengthMaxBytes >= largestRecordBytes, "walRecordLengthMaxBytes=" + walRecordLengthMaxBytes +
            " cannot hold a PREPARED record of maxOperationsLengthBytes=" + maxOperationsLengthBytes +
            " (needs " + largestRecordBytes + ")");
        require(walSegmentLengthBytes >= RecordDescriptor.align(walRecordLengthMaxBytes), "walSegmentLengthBytes=" +
            walSegmentLengthBytes + " is smaller than walRecordLengthMaxBytes=" + walRecordLengthMaxBytes);
        require(walWriteBufferLengthBytes >= RecordDescriptor.align(walRecordLengthMaxBytes),
            "walWriteBufferLengthBytes=" + walWriteBufferLengthBytes + " is smaller than walRecordLengthMaxBytes=" +
            walRecordLengthMaxBytes);
        fillDefaults();
        concluded = true;
        return this;
    }

    private int largestPrepareBytes()
    {
        return io.multikernel.replication.protocol.TwoPhaseBatchCodec.BATCH_OVERHEAD_BYTES + 20 + 4 +
            4 * ParticipantSet.MAX_PARTICIPANTS + 4 + maxOperationsLengthBytes;
    }

    private void fillDefaults()
    {
        if (null == storage)
        {
            try
            {
                storage = new FileStorage(dataDirectory);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot create dataDirectory=" + dataDirectory, ex);
            }
        }
        if (null == nanoClock)
        {
            nanoClock = new SystemNanoClock();
        }
        if (null == random)
        {
            random = new Random(coreId * 0x9E3779B97F4A7C15L + incarnation);
        }
        if (null == meterRegistry)
        {
            meterRegistry = new SimpleMeterRegistry();
        }
    }

    private static void require(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw new IllegalArgumentException(message);
        }
    }

    private static void requirePositive(final long value, final String name)
    {
        require(value > 0, name + "=" + value + " must be positive");
    }

    public ReplicationContext<O> coreId(final int coreId)
    {
        this.coreId = coreId;
        return this;
    }

    public int coreId()
    {
        return coreId;
    }

    /**
     * @param incarnation larger than any earlier incarnation of this core; 0 (default) takes one
     *                    more than the largest found in the write-ahead log.
     */
    public ReplicationContext<O> incarnation(final long incarnation)
    {
        this.incarnation = incarnation;
        return this;
    }

    public long incarnation()
    {
        return incarnation;
    }

    public ReplicationContext<O> stateMachine(final StateMachine<O> stateMachine)
    {
        this.stateMachine = stateMachine;
        return this;
    }

    public StateMachine<O> stateMachine()
    {
        return stateMachine;
    }

    public ReplicationContext<O> network(final Network network)
    {
        this.network = network;
        return this;
    }

    public Network network()
    {
        return network;
    }

    /**
     * @param storage where segments and snapshots live; overrides {@link #dataDirectory(Path)}.
     */
    public ReplicationContext<O> storage(final WalStorage storage)
    {
        this.storage = storage;
        return this;
    }

    public WalStorage storage()
    {
        return storage;
    }

    /**
     * @param dataDirectory the core's data directory, used through {@link FileStorage} when no storage is set.
     */
    public ReplicationContext<O> dataDirectory(final Path dataDirectory)
    {
        this.dataDirectory = dataDirectory;
        return this;
    }

    public Path dataDirectory()
    {
        return dataDirectory;
    }

    public ReplicationContext<O> nanoClock(final NanoClock nanoClock)
    {
        this.nanoClock = nanoClock;
        return this;
    }

    public NanoClock nanoClock()
    {
        return nanoClock;
    }

    /**
     * @param random jitters retry timers; seed it to replay a run.
     */
    public ReplicationContext<O> random(final Random random)
    {
        this.random = random;
        return this;
    }

    public Random random()
    {
        return random;
    }

    public ReplicationContext<O> meterRegistry(final MeterRegistry meterRegistry)
    {
        this.meterRegistry = meterRegistry;
        return this;
    }

    public MeterRegistry meterRegistry()
    {
        return meterRegistry;
    }

    /**
     * @param peerUnavailable given a participant's core id, why it cannot vote now (its owner knows it
     *                        down or gone), or null when it may: a proposal naming such a core is
     *                        aborted at once instead of after the prepare timeout. Called on the
     *                        engine's thread, once per other participant of each proposal.
     */
    public ReplicationContext<O> peerUnavailable(final java.util.function.IntFunction<String> peerUnavailable)
    {
        this.peerUnavailable = java.util.Objects.requireNonNull(peerUnavailable, "peerUnavailable");
        return this;
    }

    public java.util.function.IntFunction<String> peerUnavailable()
    {
        return peerUnavailable;
    }

    public ReplicationContext<O> observer(final ReplicationObserver observer)
    {
        this.observer = observer;
        return this;
    }

    public ReplicationObserver observer()
    {
        return observer;
    }

    public ReplicationContext<O> fsyncPolicy(final FsyncPolicy fsyncPolicy)
    {
        this.fsyncPolicy = fsyncPolicy;
        return this;
    }

    public FsyncPolicy fsyncPolicy()
    {
        return fsyncPolicy;
    }

    public ReplicationContext<O> prepareTimeoutNs(final long prepareTimeoutNs)
    {
        this.prepareTimeoutNs = prepareTimeoutNs;
        return this;
    }

    public long prepareTimeoutNs()
    {
        return prepareTimeoutNs;
    }

    public ReplicationContext<O> commitResendIntervalNs(final long commitResendIntervalNs)
    {
        this.commitResendIntervalNs = commitResendIntervalNs;
        return this;
    }

    public long commitResendIntervalNs()
    {
        return commitResendIntervalNs;
    }

    /**
     * @param ackDelayMaxNs longest a participant's ack waits to share a later fsync (fsync group or always).
     * @return this.
     */
    public ReplicationContext<O> ackDelayMaxNs(final long ackDelayMaxNs)
    {
        this.ackDelayMaxNs = ackDelayMaxNs;
        return this;
    }

    public long ackDelayMaxNs()
    {
        return ackDelayMaxNs;
    }

    public ReplicationContext<O> decisionQueryDelayNs(final long decisionQueryDelayNs)
    {
        this.decisionQueryDelayNs = decisionQueryDelayNs;
        return this;
    }

    public long decisionQueryDelayNs()
    {
        return decisionQueryDelayNs;
    }

    public ReplicationContext<O> decisionQueryIntervalNs(final long decisionQueryIntervalNs)
    {
        this.decisionQueryIntervalNs = decisionQueryIntervalNs;
        return this;
    }

    public long decisionQueryIntervalNs()
    {
        return decisionQueryIntervalNs;
    }

    public ReplicationContext<O> cooperativeTerminationDelayNs(final long cooperativeTerminationDelayNs)
    {
        this.cooperativeTerminationDelayNs = cooperativeTerminationDelayNs;
        return this;
    }

    public long cooperativeTerminationDelayNs()
    {
        return cooperativeTerminationDelayNs;
    }

    public ReplicationContext<O> maxInFlightTransactions(final int maxInFlightTransactions)
    {
        this.maxInFlightTransactions = maxInFlightTransactions;
        return this;
    }

    public int maxInFlightTransactions()
    {
        return maxInFlightTransactions;
    }

    public ReplicationContext<O> maxPreparedTransactions(final int maxPreparedTransactions)
    {
        this.maxPreparedTransactions = maxPreparedTransactions;
        return this;
    }

    public int maxPreparedTransactions()
    {
        return maxPreparedTransactions;
    }

    public ReplicationContext<O> maxOperationsLengthBytes(final int maxOperationsLengthBytes)
    {
        this.maxOperationsLengthBytes = maxOperationsLengthBytes;
        return this;
    }

    public int maxOperationsLengthBytes()
    {
        return maxOperationsLengthBytes;
    }

    public ReplicationContext<O> maxBatchMessages(final int maxBatchMessages)
    {
        this.maxBatchMessages = maxBatchMessages;
        return this;
    }

    public int maxBatchMessages()
    {
        return maxBatchMessages;
    }

    public ReplicationContext<O> maxBatchLengthBytes(final int maxBatchLengthBytes)
    {
        this.maxBatchLengthBytes = maxBatchLengthBytes;
        return this;
    }

    public int maxBatchLengthBytes()
    {
        return maxBatchLengthBytes;
    }

    public ReplicationContext<O> maxSendAttempts(final int maxSendAttempts)
    {
        this.maxSendAttempts = maxSendAttempts;
        return this;
    }

    public int maxSendAttempts()
    {
        return maxSendAttempts;
    }

    public ReplicationContext<O> walSegmentLengthBytes(final int walSegmentLengthBytes)
    {
        this.walSegmentLengthBytes = walSegmentLengthBytes;
        return this;
    }

    public int walSegmentLengthBytes()
    {
        return walSegmentLengthBytes;
    }

    public ReplicationContext<O> walRecordLengthMaxBytes(final int walRecordLengthMaxBytes)
    {
        this.walRecordLengthMaxBytes = walRecordLengthMaxBytes;
        return this;
    }

    public int walRecordLengthMaxBytes()
    {
        return walRecordLengthMaxBytes;
    }

    public ReplicationContext<O> walWriteBufferLengthBytes(final int walWriteBufferLengthBytes)
    {
        this.walWriteBufferLengthBytes = walWriteBufferLengthBytes;
        return this;
    }

    public int walWriteBufferLengthBytes()
    {
        return walWriteBufferLengthBytes;
    }

    public ReplicationContext<O> snapshotIntervalBytes(final long snapshotIntervalBytes)
    {
        this.snapshotIntervalBytes = snapshotIntervalBytes;
        return this;
    }

    public long snapshotIntervalBytes()
    {
        return snapshotIntervalBytes;
    }

    public ReplicationContext<O> snapshotLengthMaxBytes(final int snapshotLengthMaxBytes)
    {
        this.snapshotLengthMaxBytes = snapshotLengthMaxBytes;
        return this;
    }

    public int snapshotLengthMaxBytes()
    {
        return snapshotLengthMaxBytes;
    }

    public ReplicationContext<O> maxRememberedDecisions(final int maxRememberedDecisions)
    {
        this.maxRememberedDecisions = maxRememberedDecisions;
        return this;
    }

    public int maxRememberedDecisions()
    {
        return maxRememberedDecisions;
    }

    /**
     * @param plantedApplyAtPrepare plant a deliberate bug: participants apply a transaction's operations
     *                              at prepare, so an aborted one stays on their replicas. Only for showing
     *                              that chaos tools catch a bug ({@link ReplicationConfiguration#PLANTED_BUG_PROP_NAME}).
     * @return this.
     */
    public ReplicationContext<O> plantedApplyAtPrepare(final boolean plantedApplyAtPrepare)
    {
        this.plantedApplyAtPrepare = plantedApplyAtPrepare;
        return this;
    }

    public boolean plantedApplyAtPrepare()
    {
        return plantedApplyAtPrepare;
    }

    public ReplicationContext<O> maxRefusedTransactions(final int maxRefusedTransactions)
    {
        this.maxRefusedTransactions = maxRefusedTransactions;
        return this;
    }

    public int maxRefusedTransactions()
    {
        return maxRefusedTransactions;
    }

    public ReplicationContext<O> errorLogIntervalNs(final long errorLogIntervalNs)
    {
        this.errorLogIntervalNs = errorLogIntervalNs;
        return this;
    }

    public long errorLogIntervalNs()
    {
        return errorLogIntervalNs;
    }
}
