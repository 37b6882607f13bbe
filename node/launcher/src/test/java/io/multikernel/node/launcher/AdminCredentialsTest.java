package io.multikernel.node.launcher;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Optional;

import io.multikernel.common.ClusterSecret;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A client finds the cluster secret where the environment names it, else next to the run
 * directory's cluster map; without one it sends no token, with one it sends the admin token derived
 * from it, and a secret it cannot use stops it with the secret's own sentence.
 */
class AdminCredentialsTest
{
    @TempDir
    Path dir;

    @Test
    void noSecretInTheRunDirectoryMeansNoToken()
    {
        final AdminCredentials credentials = AdminCredentials.of(new RunDirectory(dir), null);

        assertThat(credentials.hasToken()).isFalse();
        assertThat(authorization(credentials)).isEmpty();
        assertThat(AdminCredentials.of(new RunDirectory(dir), " ").hasToken()).as("a blank variable is unset").isFalse();
    }

    @Test
    void theSecretNextToTheClusterMapGivesItsAdminToken()
    {
        final RunDirectory runDirectory = new RunDirectory(dir);
        final ClusterSecret secret = ClusterSecret.create(dir.resolve("cluster.secret"), new SecureRandom());

        final AdminCredentials credentials = AdminCredentials.of(runDirectory, null);

        assertThat(AdminCredentials.secretFile(runDirectory, null)).isEqualTo(runDirectory.clusterFile().resolveSibling("cluster.secret"));
        assertThat(credentials.hasToken()).isTrue();
        assertThat(authorization(credentials)).hasValue("Bearer " + secret.adminToken());
        assertThat(credentials.toString()).doesNotContain(secret.adminToken()).contains("cluster.secret");
    }

    @Test
    void theEnvironmentsSecretFileWinsOverTheRunDirectorys()
    {
        ClusterSecret.create(dir.resolve("run").resolve("cluster.secret"), new SecureRandom());
        final Path elsewhere = dir.resolve("elsewhere.secret");
        final ClusterSecret named = ClusterSecret.create(elsewhere, new SecureRandom());

        final AdminCredentials credentials = AdminCredentials.of(new RunDirectory(dir.resolve("run")), elsewhere.toString());

        assertThat(authorization(credentials)).hasValue("Bearer " + named.adminToken());
    }

    @Test
    void aSecretThatCannotBeUsedIsRefusedWithItsSentence() throws Exception
    {
        final Path missing = dir.resolve("missing.secret");
        assertThatThrownBy(() -> AdminCredentials.of(new RunDirectory(dir), missing.toString()))
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("cluster secret " + missing + " does not exist; create one with: mk secret --out " + missing);

        final Path open = dir.resolve("cluster.secret");
        ClusterSecret.create(open, new SecureRandom());
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> AdminCredentials.of(new RunDirectory(dir), null))
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("cluster secret " + open + " is accessible to others (mode rw-r--r--); run: chmod 600 " + open +
                " (a file mounted into a container: where it lies on the host; the image has no chmod)");

        Files.delete(open);
        Files.writeString(open, "not hex");
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> AdminCredentials.of(new RunDirectory(dir), null))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("does not hold 64 hex digits");
    }

    private static Optional<String> authorization(final AdminCredentials credentials)
    {
        return credentials.authorize(HttpRequest.newBuilder(URI.create("http://127.0.0.1:9400/kv"))).GET().build()
            .headers().firstValue("Authorization");
    }
}
