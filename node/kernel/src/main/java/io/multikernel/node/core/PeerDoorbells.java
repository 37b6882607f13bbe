package io.multikernel.node.core;

import io.multikernel.schema.HeartbeatEncoder;
import io.multikernel.schema.PongEncoder;
import io.multikernel.schema.SkbRowEncoder;
import io.multikernel.transport.DoorbellRinger;
import io.multikernel.transport.UrpcPublisher;
import org.agrona.concurrent.NanoClock;

import java.net.InetSocketAddress;
import java.util.Arrays;

/**
 * Rings the doorbells of peers that may be dozing ({@link DozingIdleStrategy}) when this core has
 * just given them work. A peer dozes only after {@code dozeAfterNs} without work, and every message
 * but heartbeats and SKB rows is work for it: so a peer this core sent work less than half that long
 * ago is still awake, and the ring is skipped. Only the first message after a quiet spell rings, once
 * per peer, after the duty cycle's flush has put it in the peer's inbox: a busy cluster sends no rings.
 * <p>
 * The quiet spell is measured from the start of the duty cycle that sent the last work (no later than
 * the peer saw it) to the clock read after this cycle's flush (no earlier than the peer can see this
 * message), so a preempted sender errs towards ringing. Probes ring like any work, so that a probe
 * measures the transport and not the peer's doze; their answers do not (the prober is awake: it has
 * just sent work). Kernel loop only.
 */
final class PeerDoorbells implements UrpcPublisher.SendObserver
{
    private final InetSocketAddress[] doorbellByCore;
    private final long ringQuietNs;
    private final NanoClock clock;
    private final DoorbellRinger ringer;
    /** Per core: clock reading after the last flush that carried it a message other than background. */
    private final long[] lastWorkSentNs;
    private final boolean[] sentThisCycle;
    private final int[] sentThisCycleCores;
    private int sentThisCycleCount;
    private long ringsSent;
    private long ringsFailed;

    /**
     * @param doorbellByCore where each core's doorbell listens, indexed by core id; {@code null} for
     *                       this core and any core not rung.
     * @param dozeAfterNs    the peers' quiet time before they doze; rings follow quiet spells of half.
     * @param clock          the kernel loop's clock.
     * @param ringer         sends the rings.
     */
    PeerDoorbells(final InetSocketAddress[] doorbellByCore, final long dozeAfterNs, final NanoClock clock,
        final DoorbellRinger ringer)
    {
        this.doorbellByCore = doorbellByCore.clone();
        this.ringQuietNs = dozeAfterNs / 2;
        this.clock = clock;
        this.ringer = ringer;
        this.lastWorkSentNs = new long[doorbellByCore.length];
        this.sentThisCycle = new boolean[doorbellByCore.length];
        this.sentThisCycleCores = new int[doorbellByCore.length];
        final long longAgoNs = clock.nanoTime() - ringQuietNs - 1;
        Arrays.fill(lastWorkSentNs, longAgoNs);
    }

    /**
     * @param templateId a URPC message's template, or {@link UrpcPublisher.SendObserver#HELD_FRAME}.
     * @return true for messages that never ring: the monitor's background traffic (heartbeats, SKB
     *         rows), which is no work for the peer, and answers to probes, whose peer is awake.
     */
    static boolean ringless(final int templateId)
    {
        return HeartbeatEncoder.TEMPLATE_ID == templateId || SkbRowEncoder.TEMPLATE_ID == templateId ||
            PongEncoder.TEMPLATE_ID == templateId;
    }

    @Override
    public void onSent(final int destination, final int templateId)
    {
        if (destination < 0 || destination >= doorbellByCore.length || sentThisCycle[destination] ||
            ringless(templateId))
        {
            return;
        }
        sentThisCycle[destination] = true;
        sentThisCycleCores[sentThisCycleCount++] = destination;
    }

    /**
     * After the duty cycle's flush: ring each peer that got work this cycle after a quiet spell.
     *
     * @param cycleStartNs the clock when this duty cycle began, before any of its sends.
     * @return rings sent.
     */
    int ringAfterFlush(final long cycleStartNs)
    {
        if (0 == sentThisCycleCount)
        {
            return 0;
        }
        final long nowNs = clock.nanoTime();
        int rung = 0;
        for (int i = 0; i < sentThisCycleCount; i++)
        {
            final int core = sentThisCycleCores[i];
            sentThisCycle[core] = false;
            final InetSocketAddress doorbell = doorbellByCore[core];
            if (null != doorbell && nowNs - lastWorkSentNs[core] >= ringQuietNs)
            {
                if (ringer.ring(doorbell))
                {
                    rung++;
                }
                else
                {
                    ringsFailed++;
                }
            }
            lastWorkSentNs[core] = cycleStartNs;
        }
        sentThisCycleCount = 0;
        ringsSent += rung;
        return rung;
    }

    /** Closes the ringer's socket; on the kernel loop's close. */
    void close()
    {
        ringer.close();
    }

    /** @return rings sent. */
    long ringsSent()
    {
        return ringsSent;
    }

    /** @return rings that could not be sent (dropped; the peer finds the message at its next tick). */
    long ringsFailed()
    {
        return ringsFailed;
    }
}
