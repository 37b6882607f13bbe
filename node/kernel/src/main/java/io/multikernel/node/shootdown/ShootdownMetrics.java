package io.multikernel.node.shootdown;

import io.micrometer.core.instrument.MeterRegistry;
import io.multikernel.node.util.CounterSlots;

/**
 * The shootdown protocol's counters. The kernel loop that owns the {@link Shootdown} is the only
 * writer, so an update is a plain read and an ordered write; Micrometer reads the values on another
 * thread when scraped. Every series is registered up front and every tag comes from a fixed set, so
 * there are exactly {@link #SERIES} series:
 *
 * <pre>
 *   mk_shootdown_rounds_started_total                    rounds this core started as initiator
 *   mk_shootdown_rounds_finished_total{outcome}          completed, or failed (a send failed, the deadline
 *                                                        passed, acks covered the wrong number of cores)
 *   mk_shootdown_rounds_timed_out_total                  failed rounds whose deadline passed (also in failed)
 *   mk_shootdown_rounds_refused_total                    not started: roundsInFlightMax rounds were open
 *   mk_shootdown_requests_sent_total                     requests appended to a peer's inbox, as initiator or relay
 *   mk_shootdown_requests_received_total                 requests that arrived
 *   mk_shootdown_requests_ignored_total{reason}          malformed forward list, duplicate of an open relay
 *   mk_shootdown_invalidations_total                     TLB invalidations done for requests
 *   mk_shootdown_acks_sent_total                         acknowledgements sent
 *   mk_shootdown_acks_ignored_total{reason}              stale (no such round), duplicate, unexpected (not a child)
 *   mk_shootdown_acks_miscounted_total                   acks whose core count did not match the child's subtree
 *   mk_shootdown_relays_refused_total                    requests not forwarded: relaysInFlightMax relays were open
 *   mk_shootdown_relays_expired_total                    relays given up at the deadline without acking
 *   mk_shootdown_send_failures_total{message}            requests or acks that did not go out
 * </pre>
 *
 * One {@link Shootdown} per registry: Micrometer hands back the existing meter for a repeated name
 * and tags, so a second instance on the same registry would not be seen.
 */
final class ShootdownMetrics
{
    static final int ROUNDS_STARTED = 0;
    static final int ROUNDS_COMPLETED = 1;
    static final int ROUNDS_FAILED = 2;
    static final int ROUNDS_TIMED_OUT = 3;
    static final int ROUNDS_REFUSED = 4;
    static final int REQUESTS_SENT = 5;
    static final int REQUESTS_RECEIVED = 6;
    static final int REQUESTS_MALFORMED = 7;
    static final int REQUESTS_DUPLICATE = 8;
    static final int INVALIDATIONS = 9;
    static final int ACKS_SENT = 10;
    static final int ACKS_STALE = 11;
    static final int ACKS_DUPLICATE = 12;
    static final int ACKS_UNEXPECTED = 13;
    static final int ACKS_MISCOUNTED = 14;
    static final int RELAYS_REFUSED = 15;
    static final int RELAYS_EXPIRED = 16;
    static final int REQUEST_SEND_FAILURES = 17;
    static final int ACK_SEND_FAILURES = 18;
    /** Series registered, one per slot. */
    static final int SERIES = 19;

    private final CounterSlots values = new CounterSlots(SERIES);

    ShootdownMetrics(final MeterRegistry registry)
    {
        counter(registry, "mk.shootdown.rounds.started", "Shootdown rounds this core started as initiator",
            null, null, ROUNDS_STARTED);
        counter(registry, "mk.shootdown.rounds.finished", "Shootdown rounds this core started that ended, by outcome",
            "outcome", "completed", ROUNDS_COMPLETED);
        counter(registry, "mk.shootdown.rounds.finished", "Shootdown rounds this core started that ended, by outcome",
            "outcome", "failed", ROUNDS_FAILED);
        counter(registry, "mk.shootdown.rounds.timed.out",
            "Shootdown rounds that failed because their deadline passed (also counted as failed)",
            null, null, ROUNDS_TIMED_OUT);
        counter(registry, "mk.shootdown.rounds.refused", "Shootdown rounds not started: too many rounds in flight",
            null, null, ROUNDS_REFUSED);
        counter(registry, "mk.shootdown.requests.sent", "Shootdown requests appended to a peer's inbox",
            null, null, REQUESTS_SENT);
        counter(registry, "mk.shootdown.requests.received", "Shootdown requests that arrived", null, null,
            REQUESTS_RECEIVED);
        counter(registry, "mk.shootdown.requests.ignored", "Shootdown requests ignored, by reason",
            "reason", "malformed", REQUESTS_MALFORMED);
        counter(registry, "mk.shootdown.requests.ignored", "Shootdown requests ignored, by reason",
            "reason", "duplicate", REQUESTS_DUPLICATE);
        counter(registry, "mk.shootdown.invalidations", "TLB invalidations done for shootdown requests", null, null,
            INVALIDATIONS);
        counter(registry, "mk.shootdown.acks.sent", "Shootdown acknowledgements sent", null, null, ACKS_SENT);
        counter(registry, "mk.shootdown.acks.ignored", "Shootdown acknowledgements ignored, by reason",
            "reason", "stale", ACKS_STALE);
        counter(registry, "mk.shootdown.acks.ignored", "Shootdown acknowledgements ignored, by reason",
            "reason", "duplicate", ACKS_DUPLICATE);
        counter(registry, "mk.shootdown.acks.ignored", "Shootdown acknowledgements ignored, by reason",
            "reason", "unexpected", ACKS_UNEXPECTED);
        counter(registry, "mk.shootdown.acks.miscounted",
            "Shootdown acknowledgements whose core count did not match the child's subtree", null, null, ACKS_MISCOUNTED);
        counter(registry, "mk.shootdown.relays.refused", "Shootdown requests not forwarded: too many relays in flight",
            null, null, RELAYS_REFUSED);
        counter(registry, "mk.shootdown.relays.expired", "Shootdown relays given up at the deadline without acking",
            null, null, RELAYS_EXPIRED);
        counter(registry, "mk.shootdown.send.failures", "Shootdown messages that did not go out, by message",
            "message", "request", REQUEST_SEND_FAILURES);
        counter(registry, "mk.shootdown.send.failures", "Shootdown messages that did not go out, by message",
            "message", "ack", ACK_SEND_FAILURES);
    }

    void increment(final int slot)
    {
        values.increment(slot);
    }

    long get(final int slot)
    {
        return values.get(slot);
    }

    private void counter(
        final MeterRegistry registry, final String name, final String description, final String tagKey,
        final String tagValue, final int slot)
    {
        values.counter(registry, name, description, slot, null == tagKey ? new String[0] : new String[]{ tagKey, tagValue });
    }
}
