package io.multikernel.common;

import java.util.List;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RateLimitedErrorLogTest
{
    private enum Kind
    {
        A, B
    }

    private final CachedNanoClock clock = new CachedNanoClock();
    private final Logger logger = (Logger)LoggerFactory.getLogger(RateLimitedErrorLogTest.class);
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

    @BeforeEach
    void capture()
    {
        lines.start();
        logger.addAppender(lines);
    }

    @AfterEach
    void release()
    {
        logger.detachAppender(lines);
    }

    private List<String> written()
    {
        return lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void writesOncePerIntervalPerKind()
    {
        final RateLimitedErrorLog log = new RateLimitedErrorLog(logger, clock, 1_000, 2);
        assertThat(log.warn(Kind.A, "a {} {}", 1, 2)).isTrue();
        assertThat(log.warn(Kind.A, "a {} {}", 1, 2)).isFalse();
        assertThat(log.warn(Kind.B, "b {} {}", 1, 2)).isTrue();
        clock.advance(999);
        assertThat(log.warn(Kind.A, "a {} {}", 1, 2)).isFalse();
        clock.advance(1);
        assertThat(log.warn(Kind.A, "a {} {}", 1, 2)).isTrue();
    }

    @Test
    void theLineAfterAQuietSpellCountsTheSuppressedRepeats()
    {
        final RateLimitedErrorLog log = new RateLimitedErrorLog(logger, clock, 1_000);
        log.warn(Kind.A, "frame from core {} rejected: {}", 3, "truncated");
        log.warn(Kind.A, "frame from core {} rejected: {}", 3, "truncated");
        log.warn(Kind.A, "frame from core {} rejected: {}", 4, "truncated");
        clock.advance(1_000);
        log.warn(Kind.A, "frame from core {} rejected: {}", 5, "truncated");
        clock.advance(1_000);
        log.warn(Kind.A, "frame from core {} rejected: {}", 6, "truncated");

        assertThat(written()).containsExactly(
            "frame from core 3 rejected: truncated",
            "frame from core 5 rejected: truncated (2 suppressed since the last line)",
            "frame from core 6 rejected: truncated");
    }

    @Test
    void aMessageIsWrittenAsItIsAndOneArgumentFormats()
    {
        final RateLimitedErrorLog log = new RateLimitedErrorLog(logger, clock, 1_000);
        log.warn("plain", "a key {} with braces");
        log.warn("one", "core {} is gone", 7);

        assertThat(written()).containsExactly("a key {} with braces", "core 7 is gone");
        assertThat(lines.list.get(0).getLevel()).isEqualTo(ch.qos.logback.classic.Level.WARN);
    }

    @Test
    void distinctKeysAreBoundedAndTheRestShareOneLimit()
    {
        final RateLimitedErrorLog log = new RateLimitedErrorLog(logger, clock, 1_000, 2);
        assertThat(log.warn("k1", "one")).isTrue();
        assertThat(log.warn("k2", "two")).isTrue();
        assertThat(log.warn("k3", "three")).isTrue();
        assertThat(log.warn("k4", "four")).as("shares the overflow limit with k3").isFalse();
        assertThat(log.warn("k1", "one again")).as("a known key keeps its own limit").isFalse();
        clock.advance(1_000);
        assertThat(log.warn("k5", "five")).isTrue();

        assertThat(log.distinctKeys()).isEqualTo(2);
        assertThat(log.overflowCount()).isEqualTo(3);
        assertThat(written()).containsExactly("one", "two",
            "three (more distinct errors than distinctKeysMax=2: rate-limited together; 0 suppressed since the last line)",
            "five (more distinct errors than distinctKeysMax=2: rate-limited together; 1 suppressed since the last line)");
    }

    @Test
    void boundsAreNamed()
    {
        assertThatThrownBy(() -> new RateLimitedErrorLog(logger, clock, 0))
            .hasMessage("intervalNs=0 ns is outside 1..9223372036854775807 ns");
        assertThatThrownBy(() -> new RateLimitedErrorLog(logger, clock, 1, 0))
            .hasMessage("distinctKeysMax=0 is outside 1..65536");
    }
}
