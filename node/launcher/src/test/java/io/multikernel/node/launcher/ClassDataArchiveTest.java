package io.multikernel.node.launcher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * When the cores use the class-data archive beside the kernel jar, when the first of them writes
 * one, and how a written one is taken into use only once complete and only for the build it was
 * made from.
 */
class ClassDataArchiveTest
{
    private static final String JAVA_HOME = "/opt/jdk";
    private static final long PID = 4242;
    private static final long NOW_MS = 1_800_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void withoutAnArchiveTheFirstCoreWritesOneUnderANameOfItsOwn() throws IOException
    {
        final Path jar = jar();
        final ClassDataArchive archive = prepare(jar, List.of(), NOW_MS);

        assertThat(archive.ready()).isFalse();
        final Path writing = dir.resolve("mk-core.jsa.writing-" + PID);
        assertThat(archive.jvmArgs(true)).containsExactly("-XX:ArchiveClassesAtExit=" + writing, "-Xlog:cds*=error");
        assertThat(archive.jvmArgs(false)).as("the other cores").isEmpty();
        assertThat(Files.readString(dir.resolve("mk-core.jsa.writing-" + PID + ".key")))
            .isEqualTo(ClassDataArchive.key(jar, JAVA_HOME));
    }

    @Test
    void aCompleteArchiveWrittenForThisBuildIsMovedIntoPlaceAndEveryCoreMapsIt() throws IOException
    {
        final Path jar = jar();
        final Path writing = firstCoreWroteAnArchive(jar);

        final long later = NOW_MS + ClassDataArchive.WRITTEN_SETTLE_MS;
        final ClassDataArchive archive = prepare(jar, List.of(), later, PID + 1);

        final Path placed = dir.resolve("mk-core.jsa");
        assertThat(archive.ready()).isTrue();
        assertThat(archive.jvmArgs(true)).containsExactly("-XX:SharedArchiveFile=" + placed);
        assertThat(archive.jvmArgs(false)).containsExactly("-XX:SharedArchiveFile=" + placed);
        assertThat(placed).hasSize(ClassDataArchive.ARCHIVE_LENGTH_MIN_BYTES);
        assertThat(writing).doesNotExist();
        assertThat(dir.resolve("mk-core.jsa.writing-" + PID + ".key")).doesNotExist();
    }

    @Test
    void anArchiveStillBeingWrittenOrCutShortIsNeverMapped() throws IOException
    {
        final Path jar = jar();
        final Path writing = firstCoreWroteAnArchive(jar);

        final ClassDataArchive tooSoon = prepare(jar, List.of(), NOW_MS + ClassDataArchive.WRITTEN_SETTLE_MS - 1, PID + 1);
        assertThat(tooSoon.ready()).as("modified within the settle time: its writer may still be exiting").isFalse();
        assertThat(writing).as("left alone").exists();

        Files.write(writing, new byte[100]);
        Files.setLastModifiedTime(writing, FileTime.fromMillis(NOW_MS));
        final ClassDataArchive shortOne = prepare(jar, List.of(), NOW_MS + ClassDataArchive.WRITTEN_SETTLE_MS, PID + 2);
        assertThat(shortOne.ready()).isFalse();
        assertThat(dir.resolve("mk-core.jsa")).doesNotExist();
        assertThat(writing).as("shorter than any archive: removed").doesNotExist();
    }

    @Test
    void keysOfLaunchesWhoseCoreNeverWroteItsArchiveGoOnceAnArchiveIsInPlace() throws IOException
    {
        final Path jar = jar();
        final Path writing = firstCoreWroteAnArchive(jar);
        prepare(jar, List.of(), NOW_MS + 1, PID + 1);
        final Path orphanKey = dir.resolve("mk-core.jsa.writing-" + (PID + 1) + ".key");
        assertThat(orphanKey).as("a second launch before the first archive settled: its core was killed").exists();
        assertThat(prepare(jar, List.of(), NOW_MS + 2, PID + 2).ready()).isFalse();
        assertThat(orphanKey).as("no archive is in place yet: its core may still write one").exists();

        assertThat(prepare(jar, List.of(), NOW_MS + ClassDataArchive.WRITTEN_SETTLE_MS, PID + 3).ready()).isTrue();

        assertThat(writing).doesNotExist();
        assertThat(orphanKey).doesNotExist();
        assertThat(dir.resolve("mk-core.jsa.writing-" + (PID + 2) + ".key")).doesNotExist();
        try (var files = Files.list(dir))
        {
            assertThat(files.map(f -> f.getFileName().toString()).sorted().toList())
                .containsExactly("mk-core.jar", "mk-core.jsa", "mk-core.jsa.key");
        }
    }

