package io.multikernel.transport;

import io.aeron.Aeron;
import io.aeron.ChannelUriStringBuilder;
import io.aeron.CommonContext;
import io.aeron.ErrorCode;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.exceptions.RegistrationException;
import io.aeron.logbuffer.FragmentHandler;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.multikernel.common.Bounds;
import io.multikernel.common.PeerIncarnations;
import io.multikernel.common.RateLimitedErrorLog;
import org.agrona.CloseHelper;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemEpochNanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * One core's URPC: its inbox and its publications to every peer.
 * <p>
 * The inbox is the core's one logical receive queue. Peers on the same host publish to it over
 * {@code aeron:ipc} (one shared log per inbox), peers on other hosts over {@code aeron:udp} to the
 * core's UDP endpoint; the endpoint polls both. Each sender's messages arrive in the order it sent
 * them (per-sender FIFO); there is no order across senders. The choice of media per peer comes from
 * the peers' host ids: same host uses {@link Context#sameHostMedia()}, other hosts use UDP.
 * <p>
 * Not thread safe: owned by the core's agent, which calls {@link #poll()} from its duty cycle.
 */
public final class UrpcEndpoint implements AutoCloseable
{
    /** Flushes tried on close before pending batches are given up. */
    public static final int CLOSE_FLUSH_ATTEMPTS = 16;

    private static final Logger LOGGER = LoggerFactory.getLogger(UrpcEndpoint.class);
    /**
     * How recent the media driver's heartbeat must be for a closed client to be replaced, ms: above
     * the driver's one-second heartbeat, well below Aeron's 10 s driver timeout, so a driver that is
     * stopped right now is not asked (its answers would block the caller for that timeout).
     */
    static final long DRIVER_HEARTBEAT_FRESH_MS = 3_000;
    /** How often a closed client's replacement is tried while the driver is silent, ms. */
    static final long CONNECT_ATTEMPT_INTERVAL_MS = 100;
    /** Least time between two log lines about failed attempts to connect a new client, ms. */
    static final long CONNECT_FAILURE_LOG_INTERVAL_MS = 10_000;
    /**
     * How often a publication to a peer whose inbox host name did not resolve is asked for again, ms.
     * Docker's DNS forgets a stopped container's name: one stopped host must not stop the others.
     */
    static final long UNRESOLVED_PEER_RETRY_INTERVAL_MS = 1_000;

    private final Context ctx;
    private Aeron aeron;
    private final boolean ownsAeron;
    private final Publication[] publicationByCore;
    private final List<Subscription> subscriptions = new ArrayList<>();
    private final List<FragmentAssembler> assemblers = new ArrayList<>();
    private final MessageDispatcher dispatcher;
    private final PeerIncarnations incarnations;
    private final UrpcPublisher publisher;
    private final UrpcMetrics metrics;
    private final int fragmentLimit;
    /** Chaos: the link fault point, or {@code null} when the core was not started with chaos. */
    private final LinkFaults linkFaults;
    private InboxAdapter inboxAdapter;
    /** Reports messages lost when a peer's stream went silent and came back. */
    private final InboxImages inboxImages;
    /** Whether the endpoint's client and its publications and subscriptions are open. */
    private boolean connected = true;
    /** When the client was found closed (the endpoint's clock), while it is not {@link #connected}. */
    private long disconnectedSinceNs;
    /** When the next attempt to connect a new client may be made. */
    private long nextConnectAttemptNs;
    private String lastConnectFailure;
    private long connectFailuresLogged;
    private long lastConnectFailureLogNs;
    /** By core id: whether the peer's inbox host name did not resolve when its publication was asked for. */
    private final boolean[] unresolvedByCore;
    /** By core id: the registration of a publication asked for again and not answered yet, or {@link #NO_REGISTRATION}. */
    private final long[] pendingRegistrationByCore;
    private static final long NO_REGISTRATION = Aeron.NULL_VALUE;
    private int unresolvedCount;
    private long nextUnresolvedRetryNs;
    /** In front of the inbox when there are link faults; {@code null} otherwise. */
    private InboundLinkFilter inboundLinkFilter;
    /** What the subscriptions' assemblers feed: the inbox, or the link filter in front of it. */
    private FragmentHandler inbox;

