package io.multikernel.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.multikernel.node.launcher.FreePorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.multikernel.it.Await.awaitTrue;
import static io.multikernel.it.Await.settled;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The top-level docker-compose.yml as a user runs it, on the image built from this checkout: the file
 * validates; {@code up} gives three healthy host containers whose four cores all see each other
 * (cores 0 and 1 over IPC in one container, UDP between containers) and map the class-data archive
 * the image's build installed; a write through one core is on
 * every replica, through the admin API with its token inside the cluster and refused without it from
 * outside; the {@code demo} service's OS workload passes and leaves no domain or capability behind;
 * {@code mk chaos run} inside the cluster partitions and degrades links with no violation;
 * {@code down -v} leaves no container, volume or network of the project behind.
 */
class ComposeClusterIT
{
    private static final List<String> HOSTS = List.of("host-0", "host-1", "host-2");
    private static final int CORES = 4;
    /** How many cores each host of deploy/compose/cluster.yaml runs. */
    private static final Map<String, Long> CORES_OF = Map.of("host-0", 2L, "host-1", 1L, "host-2", 1L);
    /** The cores' class-data archive in the image. */
    private static final String ARCHIVE = "/opt/mk/mk-core.jsa";
    /** Prints "maps /proc/PID/maps" for each process of a container that maps {@link #ARCHIVE} (the image has only sh). */
    private static final String PROCESSES_MAPPING_THE_ARCHIVE = "for m in /proc/[0-9]*/maps; do while read -r l; do " +
        "case \"$l\" in *" + ARCHIVE + ") echo \"maps $m\"; break;; esac; done < \"$m\"; done";
    /** Longest one docker-compose command may take. */
    private static final Duration COMPOSE_TIMEOUT = Duration.ofMinutes(3);
    /** Longest one exec of mk in a container may take. */
    private static final Duration EXEC_TIMEOUT = Duration.ofSeconds(60);
    /** Longest until every host container is healthy and every core sees every peer, s. */
    private static final long HEALTHY_TIMEOUT_S = 240;
    /** How long the demo service's mix runs. */
    private static final String DEMO_DURATION = "10s";
    /** How long the chaos run inside the cluster runs, s: room for two or three faults. */
    private static final String CHAOS_DURATION_S = "20";

    private final String project = "mkit" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
    private final Map<String, String> environment = new HashMap<>();
    private int adminBasePort;

    @BeforeEach
    void buildImage() throws Exception
    {
        Docker.assumeAvailable();
        Docker.buildImage();
        adminBasePort = FreePorts.range(CORES);
        environment.put("MK_IMAGE", Docker.IMAGE);
        environment.put("MK_CHAOS", "true");
        for (int core = 0; core < CORES; core++)
        {
            environment.put("MK_ADMIN_PORT_" + core, Integer.toString(adminBasePort + core));
        }
    }

    @AfterEach
    void down()
    {
        if (!environment.isEmpty())
        {
            compose("down", "-v", "--remove-orphans");
        }
    }

