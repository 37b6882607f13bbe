package io.multikernel.replication.protocol;

import io.multikernel.replication.TransactionId;

/**
 * One 2PC protocol message about one transaction. Many travel together in a {@link MessageBatch}.
 */
public sealed interface TwoPhaseMessage permits Prepare, Vote, Decision, Ack, Query, StatusReply
{
    /** A reason longer than this many characters is cut; a reason is for a person, not a payload. */
    int MAX_REASON_LENGTH_CHARS = 200;

    TransactionId transactionId();

    /**
     * @return the message's rank in a batch: a receiver handles prepares, then votes, decisions,
     * acks, queries and status replies, the order of the groups in the SBE message.
     */
    int kind();

    /**
     * @return {@code reason} cut to {@link #MAX_REASON_LENGTH_CHARS}, never null.
     */
    static String limitReason(final String reason)
    {
        if (null == reason)
        {
            return "";
        }
        return reason.length() <= MAX_REASON_LENGTH_CHARS ? reason : reason.substring(0, MAX_REASON_LENGTH_CHARS);
    }
}
