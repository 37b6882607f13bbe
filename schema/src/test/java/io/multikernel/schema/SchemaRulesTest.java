package io.multikernel.schema;

import org.junit.jupiter.api.Test;
import uk.co.real_logic.sbe.PrimitiveType;
import uk.co.real_logic.sbe.xml.CompositeType;
import uk.co.real_logic.sbe.xml.EncodedDataType;
import uk.co.real_logic.sbe.xml.Field;
import uk.co.real_logic.sbe.xml.Message;
import uk.co.real_logic.sbe.xml.MessageSchema;
import uk.co.real_logic.sbe.xml.ParserOptions;
import uk.co.real_logic.sbe.xml.XmlSchemaParser;

import java.io.InputStream;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The conventions the rest of the system relies on, checked against the schema itself so a new
 * message cannot break them silently.
 */
class SchemaRulesTest
{
    private static MessageSchema schema() throws Exception
    {
        try (InputStream in = SchemaRulesTest.class.getResourceAsStream("/mk-schema.xml"))
        {
            assertThat(in).as("mk-schema.xml on the class path").isNotNull();
            return XmlSchemaParser.parse(in, ParserOptions.builder().stopOnError(true).warningsFatal(true).build());
        }
    }

    @Test
    void everyMessageStartsWithTheEnvelopeAtOffsetZero() throws Exception
    {
        for (final Message message : schema().messages())
        {
            final Field first = message.fields().get(0);
            assertThat(first.name()).as(message.name()).isEqualTo("envelope");
            assertThat(first.type().name()).as(message.name()).isEqualTo("Envelope");
            assertThat(first.computedOffset()).as(message.name()).isZero();
        }
        assertThat(HelloDecoder.envelopeEncodingOffset()).isZero();
        assertThat(EnvelopeDecoder.ENCODED_LENGTH).isEqualTo(24);
    }

    @Test
    void templateIdsAreUniqueAndInTheirRanges() throws Exception
    {
        final Set<Integer> ids = new HashSet<>();
        for (final Message message : schema().messages())
        {
            assertThat(ids.add(message.id())).as("template id %d used twice", message.id()).isTrue();
            assertThat(message.id()).as(message.name()).isBetween(1, 1023);
        }
        assertThat(ids).contains(HelloDecoder.TEMPLATE_ID, HeartbeatDecoder.TEMPLATE_ID, PingDecoder.TEMPLATE_ID,
            PongDecoder.TEMPLATE_ID, GoodbyeDecoder.TEMPLATE_ID);
    }

    @Test
    void variableLengthFieldsUseUnsignedShortLengths() throws Exception
    {
        // A length that can decode as negative would let a receiver's walked limit go backwards.
        for (final String name : List.of("varDataEncoding", "varStringEncoding"))
        {
            final CompositeType composite = (CompositeType)schema().getType(name);
            final EncodedDataType length = (EncodedDataType)composite.getType("length");
            assertThat(length.primitiveType()).as(name).isEqualTo(PrimitiveType.UINT16);
        }
    }

    @Test
    void codecsRoundTripEveryTransportMessage()
    {
        final org.agrona.concurrent.UnsafeBuffer buffer = new org.agrona.concurrent.UnsafeBuffer(new byte[256]);
        final MessageHeaderEncoder header = new MessageHeaderEncoder();
        final PingEncoder ping = new PingEncoder().wrapAndApplyHeader(buffer, 0, header);
        ping.envelope().sourceCoreId(3).destinationCoreId(4).sourceIncarnation(99L).correlationId(7L);
        ping.timestampNs(123L).putPayload(new byte[]{ 1, 2, 3 }, 0, 3);

        final PingDecoder decoded = new PingDecoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderDecoder());
        assertThat(decoded.envelope().sourceCoreId()).isEqualTo(3);
        assertThat(decoded.envelope().destinationCoreId()).isEqualTo(4);
        assertThat(decoded.envelope().sourceIncarnation()).isEqualTo(99L);
        assertThat(decoded.envelope().correlationId()).isEqualTo(7L);
        assertThat(decoded.timestampNs()).isEqualTo(123L);
        final byte[] payload = new byte[decoded.payloadLength()];
        decoded.getPayload(payload, 0, payload.length);
        assertThat(payload).containsExactly(1, 2, 3);

        final HelloEncoder hello = new HelloEncoder().wrapAndApplyHeader(buffer, 0, header);
        hello.envelope().sourceCoreId(1).destinationCoreId(2).sourceIncarnation(5L).correlationId(0L);
        hello.schemaVersion(HelloEncoder.SCHEMA_VERSION).hostId(8).timestampNs(9L).reply(BooleanType.TRUE);
        final HelloDecoder helloDecoder = new HelloDecoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderDecoder());
        assertThat(helloDecoder.hostId()).isEqualTo(8);
        assertThat(helloDecoder.reply()).isEqualTo(BooleanType.TRUE);
        assertThat(helloDecoder.schemaVersion()).isEqualTo(HelloEncoder.SCHEMA_VERSION);

        final GoodbyeEncoder goodbye = new GoodbyeEncoder().wrapAndApplyHeader(buffer, 0, header);
        goodbye.reason((short)2);
        assertThat(new GoodbyeDecoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderDecoder()).reason()).isEqualTo((short)2);
    }
}
