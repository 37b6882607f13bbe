package io.multikernel.node.launcher;

import java.util.List;
import java.util.Locale;

/**
 * How a core's JVM compiles the kernel's code: what a cluster trades between the speed of its hot
 * path and what each core costs to keep.
 * <p>
 * Measured with 16 idle cores on 2 CPUs: with {@link #TIERED} the C2 compiler keeps the machine 20 to
 * 40% busy for about 30 s after {@code mk up} returns (about 1.5 s of compilation per core), with
 * {@link #C1} under 10% from the start and about 5 MB less memory per core; a replicated write's
 * p50 on yielding cores is 2 to 3 times longer with {@link #C1}. The benchmarks always run
 * {@link #TIERED}.
 */
public enum JitMode
{
    /** The JVM's default: C1 first, then C2 for hot code. Fastest hot path. */
    TIERED(List.of()),
    /** C1 only, with one compiler thread: settles at once and costs less memory; the hot path is slower. */
    C1(List.of("-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1"));

    private final List<String> jvmArgs;

    JitMode(final List<String> jvmArgs)
    {
        this.jvmArgs = jvmArgs;
    }

    /** @return the JVM options that select this mode; none for {@link #TIERED}. */
    public List<String> jvmArgs()
    {
        return jvmArgs;
    }

    /** @return the name the CLI takes: {@code tiered} or {@code c1}. */
    public String cliName()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param name {@code tiered} or {@code c1}, any case.
     * @return the mode.
     * @throws IllegalArgumentException naming the value and the choices.
     */
    public static JitMode parse(final String name)
    {
        for (final JitMode mode : values())
        {
            if (mode.cliName().equalsIgnoreCase(null == name ? "" : name.trim()))
            {
                return mode;
            }
        }
        throw new IllegalArgumentException("jit=" + name + " is unknown: use tiered or c1");
    }
}
