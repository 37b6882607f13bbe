package io.multikernel.node.bench;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The systems {@code mk bench 2pc} can measure, by the name used on the command line and in rows.
 */
public enum ReplicatedWriteSystems
{
    /** Our cores: replicated puts through two-phase commit over URPC. */
    MULTIKERNEL(MultikernelReplicatedWrites.NAME, 0, MultikernelReplicatedWrites::new),
    /** The peer system: a ZooKeeper ensemble doing {@code setData}. */
    ZOOKEEPER(ZooKeeperReplicatedWrites.NAME, ZooKeeperReplicatedWrites.ENSEMBLE_SERVERS, ZooKeeperReplicatedWrites::new),
    /** The second peer system: a three-member Aeron Cluster holding a key-value map. */
    AERON_CLUSTER(AeronClusterReplicatedWrites.NAME, AeronClusterReplicatedWrites.MEMBERS, AeronClusterReplicatedWrites::new);

    private final String displayName;
    private final int fixedReplicas;
    private final Function<ReplicatedWriteSettings, ReplicatedWriteSystem> factory;

    ReplicatedWriteSystems(final String displayName, final int fixedReplicas,
        final Function<ReplicatedWriteSettings, ReplicatedWriteSystem> factory)
    {
        this.displayName = displayName;
        this.fixedReplicas = fixedReplicas;
        this.factory = factory;
    }

    /**
     * @return the name on the command line and in rows.
     */
    public String displayName()
    {
        return displayName;
    }

    /**
     * @param requested the replica counts asked for.
     * @return the replica counts this system runs at: the requested ones, or its one fixed size.
     */
    public List<Integer> replicaCounts(final List<Integer> requested)
    {
        return 0 == fixedReplicas ? requested : List.of(fixedReplicas);
    }

    /**
     * @param settings shared by the run.
     * @return a new, not yet started deployment.
     */
    public ReplicatedWriteSystem create(final ReplicatedWriteSettings settings)
    {
        return factory.apply(settings);
    }

    /**
     * @param name as typed, case-insensitive.
     * @return the system.
     * @throws IllegalArgumentException naming the value and the accepted ones.
     */
    public static ReplicatedWriteSystems parse(final String name)
    {
        final String trimmed = name.trim().toLowerCase(Locale.ROOT);
        for (final ReplicatedWriteSystems system : values())
        {
            if (system.displayName.equals(trimmed))
            {
                return system;
            }
        }
        throw new IllegalArgumentException("system '" + name + "' is not one of multikernel, zookeeper, aeron-cluster");
    }
}
