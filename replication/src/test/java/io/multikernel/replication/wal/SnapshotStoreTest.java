package io.multikernel.replication.wal;

import java.io.IOException;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SnapshotStoreTest
{
    @Test
    void noSnapshotLoadsAsNull() throws IOException
    {
        assertThat(new SnapshotStore(new MemoryStorage("d"), FsyncPolicy.GROUP, 1 << 20).loadLatest()).isNull();
    }

    @Test
    void newestSnapshotWinsAndOlderOnesAreDeleted() throws IOException
    {
        final MemoryStorage storage = new MemoryStorage("d");
        final SnapshotStore store = new SnapshotStore(storage, FsyncPolicy.GROUP, 1 << 20);
        store.write(100, new byte[]{1, 2, 3});
        store.write(200, new byte[]{4, 5});

        final SnapshotStore.Snapshot snapshot = store.loadLatest();
        assertThat(snapshot.position()).isEqualTo(200);
        assertThat(snapshot.payload()).containsExactly(4, 5);
        assertThat(storage.list()).containsExactly(SnapshotStore.fileName(200));
    }

    @Test
    void leftoverTemporaryFileFromACrashIsIgnored() throws IOException
    {
        final MemoryStorage storage = new MemoryStorage("d");
        final SnapshotStore store = new SnapshotStore(storage, FsyncPolicy.GROUP, 1 << 20);
        store.write(100, new byte[]{1});
        storage.open(SnapshotStore.fileName(300) + ".tmp", true).close();

        assertThat(store.loadLatest().position()).isEqualTo(100);
        assertThat(storage.list()).containsExactly(SnapshotStore.fileName(100));
    }

    @Test
    void corruptSnapshotStopsStartUpNamingTheFile() throws IOException
    {
        final MemoryStorage storage = new MemoryStorage("d");
        final SnapshotStore store = new SnapshotStore(storage, FsyncPolicy.GROUP, 1 << 20);
        store.write(100, new byte[]{1, 2, 3, 4});
        storage.corrupt(SnapshotStore.fileName(100), SnapshotStore.HEADER_LENGTH + 1);

        assertThatThrownBy(store::loadLatest).isInstanceOf(WalCorruptionException.class)
            .hasMessageContaining("d/" + SnapshotStore.fileName(100)).hasMessageContaining("CRC32C");
    }
}
