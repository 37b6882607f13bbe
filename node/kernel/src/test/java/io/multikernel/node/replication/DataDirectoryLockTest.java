package io.multikernel.node.replication;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DataDirectoryLockTest
{
    @TempDir
    Path root;

    @Test
    void aSecondHolderIsRefusedNamingTheFirstAndMayHaveItOnceItIsReleased() throws Exception
    {
        final Path data = root.resolve("data").resolve("core-1");
        final io.multikernel.common.ProcessLock first = DataDirectoryLock.acquire(data, 1);
        final String pid = String.valueOf(ProcessHandle.current().pid());
        assertThat(Files.readString(data.resolve(DataDirectoryLock.FILE_NAME), StandardCharsets.US_ASCII).trim())
            .isEqualTo(pid);

        assertThatThrownBy(() -> DataDirectoryLock.acquire(data, 1)).isInstanceOf(IllegalStateException.class)
            .hasMessage("core 1's data directory " + data + " is in use by another process (pid " + pid + "): that " +
                "core is running already; stop it first (two processes over one write-ahead log would corrupt it)");

        first.close();
        DataDirectoryLock.acquire(data, 1).close();
    }

    @Test
    void aDirectoryThatCannotBeMadeIsOneSentenceNamingIt() throws Exception
    {
        final Path file = Files.writeString(root.resolve("not-a-directory"), "x");
        final Path data = file.resolve("core-3");
        assertThatThrownBy(() -> DataDirectoryLock.acquire(data, 3)).isInstanceOf(java.io.UncheckedIOException.class)
            .hasMessageStartingWith("core 3 cannot lock its data directory " + data + " (core.lock): ");
    }

    @Test
    void theLockFileDoesNotMakeANewDirectoryLookWrittenByAnOlderBuild() throws Exception
    {
        final Path data = root.resolve("core-0");
        try (io.multikernel.common.ProcessLock ignored = DataDirectoryLock.acquire(data, 0))
        {
            DataFormat.claim(data);
            assertThat(data.resolve(DataFormat.MARKER_FILE)).exists();
        }
        final Path older = root.resolve("core-2");
        Files.createDirectories(older);
        Files.writeString(older.resolve("wal-00000000000000000000.log"), "x");
        try (io.multikernel.common.ProcessLock ignored = DataDirectoryLock.acquire(older, 2))
        {
            assertThatThrownBy(() -> DataFormat.claim(older)).hasMessageContaining("was written by an older build");
        }
    }
}
