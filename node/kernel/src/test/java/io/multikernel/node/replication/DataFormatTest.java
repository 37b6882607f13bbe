package io.multikernel.node.replication;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DataFormatTest
{
    @TempDir
    Path dir;

    @Test
    void anEmptyDirectoryIsMarkedAndAMarkedOneIsAccepted() throws Exception
    {
        final Path data = dir.resolve("core-0");
        DataFormat.claim(data);
        assertThat(Files.readString(data.resolve(DataFormat.MARKER_FILE)).trim()).isEqualTo(DataFormat.CURRENT);
        Files.writeString(data.resolve("wal-00000000000000000000.log"), "records");
        DataFormat.claim(data);
        assertThat(Files.list(data).map(p -> p.getFileName().toString()))
            .containsExactlyInAnyOrder(DataFormat.MARKER_FILE, "wal-00000000000000000000.log");
    }

    @Test
    void aNewDataDirectoryAndItsMarkerAreOwnerOnly() throws Exception
    {
        final Path data = dir.resolve("run").resolve("data").resolve("core-3");

        DataFormat.claim(data);

        assertThat(permissions(data)).isEqualTo("rwx------");
        assertThat(permissions(data.getParent())).isEqualTo("rwx------");
        assertThat(permissions(data.resolve(DataFormat.MARKER_FILE))).isEqualTo("rw-------");
    }

    @Test
    void aDataDirectoryOpenToOthersIsTightenedWhenClaimed() throws Exception
    {
        final Path data = dir.resolve("core-4");
        DataFormat.claim(data);
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));

        DataFormat.claim(data);

        assertThat(permissions(data)).isEqualTo("rwx------");
    }

    @Test
    void aLogWrittenBeforeStatesWereTaggedIsRefusedWithWhatToDo() throws Exception
    {
        final Path data = Files.createDirectories(dir.resolve("core-1"));
        Files.writeString(data.resolve("wal-00000000000000000000.log"), "untagged records");
        assertThatThrownBy(() -> DataFormat.claim(data))
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("data directory " + data + " was written by an older build (its log's operations carry no " +
                "state tag): start that build, or remove the directory to start this core empty");
        assertThat(data.resolve(DataFormat.MARKER_FILE)).doesNotExist();
    }

    @Test
    void anotherFormatIsRefused() throws Exception
    {
        final Path data = Files.createDirectories(dir.resolve("core-2"));
        Files.writeString(data.resolve(DataFormat.MARKER_FILE), "replicated-states-9\n");
        assertThatThrownBy(() -> DataFormat.claim(data))
            .hasMessage("data directory " + data + " holds replicated state in format 'replicated-states-9', which " +
                "this build does not read (it reads 'replicated-states-1'): start the build that wrote it, or remove " +
                "the directory to start this core empty");
    }

    private static String permissions(final Path path) throws java.io.IOException
    {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }
}
