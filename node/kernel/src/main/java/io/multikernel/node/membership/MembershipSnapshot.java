package io.multikernel.node.membership;

import java.util.List;

/**
 * An immutable copy of what one core believes about its peers, for threads other than the agent
 * (admin HTTP, status). Taken by {@link Membership#snapshot(long)} on the agent thread and published
 * through {@link Membership#publishedSnapshot()}.
 *
 * @param selfCoreId the core that holds these beliefs.
 * @param takenAtNs  agent clock time the snapshot was taken at; ages in {@link PeerView} are as of then.
 * @param peers      one view per peer, in ascending core id order.
 */
public record MembershipSnapshot(int selfCoreId, long takenAtNs, List<PeerView> peers)
{
    public MembershipSnapshot
    {
        peers = List.copyOf(peers);
    }

    /**
     * @param state to count.
     * @return how many peers are in it.
     */
    public int count(final PeerState state)
    {
        int count = 0;
        for (final PeerView peer : peers)
        {
            if (peer.state() == state)
            {
                count++;
            }
        }
        return count;
    }

    /**
     * @param coreId of a peer.
     * @return its view, or {@code null} if it is not a peer.
     */
    public PeerView peer(final int coreId)
    {
        for (final PeerView peer : peers)
        {
            if (peer.coreId() == coreId)
            {
                return peer;
            }
        }
        return null;
    }
}
