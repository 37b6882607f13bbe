package io.multikernel.node.cli;

import io.multikernel.node.lrpc.LrpcChannel;
import io.multikernel.node.lrpc.LrpcConfiguration;
import io.multikernel.node.lrpc.LrpcCoreServices;
import io.multikernel.node.lrpc.LrpcServer;
import io.multikernel.node.lrpc.LrpcStatus;
import io.multikernel.node.lrpc.LrpcOperations;
import io.multikernel.node.cluster.ClusterMap;
import io.multikernel.node.cluster.TransportKind;
import io.multikernel.node.replication.AgreedNameService;
import io.multikernel.node.replication.CommittingReplication;
import io.multikernel.node.skb.NameService;
import io.multikernel.node.skb.Topology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mk lrpc ping}, {@code mk name} and {@code mk bench lrpc}: usage errors exit 2 with one line,
 * a core that is not running exits 1 with one line, and against a serving channel file they work.
 */
class LrpcCommandTest
{
    @TempDir
    Path runDir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(final String... args)
    {
        return MkCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    @Test
    void helpListsTheCommands()
    {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("lrpc", "name");
        assertThat(run("lrpc", "ping", "--help")).isZero();
        assertThat(out.toString()).contains("--core", "--count", "--run-dir");
        assertThat(run("name", "register", "--help")).isZero();
        assertThat(out.toString()).contains("--serving-core", "NAME");
        assertThat(run("bench", "lrpc", "--help")).isZero();
    }

    @Test
    void aServingCoreTheMapDoesNotListIsAUsageErrorAndNothingIsAttached() throws Exception
    {
        ClusterMap.local(2, 1, TransportKind.IPC)
            .writeTo(new io.multikernel.node.launcher.RunDirectory(runDir).clusterFile());

        assertThat(run("name", "register", "--core", "0", "vm-9", "--serving-core", "9", "--run-dir", runDir.toString()))
            .isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--serving-core=9: ").doesNotContain("Exception", "LRPC file");
    }

    @Test
    void badUsageExitsTwoWithOneLine()
    {
        assertThat(run("lrpc")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("an lrpc command is required: ping");
        assertThat(run("lrpc", "ping")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("Missing required option: '--core=<core>'");
        assertThat(run("lrpc", "ping", "--core", "0", "--count", "0", "--run-dir", runDir.toString()))
            .isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--count=0 is outside 1..10000000");
        assertThat(run("lrpc", "ping", "--core", "-1", "--run-dir", runDir.toString())).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--core=-1 must not be negative");
        assertThat(run("lrpc", "ping", "--core", "0", "--payload", "100000")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(run("name")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("a name command is required: register, lookup");
        assertThat(run("name", "lookup", "--core", "0", "Not-Valid", "--run-dir", runDir.toString()))
            .isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("service name 'Not-Valid' must start with a lower-case letter");
        assertThat(run("name", "register", "--core", "0")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(run("bench", "lrpc", "--repeat", "0")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--repeat=0 is outside 1..100");
        assertThat(err.toString()).doesNotContain("Exception", "\tat ");
    }

    @Test
    void coreNotRunningExitsOneWithOneLine()
    {
        assertThat(run("lrpc", "ping", "--core", "4", "--run-dir", runDir.toString())).isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(err.toString()).contains("mk: lrpc ping failed: core 4 is not running: there is no LRPC file at " +
            runDir.resolve("lrpc").resolve("core-4.lrpc")).doesNotContain("\tat ");
        assertThat(run("name", "lookup", "--core", "4", "x", "--run-dir", runDir.toString()))
            .isEqualTo(MkCommand.EXIT_FAILURE);
    }

    @Test
    void inAHostsContainerACoreOfAnotherHostIsSaidToRunThere()
    {
        final io.multikernel.node.cluster.ClusterMap map =
            io.multikernel.node.cluster.ClusterMap.local(4, 2, io.multikernel.node.cluster.TransportKind.IPC);
        final int otherHost = map.core(3).hostId();
        final int here = map.core(0).hostId();
        assertThat(otherHost).isNotEqualTo(here);
        assertThat(LrpcAttachOptions.onAnotherHost(map, 3, Integer.toString(here))).isEqualTo("core 3 runs on host " +
            otherHost + ", not on this one (host " + here + ", $MK_HOST_ID): LRPC reaches only the cores of its own " +
            "host; run it there (docker-compose exec host-" + otherHost + " mk lrpc ...)");
        assertThat(LrpcAttachOptions.onAnotherHost(map, 0, Integer.toString(here))).as("a core of this host").isNull();
        assertThat(LrpcAttachOptions.onAnotherHost(map, 3, null)).as("no host named: mk up's one machine").isNull();
    }

    @Test
    void aCoreTheRunDirectorysMapDoesNotListIsNamedAsSuch() throws Exception
    {
        io.multikernel.node.cluster.ClusterMap.local(3, 1, io.multikernel.node.cluster.TransportKind.IPC)
            .writeTo(new io.multikernel.node.launcher.RunDirectory(runDir).clusterFile());
        assertThat(run("lrpc", "ping", "--core", "99", "--run-dir", runDir.toString())).as("a usage error, as in " +
            "every admin command").isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--core=99: core 99 is not in the cluster map (cores: [0, 1, 2])");
        assertThat(run("name", "lookup", "--core", "99", "x", "--run-dir", runDir.toString()))
            .isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("core 99 is not in the cluster map (cores: [0, 1, 2])");
        assertThat(run("restart", "--core", "99", "--run-dir", runDir.toString())).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--core=99: core 99 is not in the cluster map (cores: [0, 1, 2])");
        assertThat(run("lrpc", "ping", "--core", "2", "--run-dir", runDir.toString())).as("a core it lists, not running")
            .isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(err.toString()).contains("core 2 is not running: there is no LRPC file");
    }

    @Test
    void pingAndNameServiceAgainstAServingCore() throws Exception
    {
        final LrpcChannel channel = LrpcChannel.createFile(LrpcChannel.fileOf(runDir.resolve("lrpc"), 1),
            LrpcConfiguration.layout(), 1, 77, ProcessHandle.current().pid(), System.currentTimeMillis());
        final LrpcServer server = new LrpcServer(new LrpcServer.Context().channel(channel));
        final ClusterMap map = ClusterMap.local(3, 1, TransportKind.IPC, 40_000, 9_400);
        LrpcCoreServices.register(server);
        new AgreedNameService(new CommittingReplication(1, map.coreIds()), new NameService(Topology.from(map)))
            .registerWith(server);
        try (AutoCloseable kernel = serve(server))
        {
            final String dir = runDir.toString();
            assertThat(run("lrpc", "ping", "--core", "1", "--count", "50", "--run-dir", dir)).isZero();
            assertThat(out.toString()).contains("core 1 (incarnation 77): 50 echoes of 32 bytes over LRPC: RTT p50");
            assertThat(run("name", "register", "--core", "1", "vm-2", "--serving-core", "2", "--run-dir", dir)).isZero();
            assertThat(out.toString()).contains("vm-2 -> core 2 (registered at core 1)");
            assertThat(run("name", "lookup", "--core", "1", "vm-2", "--run-dir", dir)).isZero();
            assertThat(out.toString()).contains("vm-2 -> core 2");
            assertThat(run("name", "lookup", "--core", "1", "vm-3", "--run-dir", dir)).isEqualTo(MkCommand.EXIT_FAILURE);
            assertThat(err.toString()).contains("mk: name lookup failed: service name 'vm-3' is not registered at core 1");
            assertThat(run("name", "register", "--core", "1", "vm-4", "--serving-core", "9", "--run-dir", dir))
                .isEqualTo(MkCommand.EXIT_FAILURE);
            assertThat(err.toString()).contains("to core 9: no such core");
            assertThat(run("lrpc", "ping", "--core", "2", "--run-dir", dir)).isEqualTo(MkCommand.EXIT_FAILURE);
        }
        finally
        {
            server.close();
        }
    }

    @Test
    void anIndefiniteRegistrationSaysItMayHaveRegistered() throws Exception
    {
        final LrpcChannel channel = LrpcChannel.createFile(LrpcChannel.fileOf(runDir.resolve("lrpc"), 2),
            LrpcConfiguration.layout(), 2, 78, ProcessHandle.current().pid(), System.currentTimeMillis());
        final LrpcServer server = new LrpcServer(new LrpcServer.Context().channel(channel));
        server.register(LrpcOperations.NAME_REGISTER, "name.register", (s, payload, offset, length) ->
            s.replyError(LrpcStatus.INDEFINITE, "service name 'vm-2' may have registered to core 2"));
        try (AutoCloseable kernel = serve(server))
        {
            assertThat(run("name", "register", "--core", "2", "vm-2", "--run-dir", runDir.toString()))
                .isEqualTo(MkCommand.EXIT_FAILURE);
            assertThat(err.toString().trim())
                .isEqualTo("mk: name register outcome unknown: service name 'vm-2' may have registered to core 2");
            assertThat(out.toString()).isEmpty();
        }
        finally
        {
            server.close();
        }
    }

    /** Runs the server's duty cycle on a thread of its own, as a core's kernel loop would, until closed. */
    private static AutoCloseable serve(final LrpcServer server)
    {
        final AtomicBoolean running = new AtomicBoolean(true);
        final Thread kernel = new Thread(() ->
        {
            while (running.get())
            {
                if (0 == server.doWork())
                {
                    Thread.yield();
                }
            }
        });
        kernel.start();
        return () ->
        {
            running.set(false);
            kernel.join();
        };
    }
}
