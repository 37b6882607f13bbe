package io.multikernel.replication;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import io.multikernel.replication.wal.StorageFile;
import io.multikernel.replication.wal.WalStorage;

/**
 * The file that keeps a core diverged across restarts: once a peer proved that its log lost records
 * of committed transactions, a later incarnation would hold watermarks past them and its peers'
 * newest commits would be ones it holds, so nothing would say so again. The file holds the sentence
 * that said why; only an operator removes it (the core then starts as if nothing was lost).
 */
final class DivergenceMarker
{
    /** The file's name in the core's data directory. */
    static final String FILE_NAME = "diverged";
    /** DIVERGENCE_TEXT_LENGTH_MAX_BYTES: the longest sentence kept; a longer one is cut. */
    static final int TEXT_LENGTH_MAX_BYTES = 4096;

    private static final String TEMPORARY_NAME = FILE_NAME + ".tmp";

    private DivergenceMarker()
    {
    }

    /**
     * Writes the sentence durably: to a temporary file, forced, then renamed over the marker.
     */
    static void write(final WalStorage storage, final String text) throws IOException
    {
        final byte[] encoded = text.getBytes(StandardCharsets.UTF_8);
        final ByteBuffer bytes = ByteBuffer.wrap(encoded, 0, Math.min(encoded.length, TEXT_LENGTH_MAX_BYTES));
        final StorageFile file = storage.open(TEMPORARY_NAME, true);
        try
        {
            file.truncate(0);
            file.write(bytes, 0);
            file.force();
        }
        finally
        {
            file.close();
        }
        storage.rename(TEMPORARY_NAME, FILE_NAME);
        storage.syncDirectory();
    }

    /**
     * @return the sentence a marker holds, or null when there is none.
     */
    static String read(final WalStorage storage) throws IOException
    {
        if (!storage.list().contains(FILE_NAME))
        {
            return null;
        }
        final StorageFile file = storage.open(FILE_NAME, false);
        try
        {
            final ByteBuffer bytes = ByteBuffer.allocate((int)Math.min(file.size(), TEXT_LENGTH_MAX_BYTES));
            while (bytes.hasRemaining() && file.read(bytes, bytes.position()) > 0)
            {
                continue;
            }
            return new String(bytes.array(), 0, bytes.position(), StandardCharsets.UTF_8);
        }
        finally
        {
            file.close();
        }
    }

    /**
     * @return how to name the marker to an operator: its path.
     */
    static String describe(final WalStorage storage)
    {
        return storage.describe(FILE_NAME);
    }
}
