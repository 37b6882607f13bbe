package io.multikernel.node.vm;

import io.multikernel.node.caps.CapabilityType;
import io.multikernel.node.lrpc.LrpcStatus;
import io.multikernel.node.skb.RoutingProtocol;

/**
 * What an app asks of its core to build and use address spaces: the capability operations that
 * make frames and page-table roots, and the address-space operations. {@link VmClient} carries them
 * over the core's LRPC channel (an app on the core's host); an app elsewhere can carry them over the
 * core's admin API. Every call blocks until the core answers and returns a {@link Call} with the
 * times it was issued and answered on this process's monotonic clock. Implementations are not thread
 * safe: one per app thread.
 */
public interface VmCalls extends AutoCloseable
{
    /**
     * One call's answer.
     *
     * @param ok         true when the core did it.
     * @param status     the {@link LrpcStatus} of a refusal (FAULT, NOT_FOUND, ...); -1 when the call did
     *                   not reach the core or was answered OK.
     * @param message    one sentence when not ok.
     * @param value      the first 8 bytes of an OK reply (an id, shootdown nanoseconds), else 0.
     * @param data       an OK reply's bytes (a load's data).
     * @param issuedNs   when the call was sent, {@link System#nanoTime()}.
     * @param answeredNs when its answer arrived.
     */
    record Call(boolean ok, int status, String message, long value, byte[] data, long issuedNs, long answeredNs)
    {
        /** @return true when the core answered FAULT: no mapping or a missing right. */
        public boolean fault()
        {
            return LrpcStatus.FAULT == status;
        }

        /** @return the status's name, {@code ok}, or the reason the call did not reach the core. */
        public String statusName()
        {
            return ok ? "ok" : status >= 0 ? LrpcStatus.name(status) : "not_delivered";
        }
    }

    /** caps.alloc: RAM of {@code bytes} from the core's memory server; value = the capability. */
    Call allocate(long bytes);

    /** caps.retype: {@code count} objects of {@code type}; value = the first new capability. */
    Call retype(long capId, CapabilityType type, long offset, long objectLength, int count);

    /** caps.revoke: every other copy and every descendant of the capability's object goes. */
    Call revoke(long capId);

    /** caps.delete. */
    Call delete(long capId);

    /** vm.create: value = the domain. */
    Call create(long rootVnodeCapId, int... cores);

    /** vm.map: value = the mapping. */
    Call map(long domain, long vaddr, long frameCapId, long frameOffset, long length, int rights);

    /** vm.unmap, answered after the TLB shootdown; value = its nanoseconds. Null protocol: the core's default. */
    Call unmap(long domain, long vaddr, long length, RoutingProtocol protocol);

    /** vm.protect; value = the shootdown's nanoseconds (0 when it added rights only). */
    Call protect(long domain, long vaddr, long length, int rights, RoutingProtocol protocol);

    /** vm.span: the domain reaches {@code core}. */
    Call span(long domain, int core);

    /** vm.shrink: {@code core} leaves the domain. */
    Call shrink(long domain, int core, RoutingProtocol protocol);

    /** vm.destroy. */
    Call destroy(long domain, RoutingProtocol protocol);

    /** vm.load: {@code data} = the bytes. */
    Call load(long domain, long vaddr, int length);

    /** vm.store of {@code bytes} (at most {@link VmService#IO_LENGTH_MAX_BYTES}). */
    Call store(long domain, long vaddr, byte[] bytes);

    /** @return how the calls travel, for reports: {@code lrpc} or {@code admin}. */
    String via();

    /**
     * @return whether the last call that was not delivered found the core's process gone (its
     *         channel cannot answer again), as opposed to a core that is busy, slow or back-pressured.
     */
    default boolean coreGone()
    {
        return false;
    }

    /** Releases what the client holds; no call after. */
    @Override
    void close();
}
