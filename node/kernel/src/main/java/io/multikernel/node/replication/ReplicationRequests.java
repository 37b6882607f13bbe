package io.multikernel.node.replication;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.multikernel.node.service.ServiceException;
import io.multikernel.node.service.ServiceJson;
import io.multikernel.replication.ParticipantSet;
import io.multikernel.replication.TransactionId;
import io.multikernel.replication.kv.KeyValueOperation;
import io.multikernel.replication.kv.KeyValueStateMachine;

/**
 * What clients send to replication's admin API, as records read strictly by {@link ServiceJson}
 * (unknown fields, duplicate keys, trailing data, malformed numbers and wrong types are refused
 * there), and the checks that turn them into the engine's values. Every refusal is a 400 with one
 * sentence.
 */
final class ReplicationRequests
{
    /** Longest piece of client text echoed in an error. */
    private static final int ECHO_LENGTH_MAX_CHARS = 64;

    private ReplicationRequests()
    {
    }

    /**
     * {@code POST /kv}: one operation given by its fields ({@code key}, {@code value}, {@code op},
     * {@code expected}, {@code delete}), or several in {@code operations}; on {@code replicas}, every
     * core of the cluster map when absent.
     */
    record Proposal(
        @JsonPropertyDescription("a non-empty array of core ids, e.g. [0,1,2]") List<Number> replicas,
        @JsonPropertyDescription("one of put, put-if-absent, compare-and-set, delete") String op,
        String key,
        String value,
        String expected,
        Boolean delete,
        @JsonPropertyDescription("an array of 1.." + CoreReplicationConfiguration.KV_OPERATIONS_MAX + " objects")
        List<Operation> operations)
    {
        /**
         * @param clusterCoreIds every core of the cluster map, sorted.
         * @return the replica set.
         * @throws ServiceException naming a replica that is not a core of the map, or one named twice.
         */
        ParticipantSet replicaSet(final int[] clusterCoreIds) throws ServiceException
        {
            if (null == replicas)
            {
                return ParticipantSet.of(clusterCoreIds);
            }
            if (replicas.isEmpty())
            {
                throw new ServiceException(400, "replicas must be a non-empty array of core ids, e.g. [0,1,2]");
            }
            final int[] ids = new int[replicas.size()];
            for (int i = 0; i < ids.length; i++)
            {
                final Number id = replicas.get(i);
                if (!(id instanceof Integer core) || Arrays.binarySearch(clusterCoreIds, core) < 0)
                {
                    throw new ServiceException(400, "replica " + echo(String.valueOf(id)) +
                        " is not a core of the cluster map " + Arrays.toString(clusterCoreIds));
                }
                ids[i] = core;
            }
            final int[] sorted = ids.clone();
            Arrays.sort(sorted);
            for (int i = 1; i < sorted.length; i++)
            {
                if (sorted[i] == sorted[i - 1])
                {
                    throw new ServiceException(400, "replica " + sorted[i] + " is named twice in replicas " + replicas);
                }
            }
            return ParticipantSet.of(ids);
        }

        /**
         * @return the operations, applied atomically.
         * @throws ServiceException naming the first bad operation.
         */
        List<KeyValueOperation> keyValueOperations() throws ServiceException
        {
            final Operation single = new Operation(op, key, value, expected, delete);
            if (null == operations)
            {
                return List.of(single.toKeyValueOperation());
            }
            if (!single.isEmpty())
            {
                throw new ServiceException(400, "give either key (one operation) or operations, not both");
            }
            if (operations.isEmpty() || operations.size() > CoreReplicationConfiguration.KV_OPERATIONS_MAX)
            {
                throw new ServiceException(400, "operations must be an array of 1.." +
                    CoreReplicationConfiguration.KV_OPERATIONS_MAX + " objects");
            }
            final List<KeyValueOperation> result = new ArrayList<>(operations.size());
            for (final Operation operation : operations)
            {
                if (null == operation)
                {
                    throw new ServiceException(400, "each operation must be an object like " + Operation.EXAMPLE);
                }
                result.add(operation.toKeyValueOperation());
            }
            return result;
        }
    }

