package io.multikernel.replication.wal;

import java.io.IOException;
import java.util.List;

/**
 * A flat directory of named files: where the write-ahead log's segments and the snapshots live.
 * {@link FileStorage} is the real one; {@link MemoryStorage} is the simulator's disk, which can
 * crash and lose or tear what was not forced.
 */
public interface WalStorage
{
    /**
     * @return the names of the files in the directory, in no particular order.
     */
    List<String> list() throws IOException;

    /**
     * Opens a file for reading and writing.
     *
     * @param create create it (empty) when it does not exist.
     */
    StorageFile open(String name, boolean create) throws IOException;

    /**
     * Opens a file that is only ever appended to (a log segment): writes go at or past its end, and
     * reads, if any, come after {@link StorageFile#close()}. A storage may serve such a file faster
     * than {@link #open}, e.g. through a memory mapping; the file may then hold zeros past its last
     * write until it is closed (after a crash, until recovery cuts them).
     *
     * @param create create it (empty) when it does not exist.
     */
    default StorageFile openAppendOnly(final String name, final boolean create) throws IOException
    {
        return open(name, create);
    }

    void delete(String name) throws IOException;

    /**
     * Atomically renames {@code from} to {@code to}, replacing {@code to} if it exists.
     */
    void rename(String from, String to) throws IOException;

    /**
     * Makes file creations, renames and deletions durable.
     */
    void syncDirectory() throws IOException;

    /**
     * @return how to name the file to a human: a path for files, a label for memory.
     */
    String describe(String name);
}
