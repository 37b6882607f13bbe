package io.multikernel.replication.wal;

import java.io.IOException;

/**
 * The write-ahead log or a snapshot holds a record that fails its checks somewhere other than the
 * torn tail. Start-up stops: skipping it could lose a committed transaction. The message names the
 * file and the offset.
 */
public final class WalCorruptionException extends IOException
{
    private static final long serialVersionUID = 1L;

    private final String file;
    private final long offset;

    public WalCorruptionException(final String file, final long offset, final String what)
    {
        super("write-ahead log corrupt in " + file + " at offset " + offset + ": " + what +
            "; refusing to start (restore this core's data directory from a backup of it: another core's " +
            "directory is no copy of it, and a core's state is not rebuilt from its peers)");
        this.file = file;
        this.offset = offset;
    }

    public String file()
    {
        return file;
    }

    public long offset()
    {
        return offset;
    }
}
