package io.multikernel.node.cli;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The share of each {@link DemoOperation} in an app's workload, in whole percent adding up to
 * {@value #PERCENT_TOTAL}: {@code load=50,store=20,map=8,...}. An operation not named has no share.
 */
final class DemoMix
{
    /** PERCENT_TOTAL: what the shares add up to. */
    static final int PERCENT_TOTAL = 100;
    /** The mix {@code mk demo} runs unless told otherwise. */
    static final String DEFAULT = "load=50,store=20,map=8,unmap=8,protect=6,span=2,shrink=2,retype=2,revoke=2";

    private final EnumMap<DemoOperation, Integer> percent;
    /** cumulative[i]: the first roll past operation i's share; rolls are 0..99. */
    private final int[] cumulative = new int[DemoOperation.values().length];

    private DemoMix(final EnumMap<DemoOperation, Integer> percent)
    {
        this.percent = percent;
        int sum = 0;
        for (final DemoOperation operation : DemoOperation.values())
        {
            sum += percent.getOrDefault(operation, 0);
            cumulative[operation.ordinal()] = sum;
        }
    }

    /**
     * @param text {@code key=percent} pairs separated by commas.
     * @return the mix.
     * @throws IllegalArgumentException with one sentence naming the pair or the sum that is wrong.
     */
    static DemoMix parse(final String text)
    {
        final EnumMap<DemoOperation, Integer> percent = new EnumMap<>(DemoOperation.class);
        if (null == text || text.isBlank())
        {
            throw new IllegalArgumentException("--mix is empty: give key=percent pairs such as " + DEFAULT);
        }
        for (final String pair : text.split(",", -1))
        {
            final int equals = pair.indexOf('=');
            if (equals < 0)
            {
                throw new IllegalArgumentException("--mix entry '" + pair.trim() + "' is not key=percent, e.g. load=50");
            }
            final String key = pair.substring(0, equals).trim();
            final String value = pair.substring(equals + 1).trim();
            final DemoOperation operation = DemoOperation.ofKey(key);
            if (null == operation)
            {
                throw new IllegalArgumentException("--mix key '" + key + "' is unknown: use " + keys());
            }
            if (percent.containsKey(operation))
            {
                throw new IllegalArgumentException("--mix names " + key + " twice");
            }
            if (!value.matches("[0-9]{1,3}") || Integer.parseInt(value) > PERCENT_TOTAL)
            {
                throw new IllegalArgumentException("--mix " + key + "=" + value + " is not a whole percentage 0.." +
                    PERCENT_TOTAL);
            }
            percent.put(operation, Integer.parseInt(value));
        }
        final int sum = percent.values().stream().mapToInt(Integer::intValue).sum();
        if (PERCENT_TOTAL != sum)
        {
            throw new IllegalArgumentException("--mix percentages add up to " + sum + ", not " + PERCENT_TOTAL);
        }
        return new DemoMix(percent);
    }

    private static String keys()
    {
        return Arrays.stream(DemoOperation.values()).map(DemoOperation::key).collect(Collectors.joining(", "));
    }

    /**
     * @param roll a uniform number in 0..99.
     * @return the operation whose share holds it.
     */
    DemoOperation pick(final int roll)
    {
        if (roll < 0 || roll >= PERCENT_TOTAL)
        {
            throw new IllegalArgumentException("roll=" + roll + " is outside 0.." + (PERCENT_TOTAL - 1));
        }
        for (final DemoOperation operation : DemoOperation.values())
        {
            if (roll < cumulative[operation.ordinal()])
            {
                return operation;
            }
        }
        throw new IllegalStateException("the shares add up to " + PERCENT_TOTAL + ", so roll " + roll + " has one");
    }

    /** @return the share of {@code operation}, percent. */
    int percent(final DemoOperation operation)
    {
        return percent.getOrDefault(operation, 0);
    }

    /** @return the mix as {@code --mix} writes it, operations without a share left out. */
    @Override
    public String toString()
    {
        return percent.entrySet().stream().filter(e -> e.getValue() > 0)
            .map(e -> e.getKey().key() + "=" + e.getValue()).collect(Collectors.joining(","));
    }

    /** @return the shares, for the summary. */
    Map<DemoOperation, Integer> shares()
    {
        return Map.copyOf(percent);
    }
}
