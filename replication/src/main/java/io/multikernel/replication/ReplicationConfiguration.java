package io.multikernel.replication;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import io.multikernel.common.Setting;
import io.multikernel.common.Sizes;
import io.multikernel.replication.wal.FsyncPolicy;
import org.agrona.SystemUtil;

/**
 * The one place the engine's settings get their defaults: each has a system property name, a
 * default and an accessor that reads the property (durations accept suffixes such as {@code 50ms},
 * sizes {@code 64m}). {@link ReplicationContext} starts from these and its setters override them.
 */
public final class ReplicationConfiguration
{
    // The defaults suit cores whose kernel loops park up to 10 ms when idle and share a few CPUs
    // with many other cores: a vote takes a few parks and scheduling delays to come back. Tight
    // settings (tens of ms) belong to dedicated CPUs and busy-spinning loops.

    /** PREPARE_TIMEOUT_NS: votes not all in by then abort the transaction. */
    public static final String PREPARE_TIMEOUT_PROP_NAME = "mk.replication.prepare.timeout";
    public static final long PREPARE_TIMEOUT_DEFAULT_NS = TimeUnit.MILLISECONDS.toNanos(1000);

    /** COMMIT_RESEND_INTERVAL_NS: COMMIT is sent again to participants that have not acked. */
    public static final String COMMIT_RESEND_INTERVAL_PROP_NAME = "mk.replication.commit.resend.interval";
    public static final long COMMIT_RESEND_INTERVAL_DEFAULT_NS = TimeUnit.MILLISECONDS.toNanos(100);

    /**
     * ACK_DELAY_MAX_NS: with fsync {@code group} or {@code always}, a participant's COMMITTED record
     * is not forced on its own: the ack waits for the next fsync it can share (the next PREPARED,
     * usually) and at most this long before the log is forced for it. Keeps the commit's fsync off
     * the path of the next transaction. Below COMMIT_RESEND_INTERVAL_NS; 0 forces at once.
     */
    public static final String ACK_DELAY_MAX_PROP_NAME = "mk.replication.ack.delay.max";
    public static final long ACK_DELAY_MAX_DEFAULT_NS = TimeUnit.MILLISECONDS.toNanos(2);

    /** DECISION_QUERY_DELAY_NS: after voting yes, a participant waits this long for the decision before asking. */
    public static final String DECISION_QUERY_DELAY_PROP_NAME = "mk.replication.decision.query.delay";
    public static final long DECISION_QUERY_DELAY_DEFAULT_NS = TimeUnit.MILLISECONDS.toNanos(500);

    /** DECISION_QUERY_INTERVAL_NS: a participant in doubt asks again this often (plus up to 50% jitter). */
    public static final String DECISION_QUERY_INTERVAL_PROP_NAME = "mk.replication.decision.query.interval";
    public static final long DECISION_QUERY_INTERVAL_DEFAULT_NS = TimeUnit.MILLISECONDS.toNanos(100);

    /** COOPERATIVE_TERMINATION_DELAY_NS: the coordinator silent this long, a participant in doubt asks its peers. */
    public static final String COOPERATIVE_TERMINATION_DELAY_PROP_NAME = "mk.replication.cooperative.termination.delay";
    public static final long COOPERATIVE_TERMINATION_DELAY_DEFAULT_NS = TimeUnit.MILLISECONDS.toNanos(500);

    /** MAX_IN_FLIGHT_TRANSACTIONS: a coordinator rejects proposals beyond this many unfinished transactions. */
    public static final String MAX_IN_FLIGHT_TRANSACTIONS_PROP_NAME = "mk.replication.max.in.flight.transactions";
    public static final int MAX_IN_FLIGHT_TRANSACTIONS_DEFAULT = 4096;

    /** MAX_PREPARED_TRANSACTIONS: a participant votes no beyond this many prepared transactions. */
    public static final String MAX_PREPARED_TRANSACTIONS_PROP_NAME = "mk.replication.max.prepared.transactions";
    public static final int MAX_PREPARED_TRANSACTIONS_DEFAULT = 4096;

    /**
     * A deliberate protocol bug, for showing that chaos tools catch one ({@code mk chaos run}); never
     * for a real cluster. {@code none} (default) or {@code apply-at-prepare}: a participant applies a
     * transaction's operations when it prepares, so an aborted transaction stays on its replica.
     */
    public static final String PLANTED_BUG_PROP_NAME = "mk.replication.planted.bug";
    public static final String PLANTED_BUG_NONE = "none";
    public static final String PLANTED_BUG_APPLY_AT_PREPARE = "apply-at-prepare";

