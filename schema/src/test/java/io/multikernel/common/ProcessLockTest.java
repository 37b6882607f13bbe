package io.multikernel.common;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class ProcessLockTest
{
    @TempDir
    Path dir;

    /** @return whether the kernel lists a POSIX lock of this process on the file ({@code /proc/locks}). */
    private static boolean lockedByThisProcess(final Path file) throws Exception
    {
        final long inode = ((Number)Files.getAttribute(file, "unix:ino")).longValue();
        final String pid = Long.toString(ProcessHandle.current().pid());
        return Files.readAllLines(Path.of("/proc/locks")).stream().map(line -> line.trim().split("\\s+"))
            .anyMatch(f -> f.length > 5 && "POSIX".equals(f[1]) && pid.equals(f[4]) && f[5].endsWith(":" + inode));
    }

    @Test
    void aSecondAttemptInTheSameProcessIsRefusedAndLeavesTheFirstLockInPlace() throws Exception
    {
        final Path file = dir.resolve("x.lock");
        final ProcessLock first = ProcessLock.tryAcquire(file, "mk up");
        assertThat(first).isNotNull();
        assertThat(lockedByThisProcess(file)).isTrue();

        assertThat(ProcessLock.tryAcquire(file, "mk down")).isNull();
        assertThat(ProcessLock.tryAcquire(dir.resolve(".").resolve("x.lock"), "mk down")).as("the same file").isNull();
        assertThat(ProcessLock.holderOf(file)).isEqualTo(ProcessHandle.current().pid() + " mk up");
        // Closing any handle of the file would have dropped the process's lock: none was opened.
        assertThat(lockedByThisProcess(file)).as("still locked after the refusals").isTrue();

        first.close();
        assertThat(lockedByThisProcess(file)).isFalse();
        try (ProcessLock again = ProcessLock.tryAcquire(file, "mk restart --core 1"))
        {
            assertThat(again).isNotNull();
            assertThat(Files.readString(file).trim()).isEqualTo(ProcessHandle.current().pid() + " mk restart --core 1");
        }
    }
}
