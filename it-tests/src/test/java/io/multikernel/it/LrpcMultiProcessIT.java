package io.multikernel.it;

import io.multikernel.node.cluster.TransportKind;
import io.multikernel.node.launcher.ClusterLauncher;
import io.multikernel.node.launcher.ClusterStatus;
import io.multikernel.node.launcher.ClusterStopper;
import io.multikernel.node.launcher.RunDirectory;
import io.multikernel.node.launcher.FreePorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real core JVM started by the launcher and an app in another JVM attached through the core's LRPC
 * file: echo, pipelining, the name service, then kill -9 of the core, after which the app gets a
 * clear "core not running" outcome and a fresh attach names the stale file; a clean stop removes the
 * file.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class LrpcMultiProcessIT
{
    private static final long LINE_TIMEOUT_S = 60;

    @TempDir
    Path tempDir;

    private RunDirectory runDirectory;
    private ManagedProcess app;

    @AfterEach
    void stop() throws Exception
    {
        if (null != app)
        {
            app.kill();
        }
        if (null != runDirectory)
        {
            new ClusterStopper(runDirectory, System.out).down(5_000);
        }
    }

    @Test
    void appInAnotherProcessTalksToItsCoreAndSeesItDie() throws Exception
    {
        runDirectory = new RunDirectory(tempDir.resolve("run"));
        final ClusterLauncher launcher = new ClusterLauncher(runDirectory, new PrintStream(System.out, true), List.of());
        final List<ClusterStatus.CoreRow> rows = launcher.up(new ClusterLauncher.Options(2, 1, TransportKind.IPC,
            FreePorts.range(2), FreePorts.range(2), "backoff", 90_000));
        final ClusterStatus.CoreRow core = rows.get(0);
        final Path file = runDirectory.lrpcFile(core.id());
        assertThat(file).exists();

        app = ManagedProcess.start("lrpc-app", LrpcAppProcess.class, List.of("-Xmx64m"),
            List.of(file.toString(), Integer.toString(core.id())));
        assertThat(ask("attach")).isEqualTo("ATTACHED 0 " + core.incarnation());
        assertThat(ask("echo hello-core")).isEqualTo("SUCCESS hello-core");
        assertThat(ask("pipeline 2000")).isEqualTo("PIPELINE in-order 2000");
        assertThat(ask("register memory.server 1")).isEqualTo("SUCCESS 1");
        assertThat(ask("lookup memory.server")).isEqualTo("SUCCESS 1");
        assertThat(ask("lookup vm-7")).isEqualTo("REJECTED service name 'vm-7' is not registered at core 0");
        assertThat(ask("register Bad 1")).startsWith("REJECTED service name 'Bad' must start with a lower-case letter");
        final String ping = ask("ping 5000");
        assertThat(ping).startsWith("PING ");
        System.out.println("cross-process LRPC echo RTT p50/p99 ns: " + ping.substring(5));

        ProcessHandle.of(core.pid()).orElseThrow().destroyForcibly();
        final long deadlineMs = System.currentTimeMillis() + 10_000;
        String outcome;
        do
        {
            outcome = ask("echo after-kill");
            assertThat(outcome).as("an echo after kill -9").doesNotStartWith("SUCCESS").doesNotStartWith("TIMED_OUT");
        }
        while (!outcome.startsWith("CORE_NOT_RUNNING") && System.currentTimeMillis() < deadlineMs);
        assertThat(outcome).startsWith("CORE_NOT_RUNNING core 0 (incarnation " + core.incarnation())
            .contains("is not running: its process has exited");
        assertThat(ask("attach")).startsWith("ERROR core 0 (incarnation " + core.incarnation())
            .endsWith("is not running: its process has exited and left a stale LRPC file " + file);

        // The other core stops cleanly and removes its file.
        final Path other = runDirectory.lrpcFile(rows.get(1).id());
        assertThat(other).exists();
        new ClusterStopper(runDirectory, System.out).down(10_000);
        assertThat(Files.exists(other)).as("file of a cleanly stopped core").isFalse();
    }

    private String ask(final String command) throws Exception
    {
        app.send(command);
        return app.awaitLine(line -> true, LINE_TIMEOUT_S, TimeUnit.SECONDS);
    }
}
