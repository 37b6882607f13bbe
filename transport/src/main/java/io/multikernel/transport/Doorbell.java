package io.multikernel.transport;

import org.agrona.CloseHelper;
import org.agrona.concurrent.NanoClock;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What a dozing core blocks on: a UDP socket that peers and apps send a one-byte datagram to when
 * they have just given the core work (a "ring"), the notification half of the paper's "poll for a
 * while, then block and be notified". Threads of the same process wake it without the network
 * ({@link #wakeup()}).
 * <p>
 * A ring carries nothing and changes nothing but when the core next looks at its inbox and LRPC
 * ring; every message still arrives, authenticated, over URPC or LRPC. So a lost ring costs at most
 * one doze of latency, and a forged one only a wake-up (see docs/SECURITY.md).
 * <p>
 * {@link #await} is for the owning kernel loop only; {@link #wakeup()} and {@link #close()} for any
 * thread.
 */
public final class Doorbell implements AutoCloseable
{
    /** Longest datagram read when draining; rings are one byte, anything longer is cut and dropped. */
    static final int DATAGRAM_LENGTH_MAX_BYTES = 64;
    /** Datagrams drained after one wake-up, so a flood cannot hold the kernel loop here. */
    static final int DRAIN_DATAGRAMS_MAX = 256;

    private final DatagramChannel channel;
    private final Selector selector;
    private final InetSocketAddress localAddress;
    private final int drainDatagramsMax;
    private final ByteBuffer receiveBuffer = ByteBuffer.allocateDirect(DATAGRAM_LENGTH_MAX_BYTES);
    private final AtomicBoolean wokenInProcess = new AtomicBoolean();
    private long datagramsReceived;
    private long wakeupsInProcess;

    private Doorbell(final DatagramChannel channel, final Selector selector, final int drainDatagramsMax)
        throws IOException
    {
        this.drainDatagramsMax = drainDatagramsMax;
        this.channel = channel;
        this.selector = selector;
        this.localAddress = (InetSocketAddress)channel.getLocalAddress();
    }

    /**
     * @param bindAddress where rings arrive: the loopback address when only this host rings, the
     *                    wildcard or a host address when other hosts do too; port 0 picks a free one.
     * @return a bound doorbell.
     * @throws IOException when the address cannot be bound (for example, the port is taken).
     */
    public static Doorbell open(final InetSocketAddress bindAddress) throws IOException
    {
        return open(bindAddress, DRAIN_DATAGRAMS_MAX);
    }

    /** As {@link #open(InetSocketAddress)} with another bound on the datagrams read per wake-up (tests). */
    static Doorbell open(final InetSocketAddress bindAddress, final int drainDatagramsMax) throws IOException
    {
        DatagramChannel channel = null;
        Selector selector = null;
        try
        {
            channel = DatagramChannel.open(bindAddress.getAddress() instanceof java.net.Inet6Address ?
                StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
            channel.bind(bindAddress);
            channel.configureBlocking(false);
            selector = Selector.open();
            channel.register(selector, SelectionKey.OP_READ);
            return new Doorbell(channel, selector, drainDatagramsMax);
        }
        catch (final IOException | RuntimeException ex)
        {
            CloseHelper.quietCloseAll(selector, channel);
            throw ex;
        }
    }

    /**
     * Block until a ring arrives, another thread of this process calls {@link #wakeup()}, the
     * deadline passes or the thread is interrupted, whichever is first; then drain what arrived. A
     * wakeup or ring that came while nobody waited ends the next wait at once.
     *
     * @param deadlineNs when to stop waiting, on {@code clock}.
     * @param clock      the kernel loop's clock.
     * @return true when rung or woken, false when the deadline passed.
     * @throws IOException when the socket fails; the caller stops dozing.
     */
    public boolean await(final long deadlineNs, final NanoClock clock) throws IOException
    {
        long remainingNs = deadlineNs - clock.nanoTime();
        while (remainingNs > 0)
        {
            // select(ms) rounds to whole milliseconds: round up, so a wait never ends before its deadline.
            final long timeoutMs = Math.max(1, (remainingNs + TimeUnit.MILLISECONDS.toNanos(1) - 1) /
                TimeUnit.MILLISECONDS.toNanos(1));
            selector.select(timeoutMs);
            selector.selectedKeys().clear();
            if (drain())
            {
                return true;
            }
            if (Thread.currentThread().isInterrupted())
            {
                // Closing: an interrupted select returns at once, so waiting on would spin until the deadline.
                return false;
            }
            remainingNs = deadlineNs - clock.nanoTime();
        }
        return drain();
    }

    /** @return true when a ring or an in-process wakeup was waiting; reads every ring that was. */
    private boolean drain() throws IOException
    {
        boolean rung = false;
        if (wokenInProcess.getAndSet(false))
        {
            wakeupsInProcess++;
            rung = true;
        }
        return readRings() > 0 || rung;
    }

    /** @return rings read, at most {@code drainDatagramsMax}, so a flood cannot hold the caller. */
    private int readRings() throws IOException
    {
        int read = 0;
        while (read < drainDatagramsMax)
        {
            receiveBuffer.clear();
            if (null == channel.receive(receiveBuffer))
            {
                break;
            }
            read++;
        }
        datagramsReceived += read;
        return read;
    }

    /**
     * Read and forget the rings that came while the kernel loop was awake (their messages are already
     * in its inbox or LRPC ring, which it is about to look at once more), so they do not end its next
     * wait at once. In-process wakeups are kept: one may stand for a command not yet queued.
     *
     * @return rings discarded.
     * @throws IOException when the socket fails.
     */
    public int discardRings() throws IOException
    {
        return readRings();
    }

    /**
     * Wake the kernel loop from another thread of this process (an admin request handed it a command).
     * Safe to call at any time; a wakeup while the loop is not waiting ends its next wait at once.
     */
    public void wakeup()
    {
        // A wakeup already pending ends the next wait by itself: no second system call.
        if (!wokenInProcess.getAndSet(true))
        {
            selector.wakeup();
        }
    }

    /** @return where rings arrive (with the port chosen when it was 0). */
    public InetSocketAddress localAddress()
    {
        return localAddress;
    }

    /** @return rings received (datagrams, whoever sent them); kernel loop only. */
    public long datagramsReceived()
    {
        return datagramsReceived;
    }

    /** @return wake-ups by {@link #wakeup()} that ended or preempted a wait; kernel loop only. */
    public long wakeupsInProcess()
    {
        return wakeupsInProcess;
    }

    @Override
    public void close()
    {
        CloseHelper.quietCloseAll(selector, channel);
    }
}
