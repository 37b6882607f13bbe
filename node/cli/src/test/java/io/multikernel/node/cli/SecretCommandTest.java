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
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())))
            .as("a directory made for it is its owner's alone").isEqualTo("rwx------");
        final byte[] key = ClusterSecret.load(file).frameKey();

        assertThat(run("secret", "--out", file.toString())).isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(err.toString()).contains("exists").contains("never overwritten").doesNotContain("Exception");
        assertThat(ClusterSecret.load(file).frameKey()).isEqualTo(key);

        assertThat(run("secret", "--out", dir.toString())).isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(err.toString()).contains(dir + " is a directory: name the secret's file, e.g. " +
            dir.resolve("cluster.secret"));
        assertThat(run("secret", "--out", "")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--out is empty: name the file to create");
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

        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(file, "not hex\n");
        assertThat(run("secret", "--out", file.toString(), "--if-missing")).isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(err.toString()).contains(file + " exists but is no usable cluster secret (")
            .contains("remove it and run mk secret --out " + file + " again");
    }
}
