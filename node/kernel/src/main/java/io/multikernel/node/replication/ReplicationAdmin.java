package io.multikernel.node.replication;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.multikernel.node.admin.AdminRoutes;
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
public final class ReplicationAdmin implements AdminRoutes
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
    public AdminReply handle(final String method, final String rawPath, final String rawQuery, final byte[] body)
    {
        try
        {
            return route(method, rawPath, rawQuery, body);
        }
        catch (final BadRequest ex)
        {
            return AdminReply.error(ex.status, ex.getMessage(), rawPath);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return AdminReply.error(503, "the admin server is stopping; retry on a running core", rawPath);
        }
    }

    private AdminReply route(final String method, final String rawPath, final String rawQuery, final byte[] body)
        throws InterruptedException
    {
        if ("/kv".equals(rawPath))
        {
            return switch (method)
            {
                case "GET" -> listReplica(rawQuery, rawPath);
                case "POST" -> propose(body, rawPath);
                default -> throw methodNotAllowed(method, rawPath, "GET or POST");
            };
        }
        if (rawPath.startsWith("/kv/"))
        {
            requireMethod(method, "GET", rawPath);
            return getKey(decodeKey(rawPath.substring("/kv/".length())), rawPath);
        }
        if ("/2pc".equals(rawPath))
        {
            requireMethod(method, "GET", rawPath);
            return query(CoreReplication::statusJson, rawPath);
        }
        if ("/2pc/decide".equals(rawPath))
        {
            requireMethod(method, "POST", rawPath);
            return decide(body, rawPath);
        }
        throw new BadRequest(404, "no such endpoint; use /kv, /kv/KEY, /2pc or /2pc/decide");
    }

    private AdminReply listReplica(final String rawQuery, final String rawPath) throws InterruptedException
    {
        final int limit = limit(rawQuery);
        return query(replication -> replication.replicaJson(limit), rawPath);
    }

    private AdminReply getKey(final String key, final String rawPath) throws InterruptedException
    {
        final ReplicationCommand<String> command = ReplicationCommand.query(replication ->
        {
            final String value = replication.replica().get(key);
            return null == value ? null : new JsonWriter().beginObject().field("key", key).field("value", value)
                .field("core", replication.engine().coreId()).endObject().toString();
        });
        final AdminReply busy = submitAndWait(command, rawPath);
        if (null != busy)
        {
            return busy;
        }
        final String json = command.answer();
        return null == json ? AdminReply.error(404, "key '" + cut(key) + "' is not in this core's replica", rawPath) :
            new AdminReply(200, json);
    }

    private AdminReply query(
        final java.util.function.Function<CoreReplication, String> query, final String rawPath) throws InterruptedException
    {
        final ReplicationCommand<String> command = ReplicationCommand.query(query);
        final AdminReply busy = submitAndWait(command, rawPath);
        return null != busy ? busy : new AdminReply(200, command.answer());
    }

    /**
     * @return null when answered; otherwise the error to send (queue full, or no answer in time).
     */
    private AdminReply submitAndWait(final ReplicationCommand<?> command, final String rawPath)
        throws InterruptedException
    {
        if (!proxy.offer(command))
        {
            return AdminReply.error(503, "the kernel loop's command queue is full (" + proxy.capacity() +
                " commands); retry shortly", rawPath);
        }
        if (ReplicationCommand.Wait.ANSWERED != command.await(timeoutNs))
        {
            return AdminReply.error(503, "the kernel loop did not answer within " +
                TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms; the core may be overloaded or frozen (see /health)",
                rawPath);
        }
        return null;
    }

    private AdminReply propose(final byte[] body, final String rawPath) throws InterruptedException
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
            throw new BadRequest(400, ex.getMessage());
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

    private static AdminReply outcome(
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
        return new AdminReply(status, json.endObject().toString());
    }

    private AdminReply decide(final byte[] body, final String rawPath) throws InterruptedException
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
            throw new BadRequest(400, ex.getMessage());
        }
        final String decision = requiredString(request, "decision");
        if (!"commit".equals(decision) && !"abort".equals(decision))
        {
            throw new BadRequest(400, "decision '" + cut(decision) + "' is not commit or abort");
        }
        final String reason = requiredString(request, "reason");
        if (reason.isBlank())
        {
            throw new BadRequest(400, "reason is blank; say why the operator decides this transaction");
        }
        final Object operatorValue = request.getOrDefault("operator", "admin-api");
        if (!(operatorValue instanceof String operator) || operator.isBlank())
        {
            throw new BadRequest(400, "operator must be a non-blank string");
        }
        final ReplicationCommand<OperatorDecision> command = ReplicationCommand.query(replication ->
            replication.forceDecision(id, "commit".equals(decision), operator, reason));
        final AdminReply busy = submitAndWait(command, rawPath);
        if (null != busy)
        {
            return busy;
        }
        final OperatorDecision result = command.answer();
        return new AdminReply(result.applied() ? 200 : 409, new JsonWriter().beginObject()
            .field("transaction", id.toString())
            .field("decision", decision)
            .field("applied", result.applied())
            .field("message", result.message())
            .endObject().toString());
    }

    private static Map<String, Object> parseBody(final byte[] body)
    {
        if (0 == body.length)
        {
            throw new BadRequest(400, "request body is empty; send a JSON object");
        }
        try
        {
            return JsonReader.parseObject(new String(body, StandardCharsets.UTF_8));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new BadRequest(400, "request body is not a JSON object: " + cut(ex.getMessage()));
        }
    }

    private ParticipantSet replicas(final Object value)
    {
        if (null == value)
        {
            return ParticipantSet.of(clusterCoreIds);
        }
        if (!(value instanceof List<?> list) || list.isEmpty())
        {
            throw new BadRequest(400, "replicas must be a non-empty array of core ids, e.g. [0,1,2]");
        }
        final int[] ids = new int[list.size()];
        for (int i = 0; i < ids.length; i++)
        {
            if (!(list.get(i) instanceof Long id) || id < 0 || id > Integer.MAX_VALUE ||
                Arrays.binarySearch(clusterCoreIds, (int)(long)id) < 0)
            {
                throw new BadRequest(400, "replica " + cut(String.valueOf(list.get(i))) +
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
            throw new BadRequest(400, "replicas " + ex.getMessage());
        }
    }

    private static List<KeyValueOperation> operations(final Map<String, Object> request)
    {
        final Object listed = request.get("operations");
        if (null == listed)
        {
            return List.of(operation(request));
        }
        if (request.containsKey("key"))
        {
            throw new BadRequest(400, "give either key (one operation) or operations, not both");
        }
        if (!(listed instanceof List<?> list) || list.isEmpty() ||
            list.size() > CoreReplicationConfiguration.KV_OPERATIONS_MAX)
        {
            throw new BadRequest(400, "operations must be an array of 1.." + CoreReplicationConfiguration.KV_OPERATIONS_MAX +
                " objects");
        }
        final List<KeyValueOperation> operations = new ArrayList<>(list.size());
        for (final Object entry : list)
        {
            if (!(entry instanceof Map<?, ?> map))
            {
                throw new BadRequest(400, "each operation must be an object like {\"op\":\"put\",\"key\":\"k\",\"value\":\"v\"}");
            }
            @SuppressWarnings("unchecked") final Map<String, Object> fields = (Map<String, Object>)map;
            operations.add(operation(fields));
        }
        return operations;
    }

    private static KeyValueOperation operation(final Map<String, Object> fields)
    {
        final String key = boundedString(fields, "key", true);
        final Object op = fields.getOrDefault("op", Boolean.TRUE.equals(fields.get("delete")) ? "delete" : "put");
        if (!(op instanceof String name))
        {
            throw new BadRequest(400, "op must be one of put, put-if-absent, compare-and-set, delete");
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
                    throw new BadRequest(400, "delete of key '" + cut(key) + "' takes no value");
                }
                yield KeyValueOperation.delete(key);
            }
            default -> throw new BadRequest(400, "op '" + cut(name) +
                "' is not one of put, put-if-absent, compare-and-set, delete");
        };
    }

    private static String boundedString(final Map<String, Object> fields, final String name, final boolean required)
    {
        final Object value = fields.get(name);
        if (null == value && !required)
        {
            return null;
        }
        if (!(value instanceof String text))
        {
            throw new BadRequest(400, name + " must be a string");
        }
        final int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > KeyValueStateMachine.MAX_STRING_LENGTH_BYTES)
        {
            throw new BadRequest(400, name + " of " + bytes + " bytes is longer than " +
                KeyValueStateMachine.MAX_STRING_LENGTH_BYTES + " bytes");
        }
        if ("key".equals(name) && text.isEmpty())
        {
            throw new BadRequest(400, "key is empty");
        }
        return text;
    }

    private static String requiredString(final Map<String, Object> request, final String name)
    {
        final Object value = request.get(name);
        if (!(value instanceof String text))
        {
            throw new BadRequest(400, name + " is missing or not a string");
        }
        return text;
    }

    private static int limit(final String rawQuery)
    {
        if (null == rawQuery || rawQuery.isEmpty())
        {
            return CoreReplicationConfiguration.KV_LIST_LIMIT_DEFAULT_ENTRIES;
        }
        for (final String parameter : rawQuery.split("&"))
        {
            if (parameter.startsWith("limit="))
            {
                final String value = parameter.substring("limit=".length());
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
                throw new BadRequest(400, "limit=" + cut(value) + " is not an integer in 0.." +
                    CoreReplicationConfiguration.KV_LIST_LIMIT_MAX_ENTRIES);
            }
            throw new BadRequest(400, "query parameter '" + cut(parameter) + "' is unknown; use limit=N");
        }
        return CoreReplicationConfiguration.KV_LIST_LIMIT_DEFAULT_ENTRIES;
    }

    /**
     * Strict percent-decoding of a path segment: bad escapes and bytes that are not UTF-8 are refused
     * rather than replaced, so a key is never silently changed.
     */
    static String decodeKey(final String raw)
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
                    throw new BadRequest(400, "key '" + cut(raw) + "' is not validly URL-encoded");
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
            throw new BadRequest(400, "key '" + cut(raw) + "' is not validly URL-encoded UTF-8");
        }
        if (key.isEmpty())
        {
            throw new BadRequest(400, "key is empty; use /kv to list the replica");
        }
        return key;
    }

    private static void requireMethod(final String method, final String allowed, final String rawPath)
    {
        if (!allowed.equals(method))
        {
            throw methodNotAllowed(method, rawPath, allowed);
        }
    }

    private static BadRequest methodNotAllowed(final String method, final String rawPath, final String allowed)
    {
        return new BadRequest(405, "method " + cut(method) + " is not allowed on " + cut(rawPath) + "; use " + allowed);
    }

    private static String cut(final String text)
    {
        final String single = null == text ? "" : text.replaceAll("\\p{Cntrl}", "?");
        return single.length() <= 64 ? single : single.substring(0, 64) + "...";
    }

    /** A request the API refuses, with its status and one sentence. */
    private static final class BadRequest extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        private final int status;

        BadRequest(final int status, final String message)
        {
            super(message, null, false, false);
            this.status = status;
        }
    }
}
