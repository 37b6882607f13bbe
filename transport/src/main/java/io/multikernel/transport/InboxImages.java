package io.multikernel.transport;

import io.aeron.AvailableImageHandler;
import io.aeron.Image;
import io.aeron.UnavailableImageHandler;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the streams of the inbox (one Aeron image per sending peer) come and go, so that messages
 * lost between two live cores are never silent.
 * <p>
 * Aeron is reliable within one image. When a sender's stream falls silent past the driver's liveness
 * timeout (the receiving host or process was starved or stopped, or the network dropped everything
 * for that long) the receiver's driver drops the image; when the stream resumes, a new image of the
 * same session joins at the sender's current position, and whatever lay between where the old image
 * was consumed up to and that position is gone. This class sees both ends: the image that went away
 * (and where it was consumed up to) and the one that came back (and where it joined), and reports the
 * difference as lost bytes: a WARN line naming the sender's address and session, and the counters
 * {@code mk_urpc_inbox_images_lost_total} and {@code mk_urpc_inbox_gap_bytes_total}.
 * <p>
 * Aeron calls the image handlers on its client conductor thread; they only queue an event. The core's
 * agent drains the queue in {@link UrpcEndpoint#poll()}, so the metrics keep their single writer.
 * A new session (a restarted peer, a peer's new Aeron client) is a new stream and has nothing missing.
 */
final class InboxImages implements AvailableImageHandler, UnavailableImageHandler
{
    /** Image events waiting for the agent; beyond it an event is dropped and only logged. */
    static final int EVENT_QUEUE_CAPACITY = 256;
    /** Ended streams remembered per session id until they come back; beyond it the oldest are forgotten. */
    static final int ENDED_SESSIONS_MAX = 1024;

    private static final Logger LOGGER = LoggerFactory.getLogger(InboxImages.class);

    private final int coreId;
    private final UrpcMetrics metrics;
    private final ManyToOneConcurrentArrayQueue<Event> events = new ManyToOneConcurrentArrayQueue<>(EVENT_QUEUE_CAPACITY);
    /** Session id -> where its last image stopped being consumed; the agent's alone. */
    private final Int2ObjectHashMap<Event> ended = new Int2ObjectHashMap<>();

    /**
     * One image joining (at its join position) or going away (at the position it was consumed up to).
     */
    record Event(boolean available, int sessionId, int streamId, String source, long position)
    {
    }

    InboxImages(final int coreId, final UrpcMetrics metrics)
    {
        this.coreId = coreId;
        this.metrics = metrics;
    }

    @Override
    public void onAvailableImage(final Image image)
    {
        enqueue(new Event(true, image.sessionId(), image.subscription().streamId(), image.sourceIdentity(),
            image.joinPosition()));
    }

    @Override
    public void onUnavailableImage(final Image image)
    {
        enqueue(new Event(false, image.sessionId(), image.subscription().streamId(), image.sourceIdentity(),
            image.position()));
    }

    /**
     * @param event for the agent to apply.
     * @return false when {@link #EVENT_QUEUE_CAPACITY} events wait already: this one is logged and dropped.
     */
    boolean enqueue(final Event event)
    {
        if (!events.offer(event))
        {
            LOGGER.warn("core {}: {} image events are waiting already; not tracking {}", coreId,
                EVENT_QUEUE_CAPACITY, event);
            return false;
        }
        return true;
    }

    /**
     * Apply what the image handlers queued; on the core's agent thread.
     *
     * @return events applied.
     */
    int drain()
    {
        return events.isEmpty() ? 0 : events.drain(this::apply);
    }

    /**
     * @param event an image that joined or went away.
     */
    void apply(final Event event)
    {
        if (!event.available())
        {
            metrics.onInboxImageLost();
            if (ended.size() >= ENDED_SESSIONS_MAX)
            {
                ended.clear();
            }
            ended.put(event.sessionId(), event);
            LOGGER.info("core {}: the inbox stream from {} (session {}) went away at position {}", coreId,
                event.source(), event.sessionId(), event.position());
            return;
        }
        final Event before = ended.remove(event.sessionId());
        if (null == before || before.streamId() != event.streamId())
        {
            return;
        }
        final long lostBytes = event.position() - before.position();
        if (lostBytes > 0)
        {
            metrics.onInboxGap(lostBytes);
            LOGGER.warn("core {}: the inbox stream from {} (session {}) came back at position {}, past {} where it " +
                "went away: {} bytes of its messages were lost (it was silent past the driver's liveness timeout)",
                coreId, event.source(), event.sessionId(), event.position(), before.position(), lostBytes);
        }
        else
        {
            LOGGER.info("core {}: the inbox stream from {} (session {}) came back at position {}, nothing lost",
                coreId, event.source(), event.sessionId(), event.position());
        }
    }
}
