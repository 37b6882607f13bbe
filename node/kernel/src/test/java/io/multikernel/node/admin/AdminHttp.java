package io.multikernel.node.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;

/** Test helper: real HTTP to a local admin server, with short timeouts so a hang fails fast. */
final class AdminHttp
{
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    private AdminHttp()
    {
    }

    static HttpClient newClient()
    {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();
    }

    static HttpRequest request(final AdminServer server, final String method, final String path)
    {
        return HttpRequest.newBuilder(URI.create(server.url() + path))
            .timeout(TIMEOUT)
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build();
    }

    /** A request with {@code Authorization: Bearer <token>}. */
    static HttpRequest request(final AdminServer server, final String method, final String path, final String token)
    {
        return HttpRequest.newBuilder(URI.create(server.url() + path))
            .timeout(TIMEOUT)
            .header("Authorization", "Bearer " + token)
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build();
    }

    /**
     * @return an IPv4 address of this machine beyond loopback on an interface that is up, or
     *         {@code 0.0.0.0} when there is none: the wildcard is beyond loopback too, and a client
     *         reaches it through loopback ({@link #connectAddress}).
     */
    static String beyondLoopback() throws SocketException
    {
        for (final NetworkInterface network : Collections.list(NetworkInterface.getNetworkInterfaces()))
        {
            if (!network.isUp() || network.isLoopback())
            {
                continue;
            }
            for (final InetAddress address : Collections.list(network.getInetAddresses()))
            {
                if (address instanceof Inet4Address && !address.isLoopbackAddress() && !address.isLinkLocalAddress())
                {
                    return address.getHostAddress();
                }
            }
        }
        return "0.0.0.0";
    }

    /** @return where a client connects to the server: its address, or loopback for a wildcard bind. */
    static InetAddress connectAddress(final AdminServer server)
    {
        final InetAddress address = server.boundAddress().getAddress();
        return address.isAnyLocalAddress() ? InetAddress.getLoopbackAddress() : address;
    }

    static HttpResponse<String> send(final HttpClient client, final HttpRequest request)
        throws IOException, InterruptedException
    {
        return client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    static HttpResponse<String> get(final HttpClient client, final AdminServer server, final String path)
        throws IOException, InterruptedException
    {
        return send(client, request(server, "GET", path));
    }

    /**
     * Write a raw request and read the whole answer until the server closes or the timeout hits.
     *
     * @return status line, headers and body as text.
     */
    static String raw(final AdminServer server, final String request) throws IOException
    {
        try (Socket socket = new Socket(connectAddress(server), server.port()))
        {
            socket.setSoTimeout((int)TIMEOUT.toMillis());
            final OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return readResponse(socket.getInputStream());
        }
    }

    /** Reads headers, then exactly Content-Length bytes of body. */
    private static String readResponse(final InputStream in) throws IOException
    {
        final StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n"))
        {
            final int b = in.read();
            if (b < 0)
            {
                break;
            }
            head.append((char)b);
        }
        final String headText = head.toString();
        int length = 0;
        for (final String line : headText.split("\r\n"))
        {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:"))
            {
                length = Integer.parseInt(line.substring("content-length:".length()).trim());
            }
        }
        return headText + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
}