    private UrpcEndpoint(final Context ctx)
    {
        this.ctx = ctx;
        this.ownsAeron = null == ctx.aeron;
        this.aeron = ownsAeron ? Aeron.connect(clientContext(ctx.aeronDirectory)) : ctx.aeron;
        this.metrics = new UrpcMetrics(ctx.meterRegistry);
        this.inboxImages = new InboxImages(ctx.coreId, metrics);
        this.dispatcher = new MessageDispatcher(metrics);
        this.fragmentLimit = ctx.pollFragmentsMax;
        this.publicationByCore = new Publication[ctx.peers.stream().mapToInt(PeerDescriptor::coreId).max().orElse(-1) + 1];
        this.unresolvedByCore = new boolean[publicationByCore.length];
        this.pendingRegistrationByCore = new long[publicationByCore.length];
        java.util.Arrays.fill(pendingRegistrationByCore, NO_REGISTRATION);
        final UrpcHandler handler = ctx.handler;
        this.incarnations = ctx.incarnations;
        this.linkFaults = null == ctx.linkFaultRandom ? null : new LinkFaults(
            ctx.peers.stream().mapToInt(PeerDescriptor::coreId).toArray(), ctx.nanoClock, ctx.linkFaultRandom,
            ctx.meterRegistry);
        incarnations.addListener(handler::onNewIncarnation);
        TransportHandlers.register(dispatcher, handler);
        try
        {
            addPublications();
            addSubscriptions();
        }
        catch (final RuntimeException ex)
        {
            closeResources();
            throw ex;
        }
        this.publisher = new UrpcPublisher(ctx.coreId, ctx.incarnation, ctx.sendRetryAttempts, ctx.messageLengthMax,
            publicationByCore, metrics, ctx.batching, ctx.authenticator(), linkFaults);
    }

    /**
     * @param ctx configuration; concluded here.
     * @return a connected endpoint.
     */
    public static UrpcEndpoint launch(final Context ctx)
    {
        ctx.conclude();
        return new UrpcEndpoint(ctx);
    }

    /**
     * Read up to {@code pollFragmentsMax} fragments from each inbox media, dispatch them, then flush
     * every pending batch (replies the handlers sent go out in the same duty cycle) and publish the
     * message counts to the metrics (see {@link UrpcMetrics#publish()}). With link faults, inbound
     * frames held for a delay that is over are dispatched first.
     *
     * @return fragments read (and held frames dispatched) plus batches sent, 0 when idle.
     * @throws IllegalStateException when a message handler threw: a broken invariant that must stop
     *                               the core (its agent runner's error handler does).
     */
    public int poll()
    {
        if (!connected || subscriptions.get(0).isClosed())
        {
            if (!reconnect())
            {
                // No driver to talk through yet: nothing arrives and nothing leaves, and the caller's
                // loop goes on (membership sees its peers fall silent; timers and the admin API run).
                metrics.publish();
                return 0;
            }
        }
        int work = inboxImages.drain();
        if (null != inboundLinkFilter)
        {
            work += inboundLinkFilter.releaseHeld();
        }
        for (int i = 0, size = subscriptions.size(); i < size; i++)
        {
            work += subscriptions.get(i).poll(assemblers.get(i), fragmentLimit);
        }
        final RuntimeException failure = inboxAdapter.takeHandlerFailure();
        if (null != failure)
        {
            throw new IllegalStateException("a message handler of core " + ctx.coreId + " failed: " + failure, failure);
        }
        work += publisher.flush();
        if (0 != unresolvedCount)
        {
            retryUnresolvedPeers();
        }
        metrics.publish();
        return work;
    }

