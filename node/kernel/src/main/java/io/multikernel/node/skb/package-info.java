/**
 * The System Knowledge Base (SKB): the facts every core holds identically and the decisions
 * derived from them.
 *
 * <ul>
 *   <li>{@link io.multikernel.node.skb.Topology}: the cores and the package (host) of each;</li>
 *   <li>{@link io.multikernel.node.skb.RttMatrix}: measured round-trip times, one row per core,
 *       merged from all cores so that every core converges on the same matrix;</li>
 *   <li>{@link io.multikernel.node.skb.NameService}: the rules and replicated-store keys of service name to core id (the
 *       registrations themselves are agreed by every core through 2PC, see
 *       {@code io.multikernel.node.replication.AgreedNameService});</li>
 *   <li>{@link io.multikernel.node.skb.RoutingPlanner}: the send plan ({@link io.multikernel.node.skb.SendPlan})
 *       of the paper's four multicast protocols (Fig. 6) for an initiator and a set of targets.</li>
 * </ul>
 *
 * The structures here are owned by one core's agent and are not thread-safe; other threads read
 * copies. Plans are deterministic: every core computes the same plan from the same facts.
 */
package io.multikernel.node.skb;
