package io.multikernel.node.util;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;

/**
 * The one strict Jackson configuration of the project: what the kernel reads from HTTP clients
 * ({@code ServiceJson}) and what the tools read from cores and files ({@code StrictJson}) are held to
 * the same rules. Unknown fields, a field given twice, data after the value, {@code null} for a
 * primitive, numbers for enums, fractions for whole numbers, and coercion between strings, numbers and
 * booleans (or from empty strings, arrays and objects) all fail; documents are bounded in length and
 * nesting. Each user adds only how it names things and how it words errors for its readers.
 */
public final class StrictJsonMapper
{
    /** DOCUMENT_LENGTH_MAX_CHARS: the longest JSON document read (a 64-core /skb is well below it). */
    public static final int DOCUMENT_LENGTH_MAX_CHARS = 16 * 1024 * 1024;
    /** NESTING_DEPTH_MAX: deepest nesting of arrays and objects read. */
    public static final int NESTING_DEPTH_MAX = 64;

    private StrictJsonMapper()
    {
    }

    /**
     * @return a builder with every strict rule set; add naming and modules, then build.
     */
    public static JsonMapper.Builder builder()
    {
        final JsonFactory factory = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                .maxDocumentLength(DOCUMENT_LENGTH_MAX_CHARS)
                .maxNestingDepth(NESTING_DEPTH_MAX)
                .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
        return JsonMapper.builder(factory)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .withCoercionConfigDefaults(config -> config
                .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.EmptyArray, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.EmptyObject, CoercionAction.Fail))
            .withCoercionConfig(LogicalType.Textual, config -> config
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .withCoercionConfig(LogicalType.Boolean, config -> config
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail));
    }
}
