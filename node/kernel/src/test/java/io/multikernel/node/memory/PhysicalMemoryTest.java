package io.multikernel.node.memory;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PhysicalMemoryTest
{
    private static final long BASE = 1 << 20;
    private static final long LENGTH = 64 * 1024;

    @TempDir
    Path dir;

    @Test
    void aHostMemoryLargerThanItsFileSystemIsRefusedBeforeAStoreCouldKillTheCore()
    {
        final Path file = dir.resolve("host-0.mem");
        final long shm = 64L << 20;
        assertThatThrownBy(() -> PhysicalMemory.checkFits(file, 1L << 30, shm))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("physical memory of 1073741824 bytes does not fit the file system of " + file + " (67108864 " +
                "bytes in all): give it more room (a container's /dev/shm: docker's --shm-size, compose's shm_size) " +
                "or the host less memory (the cluster map's memory)");
        PhysicalMemory.checkFits(file, shm, shm);
        PhysicalMemory.checkFits(file, 1L << 30, 0);
    }

    @Test
    void twoMappingsOfOneHostSeeEachOthersStores()
    {
        final Path file = dir.resolve("host-0.mem");
        try (PhysicalMemory a = PhysicalMemory.map(file, BASE, LENGTH); PhysicalMemory b = PhysicalMemory.map(file, BASE, LENGTH))
        {
            final byte[] text = "frame bytes".getBytes(StandardCharsets.US_ASCII);
            a.store(BASE + 4096, new UnsafeBuffer(text), 0, text.length);
            final UnsafeBuffer read = new UnsafeBuffer(new byte[text.length]);
            b.load(BASE + 4096, read, 0, text.length);
            assertThat(read.getStringWithoutLengthAscii(0, text.length)).isEqualTo("frame bytes");
            b.storeWord(BASE + LENGTH - 8, 42L);
            assertThat(a.loadWord(BASE + LENGTH - 8)).isEqualTo(42L);
            a.zero(BASE + 4096, 4096);
            assertThat(b.loadWord(BASE + 4096)).isZero();
        }
    }

    @Test
    void theFileIsOwnerOnlyAndKeepsItsContentAcrossMappings() throws Exception
    {
        final Path file = dir.resolve("host-1.mem");
        try (PhysicalMemory memory = PhysicalMemory.map(file, 0, LENGTH))
        {
            memory.storeWord(16, 7L);
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Files.size(file)).isEqualTo(LENGTH);
        try (PhysicalMemory again = PhysicalMemory.map(file, 0, LENGTH))
        {
            assertThat(again.loadWord(16)).isEqualTo(7L);
        }
    }

    @Test
    void aFileOpenToOthersIsTightenedWhenMappedAndKeepsItsContent() throws Exception
    {
        final Path file = dir.resolve("host-4.mem");
        try (PhysicalMemory memory = PhysicalMemory.map(file, 0, LENGTH))
        {
            memory.storeWord(64, 9L);
        }
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));

        try (PhysicalMemory again = PhysicalMemory.map(file, 0, LENGTH))
        {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            assertThat(again.loadWord(64)).isEqualTo(9L);
        }
    }

    @Test
    void aDirectoryMadeForTheFileIsOwnerOnlyAndASharedOneIsLeftAlone() throws Exception
    {
        final Path shared = Files.createDirectories(dir.resolve("shm"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));

        PhysicalMemory.map(shared.resolve("cluster").resolve("host-0.mem"), 0, LENGTH).close();

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(shared.resolve("cluster"))))
            .isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(shared))).isEqualTo("rwxrwxrwx");
    }

    @Test
    void accessesOutsideTheMemoryAreRefusedWithOneSentence()
    {
        try (PhysicalMemory memory = PhysicalMemory.map(dir.resolve("host-2.mem"), BASE, LENGTH))
        {
            final UnsafeBuffer scratch = new UnsafeBuffer(new byte[16]);
            assertThatThrownBy(() -> memory.load(BASE - 1, scratch, 0, 8))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("physical range 1048575+8 is outside this host's memory 1048576+65536");
            assertThatThrownBy(() -> memory.store(BASE + LENGTH - 4, scratch, 0, 8))
                .hasMessage("physical range 1114108+8 is outside this host's memory 1048576+65536");
            assertThatThrownBy(() -> memory.loadWord(BASE + 3)).hasMessage("physical address 1048579 of a word is not 8-byte aligned");
            assertThat(memory.contains(BASE, LENGTH)).isTrue();
            assertThat(memory.contains(BASE, LENGTH + 1)).isFalse();
        }
    }

    @Test
    void aFileOfAnotherLengthAndBadSizesAreRefused()
    {
        final Path file = dir.resolve("host-3.mem");
        PhysicalMemory.map(file, 0, LENGTH).close();
        assertThatThrownBy(() -> PhysicalMemory.map(file, 0, 2 * LENGTH))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("holds 65536 bytes, not the configured 131072");
        assertThatThrownBy(() -> PhysicalMemory.map(dir.resolve("x"), 0, 100))
            .hasMessage("physical memory length=100 bytes is outside 4096..1073741824 bytes");
        assertThatThrownBy(() -> PhysicalMemory.map(dir.resolve("y"), 0, 4096 * 3 + 1))
            .hasMessage("physical memory base=0 length=12289 is not page aligned (4096 bytes)");
    }
}
