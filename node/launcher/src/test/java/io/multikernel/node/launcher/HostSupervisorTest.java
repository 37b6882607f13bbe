package io.multikernel.node.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** What a host's supervisor runs its driver and cores with, before it starts anything. */
class HostSupervisorTest
{
    private static final String HOSTS_AND_CORES = """
        hosts: [{id: 0, address: 127.0.0.1}]
        cores: [{id: 0, host: 0, inbox: {ipc: true, udp: '127.0.0.1:40400'}, adminPort: 9400}]
        """;

    @TempDir
    Path dir;

    @Test
    void theIdleStrategyIsTheFlagsElseTheMapsElseBackoff() throws IOException
    {
        final Path withIdle = dir.resolve("with-idle.yaml");
        Files.writeString(withIdle, "transport: {idleStrategy: yielding}\n" + HOSTS_AND_CORES);
        final Path without = dir.resolve("without.yaml");
        Files.writeString(without, HOSTS_AND_CORES);

        assertThat(supervisor(withIdle, null).idle()).as("the map's").isEqualTo("yielding");
        assertThat(supervisor(withIdle, "busy-spin").idle()).as("mk host --idle wins").isEqualTo("busy-spin");
        assertThat(supervisor(without, null).idle()).isEqualTo(HostSupervisor.DEFAULT_IDLE);
    }

    private HostSupervisor supervisor(final Path map, final String idle)
    {
        return new HostSupervisor(new HostSupervisor.Options(map, 0, dir.resolve("data"), idle, "group", List.of(),
            false), new PrintStream(PrintStream.nullOutputStream()));
    }
}