    @Test
    @Timeout(value = 600, unit = TimeUnit.SECONDS)
    void aComposeClusterComesUpHealthyReplicatesAndGoesAwayWithoutATrace() throws Exception
    {
        assertThat(compose("config", "-q").exitCode()).as("docker-compose config").isZero();
        compose("up", "-d").expectSuccess();

        awaitTrue("every host container is healthy", () -> HOSTS.stream().allMatch(host -> "healthy".equals(
            Docker.run(EXEC_TIMEOUT, Map.of(), "docker", "inspect", "-f", "{{.State.Health.Status}}",
                container(host)).output().strip())), HEALTHY_TIMEOUT_S);
        awaitTrue("every core sees every other", this::allSeeAll, HEALTHY_TIMEOUT_S);

        // Every core maps the class-data archive the image's build installed; none could write one.
        for (final String host : HOSTS)
        {
            final Docker.Result mapping = exec(host, "sh", "-c", PROCESSES_MAPPING_THE_ARCHIVE);
            assertThat(mapping.output().lines().filter(line -> line.startsWith("maps ")).count())
                .as("processes of %s that map %s: %s", host, ARCHIVE, mapping.output()).isEqualTo(CORES_OF.get(host));
        }

        final Docker.Result put = exec("host-1", "mk", "kv", "put", "--core", "2", "greeting", "hello from core 2");
        assertThat(put.exitCode()).as(put.output()).isZero();
        assertThat(put.output()).contains("committed").contains("on replicas [0, 1, 2, 3]");
        // Core 2 answered at commit; the other replicas apply it a moment later.
        for (int core = 0; core < CORES; core++)
        {
            final String[] get = { "mk", "kv", "get", "--core", Integer.toString(core), "greeting" };
            assertThat(settled(() -> exec("host-2", get).output().strip(), "hello from core 2"::equals)).as("core %d's replica", core)
                .isEqualTo("hello from core 2");
        }

        // The demo service: the OS workload through every core's admin API, a passing verdict, and nothing of it left.
        final int capsBefore = jsonField(exec("host-0", "mk", "caps", "list", "--core", "0", "--json"), "count");
        environment.put("MK_DEMO_DURATION", DEMO_DURATION);
        final Docker.Result demo = compose("--profile", "demo", "run", "--rm", "-T", "demo");
        System.out.println("compose demo service:\n" + demo.output());
        assertThat(demo.exitCode()).as(demo.output()).isZero();
        assertThat(demo.output()).contains("attached to the cluster of 4 cores", "over the admin API", "verdict: pass")
            .containsPattern("destroyed [0-9]+ domains and gave back every RAM capability");
        // The demo's last give-backs were answered at commit; a core may apply them a moment later.
        for (int core = 0; core < CORES; core++)
        {
            final String[] list = { "mk", "vm", "list", "--core", Integer.toString(core), "--json" };
            assertThat(settled(() -> jsonField(exec("host-1", list), "count"), count -> 0 == count))
                .as("domains core %d runs after the demo", core).isZero();
        }
        assertThat(settled(() -> jsonField(exec("host-0", "mk", "caps", "list", "--core", "0", "--json"),
            "count"), count -> capsBefore == count)).as("capabilities after the demo").isEqualTo(capsBefore);

        // mk chaos run inside the cluster: link faults through the admin APIs (MK_CHAOS=true), writes and the OS
        // workload, the checkers clean.
        final Docker.Result chaos = exec("host-0", "mk", "chaos", "run", "--os", "--duration-s", CHAOS_DURATION_S,
            "--seed", "5");
        System.out.println("compose chaos run:\n" + chaos.output());
        assertThat(chaos.exitCode()).as(chaos.output()).isZero();
        assertThat(chaos.output()).contains("faults [partition, lossy, slow]").contains("no violation:")
            .contains("the os workload found nothing wrong").containsPattern("stale_accesses=0, left_behind=0");
        final Docker.Result killInCompose = exec("host-0", "mk", "chaos", "run", "--duration-s", "5", "--faults", "kill");
        assertThat(killInCompose.exitCode()).isNotZero();
        assertThat(killInCompose.output()).contains("kill faults need the cores' processes, which only mk up records");

        // From outside the cluster's network, only /metrics and /health answer without the token.
        final Docker.Result metrics = Docker.run(EXEC_TIMEOUT, Map.of(), "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
            "http://127.0.0.1:" + adminBasePort + "/metrics");
        assertThat(metrics.output()).isEqualTo("200");
        final Docker.Result status = Docker.run(EXEC_TIMEOUT, Map.of(), "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
            "http://127.0.0.1:" + (adminBasePort + 3) + "/status");
        assertThat(status.output()).isEqualTo("401");

        compose("down", "-v").expectSuccess();
        for (final String kind : List.of("ps -a", "volume ls", "network ls"))
        {
            final String[] command = ("docker " + kind + " -q --filter label=com.docker.compose.project=" + project).split(" ");
            assertThat(Docker.run(EXEC_TIMEOUT, Map.of(), command).expectSuccess().output().strip())
                .as("what docker %s lists of the project after down -v", kind).isEmpty();
        }
    }

    /** @return a whole-number field of the JSON object a command printed. */
    private static int jsonField(final Docker.Result result, final String field) throws Exception
    {
        assertThat(result.exitCode()).as(result.output()).isZero();
        final String output = result.output();
        return new ObjectMapper().readTree(output.substring(output.indexOf('{'))).get(field).asInt();
    }

    private boolean allSeeAll()
    {
        final Docker.Result result = exec("host-0", "mk", "status", "--json");
        if (0 != result.exitCode())
        {
            return false;
        }
        try
        {
            final String json = result.output().substring(result.output().indexOf('['));
            final List<Map<String, Object>> rows = new ObjectMapper().readValue(json, new TypeReference<>()
            {
            });
            return rows.size() == CORES && rows.stream().allMatch(row -> "up".equals(row.get("state")) &&
                ((Number)row.get("peers_up")).intValue() == CORES - 1);
        }
        catch (final Exception ex)
        {
            return false;
        }
    }

    private String container(final String service)
    {
        return compose("ps", "-q", service).expectSuccess().output().strip();
    }

    private Docker.Result exec(final String service, final String... command)
    {
        final List<String> args = new ArrayList<>(List.of("exec", "-T", service));
        args.addAll(List.of(command));
        return compose(args.toArray(new String[0]));
    }

    private Docker.Result compose(final String... args)
    {
        final List<String> line = new ArrayList<>(List.of("docker-compose", "-f", composeFile(), "-p", project));
        line.addAll(List.of(args));
        return Docker.run(COMPOSE_TIMEOUT, environment, line.toArray(new String[0]));
    }

    private static String composeFile()
    {
        return Docker.projectRoot().resolve("docker-compose.yml").toString();
    }
}
