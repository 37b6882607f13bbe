package io.multikernel.node.service;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Strict reading names each class of bad body in one sentence; writing keeps field names and order.
 */
class ServiceJsonTest
{
    record Item(String name, Integer count)
    {
    }

    @JsonClassDescription("each part must be an object like {\"name\":\"n\"}")
    record Part(String name)
    {
    }

    record Order(
        @JsonPropertyDescription("a non-empty array of core ids") List<Integer> cores,
        String key,
        Long rounds,
        Boolean urgent,
        Item item,
        List<Part> parts)
    {
    }

    @Test
    void readsAWellFormedBodyWithAbsentFieldsAsNull() throws Exception
    {
        final Order order = read("{\"cores\":[0,1],\"key\":\"k\",\"rounds\":-3,\"item\":{\"name\":\"n\"}}");

        assertThat(order).isEqualTo(new Order(List.of(0, 1), "k", -3L, null, new Item("n", null), null));
        assertThat(read(" \n{ \"key\" : \"k\" }\r\n ").key()).isEqualTo("k");
    }

    @Test
    void anUnknownFieldIsNamedWithTheFieldsThatAreKnown()
    {
        assertRefused("{\"key\":\"k\",\"colour\":\"red\"}",
            "field 'colour' is unknown; use cores, key, rounds, urgent, item or parts");
        assertRefused("{\"item\":{\"name\":\"n\",\"size\":1}}", "field 'size' of item is unknown; use name or count");
    }

    @Test
    void aDuplicateKeyIsNamedWhereverItIs()
    {
        assertRefused("{\"key\":\"a\",\"key\":\"b\"}", "field 'key' is given twice at line 1, column 17; give each field once");
        assertRefused("{\"item\":{\"name\":\"a\",\"name\":\"b\"}}",
            "field 'name' is given twice at line 1, column 27; give each field once");
    }

    @Test
    void bytesThatAreNoTextInAnyEncodingAre400s()
    {
        // Jackson reads these first bytes as UTF-16 or UTF-32 and fails to decode them.
        for (final byte[] body : new byte[][]{
            { 0x00, '{', 0x00, 0x00 },
            { 0x00, 0x00, 0x00, '{', (byte)0xFF, (byte)0xFF, (byte)0xFF, (byte)0xFF },
            { (byte)0xFE, (byte)0xFF, (byte)0xD8, 0x00, 0x00, '{' }})
        {
            assertThatThrownBy(() -> ServiceJson.read(body, Order.class)).as(java.util.Arrays.toString(body))
                .isInstanceOfSatisfying(ServiceException.class, ex -> assertThat(ex.status()).isEqualTo(400))
                .hasMessageStartingWith("request body is ");
        }
    }

    @Test
    void dataAfterTheObjectIsRefused()
    {
        for (final String trailing : new String[]{ "{\"key\":\"k\"} {}", "{\"key\":\"k\"}x", "{\"key\":\"k\"},", "{\"key\":\"k\"}]" })
        {
            assertRefused(trailing, "request body has more after its JSON object at line 1, column 12; " +
                "send exactly one object");
        }
    }

    @Test
    void numbersJsonDoesNotAllowAreMalformed()
    {
        final String rule = "; write numbers as JSON does: no leading + or zeros, no leading '.', no NaN or Infinity";
        assertRefused("{\"rounds\":+1}", "request body has a malformed number at line 1, column 12" + rule);
        assertRefused("{\"rounds\":01}", "request body has a malformed number at line 1, column 12" + rule);
        assertRefused("{\"rounds\":.5}", "request body has a malformed number at line 1, column 11" + rule);
        assertRefused("{\"rounds\":NaN}", "request body has a malformed number at line 1, column 14" + rule);
        assertRefused("{\"rounds\":-Infinity}", "request body has a malformed number at line 1, column 20" + rule);
        assertRefused("{\"cores\":[-01]}", "request body has a malformed number at line 1, column 13" + rule);
    }