    /**
     * One operation of a {@link Proposal}: {@code op} is put unless {@code delete} is true.
     */
    @JsonClassDescription("each operation must be an object like " + Operation.EXAMPLE)
    record Operation(
        @JsonPropertyDescription("one of put, put-if-absent, compare-and-set, delete") String op,
        String key,
        String value,
        String expected,
        Boolean delete)
    {
        static final String EXAMPLE = "{\"op\":\"put\",\"key\":\"k\",\"value\":\"v\"}";

        boolean isEmpty()
        {
            return null == op && null == key && null == value && null == expected && null == delete;
        }

        KeyValueOperation toKeyValueOperation() throws ServiceException
        {
            final String name = null != op ? op : Boolean.TRUE.equals(delete) ? "delete" : "put";
            final String checkedKey = bounded("key", key, true);
            if (checkedKey.startsWith(io.multikernel.node.skb.NameService.KEY_PREFIX))
            {
                // Registrations are agreed by every core through name.register; a write here could
                // give a name a core that does not exist, or a value on some replicas only.
                throw new ServiceException(400, "key '" + echo(checkedKey) + "' is in the name service's keys (" +
                    io.multikernel.node.skb.NameService.KEY_PREFIX + "...): register names with 'mk name register' " +
                    "or LRPC name.register; nothing done");
            }
            return switch (name)
            {
                case "put" -> KeyValueOperation.put(checkedKey, bounded("value", value, true));
                case "put-if-absent" -> KeyValueOperation.putIfAbsent(checkedKey, bounded("value", value, true));
                case "compare-and-set" -> KeyValueOperation.compareAndSet(
                    checkedKey, bounded("expected", expected, false), bounded("value", value, true));
                case "delete" ->
                {
                    if (null != value)
                    {
                        throw new ServiceException(400, "delete of key '" + echo(checkedKey) + "' takes no value");
                    }
                    yield KeyValueOperation.delete(checkedKey);
                }
                default -> throw new ServiceException(400, "op '" + echo(name) +
                    "' is not one of put, put-if-absent, compare-and-set, delete");
            };
        }

        private static String bounded(final String name, final String text, final boolean required)
            throws ServiceException
        {
            if (null == text)
            {
                if (required)
                {
                    throw new ServiceException(400, name + " must be a string");
                }
                return null;
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
    }

    /**
     * {@code POST /2pc/decide}: an operator's decision for an in-doubt transaction.
     */
    record Decision(
        @JsonPropertyDescription("a transaction id core:incarnation:sequence, as a string") String transaction,
        @JsonPropertyDescription("commit or abort") String decision,
        @JsonPropertyDescription("a string saying why") String reason,
        @JsonPropertyDescription("a non-blank string") String operator)
    {
        static final String DEFAULT_OPERATOR = "admin-api";

        TransactionId transactionId() throws ServiceException
        {
            try
            {
                return TransactionId.parse(required("transaction", transaction));
            }
            catch (final IllegalArgumentException ex)
            {
                throw new ServiceException(400, ex.getMessage());
            }
        }

        /**
         * @return true to commit, false to abort.
         */
        boolean commit() throws ServiceException
        {
            final String text = required("decision", decision);
            if (!"commit".equals(text) && !"abort".equals(text))
            {
                throw new ServiceException(400, "decision '" + echo(text) + "' is not commit or abort");
            }
            return "commit".equals(text);
        }

        String checkedReason() throws ServiceException
        {
            final String text = required("reason", reason);
            if (text.isBlank())
            {
                throw new ServiceException(400, "reason is blank; say why the operator decides this transaction");
            }
            return text;
        }

        String checkedOperator() throws ServiceException
        {
            if (null == operator)
            {
                return DEFAULT_OPERATOR;
            }
            if (operator.isBlank())
            {
                throw new ServiceException(400, "operator must be a non-blank string");
            }
            return operator;
        }

        private static String required(final String name, final String text) throws ServiceException
        {
            if (null == text)
            {
                throw new ServiceException(400, name + " is missing or not a string");
            }
            return text;
        }
    }

    /**
     * {@code GET /kv?limit=N}: how many entries of the replica to list.
     *
     * @param limit 0..{@link CoreReplicationConfiguration#KV_LIST_LIMIT_MAX_ENTRIES}.
     */
    record Listing(int limit)
    {
        /**
         * @param parameters the decoded query parameters.
         * @return the listing asked for; the default limit when none is given.
         * @throws ServiceException naming an unknown parameter or a limit that is not a whole number in range.
         */
        static Listing of(final Map<String, String> parameters) throws ServiceException
        {
            for (final Map.Entry<String, String> parameter : parameters.entrySet())
            {
                if (!"limit".equals(parameter.getKey()))
                {
                    throw new ServiceException(400, "query parameter '" +
                        echo(parameter.getKey() + "=" + parameter.getValue()) + "' is unknown; use limit=N");
                }
            }
            final String text = parameters.get("limit");
            if (null == text)
            {
                return new Listing(CoreReplicationConfiguration.KV_LIST_LIMIT_DEFAULT_ENTRIES);
            }
            final OptionalLong limit = ServiceJson.wholeNumber(text);
            if (limit.isEmpty() || limit.getAsLong() < 0 ||
                limit.getAsLong() > CoreReplicationConfiguration.KV_LIST_LIMIT_MAX_ENTRIES)
            {
                // One sentence for both, as before: "limit=x is not an integer in 0..10000".
                throw new ServiceException(400, "limit=" + echo(text) + " is not an integer in 0.." +
                    CoreReplicationConfiguration.KV_LIST_LIMIT_MAX_ENTRIES);
            }
            return new Listing((int)limit.getAsLong());
        }
    }

    /**
     * @return client text fit for a one-sentence message.
     */
    static String echo(final String text)
    {
        return ServiceException.echo(text, ECHO_LENGTH_MAX_CHARS);
    }
}
