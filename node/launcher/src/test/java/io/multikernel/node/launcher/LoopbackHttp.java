package io.multikernel.node.launcher;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A loopback HTTP server answering one path with a fixed status and body, standing in for a core's
 * admin API in the launcher's tests.
 */
final class LoopbackHttp
{
    private LoopbackHttp()
    {
    }

    /** @return the server, started; the caller stops it. */
    static HttpServer serve(final int port, final String path, final int status, final String body) throws IOException
    {
        final HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.createContext(path, exchange ->
        {
            final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody())
            {
                out.write(bytes);
            }
        });
        server.start();
        return server;
    }
}
