package io.multikernel.node.lrpc;

/**
 * Status of a reply. Anything but {@link #OK} and {@link #INDEFINITE} is definite: the core did not
 * do the operation, and the reply's payload is one UTF-8 line saying why. {@link #INDEFINITE} says
 * the core cannot tell whether it was done.
 */
public final class LrpcStatus
{
    /** Done; the payload is the operation's result. */
    public static final int OK = 0;
    /** No handler is registered for the operation code. */
    public static final int UNKNOWN_OPERATION = 1;
    /** The request's payload does not match the operation's layout. */
    public static final int MALFORMED = 2;
    /** The request is longer than the channel's message length limit. */
    public static final int TOO_LARGE = 3;
    /** The operation refused the arguments (for example an invalid service name). */
    public static final int INVALID_ARGUMENT = 4;
    /** What was asked for does not exist (for example an unregistered name). */
    public static final int NOT_FOUND = 5;
    /** The operation conflicts with existing state (for example a name held by another core). */
    public static final int CONFLICT = 6;
    /** The operation could not be done now (for example an engine's queue is full). */
    public static final int UNAVAILABLE = 7;
    /** A replicated operation was proposed and aborted: nothing changed on any replica. */
    public static final int ABORTED = 8;
    /** The core cannot tell whether the operation was done (e.g. a 2PC outcome it could not learn). */
    public static final int INDEFINITE = 9;
    /** The caller may not do it: a capability held by another core, or a right it lacks. */
    public static final int DENIED = 10;
    /** A load or store found no mapping at the address, or the mapping lacks the right (a page fault). */
    public static final int FAULT = 11;

    private LrpcStatus()
    {
    }

    /**
     * @param status a status code.
     * @return its lower-case name.
     */
    public static String name(final int status)
    {
        return switch (status)
        {
            case OK -> "ok";
            case UNKNOWN_OPERATION -> "unknown_operation";
            case MALFORMED -> "malformed";
            case TOO_LARGE -> "too_large";
            case INVALID_ARGUMENT -> "invalid_argument";
            case NOT_FOUND -> "not_found";
            case CONFLICT -> "conflict";
            case UNAVAILABLE -> "unavailable";
            case ABORTED -> "aborted";
            case INDEFINITE -> "indefinite";
            case DENIED -> "denied";
            case FAULT -> "fault";
            default -> "status_" + status;
        };
    }
}
