package io.multikernel.node.vm;

import io.multikernel.node.caps.CapabilityResult.Outcome;

/**
 * How an address-space request ended, as the LRPC channel, the admin API and {@code mk vm} report
 * it. Outcomes are the capability system's, plus {@link Outcome#FAULT} for a load or store that
 * found no mapping or lacked a right.
 *
 * @param outcome     what happened.
 * @param message     one sentence when it did not succeed; null otherwise.
 * @param transaction the transaction that carried a change, or null.
 * @param id          what a create (the domain) or a map (the mapping) made; 0 otherwise.
 * @param protocol    the routing protocol of the TLB shootdown a change needed, or null when it needed none.
 * @param shootdownNs how long that shootdown took, from the commit to the last acknowledgement; 0 without one.
 */
public record VmResult(Outcome outcome, String message, String transaction, long id, String protocol, long shootdownNs)
{
    /** @return a refusal: nothing proposed, read or written. */
    public static VmResult refused(final Outcome outcome, final String message)
    {
        return new VmResult(outcome, message, null, 0, null, 0);
    }

    /** @return a load or store that was done. */
    public static VmResult done()
    {
        return new VmResult(Outcome.DONE, null, null, 0, null, 0);
    }

    /** @return true when it committed or was done. */
    public boolean succeeded()
    {
        return Outcome.COMMITTED == outcome || Outcome.DONE == outcome;
    }
}
