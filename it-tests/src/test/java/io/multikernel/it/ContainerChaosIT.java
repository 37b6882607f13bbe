package io.multikernel.it;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Volume;
import io.multikernel.node.launcher.AdminCredentials;
import io.multikernel.node.launcher.chaos.ChaosFault;
import io.multikernel.node.launcher.chaos.ChaosRun;
import io.multikernel.node.launcher.chaos.ChaosTarget;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

import static io.multikernel.it.Await.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Container-level chaos: the compose cluster's layout (four cores on three host containers, cores 0
 * and 1 over IPC in host 0, UDP between containers, the map {@code deploy/compose/cluster.yaml}) on
 * a Testcontainers network, under the same workload and checker as {@code mk chaos run}, while a
 * seeded schedule crashes a host container ({@code docker kill}, then {@code start} over its file
 * system), freezes one ({@code pause}) and cuts one off the network ({@code disconnect}, then
 * {@code connect}). The checker must find no violation, with at least one fault of each kind.
 *
 * <p>The test process reaches each core's admin API at the container's address on the network (a
 * fixed address per container, so it survives a restart and a reconnect) with the admin token of
 * the cluster's secret, which a one-shot container creates in a volume the hosts share, as
 * {@code docker-compose.yml} does.
 */
class ContainerChaosIT
{
    /** Each host container and its cores, as in {@code deploy/compose/cluster.yaml}. */
    private static final List<List<Integer>> HOST_CORES = List.of(List.of(0, 1), List.of(2), List.of(3));
    /** The admin port of core N in the map: this plus N. */
    private static final int ADMIN_PORT_BASE = 9400;
    private static final String SECRET_DIRECTORY = "/var/lib/mk-secret";
    private static final String SECRET_FILE = SECRET_DIRECTORY + "/cluster.secret";
    /** Aeron's log buffers and host 0's memory file live in /dev/shm (as compose's shm_size). */
    private static final long SHM_BYTES = 256L * 1024 * 1024;
    /**
     * The schedule's seed: in {@link #RUN_S} it pauses core 1 (host 0), partitions core 2 (host 1)
     * and crashes core 3 (host 2).
     */
    private static final long SEED = 43;
    /** The workload and the faults, s. */
    private static final long RUN_S = 30;
    private static final List<ChaosFault.Kind> KINDS =
        List.of(ChaosFault.Kind.KILL, ChaosFault.Kind.PAUSE, ChaosFault.Kind.PARTITION);
    /** Longest the secret's one-shot container may run. */
    private static final Duration SECRET_TIMEOUT = Duration.ofSeconds(60);
    /** Longest a host container may take to start (its cores come later). */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    /** Longest until every core is up and sees every other, s. */
    private static final long UP_TIMEOUT_S = 150;

    @TempDir
    Path dir;

    private final String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
    private final String secretVolume = "mk-chaos-secret-" + suffix;
    private final List<GenericContainer<?>> hosts = new ArrayList<>();
    private Network network;

    @AfterEach
    void removeEverything()
    {
        hosts.forEach(GenericContainer::stop);
        if (null != network)
        {
            network.close();
            DockerClientFactory.instance().client().removeVolumeCmd(secretVolume).exec();
        }
    }

    @Test
    @Timeout(value = 360, unit = TimeUnit.SECONDS)
    void crashedFrozenAndDisconnectedHostsLoseNoAcknowledgedWriteAndReplicasAgree() throws Exception
    {
        Docker.assumeAvailable();
        Docker.buildImage();
        final DockerClient docker = DockerClientFactory.instance().client();
        final int subnet = ThreadLocalRandom.current().nextInt(1, 255);
        network = Network.builder().createNetworkCmdModifier(cmd -> cmd.withName("mk-chaos-" + suffix).withIpam(
            new com.github.dockerjava.api.model.Network.Ipam().withConfig(
                new com.github.dockerjava.api.model.Network.Ipam.Config().withSubnet("10.213." + subnet + ".0/24"))))
            .build();
        final DockerImageName image = DockerImageName.parse(Docker.IMAGE);

        try (GenericContainer<?> secret = new GenericContainer<>(image)
            .withCommand("secret", "--out", SECRET_FILE, "--if-missing")
            .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withBinds(secretBind()))
            .withStartupCheckStrategy(new OneShotStartupCheckStrategy().withTimeout(SECRET_TIMEOUT)))
        {
            secret.start();
        }

        final Map<Integer, String> adminUrls = new TreeMap<>();
        final List<ContainerInjector.Host> hostViews = new ArrayList<>();
        for (int h = 0; h < HOST_CORES.size(); h++)
        {
            final String alias = "host-" + h;
            final String address = "10.213." + subnet + "." + (10 + h);
            final GenericContainer<?> host = new GenericContainer<>(image)
                .withCommand("host")
                .withEnv("MK_HOST_ID", Integer.toString(h))
                .withNetwork(network)
                .withNetworkAliases(alias)
                .withSharedMemorySize(SHM_BYTES)
                .withCopyToContainer(MountableFile.forHostPath(
                    Docker.projectRoot().resolve("deploy/compose/cluster.yaml"), 0644), "/etc/mk/cluster.yaml")
                .withCreateContainerCmdModifier(cmd ->
                {
                    cmd.withIpv4Address(address).withName("mk-chaos-" + suffix + "-" + alias);
                    cmd.getHostConfig().withBinds(secretBind());
                })
                .withStartupTimeout(START_TIMEOUT);
            hosts.add(host);
            host.start();
            for (final int core : HOST_CORES.get(h))
            {
                adminUrls.put(core, "http://" + address + ":" + (ADMIN_PORT_BASE + core));
            }
            hostViews.add(new ContainerInjector.Host(host.getContainerId(), alias, address, HOST_CORES.get(h)));
        }

        final Path secretCopy = dir.resolve("cluster.secret");
        hosts.get(0).copyFileFromContainer(SECRET_FILE, secretCopy.toString());
        Files.setPosixFilePermissions(secretCopy, PosixFilePermissions.fromString("rw-------"));
        final ChaosTarget target = new ChaosTarget(adminUrls, AdminCredentials.ofSecretFile(secretCopy));
        awaitTrue("every core is up and sees every other",
            () -> target.cores().stream().allMatch(target::seesAllPeers), UP_TIMEOUT_S);

        final ChaosRun run = new ChaosRun(target, new ContainerInjector(docker, network.getId(), hostViews, target),
            new PrintStream(System.out, true));
        final ChaosRun.Report report = run.run(new ChaosRun.Settings(SEED, RUN_S * 1000, KINDS, run.cores()));
        System.out.print(ChaosRun.summary(report));

        assertThat(report.violations()).as("violations with seed %d", SEED).isEmpty();
        assertThat(report.outcomes().getOrDefault("committed", 0)).as("writes committed").isPositive();
        for (final ChaosFault.Kind kind : KINDS)
        {
            assertThat(report.faultCounts().get(kind.cliName())).as("%s faults injected", kind.cliName()).isPositive();
        }
    }

    private Bind secretBind()
    {
        return new Bind(secretVolume, new Volume(SECRET_DIRECTORY));
    }
}
