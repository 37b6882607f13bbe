package io.multikernel.node.launcher;

import com.sun.net.httpserver.HttpServer;
import io.multikernel.node.cluster.ClusterMap;
import io.multikernel.node.cluster.TransportKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mk host --check}: a container is healthy when every core of its host answers {@code /health}
 * 200; a diverged core is alive (restarting it brings nothing back), any other 503 is not.
 */
class HostHealthTest
{
    private final List<HttpServer> servers = new ArrayList<>();

    @AfterEach
    void stopServers()
    {
        servers.forEach(server -> server.stop(0));
    }

    @Test
    void aDivergedCoreIsAliveAndACoreThatIsDownIsNot() throws IOException
    {
        final int adminBase = FreePorts.range(3);
        serve(adminBase, 200, "{\"status\":\"up\"}");
        serve(adminBase + 1, 503, "{\"status\":\"diverged\",\"reason\":\"core 0 knows transaction 0:1:9 committed\"}");
        final ClusterMap twoCores = ClusterMap.local(2, 1, TransportKind.IPC, FreePorts.range(2), adminBase);

        assertThat(HostHealth.problem(twoCores, 0)).isNull();

        serve(adminBase + 2, 503, "{\"status\":\"down\",\"reason\":\"media driver gone\"}");
        final ClusterMap threeCores = ClusterMap.local(3, 1, TransportKind.IPC, FreePorts.range(3), adminBase);
        assertThat(HostHealth.problem(threeCores, 0)).isEqualTo("core 2 answers 503 at http://127.0.0.1:" +
            (adminBase + 2) + "/health: {\"status\":\"down\",\"reason\":\"media driver gone\"}");
    }

    private void serve(final int port, final int status, final String body) throws IOException
    {
        servers.add(LoopbackHttp.serve(port, "/health", status, body));
    }
}
