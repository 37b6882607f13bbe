package io.multikernel.it;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.ContainerNetwork;
import io.multikernel.node.launcher.chaos.ChaosFault;
import io.multikernel.node.launcher.chaos.ChaosInjector;
import io.multikernel.node.launcher.chaos.ChaosTarget;

/**
 * Chaos faults on whole host containers, for a cluster whose hosts are containers on one Docker
 * network: a crash is {@code docker kill} (SIGKILL to {@code mk host}, so its driver and cores die
 * with it) and, at the fault's end, {@code docker start} (the container keeps its file system, so
 * {@code mk host} starts the cores again over their data); a freeze is {@code docker pause} and
 * {@code unpause}; a partition is {@code docker network disconnect} and {@code connect} with the
 * container's address and alias as before (URPC peers resolved them once). A fault on a core hits
 * its host's container, so every core of that host with it, and a partition of several cores
 * disconnects each of their containers (cut from each other too).
 */
final class ContainerInjector implements ChaosInjector
{
    /** Longest a started container's cores may take until they answer up and see every peer, ms. */
    static final long RESTART_TIMEOUT_MS = 120_000;
    private static final long POLL_INTERVAL_MS = 250;
    /**
     * Attempts at pausing a container: the runtime gives up freezing its cgroup when a task is in the
     * middle of a write ("unable to freeze"), and a moment later it freezes.
     */
    static final int PAUSE_ATTEMPTS = 3;
    private static final List<ChaosFault.Kind> KINDS =
        List.of(ChaosFault.Kind.KILL, ChaosFault.Kind.PAUSE, ChaosFault.Kind.PARTITION);

    /**
     * One host container.
     *
     * @param id      its container id.
     * @param alias   its name on the network.
     * @param address its IPv4 address on the network.
     * @param cores   the cores it runs.
     */
    record Host(String id, String alias, String address, List<Integer> cores)
    {
    }

    private final DockerClient docker;
    private final String networkId;
    private final List<Host> hosts;
    private final ChaosTarget target;

    /**
     * @param docker    the Docker client.
     * @param networkId the network the hosts share.
     * @param hosts     every host container.
     * @param target    the cluster's admin APIs, to wait for a restarted host's cores.
     */
    ContainerInjector(final DockerClient docker, final String networkId, final List<Host> hosts, final ChaosTarget target)
    {
        this.docker = docker;
        this.networkId = networkId;
        this.hosts = List.copyOf(hosts);
        this.target = target;
    }

    @Override
    public boolean makes(final ChaosFault.Kind kind)
    {
        return KINDS.contains(kind);
    }

    @Override
    public List<ChaosFault.Kind> available()
    {
        return KINDS;
    }

    @Override
    public void prepare(final List<ChaosFault.Kind> kinds)
    {
        ChaosInjector.requireMade(kinds, KINDS, "on containers");
    }

    private void pause(final String containerId)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                docker.pauseContainerCmd(containerId).exec();
                return;
            }
            catch (final com.github.dockerjava.api.exception.InternalServerErrorException ex)
            {
                if (attempt >= PAUSE_ATTEMPTS || !String.valueOf(ex.getMessage()).contains("unable to freeze"))
                {
                    throw ex;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(POLL_INTERVAL_MS));
            }
        }
    }

    @Override
    public void inject(final ChaosFault fault)
    {
        for (final Host host : hostsOf(fault))
        {
            switch (fault.kind())
            {
                case KILL:
                    docker.killContainerCmd(host.id()).exec();
                    break;
                case PAUSE:
                    pause(host.id());
                    break;
                case PARTITION:
                    docker.disconnectFromNetworkCmd().withNetworkId(networkId).withContainerId(host.id()).exec();
                    break;
                default:
                    throw new IllegalArgumentException(fault.kind().cliName() + " is not a container fault");
            }
        }
    }

    @Override
    public void heal(final ChaosFault fault) throws InterruptedException
    {
        for (final Host host : hostsOf(fault))
        {
            switch (fault.kind())
            {
                case KILL:
                    start(host);
                    break;
                case PAUSE:
                    docker.unpauseContainerCmd(host.id()).exec();
                    break;
                case PARTITION:
                    connect(host);
                    break;
                default:
                    throw new IllegalArgumentException(fault.kind().cliName() + " is not a container fault");
            }
        }
    }

    @Override
    public void healAll() throws InterruptedException
    {
        for (final Host host : hosts)
        {
            final InspectContainerResponse.ContainerState state = docker.inspectContainerCmd(host.id()).exec().getState();
            if (Boolean.TRUE.equals(state.getPaused()))
            {
                docker.unpauseContainerCmd(host.id()).exec();
            }
            final Map<String, ContainerNetwork> networks =
                docker.inspectContainerCmd(host.id()).exec().getNetworkSettings().getNetworks();
            if (networks.values().stream().noneMatch(network -> networkId.equals(network.getNetworkID())))
            {
                connect(host);
            }
            if (!Boolean.TRUE.equals(state.getRunning()))
            {
                start(host);
            }
        }
    }

    private void start(final Host host) throws InterruptedException
    {
        docker.startContainerCmd(host.id()).exec();
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RESTART_TIMEOUT_MS);
        while (!host.cores().stream().allMatch(target::seesAllPeers))
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new IllegalStateException("the cores " + host.cores() + " of container " + host.alias() +
                    " were not up, seeing every peer, within " + RESTART_TIMEOUT_MS + " ms of its start");
            }
            Thread.sleep(POLL_INTERVAL_MS);
        }
    }

    private void connect(final Host host)
    {
        docker.connectToNetworkCmd().withNetworkId(networkId).withContainerId(host.id())
            .withContainerNetwork(new ContainerNetwork().withAliases(host.alias())
                .withIpamConfig(new ContainerNetwork.Ipam().withIpv4Address(host.address())))
            .exec();
    }

    private List<Host> hostsOf(final ChaosFault fault)
    {
        final Set<Host> hit = new LinkedHashSet<>();
        for (final int core : fault.cores())
        {
            hosts.stream().filter(host -> host.cores().contains(core)).forEach(hit::add);
        }
        return new ArrayList<>(hit);
    }
}
