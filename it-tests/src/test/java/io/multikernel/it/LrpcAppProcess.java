package io.multikernel.it;

import io.multikernel.node.lrpc.LrpcClient;
import io.multikernel.node.lrpc.LrpcEchoProbe;
import io.multikernel.node.lrpc.LrpcException;
import io.multikernel.node.lrpc.LrpcOperations;
import io.multikernel.node.lrpc.LrpcOutcome;
import io.multikernel.node.lrpc.LrpcResult;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An app in its own JVM that talks to a core over the core's LRPC file, driven over stdin by a test.
 * <p>
 * Arguments: {@code lrpcFile coreId}. Commands, each answered by one line:
 * {@code attach} -> {@code ATTACHED slot incarnation} or {@code ERROR message};
 * {@code echo TEXT} / {@code register NAME CORE} / {@code lookup NAME} -> {@code OUTCOME result-or-message};
 * {@code pipeline N} -> {@code PIPELINE in-order|out-of-order count};
 * {@code ping N} -> {@code PING p50ns p99ns}. Ends when stdin closes.
 */
public final class LrpcAppProcess
{
    private LrpcAppProcess()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final Path file = Path.of(args[0]);
        final int coreId = Integer.parseInt(args[1]);
        LrpcClient client = null;
        final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while (null != (line = in.readLine()))
        {
            final String[] words = line.trim().split(" ");
            String reply;
            try
            {
                reply = switch (words[0])
                {
                    case "attach" ->
                    {
                        if (null != client)
                        {
                            client.close();
                        }
                        client = LrpcClient.attach(new LrpcClient.Context().file(file).coreId(coreId));
                        yield "ATTACHED " + client.slot() + " " + client.coreIncarnation();
                    }
                    case "echo" -> describe(client.call(LrpcOperations.ECHO, ascii(words[1]), 0, words[1].length()), false);
                    case "register" ->
                    {
                        final UnsafeBuffer payload = new UnsafeBuffer(new byte[4 + words[1].length()]);
                        payload.putInt(0, Integer.parseInt(words[2]));
                        payload.putStringWithoutLengthAscii(4, words[1]);
                        yield describe(client.call(LrpcOperations.NAME_REGISTER, payload, 0, payload.capacity()), true);
                    }
                    case "lookup" -> describe(client.call(LrpcOperations.NAME_LOOKUP, ascii(words[1]), 0,
                        words[1].length()), true);
                    case "pipeline" -> pipeline(client, Integer.parseInt(words[1]));
                    case "ping" ->
                    {
                        final Histogram rtt = LrpcEchoProbe.run(client, SystemNanoClock.INSTANCE,
                            Integer.parseInt(words[1]), Integer.parseInt(words[1]) / 5, 32);
                        yield "PING " + rtt.getValueAtPercentile(50) + " " + rtt.getValueAtPercentile(99);
                    }
                    default -> "ERROR unknown command " + words[0];
                };
            }
            catch (final LrpcException ex)
            {
                reply = "ERROR " + ex.getMessage();
            }
            System.out.println(reply);
            System.out.flush();
        }
        if (null != client)
        {
            client.close();
        }
    }

    private static String describe(final LrpcResult result, final boolean intResult)
    {
        if (result.isSuccess())
        {
            return "SUCCESS " + (intResult ? Integer.toString(result.intResult()) :
                new String(result.payload(), StandardCharsets.US_ASCII));
        }
        return result.outcome() + " " + result.message();
    }

    private static String pipeline(final LrpcClient client, final int count)
    {
        final List<Long> sent = new ArrayList<>();
        final List<Long> answered = new ArrayList<>();
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[8]);
        int failures = 0;
        for (int i = 0; i < count; i++)
        {
            payload.putLong(0, i);
            long id;
            while ((id = client.send(LrpcOperations.ECHO, payload, 0, 8, (correlationId, outcome, status, buffer, offset,
                length) ->
            {
                if (LrpcOutcome.SUCCESS == outcome)
                {
                    answered.add(buffer.getLong(offset));
                }
            })) == LrpcOutcome.BACK_PRESSURED.code())
            {
                client.poll();
            }
            if (id < 0)
            {
                failures++;
            }
            sent.add((long)i);
        }
        while (client.outstanding() > 0)
        {
            client.poll();
        }
        return "PIPELINE " + (answered.equals(sent) && 0 == failures ? "in-order" : "out-of-order") + " " + answered.size();
    }

    private static UnsafeBuffer ascii(final String text)
    {
        return new UnsafeBuffer(text.getBytes(StandardCharsets.US_ASCII));
    }
}