    /**
     * Asks again for the publications of peers whose host name did not resolve, without blocking the
     * kernel loop: the driver resolves the name on its own thread (a slow resolver would hold a
     * synchronous request, and the loop, for as long), and the answer is collected on later polls.
     */
    private void retryUnresolvedPeers()
    {
        final long nowNs = ctx.nanoClock.nanoTime();
        final boolean due = nowNs - nextUnresolvedRetryNs >= 0;
        if (due)
        {
            nextUnresolvedRetryNs = nowNs + TimeUnit.MILLISECONDS.toNanos(UNRESOLVED_PEER_RETRY_INTERVAL_MS);
        }
        for (final PeerDescriptor peer : ctx.peers)
        {
            final int coreId = peer.coreId();
            if (!unresolvedByCore[coreId])
            {
                continue;
            }
            try
            {
                if (NO_REGISTRATION == pendingRegistrationByCore[coreId])
                {
                    if (due)
                    {
                        pendingRegistrationByCore[coreId] = aeron.asyncAddPublication(channel(peer),
                            TransportConfiguration.inboxStreamId(coreId));
                    }
                }
                else
                {
                    final Publication publication = aeron.getPublication(pendingRegistrationByCore[coreId]);
                    if (null != publication)
                    {
                        pendingRegistrationByCore[coreId] = NO_REGISTRATION;
                        publicationByCore[coreId] = publication;
                        resolved(peer);
                    }
                }
            }
            catch (final RuntimeException ex)
            {
                // Still unresolved (the driver refused it again), or the client closed meanwhile, which
                // the next poll's reconnect takes care of: ask again at the next retry either way.
                pendingRegistrationByCore[coreId] = NO_REGISTRATION;
            }
        }
    }

    /** @return whether the peer's inbox host name did not resolve at the last try (sends to it fail). */
    public boolean isUnresolved(final int peerCoreId)
    {
        return peerCoreId >= 0 && peerCoreId < unresolvedByCore.length && unresolvedByCore[peerCoreId];
    }

    /**
     * @param aeronDirectory of the media driver.
     * @return the context of an Aeron client owned by an endpoint: its conductor sleeps
     *         {@link TransportConfiguration#aeronClientIdleSleepNs()} unless Aeron's own property is set,
     *         and its errors are logged, never an exit of the process ({@link AeronClientErrors}).
     */
    static Aeron.Context clientContext(final String aeronDirectory)
    {
        final Aeron.Context context = new Aeron.Context().aeronDirectoryName(aeronDirectory)
            .errorHandler(new AeronClientErrors(aeronDirectory));
        if (null == System.getProperty(Aeron.Configuration.IDLE_SLEEP_DURATION_PROP_NAME))
        {
            context.idleSleepDurationNs(TransportConfiguration.aeronClientIdleSleepNs());
        }
        return context;
    }

    /**
     * Offer every pending batch now, and publish the message counts; for messages sent outside
     * {@link #poll()}.
     *
     * @return batches sent.
     */
    public int flush()
    {
        final int sent = publisher.flush();
        metrics.publish();
        return sent;
    }

    /** @return the Aeron client in use (a new one after a reconnect); for tests of this package. */
    Aeron aeron()
    {
        return aeron;
    }

    public UrpcPublisher publisher()
    {
        return publisher;
    }

    /**
     * The dispatch table, for layers above the transport to register their messages.
     *
     * @return the dispatcher of this endpoint's inbox.
     */
    public MessageDispatcher dispatcher()
    {
        return dispatcher;
    }

    /**
     * @param coreId of a peer.
     * @return true when the peer's inbox is attached to our publication, i.e. messages can flow.
     */
    public boolean isConnected(final int coreId)
    {
        final Publication publication = coreId >= 0 && coreId < publicationByCore.length ? publicationByCore[coreId] : null;
        return null != publication && publication.isConnected();
    }

    public int coreId()
    {
        return ctx.coreId;
    }

    public long incarnation()
    {
        return ctx.incarnation;
    }

    /**
     * @return which incarnation of each peer is current on this core: the inbox decides it for every
     *         frame before a handler runs; membership and replication read it and listen to it.
     */
    public PeerIncarnations incarnations()
    {
        return incarnations;
    }

    public UrpcMetrics metrics()
    {
        return metrics;
    }

    /**
     * @return the link fault point (chaos), for the owning agent to set rules on; {@code null} when the
     *         endpoint was launched without {@link Context#linkFaults(RandomGenerator)}.
     */
    public LinkFaults linkFaults()
    {
        return linkFaults;
    }

