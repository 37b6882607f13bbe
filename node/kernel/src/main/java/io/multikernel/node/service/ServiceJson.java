package io.multikernel.node.service;

import java.io.IOException;
import java.io.StringWriter;
import java.lang.reflect.RecordComponent;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.OptionalLong;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.multikernel.node.util.StrictJsonMapper;

/**
 * The one JSON configuration of the kernel: admin requests are read strictly into records, and
 * answers and published snapshots are written with the same mapper (records, or a
 * {@link Document} that drives Jackson's generator).
 *
 * <h2>Strict reading</h2>
 * A request body is read into a record whose components are the fields a client may send (absent
 * fields are null). Everything else is refused with one sentence, which
 * {@link #read(byte[], Class)} throws as a 400:
 * <ul>
 *   <li>an unknown field: {@code field 'x' is unknown; use key, value or op};</li>
 *   <li>a field given twice: {@code field 'key' is given twice at line 1, column 17; give each field once};</li>
 *   <li>anything after the object: {@code request body has more after its JSON object at line 1, column 13; send exactly one object};</li>
 *   <li>a number JSON does not allow ({@code +1}, {@code 01}, {@code .5}, {@code NaN}, {@code Infinity}):
 *       {@code request body has a malformed number at line 1, column 14; ...};</li>
 *   <li>a value of the wrong type, no coercion between strings, numbers and booleans, no fraction
 *       for a whole number: {@code value must be a string}, or the component's
 *       {@code @JsonPropertyDescription}: {@code replicas must be a non-empty array of core ids};
 *       an element that is not the object its list holds says what its record's
 *       {@code @JsonClassDescription} says;</li>
 *   <li>a body that is empty, not JSON, or not an object.</li>
 * </ul>
 * A record's own checks (ranges, blank strings) are the service's, after reading.
 */
public final class ServiceJson
{
    /** Longest piece of a parser's message echoed in an error. */
    private static final int DETAIL_LENGTH_MAX_CHARS = 120;

    private static final JsonMapper MAPPER = StrictJsonMapper.builder()
        // Records are written by their components; an isUp() is not a field.
        .disable(MapperFeature.AUTO_DETECT_IS_GETTERS)
        .build();

    /** Reads one value and leaves the parser after it, so that trailing data is ours to name. */
    private static final ObjectReader VALUE_READER = MAPPER.reader()
        .without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private ServiceJson()
    {
    }

    /**
     * Renders a document with Jackson's generator, for shapes a record does not fit (keys that are
     * data, large matrices).
     */
    @FunctionalInterface
    public interface Document
    {
        /**
         * @param json the generator; write exactly one value.
         * @throws IOException only from the generator.
         */
        void writeTo(JsonGenerator json) throws IOException;
    }

    /**
     * Read a request body strictly.
     *
     * @param body the request body.
     * @param type the record the body must fit.
     * @param <T>  the record's type.
     * @return the request.
     * @throws ServiceException 400 naming the problem in one sentence.
     */
    public static <T> T read(final byte[] body, final Class<T> type) throws ServiceException
    {
        if (isBlank(body))
        {
            throw new ServiceException(400, "request body is empty; send a JSON object");
        }
        try (JsonParser parser = MAPPER.createParser(body))
        {
            final T value = VALUE_READER.forType(type).readValue(parser);
            if (null == value)
            {
                throw new ServiceException(400, "request body is not a JSON object but null");
            }
            checkNothingFollows(parser);
            return value;
        }
        catch (final JacksonException ex)
        {
            throw new ServiceException(400, problem(ex, body));
        }
        catch (final IOException ex)
        {
            // The bytes are in memory: what fails is their decoding (Jackson guesses UTF-16 or UTF-32
            // from the first four bytes, and throws CharConversionException when they lie).
            throw new ServiceException(400, "request body is not JSON text in UTF-8: " + ex.getMessage());
        }
    }

    /**
     * Read a whole number as JSON writes it: an optional minus and digits, no leading zeros, no
     * plus, fraction, exponent or spaces. For numbers that arrive as text, such as query parameters,
     * so that they are held to the same rules as numbers in a body.
     *
     * @param text the text, possibly null.
     * @return the number, or empty when the text is not such a number or does not fit a long.
     */
    public static OptionalLong wholeNumber(final String text)
    {
        if (null == text || text.isEmpty() || !text.equals(text.strip()))
        {
            return OptionalLong.empty();
        }
        try (JsonParser parser = MAPPER.createParser(text))
        {
            if (JsonToken.VALUE_NUMBER_INT != parser.nextToken() ||
                JsonParser.NumberType.BIG_INTEGER == parser.getNumberType())
            {
                return OptionalLong.empty();
            }
            final long value = parser.getLongValue();
            return null == parser.nextToken() ? OptionalLong.of(value) : OptionalLong.empty();
        }
        catch (final IOException ex)
        {
            return OptionalLong.empty();
        }
    }

