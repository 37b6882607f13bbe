package io.multikernel.node.replication;

import io.multikernel.common.OwnerOnlyFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * What a core's data directory holds, named by a marker file ({@value #MARKER_FILE}) so that a build
 * never replays a write-ahead log it cannot read. Format {@value #CURRENT}: every operation in the log
 * and every snapshot belongs to one of the {@code ReplicatedStates} (tagged by state id). Logs written
 * before the states were tagged have no marker; a core refuses them with one sentence instead of
 * failing on the first record it cannot decode.
 * <p>
 * The directory holds every core's replicated state, so it is owner-only ({@code rwx------}): created
 * so, or tightened to that when a directory of an older build was open to others.
 */
public final class DataFormat
{
    /** MARKER_FILE: the file in the data directory that names its format. */
    public static final String MARKER_FILE = "format";

    /**
     * @param entry a file of a core's data directory.
     * @return whether it is the format marker, which holds no replicated state.
     */
    public static boolean isMarkerFile(final Path entry)
    {
        return MARKER_FILE.equals(String.valueOf(entry.getFileName()));
    }
    /** CURRENT: the format this build writes and reads. */
    static final String CURRENT = "replicated-states-1";

    private DataFormat()
    {
    }

    /**
     * Marks an empty data directory with the current format, or checks that a used one has it.
     *
     * @param dataDirectory the core's data directory; created owner-only when missing, tightened when not.
     * @throws IllegalStateException naming the directory and what to do when it holds another format.
     * @throws UncheckedIOException  when the directory cannot be read or marked.
     */
    static void claim(final Path dataDirectory)
    {
        try
        {
            OwnerOnlyFiles.createDirectories(dataDirectory);
            final Path marker = dataDirectory.resolve(MARKER_FILE);
            if (Files.exists(marker))
            {
                final String format = Files.readString(marker, StandardCharsets.UTF_8).trim();
                if (!CURRENT.equals(format))
                {
                    throw new IllegalStateException("data directory " + dataDirectory + " holds replicated state in " +
                        "format '" + cut(format) + "', which this build does not read (it reads '" + CURRENT +
                        "'): start the build that wrote it, or remove the directory to start this core empty");
                }
                return;
            }
            try (Stream<Path> entries = Files.list(dataDirectory))
            {
                if (entries.anyMatch(entry -> !DataDirectoryLock.isLockFile(entry)))
                {
                    throw new IllegalStateException("data directory " + dataDirectory + " was written by an older " +
                        "build (its log's operations carry no state tag): start that build, or remove the directory " +
                        "to start this core empty");
                }
            }
            OwnerOnlyFiles.writeAtomically(marker, CURRENT + "\n");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("data directory " + dataDirectory + " could not be read or marked: " +
                ex.getMessage(), ex);
        }
    }

    private static String cut(final String text)
    {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }
}
