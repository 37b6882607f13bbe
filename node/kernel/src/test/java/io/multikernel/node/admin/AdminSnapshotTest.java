package io.multikernel.node.admin;

import io.multikernel.node.util.JsonWriter;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The value types the agent hands to the admin server: snapshots, health, and error bodies. */
class AdminSnapshotTest
{
    @Test
    void snapshotIsNullUntilPublishedThenTheLatestDocument()
    {
        final JsonSnapshot snapshot = new JsonSnapshot();
        assertThat(snapshot.json()).isNull();

        snapshot.publish(new JsonWriter().beginObject().field("core", 1).endObject());
        assertThat(snapshot.json()).isEqualTo("{\"core\":1}");
        snapshot.publish("{\"core\":2}");
        assertThat(snapshot.json()).isEqualTo("{\"core\":2}");
        assertThatThrownBy(() -> snapshot.publish((String)null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void lazySnapshotRendersOnceOnFirstReadAndTheNextPublishReplacesIt()
    {
        final JsonSnapshot snapshot = new JsonSnapshot();
        final java.util.concurrent.atomic.AtomicInteger renders = new java.util.concurrent.atomic.AtomicInteger();
        snapshot.publishLazily(() -> "{\"render\":" + renders.incrementAndGet() + "}");
        assertThat(renders.get()).isZero();
        assertThat(snapshot.json()).isEqualTo("{\"render\":1}");
        assertThat(snapshot.json()).isEqualTo("{\"render\":1}");
        assertThat(renders.get()).isEqualTo(1);

        snapshot.publishLazily(() -> "{\"core\":3}");
        snapshot.publishLazily(() -> "{\"core\":4}");
        assertThat(snapshot.json()).isEqualTo("{\"core\":4}");
        assertThatThrownBy(() -> snapshot.publishLazily(null)).isInstanceOf(IllegalArgumentException.class);
        snapshot.publishLazily(() -> null);
        assertThatThrownBy(snapshot::json).hasMessageContaining("rendered null");
    }

    @Test
    void healthIsUpOnlyForTheUpStatus()
    {
        assertThat(AdminHealth.UP.isUp()).isTrue();
        assertThat(AdminHealth.UP.toJson()).isEqualTo("{\"status\":\"up\"}");
        assertThat(AdminHealth.down("no driver").isUp()).isFalse();
        assertThat(AdminHealth.down("no driver").toJson()).isEqualTo("{\"status\":\"down\",\"reason\":\"no driver\"}");
        assertThat(new AdminHealth("UP", null).isUp()).isFalse();
        assertThatThrownBy(() -> new AdminHealth(" ", null)).isInstanceOf(IllegalArgumentException.class);
    }

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
