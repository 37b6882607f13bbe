package io.multikernel.node.launcher.chaos;

import java.util.ArrayList;
import java.util.List;

/** Two injectors as one: each kind goes to the first of them that makes it ({@link ChaosInjector#combine}). */
final class CombinedInjector implements ChaosInjector
{
    private final ChaosInjector first;
    private final ChaosInjector second;

    CombinedInjector(final ChaosInjector first, final ChaosInjector second)
    {
        this.first = first;
        this.second = second;
    }

    @Override
    public boolean makes(final ChaosFault.Kind kind)
    {
        return first.makes(kind) || second.makes(kind);
    }

    @Override
    public List<ChaosFault.Kind> available()
    {
        final List<ChaosFault.Kind> kinds = new ArrayList<>(first.available());
        second.available().stream().filter(kind -> !kinds.contains(kind)).forEach(kinds::add);
        return kinds;
    }

    @Override
    public void prepare(final List<ChaosFault.Kind> kinds)
    {
        final List<ChaosFault.Kind> firsts = kinds.stream().filter(this::firstMakes).toList();
        final List<ChaosFault.Kind> seconds = kinds.stream().filter(kind -> !firstMakes(kind)).toList();
        if (!firsts.isEmpty())
        {
            first.prepare(firsts);
        }
        if (!seconds.isEmpty())
        {
            second.prepare(seconds);
        }
    }

    @Override
    public void inject(final ChaosFault fault) throws Exception
    {
        (firstMakes(fault.kind()) ? first : second).inject(fault);
    }

    @Override
    public void heal(final ChaosFault fault) throws Exception
    {
        (firstMakes(fault.kind()) ? first : second).heal(fault);
    }

    @Override
    public void healAll() throws Exception
    {
        try
        {
            first.healAll();
        }
        finally
        {
            second.healAll();
        }
    }

    private boolean firstMakes(final ChaosFault.Kind kind)
    {
        return first.makes(kind);
    }
}