    /**
     * @param value a record, map, list or simple value.
     * @return its JSON.
     * @throws IllegalStateException when it cannot be written: a programming error.
     */
    public static String write(final Object value)
    {
        try
        {
            return MAPPER.writeValueAsString(value);
        }
        catch (final JacksonException ex)
        {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON: " +
                ex.getOriginalMessage(), ex);
        }
    }

    /**
     * @param document writes one value with the generator.
     * @return its JSON.
     */
    public static String write(final Document document)
    {
        final StringWriter out = new StringWriter();
        try (JsonGenerator json = MAPPER.createGenerator(out))
        {
            document.writeTo(json);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot write a JSON document: " + ex.getMessage(), ex);
        }
        return out.toString();
    }

    private static boolean isBlank(final byte[] body)
    {
        for (final byte b : body)
        {
            if (' ' != b && '\t' != b && '\n' != b && '\r' != b)
            {
                return false;
            }
        }
        return true;
    }

    private static void checkNothingFollows(final JsonParser parser) throws ServiceException
    {
        final JsonLocation end = parser.currentLocation();
        boolean more;
        try
        {
            more = null != parser.nextToken();
        }
        catch (final IOException ex)
        {
            more = true;
        }
        if (more)
        {
            throw new ServiceException(400, "request body has more after its JSON object at " + at(end) +
                "; send exactly one object");
        }
    }

    /**
     * @return one sentence for a request the mapper refused.
     */
    static String problem(final JacksonException ex, final byte[] body)
    {
        final StreamReadException syntax = syntaxError(ex);
        if (syntax instanceof InputCoercionException && ex instanceof JsonMappingException mapping)
        {
            return wrongType(mapping, "a number that fits");
        }
        if (null != syntax)
        {
            return syntaxProblem(syntax);
        }
        if (ex instanceof UnrecognizedPropertyException unknown)
        {
            final String parent = path(unknown.getPath().subList(0, unknown.getPath().size() - 1));
            return "field '" + echo(unknown.getPropertyName()) + "' " + (parent.isEmpty() ? "" : "of " + parent + " ") +
                "is unknown; use " + ServiceException.orList(fieldNames(unknown.getReferringClass(),
                unknown.getKnownPropertyIds()));
        }
        if (ex instanceof MismatchedInputException mismatch)
        {
            if (mismatch.getPath().isEmpty())
            {
                return "request body is not a JSON object" + (mismatch.getOriginalMessage().startsWith("No content") ?
                    "; send one" : " but " + shapeOf(body));
            }
            return wrongType(mismatch, null);
        }
        return "request body is not a valid request: " + detail(ex);
    }

    private static StreamReadException syntaxError(final Throwable ex)
    {
        for (Throwable cause = ex; null != cause; cause = cause.getCause())
        {
            if (cause instanceof StreamReadException syntax)
            {
                return syntax;
            }
        }
        return null;
    }

    private static String syntaxProblem(final StreamReadException ex)
    {
        final String message = null == ex.getOriginalMessage() ? "" : ex.getOriginalMessage();
        final String where = at(ex.getLocation());
        if (message.startsWith("Duplicate field '"))
        {
            final String name = message.substring("Duplicate field '".length(), Math.max(
                "Duplicate field '".length(), message.lastIndexOf('\'')));
            return "field '" + echo(name) + "' is given twice at " + where + "; give each field once";
        }
        if (isMalformedNumber(message))
        {
            return "request body has a malformed number at " + where +
                "; write numbers as JSON does: no leading + or zeros, no leading '.', no NaN or Infinity";
        }
        return "request body is not a JSON object: " + detail(ex) + " at " + where;
    }

    /**
     * Jackson reports the numbers JSON does not allow with these messages (and no type of their
     * own); {@code ServiceJsonTest} holds them so that a Jackson upgrade that rewords one fails there.
     */
    private static boolean isMalformedNumber(final String message)
    {
        return message.contains("numeric value") ||
            message.startsWith("Non-standard token 'NaN'") ||
            message.startsWith("Non-standard token 'Infinity'") ||
            message.startsWith("Non-standard token '+Infinity'") ||
            message.startsWith("Non-standard token '-Infinity'") ||
            message.startsWith("Unexpected character ('.'") ||
            message.startsWith("Unexpected character ('+'");
    }

    private static String wrongType(final JsonMappingException ex, final String otherwise)
    {
        final List<JsonMappingException.Reference> path = ex.getPath();
        final JsonMappingException.Reference last = path.get(path.size() - 1);
        final Class<?> target = ex instanceof MismatchedInputException mismatch ? mismatch.getTargetType() : null;
        if (last.getIndex() >= 0 && null != target && target.isAnnotationPresent(JsonClassDescription.class))
        {
            return target.getAnnotation(JsonClassDescription.class).value();
        }
        int field = path.size() - 1;
        while (field >= 0 && null == path.get(field).getFieldName())
        {
            field--;
        }
        final String description = field < 0 ? null : description(path.get(field));
        if (null != description)
        {
            return path(path.subList(0, field + 1)) + " must be " + description;
        }
        return path(path) + " must be " + (null != otherwise ? otherwise : typeName(target));
    }

    private static String description(final JsonMappingException.Reference reference)
    {
        final Object from = reference.getFrom();
        final Class<?> owner = from instanceof Class<?> type ? type : null == from ? null : from.getClass();
        if (null == owner)
        {
            return null;
        }
        final BeanDescription bean = MAPPER.getDeserializationConfig().introspect(MAPPER.constructType(owner));
        for (final BeanPropertyDefinition property : bean.findProperties())
        {
            if (property.getName().equals(reference.getFieldName()))
            {
                return property.getMetadata().getDescription();
            }
        }
        return null;
    }

    private static String typeName(final Class<?> type)
    {
        if (null == type)
        {
            return "another type";
        }
        if (CharSequence.class.isAssignableFrom(type))
        {
            return "a string";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class ||
            type == Short.class || type == short.class || type == BigInteger.class)
        {
            return "a whole number";
        }
        if (Number.class.isAssignableFrom(type) || type.isPrimitive() && type != boolean.class)
        {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class)
        {
            return "true or false";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray())
        {
            return "an array";
        }
        return "an object";
    }

    /**
     * @return what the body holds instead of an object, by its first character.
     */
    private static String shapeOf(final byte[] body)
    {
        for (final byte b : body)
        {
            switch (b)
            {
                case ' ', '\t', '\n', '\r' ->
                {
                    continue;
                }
                case '[' ->
                {
                    return "an array";
                }
                case '"' ->
                {
                    return "a string";
                }
                case 't', 'f' ->
                {
                    return "a boolean";
                }
                default ->
                {
                    return '-' == b || (b >= '0' && b <= '9') ? "a number" : "something else";
                }
            }
        }
        return "something else";
    }

    private static List<String> fieldNames(final Class<?> type, final Collection<Object> known)
    {
        final List<String> names = new ArrayList<>();
        if (null != type && type.isRecord())
        {
            for (final RecordComponent component : type.getRecordComponents())
            {
                // A component renamed for JSON ("delay_ms" for delayMs) is named as clients write it.
                final JsonProperty renamed = component.getAccessor().getAnnotation(JsonProperty.class);
                names.add(null == renamed || renamed.value().isEmpty() ? component.getName() : renamed.value());
            }
            return names;
        }
        known.forEach(name -> names.add(String.valueOf(name)));
        names.sort(null);
        return names;
    }

    /**
     * @return {@code operations[0].op}.
     */
    private static String path(final List<JsonMappingException.Reference> references)
    {
        final StringBuilder text = new StringBuilder();
        for (final JsonMappingException.Reference reference : references)
        {
            if (null != reference.getFieldName())
            {
                text.append(text.isEmpty() ? "" : ".").append(echo(reference.getFieldName()));
            }
            else if (reference.getIndex() >= 0)
            {
                text.append('[').append(reference.getIndex()).append(']');
            }
        }
        return text.toString();
    }

    private static String at(final JsonLocation location)
    {
        return null == location ? "an unknown place" :
            "line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    /**
     * @return the parser's own words, without its advice to enable features of ours.
     */
    private static String detail(final JacksonException ex)
    {
        String message = null == ex.getOriginalMessage() ? ex.getClass().getSimpleName() : ex.getOriginalMessage();
        for (final String cut : new String[]{ "\n", ": enable ", "; enable ", " (start marker" })
        {
            final int index = message.indexOf(cut);
            if (index >= 0)
            {
                message = message.substring(0, index);
            }
        }
        return echo(message.replaceAll(" \\(code \\d+\\)", ""));
    }

    private static String echo(final String text)
    {
        return ServiceException.echo(text, DETAIL_LENGTH_MAX_CHARS);
    }
}
