package io.multikernel.node.launcher;

/**
 * What a core's admin API answers when a request fails: {@code {"error":"...","path":"..."}}.
 *
 * @param error one sentence: what failed, the value involved, what to do.
 * @param path  the request's path, possibly cut.
 */
public record AdminError(String error, String path)
{
}
