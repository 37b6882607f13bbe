package io.multikernel.node.cli;

import io.multikernel.common.ClusterSecret;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

class SecretCommandTest
{
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(final String... args)
    {
        return MkCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    @Test
    void createsAnOwnerOnlySecretACoreCanLoadAndNeverOverwritesIt() throws Exception
    {
        final Path file = dir.resolve("keys/cluster.secret");
        assertThat(run("secret", "--out", file.toString())).isZero();
        assertThat(out.toString()).contains("cluster secret written to " + file);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        final byte[] key = ClusterSecret.load(file).frameKey();

        assertThat(run("secret", "--out", file.toString())).isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(err.toString()).contains("exists").contains("never overwritten").doesNotContain("Exception");
        assertThat(ClusterSecret.load(file).frameKey()).isEqualTo(key);

        assertThat(run("secret")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--out");
        assertThat(run("secret", "--help")).isZero();
        assertThat(out.toString()).contains("rotate");
    }

    @Test
    void ifMissingKeepsAUsableSecretAndRefusesAnUnusableOne() throws Exception
    {
        final Path file = dir.resolve("cluster.secret");
        assertThat(run("secret", "--out", file.toString(), "--if-missing")).isZero();
        assertThat(out.toString()).contains("cluster secret written to " + file);
        final byte[] key = ClusterSecret.load(file).frameKey();

        assertThat(run("secret", "--out", file.toString(), "--if-missing")).isZero();
        assertThat(out.toString()).contains("cluster secret kept: " + file);
        assertThat(ClusterSecret.load(file).frameKey()).isEqualTo(key);

        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(run("secret", "--out", file.toString(), "--if-missing")).isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(err.toString()).contains(file.toString()).doesNotContain("Exception");
    }
}
