package io.multikernel.node.replication;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.multikernel.common.Bounds;
import io.multikernel.node.service.ServiceApi;
import io.multikernel.node.service.ServiceEndpoint;
import io.multikernel.node.service.ServiceException;
import io.multikernel.node.service.ServiceJson;
import io.multikernel.node.service.ServiceRequest;
import io.multikernel.node.service.ServiceResponse;
import io.multikernel.replication.OperatorDecision;
import io.multikernel.replication.ParticipantSet;
import io.multikernel.replication.TransactionId;
import io.multikernel.replication.TransactionOutcome;
import io.multikernel.replication.kv.KeyValueOperation;

/**
 * The admin API of replication, on admin worker threads. Every request becomes a
 * {@link ReplicationCommand} on the {@link ReplicationProxy}'s bounded queue and waits for the kernel
 * loop's answer at most the admin timeout.
 *
 * <pre>
 * GET  /kv[?limit=N]     the local replica: count, fingerprint, up to N entries (default 100)
 * GET  /kv/KEY           one key of the local replica (404 when absent); KEY is URL-encoded
 * POST /kv               {"replicas":[0,1,2],"key":"k","value":"v"}, or {"key":"k","delete":true}, or
 *                        {"replicas":[...],"operations":[{"op":"put|put-if-absent|compare-and-set|delete",
 *                        "key":..,"value":..,"expected":..}]}; replicas default to every core.
 *                        200 committed, 409 aborted (with reason; nothing changed), 503 not proposed
 *                        (aborted: nothing changed), 504 / 500 indefinite (it may have committed)
 * GET  /2pc              in flight, prepared, locks held, in-doubt transactions
 * POST /2pc/decide       {"transaction":"0:123:4","decision":"commit|abort","reason":"...","operator":"..."}
 * </pre>
 * Bodies are read strictly into {@link ReplicationRequests} records; bad requests answer 4xx with
 * {@code {"error":"...","path":"..."}}.
 */
public final class ReplicationAdmin implements ServiceApi
{
    private final ReplicationProxy proxy;
    private final int[] clusterCoreIds;
    private final long timeoutNs;

    /**
     * @param proxy          the kernel loop's command queue.
     * @param clusterCoreIds every core of the cluster map (the default replica set).
     * @param timeoutNs      longest wait for the kernel loop's answer, 1 ms..{@link
     *                       CoreReplicationConfiguration#ADMIN_TIMEOUT_MAX_MS} ms.
     */
    public ReplicationAdmin(final ReplicationProxy proxy, final int[] clusterCoreIds, final long timeoutNs)
    {
        Bounds.check(CoreReplicationConfiguration.ADMIN_TIMEOUT_PROP, TimeUnit.NANOSECONDS.toMillis(timeoutNs),
            1, CoreReplicationConfiguration.ADMIN_TIMEOUT_MAX_MS, "ms");
        this.proxy = proxy;
        this.clusterCoreIds = clusterCoreIds.clone();
        Arrays.sort(this.clusterCoreIds);
        this.timeoutNs = timeoutNs;
    }

    @Override
    public List<ServiceEndpoint> endpoints()
    {
        return List.of(
            ServiceEndpoint.prefix("kv", "/kv", this::keyValue, "GET", "POST"),
            ServiceEndpoint.prefix("2pc", "/2pc", this::twoPhaseCommit, "GET", "POST"));
    }

    private ServiceResponse keyValue(final ServiceRequest request) throws ServiceException
    {
        final String path = request.path();
        try
        {
            if ("/kv".equals(path))
            {
                return "GET".equals(request.method()) ?
                    listReplica(ReplicationRequests.Listing.of(request.parameters())) :
                    propose(ServiceJson.read(request.body(), ReplicationRequests.Proposal.class));
            }
            requireMethod(request, "GET");
            return getKey(decodeKey(path.substring("/kv/".length())));
        }
        catch (final InterruptedException ex)
        {
            throw stopping();
        }
    }

    private ServiceResponse twoPhaseCommit(final ServiceRequest request) throws ServiceException
    {
        try
        {
            switch (request.path())
            {
                case "/2pc":
                    requireMethod(request, "GET");
                    return query(CoreReplication::statusJson);
                case "/2pc/decide":
                    requireMethod(request, "POST");
                    return decide(ServiceJson.read(request.body(), ReplicationRequests.Decision.class));
                default:
                    throw new ServiceException(404, "no such endpoint; use /kv, /kv/KEY, /2pc or /2pc/decide");
            }
        }
        catch (final InterruptedException ex)
        {
            throw stopping();
        }
    }

    private static ServiceException stopping()
    {
        Thread.currentThread().interrupt();
        return new ServiceException(503, "the admin server is stopping; retry on a running core");
    }

    private ServiceResponse listReplica(final ReplicationRequests.Listing listing)
        throws InterruptedException, ServiceException
    {
        return query(replication -> replication.replicaJson(listing.limit()));
    }

    private ServiceResponse getKey(final String key) throws InterruptedException, ServiceException
    {
        final ReplicationCommand<String> command = ReplicationCommand.query(replication ->
        {
            final String value = replication.replica().get(key);
            return null == value ? null : ServiceJson.write(new KeyAnswer(key, value, replication.engine().coreId()));
        });
        submitAndWait(command);
        final String json = command.answer();
        if (null == json)
        {
            throw new ServiceException(404, "key '" + ReplicationRequests.echo(key) + "' is not in this core's replica");
        }
        return ServiceResponse.ok(json);
    }

