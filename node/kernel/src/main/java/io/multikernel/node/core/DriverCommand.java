package io.multikernel.node.core;

import io.multikernel.common.Bounds;
import io.multikernel.common.Sizes;
import io.multikernel.node.util.Usage;
import io.multikernel.transport.IdleStrategies;
import io.multikernel.transport.TransportConfiguration;
import io.multikernel.transport.UrpcMediaDriver;
import org.agrona.concurrent.ShutdownSignalBarrier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code mk driver}: the host's interconnect as a standalone process.
 */
@Command(name = "driver", mixinStandardHelpOptions = true,
    description = { "Run the host's Aeron media driver (the interconnect) until SIGTERM or Ctrl-C.",
        "Cores on this host connect to it through --aeron-dir." })
public final class DriverCommand implements Callable<Integer>
{
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--aeron-dir", description = "Driver directory (default: the mk.aeron.dir property, else " +
        "mk-aeron-$USER under /dev/shm).", defaultValue = "${sys:mk.aeron.dir}")
    String aeronDirectory;

    @Option(names = "--threading", description = "SHARED, SHARED_NETWORK or DEDICATED (default: ${DEFAULT-VALUE}).",
        defaultValue = TransportConfiguration.DRIVER_THREADING_DEFAULT)
    String threading;

    @Option(names = "--idle", description = "busy-spin, yielding, backoff or sleeping (default: ${DEFAULT-VALUE}).",
        defaultValue = TransportConfiguration.DRIVER_IDLE_DEFAULT)
    String idle;

    @Option(names = "--term-length", description = "Log term length, power of two, e.g. 256k (default: ${DEFAULT-VALUE}).",
        defaultValue = "256k")
    String termLength;

    @Option(names = "--liveness-timeout-ms", description = "Silence after which a client or image is declared gone " +
        "(default: ${DEFAULT-VALUE}).", defaultValue = "" + TransportConfiguration.LIVENESS_TIMEOUT_DEFAULT_MS)
    long livenessTimeoutMs;

    @Override
    public Integer call()
    {
        final UrpcMediaDriver.Context ctx = new UrpcMediaDriver.Context();
        try
        {
            // Every flag is checked before anything starts, and a bad one is bad usage (exit 2).
            IdleStrategies.validate(idle);
            final long termLengthBytes = Bounds.check("--term-length", Sizes.parse("--term-length", termLength),
                TransportConfiguration.TERM_LENGTH_MIN_BYTES, TransportConfiguration.TERM_LENGTH_MAX_BYTES, "bytes");
            Bounds.check("--liveness-timeout-ms", livenessTimeoutMs, TransportConfiguration.LIVENESS_TIMEOUT_MIN_MS,
                TimeUnit.NANOSECONDS.toMillis(Long.MAX_VALUE), "ms");
            ctx.threading(threading)
                .idleStrategy(idle)
                .termLength((int)termLengthBytes)
                .livenessTimeoutNs(TimeUnit.MILLISECONDS.toNanos(livenessTimeoutMs));
            if (null != aeronDirectory && !aeronDirectory.isBlank())
            {
                ctx.aeronDirectory(aeronDirectory);
            }
            ctx.conclude();
        }
        catch (final IllegalArgumentException ex)
        {
            throw Usage.error(spec, ex.getMessage());
        }
        // The barrier is closed last: closing it lets the JVM finish exiting, and the driver must have
        // closed (and deleted its directory from /dev/shm) by then.
        try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier();
            UrpcMediaDriver driver = UrpcMediaDriver.launch(ctx))
        {
            System.out.println("media driver running in " + driver.aeronDirectory() + " (SIGTERM or Ctrl-C stops it)");
            System.out.flush();
            barrier.await();
        }
        System.out.println("media driver stopped");
        return 0;
    }
}
