package io.multikernel.node.bench;

import io.aeron.Aeron;
import io.multikernel.transport.IdleStrategies;
import io.multikernel.transport.TransportConfiguration;
import org.agrona.concurrent.IdleStrategy;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The ponging side of a ping-pong benchmark, in its own JVM. Prints {@code READY} once its
 * subscriptions exist and exits when its standard input closes (the benchmark ended or died), so it
 * never outlives the benchmark.
 * <p>
 * Arguments: {@code raw|urpc aeronDir idle MEDIA termLength pingPort pongPort}.
 */
public final class BenchPeerMain
{
    static final String READY = "READY";

    private BenchPeerMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        if (args.length != 8)
        {
            System.err.println("usage: BenchPeerMain raw|urpc aeronDir idle MEDIA termLength pingPort pongPort frameKeyHex|-");
            System.exit(2);
        }
        final String system = args[0];
        final String aeronDirectory = args[1];
        final IdleStrategy idle = IdleStrategies.of(args[2], TransportConfiguration.idleParkMaxNs());
        final IdleStrategy echoIdle = IdleStrategies.of(args[2], TransportConfiguration.idleParkMaxNs());
        final BenchChannels channels = BenchChannels.fromArgs(args, 3);
        final AtomicBoolean running = new AtomicBoolean(true);
        watchStdin(running);

        if ("raw".equals(system))
        {
            try (Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDirectory));
                RawPeers.Ponger ponger = new RawPeers.Ponger(aeron, channels, echoIdle))
            {
                ready();
                while (running.get())
                {
                    idle.idle(ponger.poll());
                }
            }
        }
        else
        {
            try (UrpcPeers.Ponger ponger = new UrpcPeers.Ponger(aeronDirectory, channels, echoIdle))
            {
                ready();
                while (running.get())
                {
                    idle.idle(ponger.poll());
                }
            }
        }
    }

    private static void ready()
    {
        System.out.println(READY);
        System.out.flush();
    }

    private static void watchStdin(final AtomicBoolean running)
    {
        final Thread watcher = new Thread(() ->
        {
            final InputStream in = System.in;
            try
            {
                while (in.read() >= 0)
                {
                    // Nothing is expected on stdin; only its end matters.
                }
            }
            catch (final IOException ignore)
            {
                // Treated as end of input.
            }
            running.set(false);
        }, "stdin-watch");
        watcher.setDaemon(true);
        watcher.start();
    }
}
