package io.multikernel.node.launcher;

import io.multikernel.common.Setting;
import io.multikernel.transport.JvmFlags;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The class path a core process or media driver runs on: the kernel jar ({@value #KERNEL_JAR}) and
 * nothing else, so that no tool (CLI, launcher, benchmarks and their peers) rides along in a core.
 *
 * <p>Found, in this order: the system property {@value #CLASS_PATH_PROP_NAME}; the file
 * {@value #KERNEL_JAR} beside the jar this class was loaded from (the build puts it next to
 * {@code mk.jar}); else, when running from the build's class directories (tests of the tools), this
 * JVM's own class path.
 */
public final class KernelClassPath
{
    /** Overrides where the kernel's class path is, e.g. {@code /opt/mk/mk-core.jar}. */
    public static final String CLASS_PATH_PROP_NAME = "mk.kernel.classpath";
    /** File name of the kernel jar the build produces. */
    public static final String KERNEL_JAR = "mk-core.jar";

    private KernelClassPath()
    {
    }

    /**
     * @return the class path for a kernel process.
     */
    public static String get()
    {
        final String configured = System.getProperty(CLASS_PATH_PROP_NAME);
        if (null != configured && !configured.isBlank())
        {
            return configured;
        }
        return besideOwnJar().map(Path::toString).orElseGet(() -> System.getProperty("java.class.path"));
    }

    /**
     * The start of a command line that runs {@code mainClass} in a new JVM on the kernel's class path
     * with the flags Aeron needs.
     *
     * @param mainClass    a class of the kernel with a {@code main}.
     * @param jvmArguments extra JVM arguments; may be empty.
     * @return a mutable list to which program arguments can be appended.
     */
    public static List<String> javaCommand(final Class<?> mainClass, final List<String> jvmArguments)
    {
        final List<String> command = new ArrayList<>(JvmFlags.javaCommand(mainClass, jvmArguments));
        final int classPathIndex = command.indexOf("-cp") + 1;
        if (classPathIndex <= 0)
        {
            throw new IllegalStateException("no -cp in the JVM command line " + command);
        }
        command.set(classPathIndex, get());
        return command;
    }

    private static Optional<Path> besideOwnJar()
    {
        final CodeSource source = KernelClassPath.class.getProtectionDomain().getCodeSource();
        if (null == source || null == source.getLocation())
        {
            return Optional.empty();
        }
        try
        {
            final Path own = Path.of(source.getLocation().toURI());
            if (!Files.isRegularFile(own) || null == own.getParent())
            {
                return Optional.empty();
            }
            final Path kernelJar = own.getParent().resolve(KERNEL_JAR);
            return Files.isRegularFile(kernelJar) ? Optional.of(kernelJar) : Optional.empty();
        }
        catch (final URISyntaxException | IllegalArgumentException ex)
        {
            return Optional.empty();
        }
    }

    /**
     * The launcher's settings for the configuration reference ({@code mk config}). The default is
     * found at run time, so the setting is {@link Setting#derived derived}.
     *
     * @return the class path override.
     */
    public static List<Setting> settings()
    {
        return List.of(Setting.derived(CLASS_PATH_PROP_NAME, KERNEL_JAR + " beside mk.jar",
            "Class path of the core and driver processes the launcher starts (mk up, the benchmarks)."));
    }
}