    /** MAX_OPERATIONS_LENGTH_BYTES: the encoded operations of one transaction. At most 65536 (SBE var data). */
    public static final String MAX_OPERATIONS_LENGTH_PROP_NAME = "mk.replication.max.operations.length";
    public static final int MAX_OPERATIONS_LENGTH_DEFAULT_BYTES = 32 * 1024;

    /** MAX_BATCH_MESSAGES: protocol messages to one core per batch. */
    public static final String MAX_BATCH_MESSAGES_PROP_NAME = "mk.replication.max.batch.messages";
    public static final int MAX_BATCH_MESSAGES_DEFAULT = 256;

    /** MAX_BATCH_LENGTH_BYTES: encoded batch size; keep at or below the transport's largest message. */
    public static final String MAX_BATCH_LENGTH_PROP_NAME = "mk.replication.max.batch.length";
    public static final int MAX_BATCH_LENGTH_DEFAULT_BYTES = 64 * 1024;

    /** MAX_SEND_ATTEMPTS: duty cycles a back-pressured batch is offered before it is dropped (and counted). */
    public static final String MAX_SEND_ATTEMPTS_PROP_NAME = "mk.replication.max.send.attempts";
    public static final int MAX_SEND_ATTEMPTS_DEFAULT = 16;

    /** WAL_SEGMENT_LENGTH_BYTES: a new segment file starts before one would grow past this. */
    public static final String WAL_SEGMENT_LENGTH_PROP_NAME = "mk.replication.wal.segment.length";
    public static final int WAL_SEGMENT_LENGTH_DEFAULT_BYTES = 64 * 1024 * 1024;

    /** WAL_RECORD_LENGTH_MAX_BYTES: header plus payload of one log record. */
    public static final String WAL_RECORD_LENGTH_MAX_PROP_NAME = "mk.replication.wal.record.length.max";
    public static final int WAL_RECORD_LENGTH_MAX_DEFAULT_BYTES = 1024 * 1024;

    /** WAL_WRITE_BUFFER_LENGTH_BYTES: appended records collect here between writes. */
    public static final String WAL_WRITE_BUFFER_LENGTH_PROP_NAME = "mk.replication.wal.write.buffer.length";
    public static final int WAL_WRITE_BUFFER_LENGTH_DEFAULT_BYTES = 2 * 1024 * 1024;

    /** SNAPSHOT_INTERVAL_BYTES: log bytes appended since the last snapshot that trigger the next. */
    public static final String SNAPSHOT_INTERVAL_PROP_NAME = "mk.replication.snapshot.interval";
    public static final long SNAPSHOT_INTERVAL_DEFAULT_BYTES = 64L * 1024 * 1024;

    /** SNAPSHOT_LENGTH_MAX_BYTES: a snapshot file claiming more is corrupt. */
    public static final String SNAPSHOT_LENGTH_MAX_PROP_NAME = "mk.replication.snapshot.length.max";
    public static final int SNAPSHOT_LENGTH_MAX_DEFAULT_BYTES = 1024 * 1024 * 1024;

    /** FSYNC_POLICY: always, group or none; see {@link FsyncPolicy}. */
    public static final String FSYNC_POLICY_PROP_NAME = "mk.replication.fsync";
    public static final FsyncPolicy FSYNC_POLICY_DEFAULT = FsyncPolicy.GROUP;

    /** MAX_REMEMBERED_DECISIONS: finished transactions a participant remembers to answer peers in doubt. */
    public static final String MAX_REMEMBERED_DECISIONS_PROP_NAME = "mk.replication.max.remembered.decisions";
    public static final int MAX_REMEMBERED_DECISIONS_DEFAULT = 4096;

    /** MAX_REFUSED_TRANSACTIONS: transactions a participant has promised to vote no on (cooperative termination). */
    public static final String MAX_REFUSED_TRANSACTIONS_PROP_NAME = "mk.replication.max.refused.transactions";
    public static final int MAX_REFUSED_TRANSACTIONS_DEFAULT = 1024;

