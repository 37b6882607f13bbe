package io.multikernel.node.cli;

import io.multikernel.node.util.Usage;
import io.multikernel.node.bench.ReplicatedWriteBenchmark;
import io.multikernel.node.bench.ReplicatedWriteReport;
import io.multikernel.node.bench.ReplicatedWriteSystems;
import io.multikernel.node.launcher.RunDirectory;
import io.multikernel.replication.wal.FsyncPolicy;
import org.agrona.concurrent.SystemNanoClock;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code mk bench 2pc}: our replicated write (two-phase commit over URPC) against a ZooKeeper
 * ensemble's {@code setData}, an Aeron Cluster and raw Aeron IPC round trips, at each fsync setting,
 * with ratios.
 */
@Command(name = "2pc", mixinStandardHelpOptions = true,
    description = { "Replicated-write latency and throughput of our cores against ZooKeeper, Aeron Cluster and the " +
        "transport's floor, with their ratios.",
        "Commit latency (p50/p99) with one write at a time and throughput with writes pipelined: our cores " +
        "(two-phase commit over URPC, IPC) against a 3-server ZooKeeper ensemble's setData and a 3-member Aeron " +
        "Cluster, each started on loopback in the same run, at each fsync setting.",
        "The floor is raw Aeron IPC ping-pong between two JVMs, measured once per round: a replicated write is two " +
        "round trips on its critical path, and our p50 is reported as a multiple of two raw round trips.",
        "ZooKeeper's forceSync is no for fsync none and yes for group and always (it always group-commits); Aeron " +
        "Cluster's Archive fileSyncLevel is 0, 1 and 2." })
