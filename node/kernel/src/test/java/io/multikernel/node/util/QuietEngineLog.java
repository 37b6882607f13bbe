package io.multikernel.node.util;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

import java.util.Optional;

/**
 * Logs only the replication engine's errors while a test class runs, then restores its level: the
 * simulator provokes thousands of expected warnings (torn tails, stale incarnations).
 */
public final class QuietEngineLog implements BeforeAllCallback, AfterAllCallback
{
    private static final String ENGINE_LOGGER = "io.multikernel.replication";
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(QuietEngineLog.class);

    @Override
    public void beforeAll(final ExtensionContext context)
    {
        final Logger engineLog = (Logger)LoggerFactory.getLogger(ENGINE_LOGGER);
        context.getStore(NAMESPACE).put(ENGINE_LOGGER, Optional.ofNullable(engineLog.getLevel()));
        engineLog.setLevel(Level.ERROR);
    }

    @Override
    public void afterAll(final ExtensionContext context)
    {
        final Optional<?> level = context.getStore(NAMESPACE).remove(ENGINE_LOGGER, Optional.class);
        ((Logger)LoggerFactory.getLogger(ENGINE_LOGGER)).setLevel(null == level ? null : (Level)level.orElse(null));
    }
}
