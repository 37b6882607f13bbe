package io.multikernel.node.cli;

import io.multikernel.node.cluster.ClusterMap;
import io.multikernel.node.launcher.ClassDataArchive;
import io.multikernel.node.launcher.ClusterLauncher;
import io.multikernel.node.launcher.ClusterStatus;
import io.multikernel.node.launcher.ClusterStopper;
import io.multikernel.node.launcher.KernelClassPath;
import io.multikernel.node.launcher.RunDirectory;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code mk host --prepare-class-data-archive}: installs the cores' class-data archive beside the
 * kernel jar, as a container image's build does once so that every container's cores map it (they
 * cannot write one: the image is read-only to them). A short cluster in a temporary run directory
 * does what a container's cores do (the demo's address spaces, capabilities and replicated writes,
 * then status, metrics scrapes and a key-value write), so that its first core loads those classes;
 * that core writes the archive as it exits, {@link ClassDataArchive#install} puts it in place, and a
 * JVM told to use it or fail checks it ({@link ClassDataArchive#verify}).
 */
final class ClassDataArchiveTraining
{
    /** TRAINING_CORES: cores of the training cluster, two so that peer messages are part of it. */
    static final int TRAINING_CORES = 2;
    /** TRAINING_DURATION: how long the demo's mix runs in the training cluster. */
    static final String TRAINING_DURATION = "5s";
    /** STOP_TIMEOUT_MS: how long the cores may take to exit, writing the archive, before SIGKILL. */
    static final long STOP_TIMEOUT_MS = 60_000;
    /** REQUEST_TIMEOUT_MS: bound on each metrics scrape of the training cluster. */
    static final long REQUEST_TIMEOUT_MS = 10_000;

    private final PrintStream out;

    ClassDataArchiveTraining(final PrintStream out)
    {
        this.out = out;
    }

    /**
     * @return the archive in place.
     * @throws IllegalStateException when the training cluster failed or no archive came of it.
     * @throws Exception             when the run directory cannot be made or removed, or on interruption.
     */
    Path run() throws Exception
    {
        // Before anything starts: an archive that could not be put in place is not worth a cluster.
        final String classPath = KernelClassPath.get();
        ClassDataArchive.installableJar(classPath);
        final String off = ClassDataArchive.turnedOffBy(System.getenv(), ClusterLauncher.environmentCoreJvmArgs());
        if (null != off)
        {
            throw new IllegalStateException("the cores' class-data archive is turned off by " + off + ": the " +
                "training cluster's first core would write none");
        }
        final Path root = Files.createTempDirectory("mk-class-data-");
        final RunDirectory runDirectory = RunDirectory.resolve(root);
        boolean trained = false;
        try
        {
            out.println("class-data archive: a " + TRAINING_CORES + "-core cluster in " + root +
                " runs the demo; its first core writes the archive as it exits");
            final String dir = root.toString();
            step(MkCommand.execute("demo", "--cores", Integer.toString(TRAINING_CORES), "--duration", TRAINING_DURATION,
                "--seed", "1", "--keep", "--run-dir", dir), "mk demo");
            step(MkCommand.execute("status", "--run-dir", dir), "mk status");
            step(MkCommand.execute("kv", "put", "class-data-archive", "trained", "--run-dir", dir), "mk kv put");
            scrapeMetrics(runDirectory);
            trained = true;
        }
        finally
        {
            new ClusterStopper(runDirectory, out).down(STOP_TIMEOUT_MS);
            org.agrona.IoUtil.delete(root.toFile(), false);
            if (!trained)
            {
                // What the first core wrote as it stopped would never be put in place: tens of MB for nothing.
                ClassDataArchive.discardWritten(classPath);
            }
        }
        final String javaHome = System.getProperty("java.home");
        final Path archive = ClassDataArchive.install(classPath, javaHome);
        ClassDataArchive.verify(archive, classPath, javaHome);
        out.printf("class-data archive: %s (%.1f MB) is in place; the cores of this kernel jar and JDK map it%n",
            archive, Files.size(archive) / 1e6);
        return archive;
    }

    private static void step(final int exitCode, final String what)
    {
        if (0 != exitCode)
        {
            throw new IllegalStateException(what + " failed in the training cluster (exit " + exitCode +
                "); its output is above");
        }
    }

    private static void scrapeMetrics(final RunDirectory runDirectory) throws IOException, InterruptedException
    {
        final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(REQUEST_TIMEOUT_MS)).build();
        final ClusterMap map = ClusterStatus.map(runDirectory);
        for (final int core : map.coreIds())
        {
            final String url = map.adminUrl(core) + "/metrics";
            final HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofMillis(REQUEST_TIMEOUT_MS)).build(), HttpResponse.BodyHandlers.ofString());
            if (200 != response.statusCode())
            {
                throw new IllegalStateException(url + " answered " + response.statusCode());
            }
        }
    }
}
