package io.multikernel.replication.wal;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One file of a {@link WalStorage}: positional reads and writes, force to stable storage.
 */
public interface StorageFile extends AutoCloseable
{
    long size() throws IOException;

    /**
     * Reads up to {@code dst.remaining()} bytes starting at {@code position}.
     *
     * @return bytes read, or -1 at end of file.
     */
    int read(ByteBuffer dst, long position) throws IOException;

    /**
     * Writes all of {@code src} at {@code position}. Not durable until {@link #force()}.
     */
    void write(ByteBuffer src, long position) throws IOException;

    /**
     * Forces every byte written so far to stable storage (fdatasync).
     */
    void force() throws IOException;

    /**
     * Cuts the file to {@code size} bytes.
     */
    void truncate(long size) throws IOException;

    @Override
    void close() throws IOException;
}
