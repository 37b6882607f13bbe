/**
 * What the kernel's services, the kernel loop and the admin server share, so that none of them needs
 * to know the others.
 *
 * <ul>
 *   <li>Published state: the agent renders its state into a {@link io.multikernel.node.service.JsonSnapshot}
 *       (or hands an immutable view to a {@link io.multikernel.node.service.JsonSource}) and sets a
 *       {@link io.multikernel.node.service.Health}; admin threads read only those.</li>
 * </ul>
 */
package io.multikernel.node.service;
