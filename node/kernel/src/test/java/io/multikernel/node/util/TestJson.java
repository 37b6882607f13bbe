package io.multikernel.node.util;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Reads a JSON object in tests as plain maps, lists, strings, {@code Long}s and {@code Double}s, so
 * assertions can name fields without a record per answer.
 */
public final class TestJson
{
    private static final JsonMapper MAPPER = JsonMapper.builder()
        .enable(DeserializationFeature.USE_LONG_FOR_INTS)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .build();

    private TestJson()
    {
    }

    /**
     * @param json an object.
     * @return its fields in document order.
     */
    public static Map<String, Object> parseObject(final String json)
    {
        try
        {
            return MAPPER.readValue(json, new TypeReference<Map<String, Object>>()
            {
            });
        }
        catch (final com.fasterxml.jackson.core.JsonProcessingException ex)
        {
            throw new UncheckedIOException("not a JSON object: " + json, ex);
        }
    }
}