    /**
     * @param coreId of a peer.
     * @return the media used to reach it, or {@code null} for an unknown core.
     */
    public Media mediaTo(final int coreId)
    {
        for (final PeerDescriptor peer : ctx.peers)
        {
            if (peer.coreId() == coreId)
            {
                return ctx.mediaTo(peer);
            }
        }
        return null;
    }

    /**
     * Flush what is still batched (a core's Goodbyes, for one), then close. A batch that stays back
     * pressured through {@link #CLOSE_FLUSH_ATTEMPTS} flushes is counted as failed sends.
     */
    @Override
    public void close()
    {
        if (null != publisher)
        {
            for (int attempt = 0; attempt < CLOSE_FLUSH_ATTEMPTS && publisher.pendingBatches() > 0; attempt++)
            {
                publisher.flush();
            }
            publisher.dropPendingBatches();
            metrics.publish();
        }
        closeResources();
    }

    private void closeResources()
    {
        for (final Publication publication : publicationByCore)
        {
            CloseHelper.quietClose(publication);
        }
        subscriptions.forEach(CloseHelper::quietClose);
        if (ownsAeron)
        {
            CloseHelper.quietClose(aeron);
        }
    }

    /**
     * The Aeron client closed itself under the endpoint: its conductor was not serviced within the
     * client's liveness timeout (the process was stopped or starved for longer, e.g. SIGSTOP), or the
     * media driver timed the client out, or the driver gave no heartbeat for its timeout (it was
     * stopped, or it is gone). Its publications and subscriptions are gone, so without this the core
     * would run on, deaf and mute, for good. A new client gets the same publications and
     * subscriptions; the inbox (its replay protection per sender), the publisher's batches and
     * sequence numbers carry on, so peers accept the core's frames as the same incarnation's. Frames
     * in the old terms are lost, as on any lossy link; the protocols above resend.
     * <p>
     * A new client is only tried while the driver's heartbeat is fresh
     * ({@link #DRIVER_HEARTBEAT_FRESH_MS}), every {@link #CONNECT_ATTEMPT_INTERVAL_MS} ms, so a driver
     * stopped for longer does not block the caller's loop in Aeron's connect (one stopped in the
     * moments before an attempt can still hold it for Aeron's driver timeout); sends meanwhile answer
     * {@link SendOutcome#NOT_CONNECTED} (or {@link SendOutcome#CLOSED} for a message longer than a
     * frame). A driver that stays silent for the endpoint's {@link Context#driverReconnectTimeoutMs(long)},
     * counted from when the client closed, is gone, and the core stops.
     *
     * @return whether the endpoint is connected again.
     * @throws IllegalStateException when the endpoint does not own its client (nothing to reconnect),
     *                               or no new client connected within the bound: the core stops.
     */
    private boolean reconnect()
    {
        if (!ownsAeron)
        {
            throw new IllegalStateException("core " + ctx.coreId + "'s Aeron client was closed under it");
        }
        final long nowNs = ctx.nanoClock.nanoTime();
        if (connected)
        {
            LOGGER.warn("core {}: its Aeron client was closed; it connects a new one to {} once the media driver " +
                "answers", ctx.coreId, ctx.aeronDirectory);
            dropClient();
            inboxImages.onOwnClientReconnect();
            connected = false;
            disconnectedSinceNs = nowNs;
            nextConnectAttemptNs = nowNs;
            lastConnectFailure = "no heartbeat from the driver";
        }
        if (nowNs - nextConnectAttemptNs >= 0)
        {
            nextConnectAttemptNs = nowNs + TimeUnit.MILLISECONDS.toNanos(CONNECT_ATTEMPT_INTERVAL_MS);
            if (connectNewClient())
            {
                return true;
            }
        }
        if (nowNs - disconnectedSinceNs >= TimeUnit.MILLISECONDS.toNanos(ctx.driverReconnectTimeoutMs))
        {
            throw new IllegalStateException("core " + ctx.coreId + " could not connect to the media driver in " +
                ctx.aeronDirectory + " for " + ctx.driverReconnectTimeoutMs + " ms after its Aeron client closed (" +
                lastConnectFailure + "): the driver is stopped or gone, and the core stops");
        }
        return false;
    }

