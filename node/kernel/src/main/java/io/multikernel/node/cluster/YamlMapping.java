package io.multikernel.node.cluster;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.LongFunction;

import io.multikernel.common.Sizes;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * One YAML mapping of a cluster map, read strictly: duplicate and unknown keys are errors, scalars
 * must have the expected type, and every error is one line naming the file, the line, the field
 * path (for example {@code cores[2].adminPort}) and the value.
 */
final class YamlMapping
{
    private static final int VALUE_DISPLAY_LENGTH_MAX_CHARS = 60;
    private static final int SUGGESTION_DISTANCE_MAX = 2;

    private final String source;
    private final String path;
    private final Node node;
    private final Map<String, NodeTuple> entries = new LinkedHashMap<>();

    private YamlMapping(final String source, final String path, final MappingNode node)
    {
        this.source = source;
        this.path = path;
        this.node = node;
        for (final NodeTuple tuple : node.getValue())
        {
            if (!(tuple.getKeyNode() instanceof ScalarNode keyNode))
            {
                throw error(tuple.getKeyNode(), path, null, "has a key that is not a plain name");
            }
            if (null != entries.putIfAbsent(keyNode.getValue(), tuple))
            {
                throw error(keyNode, fieldPath(keyNode.getValue()), null, "is given twice");
            }
        }
    }

    /**
     * @param source file name for error messages.
     * @param path   field path of {@code node}, empty for the document's root.
     * @param node   the node, which must be a mapping.
     * @return the mapping.
     */
    static YamlMapping of(final String source, final String path, final Node node)
    {
        if (!(node instanceof MappingNode mappingNode))
        {
            throw error(source, node, path.isEmpty() ? "document" : path, display(node),
                "is " + kind(node) + ", expected a mapping of key: value");
        }
        return new YamlMapping(source, path, mappingNode);
    }

    void allowOnly(final Set<String> knownKeys)
    {
        for (final NodeTuple tuple : entries.values())
        {
            final String key = ((ScalarNode)tuple.getKeyNode()).getValue();
            if (!knownKeys.contains(key))
            {
                final String suggestion = closest(key, knownKeys);
                throw error(tuple.getKeyNode(), fieldPath(key), null, "is not a known key" +
                    (null != suggestion ? " (did you mean " + suggestion + "?)" : "") +
                    "; known keys: " + String.join(", ", new TreeSet<>(knownKeys)));
            }
        }
    }

    long requiredInteger(final String key, final LongFunction<String> problem)
    {
        return optionalInteger(key, problem).orElseThrow(() -> missing(key));
    }

    OptionalLong optionalInteger(final String key, final LongFunction<String> problem)
    {
        final Node value = value(key);
        if (null == value)
        {
            return OptionalLong.empty();
        }
        final String text = scalarOfType(key, value, Tag.INT, "an integer");
        final long parsed;
        try
        {
            parsed = Long.parseLong(text.replace("_", ""));
        }
        catch (final NumberFormatException ex)
        {
            final boolean decimal = text.matches("[-+]?[0-9_]+");
            throw error(value, fieldPath(key), text, decimal ? "is out of range" : "is not a decimal integer");
        }
        final String rangeProblem = problem.apply(parsed);
        if (null != rangeProblem)
        {
            throw error(value, fieldPath(key), text, rangeProblem);
        }
        return OptionalLong.of(parsed);
    }

    /**
     * A size in bytes: an integer, or a string with a binary k, m or g suffix ({@code 64m}) as every
     * size option reads it ({@link Sizes}).
     */
    OptionalLong optionalSize(final String key, final LongFunction<String> problem)
    {
        final Node value = value(key);
        if (null == value)
        {
            return OptionalLong.empty();
        }
        if (Tag.INT.equals(value.getTag()))
        {
            return optionalInteger(key, problem);
        }
        final String text = scalarOfType(key, value, Tag.STR, "a size such as 16777216, 64k or 16m");
        final long parsed;
        try
        {
            parsed = Sizes.parse(fieldPath(key), text);
        }
        catch (final IllegalArgumentException ex)
        {
            throw error(value, fieldPath(key), text, "is not a size: expected bytes, or a number with a k, m or g suffix");
        }
        final String rangeProblem = problem.apply(parsed);
        if (null != rangeProblem)
        {
            throw error(value, fieldPath(key), text, rangeProblem);
        }
        return OptionalLong.of(parsed);
    }

    Optional<String> optionalString(final String key, final Function<String, String> problem)
    {
        final Node value = value(key);
        if (null == value)
        {
            return Optional.empty();
        }
        final String text = scalarOfType(key, value, Tag.STR, "a string");
        final String textProblem = problem.apply(text);
        if (null != textProblem)
        {
            throw error(value, fieldPath(key), text, textProblem);
        }
        return Optional.of(text);
    }

