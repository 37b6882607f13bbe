package io.multikernel.node.bench;

import org.apache.zookeeper.server.quorum.QuorumPeerMain;

import java.io.IOException;
import java.io.InputStream;

/**
 * The main class of one ZooKeeper server JVM started by {@link ZooKeeperEnsemble}: ZooKeeper's own
 * {@link QuorumPeerMain} plus a watchdog that ends the JVM when its standard input closes. The
 * ensemble closes it to stop the server, and the operating system closes it when the benchmark's
 * JVM dies in any way, so no server outlives the benchmark.
 */
public final class ZooKeeperServerProcess
{
    private ZooKeeperServerProcess()
    {
    }

    /**
     * @param args the path of the server's configuration file, as for {@link QuorumPeerMain}.
     */
    public static void main(final String[] args)
    {
        final Thread watchdog = new Thread(ZooKeeperServerProcess::exitWhenStdinCloses, "mk-zookeeper-stdin-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        QuorumPeerMain.main(args);
    }

    private static void exitWhenStdinCloses()
    {
        final InputStream in = System.in;
        try
        {
            while (in.read() >= 0)
            {
                // Nothing is ever written; only the end of the stream matters.
            }
        }
        catch (final IOException ignore)
        {
            // A broken pipe means the parent is gone: stop as for end of stream.
        }
        Runtime.getRuntime().halt(0);
    }
}
