package io.multikernel.node.skb;

import java.util.Arrays;

/**
 * How one message travels from an initiator to a set of target cores: a tree rooted at the
 * initiator in which every node lists, in send order, the children it passes the message to.
 * Each target appears exactly once; the initiator is never its own target. A node either sends
 * one message per child, or (broadcast) writes once to a shared channel that all its children
 * read, which {@link #writesSharedChannel(int)} tells apart.
 *
 * <p>Derived numbers the benchmark reports: {@link #initiatorMessages()} (sends by the initiator),
 * {@link #totalMessages()} (sends by all nodes), {@link #depth()} (hops on the critical path).
 * Made by {@link RoutingPlanner}; immutable; equal plans compare equal.
 */
public final class SendPlan
{
    /** {@link #parentOf(int)} of the initiator. */
    public static final int NO_PARENT = -1;

    private final RoutingProtocol protocol;
    private final int initiator;
    private final int[] targets;
    private final int[] nodes;
    private final int[] parents;
    private final int[][] children;
    private final boolean[] sharedWrite;
    private final int[] hops;
    private final int[] sortedNodes;
    private final int[] nodeIndexOfSorted;
    private final int depth;
    private final int totalMessages;

    private SendPlan(final Builder builder)
    {
        protocol = builder.protocol;
        initiator = builder.initiator;
        targets = builder.targets;
        nodes = Arrays.copyOf(builder.nodes, builder.count);
        sharedWrite = Arrays.copyOf(builder.sharedWrite, builder.count);
        parents = new int[nodes.length];
        hops = new int[nodes.length];
        children = new int[nodes.length][];
        final int[] childCount = new int[nodes.length];
        for (int i = 1; i < nodes.length; i++)
        {
            childCount[builder.parentNode[i]]++;
        }
        for (int i = 0; i < nodes.length; i++)
        {
            children[i] = new int[childCount[i]];
            childCount[i] = 0;
        }
        parents[0] = NO_PARENT;
        int maxHops = 0;
        for (int i = 1; i < nodes.length; i++)
        {
            final int parent = builder.parentNode[i];
            parents[i] = nodes[parent];
            hops[i] = hops[parent] + 1;
            children[parent][childCount[parent]++] = nodes[i];
            maxHops = Math.max(maxHops, hops[i]);
        }
        depth = maxHops;
        sortedNodes = nodes.clone();
        Arrays.sort(sortedNodes);
        nodeIndexOfSorted = new int[nodes.length];
        for (int i = 0; i < nodes.length; i++)
        {
            nodeIndexOfSorted[Arrays.binarySearch(sortedNodes, nodes[i])] = i;
        }
        int messages = 0;
        for (int i = 0; i < nodes.length; i++)
        {
            messages += messagesAt(i);
        }
        totalMessages = messages;
    }

    /**
     * @return the protocol that made this plan.
     */
    public RoutingProtocol protocol()
    {
        return protocol;
    }

    /**
     * @return the core that starts the send.
     */
    public int initiator()
    {
        return initiator;
    }

    /**
     * @return the cores the message reaches, ascending, without the initiator (a copy).
     */
    public int[] targets()
    {
        return targets.clone();
    }

    /**
     * @return the initiator, then every target in the order it is first sent to (a copy).
     */
    public int[] nodes()
    {
        return nodes.clone();
    }

    /**
     * @param coreId a core id.
     * @return true when the core is the initiator or a target.
     */
    public boolean contains(final int coreId)
    {
        return Arrays.binarySearch(sortedNodes, coreId) >= 0;
    }

    /**
     * @param coreId a core in the plan.
     * @return the cores it sends to, in send order; empty for a leaf (a copy).
     */
    public int[] childrenOf(final int coreId)
    {
        return children[nodeIndex(coreId)].clone();
    }

    /**
     * @param coreId a core in the plan.
     * @return the core it receives from, or {@link #NO_PARENT} for the initiator.
     */
    public int parentOf(final int coreId)
    {
        return parents[nodeIndex(coreId)];
    }

    /**
     * @param coreId a core in the plan.
     * @return hops from the initiator: 0 for the initiator, 1 for its children, ...
     */
    public int hopsTo(final int coreId)
    {
        return hops[nodeIndex(coreId)];
    }

    /**
     * @param coreId a core in the plan.
     * @return true when the core reaches all its children with one write to a shared channel.
     */
    public boolean writesSharedChannel(final int coreId)
    {
        return sharedWrite[nodeIndex(coreId)];
    }

    /**
     * @param coreId a core in the plan.
     * @return messages the core sends: one per child, or one shared write for all of them.
     */
    public int messagesSentBy(final int coreId)
    {
        return messagesAt(nodeIndex(coreId));
    }

    /**
     * @return messages the initiator sends itself, the cost it pays sequentially.
     */
    public int initiatorMessages()
    {
        return messagesAt(0);
    }

    /**
     * @return messages sent by all nodes together.
     */
    public int totalMessages()
    {
        return totalMessages;
    }

