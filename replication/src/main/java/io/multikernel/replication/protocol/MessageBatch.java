package io.multikernel.replication.protocol;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Protocol messages from one core to one other core, sent as one SBE {@code TwoPhaseBatch}. The
 * messages are kept in the order a receiver handles them: by {@link TwoPhaseMessage#kind()}, and
 * in sending order within a kind.
 *
 * @param sourceIncarnation  the sender's incarnation; a receiver drops batches from an older
 *                           incarnation than one it has already seen.
 * @param batchSequence      per destination, counts up from 1 in each incarnation (the URPC
 *                           envelope's correlation id).
 */
public record MessageBatch(
    int sourceCoreId,
    long sourceIncarnation,
    int destinationCoreId,
    long batchSequence,
    List<TwoPhaseMessage> messages)
{
    private static final Comparator<TwoPhaseMessage> BY_KIND = Comparator.comparingInt(TwoPhaseMessage::kind);

    public MessageBatch
    {
        final List<TwoPhaseMessage> sorted = new ArrayList<>(messages);
        sorted.sort(BY_KIND);
        messages = List.copyOf(sorted);
    }
}
