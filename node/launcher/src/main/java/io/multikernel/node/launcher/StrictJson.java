package io.multikernel.node.launcher;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import io.multikernel.node.util.StrictJsonMapper;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The one Jackson configuration the tools (launcher, benchmarks, CLI) read and write JSON with:
 * the admin API's documents, the benchmark reports, {@code mk status --json}.
 *
 * <p>Reading is strict, because the shapes are ours and a document that does not match is a bug or a
 * version mismatch to report, not to guess around: unknown and duplicate fields, data after the
 * value, malformed numbers (leading zeros, {@code NaN}, a fraction where an integer belongs), values
 * of the wrong type (no {@code "1"} for 1) and missing fields all fail. A record component annotated
 * {@code @JsonInclude(NON_NULL)} is written only when set and may therefore be absent; every other
 * one must be present. Failures are an {@link IllegalArgumentException} with one sentence naming
 * the document, the field or position, and what is wrong.
 *
 * <p>Writing is compact, fields in snake case in record component order, and every floating-point
 * number with {@value #FRACTION_DIGITS} fraction digits ({@code NaN} and infinities as
 * {@code null}), as the reports have always been written.
 */
public final class StrictJson
{
    /** Longest document read, characters. */
    public static final int DOCUMENT_LENGTH_MAX_CHARS = StrictJsonMapper.DOCUMENT_LENGTH_MAX_CHARS;
    /** Deepest nesting of objects and arrays read. */
    public static final int NESTING_DEPTH_MAX = StrictJsonMapper.NESTING_DEPTH_MAX;
    /** Digits after the decimal point of every floating-point number written. */
    public static final int FRACTION_DIGITS = 4;

    private static final ObjectMapper MAPPER = mapper();
    private static final Pattern QUALIFIED_NAME = Pattern.compile("`(?:[\\w.]+[.$])?([\\w]+)`");

    private StrictJson()
    {
    }

    /**
     * @param text   a JSON document.
     * @param type   the record (or other type) it must be.
     * @param source what the document is, for the error, e.g. {@code core 2's /status}.
     * @param <T>    the type.
     * @return the value.
     * @throws IllegalArgumentException with one sentence when the document is not exactly a {@code type}.
     */
    public static <T> T read(final String text, final Class<T> type, final String source)
    {
        return convert(readTree(text, source), type, source);
    }

    /**
     * @param text   a JSON document.
     * @param type   what it must be, e.g. {@code new TypeReference<Map<String, Object>>() {}}; integers
     *               in untyped values read as {@link Long}.
     * @param source what the document is, for the error.
     * @param <T>    the type.
     * @return the value.
     * @throws IllegalArgumentException with one sentence when the document is not a {@code type}.
     */
    public static <T> T read(final String text, final TypeReference<T> type, final String source)
    {
        final JavaType javaType = MAPPER.constructType(type);
        final JsonNode tree = readTree(text, source);
        requireFields(tree, javaType, "", source);
        try
        {
            return MAPPER.treeToValue(tree, javaType);
        }
        catch (final JsonProcessingException ex)
        {
            throw invalid(source, ex);
        }
    }

    /**
     * For documents whose shape is open (each endpoint of the admin API answers its own): the tree,
     * checked for syntax, duplicate fields and trailing data only.
     *
     * @param text   a JSON document.
     * @param source what the document is, for the error.
     * @return the object it holds.
     * @throws IllegalArgumentException with one sentence when the document is not a JSON object.
     */
    public static ObjectNode readObject(final String text, final String source)
    {
        final JsonNode tree = readTree(text, source);
        if (!(tree instanceof ObjectNode object))
        {
            throw new IllegalArgumentException(source + " is not valid: expected a JSON object, found " +
                tree.getNodeType().name().toLowerCase(Locale.ROOT));
        }
        return object;
    }

    /**
     * @param tree   a document read by {@link #readObject}.
     * @param type   the record it must be.
     * @param source what the document is, for the error.
     * @param <T>    the type.
     * @return the value.
     * @throws IllegalArgumentException with one sentence when the tree is not exactly a {@code type}.
     */
    public static <T> T convert(final JsonNode tree, final Class<T> type, final String source)
    {
        requireFields(tree, MAPPER.constructType(type), "", source);
        try
        {
            return MAPPER.treeToValue(tree, type);
        }
        catch (final JsonProcessingException ex)
        {
            throw invalid(source, ex);
        }
    }

    /**
     * @param value a record, list or map of them.
     * @return its compact JSON.
     */
    public static String write(final Object value)
    {
        try
        {
            return MAPPER.writeValueAsString(value);
        }
        catch (final JsonProcessingException ex)
        {
            // Our own records always serialize; a failure here is a programming error.
            throw new IllegalStateException("cannot write " + value.getClass().getName() + " as JSON: " +
                ex.getOriginalMessage(), ex);
        }
    }

    private static JsonNode readTree(final String text, final String source)
    {
        if (null == text || text.isBlank())
        {
            throw new IllegalArgumentException(source + " is not valid: the document is empty");
        }
        try
        {
            return MAPPER.readTree(text);
        }
        catch (final JsonProcessingException ex)
        {
            throw invalid(source, ex);
        }
    }