    private boolean connectNewClient()
    {
        if (!isDriverActive())
        {
            lastConnectFailure = "no heartbeat from the driver within " + DRIVER_HEARTBEAT_FRESH_MS + " ms";
            return false;
        }
        try
        {
            aeron = Aeron.connect(clientContext(ctx.aeronDirectory));
            addPublications();
            subscribe();
        }
        catch (final RuntimeException ex)
        {
            // The driver stopped again between its heartbeat and our requests: try again later.
            lastConnectFailure = ex.getMessage();
            dropClient();
            final long nowNs = ctx.nanoClock.nanoTime();
            if (0 == connectFailuresLogged++ ||
                nowNs - lastConnectFailureLogNs >= TimeUnit.MILLISECONDS.toNanos(CONNECT_FAILURE_LOG_INTERVAL_MS))
            {
                lastConnectFailureLogNs = nowNs;
                LOGGER.warn("core {}: connecting a new Aeron client to {} failed ({} times so far): {}", ctx.coreId,
                    ctx.aeronDirectory, connectFailuresLogged, ex.getMessage());
            }
            return false;
        }
        connected = true;
        connectFailuresLogged = 0;
        metrics.onAeronReconnect();
        LOGGER.info("core {}: connected a new Aeron client (reconnect {})", ctx.coreId, metrics.aeronReconnectCount());
        return true;
    }

    /**
     * Close the client and everything made on it. The closed publications stay in place until new
     * ones replace them: a send meanwhile finds them not connected.
     */
    private void dropClient()
    {
        // Registrations asked of the old client are gone with it.
        java.util.Arrays.fill(pendingRegistrationByCore, NO_REGISTRATION);
        closeResources();
        subscriptions.clear();
        assemblers.clear();
    }

    /**
     * @return whether the driver's heartbeat is fresh. Aeron's check maps the driver's file, which a
     *         driver starting over deletes and writes again: any failure of it reads as not active.
     */
    private boolean isDriverActive()
    {
        try
        {
            return CommonContext.isDriverActive(new java.io.File(ctx.aeronDirectory), DRIVER_HEARTBEAT_FRESH_MS, message -> { });
        }
        catch (final RuntimeException ex)
        {
            return false;
        }
    }

    private void addPublications()
    {
        for (final PeerDescriptor peer : ctx.peers)
        {
            addPublication(peer);
        }
    }

    /** @return the channel of the peer's inbox: IPC within its host, UDP to its endpoint across hosts. */
    private String channel(final PeerDescriptor peer)
    {
        return Media.IPC == ctx.mediaTo(peer) ?
            new ChannelUriStringBuilder().media(CommonContext.IPC_MEDIA).termLength(ctx.termLength)
                .mtu(TransportConfiguration.ipcMtu(ctx.termLength)).build() :
            new ChannelUriStringBuilder().media(CommonContext.UDP_MEDIA).endpoint(peer.udpEndpoint())
                .termLength(ctx.termLength).build();
    }

    /**
     * A peer whose UDP inbox host name does not resolve (a stopped container, or a typo in the map) is
     * left without a publication: sends to it fail, membership finds it silent, and the publication is
     * asked for again every {@link #UNRESOLVED_PEER_RETRY_INTERVAL_MS}. Any other refusal stops the core.
     */
    private void addPublication(final PeerDescriptor peer)
    {
        final boolean udp = Media.IPC != ctx.mediaTo(peer);
        final int coreId = peer.coreId();
        try
        {
            publicationByCore[coreId] = aeron.addPublication(channel(peer), TransportConfiguration.inboxStreamId(coreId));
        }
        catch (final RegistrationException ex)
        {
            if (!udp || ErrorCode.INVALID_CHANNEL != ex.errorCode() ||
                !String.valueOf(ex.getMessage()).contains("UnknownHostException"))
            {
                throw ex;
            }
            publicationByCore[coreId] = null;
            if (!unresolvedByCore[coreId])
            {
                unresolvedByCore[coreId] = true;
                unresolvedCount++;
                LOGGER.warn("core {}: the UDP inbox of core {} at {} does not resolve; sends to it fail until it " +
                    "does (asked again every {} ms)", ctx.coreId, coreId, peer.udpEndpoint(),
                    UNRESOLVED_PEER_RETRY_INTERVAL_MS);
            }
            return;
        }
        resolved(peer);
    }

