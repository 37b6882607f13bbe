package io.multikernel.common;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

class OwnerOnlyFilesTest
{
    @TempDir
    Path dir;

    @Test
    void aNewDirectoryAndTheParentsMadeForItAreOwnerOnly() throws IOException
    {
        final Path leaf = dir.resolve("run").resolve("data").resolve("core-0");

        OwnerOnlyFiles.createDirectories(leaf);

        assertThat(permissions(leaf)).isEqualTo("rwx------");
        assertThat(permissions(leaf.getParent())).isEqualTo("rwx------");
        assertThat(permissions(dir.resolve("run"))).isEqualTo("rwx------");
    }

    @Test
    void anExistingDirectoryOpenToOthersIsTightenedAndItsContentKept() throws IOException
    {
        final Path existing = Files.createDirectories(dir.resolve("data"));
        Files.setPosixFilePermissions(existing, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(existing.resolve("kept"), "state");

        OwnerOnlyFiles.createDirectories(existing);

        assertThat(permissions(existing)).isEqualTo("rwx------");
        assertThat(Files.readString(existing.resolve("kept"))).isEqualTo("state");
    }

    @Test
    void aSharedParentThatExistsIsLeftAsItIs() throws IOException
    {
        final Path shared = Files.createDirectories(dir.resolve("shm"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));

        OwnerOnlyFiles.createMissingDirectories(shared);
        OwnerOnlyFiles.createMissingDirectories(shared.resolve("mine"));

        assertThat(permissions(shared)).isEqualTo("rwxrwxrwx");
        assertThat(permissions(shared.resolve("mine"))).isEqualTo("rwx------");
    }

    @Test
    void aNewFileIsOwnerOnlyAndAnExistingOneIsTightenedWithItsContent() throws IOException
    {
        final Path created = OwnerOnlyFiles.createFile(dir.resolve("core-0.log"));
        assertThat(permissions(created)).isEqualTo("rw-------");
        assertThat(Files.size(created)).isZero();

        final Path existing = Files.writeString(dir.resolve("core-1.log"), "earlier run");
        Files.setPosixFilePermissions(existing, PosixFilePermissions.fromString("rw-rw-r--"));
        OwnerOnlyFiles.createFile(existing);
        assertThat(permissions(existing)).isEqualTo("rw-------");
        assertThat(Files.readString(existing)).isEqualTo("earlier run");
    }

    @Test
    void tighteningTakesOnlyGroupAndOtherBits() throws IOException
    {
        final Path readOnly = Files.writeString(dir.resolve("read-only"), "x");
        Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r--r--r--"));
        assertThat(OwnerOnlyFiles.tighten(readOnly)).isTrue();
        assertThat(permissions(readOnly)).isEqualTo("r--------");
        assertThat(OwnerOnlyFiles.tighten(readOnly)).as("already owner-only").isFalse();
    }

    @Test
    void anAtomicWriteIsOwnerOnlyAndReplacesAFileOpenToOthers() throws IOException
    {
        final Path file = dir.resolve("processes");
        OwnerOnlyFiles.writeAtomically(file, "core 0 42\n");
        assertThat(permissions(file)).isEqualTo("rw-------");

        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        OwnerOnlyFiles.writeAtomically(file, "core 0 43\n");
        assertThat(permissions(file)).isEqualTo("rw-------");
        assertThat(Files.readString(file)).isEqualTo("core 0 43\n");
        assertThat(dir.toFile().list()).containsExactly("processes");
    }

    private static String permissions(final Path path) throws IOException
    {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }
}
