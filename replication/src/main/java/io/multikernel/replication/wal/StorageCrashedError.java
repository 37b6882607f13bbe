package io.multikernel.replication.wal;

/**
 * Thrown by {@link MemoryStorage} when an armed crash lands in the middle of a write. An
 * {@link Error}, not an exception, so that no code under test catches it by accident: only the
 * simulator does, and it then discards the crashed core's objects.
 */
public final class StorageCrashedError extends Error
{
    private static final long serialVersionUID = 1L;

    public StorageCrashedError(final String message)
    {
        super(message, null, false, false);
    }
}
