package io.multikernel.node.util;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.ConsoleAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class KernelLogConfiguratorTest
{
    @AfterEach
    void clearProperties()
    {
        System.clearProperty("mk.log.level");
        System.clearProperty("logback.configurationFile");
    }

    @Test
    void logsOneLineAnEventToStandardErrorAtInfoWithAeronAtWarn()
    {
        final LoggerContext context = new LoggerContext();

        assertThat(new KernelLogConfigurator().configure(context))
            .isEqualTo(Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);

        final Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        assertThat(root.getLevel()).isEqualTo(Level.INFO);
        final ConsoleAppender<?> appender = (ConsoleAppender<?>)root.getAppender("STDERR");
        assertThat(appender.isStarted()).isTrue();
        assertThat(appender.getTarget()).isEqualTo("System.err");
        assertThat(context.getLogger("io.aeron.driver").getEffectiveLevel()).isEqualTo(Level.WARN);
        assertThat(context.getLogger("org.apache.zookeeper.ClientCnxn").getEffectiveLevel()).isEqualTo(Level.WARN);
        assertThat(context.getLogger("io.multikernel.node.core.CoreAgent").getEffectiveLevel()).isEqualTo(Level.INFO);
    }

    @Test
    void takesTheLevelFromItsPropertyAndStepsAsideForAConfigurationFile()
    {
        System.setProperty("mk.log.level", "debug");
        final LoggerContext context = new LoggerContext();
        new KernelLogConfigurator().configure(context);
        assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getLevel()).isEqualTo(Level.DEBUG);

        System.setProperty("logback.configurationFile", "/somewhere/logback.xml");
        final LoggerContext another = new LoggerContext();
        assertThat(new KernelLogConfigurator().configure(another))
            .isEqualTo(Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY);
        assertThat(another.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDERR")).isNull();
    }
}
