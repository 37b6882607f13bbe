package io.multikernel.node.launcher;

import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

import io.multikernel.common.ClusterSecret;

/**
 * What a client of a cluster's admin API presents: {@code Authorization: Bearer <token>}, the admin
 * token derived from the cluster secret. A core whose admin API listens beyond loopback answers
 * nothing but {@code GET /metrics} and {@code GET /health} without it; on loopback it ignores it.
 *
 * <p>The secret is the file {@code $MK_CLUSTER_SECRET_FILE} names, else {@code RUN/cluster.secret}
 * next to the run directory's cluster map. No file at the default place means no token: a loopback
 * cluster needs none. A file named in the environment must exist, and any file found must be
 * readable by its owner only ({@link ClusterSecret#load}).
 *
 * <pre>{@code
 * AdminCredentials credentials = AdminCredentials.of(runDirectory);
 * http.send(credentials.authorize(HttpRequest.newBuilder(uri)).GET().build(), ...);
 * }</pre>
 */
public final class AdminCredentials
{
    /** Sends no token: for a loopback cluster without a secret. */
    public static final AdminCredentials NONE = new AdminCredentials(null, "no cluster secret");

    private static final String AUTHORIZATION_HEADER = "Authorization";

    /** The admin token, or null for none. */
    private final String token;
    /** Where the token came from, for {@link #toString()}; never the token itself. */
    private final String source;

    private AdminCredentials(final String token, final String source)
    {
        this.token = token;
        this.source = source;
    }

    /**
     * @param runDirectory the cluster's run directory.
     * @return the credentials of the secret this process's environment or the run directory names.
     * @throws IllegalStateException with one sentence when the secret file is missing although the
     *         environment names it, unreadable, open to others or not a secret.
     */
    public static AdminCredentials of(final RunDirectory runDirectory)
    {
        return of(runDirectory, System.getenv(ClusterSecret.SECRET_FILE_ENV));
    }

    /**
     * @param runDirectory  the cluster's run directory.
     * @param secretFileEnv the value of {@code $MK_CLUSTER_SECRET_FILE}, or null when unset.
     * @return the credentials of the secret found.
     * @throws IllegalStateException as {@link #of(RunDirectory)}.
     */
    static AdminCredentials of(final RunDirectory runDirectory, final String secretFileEnv)
    {
        final boolean named = isSet(secretFileEnv);
        final Path file = secretFile(runDirectory, secretFileEnv);
        if (!named && !Files.exists(file, LinkOption.NOFOLLOW_LINKS))
        {
            return NONE;
        }
        return new AdminCredentials(ClusterSecret.load(file).adminToken(), file.toString());
    }

    /**
     * @param secretFile a cluster secret file, readable by its owner only.
     * @return the credentials of that secret: for a cluster that runs elsewhere (containers) whose
     *         secret the caller holds.
     * @throws IllegalStateException as {@link #of(RunDirectory)}.
     */
    public static AdminCredentials ofSecretFile(final Path secretFile)
    {
        return new AdminCredentials(ClusterSecret.load(secretFile).adminToken(), secretFile.toString());
    }

    /**
     * @param runDirectory  the cluster's run directory.
     * @param secretFileEnv the value of {@code $MK_CLUSTER_SECRET_FILE}, or null when unset.
     * @return that file when it is set and not blank, else {@code RUN/cluster.secret}.
     */
    public static Path secretFile(final RunDirectory runDirectory, final String secretFileEnv)
    {
        return isSet(secretFileEnv) ? Path.of(secretFileEnv.strip()) :
            runDirectory.clusterFile().resolveSibling(ClusterSecret.DEFAULT_FILE_NAME);
    }

    private static boolean isSet(final String value)
    {
        return null != value && !value.isBlank();
    }

    /** @return whether requests carry a token. */
    public boolean hasToken()
    {
        return null != token;
    }

    /**
     * @param request a request to a core's admin API.
     * @return the same builder, with {@code Authorization: Bearer <token>} when there is a token.
     */
    public HttpRequest.Builder authorize(final HttpRequest.Builder request)
    {
        if (null != token)
        {
            request.setHeader(AUTHORIZATION_HEADER, "Bearer " + token);
        }
        return request;
    }

    @Override
    public String toString()
    {
        return "AdminCredentials[" + source + "]";
    }
}