    /**
     * @return hops on the critical path: the tree's height; 0 when there are no targets.
     */
    public int depth()
    {
        return depth;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public boolean equals(final Object other)
    {
        return other instanceof SendPlan that && protocol == that.protocol && initiator == that.initiator &&
            Arrays.equals(targets, that.targets) && Arrays.equals(nodes, that.nodes) &&
            Arrays.equals(parents, that.parents) && Arrays.equals(sharedWrite, that.sharedWrite) &&
            Arrays.deepEquals(children, that.children);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int hashCode()
    {
        return ((protocol.hashCode() * 31 + initiator) * 31 + Arrays.hashCode(nodes)) * 31 + Arrays.hashCode(parents);
    }

    /**
     * @return for example {@code MULTICAST from 0: 0->[4, 8] 4->[5, 6] 8->[9]}; a shared-channel
     *         write is shown as {@code =>}.
     */
    @Override
    public String toString()
    {
        final StringBuilder builder = new StringBuilder()
            .append(protocol).append(" from ").append(initiator).append(':');
        for (int i = 0; i < nodes.length; i++)
        {
            if (children[i].length > 0)
            {
                builder.append(' ').append(nodes[i]).append(sharedWrite[i] ? "=>" : "->")
                    .append(Arrays.toString(children[i]));
            }
        }
        return builder.toString();
    }

    private int messagesAt(final int nodeIndex)
    {
        final int childCount = children[nodeIndex].length;
        return sharedWrite[nodeIndex] ? Math.min(childCount, 1) : childCount;
    }

    private int nodeIndex(final int coreId)
    {
        final int sorted = Arrays.binarySearch(sortedNodes, coreId);
        if (sorted < 0)
        {
            throw new IllegalArgumentException("core " + coreId + " is not in the plan " + protocol + " from " +
                initiator + " to " + targets.length + " targets");
        }
        return nodeIndexOfSorted[sorted];
    }

    /**
     * Grows a plan edge by edge, checking as it goes that the result is a tree over exactly the
     * initiator and the targets: a core sends only once it has been reached, and each target is
     * reached once. A violation is a bug in a protocol, so it throws.
     */
    static final class Builder
    {
        private final RoutingProtocol protocol;
        private final Topology topology;
        private final int initiator;
        private final int[] targets;
        private final int[] nodeOfCoreIndex;
        private final int[] nodes;
        private final int[] parentNode;
        private final boolean[] sharedWrite;
        private int count;

        /**
         * @param topology  the cores.
         * @param protocol  the protocol being planned.
         * @param initiator the root.
         * @param targets   distinct targets in the topology, ascending, without the initiator.
         */
        Builder(final Topology topology, final RoutingProtocol protocol, final int initiator, final int[] targets)
        {
            this.protocol = protocol;
            this.topology = topology;
            this.initiator = initiator;
            this.targets = targets;
            this.nodeOfCoreIndex = new int[topology.coreCount()];
            this.nodes = new int[targets.length + 1];
            this.parentNode = new int[targets.length + 1];
            this.sharedWrite = new boolean[targets.length + 1];
            Arrays.fill(nodeOfCoreIndex, -1);
            add(initiator, -1);
        }

        /**
         * @param from a core already reached.
         * @param to   a target not yet reached.
         * @return this.
         */
        Builder send(final int from, final int to)
        {
            final int fromNode = reachedNode(from);
            if (sharedWrite[fromNode])
            {
                throw violation("core " + from + " writes a shared channel and cannot also send to " + to);
            }
            add(to, fromNode);
            return this;
        }

        /**
         * @param from    a core already reached, which has not sent yet.
         * @param readers targets not yet reached, which read the channel {@code from} writes once.
         * @return this.
         */
        Builder sharedWrite(final int from, final int[] readers)
        {
            final int fromNode = reachedNode(from);
            for (int i = fromNode + 1; i < count; i++)
            {
                if (parentNode[i] == fromNode)
                {
                    throw violation("core " + from + " already sent, so it cannot write a shared channel");
                }
            }
            sharedWrite[fromNode] = readers.length > 0;
            for (final int reader : readers)
            {
                add(reader, fromNode);
            }
            return this;
        }

        /**
         * @return the plan.
         * @throws IllegalStateException when a target was not reached.
         */
        SendPlan build()
        {
            if (count != targets.length + 1)
            {
                throw violation("reached " + (count - 1) + " of " + targets.length + " targets");
            }
            return new SendPlan(this);
        }

        private void add(final int coreId, final int fromNode)
        {
            final int coreIndex = topology.requireIndex(coreId);
            if (nodeOfCoreIndex[coreIndex] != -1)
            {
                throw violation("core " + coreId + " is reached twice");
            }
            if (fromNode != -1 && Arrays.binarySearch(targets, coreId) < 0)
            {
                throw violation("core " + coreId + " is not a target");
            }
            nodes[count] = coreId;
            parentNode[count] = fromNode;
            nodeOfCoreIndex[coreIndex] = count++;
        }

        private int reachedNode(final int coreId)
        {
            final int node = nodeOfCoreIndex[topology.requireIndex(coreId)];
            if (node == -1)
            {
                throw violation("core " + coreId + " sends before it is reached");
            }
            return node;
        }

        private IllegalStateException violation(final String what)
        {
            return new IllegalStateException(protocol + " plan from " + initiator + ": " + what);
        }
    }
}
