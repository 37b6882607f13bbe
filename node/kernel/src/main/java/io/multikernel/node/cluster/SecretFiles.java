package io.multikernel.node.cluster;

import io.multikernel.common.ClusterSecret;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where a core finds the cluster secret, first match wins: the flag, {@code $MK_CLUSTER_SECRET_FILE}
 * (a docker-compose secret, for one), the map's {@code transport.secretFile} (relative to the map's
 * directory), else {@code cluster.secret} next to the map, where {@code mk up} creates it.
 */
public final class SecretFiles
{
    private SecretFiles()
    {
    }

    /**
     * @param flag        {@code --secret-file}, or {@code null}.
     * @param environment the process environment.
     * @param mapFile     the cluster map's file.
     * @param map         the loaded map.
     * @return the secret file to load.
     */
    public static Path forCore(final Path flag, final Map<String, String> environment, final Path mapFile, final ClusterMap map)
    {
        if (null != flag)
        {
            return flag;
        }
        final String fromEnvironment = environment.get(ClusterSecret.SECRET_FILE_ENV);
        if (null != fromEnvironment && !fromEnvironment.isBlank())
        {
            return Path.of(fromEnvironment);
        }
        final Path directory = mapFile.toAbsolutePath().getParent();
        return map.transport().secretFile().map(directory::resolve)
            .orElse(directory.resolve(ClusterSecret.DEFAULT_FILE_NAME));
    }
}
