package io.multikernel.node.admin;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.micrometer.core.instrument.Counter;
import io.multikernel.common.ClusterSecret;
import io.multikernel.node.core.CoreMetrics;
import io.multikernel.node.service.ServiceApi;
import io.multikernel.node.service.ServiceEndpoint;
import io.multikernel.node.service.ServiceResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Random and mutated requests over real sockets to an admin server bound beyond loopback: odd
 * methods, paths with odd bytes percent-encoded (and some badly), long and odd query strings, random
 * headers and {@code Authorization} variants, bodies up to a few KiB, fixed-length or chunked. Every
 * answer must be a well-formed HTTP answer with an expected status, never 500; no request without the
 * cluster's token may reach a service; every 401 is counted once; and the server still serves
 * afterwards.
 *
 * <p>The seed is printed in every failure; replay one with {@code -Dmk.admin.fuzz.seed=N}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AdminRequestFuzzTest
{
    /** REQUESTS: how many requests one run sends. */
    static final int REQUESTS = 10_000;
    /** BODY_LENGTH_MAX_BYTES: the longest random body. */
    static final int BODY_LENGTH_MAX_BYTES = 4 * 1024;
    /** Statuses an answer may have: our own and the JDK server's refusal of what it cannot parse. */
    static final Set<Integer> EXPECTED_STATUSES = Set.of(200, 400, 401, 404, 405, 413, 414);

    private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.1 (\\d{3}) [^\r\n]*\r\n");
    private static final List<String> METHODS = List.of("GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH");
    private static final List<String> PATHS = List.of(
        "/metrics", "/health", "/status", "/skb", "/kv", "/kv/", "/kv/key", "/bench/shootdown", "/", "/metrics/",
        "/kvx", "/KV", "/%6bv", "//kv", "/kv/../status");
    private static final String UNRESERVED = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~";
    private static final String SUB_DELIMS = "!$'()*+,;=:@";

    private final long seed = Long.getLong("mk.admin.fuzz.seed", System.nanoTime());
    private final Random random = new Random(seed);
    private final CoreMetrics coreMetrics = new CoreMetrics(0, 0);
    /** Requests the service was handed: any change of its state goes through here. */
    private final AtomicLong handled = new AtomicLong();
    private AdminServer server;
    private String token;
    /** Whether the request being made may hold percent signs that are not valid encoding. */
    private boolean badEncoding;

    @AfterEach
    void stop()
    {
        if (null != server)
        {
            server.close();
        }
        coreMetrics.close();
    }

    @Test
    void everyRequestGetsAWellFormedAnswerAndNoneWithoutTheTokenReachesAService() throws Exception
    {
        final byte[] secret = new byte[ClusterSecret.SECRET_LENGTH_BYTES];
        random.nextBytes(secret);
        token = ClusterSecret.of(secret, "fuzz seed " + seed).adminToken();
        final ServiceApi kv = () -> List.of(
            ServiceEndpoint.prefix("kv", "/kv", request ->
            {
                handled.incrementAndGet();
                return ServiceResponse.ok("{\"ok\":true}");
            }, "GET", "POST"),
            ServiceEndpoint.exact("bench_shootdown", "/bench/shootdown", request ->
            {
                handled.incrementAndGet();
                return ServiceResponse.ok("{}");
            }, "POST"));
        server = AdminServer.launch(new AdminServer.Context()
            .meterRegistry(coreMetrics.registry())
            .bindAddress(AdminHttp.beyondLoopback())
            .token(token)
            .statusSource(() -> "{}")
            .skbSource(() -> "{}")
            .services(List.of(kv)));

        long refused = 0;
        final Map<Integer, Integer> statuses = new TreeMap<>();
        for (int i = 0; i < REQUESTS; i++)
        {
            final Request request = nextRequest();
            final String what = "seed=" + seed + " request #" + i + ": " + request.describe();
            final long handledBefore = handled.get();
            final Answer answer = exchange(request.bytes(), what);
            final boolean reached = handled.get() != handledBefore;
            statuses.merge(answer.status(), 1, Integer::sum);
            assertThat(EXPECTED_STATUSES).as(what + " answered " + answer.status()).contains(answer.status());
            assertThat(answer.text()).as(what).doesNotContain("\tat ");
            if (!request.authorized())
            {
                assertThat(reached).as(what + ": a request without the cluster's token reached the service").isFalse();
                if (!request.open() && answer.fromHandler())
                {
                    assertThat(answer.status()).as(what + ": only the target's bound answers before the token check")
                        .isIn(401, 414);
                }
                else if (!request.open())
                {
                    assertThat(answer.status()).as(what + ": the JDK's own refusal of a target it cannot parse or place")
                        .isIn(400, 404);
                }
            }
            if (401 == answer.status())
            {
                refused++;
                assertThat(reached).as(what + ": refused but handled").isFalse();
                assertThat(answer.text().toLowerCase(Locale.ROOT)).as(what).contains("\r\nwww-authenticate: bearer\r\n");
            }
            if (reached)
            {
                assertThat(answer.status()).as(what + ": the service answered").isEqualTo(200);
            }
        }

        System.out.println("admin fuzz seed=" + seed + " statuses=" + statuses + " handled=" + handled.get());
        assertThat(unauthorized()).as("seed=" + seed + ": every 401 is counted once").isEqualTo((double)refused);
        assertThat(statuses).as("seed=" + seed + ": the run reached the checks it means to test")
            .containsKeys(200, 400, 401, 404, 405, 414);
        assertThat(handled.get()).as("seed=" + seed + ": requests with the token reached the service").isPositive();
        assertThat(exchange(("GET /health HTTP/1.1\r\nHost: core\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1), "seed=" + seed + " health afterwards").status()).isEqualTo(200);
        assertThat(exchange(("POST /kv HTTP/1.1\r\nHost: core\r\nAuthorization: Bearer " + token +
            "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1),
            "seed=" + seed + " kv afterwards").status()).isEqualTo(200);
    }

    /**
     * One request and what the generator knows of it.
     *
     * @param bytes      the request as sent.
     * @param authorized  it carries exactly one Authorization header with the cluster's token.
     * @param open        it is {@code GET /metrics} or {@code GET /health}, which need no token.
     * @param head        its request line and headers, for failure messages.
     */
    record Request(byte[] bytes, boolean authorized, boolean open, String head)
    {
        String describe()
        {
            final String text = head.replace("\r\n", " | ");
            return text.length() <= 400 ? text : text.substring(0, 400) + "...";
        }
    }

    /**
     * @param status      the HTTP status.
     * @param text        status line, headers and body.
     * @param fromHandler the admin handler wrote it (its answers are JSON or metrics text); otherwise
     *                    the JDK's server refused the request itself, before any handler ran.
     */
    record Answer(int status, String text, boolean fromHandler)
    {
    }

    private Request nextRequest()
    {
        badEncoding = random.nextInt(10) == 0;
        final String method = method();
        final String path = path();
        final String target = path + query();
        final boolean open = "GET".equals(method) && ("/metrics".equals(path) || "/health".equals(path));
        final StringBuilder head = new StringBuilder();
        head.append(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: core\r\n");
        final boolean authorized = authorization(head);
        final int extraHeaders = random.nextInt(4);
        for (int i = 0; i < extraHeaders; i++)
        {
            head.append("X-Fuzz-").append(random.nextInt(100)).append(": ").append(headerValue()).append("\r\n");
        }
        final byte[] body = body();
        final boolean chunked = body.length > 0 && random.nextInt(8) == 0;
        if (chunked)
        {
            head.append("Transfer-Encoding: chunked\r\n");
        }
        else if (body.length > 0 || random.nextBoolean())
        {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("Connection: close\r\n\r\n");
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(head.length() + body.length + 16);
        bytes.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (chunked)
        {
            bytes.writeBytes((Integer.toHexString(body.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            bytes.writeBytes(body);
            bytes.writeBytes("\r\n0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        else
        {
            bytes.writeBytes(body);
        }
        return new Request(bytes.toByteArray(), authorized, open, head.toString());
    }

    private String method()
    {
        if (random.nextInt(10) == 0)
        {
            final StringBuilder name = new StringBuilder();
            final int length = 1 + random.nextInt(8);
            for (int i = 0; i < length; i++)
            {
                name.append((char)('A' + random.nextInt(26)));
            }
            return name.toString();
        }
        // Half the requests use the methods the services take, so plenty of them reach the token check of a live route.
        return random.nextBoolean() ? (random.nextBoolean() ? "GET" : "POST") : METHODS.get(random.nextInt(METHODS.size()));
    }

    private String path()
    {
        final StringBuilder path = new StringBuilder(PATHS.get(random.nextInt(PATHS.size())));
        final int segments = random.nextInt(3);
        for (int i = 0; i < segments; i++)
        {
            path.append('/').append(text(random.nextInt(12)));
        }
        return path.toString();
    }

    private String query()
    {
        switch (random.nextInt(6))
        {
            case 0:
                return "";
            case 1:
                return "?";
            case 2:
                return "?" + text(AdminConfiguration.REQUEST_URI_LENGTH_MAX_BYTES - 64 + random.nextInt(128));
            default:
                final StringBuilder query = new StringBuilder("?");
                final int pairs = random.nextInt(AdminQuery.PARAMETERS_MAX + 3);
                for (int i = 0; i < pairs; i++)
                {
                    if (i > 0)
                    {
                        query.append('&');
                    }
                    query.append(text(random.nextInt(8) == 0 ? 0 : 1 + random.nextInt(6)));
                    if (random.nextBoolean())
                    {
                        query.append('=').append(text(random.nextInt(16)));
                    }
                }
                return query.toString();
        }
    }

    /**
     * @return URI characters: unreserved ones, sub-delimiters, any byte percent-encoded, and in one
     *         request of ten now and then a percent sign that is not valid encoding.
     */
    private String text(final int length)
    {
        final StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++)
        {
            final int kind = random.nextInt(badEncoding ? 20 : 19);
            if (kind < 12)
            {
                text.append(UNRESERVED.charAt(random.nextInt(UNRESERVED.length())));
            }
            else if (kind < 15)
            {
                text.append(SUB_DELIMS.charAt(random.nextInt(SUB_DELIMS.length())));
            }
            else if (kind < 19)
            {
                text.append(String.format(Locale.ROOT, "%%%02X", random.nextInt(256)));
            }
            else
            {
                text.append(random.nextBoolean() ? "%" : "%z" + UNRESERVED.charAt(random.nextInt(UNRESERVED.length())));
            }
        }
        return text.toString();
    }

    /**
     * Appends no Authorization header, or one of its variants.
     *
     * @return true when the header carries exactly the cluster's token.
     */
    private boolean authorization(final StringBuilder head)
    {
        final String value;
        boolean authorized = false;
        switch (random.nextInt(10))
        {
            case 0, 1, 2:
                return false;
            case 3, 4:
                value = "Bearer " + token;
                authorized = true;
                break;
            case 5:
                value = (random.nextBoolean() ? "bearer  " : "BEARER ") + token + " ";
                authorized = true;
                break;
            case 6:
                final char[] wrong = token.toCharArray();
                final int at = random.nextInt(wrong.length);
                wrong[at] = wrong[at] == 'f' ? '0' : 'f';
                value = "Bearer " + new String(wrong);
                break;
            case 7:
                value = "Bearer " + token.substring(0, random.nextInt(token.length()));
                break;
            case 8:
                value = (random.nextBoolean() ? "Basic " : "Token ") + token;
                break;
            default:
                value = headerValue();
                break;
        }
        head.append(random.nextBoolean() ? "Authorization: " : "authorization: ").append(value).append("\r\n");
        if (random.nextInt(20) == 0)
        {
            head.append("Authorization: Bearer ").append(token).append("\r\n");
            authorized = false;
        }
        return authorized;
    }

    /** @return printable ASCII and Latin-1 bytes, never CR or LF, trimmed as the server will see it. */
    private String headerValue()
    {
        final StringBuilder value = new StringBuilder();
        final int length = random.nextInt(40);
        for (int i = 0; i < length; i++)
        {
            value.append(random.nextInt(8) == 0 ? (char)(0xA0 + random.nextInt(0x60)) : (char)(0x21 + random.nextInt(0x5E)));
        }
        return value.toString();
    }

    private byte[] body()
    {
        if (random.nextBoolean())
        {
            return new byte[0];
        }
        final byte[] body = new byte[random.nextInt(BODY_LENGTH_MAX_BYTES + 1)];
        random.nextBytes(body);
        return body;
    }

    private Answer exchange(final byte[] request, final String what) throws IOException
    {
        final byte[] answer;
        try (Socket socket = new Socket(AdminHttp.connectAddress(server), server.port()))
        {
            socket.setSoTimeout((int)AdminHttp.TIMEOUT.toMillis());
            final OutputStream out = socket.getOutputStream();
            try
            {
                out.write(request);
                out.flush();
            }
            catch (final IOException ex)
            {
                // The server may answer and close before reading a body it refuses; the answer is still there.
            }
            answer = readAll(socket.getInputStream());
        }
        final String text = new String(answer, StandardCharsets.ISO_8859_1);
        final Matcher statusLine = STATUS_LINE.matcher(text);
        if (!statusLine.lookingAt() || !text.contains("\r\n\r\n"))
        {
            fail(what + ": not a well-formed HTTP answer: " +
                text.substring(0, Math.min(200, text.length())));
        }
        final String head = text.substring(0, text.indexOf("\r\n\r\n")).toLowerCase(Locale.ROOT);
        final boolean fromHandler = head.contains("\r\ncontent-type: " + AdminResponse.JSON_CONTENT_TYPE) ||
            head.contains("\r\ncontent-type: " + AdminHandler.METRICS_CONTENT_TYPE);
        return new Answer(Integer.parseInt(statusLine.group(1)), text, fromHandler);
    }

    private static byte[] readAll(final InputStream in) throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final byte[] buffer = new byte[8192];
        try
        {
            int read;
            while ((read = in.read(buffer)) >= 0)
            {
                bytes.write(buffer, 0, read);
            }
        }
        catch (final IOException ex)
        {
            // A reset after the answer (the server closed with request bytes unread) ends the answer.
        }
        return bytes.toByteArray();
    }

    private double unauthorized()
    {
        return coreMetrics.registry().find(AdminRequestMetrics.UNAUTHORIZED_NAME).counters().stream()
            .mapToDouble(Counter::count).sum();
    }
}
