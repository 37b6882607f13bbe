package io.multikernel.transport;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.Subscription;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The driver's directory is owner-only while it runs, and Aeron's clients (of the same user) still
 * connect, publish and subscribe through it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UrpcMediaDriverTest
{
    private static final long EXCHANGE_TIMEOUT_MS = 10_000;

    @TempDir
    Path tempDir;

    @Test
    void aDriverDirectoryOnADiskIsWarnedAboutAndOneInMemoryIsNot()
    {
        org.junit.jupiter.api.Assumptions.assumeTrue(
            System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux"), "Linux only");
        assertThat(UrpcMediaDriver.storageWarning("/dev/shm/aeron-mk", "tmpfs")).isEmpty();
        assertThat(UrpcMediaDriver.storageWarning("/var/lib/mk/aeron", "ext4")).hasValueSatisfying(warning ->
            assertThat(warning).contains("/var/lib/mk/aeron", "ext4", "/dev/shm", "lose messages"));
        final Path shm = Path.of("/dev/shm");
        if (Files.isDirectory(shm))
        {
            assertThat(UrpcMediaDriver.fileSystemType(shm)).contains("tmpfs");
        }
    }

    @Test
    void theDirectoryIsOwnerOnlyAndClientsStillExchangeMessages() throws IOException
    {
        final Path aeronDir = tempDir.resolve("aeron");
        try (UrpcMediaDriver driver = UrpcMediaDriver.launch(new UrpcMediaDriver.Context()
            .aeronDirectory(aeronDir.toString()).idleStrategy("yielding").deleteDirectoryOnStart(true));
            Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectory()));
            Subscription subscription = aeron.addSubscription("aeron:ipc", 7);
            Publication publication = aeron.addPublication("aeron:ipc", 7))
        {
            assertThat(permissions(aeronDir)).isEqualTo("rwx------");

            final UnsafeBuffer message = new UnsafeBuffer("through an owner-only directory".getBytes(StandardCharsets.US_ASCII));
            final List<String> received = new ArrayList<>();
            final long deadlineMs = System.currentTimeMillis() + EXCHANGE_TIMEOUT_MS;
            boolean sent = false;
            while (received.isEmpty() && System.currentTimeMillis() - deadlineMs < 0)
            {
                sent = sent || publication.offer(message) > 0;
                subscription.poll((buffer, offset, length, header) ->
                    received.add(buffer.getStringWithoutLengthAscii(offset, length)), 1);
                Thread.onSpinWait();
            }
            assertThat(received).containsExactly("through an owner-only directory");
            assertThat(permissions(aeronDir)).as("still owner-only with a publication's log buffer in it")
                .isEqualTo("rwx------");
        }
    }

    private static String permissions(final Path path) throws IOException
    {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }
}
