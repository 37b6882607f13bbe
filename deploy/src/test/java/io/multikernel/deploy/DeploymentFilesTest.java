package io.multikernel.deploy;

import io.multikernel.node.cluster.ClusterMap;
import io.multikernel.node.cluster.ClusterOverrides;
import io.multikernel.node.cluster.CoreDescriptor;
import io.multikernel.node.cluster.HostDescriptor;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The deployment files agree with each other and with the cluster map format: the docker-compose
 * file runs every host of its map with the right id, publishes every core's admin port and names
 * containers as the map addresses them; the Kubernetes manifests are well-formed objects whose
 * StatefulSet, headless Service and ConfigMap fit together, and whose map has one host per pod,
 * addressed by the pod's stable DNS name, every core's ports declared. (Running them needs a
 * Kubernetes cluster; the compose file runs in ComposeClusterIT.)
 */
class DeploymentFilesTest
{
    /** The module's directory: Maven runs tests in it. */
    private static final Path DEPLOY = Path.of("").toAbsolutePath();

    @Test
    void theComposeFileRunsEveryHostOfItsMapAndPublishesEveryAdminPort() throws IOException
    {
        final Map<String, Object> compose = yaml(DEPLOY.resolveSibling("docker-compose.yml"));
        final ClusterMap map = ClusterMap.load(DEPLOY.resolve("compose/cluster.yaml"));
        final Map<String, Object> services = object(compose, "services");
        assertThat(map.hosts()).hasSizeGreaterThanOrEqualTo(3);
        assertThat(map.cores()).hasSizeGreaterThanOrEqualTo(4);
        assertThat(map.hosts().stream().anyMatch(host -> map.coresOn(host.id()).size() >= 2))
            .as("one container runs two cores over IPC").isTrue();
        for (final HostDescriptor host : map.hosts())
        {
            final String name = "host-" + host.id();
            final Map<String, Object> service = object(services, name);
            assertThat(service.get("hostname")).as("%s's hostname", name).isEqualTo(host.address().orElseThrow());
            assertThat(String.valueOf(object(service, "environment").get("MK_HOST_ID"))).isEqualTo(Integer.toString(host.id()));
            assertThat(strings(service, "volumes")).as("%s's volumes", name)
                .contains("./deploy/compose/cluster.yaml:/etc/mk/cluster.yaml:ro", "secret:/var/lib/mk-secret", name + "-data:/var/lib/mk");
            for (final CoreDescriptor core : map.coresOn(host.id()))
            {
                assertThat(core.adminBindAddress()).isEqualTo("0.0.0.0");
                assertThat(strings(service, "ports")).as("%s publishes core %d's admin API", name, core.id())
                    .contains("127.0.0.1:${MK_ADMIN_PORT_" + core.id() + ":-" + core.adminPort() + "}:" + core.adminPort());
                assertThat(core.inbox().udp().orElseThrow().host()).isEqualTo(host.address().orElseThrow());
            }
        }
        assertThat(object(compose, "volumes")).containsKeys("secret", "host-0-data");
        assertThat(strings(object(services, "prometheus"), "profiles")).containsExactly("observability");
        assertThat(strings(object(services, "grafana"), "profiles")).containsExactly("observability");
    }

