package io.multikernel.node.service;

/**
 * Answers the requests of one {@link ServiceEndpoint}, on an admin worker thread.
 */
@FunctionalInterface
public interface ServiceHandler
{
    /**
     * @param request method (one the endpoint declared), raw path, decoded query parameters and body.
     * @return the answer: a status and a complete JSON document.
     * @throws ServiceException with the status and one-sentence message to answer instead; any
     *                          other exception is a 500 whose detail goes to the core's log.
     */
    ServiceResponse handle(ServiceRequest request) throws ServiceException;
}