    private void resolved(final PeerDescriptor peer)
    {
        final int coreId = peer.coreId();
        if (unresolvedByCore[coreId])
        {
            unresolvedByCore[coreId] = false;
            unresolvedCount--;
            LOGGER.info("core {}: the UDP inbox of core {} at {} resolves again", ctx.coreId, coreId, peer.udpEndpoint());
        }
        if (null != publisher)
        {
            publisher.onPublicationAdded(coreId);
        }
    }

    private void addSubscriptions()
    {
        final InboxAdapter adapter = inboxAdapter = new InboxAdapter(ctx.coreId, ctx.messageLengthMax, dispatcher, incarnations, metrics,
            new RateLimitedErrorLog(InboxAdapter.logger(), ctx.nanoClock, RateLimitedErrorLog.INTERVAL_DEFAULT_NS,
                RejectReason.values().length), ctx.authenticator());
        // Without link faults the assemblers feed the inbox directly: no filter, not even a check.
        inbox = null == linkFaults ? adapter : (inboundLinkFilter = new InboundLinkFilter(linkFaults, adapter));
        subscribe();
    }

    private void subscribe()
    {
        final int streamId = TransportConfiguration.inboxStreamId(ctx.coreId);
        subscriptions.add(aeron.addSubscription(CommonContext.IPC_CHANNEL, streamId, inboxImages, inboxImages));
        assemblers.add(new FragmentAssembler(inbox));
        if (null != ctx.udpBindEndpoint)
        {
            subscriptions.add(aeron.addSubscription(
                new ChannelUriStringBuilder().media(CommonContext.UDP_MEDIA).endpoint(ctx.udpBindEndpoint).build(), streamId,
                inboxImages, inboxImages));
            assemblers.add(new FragmentAssembler(inbox));
        }
    }

    /**
     * Configuration of an endpoint. Defaults come from {@link TransportConfiguration};
     * {@link #conclude()} validates once and names the offending value.
     */
    public static final class Context
    {
        private Aeron aeron;
        private String aeronDirectory = TransportConfiguration.aeronDirectory();
        private int coreId = -1;
        private int hostId;
        private long incarnation = Long.MIN_VALUE;
        private String udpBindEndpoint;
        private List<PeerDescriptor> peers = List.of();
        private Media sameHostMedia = Media.IPC;
        private int termLength = TransportConfiguration.termLength();
        private int messageLengthMax = -1;
        private int sendRetryAttempts = TransportConfiguration.sendRetryAttempts();
        private int pollFragmentsMax = TransportConfiguration.pollFragmentsMax();
        private boolean batching = TransportConfiguration.batching();
        private byte[] frameKey;
        private boolean unauthenticated;
        private MeterRegistry meterRegistry;
        private PeerIncarnations incarnations;
        private NanoClock nanoClock = SystemNanoClock.INSTANCE;
        private long driverReconnectTimeoutMs = TransportConfiguration.driverReconnectTimeoutMs();
        private RandomGenerator linkFaultRandom;
        private UrpcHandler handler = new UrpcHandler()
        {
        };

