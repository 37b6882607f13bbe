package io.multikernel.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Files the tests leave outside their temporary directories (media driver directories in /dev/shm).
 */
final class TestFiles
{
    private TestFiles()
    {
    }

    /**
     * Remove a directory and everything under it; nothing when it does not exist.
     *
     * @param directory to remove.
     * @throws IOException when it cannot be listed or a file in it cannot be removed.
     */
    static void deleteTree(final Path directory) throws IOException
    {
        if (!Files.exists(directory))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory))
        {
            for (final Path path : (Iterable<Path>)paths.sorted(Comparator.reverseOrder())::iterator)
            {
                Files.deleteIfExists(path);
            }
        }
    }
}
