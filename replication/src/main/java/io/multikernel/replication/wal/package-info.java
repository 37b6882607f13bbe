/**
 * The write-ahead log: append-only segment files of CRC32C-framed records
 * ({@link io.multikernel.replication.wal.RecordDescriptor}), torn-tail truncation and corruption
 * detection on recovery, snapshots that let old segments go, and the fsync policies
 * ({@link io.multikernel.replication.wal.FsyncPolicy}). Storage is abstract: real files
 * ({@link io.multikernel.replication.wal.FileStorage}) or the simulator's crashable memory disk
 * ({@link io.multikernel.replication.wal.MemoryStorage}).
 */
package io.multikernel.replication.wal;
