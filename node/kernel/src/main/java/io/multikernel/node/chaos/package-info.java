/**
 * Chaos in the core, off unless the core was started with {@code --chaos}: the admin route
 * {@code /chaos/links} ({@link io.multikernel.node.chaos.LinkFaultsAdmin}), which sets and heals the
 * rules of the transport's link fault point ({@code io.multikernel.transport.LinkFaults}) through a
 * bounded command queue to the kernel loop that owns it ({@link io.multikernel.node.chaos.LinkFaultsProxy}).
 */
package io.multikernel.node.chaos;
