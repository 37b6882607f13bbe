package io.multikernel.node.launcher;

import io.multikernel.common.OwnerOnlyFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The cores' application class-data archive: the classes a core loads, parsed, verified and laid out
 * once, then mapped read-only by every core JVM of the machine instead of each loading them again.
 * Measured with 16 idle cores: about 12 MB less proportional memory per core and {@code mk up} in
 * 11 s instead of 18 s.
 * <p>
 * The archive lies beside the kernel jar ({@value #ARCHIVE_SUFFIX}) with a key file naming the JDK and
 * the jar it was made from (size and modification time): it only serves that pair, so a rebuild or
 * another JDK makes a new one. When there is none that matches, the first core a launcher starts
 * writes one when it exits ({@code -XX:ArchiveClassesAtExit}, JDK 13 and later) under a name of its
 * own; a later {@link #prepare} moves a complete one into place by an atomic rename, so no JVM ever
 * maps a file that is still being written, and a file some JVM maps is never written again. A JVM
 * that cannot use the archive (damaged, or made by another build) runs without it: the archive
 * only ever saves time and memory.
 * <p>
 * Only for a kernel class path that is one jar. Where this process cannot write the jar's directory
 * (an installed kernel, such as a container image's), the cores use the archive {@link #install}ed
 * beside it and write none. Off with
 * {@value #ENABLED_ENV}{@code =off}, or when the cores' own JVM options already choose class-data
 * sharing.
 */
public final class ClassDataArchive
{
    /** Environment variable: {@code off} keeps cores from using or writing the archive. */
    public static final String ENABLED_ENV = "MK_CLASS_DATA_ARCHIVE";
    /** The archive's name: the kernel jar's name with this instead of {@code .jar}. */
    static final String ARCHIVE_SUFFIX = ".jsa";
    /** The key file beside an archive (or beside one being written). */
    static final String KEY_SUFFIX = ".key";
    /** The name part of an archive being written by a core: followed by the launcher's pid. */
    static final String WRITING_INFIX = ".writing-";
    /**
     * How long an archive a core wrote must have been left alone before it counts as complete, ms: a
     * core writes it while it exits, in a second or two.
     */
    static final long WRITTEN_SETTLE_MS = 30_000;
    /** Smallest file taken for a complete archive: a dump that stopped early is shorter than its header, bytes. */
    static final long ARCHIVE_LENGTH_MIN_BYTES = 64 * 1024;
    /** JVM options that mean the user chose class-data sharing for the cores already. */
    private static final List<String> USER_CHOICES = List.of("-Xshare", "SharedArchiveFile", "ArchiveClassesAtExit");

    private final Path archive;
    private final boolean ready;
    private final Path writing;

    private ClassDataArchive(final Path archive, final boolean ready, final Path writing)
    {
        this.archive = archive;
        this.ready = ready;
        this.writing = writing;
    }

    /** @return an archive that adds no JVM option: nothing to use, nothing to write. */
    public static ClassDataArchive none()
    {
        return new ClassDataArchive(null, false, null);
    }

    /**
     * Decides what the cores of one launch do: use the archive beside {@code classPath} when it
     * matches, else have the first core write one. Moves a complete archive a core wrote earlier into
     * place first, and removes archives of other builds.
     *
     * @param classPath     the kernel's class path.
     * @param javaHome      the JDK the cores run on.
     * @param coreJvmArgs   the cores' extra JVM options.
     * @param environment   this process's environment.
     * @param launcherPid   names the archive a core of this launch writes.
     * @param nowMs         the wall clock, to tell a finished archive from one being written.
     * @return what to add to the cores' command lines; {@link #none()} where it does not apply.
     */
    public static ClassDataArchive prepare(final String classPath, final String javaHome, final List<String> coreJvmArgs,
        final java.util.Map<String, String> environment, final long launcherPid, final long nowMs)
    {
        return prepare(classPath, javaHome, coreJvmArgs, environment, launcherPid, nowMs, Files::isWritable);
    }

    /** {@link #prepare}, with what decides whether this process may write a directory (root may write any). */
    static ClassDataArchive prepare(final String classPath, final String javaHome, final List<String> coreJvmArgs,
        final java.util.Map<String, String> environment, final long launcherPid, final long nowMs,
        final java.util.function.Predicate<Path> writable)
    {
        if (null != turnedOffBy(environment, coreJvmArgs))
        {
            return none();
        }
        final Optional<Path> jar = singleJar(classPath);
        if (jar.isEmpty())
        {
            return none();
        }
        try
        {
            final String key = key(jar.get(), javaHome);
            final Path archive = archivePath(jar.get());
            if (!writable.test(jar.get().toAbsolutePath().getParent()))
            {
                // An installed kernel (a container image): use the archive installed with it, write none.
                return key.equals(readKey(archive)) && Files.size(archive) >= ARCHIVE_LENGTH_MIN_BYTES ?
                    new ClassDataArchive(archive, true, null) : none();
            }
            promoteWritten(archive, key, nowMs, WRITTEN_SETTLE_MS);
            if (key.equals(readKey(archive)) && Files.size(archive) >= ARCHIVE_LENGTH_MIN_BYTES)
            {
                removeUnwrittenKeys(archive);
                return new ClassDataArchive(archive, true, null);
            }
            Files.deleteIfExists(archive);
            Files.deleteIfExists(keyFile(archive));
            final Path writing = archive.resolveSibling(archive.getFileName() + WRITING_INFIX + launcherPid);
            Files.deleteIfExists(writing);
            OwnerOnlyFiles.writeAtomically(keyFile(writing), key);
            return new ClassDataArchive(archive, false, writing);
        }
        catch (final IOException ex)
        {
            // The archive only saves time and memory: without it the cores start as they always did.
            return none();
        }
    }

    /**
     * @param writer whether this is the core chosen to write the archive when there is none (the
     *               first core of a launch).
     * @return the JVM options for that core: use the archive, write one at exit, or nothing.
     */
    public List<String> jvmArgs(final boolean writer)
    {
        if (ready)
        {
            return List.of("-XX:SharedArchiveFile=" + archive);
        }
        // The writer names each class it cannot archive (picocli's are too old a class format) at
        // warning level: errors only, so its log stays the core's.
        return writer && null != writing ? List.of("-XX:ArchiveClassesAtExit=" + writing, "-Xlog:cds*=error") : List.of();
    }

    /** @return whether the cores map an archive. */
    public boolean ready()
    {
        return ready;
    }

    /**
     * @param environment this process's environment.
     * @param coreJvmArgs the cores' extra JVM options.
     * @return what keeps the cores from using an archive of this kind, or null when nothing does.
     */
    public static String turnedOffBy(final java.util.Map<String, String> environment, final List<String> coreJvmArgs)
    {
        if ("off".equalsIgnoreCase(environment.getOrDefault(ENABLED_ENV, "").trim()))
        {
            return ENABLED_ENV + "=off";
        }
        return coreJvmArgs.stream().filter(arg -> USER_CHOICES.stream().anyMatch(arg::contains)).findFirst()
            .map(arg -> "the cores' JVM option " + arg).orElse(null);
    }

    /**
     * Removes the archives cores wrote for the kernel jar that were never put in place (a training run
     * that failed): tens of MB each, which nothing would use.
     *
     * @param classPath the kernel's class path: one jar.
     * @throws IOException when one cannot be removed.
     */
    public static void discardWritten(final String classPath) throws IOException
    {
        final Optional<Path> jar = singleJar(classPath);
        if (jar.isEmpty())
        {
            return;
        }
        final String prefix = archivePath(jar.get()).getFileName() + WRITING_INFIX;
        try (Stream<Path> files = Files.list(jar.get().toAbsolutePath().getParent()))
        {
            for (final Path file : files.filter(f -> f.getFileName().toString().startsWith(prefix)).toList())
            {
                Files.deleteIfExists(file);
            }
        }
    }

    /** VERIFY_TIMEOUT_MS: how long the JVM that checks an installed archive may take, ms. */
    static final long VERIFY_TIMEOUT_MS = 60_000;

    /**
     * Starts a JVM as a core's, told to use the archive or fail ({@code -Xshare:on}): an archive cut
     * short, or made for another JVM, is removed with its key, so that no core maps it.
     *
     * @param archive   the installed archive.
     * @param classPath the kernel's class path.
     * @param javaHome  the JDK the cores run on.
     * @throws IllegalStateException when the JVM refuses the archive (it is removed then).
     * @throws IOException           when the JVM cannot be started.
     * @throws InterruptedException  when interrupted while waiting for it.
     */
    public static void verify(final Path archive, final String classPath, final String javaHome)
        throws IOException, InterruptedException
    {
        final List<String> command = new java.util.ArrayList<>(List.of(Path.of(javaHome, "bin", "java").toString()));
        command.addAll(ClusterLauncher.CORE_JVM_ARGS);
        command.addAll(List.of("-Xshare:on", "-XX:SharedArchiveFile=" + archive, "-cp", classPath, "-version"));
        final Path log = Files.createTempFile("mk-class-data-verify", ".log");
        final String output;
        final boolean exited;
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try
        {
            exited = process.waitFor(VERIFY_TIMEOUT_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
            output = Files.readString(log, StandardCharsets.UTF_8);
        }
        finally
        {
            process.destroyForcibly();
            Files.deleteIfExists(log);
        }
        if (!exited || 0 != process.exitValue())
        {
            Files.deleteIfExists(archive);
            Files.deleteIfExists(keyFile(archive));
            throw new IllegalStateException("a JVM told to use the class-data archive " + archive + " refused it, so " +
                "it was removed: " + output.strip().lines().findFirst().orElse("no output"));
        }
    }

    /**
     * Puts in place the archive a core of this machine wrote for the kernel jar and this JDK, once every
     * core that could be writing one has exited, and makes it and its key readable by every user, as
     * the jar is: an installed kernel (a container image) is read-only to the user its cores run as,
     * who then maps the archive without writing one (see {@link #prepare}).
     *
     * @param classPath the kernel's class path: one jar.
     * @param javaHome  the JDK the cores run on.
     * @return the archive in place.
     * @throws IOException           when it cannot be moved or read.
     * @throws IllegalStateException when no core wrote a complete archive for this jar and JDK.
     */
    public static Path install(final String classPath, final String javaHome) throws IOException
    {
        final Path jar = installableJar(classPath);
        final String key = key(jar, javaHome);
        final Path archive = archivePath(jar);
        promoteWritten(archive, key, Long.MAX_VALUE, 0);
        if (!key.equals(readKey(archive)) || Files.size(archive) < ARCHIVE_LENGTH_MIN_BYTES)
        {
            throw new IllegalStateException("no core wrote a class-data archive for " + jar + " and the JDK in " +
                javaHome + " (a core writes it as it exits, when its JVM supports -XX:ArchiveClassesAtExit and " +
                "its runtime has a base archive: a jlink'd one needs --generate-cds-archive)");
        }
        removeUnwrittenKeys(archive);
        final java.util.Set<java.nio.file.attribute.PosixFilePermission> readable =
            java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--");
        Files.setPosixFilePermissions(archive, readable);
        Files.setPosixFilePermissions(keyFile(archive), readable);
        return archive;
    }

    /**
     * @param classPath the kernel's class path.
     * @return its one jar, beside which this process can put an archive.
     * @throws IllegalStateException when the class path is not one jar, or its directory cannot be written.
     */
    public static Path installableJar(final String classPath)
    {
        final Path jar = singleJar(classPath).orElseThrow(() -> new IllegalStateException(
            "the kernel's class path is not one jar (" + classPath + "): no class-data archive goes with it"));
        final Path directory = jar.toAbsolutePath().getParent();
        if (!Files.isWritable(directory))
        {
            throw new IllegalStateException("cannot write " + directory + ", where the class-data archive goes: run " +
                "this as the user who may write it (an image's build runs it as root)");
        }
        return jar;
    }

    static Path archivePath(final Path jar)
    {
        final String name = jar.getFileName().toString();
        return jar.resolveSibling(name.substring(0, name.length() - ".jar".length()) + ARCHIVE_SUFFIX);
    }

    static String key(final Path jar, final String javaHome) throws IOException
    {
        return "java.home=" + javaHome + "\njava.vm.version=" + System.getProperty("java.vm.version") +
            "\njar=" + jar.toAbsolutePath() + "\njar.length=" + Files.size(jar) +
            "\njar.modified.ms=" + Files.getLastModifiedTime(jar).toMillis() + "\n";
    }

    private static Optional<Path> singleJar(final String classPath)
    {
        if (null == classPath || classPath.isBlank() || classPath.contains(java.io.File.pathSeparator) ||
            !classPath.endsWith(".jar"))
        {
            return Optional.empty();
        }
        final Path jar = Path.of(classPath);
        return Files.isRegularFile(jar) ? Optional.of(jar) : Optional.empty();
    }

    /**
     * Moves a complete archive a core wrote for this key into place, unless one is there; removes the
     * others (of another build, or cut short). A file modified in the last {@code settleMs} may still be
     * being written by a core that is exiting, and is left alone.
     */
    private static void promoteWritten(final Path archive, final String key, final long nowMs, final long settleMs)
        throws IOException
    {
        final String prefix = archive.getFileName() + WRITING_INFIX;
        final List<Path> written;
        try (Stream<Path> files = Files.list(archive.toAbsolutePath().getParent()))
        {
            written = files.filter(f -> f.getFileName().toString().startsWith(prefix) &&
                !f.getFileName().toString().endsWith(KEY_SUFFIX)).sorted().toList();
        }
        for (final Path candidate : written)
        {
            if (nowMs - Files.getLastModifiedTime(candidate).toMillis() < settleMs)
            {
                continue;
            }
            final boolean matches = key.equals(readKey(candidate)) && Files.size(candidate) >= ARCHIVE_LENGTH_MIN_BYTES;
            if (matches && !key.equals(readKey(archive)))
            {
                Files.move(candidate, archive, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                OwnerOnlyFiles.writeAtomically(keyFile(archive), key);
            }
            Files.deleteIfExists(candidate);
            Files.deleteIfExists(keyFile(candidate));
        }
    }

    /**
     * Removes the key files of launches whose chosen core never wrote its archive (it was killed, or
     * its cluster never stopped cleanly). Only once an archive for this build is in place: a core
     * still running with such a key would write an archive that is no longer needed, and one that
     * comes without its key is removed as cut short.
     */
    private static void removeUnwrittenKeys(final Path archive) throws IOException
    {
        final String prefix = archive.getFileName() + WRITING_INFIX;
        final List<Path> keys;
        try (Stream<Path> files = Files.list(archive.toAbsolutePath().getParent()))
        {
            keys = files.filter(f -> f.getFileName().toString().startsWith(prefix) &&
                f.getFileName().toString().endsWith(KEY_SUFFIX)).toList();
        }
        for (final Path key : keys)
        {
            final String name = key.getFileName().toString();
            if (!Files.exists(key.resolveSibling(name.substring(0, name.length() - KEY_SUFFIX.length()))))
            {
                Files.deleteIfExists(key);
            }
        }
    }

    private static Path keyFile(final Path archive)
    {
        return archive.resolveSibling(archive.getFileName() + KEY_SUFFIX);
    }

    private static String readKey(final Path archive) throws IOException
    {
        final Path file = keyFile(archive);
        return Files.exists(file) && Files.exists(archive) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }
}