    Optional<Boolean> optionalBoolean(final String key)
    {
        final Node value = value(key);
        if (null == value)
        {
            return Optional.empty();
        }
        final String text = scalarOfType(key, value, Tag.BOOL, "true or false");
        return Optional.of(Set.of("true", "yes", "on").contains(text.toLowerCase(Locale.ROOT)));
    }

    Optional<YamlMapping> optionalMapping(final String key)
    {
        final Node value = value(key);
        return null == value ? Optional.empty() : Optional.of(of(source, fieldPath(key), value));
    }

    List<YamlMapping> requiredMappingList(final String key)
    {
        final Node value = value(key);
        if (null == value)
        {
            throw missing(key);
        }
        if (!(value instanceof SequenceNode sequence))
        {
            throw error(value, fieldPath(key), display(value), "is " + kind(value) + ", expected a list");
        }
        final List<YamlMapping> result = new ArrayList<>();
        for (final Node item : sequence.getValue())
        {
            result.add(of(source, fieldPath(key) + "[" + result.size() + "]", item));
        }
        return result;
    }

    String path()
    {
        return path;
    }

    ClusterMapException errorAtMapping(final String problem)
    {
        return error(node, path, null, problem);
    }

    private Node value(final String key)
    {
        final NodeTuple tuple = entries.get(key);
        if (null == tuple)
        {
            return null;
        }
        final Node value = tuple.getValueNode();
        return Tag.NULL.equals(value.getTag()) ? null : value;
    }

    private String scalarOfType(final String key, final Node value, final Tag expected, final String expectedName)
    {
        if (!(value instanceof ScalarNode scalar) || !expected.equals(value.getTag()))
        {
            throw error(value, fieldPath(key), display(value), "is " + kind(value) + ", expected " + expectedName);
        }
        return scalar.getValue();
    }

    private ClusterMapException missing(final String key)
    {
        return error(node, fieldPath(key), null, "is missing");
    }

    private String fieldPath(final String key)
    {
        return path.isEmpty() ? key : path + "." + key;
    }

    private ClusterMapException error(final Node at, final String field, final String value, final String problem)
    {
        return error(source, at, field, value, problem);
    }

    private static ClusterMapException error(
        final String source, final Node at, final String field, final String value, final String problem)
    {
        final int line = at.getStartMark().getLine() + 1;
        return new ClusterMapException(source + ":" + line + ": " + field +
            (null == value ? "" : "=" + oneLine(value)) + " " + problem);
    }

    private static String display(final Node node)
    {
        if (node instanceof ScalarNode scalar)
        {
            // Quote a string that reads like a number, so "'9400' is a string" explains itself.
            final boolean quote = Tag.STR.equals(scalar.getTag()) && scalar.getValue().matches("[-+]?[0-9_.]+");
            return quote ? "'" + scalar.getValue() + "'" : scalar.getValue();
        }
        return node instanceof SequenceNode ? "[...]" : "{...}";
    }

    private static String kind(final Node node)
    {
        if (node instanceof SequenceNode)
        {
            return "a list";
        }
        if (node instanceof MappingNode)
        {
            return "a mapping";
        }
        final Tag tag = node.getTag();
        if (Tag.STR.equals(tag))
        {
            return "a string";
        }
        if (Tag.INT.equals(tag))
        {
            return "an integer";
        }
        if (Tag.BOOL.equals(tag))
        {
            return "a boolean";
        }
        if (Tag.FLOAT.equals(tag))
        {
            return "a decimal number";
        }
        return Tag.NULL.equals(tag) ? "empty" : "of type " + tag.getValue();
    }

    private static String oneLine(final String value)
    {
        final StringBuilder builder = new StringBuilder();
        for (int i = 0; i < value.length() && builder.length() < VALUE_DISPLAY_LENGTH_MAX_CHARS; i++)
        {
            final char c = value.charAt(i);
            builder.append(Character.isISOControl(c) ? '?' : c);
        }
        return builder.length() < value.length() ? builder + "..." : builder.toString();
    }

    private static String closest(final String key, final Set<String> knownKeys)
    {
        String best = null;
        int bestDistance = SUGGESTION_DISTANCE_MAX + 1;
        for (final String known : new TreeSet<>(knownKeys))
        {
            final int distance = io.multikernel.node.util.EditDistance.between(key.toLowerCase(Locale.ROOT),
                known.toLowerCase(Locale.ROOT));
            if (distance < bestDistance)
            {
                best = known;
                bestDistance = distance;
            }
        }
        return best;
    }
}
