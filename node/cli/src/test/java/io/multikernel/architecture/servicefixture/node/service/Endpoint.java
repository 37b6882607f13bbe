package io.multikernel.architecture.servicefixture.node.service;

/** The shared interface both sides may use. */
public interface Endpoint
{
    String path();
}
