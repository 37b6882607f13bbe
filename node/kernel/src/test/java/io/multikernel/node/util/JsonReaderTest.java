package io.multikernel.node.util;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonReaderTest
{
    @Test
    @SuppressWarnings("unchecked")
    void readsWhatJsonWriterWrites()
    {
        final String json = new JsonWriter().beginObject()
            .field("s", "a\"b\\c\n\u0001").field("n", 42).field("d", 1.5).field("t", true).field("z", (String)null)
            .name("a").beginArray().value(1).beginObject().field("k", "v").endObject().endArray()
            .endObject().toString();
        final Map<String, Object> map = JsonReader.parseObject(json);
        assertThat(map).containsEntry("s", "a\"b\\c\n\u0001").containsEntry("n", 42L).containsEntry("d", 1.5)
            .containsEntry("t", true).containsEntry("z", null);
        assertThat((List<Object>)map.get("a")).containsExactly(1L, Map.of("k", "v"));
    }

    @Test
    void rejectsMalformedDocumentsNamingTheOffset()
    {
        assertThatThrownBy(() -> JsonReader.parse("{\"a\":}")).hasMessageContaining("offset 5");
        assertThatThrownBy(() -> JsonReader.parse("[1,2")).hasMessageContaining("expected ']'");
        assertThatThrownBy(() -> JsonReader.parse("{} x")).hasMessageContaining("trailing");
        assertThatThrownBy(() -> JsonReader.parse("\"abc")).hasMessageContaining("unterminated");
        assertThatThrownBy(() -> JsonReader.parse("[" .repeat(100))).hasMessageContaining("nesting deeper");
        assertThatThrownBy(() -> JsonReader.parse("1.2.3")).hasMessageContaining("bad number");
        assertThatThrownBy(() -> JsonReader.parseObject("[]")).hasMessageContaining("expected a JSON object");
        assertThatThrownBy(() -> JsonReader.parse(null)).hasMessageContaining("missing");
    }
}
