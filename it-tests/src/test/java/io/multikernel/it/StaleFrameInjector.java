package io.multikernel.it;

import io.multikernel.transport.PeerDescriptor;
import io.multikernel.transport.SendOutcome;
import io.multikernel.transport.UrpcEndpoint;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Sends heartbeats to one core while claiming to be another core at a given (old) incarnation: what
 * a restarted core's predecessor would still have in flight. Prints {@code SENT n} and exits.
 * <p>
 * Arguments: {@code aeronDir claimedCoreId incarnation targetCoreId count secretFile}; the frames are
 * sealed with the cluster's key, so only the incarnation check can refuse them.
 */
public final class StaleFrameInjector
{
    private StaleFrameInjector()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int claimed = Integer.parseInt(args[1]);
        final int target = Integer.parseInt(args[3]);
        final int count = Integer.parseInt(args[4]);
        try (UrpcEndpoint endpoint = UrpcEndpoint.launch(new UrpcEndpoint.Context()
            .aeronDirectory(args[0])
            .coreId(claimed)
            .incarnation(Long.parseLong(args[2]))
            .peers(List.of(new PeerDescriptor(target, 0, null)))
            .frameKey(io.multikernel.common.ClusterSecret.load(java.nio.file.Path.of(args[5])).frameKey())))
        {
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            int sent = 0;
            while (sent < count && System.nanoTime() - deadlineNs < 0)
            {
                if (SendOutcome.SENT == endpoint.publisher().sendHeartbeat(target, sent, System.nanoTime()))
                {
                    sent++;
                }
                Thread.sleep(1);
            }
            System.out.println("SENT " + sent);
        }
    }
}
