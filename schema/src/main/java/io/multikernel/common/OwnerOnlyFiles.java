package io.multikernel.common;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * Files and directories of a cluster that only their owner can read or write: the LRPC channels,
 * a host's physical memory, a core's data directory, the run directory and what the launcher writes
 * into it. Another local user could otherwise read replicated state, forge LRPC requests into a
 * core's ring or watch the logs.
 * <p>
 * What we create gets its permissions from the moment it exists (a file attribute on the create
 * call, never a create followed by a {@code chmod}); what exists already with group or other bits
 * (from an older build, or made by hand) is tightened when we open it, with one info line, because
 * otherwise such a directory would stay open forever.
 * <p>
 * On a file system without POSIX permissions every method only creates and writes.
 */
public final class OwnerOnlyFiles
{
    /** Permissions of a file: {@code rw-------} (0600). */
    public static final Set<PosixFilePermission> FILE_PERMISSIONS = PosixFilePermissions.fromString("rw-------");
    /** Permissions of a directory: {@code rwx------} (0700). */
    public static final Set<PosixFilePermission> DIRECTORY_PERMISSIONS = PosixFilePermissions.fromString("rwx------");

    private static final Logger LOGGER = LoggerFactory.getLogger(OwnerOnlyFiles.class);
    private static final Set<PosixFilePermission> GROUP_AND_OTHERS = EnumSet.of(
        PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
        PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private OwnerOnlyFiles()
    {
    }

    /**
     * @param path any path on the file system in question.
     * @return the attribute that creates a file {@code rw-------}, or none where permissions are not POSIX.
     */
    public static FileAttribute<?>[] fileAttributes(final Path path)
    {
        return isPosix(path) ?
            new FileAttribute<?>[]{ PosixFilePermissions.asFileAttribute(FILE_PERMISSIONS) } : new FileAttribute<?>[0];
    }

    /**
     * A directory of ours: created {@code rwx------} with any missing parents (which get the same),
     * or, when it exists, tightened to its owner.
     *
     * @param directory the directory.
     * @return the directory.
     * @throws IOException when it cannot be created or its permissions cannot be changed.
     */
    public static Path createDirectories(final Path directory) throws IOException
    {
        final boolean existed = Files.isDirectory(directory);
        createMissingDirectories(directory);
        if (existed)
        {
            tighten(directory);
        }
        else if (isPosix(directory))
        {
            // The umask may have taken bits from the attribute; the leaf we made is exactly owner-only.
            Files.setPosixFilePermissions(directory, DIRECTORY_PERMISSIONS);
        }
        return directory;
    }

    /**
     * Creates a directory and its missing parents {@code rwx------}, but leaves one that exists as it is:
     * for a place that may be shared, such as {@code /dev/shm}.
     *
     * @param directory the directory.
     * @return the directory.
     * @throws IOException when it cannot be created.
     */
    public static Path createMissingDirectories(final Path directory) throws IOException
    {
        if (!Files.isDirectory(directory))
        {
            if (isPosix(directory))
            {
                Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(DIRECTORY_PERMISSIONS));
            }
            else
            {
                Files.createDirectories(directory);
            }
        }
        return directory;
    }

    /**
     * An empty file of ours, created {@code rw-------}, or, when it exists, kept with its content and
     * tightened to its owner. For files that another component then opens by name (a process's log).
     *
     * @param file the file; its directory must exist.
     * @return the file.
     * @throws IOException when it cannot be created or its permissions cannot be changed.
     */
    public static Path createFile(final Path file) throws IOException
    {
        try
        {
            Files.createFile(file, fileAttributes(file));
        }
        catch (final FileAlreadyExistsException ex)
        {
            tighten(file);
        }
        return file;
    }

    /**
     * Writes a whole file atomically: a reader sees the old content or the new one, and nobody but the
     * owner sees either (the temporary file is created {@code rw-------} and renamed into place).
     *
     * @param file where; its directory must exist.
     * @param text the content, UTF-8.
     * @throws IOException when it cannot be written.
     */
    public static void writeAtomically(final Path file, final CharSequence text) throws IOException
    {
        final Path absolute = file.toAbsolutePath();
        final Path temporary = absolute.resolveSibling(absolute.getFileName() + ".tmp");
        Files.deleteIfExists(temporary);
        Files.createFile(temporary, fileAttributes(temporary));
        try
        {
            Files.writeString(temporary, text, StandardCharsets.UTF_8);
            Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        finally
        {
            Files.deleteIfExists(temporary);
        }
    }

    /**
     * Takes every group and other permission from a file or directory of ours, logging once at info
     * when there was any. The owner's bits stay as they are.
     *
     * @param path an existing file or directory.
     * @return true when its permissions changed.
     * @throws IOException when they cannot be read or changed (for example, it belongs to another user).
     */
    public static boolean tighten(final Path path) throws IOException
    {
        if (!isPosix(path))
        {
            return false;
        }
        final Set<PosixFilePermission> before = Files.getPosixFilePermissions(path);
        final Set<PosixFilePermission> after = EnumSet.noneOf(PosixFilePermission.class);
        after.addAll(before);
        after.removeAll(GROUP_AND_OTHERS);
        if (after.equals(before))
        {
            return false;
        }
        Files.setPosixFilePermissions(path, after);
        LOGGER.info("{} was open to other users ({}); now {}, only its owner reaches it", path,
            PosixFilePermissions.toString(before), PosixFilePermissions.toString(after));
        return true;
    }

    private static boolean isPosix(final Path path)
    {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }
}
