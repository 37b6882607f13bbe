package io.multikernel.node.cli;

import java.util.Locale;

/**
 * What an app of {@code mk demo} does in one step of its workload, as {@code --mix} names it. Each
 * step is one or more {@link io.multikernel.node.vm.VmClient} calls (a map also retypes a frame and
 * stores the mapping's tag; a revoke also deletes the RAM it emptied).
 */
enum DemoOperation
{
    LOAD, STORE, MAP, UNMAP, PROTECT, SPAN, SHRINK, RETYPE, REVOKE;

    /** @return the key {@code --mix} uses: {@code load}, {@code store}, ... */
    String key()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @return the operation of a {@code --mix} key, or null when there is none. */
    static DemoOperation ofKey(final String key)
    {
        for (final DemoOperation operation : values())
        {
            if (operation.key().equals(key))
            {
                return operation;
            }
        }
        return null;
    }
}
