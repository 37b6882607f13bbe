package io.multikernel.architecture;

import com.tngtech.archunit.lang.ArchRule;

import java.util.List;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The project's arrows (docs/ARCHITECTURE.md, "Modules"), as rules over a root package, so that the
 * same rules run against the real code and against a planted back arrow.
 *
 * <pre>
 *   schema  &lt;-  transport  &lt;-  kernel  &lt;-  launcher  &lt;-  bench  &lt;-  cli
 *   schema  &lt;-  replication &lt;- kernel
 * </pre>
 *
 * The schema module also carries {@code common}, the primitives every module shares.
 *
 * Inside the kernel, services never know the admin server or the kernel loop that runs them, and
 * the admin server knows neither the services nor the kernel loop: both sides meet in the
 * {@code service} package (a service's {@code ServiceApi}, published snapshots, health), and the
 * core process wires them together.
 */
final class Layers
{
    /** Packages of the kernel module, below {@code ROOT.node}. */
    static final List<String> KERNEL_PACKAGES =
        List.of("admin", "caps", "chaos", "cluster", "core", "lrpc", "memory", "membership", "replication", "shootdown",
            "skb", "util", "service", "vm");
    /** Kernel packages that hold services: what the admin server and the kernel loop serve and run. */
    static final List<String> SERVICE_PACKAGES =
        List.of("caps", "chaos", "lrpc", "memory", "membership", "replication", "shootdown", "skb", "vm");

    private Layers()
    {
    }

    static List<ArchRule> rules(final String root)
    {
        final String node = root + ".node.";
        return List.of(
            noClasses().that().resideInAPackage(node + "launcher..")
                .should().dependOnClassesThat().resideInAnyPackage(node + "cli..", node + "bench..")
                .as("the launcher does not know the CLI or the benchmarks"),
            noClasses().that().resideInAPackage(node + "bench..")
                .should().dependOnClassesThat().resideInAPackage(node + "cli..")
                .as("the benchmarks do not know the CLI"),
            noClasses().that().resideInAnyPackage(packages(node, KERNEL_PACKAGES))
                .should().dependOnClassesThat().resideInAnyPackage(node + "cli..", node + "launcher..", node + "bench..")
                .as("the kernel does not know its tools (CLI, launcher, benchmarks)"),
            noClasses().that().resideInAPackage(root + ".transport..")
                .should().dependOnClassesThat().resideInAnyPackage(root + ".replication..", root + ".node..")
                .as("transport knows neither replication nor the node"),
            noClasses().that().resideInAPackage(root + ".replication..")
                .should().dependOnClassesThat().resideInAnyPackage(root + ".transport..", root + ".node..", "io.aeron..")
                .as("replication knows neither Aeron, the transport nor the node"),
            noClasses().that().resideInAnyPackage(root + ".schema..", root + ".common..")
                .should().dependOnClassesThat().resideInAnyPackage(
                    root + ".transport..", root + ".replication..", root + ".node..")
                .as("the schema and the shared primitives (common) depend on nothing of ours"),
            noClasses().that().resideInAnyPackage(packages(node, SERVICE_PACKAGES))
                .should().dependOnClassesThat().resideInAnyPackage(node + "admin..", node + "core..")
                .as("services know neither the admin server nor the kernel loop"),
            noClasses().that().resideInAPackage(node + "admin..")
                .should().dependOnClassesThat().resideInAnyPackage(
                    concat(packages(node, SERVICE_PACKAGES), node + "core.."))
                .as("the admin server knows neither the services nor the kernel loop"));
    }

    static String[] packages(final String prefix, final List<String> names)
    {
        return names.stream().map(name -> prefix + name + "..").toArray(String[]::new);
    }

    private static String[] concat(final String[] packages, final String more)
    {
        final String[] all = java.util.Arrays.copyOf(packages, packages.length + 1);
        all[packages.length] = more;
        return all;
    }
}