    @Test
    void theKubernetesManifestsFitTogetherAndTheirMapHasOneHostPerPod() throws IOException
    {
        final List<Map<String, Object>> documents = new ArrayList<>();
        for (final Object document : new Yaml().loadAll(Files.readString(DEPLOY.resolve("k8s/multikernel.yaml"),
            StandardCharsets.UTF_8)))
        {
            @SuppressWarnings("unchecked") final Map<String, Object> object = (Map<String, Object>)document;
            assertThat(object).as("a Kubernetes object").containsKeys("apiVersion", "kind", "metadata");
            assertThat(object(object, "metadata")).containsKey("name");
            documents.add(object);
        }
        final Map<String, Object> statefulSet = only(documents, "StatefulSet");
        final Map<String, Object> service = only(documents, "Service");
        final Map<String, Object> configMap = only(documents, "ConfigMap");

        final Map<String, Object> setSpec = object(statefulSet, "spec");
        final String serviceName = object(service, "metadata").get("name").toString();
        assertThat(setSpec.get("serviceName")).isEqualTo(serviceName);
        assertThat(object(service, "spec").get("clusterIP")).as("a headless Service").isEqualTo("None");
        final Map<String, Object> template = object(setSpec, "template");
        assertThat(object(object(template, "metadata"), "labels"))
            .containsAllEntriesOf(object(object(setSpec, "selector"), "matchLabels"))
            .containsAllEntriesOf(object(object(service, "spec"), "selector"));

        final int replicas = ((Number)setSpec.get("replicas")).intValue();
        final String setName = object(statefulSet, "metadata").get("name").toString();
        final ClusterMap map = ClusterMap.parse(object(configMap, "data").get("cluster.yaml").toString(), "the ConfigMap",
            ClusterOverrides.NONE);
        assertThat(map.hosts()).hasSize(replicas);
        final Set<String> declaredPorts = new TreeSet<>();
        final Map<String, Object> podSpec = object(template, "spec");
        final List<Map<String, Object>> containers = objects(podSpec, "containers");
        assertThat(containers).hasSize(1);
        final Map<String, Object> container = containers.get(0);
        for (final Map<String, Object> port : objects(container, "ports"))
        {
            declaredPorts.add(port.get("protocol") + "/" + port.get("containerPort"));
        }
        for (final HostDescriptor host : map.hosts())
        {
            assertThat(host.address()).as("host %d's address", host.id()).contains(setName + "-" + host.id() + "." + serviceName);
            for (final CoreDescriptor core : map.coresOn(host.id()))
            {
                assertThat(declaredPorts).contains("TCP/" + core.adminPort(),
                    "UDP/" + core.inbox().udp().orElseThrow().port());
                assertThat(core.adminBindAddress()).isEqualTo("0.0.0.0");
            }
        }

        final Set<String> volumes = new TreeSet<>();
        objects(podSpec, "volumes").forEach(volume -> volumes.add(volume.get("name").toString()));
        for (final Map<String, Object> claim : objects(setSpec, "volumeClaimTemplates"))
        {
            volumes.add(object(claim, "metadata").get("name").toString());
        }
        final List<Map<String, Object>> allContainers = new ArrayList<>(containers);
        allContainers.addAll(objects(podSpec, "initContainers"));
        for (final Map<String, Object> each : allContainers)
        {
            for (final Map<String, Object> mount : objects(each, "volumeMounts"))
            {
                assertThat(volumes).as("volumes of %s", each.get("name")).contains(mount.get("name").toString());
            }
        }
        assertThat(String.join(" ", strings(object(object(container, "readinessProbe"), "exec"), "command")))
            .contains("host --check");
        final Object mapVolume = objects(container, "volumeMounts").stream()
            .filter(mount -> "/etc/mk".equals(mount.get("mountPath"))).findFirst().orElseThrow().get("name");
        final Map<String, Object> volume = objects(podSpec, "volumes").stream()
            .filter(each -> mapVolume.equals(each.get("name"))).findFirst().orElseThrow();
        assertThat(object(volume, "configMap").get("name")).as("the map mounted at /etc/mk")
            .isEqualTo(object(configMap, "metadata").get("name"));
    }

    private static Map<String, Object> only(final List<Map<String, Object>> documents, final String kind)
    {
        final List<Map<String, Object>> ofKind = documents.stream().filter(d -> kind.equals(d.get("kind"))).toList();
        assertThat(ofKind).as("objects of kind %s", kind).hasSize(1);
        return ofKind.get(0);
    }

    private static Map<String, Object> yaml(final Path file) throws IOException
    {
        return new Yaml().load(Files.readString(file, StandardCharsets.UTF_8));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(final Map<String, Object> parent, final String key)
    {
        final Object value = parent.get(key);
        assertThat(value).as("%s is a mapping", key).isInstanceOf(Map.class);
        return (Map<String, Object>)value;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> objects(final Map<String, Object> parent, final String key)
    {
        final Object value = parent.get(key);
        assertThat(value).as("%s is a list", key).isInstanceOf(List.class);
        return (List<Map<String, Object>>)value;
    }

    private static List<String> strings(final Map<String, Object> parent, final String key)
    {
        final Object value = parent.get(key);
        assertThat(value).as("%s is a list", key).isInstanceOf(List.class);
        return ((List<?>)value).stream().map(String::valueOf).toList();
    }
}