    /**
     * Every field of a record must be known, and present unless it is written only when set; Jackson's
     * own check for missing creator properties cannot exempt such a field.
     */
    private static void requireFields(final JsonNode node, final JavaType type, final String path, final String source)
    {
        if (null == node || node.isNull())
        {
            return;
        }
        if (type.isContainerType() && null != type.getContentType())
        {
            if (node.isArray())
            {
                for (int i = 0; i < node.size(); i++)
                {
                    requireFields(node.get(i), type.getContentType(), path + "[" + i + "]", source);
                }
            }
            else if (node.isObject())
            {
                for (final Map.Entry<String, JsonNode> entry : node.properties())
                {
                    requireFields(entry.getValue(), type.getContentType(), field(path, entry.getKey()), source);
                }
            }
            return;
        }
        if (!type.isRecordType() || !node.isObject())
        {
            return;
        }
        final List<BeanPropertyDefinition> properties =
            MAPPER.getSerializationConfig().introspect(type).findProperties();
        // An unknown field says more about a mismatch (another version) than the missing one beside it.
        for (final Map.Entry<String, JsonNode> entry : node.properties())
        {
            if (properties.stream().noneMatch(property -> property.getName().equals(entry.getKey())))
            {
                throw new IllegalArgumentException(source + " is not valid: unknown field '" +
                    field(path, entry.getKey()) + "'");
            }
        }
        for (final BeanPropertyDefinition property : properties)
        {
            final JsonNode value = node.get(property.getName());
            if (null != value)
            {
                requireFields(value, property.getPrimaryType(), field(path, property.getName()), source);
            }
            else if (!mayBeAbsent(property))
            {
                throw new IllegalArgumentException(source + " is not valid: field '" + field(path, property.getName()) +
                    "' is missing");
            }
        }
    }

    private static boolean mayBeAbsent(final BeanPropertyDefinition property)
    {
        final JsonInclude.Include inclusion = property.findInclusion().getValueInclusion();
        return JsonInclude.Include.ALWAYS != inclusion && JsonInclude.Include.USE_DEFAULTS != inclusion;
    }

    private static String field(final String path, final String name)
    {
        return path.isEmpty() ? name : path + "." + name;
    }

    private static IllegalArgumentException invalid(final String source, final JsonProcessingException ex)
    {
        final JsonLocation location = ex.getLocation();
        final String where = null != location && location.getLineNr() > 0 ?
            " at line " + location.getLineNr() + ", column " + location.getColumnNr() : "";
        return new IllegalArgumentException(source + " is not valid: " + reason(ex) + where, ex);
    }

    private static String reason(final JsonProcessingException ex)
    {
        final String message = firstLine(ex.getOriginalMessage());
        final String path = ex instanceof JsonMappingException mapping ? path(mapping.getPath()) : "";
        if (ex instanceof UnrecognizedPropertyException)
        {
            return "unknown field '" + path + "'";
        }
        if (message.startsWith("Duplicate field "))
        {
            return "duplicate field " + message.substring("Duplicate field ".length());
        }
        if (message.startsWith("Trailing token"))
        {
            return "data after the end of the JSON value";
        }
        if (ex instanceof StreamConstraintsException)
        {
            return withoutHints(message);
        }
        final String what = withoutHints(message);
        final String lowered = what.isEmpty() ? what : Character.toLowerCase(what.charAt(0)) + what.substring(1);
        return path.isEmpty() ? lowered : "field '" + path + "': " + lowered;
    }

    /**
     * Jackson's hints name its own switches and our classes' binary names, which mean nothing to the
     * reader of our error: the hints go, and a class keeps its simple name.
     */
    private static String withoutHints(final String message)
    {
        int end = message.length();
        for (final String hint : List.of(" (but ", ": enable `", "; `", " (class ", " (set Deserialization",
            " (for Object", " (token `"))
        {
            final int at = message.indexOf(hint);
            if (at > 0 && at < end)
            {
                end = at;
            }
        }
        return QUALIFIED_NAME.matcher(message.substring(0, end)).replaceAll("`$1`");
    }

    private static String path(final List<JsonMappingException.Reference> references)
    {
        final StringBuilder path = new StringBuilder();
        for (final JsonMappingException.Reference reference : references)
        {
            if (null != reference.getFieldName())
            {
                path.append(path.length() > 0 ? "." : "").append(reference.getFieldName());
            }
            else if (reference.getIndex() >= 0)
            {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static String firstLine(final String message)
    {
        if (null == message)
        {
            return "";
        }
        final int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private static ObjectMapper mapper()
    {
        return StrictJsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.USE_LONG_FOR_INTS)
            .addModule(new SimpleModule("fixed-fraction-digits")
                .addSerializer(Double.class, new FixedFractionDigits())
                .addSerializer(double.class, new FixedFractionDigits()))
            .build();
    }

    /**
     * Floating-point numbers as {@code %.4f}: the reports' figures line up, and read the same as
     * they did when the reports were written by hand.
     */
    private static final class FixedFractionDigits extends StdSerializer<Double>
    {
        private static final long serialVersionUID = 1L;
        private static final String FORMAT = "%." + FRACTION_DIGITS + "f";

        FixedFractionDigits()
        {
            super(Double.class);
        }

        @Override
        public void serialize(final Double value, final JsonGenerator generator, final SerializerProvider provider)
            throws IOException
        {
            if (!Double.isFinite(value))
            {
                generator.writeNull();
            }
            else
            {
                generator.writeNumber(String.format(Locale.ROOT, FORMAT, value));
            }
        }
    }
}