    @Test
    void anArchiveOfAnotherBuildIsRemovedAndANewOneWritten() throws IOException
    {
        final Path jar = jar();
        firstCoreWroteAnArchive(jar);
        assertThat(prepare(jar, List.of(), NOW_MS + ClassDataArchive.WRITTEN_SETTLE_MS, PID + 1).ready()).isTrue();

        Files.write(jar, new byte[]{1, 2, 3, 4, 5});
        final ClassDataArchive rebuilt = prepare(jar, List.of(), NOW_MS + 2 * ClassDataArchive.WRITTEN_SETTLE_MS, PID + 2);

        assertThat(rebuilt.ready()).isFalse();
        assertThat(dir.resolve("mk-core.jsa")).doesNotExist();
        assertThat(rebuilt.jvmArgs(true).get(0)).startsWith("-XX:ArchiveClassesAtExit=");
    }

    @Test
    void itStaysOutOfTheWayWhereItCannotApplyOrTheUserChoseSharing() throws IOException
    {
        final Path jar = jar();
        assertThat(ClassDataArchive.prepare(jar.toString(), JAVA_HOME, List.of(), Map.of(ClassDataArchive.ENABLED_ENV, "off"),
            PID, NOW_MS).jvmArgs(true)).isEmpty();
        assertThat(prepare(jar, List.of("-Xshare:off"), NOW_MS).jvmArgs(true)).isEmpty();
        assertThat(prepare(jar, List.of("-XX:SharedArchiveFile=/elsewhere.jsa"), NOW_MS).jvmArgs(true)).isEmpty();
        assertThat(ClassDataArchive.prepare(jar + ":" + dir.resolve("other.jar"), JAVA_HOME, List.of(), Map.of(), PID,
            NOW_MS).jvmArgs(true)).as("more than one entry").isEmpty();
        assertThat(ClassDataArchive.prepare(dir.toString(), JAVA_HOME, List.of(), Map.of(), PID, NOW_MS).jvmArgs(true))
            .as("class directories: the JVM archives only jars").isEmpty();
        assertThat(ClassDataArchive.prepare(dir.resolve("missing.jar").toString(), JAVA_HOME, List.of(), Map.of(), PID,
            NOW_MS).jvmArgs(true)).isEmpty();
        assertThat(dir.resolve("mk-core.jsa.writing-" + PID + ".key")).doesNotExist();
    }

