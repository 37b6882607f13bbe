package io.multikernel.node.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.multikernel.transport.PeerDescriptor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Bad configuration is refused once, by {@code conclude()}, with the value and the limit named.
 */
class MembershipContextTest
{
    private static final long MS_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private static Membership.Context valid()
    {
        return new Membership.Context()
            .selfCoreId(0)
            .peerCoreIds(1, 2)
            .heartbeatIntervalNs(100 * MS_NS)
            .suspectTimeoutNs(500 * MS_NS)
            .downTimeoutNs(2000 * MS_NS)
            .helloRetryIntervalNs(250 * MS_NS)
            .sender(new RecordingSender());
    }

    @Test
    void acceptsTheDefaults()
    {
        final Membership.Context ctx = new Membership.Context().selfCoreId(0).sender(new RecordingSender()).conclude();

        assertThat(ctx.heartbeatIntervalNs()).isEqualTo(MembershipConfiguration.HEARTBEAT_INTERVAL_DEFAULT_NS);
        assertThat(ctx.suspectTimeoutNs()).isEqualTo(MembershipConfiguration.SUSPECT_TIMEOUT_DEFAULT_NS);
        assertThat(ctx.downTimeoutNs()).isEqualTo(MembershipConfiguration.DOWN_TIMEOUT_DEFAULT_NS);
        assertThat(ctx.helloRetryIntervalNs()).isEqualTo(MembershipConfiguration.HELLO_RETRY_INTERVAL_DEFAULT_NS);
    }

    @Test
    void takesPeersFromTheTransportsDescriptors()
    {
        final Membership membership = new Membership(valid().peers(List.of(
            new PeerDescriptor(4, 0, null), new PeerDescriptor(3, 1, "localhost:40403"))));

        assertThat(membership.publishedSnapshot().peers()).extracting(PeerView::coreId).containsExactly(3, 4);
        assertThat(membership.peerCount()).isEqualTo(2);
    }

    @Test
    void rejectsAHeartbeatIntervalOutsideItsBounds()
    {
        assertThatThrownBy(() -> valid().heartbeatIntervalNs(0).conclude())
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("heartbeatIntervalNs=0 ns is outside 1000000..10000000000 ns " +
                "(mk.membership.heartbeat.interval.ms 1..10000)");
        assertThatThrownBy(() -> valid().heartbeatIntervalNs(MembershipConfiguration.HEARTBEAT_INTERVAL_MAX_NS + 1)
            .suspectTimeoutNs(MembershipConfiguration.SUSPECT_TIMEOUT_MAX_NS).conclude())
            .hasMessageStartingWith("heartbeatIntervalNs=10000000001 ns is outside");
    }

    @Test
    void rejectsTimeoutsOutsideTheirBounds()
    {
        assertThatThrownBy(() -> valid().suspectTimeoutNs(MS_NS).conclude())
            .hasMessageStartingWith("suspectTimeoutNs=1000000 ns is outside 2000000..");
        assertThatThrownBy(() -> valid().downTimeoutNs(TimeUnit.HOURS.toNanos(1)).conclude())
            .hasMessageStartingWith("downTimeoutNs=3600000000000 ns is outside 3000000..600000000000 ns");
        assertThatThrownBy(() -> valid().helloRetryIntervalNs(-1).conclude())
            .hasMessageStartingWith("helloRetryIntervalNs=-1 ns is outside");
    }

    @Test
    void rejectsTimeoutsOutOfOrder()
    {
        assertThatThrownBy(() -> valid().suspectTimeoutNs(100 * MS_NS).conclude())
            .hasMessage("suspectTimeoutNs=100000000 must be greater than heartbeatIntervalNs=100000000");
        assertThatThrownBy(() -> valid().downTimeoutNs(400 * MS_NS).conclude())
            .hasMessage("downTimeoutNs=400000000 must be greater than suspectTimeoutNs=500000000");
        assertThatThrownBy(() -> valid().helloRetryIntervalNs(50 * MS_NS).conclude())
            .hasMessage("helloRetryIntervalNs=50000000 must be at least heartbeatIntervalNs=100000000");
    }

    @Test
    void rejectsBadPeers()
    {
        assertThatThrownBy(() -> valid().peerCoreIds(1, 0).conclude())
            .hasMessage("peer coreId=0 is this core itself");
        assertThatThrownBy(() -> valid().peerCoreIds(1, 2, 1).conclude())
            .hasMessage("peer coreId=1 appears twice");
        assertThatThrownBy(() -> valid().peerCoreIds(-3).conclude())
            .hasMessage("peer coreId=-3 is outside 0..65535");
        assertThatThrownBy(() -> valid().peerCoreIds(new int[MembershipConfiguration.PEER_COUNT_MAX + 1]).conclude())
            .hasMessage("peer count=1025 is outside 0..1024");
        assertThatThrownBy(() -> valid().selfCoreId(-1).conclude())
            .hasMessage("selfCoreId=-1 is outside 0..65535");
        assertThatThrownBy(() -> valid().peerCoreIds(1, 2).incarnations(io.multikernel.common.PeerIncarnations.of(1)).conclude())
            .hasMessage("the incarnations table given has no entry for peer core 2: build it from the same peers");
    }

    @Test
    void requiresASender()
    {
        assertThatThrownBy(() -> valid().sender(null).conclude())
            .isInstanceOf(NullPointerException.class)
            .hasMessage("sender");
    }

    @Test
    void readsMillisecondPropertiesAndNamesAMalformedOne()
    {
        final String name = "mk.membership.test.only." + System.nanoTime() + ".ms";
        assertThat(MembershipConfiguration.millisecondsProperty(name, 42)).isEqualTo(42);
        try
        {
            System.setProperty(name, " 250 ");
            assertThat(MembershipConfiguration.millisecondsProperty(name, 42)).isEqualTo(250 * MS_NS);
            System.setProperty(name, "1s");
            assertThatThrownBy(() -> MembershipConfiguration.millisecondsProperty(name, 42))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(name + "=1s is not a whole number of milliseconds");
            System.setProperty(name, "-5");
            assertThatThrownBy(() -> MembershipConfiguration.millisecondsProperty(name, 42))
                .hasMessage(name + "=-5 is not a non-negative number of milliseconds");
        }
        finally
        {
            System.clearProperty(name);
        }
    }
}