    /** ERROR_LOG_INTERVAL_NS: an error of one kind is logged at most once per interval (all are counted). */
    public static final String ERROR_LOG_INTERVAL_PROP_NAME = "mk.replication.error.log.interval";
    public static final long ERROR_LOG_INTERVAL_DEFAULT_NS = TimeUnit.SECONDS.toNanos(10);

    private ReplicationConfiguration()
    {
    }

    public static long prepareTimeoutNs()
    {
        return SystemUtil.getDurationInNanos(PREPARE_TIMEOUT_PROP_NAME, PREPARE_TIMEOUT_DEFAULT_NS);
    }

    public static long commitResendIntervalNs()
    {
        return SystemUtil.getDurationInNanos(COMMIT_RESEND_INTERVAL_PROP_NAME, COMMIT_RESEND_INTERVAL_DEFAULT_NS);
    }

    public static long ackDelayMaxNs()
    {
        return SystemUtil.getDurationInNanos(ACK_DELAY_MAX_PROP_NAME, ACK_DELAY_MAX_DEFAULT_NS);
    }

    public static long decisionQueryDelayNs()
    {
        return SystemUtil.getDurationInNanos(DECISION_QUERY_DELAY_PROP_NAME, DECISION_QUERY_DELAY_DEFAULT_NS);
    }

    public static long decisionQueryIntervalNs()
    {
        return SystemUtil.getDurationInNanos(DECISION_QUERY_INTERVAL_PROP_NAME, DECISION_QUERY_INTERVAL_DEFAULT_NS);
    }

    public static long cooperativeTerminationDelayNs()
    {
        return SystemUtil.getDurationInNanos(
            COOPERATIVE_TERMINATION_DELAY_PROP_NAME, COOPERATIVE_TERMINATION_DELAY_DEFAULT_NS);
    }

    public static int maxInFlightTransactions()
    {
        return Integer.getInteger(MAX_IN_FLIGHT_TRANSACTIONS_PROP_NAME, MAX_IN_FLIGHT_TRANSACTIONS_DEFAULT);
    }

    public static int maxPreparedTransactions()
    {
        return Integer.getInteger(MAX_PREPARED_TRANSACTIONS_PROP_NAME, MAX_PREPARED_TRANSACTIONS_DEFAULT);
    }

    public static int maxOperationsLengthBytes()
    {
        return Sizes.intProperty(MAX_OPERATIONS_LENGTH_PROP_NAME, MAX_OPERATIONS_LENGTH_DEFAULT_BYTES);
    }

    public static int maxBatchMessages()
    {
        return Integer.getInteger(MAX_BATCH_MESSAGES_PROP_NAME, MAX_BATCH_MESSAGES_DEFAULT);
    }

    public static int maxBatchLengthBytes()
    {
        return Sizes.intProperty(MAX_BATCH_LENGTH_PROP_NAME, MAX_BATCH_LENGTH_DEFAULT_BYTES);
    }

    public static int maxSendAttempts()
    {
        return Integer.getInteger(MAX_SEND_ATTEMPTS_PROP_NAME, MAX_SEND_ATTEMPTS_DEFAULT);
    }

    public static int walSegmentLengthBytes()
    {
        return Sizes.intProperty(WAL_SEGMENT_LENGTH_PROP_NAME, WAL_SEGMENT_LENGTH_DEFAULT_BYTES);
    }

    public static int walRecordLengthMaxBytes()
    {
        return Sizes.intProperty(WAL_RECORD_LENGTH_MAX_PROP_NAME, WAL_RECORD_LENGTH_MAX_DEFAULT_BYTES);
    }

    public static int walWriteBufferLengthBytes()
    {
        return Sizes.intProperty(WAL_WRITE_BUFFER_LENGTH_PROP_NAME, WAL_WRITE_BUFFER_LENGTH_DEFAULT_BYTES);
    }

    public static long snapshotIntervalBytes()
    {
        return Sizes.longProperty(SNAPSHOT_INTERVAL_PROP_NAME, SNAPSHOT_INTERVAL_DEFAULT_BYTES);
    }

    public static int snapshotLengthMaxBytes()
    {
        return Sizes.intProperty(SNAPSHOT_LENGTH_MAX_PROP_NAME, SNAPSHOT_LENGTH_MAX_DEFAULT_BYTES);
    }

    public static FsyncPolicy fsyncPolicy()
    {
        final String value = System.getProperty(FSYNC_POLICY_PROP_NAME);
        return null == value ? FSYNC_POLICY_DEFAULT : FsyncPolicy.parse(value);
    }