        /**
         * Validate and fill derived defaults.
         *
         * @return this.
         * @throws IllegalArgumentException naming the bad value and the limit.
         */
        public Context conclude()
        {
            Bounds.check("coreId", coreId, 0, PeerDescriptor.CORE_ID_MAX);
            checkTermLength(termLength);
            if (messageLengthMax < 0)
            {
                messageLengthMax = TransportConfiguration.messageLengthMax(termLength);
            }
            // A frame may fill at most an eighth of a term, so a term always holds several.
            Bounds.check("messageLengthMax", messageLengthMax, InboxAdapter.FRAME_LENGTH_MIN_BYTES,
                TransportConfiguration.messageLengthLimit(termLength), "bytes");
            Bounds.check("sendRetryAttempts", sendRetryAttempts, 0, TransportConfiguration.SEND_RETRY_ATTEMPTS_MAX);
            Bounds.check("pollFragmentsMax", pollFragmentsMax, 1, Integer.MAX_VALUE);
            Bounds.check("driverReconnectTimeoutMs", driverReconnectTimeoutMs, 0,
                TransportConfiguration.DRIVER_RECONNECT_TIMEOUT_MAX_MS, "ms");
            if (null != udpBindEndpoint)
            {
                PeerDescriptor.checkEndpoint(coreId, udpBindEndpoint);
            }
            checkPeers();
            checkIncarnations();
            if (Long.MIN_VALUE == incarnation)
            {
                incarnation = SystemEpochNanoClock.INSTANCE.nanoTime();
            }
            if (null == meterRegistry)
            {
                meterRegistry = new SimpleMeterRegistry();
            }
            Objects.requireNonNull(handler, "handler");
            Objects.requireNonNull(nanoClock, "nanoClock");
            if (null == frameKey && !unauthenticated)
            {
                throw new IllegalArgumentException("no frameKey: URPC frames are authenticated with the cluster " +
                    "secret's frame key; give one, or choose unauthenticated(true) explicitly");
            }
            if (null != frameKey)
            {
                Bounds.check("frameKey length", frameKey.length, FrameAuthenticator.KEY_LENGTH_BYTES,
                    FrameAuthenticator.KEY_LENGTH_BYTES, "bytes");
            }
            return this;
        }

        /**
         * @return a new authenticator for one publisher or inbox, or {@code null} when unauthenticated.
         */
        FrameAuthenticator authenticator()
        {
            return null == frameKey ? null :
                new FrameAuthenticator(frameKey, messageLengthMax + FrameAuthenticator.SEAL_LENGTH_BYTES);
        }

        static void checkTermLength(final int termLength)
        {
            Bounds.checkPowerOfTwo("termLength", termLength,
                TransportConfiguration.TERM_LENGTH_MIN_BYTES, TransportConfiguration.TERM_LENGTH_MAX_BYTES, "bytes");
        }

        private void checkPeers()
        {
            final org.agrona.collections.IntHashSet seen = new org.agrona.collections.IntHashSet();
            for (final PeerDescriptor peer : peers)
            {
                if (peer.coreId() == coreId)
                {
                    throw new IllegalArgumentException("peer list contains this core itself: coreId=" + coreId);
                }
                if (!seen.add(peer.coreId()))
                {
                    throw new IllegalArgumentException("peer coreId=" + peer.coreId() + " appears twice");
                }
                if (Media.IPC == peer.media() && peer.hostId() != hostId)
                {
                    throw new IllegalArgumentException("core " + peer.coreId() + " on host " + peer.hostId() +
                        " cannot be reached over IPC from core " + coreId + " on host " + hostId);
                }
                if (Media.UDP == mediaTo(peer) && null == peer.udpEndpoint())
                {
                    throw new IllegalArgumentException("core " + peer.coreId() + " on host " + peer.hostId() +
                        " has no udpEndpoint, but core " + coreId + " on host " + hostId + " must reach it over UDP");
                }
            }
        }

        private void checkIncarnations()
        {
            if (null == incarnations)
            {
                incarnations = PeerIncarnations.of(peers.stream().mapToInt(PeerDescriptor::coreId).toArray());
                return;
            }
            for (final PeerDescriptor peer : peers)
            {
                if (!incarnations.isPeer(peer.coreId()))
                {
                    throw new IllegalArgumentException("the incarnations table given has no entry for peer core " +
                        peer.coreId() + ": build it from the same peers");
                }
            }
        }

        Media mediaTo(final PeerDescriptor peer)
        {
            if (null != peer.media())
            {
                return peer.media();
            }
            return peer.hostId() == hostId ? sameHostMedia : Media.UDP;
        }

        /** Use an existing Aeron client (not closed by the endpoint) instead of connecting one. */
        public Context aeron(final Aeron aeron)
        {
            this.aeron = aeron;
            return this;
        }

