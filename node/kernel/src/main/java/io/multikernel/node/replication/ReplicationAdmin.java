package io.multikernel.node.replication;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import io.multikernel.node.service.ServiceApi;
import io.multikernel.node.service.ServiceEndpoint;
import io.multikernel.node.service.ServiceException;
import io.multikernel.node.service.ServiceRequest;
import io.multikernel.node.service.ServiceResponse;
import io.multikernel.node.util.JsonReader;
import io.multikernel.node.util.JsonWriter;
import io.multikernel.replication.OperatorDecision;
import io.multikernel.replication.ParticipantSet;
import io.multikernel.replication.TransactionId;
import io.multikernel.replication.TransactionOutcome;
import io.multikernel.replication.kv.KeyValueOperation;
import io.multikernel.replication.kv.KeyValueStateMachine;

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
 * Bad requests answer 4xx with {@code {"error":"...","path":"..."}}.
 */
public final class ReplicationAdmin implements ServiceApi
{
    private final ReplicationProxy proxy;
    private final int[] clusterCoreIds;
    private final long timeoutNs;

    /**
     * @param proxy          the kernel loop's command queue.
     * @param clusterCoreIds every core of the cluster map (the default replica set).
     * @param timeoutNs      longest wait for the kernel loop's answer.
     */
    public ReplicationAdmin(final ReplicationProxy proxy, final int[] clusterCoreIds, final long timeoutNs)
    {
        if (timeoutNs <= 0 || timeoutNs > TimeUnit.MILLISECONDS.toNanos(CoreReplicationConfiguration.ADMIN_TIMEOUT_MAX_MS))
        {
            throw new IllegalArgumentException(CoreReplicationConfiguration.ADMIN_TIMEOUT_PROP + "=" +
                TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms is outside 1.." +
                CoreReplicationConfiguration.ADMIN_TIMEOUT_MAX_MS + " ms");
        }
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
                return "GET".equals(request.method()) ? listReplica(request.parameters()) : propose(request.body());
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
                    return decide(request.body());
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

    private ServiceResponse listReplica(final Map<String, String> parameters)
        throws InterruptedException, ServiceException
    {
        final int limit = limit(parameters);
        return query(replication -> replication.replicaJson(limit));
    }

    private ServiceResponse getKey(final String key) throws InterruptedException, ServiceException
    {
        final ReplicationCommand<String> command = ReplicationCommand.query(replication ->
        {
            final String value = replication.replica().get(key);
            return null == value ? null : new JsonWriter().beginObject().field("key", key).field("value", value)
                .field("core", replication.engine().coreId()).endObject().toString();
        });
        submitAndWait(command);
        final String json = command.answer();
        if (null == json)
        {
            throw new ServiceException(404, "key '" + cut(key) + "' is not in this core's replica");
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

    /**
     * @throws ServiceException 503 when the queue is full or the kernel loop did not answer in time.
     */
    private void submitAndWait(final ReplicationCommand<?> command) throws InterruptedException, ServiceException
    {
        if (!proxy.offer(command))
        {
            throw new ServiceException(503, "the kernel loop's command queue is full (" + proxy.capacity() +
                " commands); retry shortly");
        }
        if (ReplicationCommand.Wait.ANSWERED != command.await(timeoutNs))
        {
            throw new ServiceException(503, "the kernel loop did not answer within " +
                TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms; the core may be overloaded or frozen (see /health)");
        }
    }

    private ServiceResponse propose(final byte[] body) throws InterruptedException, ServiceException
    {
        final Map<String, Object> request = parseBody(body);
        final ParticipantSet replicas = replicas(request.get("replicas"));
        final List<KeyValueOperation> operations = operations(request);
        final AtomicReference<TransactionId> proposed = new AtomicReference<>();
        final ReplicationCommand<Object[]> command = new ReplicationCommand<>((replication, self) ->
            proposed.set(replication.propose(replicas, operations, (id, outcome) -> self.complete(new Object[]{ id, outcome }))));
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
        final JsonWriter json = new JsonWriter().beginObject().field("outcome", outcome)
            .field("transaction", null == id ? null : id.toString())
            .name("replicas").beginArray();
        for (final int replica : replicas.toArray())
        {
            json.value(replica);
        }
        json.endArray();
        if (null != reason)
        {
            json.field("reason", reason);
        }
        return new ServiceResponse(status, json.endObject().toString());
    }

    private ServiceResponse decide(final byte[] body) throws InterruptedException, ServiceException
    {
        final Map<String, Object> request = parseBody(body);
        final String text = requiredString(request, "transaction");
        final TransactionId id;
        try
        {
            id = TransactionId.parse(text);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ServiceException(400, ex.getMessage());
        }
        final String decision = requiredString(request, "decision");
        if (!"commit".equals(decision) && !"abort".equals(decision))
        {
            throw new ServiceException(400, "decision '" + cut(decision) + "' is not commit or abort");
        }
        final String reason = requiredString(request, "reason");
        if (reason.isBlank())
        {
            throw new ServiceException(400, "reason is blank; say why the operator decides this transaction");
        }
        final Object operatorValue = request.getOrDefault("operator", "admin-api");
        if (!(operatorValue instanceof String operator) || operator.isBlank())
        {
            throw new ServiceException(400, "operator must be a non-blank string");
        }
        final ReplicationCommand<OperatorDecision> command = ReplicationCommand.query(replication ->
            replication.forceDecision(id, "commit".equals(decision), operator, reason));
        submitAndWait(command);
        final OperatorDecision result = command.answer();
        return new ServiceResponse(result.applied() ? 200 : 409, new JsonWriter().beginObject()
            .field("transaction", id.toString())
            .field("decision", decision)
            .field("applied", result.applied())
            .field("message", result.message())
            .endObject().toString());
    }

    private static Map<String, Object> parseBody(final byte[] body) throws ServiceException
    {
        if (0 == body.length)
        {
            throw new ServiceException(400, "request body is empty; send a JSON object");
        }
        try
        {
            return JsonReader.parseObject(new String(body, StandardCharsets.UTF_8));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ServiceException(400, "request body is not a JSON object: " + cut(ex.getMessage()));
        }
    }

    private ParticipantSet replicas(final Object value) throws ServiceException
    {
        if (null == value)
        {
            return ParticipantSet.of(clusterCoreIds);
        }
        if (!(value instanceof List<?> list) || list.isEmpty())
        {
            throw new ServiceException(400, "replicas must be a non-empty array of core ids, e.g. [0,1,2]");
        }
        final int[] ids = new int[list.size()];
        for (int i = 0; i < ids.length; i++)
        {
            if (!(list.get(i) instanceof Long id) || id < 0 || id > Integer.MAX_VALUE ||
                Arrays.binarySearch(clusterCoreIds, (int)(long)id) < 0)
            {
                throw new ServiceException(400, "replica " + cut(String.valueOf(list.get(i))) +
                    " is not a core of the cluster map " + Arrays.toString(clusterCoreIds));
            }
            ids[i] = (int)(long)id;
        }
        try
        {
            return ParticipantSet.of(ids);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ServiceException(400, "replicas " + ex.getMessage());
        }
    }

    private static List<KeyValueOperation> operations(final Map<String, Object> request) throws ServiceException
    {
        final Object listed = request.get("operations");
        if (null == listed)
        {
            return List.of(operation(request));
        }
        if (request.containsKey("key"))
        {
            throw new ServiceException(400, "give either key (one operation) or operations, not both");
        }
        if (!(listed instanceof List<?> list) || list.isEmpty() ||
            list.size() > CoreReplicationConfiguration.KV_OPERATIONS_MAX)
        {
            throw new ServiceException(400, "operations must be an array of 1.." + CoreReplicationConfiguration.KV_OPERATIONS_MAX +
                " objects");
        }
        final List<KeyValueOperation> operations = new ArrayList<>(list.size());
        for (final Object entry : list)
        {
            if (!(entry instanceof Map<?, ?> map))
            {
                throw new ServiceException(400, "each operation must be an object like {\"op\":\"put\",\"key\":\"k\",\"value\":\"v\"}");
            }
            @SuppressWarnings("unchecked") final Map<String, Object> fields = (Map<String, Object>)map;
            operations.add(operation(fields));
        }
        return operations;
    }

    private static KeyValueOperation operation(final Map<String, Object> fields) throws ServiceException
    {
        final String key = boundedString(fields, "key", true);
        final Object op = fields.getOrDefault("op", Boolean.TRUE.equals(fields.get("delete")) ? "delete" : "put");
        if (!(op instanceof String name))
        {
            throw new ServiceException(400, "op must be one of put, put-if-absent, compare-and-set, delete");
        }
        return switch (name)
        {
            case "put" -> KeyValueOperation.put(key, boundedString(fields, "value", true));
            case "put-if-absent" -> KeyValueOperation.putIfAbsent(key, boundedString(fields, "value", true));
            case "compare-and-set" -> KeyValueOperation.compareAndSet(
                key, boundedString(fields, "expected", false), boundedString(fields, "value", true));
            case "delete" ->
            {
                if (fields.containsKey("value"))
                {
                    throw new ServiceException(400, "delete of key '" + cut(key) + "' takes no value");
                }
                yield KeyValueOperation.delete(key);
            }
            default -> throw new ServiceException(400, "op '" + cut(name) +
                "' is not one of put, put-if-absent, compare-and-set, delete");
        };
    }

    private static String boundedString(final Map<String, Object> fields, final String name, final boolean required)
        throws ServiceException
    {
        final Object value = fields.get(name);
        if (null == value && !required)
        {
            return null;
        }
        if (!(value instanceof String text))
        {
            throw new ServiceException(400, name + " must be a string");
        }
        final int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > KeyValueStateMachine.MAX_STRING_LENGTH_BYTES)
        {
            throw new ServiceException(400, name + " of " + bytes + " bytes is longer than " +
                KeyValueStateMachine.MAX_STRING_LENGTH_BYTES + " bytes");
        }
        if ("key".equals(name) && text.isEmpty())
        {
            throw new ServiceException(400, "key is empty");
        }
        return text;
    }

    private static String requiredString(final Map<String, Object> request, final String name) throws ServiceException
    {
        final Object value = request.get(name);
        if (!(value instanceof String text))
        {
            throw new ServiceException(400, name + " is missing or not a string");
        }
        return text;
    }

    private static int limit(final Map<String, String> parameters) throws ServiceException
    {
        for (final Map.Entry<String, String> parameter : parameters.entrySet())
        {
            if (!"limit".equals(parameter.getKey()))
            {
                throw new ServiceException(400, "query parameter '" + cut(parameter.getKey() + "=" + parameter.getValue()) +
                    "' is unknown; use limit=N");
            }
        }
        final String value = parameters.get("limit");
        if (null == value)
        {
            return CoreReplicationConfiguration.KV_LIST_LIMIT_DEFAULT_ENTRIES;
        }
        try
        {
            final int limit = Integer.parseInt(value);
            if (limit >= 0 && limit <= CoreReplicationConfiguration.KV_LIST_LIMIT_MAX_ENTRIES)
            {
                return limit;
            }
        }
        catch (final NumberFormatException ignored)
        {
            // Reported below.
        }
        throw new ServiceException(400, "limit=" + cut(value) + " is not an integer in 0.." +
            CoreReplicationConfiguration.KV_LIST_LIMIT_MAX_ENTRIES);
    }

    /**
     * Strict percent-decoding of a path segment: bad escapes and bytes that are not UTF-8 are refused
     * rather than replaced, so a key is never silently changed.
     */
    static String decodeKey(final String raw) throws ServiceException
    {
        final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++)
        {
            final char c = raw.charAt(i);
            if ('%' == c)
            {
                final int high = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
                final int low = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 2), 16) : -1;
                if (high < 0 || low < 0)
                {
                    throw new ServiceException(400, "key '" + cut(raw) + "' is not validly URL-encoded");
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
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                .decode(java.nio.ByteBuffer.wrap(bytes.toByteArray())).toString();
        }
        catch (final java.nio.charset.CharacterCodingException ex)
        {
            throw new ServiceException(400, "key '" + cut(raw) + "' is not validly URL-encoded UTF-8");
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

    private static String cut(final String text)
    {
        final String single = null == text ? "" : text.replaceAll("\\p{Cntrl}", "?");
        return single.length() <= 64 ? single : single.substring(0, 64) + "...";
    }
}