    private ServiceResponse query(final Function<CoreReplication, String> query)
        throws InterruptedException, ServiceException
    {
        final ReplicationCommand<String> command = ReplicationCommand.query(query);
        submitAndWait(command);
        return ServiceResponse.ok(command.answer());
    }

    private void submitAndWait(final ReplicationCommand<?> command) throws InterruptedException, ServiceException
    {
        proxy.call(command, timeoutNs);
    }

    private ServiceResponse propose(final ReplicationRequests.Proposal request)
        throws InterruptedException, ServiceException
    {
        final ParticipantSet replicas = request.replicaSet(clusterCoreIds);
        final List<KeyValueOperation> operations = request.keyValueOperations();
        final AtomicReference<TransactionId> proposed = new AtomicReference<>();
        final ReplicationCommand<Object[]> command = new ReplicationCommand<>((replication, self) ->
        {
            // Too long for one transaction: refused before a transaction is begun, in the terms the request used.
            final String tooLong = replication.tooLongForOneTransaction(operations);
            if (null != tooLong)
            {
                throw new IllegalArgumentException(tooLong);
            }
            proposed.set(replication.propose(replicas, operations, (id, outcome) -> self.complete(new Object[]{ id, outcome })));
        });
        if (!proxy.offer(command))
        {
            return outcome(503, "aborted", null, replicas, "not proposed: the kernel loop's command queue is full (" +
                proxy.capacity() + " commands); nothing changed, retry shortly");
        }
        final ReplicationCommand.Wait wait = command.await(timeoutNs);
        final long timeoutMs = TimeUnit.NANOSECONDS.toMillis(timeoutNs);
        if (ReplicationCommand.Wait.NOT_TAKEN == wait)
        {
            return outcome(503, "aborted", null, replicas, "not proposed: the kernel loop did not take the request " +
                "within " + timeoutMs + " ms; nothing changed");
        }
        if (ReplicationCommand.Wait.TAKEN_NO_ANSWER == wait)
        {
            return outcome(504, "indefinite", proposed.get(), replicas, "no outcome within " + timeoutMs +
                " ms; the transaction may have committed: read the key on a replica before retrying");
        }
        final Object[] answer;
        try
        {
            answer = command.answer();
        }
        catch (final IllegalStateException ex)
        {
            throw new ServiceException(400, ex.getMessage());
        }
        final TransactionId id = (TransactionId)answer[0];
        final TransactionOutcome outcome = (TransactionOutcome)answer[1];
        return switch (outcome.status())
        {
            case COMMITTED -> outcome(200, "committed", id, replicas, null);
            case ABORTED -> outcome(409, "aborted", id, replicas, outcome.reason());
            case INDEFINITE -> outcome(500, "indefinite", id, replicas, outcome.reason());
        };
    }

    private static ServiceResponse outcome(
        final int status, final String outcome, final TransactionId id, final ParticipantSet replicas, final String reason)
    {
        return new ServiceResponse(status, ServiceJson.write(
            new OutcomeAnswer(outcome, null == id ? null : id.toString(), replicas.toArray(), reason)));
    }

    private ServiceResponse decide(final ReplicationRequests.Decision request)
        throws InterruptedException, ServiceException
    {
        final TransactionId id = request.transactionId();
        final boolean commit = request.commit();
        final String reason = request.checkedReason();
        final String operator = request.checkedOperator();
        final ReplicationCommand<OperatorDecision> command = ReplicationCommand.query(replication ->
            replication.forceDecision(id, commit, operator, reason));
        submitAndWait(command);
        final OperatorDecision result = command.answer();
        return new ServiceResponse(result.applied() ? 200 : 409, ServiceJson.write(
            new DecisionAnswer(id.toString(), request.decision(), result.applied(), result.message())));
    }

    /**
     * Strict percent-decoding of a path segment: bad escapes and bytes that are not UTF-8 are refused
     * rather than replaced, so a key is never silently changed.
     */
    static String decodeKey(final String raw) throws ServiceException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++)
        {
            final char c = raw.charAt(i);
            if ('%' == c)
            {
                final int high = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
                final int low = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 2), 16) : -1;
                if (high < 0 || low < 0)
                {
                    throw new ServiceException(400, "key '" + ReplicationRequests.echo(raw) + "' is not validly URL-encoded");
                }
                bytes.write(high << 4 | low);
                i += 2;
            }
            else
            {
                bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        final String key;
        try
        {
            key = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        }
        catch (final CharacterCodingException ex)
        {
            throw new ServiceException(400, "key '" + ReplicationRequests.echo(raw) + "' is not validly URL-encoded UTF-8");
        }
        if (key.isEmpty())
        {
            throw new ServiceException(400, "key is empty; use /kv to list the replica");
        }
        return key;
    }

    private static void requireMethod(final ServiceRequest request, final String allowed) throws ServiceException
    {
        if (!allowed.equals(request.method()))
        {
            throw ServiceException.methodNotAllowed(request.method(), request.path(), List.of(allowed));
        }
    }

    /** {@code GET /kv/KEY}. */
    private record KeyAnswer(String key, String value, int core)
    {
    }

    /** The outcome of {@code POST /kv}; {@code transaction} is null when nothing was proposed. */
    private record OutcomeAnswer(
        String outcome, String transaction, int[] replicas, @JsonInclude(JsonInclude.Include.NON_NULL) String reason)
    {
    }

    /** The answer of {@code POST /2pc/decide}. */
    private record DecisionAnswer(String transaction, String decision, boolean applied, String message)
    {
    }
}
