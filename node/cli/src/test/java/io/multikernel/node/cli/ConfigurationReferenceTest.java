package io.multikernel.node.cli;

import io.multikernel.common.Setting;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The configuration reference is generated from the code and the documentation keeps to it:
 * docs/CONFIGURATION.md is what {@code mk config --markdown} prints; every {@code mk.} property the
 * Markdown files name is a setting; every documented default is what the accessor returns when the
 * property is unset.
 */
class ConfigurationReferenceTest
{
    /**
     * A property name as the docs write it, also after {@code -D}: {@code mk.} and at least two more
     * dotted parts, so {@code mk.jar} and wildcards such as {@code mk.replication.*} are not names.
     */
    private static final Pattern PROPERTY = Pattern.compile("(?<![a-z0-9_./])mk\\.[a-z0-9]+(?:\\.[a-z0-9]+)+");

    /**
     * Names the docs write like properties that are not system properties: Micrometer meter names
     * (Prometheus shows {@code mk.2pc.in.doubt} as {@code mk_2pc_in_doubt}). No setting starts so.
     */
    private static final List<String> METER_NAME_PREFIXES = List.of("mk.2pc.", "mk.wal.");

    private static final Set<String> SKIPPED_DIRECTORIES = Set.of("target", ".git", "node_modules", "run");

    @Test
    void theReferenceInTheDocsIsWhatMkConfigPrints() throws IOException
    {
        final StringWriter out = new StringWriter();
        final int exit = MkCommand.execute(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true),
            "config", "--markdown");

        assertThat(exit).isZero();
        final Path reference = repositoryRoot().resolve("docs/CONFIGURATION.md");
        assertThat(Files.exists(reference)).as("docs/CONFIGURATION.md is missing: run " + ConfigCommand.REGENERATE)
            .isTrue();
        assertThat(Files.readString(reference, StandardCharsets.UTF_8))
            .as("docs/CONFIGURATION.md differs from the code's settings: run " + ConfigCommand.REGENERATE)
            .isEqualTo(out.toString());
    }

    @Test
    void everyPropertyTheDocsNameIsASetting() throws IOException
    {
        final Set<String> names = settings().stream().map(Setting::name).collect(Collectors.toSet());
        final Map<String, List<String>> unknown = new TreeMap<>();
        for (final Path doc : markdownFiles())
        {
            final Matcher matcher = PROPERTY.matcher(Files.readString(doc, StandardCharsets.UTF_8));
            while (matcher.find())
            {
                final String name = matcher.group();
                if (!names.contains(name) && METER_NAME_PREFIXES.stream().noneMatch(name::startsWith))
                {
                    unknown.computeIfAbsent(name, key -> new ArrayList<>()).add(repositoryRoot().relativize(doc).toString());
                }
            }
        }

        assertThat(unknown).as("properties the docs name that no Configuration class's settings() lists " +
            "(rename them in the docs, or add the setting to its class)").isEmpty();
    }

    @Test
    void everyDocumentedDefaultIsWhatItsAccessorReturnsWhenTheSettingIsUnset()
    {
        final List<Setting> settings = settings();
        final Map<String, String> saved = new HashMap<>();
        for (final Setting setting : settings)
        {
            final String value = System.clearProperty(setting.name());
            if (null != value)
            {
                saved.put(setting.name(), value);
            }
        }
        try
        {
            final Map<String, String> wrong = new TreeMap<>();
            for (final Setting setting : settings)
            {
                if (!setting.isDerived() && !setting.defaultValue().equals(setting.current().get()))
                {
                    wrong.put(setting.name(), "documented " + setting.defaultValue() + ", accessor " +
                        setting.current().get());
                }
            }
            assertThat(wrong).as("settings whose documented default is not what their accessor returns").isEmpty();
        }
        finally
        {
            saved.forEach(System::setProperty);
        }
    }

    @Test
    void onlyDefaultsFoundAtRunTimeGoUnchecked()
    {
        assertThat(settings().stream().filter(Setting::isDerived).map(Setting::name))
            .as("settings whose default is a rule, not a value (the kernel jar is found beside mk.jar)")
            .containsExactly("mk.kernel.classpath");
    }

    @Test
    void theReferenceIsNotEmptyAndNamesEachSettingOnce()
    {
        final List<Setting> settings = settings();
        assertThat(settings).hasSizeGreaterThan(30);
        final Set<String> distinct = settings.stream().map(Setting::name).collect(Collectors.toCollection(TreeSet::new));
        assertThat(distinct).hasSameSizeAs(settings);
    }

    @Test
    void plainOutputListsEverySettingWithItsDefault()
    {
        final StringWriter out = new StringWriter();
        assertThat(MkCommand.execute(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true), "config"))
            .isZero();
        for (final Setting setting : settings())
        {
            assertThat(out.toString()).containsPattern(
                "(?m)^  " + Pattern.quote(setting.name()) + " +" + Pattern.quote(setting.defaultValue()) + "  ");
        }
    }

    private static List<Setting> settings()
    {
        return ConfigCommand.sections().stream().flatMap(section -> section.settings().stream()).toList();
    }

    /**
     * @return README.md, docs/ (with docs/benchmarks/) and every module's README: each Markdown file of
     * the repository outside build output.
     */
    private static List<Path> markdownFiles() throws IOException
    {
        final Path root = repositoryRoot();
        try (Stream<Path> paths = Files.walk(root))
        {
            final List<Path> files = paths
                .filter(path -> path.toString().endsWith(".md") && Files.isRegularFile(path))
                .filter(path -> !isUnderSkippedDirectory(root.relativize(path)))
                .sorted()
                .toList();
            assertThat(files).as("Markdown files under " + root).contains(root.resolve("README.md"),
                root.resolve("docs/ARCHITECTURE.md"));
            return files;
        }
    }

    private static boolean isUnderSkippedDirectory(final Path relative)
    {
        for (int i = 0; i < relative.getNameCount() - 1; i++)
        {
            if (SKIPPED_DIRECTORIES.contains(relative.getName(i).toString()))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * The repository's root: from the working directory (a module's, under Maven) up to the first
     * directory that holds README.md, the top pom.xml and the {@code mk} launcher (a module may hold
     * a README and a pom of its own).
     */
    static Path repositoryRoot()
    {
        Path directory = Path.of("").toAbsolutePath();
        while (null != directory)
        {
            if (Files.isRegularFile(directory.resolve("README.md")) && Files.isRegularFile(directory.resolve("pom.xml")) &&
                Files.isRegularFile(directory.resolve("mk")))
            {
                return directory;
            }
            directory = directory.getParent();
        }
        throw new IllegalStateException("no directory above " + Path.of("").toAbsolutePath() +
            " holds README.md, pom.xml and mk");
    }
}
