package io.multikernel.node.replication;

import io.multikernel.node.skb.NameService;
import io.multikernel.replication.OutcomeListener;
import io.multikernel.replication.ParticipantSet;
import io.multikernel.replication.TransactionId;
import io.multikernel.replication.TransactionOutcome;
import io.multikernel.replication.kv.KeyValueOperation;
import io.multikernel.replication.kv.KeyValueStateMachine;

import java.util.List;

/**
 * A replication for tests that serve the agreed name service without a cluster: every proposal is
 * decided at once against one real {@link KeyValueStateMachine}, committed when every operation
 * validates (applied in order), aborted with the first problem otherwise.
 */
public final class CommittingReplication implements AgreedNameService.Replication
{
    private final int[] clusterCoreIds;
    private final int coordinatorCoreId;
    private final KeyValueStateMachine replica = new KeyValueStateMachine();
    private long sequence;

    /**
     * @param coordinatorCoreId the core the service runs on.
     * @param clusterCoreIds    every core of the cluster.
     */
    public CommittingReplication(final int coordinatorCoreId, final int... clusterCoreIds)
    {
        this.coordinatorCoreId = coordinatorCoreId;
        this.clusterCoreIds = clusterCoreIds.clone();
    }

    public int[] clusterCoreIds()
    {
        return clusterCoreIds.clone();
    }

    public String proposalRefusal()
    {
        return null;
    }

    public void propose(final ParticipantSet replicas, final List<KeyValueOperation> operations,
        final OutcomeListener listener)
    {
        final TransactionId id = new TransactionId(coordinatorCoreId, 1, ++sequence);
        for (final KeyValueOperation operation : operations)
        {
            final String problem = replica.validate(operation);
            if (null != problem)
            {
                listener.onOutcome(id, TransactionOutcome.aborted(problem));
                return;
            }
        }
        operations.forEach(replica::apply);
        listener.onOutcome(id, TransactionOutcome.committed());
    }

    public String read(final String key)
    {
        return replica.get(key);
    }

    public int registeredNameCount()
    {
        return replica.entries().subMap(NameService.KEY_PREFIX, "name0").size();
    }
}
