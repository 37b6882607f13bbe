/**
 * Membership and failure detection: what one core believes about each peer (up, suspect, down,
 * left) and the Hello/Heartbeat traffic that lets the peers believe the same about it.
 *
 * <p>{@link io.multikernel.node.membership.Membership} is plain single-threaded logic with time
 * passed in, owned by the core's agent. Wiring in the agent:
 * <pre>
 *   UrpcHandler.onNewIncarnation(id, old, new)     -> membership.onNewIncarnation(id, old, new, nowNs)
 *   UrpcHandler.onHello(id, inc, .., hostId, .., reply) -> membership.onHello(id, inc, hostId, reply, nowNs)
 *   UrpcHandler.onHeartbeat(id, inc, ..)           -> membership.onHeard(id, inc, nowNs)
 *   UrpcHandler.onGoodbye(id, inc, reason)         -> membership.onGoodbye(id, inc, nowNs)
 *   onPing / onPong / any other valid message      -> membership.onHeard(id, incarnations.incarnation(id), nowNs)
 *   Agent.doWork()                                 -> endpoint.poll() + membership.doWork(nowNs)
 *   graceful shutdown (SIGTERM)                    -> membership.leave(nowNs), then close
 *   admin HTTP thread                              -> membership.publishedSnapshot()
 * </pre>
 * Which incarnation of a peer is current is decided in one place per core, the
 * {@link io.multikernel.common.PeerIncarnations} table that the URPC inbox updates for every frame
 * before any handler runs: the membership is built first, and the endpoint is given its table
 * ({@code .incarnations(membership.incarnations())}). The membership asks that table instead of
 * comparing incarnations itself; the 2PC engine reads the same table through its network.
 * The core implements {@link io.multikernel.node.membership.MembershipSender} over its
 * {@code UrpcPublisher} and may pass a {@link io.multikernel.node.membership.MembershipListener} to
 * act on transitions and restarts (the monitor aborts transactions waiting on a DOWN peer).
 */
package io.multikernel.node.membership;