    @Test
    void aValueOfTheWrongTypeSaysWhatItMustBe()
    {
        assertRefused("{\"key\":3}", "key must be a string");
        assertRefused("{\"key\":true}", "key must be a string");
        assertRefused("{\"key\":[\"k\"]}", "key must be a string");
        assertRefused("{\"rounds\":\"5\"}", "rounds must be a whole number");
        assertRefused("{\"rounds\":1.5}", "rounds must be a whole number");
        assertRefused("{\"rounds\":1e3}", "rounds must be a whole number");
        assertRefused("{\"rounds\":99999999999999999999}", "rounds must be a number that fits");
        assertRefused("{\"urgent\":1}", "urgent must be true or false");
        assertRefused("{\"urgent\":\"true\"}", "urgent must be true or false");
        assertRefused("{\"item\":\"n\"}", "item must be an object");
        assertRefused("{\"item\":{\"count\":\"2\"}}", "item.count must be a whole number");
        assertRefused("{\"cores\":\"all\"}", "cores must be a non-empty array of core ids");
        assertRefused("{\"cores\":[\"1\"]}", "cores must be a non-empty array of core ids");
        assertRefused("{\"parts\":[{\"name\":\"a\"},\"b\"]}", "each part must be an object like {\"name\":\"n\"}");
        assertRefused("{\"parts\":{\"name\":\"a\"}}", "parts must be an array");
    }

    @Test
    void aBodyThatIsNotOneJsonObjectIsRefused()
    {
        assertRefused("", "request body is empty; send a JSON object");
        assertRefused(" \r\n", "request body is empty; send a JSON object");
        assertRefused("[1,2]", "request body is not a JSON object but an array");
        assertRefused("\"key\"", "request body is not a JSON object but a string");
        assertRefused("7", "request body is not a JSON object but a number");
        assertRefused("null", "request body is not a JSON object but null");
        assertRefused("{not json", "request body is not a JSON object: Unexpected character ('n'): " +
            "was expecting double-quote to start field name at line 1, column 2");
        assertRefused("{\"key\":\"k\"", "request body is not a JSON object: Unexpected end-of-input: " +
            "expected close marker for Object at line 1, column 11");
    }

    @Test
    void refusalsAre400AndEchoNoControlCharacters()
    {
        assertThatThrownBy(() -> read("{\"a\\nb\":1}"))
            .isInstanceOfSatisfying(ServiceException.class, ex -> assertThat(ex.status()).isEqualTo(400))
            .hasMessage("field 'a?b' is unknown; use cores, key, rounds, urgent, item or parts");
    }

    @Test
    void wholeNumbersFromTextFollowTheSameRules()
    {
        assertThat(ServiceJson.wholeNumber("0")).hasValue(0);
        assertThat(ServiceJson.wholeNumber("-12")).hasValue(-12);
        assertThat(ServiceJson.wholeNumber("99999999999")).hasValue(99_999_999_999L);
        for (final String bad : new String[]{ null, "", "+1", "01", ".5", "1.0", "1e3", "NaN", " 5", "5 ", "5 6", "5x",
            "x", "99999999999999999999", "\"5\"" })
        {
            assertThat(ServiceJson.wholeNumber(bad)).as(bad).isEqualTo(OptionalLong.empty());
        }
    }

    record Answer(String outcome, String transaction, int[] replicas,
        @JsonInclude(JsonInclude.Include.NON_NULL) String reason, @JsonProperty("in_doubt_for_ms") long inDoubtForMs)
    {
        public boolean isCommitted()
        {
            return "committed".equals(outcome);
        }
    }

    @Test
    void writesRecordsInComponentOrderWithTheirJsonNames()
    {
        assertThat(ServiceJson.write(new Answer("aborted", null, new int[]{ 0, 2 }, null, 7)))
            .isEqualTo("{\"outcome\":\"aborted\",\"transaction\":null,\"replicas\":[0,2],\"in_doubt_for_ms\":7}");
        assertThat(ServiceJson.write(new Answer("committed", "0:1:2", new int[]{ 1 }, "r \"q\"\n", 0)))
            .isEqualTo("{\"outcome\":\"committed\",\"transaction\":\"0:1:2\",\"replicas\":[1],\"reason\":\"r \\\"q\\\"\\n\"," +
                "\"in_doubt_for_ms\":0}");
        final Map<String, Object> ordered = new LinkedHashMap<>();
        ordered.put("b", 1);
        ordered.put("a", 2.5);
        assertThat(ServiceJson.write(ordered)).isEqualTo("{\"b\":1,\"a\":2.5}");
        assertThat(ServiceJson.write(json ->
        {
            json.writeStartObject();
            json.writeNumberField("3", -1);
            json.writeEndObject();
        })).isEqualTo("{\"3\":-1}");
    }

    private static Order read(final String body) throws ServiceException
    {
        return ServiceJson.read(body.getBytes(StandardCharsets.UTF_8), Order.class);
    }

    private static void assertRefused(final String body, final String message)
    {
        assertThatThrownBy(() -> read(body)).as(body)
            .isInstanceOfSatisfying(ServiceException.class, ex -> assertThat(ex.status()).isEqualTo(400))
            .hasMessage(message);
    }
}
