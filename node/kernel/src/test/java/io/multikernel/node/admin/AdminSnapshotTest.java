package io.multikernel.node.admin;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Error bodies and routing of the admin server. */
class AdminSnapshotTest
{
    @Test
    void errorTextIsCutToItsFirstLineAndLimit()
    {
        assertThat(AdminResponse.cut(null, 10)).isEmpty();
        assertThat(AdminResponse.cut("short", 10)).isEqualTo("short");
        assertThat(AdminResponse.cut("first\r\nsecond", 10)).isEqualTo("first...");
        assertThat(AdminResponse.cut("0123456789abc", 10)).isEqualTo("0123456789...");
    }

    @Test
    void routesMatchExactRawPathsOnly()
    {
        assertThat(AdminEndpoint.of("/metrics")).isEqualTo(AdminEndpoint.METRICS);
        assertThat(AdminEndpoint.of("/skb")).isEqualTo(AdminEndpoint.SKB);
        assertThat(AdminEndpoint.of("/Metrics")).isEqualTo(AdminEndpoint.UNKNOWN);
        assertThat(AdminEndpoint.of("/%6Detrics")).isEqualTo(AdminEndpoint.UNKNOWN);
        assertThat(AdminEndpoint.of(null)).isEqualTo(AdminEndpoint.UNKNOWN);
        assertThat(AdminEndpoint.of("/kv")).isEqualTo(AdminEndpoint.KV);
        assertThat(AdminEndpoint.of("/kv/some%20key")).isEqualTo(AdminEndpoint.KV);
        assertThat(AdminEndpoint.of("/kvx")).isEqualTo(AdminEndpoint.UNKNOWN);
        assertThat(AdminEndpoint.of("/2pc/decide")).isEqualTo(AdminEndpoint.TWO_PC);
        assertThat(AdminEndpoint.of("/skb/x")).isEqualTo(AdminEndpoint.UNKNOWN);
    }
}
