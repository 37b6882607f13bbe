package io.multikernel.node.membership;

import io.multikernel.transport.SendOutcome;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link MembershipSender} that records every send and answers with a configurable outcome per peer.
 */
final class RecordingSender implements MembershipSender
{
    enum Kind
    {
        HELLO, HELLO_REPLY, HEARTBEAT, GOODBYE
    }

    record Send(Kind kind, int coreId, long nowNs)
    {
    }

    final List<Send> sends = new ArrayList<>();
    private final Map<Integer, SendOutcome> outcomeByCore = new HashMap<>();
    private long lastNowNs;

    void outcome(final int coreId, final SendOutcome outcome)
    {
        outcomeByCore.put(coreId, outcome);
    }

    @Override
    public SendOutcome sendHello(final int coreId, final boolean reply, final long nowNs)
    {
        return record(reply ? Kind.HELLO_REPLY : Kind.HELLO, coreId, nowNs);
    }

    @Override
    public SendOutcome sendHeartbeat(final int coreId, final long nowNs)
    {
        return record(Kind.HEARTBEAT, coreId, nowNs);
    }

    @Override
    public SendOutcome sendGoodbye(final int coreId)
    {
        return record(Kind.GOODBYE, coreId, lastNowNs);
    }

    /** Goodbye carries no time; tests set the time it is recorded with. */
    void now(final long nowNs)
    {
        lastNowNs = nowNs;
    }

    long count(final Kind kind, final int coreId)
    {
        return sends.stream().filter(send -> send.kind == kind && send.coreId == coreId).count();
    }

    long count(final Kind kind)
    {
        return sends.stream().filter(send -> send.kind == kind).count();
    }

    List<Send> to(final int coreId)
    {
        return sends.stream().filter(send -> send.coreId == coreId).toList();
    }

    private SendOutcome record(final Kind kind, final int coreId, final long nowNs)
    {
        sends.add(new Send(kind, coreId, nowNs));
        return outcomeByCore.getOrDefault(coreId, SendOutcome.SENT);
    }
}
