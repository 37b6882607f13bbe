package io.multikernel.node.cli;

import io.multikernel.common.Setting;
import io.multikernel.node.admin.AdminConfiguration;
import io.multikernel.node.bench.MultikernelReplicatedWrites;
import io.multikernel.node.core.CoreConfiguration;
import io.multikernel.node.launcher.KernelClassPath;
import io.multikernel.node.lrpc.LrpcConfiguration;
import io.multikernel.node.membership.MembershipConfiguration;
import io.multikernel.node.replication.CoreReplicationConfiguration;
import io.multikernel.node.shootdown.ShootdownConfiguration;
import io.multikernel.node.vm.VmConfiguration;
import io.multikernel.replication.ReplicationConfiguration;
import io.multikernel.transport.TransportConfiguration;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code mk config}: every setting of every module, from the {@code settings()} of its
 * {@code Configuration} class; {@code --markdown} prints the reference that is
 * {@code docs/CONFIGURATION.md} (a test holds the file to this output).
 */
@Command(name = "config", mixinStandardHelpOptions = true,
    description = { "Every setting: the system property, its default and what it does.",
        "Give one with -Dname=value in MK_JAVA_OPTS (mk, mk core, mk driver)",
        "or in MK_CORE_JAVA_OPTS (the cores that mk up and mk bench 2pc start)." })
final class ConfigCommand implements Callable<Integer>
{
    /** The command that writes the reference, as the test's failure message tells it. */
    static final String REGENERATE = "./mk config --markdown > docs/CONFIGURATION.md";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--markdown", description = "Print the reference as Markdown (what docs/CONFIGURATION.md holds).")
    boolean markdown;

    /**
     * The settings of one component.
     *
     * @param title    what reads them.
     * @param source   the class whose constants they come from.
     * @param settings in the order the class declares them.
     */
    record Section(String title, Class<?> source, List<Setting> settings)
    {
    }

    /**
     * @return every component's settings, in the order the reference lists them.
     */
    static List<Section> sections()
    {
        return List.of(
            new Section("Transport: URPC over Aeron and the media driver", TransportConfiguration.class,
                TransportConfiguration.settings()),
            new Section("Core process", CoreConfiguration.class, CoreConfiguration.settings()),
            new Section("Membership: Hello, heartbeats, failure detection", MembershipConfiguration.class,
                MembershipConfiguration.settings()),
            new Section("Two-phase commit engine and write-ahead log", ReplicationConfiguration.class,
                ReplicationConfiguration.settings()),
            new Section("Replication in the core", CoreReplicationConfiguration.class,
                CoreReplicationConfiguration.settings()),
            new Section("LRPC: apps and their core", LrpcConfiguration.class, LrpcConfiguration.settings()),
            new Section("TLB shootdown", ShootdownConfiguration.class, ShootdownConfiguration.settings()),
            new Section("Address spaces", VmConfiguration.class, VmConfiguration.settings()),
            new Section("Admin HTTP server", AdminConfiguration.class, AdminConfiguration.settings()),
            new Section("Launcher", KernelClassPath.class, KernelClassPath.settings()),
            new Section("mk bench 2pc", MultikernelReplicatedWrites.class, MultikernelReplicatedWrites.settings()));
    }

    @Override
    public Integer call()
    {
        spec.commandLine().getOut().print(markdown ? markdown(sections()) : text(sections()));
        spec.commandLine().getOut().flush();
        return 0;
    }

    /**
     * @param sections to print.
     * @return one aligned line per setting under a heading per section.
     */
    static String text(final List<Section> sections)
    {
        int nameWidth = 0;
        int defaultWidth = 0;
        for (final Section section : sections)
        {
            for (final Setting setting : section.settings())
            {
                nameWidth = Math.max(nameWidth, setting.name().length());
                defaultWidth = Math.max(defaultWidth, setting.defaultValue().length());
            }
        }
        final String row = "  %-" + nameWidth + "s  %-" + defaultWidth + "s  %s%n";
        final StringBuilder out = new StringBuilder();
        for (final Section section : sections)
        {
            out.append(section.title()).append(" (").append(section.source().getSimpleName()).append(")\n");
            for (final Setting setting : section.settings())
            {
                out.append(String.format(row, setting.name(), setting.defaultValue(), setting.meaning()));
            }
            out.append('\n');
        }
        out.append("Give one with -Dname=value: MK_JAVA_OPTS for mk, mk core and mk driver; ")
            .append("MK_CORE_JAVA_OPTS for the cores that mk up and mk bench 2pc start.\n");
        return out.toString();
    }

    /**
     * @param sections to print.
     * @return the reference as Markdown: an introduction, then a table per section.
     */
    static String markdown(final List<Section> sections)
    {
        final StringBuilder out = new StringBuilder()
            .append("# Configuration reference\n\n")
            .append("Generated from the code by `").append(REGENERATE).append("`; do not edit it by hand.\n")
            .append("A test fails when this file and the code disagree: change a setting in its class's\n")
            .append("`settings()` and regenerate.\n\n")
            .append("Every setting is a Java system property of the process that reads it, given as `-Dname=value`:\n")
            .append("in `MK_JAVA_OPTS` for `./mk` and what it runs in its own JVM (`mk core`, `mk driver`, a\n")
            .append("benchmark's driving side), in `MK_CORE_JAVA_OPTS` for the core processes `mk up` and\n")
            .append("`mk bench 2pc` start. Write a value as the default is written: durations such as `1s` or `100ms`,\n")
            .append("sizes such as `64k` or `1m` where the default has a suffix, plain numbers in the unit the\n")
            .append("name ends in (`.ms`, `.us`) or the meaning gives. Cluster map fields (ports, addresses, data\n")
            .append("directories) are not system properties: see `mk core --help` for their overrides.\n");
        for (final Section section : sections)
        {
            out.append("\n## ").append(section.title()).append("\n\n")
                .append("From `").append(section.source().getSimpleName()).append("`.\n\n")
                .append("| property | default | meaning |\n")
                .append("|---|---|---|\n");
            for (final Setting setting : section.settings())
            {
                out.append("| `").append(setting.name()).append("` | ")
                    .append(setting.isDerived() ? cell(setting.defaultValue()) : "`" + setting.defaultValue() + "`")
                    .append(" | ").append(cell(setting.meaning())).append(" |\n");
            }
        }
        return out.toString();
    }

    private static String cell(final String text)
    {
        return text.replace("|", "\\|");
    }
}
