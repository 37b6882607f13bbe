package io.multikernel.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * Commands for the container tests: docker and docker-compose run as processes with a bound on their
 * time, their output kept for assertions and failures. Whether Docker is there is decided once: a
 * machine without a daemon skips the container tests with a message saying so, unless
 * {@value #REQUIRE_DOCKER_ENV} is {@code true} (CI sets it once it started the daemon), where they fail.
 */
final class Docker
{
    /** When "true", a missing Docker daemon fails the container tests instead of skipping them. */
    static final String REQUIRE_DOCKER_ENV = "MK_REQUIRE_DOCKER";
    /** Longest {@code docker info} may take to say the daemon answers. */
    static final Duration INFO_TIMEOUT = Duration.ofSeconds(20);
    /** Most output kept from one command, chars (the end is kept). */
    static final int OUTPUT_MAX_CHARS = 64 * 1024;
    /** The image the container tests run, built from this checkout's jars. */
    static final String IMAGE = "multikernel:it";
    /** Longest an image build may take (the base image included). */
    static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);

    private static Boolean available;
    private static boolean imageBuilt;

    /** The outcome of one command. */
    record Result(List<String> command, int exitCode, String output)
    {
        Result expectSuccess()
        {
            if (0 != exitCode)
            {
                throw new AssertionError(String.join(" ", command) + " exited with " + exitCode + ": " + output);
            }
            return this;
        }
    }

    private Docker()
    {
    }

    /** @return the checkout, from the build's {@code mk.project.root}. */
    static Path projectRoot()
    {
        final String root = System.getProperty("mk.project.root");
        if (null == root)
        {
            throw new IllegalStateException("mk.project.root is not set: run the container tests through Maven (failsafe)");
        }
        return Path.of(root).toAbsolutePath().normalize();
    }

    /** Skips the calling test when no Docker daemon answers, or fails it when one is required. */
    static synchronized void assumeAvailable()
    {
        if (null == available)
        {
            Result info;
            try
            {
                info = run(INFO_TIMEOUT, Map.of(), "docker", "info");
            }
            catch (final AssertionError ex)
            {
                info = new Result(List.of("docker", "info"), -1, ex.getMessage());
            }
            available = 0 == info.exitCode();
            if (!available && !"true".equals(System.getenv(REQUIRE_DOCKER_ENV)))
            {
                System.out.println("*** CONTAINER TESTS SKIPPED: no Docker daemon answers (docker info: " +
                    info.output().strip().lines().reduce((a, b) -> b).orElse("no output") + ") ***");
            }
        }
        if (!available && "true".equals(System.getenv(REQUIRE_DOCKER_ENV)))
        {
            throw new AssertionError("no Docker daemon answers, and " + REQUIRE_DOCKER_ENV + "=true says there must be one");
        }
        Assumptions.assumeTrue(available, "no Docker daemon answers: the container tests need one (start dockerd)");
    }

    /**
     * Builds {@link #IMAGE} from this checkout's jars ({@code node/cli/target}) with
     * {@code deploy/build-image.sh}, once per test JVM: the container tests share it.
     */
    static synchronized void buildImage()
    {
        if (imageBuilt)
        {
            return;
        }
        final Path root = projectRoot();
        run(BUILD_TIMEOUT, Map.of(), root.resolve("deploy/build-image.sh").toString(),
            "--tag", IMAGE, "--jars", root.resolve("node/cli/target").toString()).expectSuccess();
        imageBuilt = true;
    }

    /**
     * @param timeout     longest the command may run; it is killed after that.
     * @param environment added to this process's environment.
     * @param command     the command and its arguments.
     * @return its exit code and output (stdout and stderr together).
     * @throws AssertionError when it cannot start or outlives the timeout.
     */
    static Result run(final Duration timeout, final Map<String, String> environment, final String... command)
    {
        final List<String> line = List.of(command);
        try
        {
            final Path output = Files.createTempFile("docker-command", ".log");
            try
            {
                final ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(line)).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
                builder.environment().putAll(environment);
                final Process process = builder.start();
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
                {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    throw new AssertionError(String.join(" ", line) + " did not finish within " + timeout.toSeconds() +
                        " s: " + tail(Files.readString(output, StandardCharsets.UTF_8)));
                }
                return new Result(line, process.exitValue(), tail(Files.readString(output, StandardCharsets.UTF_8)));
            }
            finally
            {
                Files.deleteIfExists(output);
            }
        }
        catch (final IOException ex)
        {
            throw new AssertionError("could not run " + String.join(" ", line) + ": " + ex.getMessage(), ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + String.join(" ", line), ex);
        }
    }

    private static String tail(final String output)
    {
        return output.length() <= OUTPUT_MAX_CHARS ? output : "..." + output.substring(output.length() - OUTPUT_MAX_CHARS);
    }
}
