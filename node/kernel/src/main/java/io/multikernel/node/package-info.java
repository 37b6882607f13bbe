/**
 * The core process: the kernel loop agent (CPU-driver analogue) that owns all of a core's state,
 * the monitor, the System Knowledge Base, services, admin HTTP, metrics and the {@code mk} CLI.
 */
package io.multikernel.node;
