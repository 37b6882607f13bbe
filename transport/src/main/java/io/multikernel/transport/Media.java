package io.multikernel.transport;

/**
 * How a message travels between two cores.
 */
public enum Media
{
    /** Shared memory through the host's media driver: only between cores on one host. */
    IPC,
    /** UDP datagrams: between hosts, or on one host when asked for. */
    UDP
}
