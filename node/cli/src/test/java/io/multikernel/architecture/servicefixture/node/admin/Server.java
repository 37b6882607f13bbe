package io.multikernel.architecture.servicefixture.node.admin;

import io.multikernel.architecture.servicefixture.node.core.KernelLoop;
import io.multikernel.architecture.servicefixture.node.replication.KeyValueAdmin;
import io.multikernel.architecture.servicefixture.node.service.Endpoint;

/** An admin server that hard-codes a service and reads the kernel loop: back arrows the rules must catch. */
public final class Server
{
    public String route(final Endpoint endpoint)
    {
        return endpoint.path() + new KeyValueAdmin().path() + KernelLoop.coreId();
    }

    public static String name()
    {
        return "admin";
    }
}