    @Test
    void anInstalledArchiveIsReadableByEveryUserAndMappedWhereTheCoresCannotWrite() throws IOException
    {
        final Path jar = jar();
        firstCoreWroteAnArchive(jar);

        final Path installed = ClassDataArchive.install(jar.toString(), JAVA_HOME);

        assertThat(installed).isEqualTo(dir.resolve("mk-core.jsa")).hasSize(ClassDataArchive.ARCHIVE_LENGTH_MIN_BYTES);
        assertThat(dir.resolve("mk-core.jsa.writing-" + PID)).as("the written one, moved at once: its core exited")
            .doesNotExist();
        for (final Path file : List.of(installed, dir.resolve("mk-core.jsa.key")))
        {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).as("%s", file)
                .isEqualTo("rw-r--r--");
        }
        final ClassDataArchive readOnly = ClassDataArchive.prepare(jar.toString(), JAVA_HOME, List.of(), Map.of(), PID + 1,
            NOW_MS, directory -> false);
        assertThat(readOnly.jvmArgs(true)).containsExactly("-XX:SharedArchiveFile=" + installed);
        assertThat(readOnly.jvmArgs(false)).containsExactly("-XX:SharedArchiveFile=" + installed);
        assertThat(dir.resolve("mk-core.jsa.writing-" + (PID + 1) + ".key")).as("nothing written").doesNotExist();
    }

    @Test
    void whereTheCoresCannotWriteAndNothingIsInstalledTheyRunWithoutAnArchiveAndWriteNone() throws IOException
    {
        final Path jar = jar();
        final ClassDataArchive readOnly = ClassDataArchive.prepare(jar.toString(), JAVA_HOME, List.of(), Map.of(), PID,
            NOW_MS, directory -> false);

        assertThat(readOnly.ready()).isFalse();
        assertThat(readOnly.jvmArgs(true)).isEmpty();
        try (var files = Files.list(dir))
        {
            assertThat(files.map(f -> f.getFileName().toString()).toList()).containsExactly("mk-core.jar");
        }
    }

    @Test
    void installingWithoutAWrittenArchiveOrForAnotherBuildSaysWhatIsMissing() throws IOException
    {
        final Path jar = jar();
        assertThatThrownBy(() -> ClassDataArchive.install(jar.toString(), JAVA_HOME))
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("no core wrote a class-data archive for " + jar)
            .hasMessageContaining("--generate-cds-archive");

        firstCoreWroteAnArchive(jar);
        Files.write(jar, new byte[]{1, 2, 3, 4, 5});
        assertThatThrownBy(() -> ClassDataArchive.install(jar.toString(), JAVA_HOME))
            .as("an archive written for the jar before it was rebuilt").isInstanceOf(IllegalStateException.class);
        assertThat(dir.resolve("mk-core.jsa")).doesNotExist();
        assertThatThrownBy(() -> ClassDataArchive.install(jar + ":" + dir.resolve("other.jar"), JAVA_HOME))
            .hasMessageContaining("is not one jar");
    }

    @Test
    void anArchiveAJvmRefusesIsRemovedWithItsKey() throws Exception
    {
        final Path jar = jar();
        firstCoreWroteAnArchive(jar);
        final Path installed = ClassDataArchive.install(jar.toString(), JAVA_HOME);

        // Zeros, not an archive: a JVM told to use it or fail refuses it.
        assertThatThrownBy(() -> ClassDataArchive.verify(installed, jar.toString(), System.getProperty("java.home")))
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("refused it, so it was removed");
        assertThat(installed).doesNotExist();
        assertThat(dir.resolve("mk-core.jsa.key")).doesNotExist();
    }

    @Test
    void writtenArchivesNeverPutInPlaceAreDiscardedAndWhatTurnsTheArchiveOffIsNamed() throws IOException
    {
        final Path jar = jar();
        final Path writing = firstCoreWroteAnArchive(jar);

        ClassDataArchive.discardWritten(jar.toString());

        assertThat(writing).doesNotExist();
        assertThat(dir.resolve("mk-core.jsa.writing-" + PID + ".key")).doesNotExist();
        assertThat(jar).exists();
        assertThat(ClassDataArchive.turnedOffBy(Map.of(ClassDataArchive.ENABLED_ENV, "OFF"), List.of()))
            .isEqualTo("MK_CLASS_DATA_ARCHIVE=off");
        assertThat(ClassDataArchive.turnedOffBy(Map.of(), List.of("-Xmx64m", "-Xshare:off")))
            .isEqualTo("the cores' JVM option -Xshare:off");
        assertThat(ClassDataArchive.turnedOffBy(Map.of(), List.of("-Xmx64m"))).isNull();
    }

    private Path jar() throws IOException
    {
        final Path jar = dir.resolve("mk-core.jar");
        Files.write(jar, new byte[]{'P', 'K', 3, 4});
        return jar;
    }

    private static ClassDataArchive prepare(final Path jar, final List<String> coreJvmArgs, final long nowMs)
    {
        return prepare(jar, coreJvmArgs, nowMs, PID);
    }

    /** A later launch: another launcher process. */
    private static ClassDataArchive prepare(final Path jar, final List<String> coreJvmArgs, final long nowMs,
        final long launcherPid)
    {
        return ClassDataArchive.prepare(jar.toString(), JAVA_HOME, coreJvmArgs, Map.of(), launcherPid, nowMs);
    }

    /** A launch at {@link #NOW_MS} whose first core wrote an archive of the minimum length as it exited. */
    private Path firstCoreWroteAnArchive(final Path jar) throws IOException
    {
        prepare(jar, List.of(), NOW_MS);
        final Path writing = dir.resolve("mk-core.jsa.writing-" + PID);
        writeArchive(writing, NOW_MS);
        return writing;
    }

    private static void writeArchive(final Path file, final long modifiedMs) throws IOException
    {
        Files.write(file, new byte[(int)ClassDataArchive.ARCHIVE_LENGTH_MIN_BYTES]);
        Files.setLastModifiedTime(file, FileTime.fromMillis(modifiedMs));
    }
}