        /** Media driver directory to connect to when no client is given. */
        public Context aeronDirectory(final String aeronDirectory)
        {
            this.aeronDirectory = aeronDirectory;
            return this;
        }

        public Context coreId(final int coreId)
        {
            this.coreId = coreId;
            return this;
        }

        public Context hostId(final int hostId)
        {
            this.hostId = hostId;
            return this;
        }

        /** This core's incarnation: must grow across restarts; defaults to epoch nanoseconds at start. */
        public Context incarnation(final long incarnation)
        {
            this.incarnation = incarnation;
            return this;
        }

        /** {@code host:port} the UDP inbox binds to; {@code null} for no UDP inbox. */
        public Context udpBindEndpoint(final String udpBindEndpoint)
        {
            this.udpBindEndpoint = udpBindEndpoint;
            return this;
        }

        /** Every other core this core talks to; frames from anyone else are rejected. */
        public Context peers(final List<PeerDescriptor> peers)
        {
            this.peers = List.copyOf(peers);
            return this;
        }

        public Context sameHostMedia(final Media sameHostMedia)
        {
            this.sameHostMedia = Objects.requireNonNull(sameHostMedia, "sameHostMedia");
            return this;
        }

        public Media sameHostMedia()
        {
            return sameHostMedia;
        }

        public Context termLength(final int termLength)
        {
            this.termLength = termLength;
            return this;
        }

        public Context messageLengthMax(final int messageLengthMax)
        {
            this.messageLengthMax = messageLengthMax;
            return this;
        }

        public Context sendRetryAttempts(final int sendRetryAttempts)
        {
            this.sendRetryAttempts = sendRetryAttempts;
            return this;
        }

        /**
         * The cluster's URPC frame key ({@code ClusterSecret.frameKey()}): every frame sent is sealed
         * with it and every frame received must carry a valid seal.
         */
        public Context frameKey(final byte[] frameKey)
        {
            this.frameKey = null == frameKey ? null : frameKey.clone();
            return this;
        }

        /**
         * Send and accept frames without seals: for measuring what authentication costs, never for a
         * cluster anyone else can reach. Ignored when a {@link #frameKey} is given.
         */
        public Context unauthenticated(final boolean unauthenticated)
        {
            this.unauthenticated = unauthenticated;
            return this;
        }

        /** Pack messages to one core sent in one duty cycle into one frame (default on). */
        public Context batching(final boolean batching)
        {
            this.batching = batching;
            return this;
        }

        public Context pollFragmentsMax(final int pollFragmentsMax)
        {
            this.pollFragmentsMax = pollFragmentsMax;
            return this;
        }

        public Context meterRegistry(final MeterRegistry meterRegistry)
        {
            this.meterRegistry = meterRegistry;
            return this;
        }

        /**
         * The table of peer incarnations the inbox is to decide, when a reader built it first (the core's
         * membership); by default the endpoint makes one of its peers.
         */
        public Context incarnations(final PeerIncarnations incarnations)
        {
            this.incarnations = incarnations;
            return this;
        }

        /**
         * @param driverReconnectTimeoutMs how long the endpoint tries to connect a new Aeron client
         *                                 after its client closed, before the core stops, ms.
         * @return this.
         */
        public Context driverReconnectTimeoutMs(final long driverReconnectTimeoutMs)
        {
            this.driverReconnectTimeoutMs = driverReconnectTimeoutMs;
            return this;
        }

        public Context nanoClock(final NanoClock nanoClock)
        {
            this.nanoClock = nanoClock;
            return this;
        }

        /**
         * Chaos only: give the endpoint a link fault point ({@link LinkFaults}, reached through
         * {@link UrpcEndpoint#linkFaults()}) whose drop decisions draw from {@code random} and whose
         * delays read {@link #nanoClock}. {@code null}, the default, leaves it out entirely.
         */
        public Context linkFaults(final RandomGenerator random)
        {
            this.linkFaultRandom = random;
            return this;
        }

        public Context handler(final UrpcHandler handler)
        {
            this.handler = handler;
            return this;
        }
    }
}
