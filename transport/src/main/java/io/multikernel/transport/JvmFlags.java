package io.multikernel.transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The JVM flags every process that uses Aeron needs, and the command line for forking such a JVM.
 * <p>
 * The flag is spelled once, in the parent pom ({@code mk.add.opens}); the build filters it into
 * {@code mk-jvm.properties} so forked cores, benchmark peers and tests get exactly the same flags.
 */
public final class JvmFlags
{
    private static final String RESOURCE = "/mk-jvm.properties";
    private static final String ADD_OPENS = load();

    private JvmFlags()
    {
    }

    /**
     * @return the module/package pairs to open, e.g. {@code java.base/jdk.internal.misc}.
     */
    public static String addOpens()
    {
        return ADD_OPENS;
    }

    /**
     * The start of a command line that runs {@code mainClass} in a new JVM with this JVM's class path
     * and the flags Aeron needs.
     *
     * @param mainClass    class whose {@code main} runs.
     * @param jvmArguments extra JVM arguments such as {@code -Xmx64m}; may be empty.
     * @return a mutable list to which program arguments can be appended.
     */
    public static List<String> javaCommand(final Class<?> mainClass, final List<String> jvmArguments)
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--add-opens");
        command.add(ADD_OPENS + "=ALL-UNNAMED");
        command.addAll(jvmArguments);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        return command;
    }

    private static String load()
    {
        try (InputStream in = JvmFlags.class.getResourceAsStream(RESOURCE))
        {
            if (null == in)
            {
                throw new IllegalStateException(RESOURCE + " is missing from the class path: rebuild the project");
            }
            final Properties properties = new Properties();
            properties.load(in);
            final String value = properties.getProperty("add.opens", "").trim();
            if (value.isEmpty() || value.contains("${"))
            {
                throw new IllegalStateException(RESOURCE + " was not filtered by the build: add.opens=" + value);
            }
            return value;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
