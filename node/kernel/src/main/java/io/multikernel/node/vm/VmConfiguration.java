package io.multikernel.node.vm;

import io.multikernel.node.cluster.ClusterLimits;
import io.multikernel.node.skb.RoutingProtocol;
import io.multikernel.common.Setting;

import java.util.List;

/**
 * Settings of a core's address spaces, from system properties (set for every core of a cluster
 * in the JVM options of every core of a cluster).
 */
public final class VmConfiguration
{
    /** The routing protocol of TLB shootdowns whose request names none. */
    public static final String PROTOCOL_PROP = "mk.vm.shootdown.protocol";
    public static final String PROTOCOL_DEFAULT = RoutingProtocol.MULTICAST.cliName();

    /** Entries of each core's TLB. */
    public static final String TLB_ENTRIES_PROP = "mk.vm.tlb.entries";
    public static final int TLB_ENTRIES_DEFAULT = Tlb.ENTRIES_MAX_DEFAULT;

    private VmConfiguration()
    {
    }

    /**
     * @return the default protocol.
     * @throws IllegalArgumentException naming the property when its value is not a protocol.
     */
    public static RoutingProtocol defaultProtocol()
    {
        final String name = System.getProperty(PROTOCOL_PROP, PROTOCOL_DEFAULT);
        try
        {
            return RoutingProtocol.fromCliName(name);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException(PROTOCOL_PROP + "=" + name + ": " + ex.getMessage(), ex);
        }
    }

    /** @return TLB entries per core. */
    public static int tlbEntries()
    {
        final int entries = Integer.getInteger(TLB_ENTRIES_PROP, TLB_ENTRIES_DEFAULT);
        io.multikernel.common.Bounds.check(TLB_ENTRIES_PROP, entries, 1, Tlb.ENTRIES_MAX_LIMIT);
        return entries;
    }

    /** @return every setting above with its default and meaning, for {@code mk config}. */
    public static List<Setting> settings()
    {
        return List.of(
            new Setting(PROTOCOL_PROP, PROTOCOL_DEFAULT,
                "Routing protocol of an unmap's TLB shootdown when the request names none: unicast, broadcast, " +
                "multicast or topo.", () -> defaultProtocol().cliName()),
            new Setting(TLB_ENTRIES_PROP, Integer.toString(TLB_ENTRIES_DEFAULT),
                "Translations each core's TLB holds before it evicts (1.." + Tlb.ENTRIES_MAX_LIMIT + ").",
                () -> Integer.toString(tlbEntries())));
    }

    static int coresMax()
    {
        return ClusterLimits.CORE_ID_MAX + 1;
    }
}
