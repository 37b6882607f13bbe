/**
 * The few primitives every module shares and none owns: range checks that name the value and both
 * bounds ({@link io.multikernel.common.Bounds}), sizes given by users ({@link io.multikernel.common.Sizes},
 * parsed by Agrona) and the rate-limited log of distinct operating errors
 * ({@link io.multikernel.common.RateLimitedErrorLog}). Nothing protocol-specific lives here; it sits in
 * the schema module because that is the one module every other depends on.
 */
package io.multikernel.common;
