package io.multikernel.node.core;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.multikernel.common.Bounds;
import io.multikernel.node.cluster.ClusterLimits;

/**
 * A core's meter registry: one {@link PrometheusMeterRegistry} whose every series carries
 * {@code core} and {@code host} labels, with the JVM binders (memory, GC, threads, processor,
 * uptime) bound, and a factory for latency timers that resolve microseconds.
 *
 * <h2>Naming</h2>
 * Meters are named in Micrometer's dotted form with the {@value #METRIC_NAME_PREFIX} prefix and
 * recorded in base units (seconds, bytes); the Prometheus registry renders {@code mk.urpc.rtt} as
 * {@code mk_urpc_rtt_seconds} and a counter {@code mk.admin.requests} as
 * {@code mk_admin_requests_total}. Label values must come from small fixed sets (a core id, a
 * message type), never from a message. Every meter has a description, which becomes its HELP line.
 *
 * <h2>Names the JVM binders get wrong</h2>
 * {@code promtool check metrics} rejects two of Micrometer's processor meters, so the registry
 * renames one and replaces the other before any binder registers:
 * <ul>
 *     <li>{@value #JVM_CPU_COUNT_NAME}, a gauge, would end in {@code _count}, which Prometheus reserves
 *     for histograms and summaries: it is published as {@code system_cpu_available_processors}.</li>
 *     <li>{@value #JVM_CPU_TIME_NAME} counts nanoseconds ({@code process_cpu_time_ns_total}, an
 *     abbreviated unit): it is dropped, and {@code process_cpu_seconds_total}, the name Prometheus's
 *     own clients use, counts the same CPU time in seconds.</li>
 * </ul>
 *
 * <h2>Why the timer factory</h2>
 * Micrometer clamps a percentile histogram to 1 ms .. 1 min unless told otherwise, which puts a
 * 3 µs round trip in the first bucket. {@link #microsecondTimer} sets the expected range to
 * {@link #TIMER_EXPECTED_MIN_NS} .. {@link #TIMER_EXPECTED_MAX_NS}, giving buckets from
 * {@code le="1.0E-6"} up, about 100 per timer series: use it for a bounded number of series.
 */
public final class CoreMetrics implements AutoCloseable
{
    /** Prefix of every metric this project defines. */
    public static final String METRIC_NAME_PREFIX = "mk.";
    /** Label carrying the core id on every series. */
    public static final String CORE_TAG = "core";
    /** Label carrying the host ("package") id on every series. */
    public static final String HOST_TAG = "host";
    /** Smallest latency a microsecond timer resolves: 1 µs. */
    public static final long TIMER_EXPECTED_MIN_NS = TimeUnit.MICROSECONDS.toNanos(1);
    /** Largest latency a microsecond timer resolves: 10 s. */
    public static final long TIMER_EXPECTED_MAX_NS = TimeUnit.SECONDS.toNanos(10);
    /** Micrometer's name for the gauge of processors available to the JVM. */
    static final String JVM_CPU_COUNT_NAME = "system.cpu.count";
    /** Micrometer's name for the process's CPU time, a counter in nanoseconds. */
    static final String JVM_CPU_TIME_NAME = "process.cpu.time";
    private static final double NANOS_PER_SECOND = TimeUnit.SECONDS.toNanos(1);

    /** Renames and drops the binder meters whose Prometheus names promtool rejects; see the class javadoc. */
    private static final MeterFilter PROMETHEUS_NAMES = new MeterFilter()
    {
        @Override
        public MeterFilterReply accept(final Meter.Id id)
        {
            return JVM_CPU_TIME_NAME.equals(id.getName()) && "ns".equals(id.getBaseUnit()) ?
                MeterFilterReply.DENY : MeterFilterReply.NEUTRAL;
        }

        @Override
        public Meter.Id map(final Meter.Id id)
        {
            return JVM_CPU_COUNT_NAME.equals(id.getName()) ?
                id.withName("system.cpu.available").withBaseUnit("processors") : id;
        }
    };

    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gcMetrics;

