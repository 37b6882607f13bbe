package io.multikernel.architecture.servicefixture.node.core;

/** Stands for the kernel loop. */
public final class KernelLoop
{
    public static int coreId()
    {
        return 0;
    }
}
