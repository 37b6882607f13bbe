/**
 * The few primitives every module shares and none owns: range checks that name the value and both
 * bounds ({@link io.multikernel.common.Bounds}), sizes given by users ({@link io.multikernel.common.Sizes},
 * parsed by Agrona), the rate-limited log of distinct operating errors
 * ({@link io.multikernel.common.RateLimitedErrorLog}), the table that decides which incarnation of a
 * peer core is current ({@link io.multikernel.common.PeerIncarnations}), which the transport updates and
 * replication reads without either knowing the other, and the entry of the configuration reference each
 * {@code *Configuration} class lists its settings in ({@link io.multikernel.common.Setting}). No message
 * format or protocol step lives here; it sits in the schema module because that is the one module every
 * other depends on.
 */
package io.multikernel.common;
