package io.multikernel.transport;

import io.aeron.AvailableImageHandler;
import io.aeron.Image;
import io.aeron.UnavailableImageHandler;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;

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
 * Aeron calls the image handlers on its client conductor thread, or on a thread that closes or adds a
 * subscription; they only queue an event. The core's agent drains the queue in
 * {@link UrpcEndpoint#poll()}, so the metrics keep their single writer. A new session (a restarted
 * peer, a peer's new Aeron client) is a new stream and has nothing missing; a stream that ended
 * cleanly (its publication closed) is not remembered. Streams are told apart by source (the sender's
 * address, or {@code aeron:ipc}) and session id.
 * <p>
 * Where an image went away is the position its last completed poll consumed up to, so the count is
 * an upper bound by at most the fragments of one poll that raced the image's close. When this core's
 * own Aeron client reconnected ({@link #onOwnClientReconnect()}), what the old client held unread went
 * with it, and the log says so rather than blaming the sender.
 */
final class InboxImages implements AvailableImageHandler, UnavailableImageHandler
{
    /** Image events waiting for the agent; beyond it an event is dropped and only logged. */
    static final int EVENT_QUEUE_CAPACITY = 256;
    /** Ended streams remembered until they come back; beyond it the oldest is forgotten. */
    static final int ENDED_STREAMS_MAX = 1024;

    private static final Logger LOGGER = LoggerFactory.getLogger(InboxImages.class);

    private final int coreId;
    private final UrpcMetrics metrics;
    private final ManyToOneConcurrentArrayQueue<Event> events = new ManyToOneConcurrentArrayQueue<>(EVENT_QUEUE_CAPACITY);
    /** Stream (source and session) -> where its last image stopped being consumed, oldest first; the agent's alone. */
    private final LinkedHashMap<String, Ended> ended = new LinkedHashMap<>(16, 0.75f, false)
    {
        @Override
        protected boolean removeEldestEntry(final Map.Entry<String, Ended> eldest)
        {
            return size() > ENDED_STREAMS_MAX;
        }
    };
    /** True only while the events of this core's old Aeron client are applied: the images it closed. */
    private boolean ownClientReconnected;

    /**
     * @param position       the stream's last image was consumed up to.
     * @param byOwnReconnect that image closed with this core's old Aeron client.
     */
    private record Ended(long position, boolean byOwnReconnect)
    {
    }

    /**
     * One image joining (at its join position) or going away (at the position it was consumed up to,
     * having ended cleanly or not).
     */
    record Event(boolean available, int sessionId, String source, long position, boolean endOfStream)
    {
        String stream()
        {
            return source + "/" + sessionId;
        }
    }

    InboxImages(final int coreId, final UrpcMetrics metrics)
    {
        this.coreId = coreId;
        this.metrics = metrics;
    }

    @Override
    public void onAvailableImage(final Image image)
    {
        enqueue(new Event(true, image.sessionId(), image.sourceIdentity(), image.joinPosition(), false));
    }

    @Override
    public void onUnavailableImage(final Image image)
    {
        enqueue(new Event(false, image.sessionId(), image.sourceIdentity(), image.position(), image.isEndOfStream()));
    }

    /**
     * This core's endpoint lost its Aeron client and is connecting a new one: the old client queued the
     * events of the images it closed as it closed, and they are applied now, marked as this core's own
     * doing. On the agent thread, before the new client subscribes.
     *
     * @return events applied.
     */
    int onOwnClientReconnect()
    {
        ownClientReconnected = true;
        try
        {
            return drain();
        }
        finally
        {
            ownClientReconnected = false;
        }
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
            if (event.endOfStream())
            {
                LOGGER.info("core {}: the inbox stream from {} (session {}) ended at position {}", coreId,
                    event.source(), event.sessionId(), event.position());
                return;
            }
            ended.put(event.stream(), new Ended(event.position(), ownClientReconnected));
            LOGGER.info("core {}: the inbox stream from {} (session {}) went away at position {}", coreId,
                event.source(), event.sessionId(), event.position());
            return;
        }
        final Ended before = ended.remove(event.stream());
        if (null == before)
        {
            return;
        }
        final long lostBytes = event.position() - before.position();
        if (lostBytes > 0)
        {
            metrics.onInboxGap(lostBytes);
            LOGGER.warn("core {}: the inbox stream from {} (session {}) came back at position {}, past {} where it " +
                "went away: {} bytes of its messages were lost ({})", coreId, event.source(), event.sessionId(),
                event.position(), before.position(), lostBytes, before.byOwnReconnect() ?
                    "this core's Aeron client reconnected and the old one held them unread" :
                    "the stream was silent past the driver's liveness timeout");
        }
        else
        {
            LOGGER.info("core {}: the inbox stream from {} (session {}) came back at position {}, nothing lost",
                coreId, event.source(), event.sessionId(), event.position());
        }
    }
}
