package io.multikernel.node.service;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The value types the agent hands to the admin server: published snapshots and health. */
class PublishedStateTest
{
    @Test
    void snapshotIsNullUntilPublishedThenTheLatestDocument()
    {
        final JsonSnapshot snapshot = new JsonSnapshot();
        assertThat(snapshot.json()).isNull();

        snapshot.publish(ServiceJson.write(Map.of("core", 1)));
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
        assertThat(Health.UP.isUp()).isTrue();
        assertThat(Health.UP.toJson()).isEqualTo("{\"status\":\"up\"}");
        assertThat(Health.down("no driver").isUp()).isFalse();
        assertThat(Health.down("no driver").toJson()).isEqualTo("{\"status\":\"down\",\"reason\":\"no driver\"}");
        assertThat(new Health("UP", null).isUp()).isFalse();
        assertThatThrownBy(() -> new Health(" ", null)).isInstanceOf(IllegalArgumentException.class);
    }
}
