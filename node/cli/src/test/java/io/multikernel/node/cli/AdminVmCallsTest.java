package io.multikernel.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.multikernel.node.lrpc.LrpcStatus;
import io.multikernel.node.vm.VmCalls;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An app over a core's admin API sees the answers an app over LRPC sees: the same ok/value/data, the
 * same status for each refusal, and a request without an answer as not delivered.
 */
class AdminVmCallsTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    private static VmCalls.Call answer(final int status, final String body, final boolean capability) throws Exception
    {
        final JsonNode node = JSON.readTree(body);
        return AdminVmCalls.answer(status, node, capability, 10, 20);
    }

    @Test
    void aCommittedCapabilityChangeIsOkWithTheFirstCapabilityItMade() throws Exception
    {
        final VmCalls.Call call = answer(200, "{\"core\":1,\"outcome\":\"committed\",\"transaction\":\"1-7\"," +
            "\"caps\":[41,42]}", true);
        assertThat(call.ok()).isTrue();
        assertThat(call.value()).isEqualTo(41);
        assertThat(call.issuedNs()).isEqualTo(10);
        assertThat(call.answeredNs()).isEqualTo(20);
    }

    @Test
    void aDomainChangeCarriesItsIdOrItsShootdownInNanoseconds() throws Exception
    {
        assertThat(answer(200, "{\"core\":0,\"outcome\":\"committed\",\"id\":9}", false).value()).isEqualTo(9);
        final VmCalls.Call unmap = answer(200, "{\"core\":0,\"outcome\":\"committed\",\"protocol\":\"topo\"," +
            "\"shootdown_us\":125}", false);
        assertThat(unmap.ok()).isTrue();
        assertThat(unmap.value()).isEqualTo(125_000);
    }

    @Test
    void aLoadCarriesItsBytes() throws Exception
    {
        final VmCalls.Call load = answer(200, "{\"core\":2,\"domain\":3,\"vaddr\":4096,\"length\":5," +
            "\"base64\":\"aGVsbG8=\"}", false);
        assertThat(load.ok()).isTrue();
        assertThat(new String(load.data(), StandardCharsets.UTF_8)).isEqualTo("hello");
        assertThat(answer(200, "{\"core\":2,\"domain\":3,\"vaddr\":4096,\"length\":5}", false).ok())
            .as("a store's answer").isTrue();
    }

    @Test
    void refusalsMapToTheStatusLrpcAnswers() throws Exception
    {
        final VmCalls.Call fault = answer(422, "{\"core\":0,\"outcome\":\"fault\",\"error\":\"no mapping at 0x1000\"}",
            false);
        assertThat(fault.fault()).isTrue();
        assertThat(fault.message()).isEqualTo("no mapping at 0x1000");
        assertThat(answer(409, "{\"core\":0,\"outcome\":\"aborted\",\"error\":\"x\"}", false).status())
            .isEqualTo(LrpcStatus.ABORTED);
        assertThat(answer(409, "{\"core\":0,\"outcome\":\"conflict\",\"error\":\"x\"}", true).status())
            .isEqualTo(LrpcStatus.CONFLICT);
        assertThat(answer(503, "{\"core\":0,\"outcome\":\"unavailable\",\"error\":\"x\"}", false).status())
            .isEqualTo(LrpcStatus.UNAVAILABLE);
        assertThat(answer(504, "{\"core\":0,\"outcome\":\"indefinite\",\"error\":\"x\"}", false).status())
            .isEqualTo(LrpcStatus.INDEFINITE);
        assertThat(answer(404, "{\"core\":0,\"outcome\":\"not_found\",\"error\":\"x\"}", true).status())
            .isEqualTo(LrpcStatus.NOT_FOUND);
        assertThat(answer(403, "{\"core\":0,\"outcome\":\"forbidden\",\"error\":\"x\"}", true).status())
            .isEqualTo(LrpcStatus.DENIED);
    }

    @Test
    void aRequestRefusedBeforeAnyOperationMapsByItsHttpStatus() throws Exception
    {
        final VmCalls.Call denied = answer(401, "{\"error\":\"this request needs the cluster's admin token\"}", false);
        assertThat(denied.ok()).isFalse();
        assertThat(denied.status()).isEqualTo(LrpcStatus.DENIED);
        assertThat(denied.message()).contains("admin token");
        assertThat(answer(400, "{\"error\":\"bad\"}", false).status()).isEqualTo(LrpcStatus.INVALID_ARGUMENT);
        assertThat(answer(500, "{\"error\":\"boom\"}", false).statusName()).as("it may have happened")
            .isEqualTo("not_delivered");
        assertThat(answer(200, "{\"core\":0,\"outcome\":\"sideways\"}", false).ok()).isFalse();
    }
}
