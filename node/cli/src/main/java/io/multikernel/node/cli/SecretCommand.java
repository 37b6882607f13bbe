package io.multikernel.node.cli;

import io.multikernel.common.ClusterSecret;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.Callable;

/**
 * {@code mk secret}: create a cluster secret for cores started by hand or in containers.
 */
@Command(name = "secret", mixinStandardHelpOptions = true,
    description = { "Create a new cluster secret: 32 random bytes as hex, in a file only its owner can read.",
        "Cores seal every URPC frame with a key derived from it and demand a token derived from it on an admin API " +
        "that listens beyond loopback. Every core of a cluster needs the same file (mk up creates one in its run " +
        "directory). To rotate: stop the cluster, replace the file everywhere, start it again." })
final class SecretCommand implements Callable<Integer>
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", required = true, description = "The file to create; an existing file is never overwritten.")
    Path out;

    @Option(names = "--if-missing", description = "When the file exists, check that it holds a usable secret and keep " +
        "it (exit 0) instead of failing: for a container that prepares the secret of a cluster on every start.")
    boolean ifMissing;

    @Override
    public Integer call()
    {
        io.multikernel.node.util.Usage.check(spec, !out.toString().isBlank(), "--out is empty: name the file to create");
        if (ifMissing && java.nio.file.Files.exists(out) && !java.nio.file.Files.isDirectory(out))
        {
            try
            {
                ClusterSecret.load(out);
            }
            catch (final IllegalStateException | IllegalArgumentException ex)
            {
                throw new IllegalStateException(out + " exists but is no usable cluster secret (" + ex.getMessage() +
                    "); --if-missing keeps only a usable one: fix it, or remove it and run mk secret --out " + out +
                    " again (every core then needs the new file)", ex);
            }
            spec.commandLine().getOut().println("cluster secret kept: " + out + " exists and is usable");
            return 0;
        }
        ClusterSecret.create(out, new SecureRandom());
        spec.commandLine().getOut().println("cluster secret written to " + out + " (owner-only); give it to every core " +
            "with --secret-file, $" + ClusterSecret.SECRET_FILE_ENV + " or the map's transport.secretFile");
        return 0;
    }
}
