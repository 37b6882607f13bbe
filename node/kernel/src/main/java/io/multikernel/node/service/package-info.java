/**
 * What the kernel's services, the kernel loop and the admin server share, so that none of them needs
 * to know the others (architecture rules hold this: services import neither the admin server nor
 * the kernel loop, and the admin server imports neither the services nor the kernel loop).
 *
 * <ul>
 *   <li>The admin API of a service: a {@link io.multikernel.node.service.ServiceApi} declares its
 *       {@link io.multikernel.node.service.ServiceEndpoint}s (name, path, methods, handler); a
 *       {@link io.multikernel.node.service.ServiceHandler} turns a
 *       {@link io.multikernel.node.service.ServiceRequest} (method, raw path, decoded query
 *       parameters, body) into a {@link io.multikernel.node.service.ServiceResponse} (status, JSON)
 *       or refuses it with a {@link io.multikernel.node.service.ServiceException} (status, one
 *       sentence). The core process hands its services to the admin server, which routes by path.</li>
 *   <li>Published state: the agent renders its state into a {@link io.multikernel.node.service.JsonSnapshot}
 *       (or hands an immutable view to a {@link io.multikernel.node.service.JsonSource}) and sets a
 *       {@link io.multikernel.node.service.Health}; admin threads read only those.</li>
 * </ul>
 */
package io.multikernel.node.service;
