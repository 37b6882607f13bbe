package io.multikernel.node.cluster;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SecretFilesTest
{
    @TempDir
    Path dir;

    private static final String MAP = """
        hosts: [{id: 0}]
        cores: [{id: 0, host: 0, inbox: {ipc: true}, adminPort: 9400}]
        """;

    @Test
    void flagThenEnvironmentThenMapThenNextToTheMap()
    {
        final Path mapFile = dir.resolve("conf/cluster.yaml");
        final ClusterMap plain = ClusterMap.parse(MAP, "cluster.yaml", ClusterOverrides.NONE);
        final ClusterMap named = ClusterMap.parse("transport: {secretFile: keys/mk.secret}\n" + MAP, "cluster.yaml",
            ClusterOverrides.NONE);
        assertThat(named.transport().secretFile()).contains("keys/mk.secret");

        assertThat(SecretFiles.forCore(Path.of("/flag.secret"), Map.of("MK_CLUSTER_SECRET_FILE", "/env.secret"), mapFile, named))
            .isEqualTo(Path.of("/flag.secret"));
        assertThat(SecretFiles.forCore(null, Map.of("MK_CLUSTER_SECRET_FILE", "/env.secret"), mapFile, named))
            .isEqualTo(Path.of("/env.secret"));
        assertThat(SecretFiles.forCore(null, Map.of(), mapFile, named))
            .isEqualTo(dir.resolve("conf/keys/mk.secret").toAbsolutePath());
        assertThat(SecretFiles.forCore(null, Map.of("MK_CLUSTER_SECRET_FILE", " "), mapFile, plain))
            .isEqualTo(dir.resolve("conf/cluster.secret").toAbsolutePath());
    }

    @Test
    void theMapWritesAndReadsItsSecretFile()
    {
        final ClusterMap named = ClusterMap.parse("transport: {secretFile: /run/secrets/mk}\n" + MAP, "cluster.yaml",
            ClusterOverrides.NONE);
        final ClusterMap again = ClusterMap.parse(ClusterMapWriter.write(named), "written", ClusterOverrides.NONE);
        assertThat(again.transport().secretFile()).contains("/run/secrets/mk");
        assertThatThrownBy(() -> ClusterMap.parse("transport: {secretFile: ' '}\n" + MAP, "bad.yaml", ClusterOverrides.NONE))
            .hasMessageContaining("secretFile").hasMessageContaining("blank");
    }
}