    /**
     * @return whether {@link #PLANTED_BUG_PROP_NAME} plants the apply-at-prepare bug.
     * @throws IllegalArgumentException naming the property when its value is neither planted bug.
     */
    public static boolean plantedApplyAtPrepare()
    {
        final String value = System.getProperty(PLANTED_BUG_PROP_NAME, PLANTED_BUG_NONE).strip();
        if (!PLANTED_BUG_NONE.equals(value) && !PLANTED_BUG_APPLY_AT_PREPARE.equals(value))
        {
            throw new IllegalArgumentException(PLANTED_BUG_PROP_NAME + "=" + value + " is not " + PLANTED_BUG_NONE +
                " or " + PLANTED_BUG_APPLY_AT_PREPARE);
        }
        return PLANTED_BUG_APPLY_AT_PREPARE.equals(value);
    }

    public static int maxRememberedDecisions()
    {
        return Integer.getInteger(MAX_REMEMBERED_DECISIONS_PROP_NAME, MAX_REMEMBERED_DECISIONS_DEFAULT);
    }

    public static int maxRefusedTransactions()
    {
        return Integer.getInteger(MAX_REFUSED_TRANSACTIONS_PROP_NAME, MAX_REFUSED_TRANSACTIONS_DEFAULT);
    }

    public static long errorLogIntervalNs()
    {
        return SystemUtil.getDurationInNanos(ERROR_LOG_INTERVAL_PROP_NAME, ERROR_LOG_INTERVAL_DEFAULT_NS);
    }

