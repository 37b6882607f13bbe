package io.multikernel.transport;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A peer's stream that went away and came back later in the log lost the bytes in between, and says
 * so; a stream that came back where it stopped, one that ended cleanly, or a new session, lost nothing.
 */
class InboxImagesTest
{
    private static final String SOURCE = "127.0.0.1:44486";

    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final UrpcMetrics metrics = new UrpcMetrics(registry);
    private final InboxImages images = new InboxImages(1, metrics);

    @Test
    void aStreamThatComesBackPastWhereItStoppedCountsTheBytesInBetweenAsLost()
    {
        images.apply(joined(7, 0));
        images.apply(left(7, 679_776));
        images.apply(joined(7, 786_432));

        assertThat(metrics.inboxImagesLostCount()).isEqualTo(1);
        assertThat(metrics.inboxGapBytes()).isEqualTo(786_432 - 679_776);
        assertThat(registry.get("mk.urpc.inbox.gap").functionCounter().count()).isEqualTo(786_432 - 679_776);
        assertThat(registry.get("mk.urpc.inbox.images.lost").functionCounter().count()).isEqualTo(1);
    }

    @Test
    void aStreamThatComesBackWhereItStoppedLostNothing()
    {
        images.apply(left(7, 4096));
        images.apply(joined(7, 4096));

        assertThat(metrics.inboxImagesLostCount()).isEqualTo(1);
        assertThat(metrics.inboxGapBytes()).isZero();
    }

    @Test
    void aNewSessionOrTheSameSessionFromAnotherSourceIsNotAGap()
    {
        images.apply(left(7, 4096));
        images.apply(joined(8, 1_000_000));
        images.apply(new InboxImages.Event(true, 7, "aeron:ipc", 1_000_000, false));

        assertThat(metrics.inboxGapBytes()).isZero();
        // Each ended stream is matched once: a later image of it is a new stream.
        images.apply(joined(7, 1_000_000));
        assertThat(metrics.inboxGapBytes()).isEqualTo(1_000_000 - 4096);
        images.apply(joined(7, 2_000_000));
        assertThat(metrics.inboxGapBytes()).isEqualTo(1_000_000 - 4096);
    }

    @Test
    void aStreamThatEndedCleanlyIsNotRemembered()
    {
        images.apply(new InboxImages.Event(false, 7, SOURCE, 4096, true));
        images.apply(joined(7, 8192));

        assertThat(metrics.inboxImagesLostCount()).isEqualTo(1);
        assertThat(metrics.inboxGapBytes()).isZero();
    }

    @Test
    void endedStreamsAreRememberedUpToTheirBoundOldestForgottenFirst()
    {
        for (int session = 0; session <= InboxImages.ENDED_STREAMS_MAX; session++)
        {
            images.apply(left(session, 100));
        }
        // Session 0 ended first and was forgotten when the table overflowed; the others are still known.
        images.apply(joined(0, 200));
        assertThat(metrics.inboxGapBytes()).isZero();
        images.apply(joined(1, 300));
        assertThat(metrics.inboxGapBytes()).isEqualTo(200);
        images.apply(joined(InboxImages.ENDED_STREAMS_MAX, 150));
        assertThat(metrics.inboxGapBytes()).isEqualTo(250);
        assertThat(metrics.inboxImagesLostCount()).isEqualTo(InboxImages.ENDED_STREAMS_MAX + 1);
    }

    @Test
    void eventsQueuedByTheImageHandlersWaitForDrainUpToTheirBound()
    {
        assertThat(images.drain()).isZero();
        for (int i = 0; i < InboxImages.EVENT_QUEUE_CAPACITY; i++)
        {
            assertThat(images.enqueue(left(i, 10))).isTrue();
        }
        assertThat(images.enqueue(left(-1, 10))).isFalse();
        // Nothing is applied until the agent drains.
        assertThat(metrics.inboxImagesLostCount()).isZero();

        assertThat(images.drain()).isEqualTo(InboxImages.EVENT_QUEUE_CAPACITY);
        assertThat(metrics.inboxImagesLostCount()).isEqualTo(InboxImages.EVENT_QUEUE_CAPACITY);
        assertThat(images.enqueue(joined(3, 50))).isTrue();
        assertThat(images.drain()).isEqualTo(1);
        assertThat(metrics.inboxGapBytes()).isEqualTo(40);
    }

    @Test
    void aReconnectAppliesTheOldClientsEventsAtOnceAndLaterGapsStillCount()
    {
        images.enqueue(left(7, 4096));
        assertThat(images.onOwnClientReconnect()).isEqualTo(1);
        assertThat(metrics.inboxImagesLostCount()).isEqualTo(1);

        images.enqueue(joined(7, 6144));
        assertThat(images.drain()).isEqualTo(1);
        assertThat(metrics.inboxGapBytes()).isEqualTo(2048);
    }

    private static InboxImages.Event joined(final int session, final long position)
    {
        return new InboxImages.Event(true, session, SOURCE, position, false);
    }

    private static InboxImages.Event left(final int session, final long position)
    {
        return new InboxImages.Event(false, session, SOURCE, position, false);
    }
}