final class BenchTwoPhaseCommitCommand implements Callable<Integer>
{
    /** Most replicas per write. */
    static final int REPLICAS_MAX = 64;
    /** Fewest replicas per write: one replica replicates nothing. */
    static final int REPLICAS_MIN = 2;
    /** Most measured writes per phase. */
    static final int OPS_MAX = 10_000_000;
    /** Longest warm-up or throughput phase, s. */
    static final int PHASE_MAX_S = 3_600;
    /** Most outstanding writes in the throughput phase. */
    static final int INFLIGHT_MAX = 4_096;
    /** Longest value per write, bytes. */
    static final int PAYLOAD_MAX_BYTES = 4_096;
    /** Most runs per configuration. */
    static final int REPEAT_MAX = 100;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--systems", split = ",", defaultValue = "multikernel,zookeeper,aeron-cluster",
        description = "Any of multikernel, zookeeper, aeron-cluster (default: ${DEFAULT-VALUE}).")
    List<String> systems;

    @Option(names = "--replicas", split = ",", defaultValue = "3,4",
        description = "Replica counts of our side, " + REPLICAS_MIN + ".." + REPLICAS_MAX +
            " (default: ${DEFAULT-VALUE}); ZooKeeper always runs 3 servers, Aeron Cluster 3 members.")
    List<Integer> replicas;

    @Option(names = "--fsync", split = ",", defaultValue = "none,group,always",
        description = "fsync settings: none, group, always (default: ${DEFAULT-VALUE}).")
    List<String> fsyncs;

    @Option(names = "--ops", defaultValue = "10000",
        description = "Measured writes of the latency phase, one at a time (default: ${DEFAULT-VALUE}).")
    int ops;

    @Option(names = "--warmup", defaultValue = "10000",
        description = "Unmeasured writes, one at a time, before the measured ones of the latency phase " +
            "(default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--warmup-seconds", defaultValue = "10",
        description = "Seconds of unmeasured pipelined writes after each deployment starts, before anything is " +
            "measured, so that both systems are measured with their code compiled (default: ${DEFAULT-VALUE}).")
    int warmupSeconds;

    @Option(names = "--throughput-seconds", defaultValue = "10",
        description = "Length of the measured throughput phase, s (default: ${DEFAULT-VALUE}).")
    int throughputSeconds;

    @Option(names = "--inflight", defaultValue = "256",
        description = "Most outstanding writes in the throughput phase (default: ${DEFAULT-VALUE}).")
    int inflight;

    @Option(names = "--payload", defaultValue = "32", description = "Bytes per written value (default: ${DEFAULT-VALUE}).")
    int payload;

    @Option(names = "--repeat", defaultValue = "1",
        description = "Runs per configuration, each in fresh processes, the systems' runs interleaved round by round; " +
            "medians are reported (default: ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = "--run-dir", description = "Where data and logs go, under bench-2pc/ (default: $MK_RUN_DIR, " +
        "else run/ of the project). fsync is measured on this file system.")
    Path runDir;

    @Option(names = "--keep-data", description = "Keep each deployment's data, configuration and logs.")
    boolean keepData;

    @Option(names = "--json", description = "Also write the rows and ratios as JSON to this file.")
    Path json;

    @Option(names = "--cpus", defaultValue = "dedicated",
        description = "CPU placement of our cores and of the app driving them: none (the OS places them), spread or " +
            "dedicated (core 0, the coordinator, on a CPU of its own; the other cores and the app share the rest), as " +
            "for mk up (default: ${DEFAULT-VALUE}). ZooKeeper's processes are never pinned.")
    String cpus;

    @Option(names = "--no-floor", description = "Do not measure the floor (raw Aeron IPC ping-pong).")
    boolean noFloor;

    @Override
    public Integer call() throws Exception
    {
        io.multikernel.node.util.Usage.checkOutputFile(spec, "--json", json);
        final ReplicatedWriteBenchmark.Config config = config();
        final PrintStream out = System.out;
        out.println("mk bench 2pc: " + String.join(",", systems) + " at fsync " + String.join(",", fsyncs));
        final ReplicatedWriteBenchmark.Results results = new ReplicatedWriteBenchmark(config, out).run();
        final ReplicatedWriteReport report = new ReplicatedWriteReport(config);
        out.print(report.table(results));
        final String text = report.json(results);
        out.println(text);
        if (null != json)
        {
            writeJson(text);
            out.println("JSON written to " + json);
        }
        return 0;
    }

    ReplicatedWriteBenchmark.Config config()
    {
        final List<ReplicatedWriteSystems> systemList = systems.stream().map(this::system).distinct().toList();
        final List<FsyncPolicy> fsyncList = fsyncs.stream().map(this::fsync).distinct().toList();
        for (final Integer count : replicas)
        {
            Usage.checkRange(spec, "--replicas", count, REPLICAS_MIN, REPLICAS_MAX);
        }
        Usage.checkRange(spec, "--ops", ops, 1, OPS_MAX);
        Usage.checkRange(spec, "--warmup", warmup, 0, OPS_MAX);
        Usage.checkRange(spec, "--warmup-seconds", warmupSeconds, 0, PHASE_MAX_S);
        Usage.checkRange(spec, "--throughput-seconds", throughputSeconds, 1, PHASE_MAX_S);
        Usage.checkRange(spec, "--inflight", inflight, 1, INFLIGHT_MAX);
        Usage.checkRange(spec, "--payload", payload, 0, PAYLOAD_MAX_BYTES);
        Usage.checkRange(spec, "--repeat", repeat, 1, REPEAT_MAX);
        final Path runDirectory = RunDirectory.resolve(runDir).root().resolve("bench-2pc");
        return new ReplicatedWriteBenchmark.Config(systemList, fsyncList, replicas.stream().distinct().toList(),
            ops, warmup, warmupSeconds, throughputSeconds, inflight, payload, repeat, runDirectory, keepData, new SystemNanoClock(),
            UpCommand.cpuPlacement(spec, "--cpus", cpus), !noFloor);
    }

    private ReplicatedWriteSystems system(final String name)
    {
        try
        {
            return ReplicatedWriteSystems.parse(name);
        }
        catch (final IllegalArgumentException ex)
        {
            throw Usage.error(spec, "--systems=" + name + " is unknown: use multikernel, zookeeper, aeron-cluster");
        }
    }

    private FsyncPolicy fsync(final String name)
    {
        try
        {
            return FsyncPolicy.parse(name);
        }
        catch (final IllegalArgumentException ex)
        {
            throw Usage.error(spec, "--fsync=" + name + " is unknown: use none, group, always or a list of them");
        }
    }

    private void writeJson(final String report) throws IOException
    {
        final Path parent = json.toAbsolutePath().getParent();
        if (null != parent)
        {
            Files.createDirectories(parent);
        }
        Files.writeString(json, report + System.lineSeparator(), StandardCharsets.UTF_8);
    }
}
