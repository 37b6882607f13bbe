package io.multikernel.architecture.servicefixture.node.replication;

import io.multikernel.architecture.servicefixture.node.admin.Server;
import io.multikernel.architecture.servicefixture.node.service.Endpoint;

/** A service that imports the admin server: the back arrow the rules must catch. */
public final class KeyValueAdmin implements Endpoint
{
    @Override
    public String path()
    {
        return "/" + Server.name();
    }
}
