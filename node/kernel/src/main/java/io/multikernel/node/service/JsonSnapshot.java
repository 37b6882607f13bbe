package io.multikernel.node.service;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The latest JSON document an agent published for an admin endpoint: a single-slot mailbox with one
 * writer (the core's agent) and any number of readers (admin HTTP threads).
 *
 * <p>The agent renders its own state with {@link ServiceJson} on its own thread, at a pace it
 * chooses (for example once a second from {@code doWork()}, or when membership changes), and calls
 * {@link #publish(String)}, or hands over a renderer that uses only captured state
 * ({@link #publishLazily}). The string is immutable, so a reader sees a whole document from one
 * moment and never touches agent-owned state. Publishing is one release store: it never blocks the
 * agent, whatever the HTTP side is doing.
 *
 * <pre>{@code
 * // wiring, once:
 * JsonSnapshot status = new JsonSnapshot();
 * context.statusSource(status);
 * // in the agent, on its own thread:
 * status.publish(ServiceJson.write(new StatusView(coreId, incarnation, ...)));
 * }</pre>
 */
public final class JsonSnapshot implements JsonSource
{
    private final AtomicReference<Supplier<String>> latest = new AtomicReference<>();

    /**
     * Replace the published document. Called by the owning agent only.
     *
     * @param json a complete JSON document.
     */
    public void publish(final String json)
    {
        if (null == json)
        {
            throw new IllegalArgumentException("a published snapshot must not be null");
        }
        latest.setRelease(() -> json);
    }

    /**
     * Replace the published document with one rendered on first read, by the reading thread, and
     * then kept: for documents that cost more to render than to capture and are read less often
     * than published. {@code render} must use only state captured for it (immutable snapshots,
     * copies), never agent-owned state. Called by the owning agent only.
     *
     * @param render produces a complete JSON document; called at most once.
     */
    public void publishLazily(final Supplier<String> render)
    {
        if (null == render)
        {
            throw new IllegalArgumentException("a published snapshot must not be null");
        }
        latest.setRelease(new Memoized(render));
    }

    /** @return the latest published document, or {@code null} before the first publish. */
    @Override
    public String json()
    {
        final Supplier<String> document = latest.getAcquire();
        return null == document ? null : document.get();
    }

    private static final class Memoized implements Supplier<String>
    {
        private Supplier<String> render;
        private String json;

        Memoized(final Supplier<String> render)
        {
            this.render = render;
        }

        @Override
        public synchronized String get()
        {
            if (null == json)
            {
                json = render.get();
                if (null == json)
                {
                    throw new IllegalStateException("a lazily published snapshot rendered null");
                }
                render = null;
            }
            return json;
        }
    }
}
