package io.multikernel.node.lrpc;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A core's channel file and the run directory's {@code lrpc/}: owner-only, so no other local user
 * reads the calls of this user's apps or writes requests into the core's ring.
 */
class LrpcChannelTest
{
    @TempDir
    Path runDir;

    @Test
    void theChannelFileAndTheDirectoryMadeForItAreOwnerOnly() throws IOException
    {
        final Path file = LrpcChannel.fileOf(runDir.resolve("lrpc"), 0);

        try (LrpcChannel channel = LrpcChannel.createFile(file, LrpcFixture.smallLayout(), 0, 1,
            ProcessHandle.current().pid(), 0))
        {
            assertThat(permissions(file)).isEqualTo("rw-------");
            assertThat(permissions(file.getParent())).isEqualTo("rwx------");
            assertThat(Files.size(file)).isEqualTo(LrpcFixture.smallLayout().totalLength());
            assertThat(allocatedBytes(file)).as("every block allocated: not sparse, so a full disk cannot fault it later")
                .isGreaterThanOrEqualTo(LrpcFixture.smallLayout().totalLength());
            assertThat(channel.coreId()).isZero();
        }
        assertThat(file.getParent().toFile().list()).as("no temporary file is left").containsExactly("core-0.lrpc");
    }

    @Test
    void anLrpcDirectoryOpenToOthersIsTightenedAndAReplacedFileIsOwnerOnly() throws IOException
    {
        final Path lrpc = Files.createDirectories(runDir.resolve("lrpc"));
        Files.setPosixFilePermissions(lrpc, PosixFilePermissions.fromString("rwxrwxr-x"));
        final Path file = Files.write(LrpcChannel.fileOf(lrpc, 2), new byte[64]);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));

        LrpcChannel.createFile(file, LrpcFixture.smallLayout(), 2, 7, ProcessHandle.current().pid(), 0).close();

        assertThat(permissions(lrpc)).isEqualTo("rwx------");
        assertThat(permissions(file)).isEqualTo("rw-------");
        try (LrpcChannel mapped = LrpcChannel.mapFile(file, 2))
        {
            assertThat(mapped.incarnation()).as("the new incarnation's file").isEqualTo(7);
        }
    }

    /** The bytes the file system allocated to the file ({@code stat %b} blocks of {@code %B} bytes). */
    private static long allocatedBytes(final Path file) throws IOException
    {
        final Process stat = new ProcessBuilder("stat", "-c", "%b %B", file.toString()).redirectErrorStream(true).start();
        final String[] fields = new String(stat.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
            .trim().split(" ");
        return Long.parseLong(fields[0]) * Long.parseLong(fields[1]);
    }

    private static String permissions(final Path path) throws IOException
    {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }
}
