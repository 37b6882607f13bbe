package io.multikernel.node.util;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

class CommandLinesTest
{
    @TempDir
    Path dir;

    @Test
    void aFileFailureSaysWhichFileAndWhy()
    {
        final Throwable missing = catchThrowable(() -> Files.writeString(dir.resolve("no/such/dir/report.json"), "{}"));
        assertThat(CommandLines.oneLine(missing))
            .isEqualTo("cannot use " + dir.resolve("no/such/dir/report.json") + ": no such file or directory");
        assertThat(CommandLines.oneLine(new UncheckedIOException((IOException)missing)))
            .as("found along the cause chain").endsWith("report.json: no such file or directory");
        assertThat(CommandLines.oneLine(new IllegalStateException("cannot write the report: " +
            ((IOException)missing).getMessage(), missing))).as("the context kept")
            .isEqualTo("cannot write the report: cannot use " + dir.resolve("no/such/dir/report.json") +
                ": no such file or directory");
        assertThat(CommandLines.oneLine(new java.nio.file.AccessDeniedException("/root/x")))
            .isEqualTo("cannot use /root/x: permission denied");
        assertThat(CommandLines.oneLine(new java.nio.file.FileSystemException("/a", "/b", "Is a directory")))
            .isEqualTo("cannot use /a -> /b: Is a directory");
    }

    @Test
    void otherFailuresKeepTheirFirstMessage()
    {
        assertThat(CommandLines.oneLine(new IllegalStateException("core 1 was not up"))).isEqualTo("core 1 was not up");
        assertThat(CommandLines.oneLine(new RuntimeException(new IllegalArgumentException("bad"))))
            .isEqualTo("java.lang.IllegalArgumentException: bad");
        assertThat(CommandLines.oneLine(new RuntimeException((String)null, new IllegalArgumentException("bad"))))
            .isEqualTo("bad");
        assertThat(CommandLines.oneLine(new NullPointerException())).isEqualTo("NullPointerException");
    }
}
