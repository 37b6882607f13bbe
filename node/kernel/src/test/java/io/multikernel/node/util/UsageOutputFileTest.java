package io.multikernel.node.util;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UsageOutputFileTest
{
    private final CommandLine.Model.CommandSpec spec =
        new CommandLine(CommandLine.Model.CommandSpec.create()).getCommandSpec();

    @TempDir
    Path dir;

    @Test
    void aFileInDirectoriesStillToBeMadeOrNoneAtAllIsFine()
    {
        assertThatCode(() -> Usage.checkOutputFile(spec, "--json", null)).doesNotThrowAnyException();
        assertThatCode(() -> Usage.checkOutputFile(spec, "--json", dir.resolve("report.json"))).doesNotThrowAnyException();
        assertThatCode(() -> Usage.checkOutputFile(spec, "--json", dir.resolve("out/deeper/report.json")))
            .as("the writers make missing directories").doesNotThrowAnyException();
        assertThat(dir.resolve("out/deeper")).as("made before the run").isDirectory();
    }

    @Test
    void anEmptyPathOrOneWhoseDirectoriesCannotBeMadeIsRefused()
    {
        assertThatThrownBy(() -> Usage.checkOutputFile(spec, "--json", Path.of("")))
            .isInstanceOf(CommandLine.ParameterException.class).hasMessage("--json is empty; name a file");
        // /proc takes no new directories, whoever asks (root included).
        final Path virtual = Path.of("/proc/mk-no-such-dir/report.json");
        assertThatThrownBy(() -> Usage.checkOutputFile(spec, "--json", virtual))
            .isInstanceOf(CommandLine.ParameterException.class)
            .hasMessageStartingWith("--json " + virtual + " cannot be written");
    }

    @Test
    void aDirectoryOrAFileUnderAFileIsRefused() throws Exception
    {
        assertThatThrownBy(() -> Usage.checkOutputFile(spec, "--json", dir))
            .isInstanceOf(CommandLine.ParameterException.class).hasMessage("--json " + dir + " is a directory; name a file");
        final Path file = Files.createFile(dir.resolve("plain"));
        assertThatThrownBy(() -> Usage.checkOutputFile(spec, "--json", file.resolve("report.json")))
            .hasMessage("--json " + file.resolve("report.json") + " cannot be written: " + file + " is not a directory");
    }
}
