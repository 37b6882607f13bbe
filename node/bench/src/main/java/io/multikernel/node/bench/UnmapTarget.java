package io.multikernel.node.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import io.multikernel.node.skb.RoutingProtocol;

/**
 * The shape of the paper's Fig. 7 that {@code mk bench unmap} checks: at the largest core count the
 * multicast protocols (multicast, topo) unmap faster than unicast (p50), and from the smallest to the
 * largest count their p50 grows by fewer microseconds than unicast's. It is reported, never enforced:
 * on a machine with fewer CPUs than core JVMs the figures measure the scheduler as much as the messages.
 *
 * @param verdict {@link #HOLDS}, {@link #DOES_NOT_HOLD} or {@link #NOT_CHECKED}.
 * @param detail  the figures compared, or why nothing was compared.
 */
public record UnmapTarget(String verdict, String detail)
{
    public static final String HOLDS = "holds";
    public static final String DOES_NOT_HOLD = "does not hold";
    public static final String NOT_CHECKED = "not checked";

    private static final List<String> MULTICASTS = List.of(RoutingProtocol.MULTICAST.cliName(), RoutingProtocol.TOPOLOGY_AWARE_MULTICAST.cliName());

    /**
     * @param rows the cluster rows (shared-memory rows are ignored).
     * @return the verdict with the numbers it rests on.
     */
    public static UnmapTarget check(final List<UnmapReport.Row> rows)
    {
        final String unicast = RoutingProtocol.UNICAST.cliName();
        final int smallest = rows.stream().filter(r -> unicast.equals(r.protocol())).mapToInt(UnmapReport.Row::cores)
            .min().orElse(-1);
        final int largest = rows.stream().filter(r -> unicast.equals(r.protocol())).mapToInt(UnmapReport.Row::cores)
            .max().orElse(-1);
        if (smallest < 0)
        {
            return new UnmapTarget(NOT_CHECKED, "no unicast row to compare with");
        }
        if (smallest == largest)
        {
            return new UnmapTarget(NOT_CHECKED, "one core count (" + largest + "): growth needs two");
        }
        final double unicastLarge = p50(rows, unicast, largest).orElseThrow();
        final double unicastGrowth = unicastLarge - p50(rows, unicast, smallest).orElseThrow();
        final List<String> figures = new ArrayList<>();
        figures.add(String.format(Locale.ROOT, "unicast %.1f us at %d cores (+%.1f us from %d)", unicastLarge, largest,
            unicastGrowth, smallest));
        boolean holds = true;
        boolean compared = false;
        for (final String protocol : MULTICASTS)
        {
            final Optional<Double> large = p50(rows, protocol, largest);
            final Optional<Double> small = p50(rows, protocol, smallest);
            if (large.isEmpty() || small.isEmpty())
            {
                continue;
            }
            compared = true;
            final double growth = large.get() - small.get();
            holds &= large.get() < unicastLarge && growth < unicastGrowth;
            figures.add(String.format(Locale.ROOT, "%s %.1f us (+%.1f us)", protocol, large.get(), growth));
        }
        if (!compared)
        {
            return new UnmapTarget(NOT_CHECKED, "neither multicast nor topo ran at both " + smallest + " and " + largest +
                " cores");
        }
        return new UnmapTarget(holds ? HOLDS : DOES_NOT_HOLD, String.join(", ", figures));
    }

    private static Optional<Double> p50(final List<UnmapReport.Row> rows, final String protocol, final int cores)
    {
        return rows.stream().filter(r -> protocol.equals(r.protocol()) && cores == r.cores())
            .map(UnmapReport.Row::p50Us).findFirst();
    }

    /** @return the line printed after the table. */
    public String sentence()
    {
        return "target (multicast and topo p50 below unicast's at the largest count, growing less): " + verdict + ": " +
            detail;
    }
}
