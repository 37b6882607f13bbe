package io.multikernel.node.launcher;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Consecutive loopback ports that were free for both TCP (admin servers) and UDP (inboxes) just now,
 * for benchmarks and tests that start clusters. Searched below Linux's ephemeral range (32768 and
 * up), so the source ports of outgoing connections, which the kernel takes from that range, do not
 * grab one between the search and the bind.
 */
public final class FreePorts
{
    /** Lowest port searched. */
    public static final int PORT_RANGE_LOW = 20_000;
    /** One past the highest port searched: the start of Linux's default ephemeral range. */
    public static final int PORT_RANGE_HIGH = 32_768;
    /** Random ranges tried before giving up. */
    public static final int SEARCH_ATTEMPTS = 64;

    private FreePorts()
    {
    }

    /**
     * @param count consecutive ports wanted, 1 .. {@code PORT_RANGE_HIGH - PORT_RANGE_LOW}.
     * @return the first of {@code count} consecutive ports free for TCP and UDP on loopback now.
     * @throws IOException when {@code SEARCH_ATTEMPTS} random ranges all had a port in use.
     */
    public static int range(final int count) throws IOException
    {
        if (count < 1 || count > PORT_RANGE_HIGH - PORT_RANGE_LOW)
        {
            throw new IllegalArgumentException("count=" + count + " is outside 1.." + (PORT_RANGE_HIGH - PORT_RANGE_LOW));
        }
        for (int attempt = 0; attempt < SEARCH_ATTEMPTS; attempt++)
        {
            final int base = ThreadLocalRandom.current().nextInt(PORT_RANGE_LOW, PORT_RANGE_HIGH - count + 1);
            if (free(base, count))
            {
                return base;
            }
        }
        throw new IOException("found no " + count + " consecutive free TCP and UDP ports between " + PORT_RANGE_LOW +
            " and " + PORT_RANGE_HIGH + " in " + SEARCH_ATTEMPTS + " tries");
    }

    private static boolean free(final int base, final int count)
    {
        final InetAddress loopback = InetAddress.getLoopbackAddress();
        for (int port = base; port < base + count; port++)
        {
            try (ServerSocket tcp = new ServerSocket(port, 1, loopback); DatagramSocket udp = new DatagramSocket(port, loopback))
            {
                // Free for an admin server and a UDP inbox.
            }
            catch (final IOException ex)
            {
                return false;
            }
        }
        return true;
    }
}