    /**
     * @param coreId of this core.
     * @param hostId of the host ("package") this core runs on.
     */
    public CoreMetrics(final int coreId, final int hostId)
    {
        this(coreId, hostId, Clock.SYSTEM);
    }

    /**
     * @param coreId of this core, 0..{@value ClusterLimits#CORE_ID_MAX}.
     * @param hostId of the host this core runs on, 0..{@value ClusterLimits#HOST_ID_MAX}.
     * @param clock  Micrometer clock for the registry, so tests can step time.
     */
    public CoreMetrics(final int coreId, final int hostId, final Clock clock)
    {
        Bounds.check("coreId", coreId, 0, ClusterLimits.CORE_ID_MAX);
        Bounds.check("hostId", hostId, 0, ClusterLimits.HOST_ID_MAX);
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT, new PrometheusRegistry(), clock);
        // Common tags apply to meters registered after this call, so they come before any binder.
        registry.config().commonTags(CORE_TAG, Integer.toString(coreId), HOST_TAG, Integer.toString(hostId));
        registry.config().meterFilter(PROMETHEUS_NAMES);
        new JvmMemoryMetrics().bindTo(registry);
        gcMetrics = new JvmGcMetrics();
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        bindProcessCpuSeconds(registry);
    }

    private static void bindProcessCpuSeconds(final PrometheusMeterRegistry registry)
    {
        final OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean)
        {
            FunctionCounter.builder("process.cpu", (com.sun.management.OperatingSystemMXBean)os,
                    bean -> Math.max(0L, bean.getProcessCpuTime()) / NANOS_PER_SECOND)
                .description("CPU time used by the Java virtual machine process")
                .baseUnit("seconds")
                .register(registry);
        }
    }

    /** @return the registry to register the core's meters in and to hand to the admin server. */
    public PrometheusMeterRegistry registry()
    {
        return registry;
    }

    /**
     * Register (or find) a latency timer whose histogram resolves 1 µs .. 10 s.
     *
     * @param name        dotted name starting with {@value #METRIC_NAME_PREFIX}, without a unit.
     * @param description one line for the HELP text.
     * @param tags        labels from small fixed sets.
     * @return the timer; record in nanoseconds or as a Duration.
     */
    public Timer microsecondTimer(final String name, final String description, final Tags tags)
    {
        return microsecondTimerBuilder(name).description(description).tags(tags).register(registry);
    }

    /**
     * A timer builder with the microsecond range set, for code that registers in its own registry.
     *
     * @param name dotted name starting with {@value #METRIC_NAME_PREFIX}, without a unit.
     * @return a builder to add a description and tags to, then register.
     */
    public static Timer.Builder microsecondTimerBuilder(final String name)
    {
        checkName(name);
        return Timer.builder(name)
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofNanos(TIMER_EXPECTED_MIN_NS))
            .maximumExpectedValue(Duration.ofNanos(TIMER_EXPECTED_MAX_NS));
    }

    /**
     * @param name a meter name to check.
     * @throws IllegalArgumentException when it lacks the project prefix or carries a unit the
     *                                  registry adds itself.
     */
    static void checkName(final String name)
    {
        if (null == name || !name.startsWith(METRIC_NAME_PREFIX) || name.length() == METRIC_NAME_PREFIX.length())
        {
            throw new IllegalArgumentException("metric name=" + name + " does not start with " + METRIC_NAME_PREFIX);
        }
        if (name.endsWith(".seconds") || name.endsWith(".total") ||
            name.endsWith("_seconds") || name.endsWith("_total"))
        {
            throw new IllegalArgumentException("metric name=" + name +
                " ends with a unit or suffix; the Prometheus registry adds _seconds and _total itself");
        }
    }

    /** Unbind the GC listener and close the registry. */
    @Override
    public void close()
    {
        gcMetrics.close();
        registry.close();
    }
}
