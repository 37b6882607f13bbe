package io.multikernel.node.util;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * The logging of every process of the project, set up in code: one line per event on standard
 * error ({@code HH:mm:ss.SSS LEVEL Logger - message}), the root at {@code mk.log.level} (default
 * INFO), Aeron at WARN, ZooKeeper at {@code mk.zookeeper.log.level} (default WARN; its servers in
 * {@code mk bench 2pc} raise it). Done in code rather than by a {@code logback.xml} so that no core
 * loads an XML parser and logback's configuration interpreter (about 600 classes, a few MB of
 * metaspace in each of many JVMs). A file named by {@code -Dlogback.configurationFile}, or a
 * {@code logback-test.xml} on the class path, still wins: then this steps aside.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class KernelLogConfigurator extends ContextAwareBase implements Configurator
{
    /** PATTERN: the layout of one log line. */
    static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{0} - %msg%n";

    @Override
    public ExecutionStatus configure(final LoggerContext context)
    {
        if (null != System.getProperty("logback.configurationFile") ||
            null != KernelLogConfigurator.class.getClassLoader().getResource("logback-test.xml"))
        {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        final PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        final ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setName("STDERR");
        appender.setTarget("System.err");
        appender.setEncoder(encoder);
        appender.start();
        final Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(System.getProperty("mk.log.level"), Level.INFO));
        root.addAppender(appender);
        context.getLogger("io.aeron").setLevel(Level.WARN);
        context.getLogger("org.apache.zookeeper").setLevel(
            Level.toLevel(System.getProperty("mk.zookeeper.log.level"), Level.WARN));
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
