package io.multikernel.replication.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Snapshots of the engine's state, one file each ({@code snapshot-<log position>.snap}), written
 * to a temporary name, forced, then renamed, so a crash leaves either the old snapshot or the new
 * one and never half of one. Layout, little-endian:
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                        Magic 'MKSN'                           |  offset 0
 *  +---------------------------------------------------------------+
 *  |                        Format Version                         |  offset 4
 *  +---------------------------------------------------------------+
 *  |          Log Position the snapshot covers (exclusive)         |  offset 8
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                        Payload Length                         |  offset 16
 *  +---------------------------------------------------------------+
 *  |            CRC32C of bytes 0..19 and the payload              |  offset 20
 *  +---------------------------------------------------------------+
 *  |                            Payload                           ...  offset 24
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class SnapshotStore
{
    /** A loaded snapshot: the state as of every log record before {@code position}. */
    public record Snapshot(long position, byte[] payload)
    {
    }

    public static final int MAGIC = 0x4E534B4D;
    public static final int FORMAT_VERSION = 1;
    public static final int HEADER_LENGTH = 24;
    static final String PREFIX = "snapshot-";
    static final String SUFFIX = ".snap";
    static final String TEMPORARY_SUFFIX = ".tmp";

    private final WalStorage storage;
    private final FsyncPolicy fsyncPolicy;
    private final int snapshotLengthMaxBytes;
    private final CRC32C crc = new CRC32C();

    /**
     * @param snapshotLengthMaxBytes a snapshot claiming more is treated as corrupt.
     */
    public SnapshotStore(final WalStorage storage, final FsyncPolicy fsyncPolicy, final int snapshotLengthMaxBytes)
    {
        this.storage = storage;
        this.fsyncPolicy = fsyncPolicy;
        this.snapshotLengthMaxBytes = snapshotLengthMaxBytes;
    }

    static String fileName(final long position)
    {
        return String.format("%s%020d%s", PREFIX, position, SUFFIX);
    }

    /**
     * Writes a snapshot durably (unless the policy is {@link FsyncPolicy#NONE}) and deletes older ones.
     */
    public void write(final long position, final byte[] payload) throws IOException
    {
        final String name = fileName(position);
        final String temporary = name + TEMPORARY_SUFFIX;
        final ByteBuffer bytes = ByteBuffer.allocate(HEADER_LENGTH + payload.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.putInt(MAGIC).putInt(FORMAT_VERSION).putLong(position).putInt(payload.length).putInt(0).put(payload);
        bytes.putInt(20, checksum(bytes, payload.length));
        bytes.flip();
        try (StorageFile file = storage.open(temporary, true))
        {
            file.truncate(0);
            file.write(bytes, 0);
            if (fsyncPolicy != FsyncPolicy.NONE)
            {
                file.force();
            }
        }
        storage.rename(temporary, name);
        if (fsyncPolicy != FsyncPolicy.NONE)
        {
            storage.syncDirectory();
        }
        for (final String other : storage.list())
        {
            if (other.startsWith(PREFIX) && other.endsWith(SUFFIX) && !other.equals(name))
            {
                storage.delete(other);
            }
        }
    }

    /**
     * Deletes leftover temporary files and loads the newest snapshot.
     *
     * @return the snapshot, or null when there is none.
     * @throws WalCorruptionException naming the file when the newest snapshot fails its checks.
     */
    public Snapshot loadLatest() throws IOException
    {
        String newest = null;
        long newestPosition = -1;
        final List<String> names = storage.list();
        for (final String name : names)
        {
            if (name.startsWith(PREFIX) && name.endsWith(TEMPORARY_SUFFIX))
            {
                storage.delete(name);
            }
            else if (name.startsWith(PREFIX) && name.endsWith(SUFFIX))
            {
                final long position = parsePosition(name);
                if (position > newestPosition)
                {
                    newestPosition = position;
                    newest = name;
                }
            }
        }
        return null == newest ? null : read(newest, newestPosition);
    }

    private Snapshot read(final String name, final long position) throws IOException
    {
        final String file = storage.describe(name);
        try (StorageFile storageFile = storage.open(name, false))
        {
            final long size = storageFile.size();
            if (size < HEADER_LENGTH || size > HEADER_LENGTH + (long)snapshotLengthMaxBytes)
            {
                throw new WalCorruptionException(file, 0, "snapshot file length " + size + " is out of range");
            }
            final ByteBuffer bytes = ByteBuffer.allocate((int)size).order(ByteOrder.LITTLE_ENDIAN);
            while (bytes.hasRemaining() && storageFile.read(bytes, bytes.position()) >= 0)
            {
                // keep reading until full
            }
            final int length = bytes.getInt(16);
            if (bytes.getInt(0) != MAGIC || bytes.getInt(4) != FORMAT_VERSION)
            {
                throw new WalCorruptionException(file, 0, "not a snapshot of format version " + FORMAT_VERSION);
            }
            if (bytes.getLong(8) != position || length != size - HEADER_LENGTH)
            {
                throw new WalCorruptionException(file, 8, "snapshot header disagrees with its file name or length");
            }
            if (bytes.getInt(20) != checksum(bytes, length))
            {
                throw new WalCorruptionException(file, 20, "snapshot CRC32C mismatch");
            }
            final byte[] payload = new byte[length];
            bytes.get(HEADER_LENGTH, payload);
            return new Snapshot(position, payload);
        }
    }

    private int checksum(final ByteBuffer bytes, final int payloadLength)
    {
        crc.reset();
        final ByteBuffer view = bytes.duplicate();
        view.position(0).limit(20);
        crc.update(view);
        view.limit(HEADER_LENGTH + payloadLength).position(HEADER_LENGTH);
        crc.update(view);
        return (int)crc.getValue();
    }

    private long parsePosition(final String name) throws WalCorruptionException
    {
        try
        {
            return Long.parseLong(name.substring(PREFIX.length(), name.length() - SUFFIX.length()));
        }
        catch (final NumberFormatException ex)
        {
            throw new WalCorruptionException(storage.describe(name), 0, "snapshot name does not hold a log position");
        }
    }
}
