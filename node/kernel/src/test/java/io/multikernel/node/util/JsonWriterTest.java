package io.multikernel.node.util;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class JsonWriterTest
{
    @Test
    void writesNestedStructuresWithCommasAndEscapes()
    {
        final String json = new JsonWriter().beginObject()
            .field("name", "a \"quoted\"\\path\n")
            .field("count", 3)
            .field("ratio", 1.5)
            .field("ok", true)
            .field("nothing", (String)null)
            .name("list").beginArray().value(1).value("x").beginObject().field("k", 2).endObject().endArray()
            .field("nan", Double.NaN)
            .field("control", "\u0001")
            .endObject().toString();
        assertThat(json).isEqualTo("{\"name\":\"a \\\"quoted\\\"\\\\path\\n\",\"count\":3,\"ratio\":1.5000,\"ok\":true," +
            "\"nothing\":null,\"list\":[1,\"x\",{\"k\":2}],\"nan\":null,\"control\":\"\\u0001\"}");
    }
}
