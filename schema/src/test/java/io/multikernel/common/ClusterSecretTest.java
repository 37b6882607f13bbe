package io.multikernel.common;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClusterSecretTest
{
    @TempDir
    Path dir;

    @Test
    void createdFileIsOwnerOnlyAndLoadsToTheSameKeys() throws Exception
    {
        final Path file = dir.resolve("run/cluster.secret");
        final ClusterSecret created = ClusterSecret.create(file, new SecureRandom());

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Files.readString(file).strip()).hasSize(64).matches("[0-9a-f]+");
        final ClusterSecret loaded = ClusterSecret.load(file);
        assertThat(loaded.frameKey()).hasSize(16).isEqualTo(created.frameKey());
        assertThat(loaded.adminToken()).hasSize(64).isEqualTo(created.adminToken());
        assertThat(loaded.toString()).doesNotContain(Files.readString(file).strip());
        try (var listing = Files.list(file.getParent()))
        {
            assertThat(listing).containsExactly(file);
        }
    }

    @Test
    void derivedKeysDifferPerSecretAndPerPurpose()
    {
        final ClusterSecret a = ClusterSecret.generate(new SecureRandom());
        final ClusterSecret b = ClusterSecret.generate(new SecureRandom());
        assertThat(a.frameKey()).isNotEqualTo(b.frameKey());
        assertThat(a.adminToken()).isNotEqualTo(b.adminToken());
        assertThat(a.adminToken()).doesNotStartWith(java.util.HexFormat.of().formatHex(a.frameKey()));
    }

    @Test
    void neverOverwritesAnExistingSecret() throws Exception
    {
        final Path file = dir.resolve("cluster.secret");
        ClusterSecret.create(file, new SecureRandom());
        final String before = Files.readString(file);
        assertThatThrownBy(() -> ClusterSecret.create(file, new SecureRandom()))
            .hasMessageContaining("exists").hasMessageContaining("never overwritten");
        assertThat(Files.readString(file)).isEqualTo(before);
    }

    @Test
    void refusesAFileOthersCanRead() throws Exception
    {
        final Path file = dir.resolve("cluster.secret");
        ClusterSecret.create(file, new SecureRandom());
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> ClusterSecret.load(file))
            .hasMessageContaining("accessible to others").hasMessageContaining("rw-r--r--").hasMessageContaining("chmod 600");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-----w-"));
        assertThatThrownBy(() -> ClusterSecret.load(file)).hasMessageContaining("accessible to others");
    }

    @Test
    void refusesMissingMalformedAndOversizedFiles() throws Exception
    {
        assertThatThrownBy(() -> ClusterSecret.load(dir.resolve("absent")))
            .hasMessageContaining("does not exist").hasMessageContaining("mk secret --out");
        final Path file = dir.resolve("bad.secret");
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, "not hex at all");
        assertThatThrownBy(() -> ClusterSecret.load(file)).hasMessageContaining("does not hold 64 hex digits");
        Files.writeString(file, "ab".repeat(31));
        assertThatThrownBy(() -> ClusterSecret.load(file)).hasMessageContaining("does not hold 64 hex digits");
        final byte[] big = new byte[ClusterSecret.SECRET_FILE_LENGTH_MAX_BYTES + 1];
        new Random(1).nextBytes(big);
        Files.write(file, big);
        assertThatThrownBy(() -> ClusterSecret.load(file)).hasMessageContaining("longer than");
        assertThatThrownBy(() -> ClusterSecret.load(dir)).hasMessageContaining("not a regular file");
    }

    @Test
    void tokenComparisonIsExact()
    {
        final String token = ClusterSecret.generate(new SecureRandom()).adminToken();
        assertThat(ClusterSecret.tokenMatches(token, token)).isTrue();
        assertThat(ClusterSecret.tokenMatches(null, token)).isFalse();
        assertThat(ClusterSecret.tokenMatches("", token)).isFalse();
        assertThat(ClusterSecret.tokenMatches(token.substring(1), token)).isFalse();
        assertThat(ClusterSecret.tokenMatches(token + "0", token)).isFalse();
        final char last = token.charAt(63);
        assertThat(ClusterSecret.tokenMatches(token.substring(0, 63) + (last == '0' ? '1' : '0'), token)).isFalse();
    }
}