    /**
     * The engine's settings for the configuration reference ({@code mk config}).
     *
     * @return every setting above with its default and meaning.
     */
    public static List<Setting> settings()
    {
        return List.of(
            new Setting(FSYNC_POLICY_PROP_NAME, fsyncName(FSYNC_POLICY_DEFAULT),
                "always: each forced record fsynced as appended; group: one fsync per duty cycle, same promise; " +
                "none: never fsynced, survives kill -9 but not an OS crash.",
                () -> fsyncName(fsyncPolicy())),
            duration(PREPARE_TIMEOUT_PROP_NAME, PREPARE_TIMEOUT_DEFAULT_NS,
                "Votes not all in by then abort the transaction.", ReplicationConfiguration::prepareTimeoutNs),
            duration(COMMIT_RESEND_INTERVAL_PROP_NAME, COMMIT_RESEND_INTERVAL_DEFAULT_NS,
                "COMMIT is sent again this often to participants that have not acked.",
                ReplicationConfiguration::commitResendIntervalNs),
            duration(ACK_DELAY_MAX_PROP_NAME, ACK_DELAY_MAX_DEFAULT_NS,
                "Longest a participant's ack waits to share the next fsync (fsync group or always); 0 forces at once.",
                ReplicationConfiguration::ackDelayMaxNs),
            duration(DECISION_QUERY_DELAY_PROP_NAME, DECISION_QUERY_DELAY_DEFAULT_NS,
                "After voting yes, a participant waits this long for the decision before asking its coordinator.",
                ReplicationConfiguration::decisionQueryDelayNs),
            duration(DECISION_QUERY_INTERVAL_PROP_NAME, DECISION_QUERY_INTERVAL_DEFAULT_NS,
                "A participant in doubt asks again this often (plus up to 50% jitter).",
                ReplicationConfiguration::decisionQueryIntervalNs),
            duration(COOPERATIVE_TERMINATION_DELAY_PROP_NAME, COOPERATIVE_TERMINATION_DELAY_DEFAULT_NS,
                "The coordinator silent this long, a participant in doubt asks the other participants.",
                ReplicationConfiguration::cooperativeTerminationDelayNs),
            count(MAX_IN_FLIGHT_TRANSACTIONS_PROP_NAME, MAX_IN_FLIGHT_TRANSACTIONS_DEFAULT,
                "A coordinator refuses proposals beyond this many unfinished transactions.",
                ReplicationConfiguration::maxInFlightTransactions),
            count(MAX_PREPARED_TRANSACTIONS_PROP_NAME, MAX_PREPARED_TRANSACTIONS_DEFAULT,
                "A participant votes no beyond this many prepared transactions.",
                ReplicationConfiguration::maxPreparedTransactions),
            new Setting(PLANTED_BUG_PROP_NAME, PLANTED_BUG_NONE,
                "Test only, to show chaos tools catch a bug: apply-at-prepare makes participants apply at prepare.",
                () -> plantedApplyAtPrepare() ? PLANTED_BUG_APPLY_AT_PREPARE : PLANTED_BUG_NONE),
            size(MAX_OPERATIONS_LENGTH_PROP_NAME, MAX_OPERATIONS_LENGTH_DEFAULT_BYTES,
                "Encoded operations of one transaction, at most 64k (SBE var data).",
                ReplicationConfiguration::maxOperationsLengthBytes),
            count(MAX_BATCH_MESSAGES_PROP_NAME, MAX_BATCH_MESSAGES_DEFAULT,
                "Protocol messages to one core per batch.", ReplicationConfiguration::maxBatchMessages),
            size(MAX_BATCH_LENGTH_PROP_NAME, MAX_BATCH_LENGTH_DEFAULT_BYTES,
                "Encoded batch size; a core caps it at the largest URPC message.",
                ReplicationConfiguration::maxBatchLengthBytes),
            count(MAX_SEND_ATTEMPTS_PROP_NAME, MAX_SEND_ATTEMPTS_DEFAULT,
                "Duty cycles a back-pressured batch is offered before it is dropped (and counted).",
                ReplicationConfiguration::maxSendAttempts),
            size(WAL_SEGMENT_LENGTH_PROP_NAME, WAL_SEGMENT_LENGTH_DEFAULT_BYTES,
                "A new write-ahead log segment starts before one would grow past this.",
                ReplicationConfiguration::walSegmentLengthBytes),
            size(WAL_RECORD_LENGTH_MAX_PROP_NAME, WAL_RECORD_LENGTH_MAX_DEFAULT_BYTES,
                "Header plus payload of one log record.", ReplicationConfiguration::walRecordLengthMaxBytes),
            size(WAL_WRITE_BUFFER_LENGTH_PROP_NAME, WAL_WRITE_BUFFER_LENGTH_DEFAULT_BYTES,
                "Appended records collect here between writes.", ReplicationConfiguration::walWriteBufferLengthBytes),
            size(SNAPSHOT_INTERVAL_PROP_NAME, SNAPSHOT_INTERVAL_DEFAULT_BYTES,
                "Log bytes appended since the last snapshot that trigger the next.",
                ReplicationConfiguration::snapshotIntervalBytes),
            size(SNAPSHOT_LENGTH_MAX_PROP_NAME, SNAPSHOT_LENGTH_MAX_DEFAULT_BYTES,
                "A snapshot file claiming more is corrupt.", ReplicationConfiguration::snapshotLengthMaxBytes),
            count(MAX_REMEMBERED_DECISIONS_PROP_NAME, MAX_REMEMBERED_DECISIONS_DEFAULT,
                "Finished transactions a participant remembers to answer peers in doubt.",
                ReplicationConfiguration::maxRememberedDecisions),
            count(MAX_REFUSED_TRANSACTIONS_PROP_NAME, MAX_REFUSED_TRANSACTIONS_DEFAULT,
                "Transactions a participant has promised to vote no on (cooperative termination).",
                ReplicationConfiguration::maxRefusedTransactions),
            duration(ERROR_LOG_INTERVAL_PROP_NAME, ERROR_LOG_INTERVAL_DEFAULT_NS,
                "An error of one kind is logged at most once per interval; all are counted.",
                ReplicationConfiguration::errorLogIntervalNs));
    }

    private static String fsyncName(final FsyncPolicy policy)
    {
        return policy.name().toLowerCase(Locale.ROOT);
    }

    private static Setting duration(
        final String name, final long defaultNs, final String meaning, final LongSupplier accessor)
    {
        return new Setting(name, Setting.duration(defaultNs), meaning, () -> Setting.duration(accessor.getAsLong()));
    }

    private static Setting size(
        final String name, final long defaultBytes, final String meaning, final LongSupplier accessor)
    {
        return new Setting(name, Setting.size(defaultBytes), meaning, () -> Setting.size(accessor.getAsLong()));
    }

    private static Setting count(
        final String name, final long defaultValue, final String meaning, final LongSupplier accessor)
    {
        return new Setting(name, Long.toString(defaultValue), meaning, () -> Long.toString(accessor.getAsLong()));
    }
}
