package io.multikernel.node.bench;

import io.aeron.ChannelUriStringBuilder;
import io.aeron.CommonContext;
import io.multikernel.transport.Media;

/**
 * Where the two sides of a ping-pong benchmark meet: the media, the term length and, for UDP, the
 * two loopback ports (one per direction, as each side's inbox has its own endpoint).
 *
 * @param media      IPC or UDP loopback.
 * @param termLength of every log, bytes.
 * @param pingPort   UDP port the ponging side receives on.
 * @param pongPort   UDP port the pinging side receives on.
 */
record BenchChannels(Media media, int termLength, int pingPort, int pongPort, String frameKeyHex)
{
    /** {@link #frameKeyHex} of a run whose URPC frames carry no seal. */
    static final String UNAUTHENTICATED = "-";

    /**
     * @param random source of a key for one run; the key lives as long as the run's two JVMs.
     * @return a new key in hex.
     */
    static String newFrameKey(final java.util.Random random)
    {
        final byte[] key = new byte[io.multikernel.transport.FrameAuthenticator.KEY_LENGTH_BYTES];
        random.nextBytes(key);
        return java.util.HexFormat.of().formatHex(key);
    }

    /**
     * @param context of a benchmark's URPC endpoint.
     * @return the context, sealing frames with this run's key or explicitly unauthenticated.
     */
    io.multikernel.transport.UrpcEndpoint.Context authenticate(final io.multikernel.transport.UrpcEndpoint.Context context)
    {
        return UNAUTHENTICATED.equals(frameKeyHex) ? context.unauthenticated(true) :
            context.frameKey(java.util.HexFormat.of().parseHex(frameKeyHex));
    }

    /** MTU of the UDP channels: Aeron's default, as URPC's UDP inboxes use, bytes. */
    static final int UDP_MTU_BYTES = 1_408;

    /**
     * @param media      IPC or UDP.
     * @param termLength of the logs.
     * @return the longest payload one raw Aeron claim carries beside its 8-byte timestamp: the
     *         raw side sends each message as one claim, in one frame of the channel's MTU.
     */
    static int rawPayloadMax(final Media media, final int termLength)
    {
        final int mtu = Media.IPC == media ? io.multikernel.transport.TransportConfiguration.ipcMtu(termLength) :
            UDP_MTU_BYTES;
        return mtu - io.aeron.protocol.DataHeaderFlyweight.HEADER_LENGTH - Long.BYTES;
    }

    static final int RAW_PING_STREAM_ID = 2001;
    static final int RAW_PONG_STREAM_ID = 2002;
    static final int PINGER_CORE_ID = 0;
    static final int PONGER_CORE_ID = 1;

    String pingChannel()
    {
        return channel(pingPort);
    }

    String pongChannel()
    {
        return channel(pongPort);
    }

    String pingerEndpoint()
    {
        return "127.0.0.1:" + pongPort;
    }

    String pongerEndpoint()
    {
        return "127.0.0.1:" + pingPort;
    }

    private String channel(final int port)
    {
        final ChannelUriStringBuilder builder = new ChannelUriStringBuilder().termLength(termLength);
        // The same frames as URPC's own channels: IPC frames as long as its inbox's, UDP at the default MTU.
        return Media.IPC == media ?
            builder.media(CommonContext.IPC_MEDIA).mtu(io.multikernel.transport.TransportConfiguration.ipcMtu(termLength))
                .build() :
            builder.media(CommonContext.UDP_MEDIA).endpoint("127.0.0.1:" + port).mtu(UDP_MTU_BYTES).build();
    }

    String[] toArgs()
    {
        return new String[]{ media.name(), Integer.toString(termLength), Integer.toString(pingPort), Integer.toString(pongPort),
            frameKeyHex };
    }

    static BenchChannels fromArgs(final String[] args, final int from)
    {
        return new BenchChannels(Media.valueOf(args[from]), Integer.parseInt(args[from + 1]),
            Integer.parseInt(args[from + 2]), Integer.parseInt(args[from + 3]), args[from + 4]);
    }
}
