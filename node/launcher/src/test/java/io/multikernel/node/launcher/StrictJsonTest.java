package io.multikernel.node.launcher;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.type.TypeReference;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Documents that are not exactly the record they should be fail with one sentence naming the
 * document and what is wrong; what the tools write reads back the same.
 */
class StrictJsonTest
{
    record Item(int id, String name)
    {
    }

    record Box(long count, double ratio, List<Item> items, @JsonInclude(JsonInclude.Include.NON_NULL) String note)
    {
    }

    private static final String BOX = "{\"count\":2,\"ratio\":0.5,\"items\":[{\"id\":1,\"name\":\"a\"}]}";

    @Test
    void readsARecordAndItsOptionalField()
    {
        assertThat(StrictJson.read(BOX, Box.class, "the box"))
            .isEqualTo(new Box(2, 0.5, List.of(new Item(1, "a")), null));
        assertThat(StrictJson.read(BOX.replace("}]}", "}],\"note\":\"n\"}"), Box.class, "the box").note()).isEqualTo("n");
    }

    @Test
    void writesSnakeCaseInComponentOrderWithFourFractionDigitsAndLeavesOutUnsetOptionalFields()
    {
        record Row(long rttP50Ns, double throughputPerS, double undefined)
        {
        }

        assertThat(StrictJson.write(List.of(new Row(1, 2.0 / 3, Double.NaN))))
            .isEqualTo("[{\"rtt_p50_ns\":1,\"throughput_per_s\":0.6667,\"undefined\":null}]");
        assertThat(StrictJson.write(new Box(2, 0.5, List.of(new Item(1, "a")), null)))
            .isEqualTo("{\"count\":2,\"ratio\":0.5000,\"items\":[{\"id\":1,\"name\":\"a\"}]}");
        final Box box = new Box(3, 1.25, List.of(), "x");
        assertThat(StrictJson.read(StrictJson.write(box), Box.class, "the box")).isEqualTo(box);
    }

    @Test
    void unknownDuplicateAndMissingFieldsFail()
    {
        assertInvalid(BOX.replace("\"name\":\"a\"", "\"name\":\"a\",\"colour\":\"red\""),
            "the box is not valid: unknown field 'items[0].colour'");
        assertInvalid(BOX.replace("\"count\":2", "\"count\":2,\"count\":3"),
            "the box is not valid: duplicate field 'count' at line 1, column");
        assertInvalid(BOX.replace("\"count\":2,", ""), "the box is not valid: field 'count' is missing");
        assertInvalid(BOX.replace("\"id\":1,", ""), "the box is not valid: field 'items[0].id' is missing");
    }

    @Test
    void trailingDataAndMalformedNumbersFail()
    {
        assertInvalid(BOX + "{}", "the box is not valid: data after the end of the JSON value");
        assertInvalid(BOX + " x", "the box is not valid: unrecognized token 'x'");
        assertInvalid(BOX.replace("\"count\":2", "\"count\":02"), "invalid numeric value: Leading zeroes not allowed at line 1, column 11");
        assertInvalid(BOX.replace("0.5", "NaN"), "non-standard token 'NaN' at line 1");
        assertInvalid(BOX.replace("0.5", "1."), "Decimal point not followed by a digit");
        assertInvalid(BOX.replace("\"count\":2", "\"count\":2.5"), "field 'count': cannot coerce Floating-point value (2.5)");
        assertInvalid(BOX.replace("\"count\":2", "\"count\":\"2\""), "field 'count': cannot coerce String value");
        assertInvalid(BOX.replace("\"id\":1", "\"id\":4294967296"), "field 'items[0].id': numeric value (4294967296) out of range");
        assertInvalid(BOX.replace("\"name\":\"a\"", "\"name\":7"), "field 'items[0].name': cannot coerce Integer value (7)");
        assertInvalid(BOX.replace("\"count\":2", "\"count\":null"), "field 'count': cannot map `null` into type `long`");
    }

    @Test
    void emptyDeepAndNonObjectDocumentsFail()
    {
        assertInvalid("", "the box is not valid: the document is empty");
        assertInvalid("[1]", "the box is not valid: cannot deserialize value of type `Box` from Array value");
        assertThatThrownBy(() -> StrictJson.readObject("[1]", "the box"))
            .hasMessage("the box is not valid: expected a JSON object, found array");
        final String deep = "[".repeat(StrictJson.NESTING_DEPTH_MAX + 1) + "]".repeat(StrictJson.NESTING_DEPTH_MAX + 1);
        assertThatThrownBy(() -> StrictJson.readObject(deep, "the box"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("the box is not valid: ").hasMessageContaining("nesting depth");
    }

    @Test
    void openDocumentsAreCheckedForSyntaxOnlyAndReadIntegersAsLongs()
    {
        assertThat(StrictJson.readObject("{\"any\":{\"thing\":[1,true]}}", "the reply").path("any").path("thing").size())
            .isEqualTo(2);
        assertThatThrownBy(() -> StrictJson.readObject("{\"a\":1,\"a\":1}", "the reply"))
            .hasMessageStartingWith("the reply is not valid: duplicate field 'a'");
        final Map<String, Object> map = StrictJson.read("{\"n\":256,\"x\":1.5000,\"l\":[0,1]}",
            new TypeReference<Map<String, Object>>()
            {
            }, "the map");
        assertThat(map).containsExactly(Map.entry("n", 256L), Map.entry("x", 1.5), Map.entry("l", List.of(0L, 1L)));
    }

    private static void assertInvalid(final String json, final String expected)
    {
        assertThatThrownBy(() -> StrictJson.read(json, Box.class, "the box"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("the box is not valid: ")
            .hasMessageContaining(expected)
            .satisfies(ex -> assertThat(ex.getMessage()).doesNotContain("\n", "`DeserializationFeature", "CoercionConfig",
                "io.multikernel"));
    }
}
