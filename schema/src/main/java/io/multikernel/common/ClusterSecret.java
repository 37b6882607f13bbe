package io.multikernel.common;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Set;

/**
 * The secret a cluster's cores share: 32 random bytes, written as 64 hex digits in a file only its
 * owner can read. Every key the cluster uses is derived from it with HMAC-SHA256 under a fixed label,
 * so one file serves them all and a derived key never reveals the secret or another key: the URPC
 * frame MAC key ({@link #frameKey()}) and the admin API's bearer token ({@link #adminToken()}).
 * <p>
 * Rotation is replacing the file on every machine and restarting the cores: a core uses the secret it
 * read at start until it exits.
 */
public final class ClusterSecret
{
    /** Random bytes of a secret. */
    public static final int SECRET_LENGTH_BYTES = 32;
    /** Bytes of the URPC frame MAC key (SipHash's 128-bit key). */
    public static final int FRAME_KEY_LENGTH_BYTES = 16;
    /** Longest secret file read: the hex digits and some whitespace. */
    public static final int SECRET_FILE_LENGTH_MAX_BYTES = 1024;
    /** Environment variable naming the secret file, ahead of the cluster map's {@code secretFile}. */
    public static final String SECRET_FILE_ENV = "MK_CLUSTER_SECRET_FILE";
    /** File name of the secret next to a cluster map when neither the environment nor the map names one. */
    public static final String DEFAULT_FILE_NAME = "cluster.secret";

    private static final String FRAME_KEY_LABEL = "mk urpc frame mac v1";
    private static final String ADMIN_TOKEN_LABEL = "mk admin token v1";

    private final byte[] secret;
    private final String source;

    private ClusterSecret(final byte[] secret, final String source)
    {
        this.secret = secret;
        this.source = source;
    }

    /**
     * @param secret exactly {@link #SECRET_LENGTH_BYTES} bytes; copied.
     * @param source named in errors and in {@link #toString()}, never the secret itself.
     * @return the secret.
     */
    public static ClusterSecret of(final byte[] secret, final String source)
    {
        if (secret.length != SECRET_LENGTH_BYTES)
        {
            throw new IllegalArgumentException(source + ": a cluster secret is " + SECRET_LENGTH_BYTES +
                " bytes, not " + secret.length);
        }
        return new ClusterSecret(secret.clone(), source);
    }

    /**
     * @param random source of the bytes; {@link SecureRandom} outside tests.
     * @return a new secret.
     */
    public static ClusterSecret generate(final SecureRandom random)
    {
        final byte[] bytes = new byte[SECRET_LENGTH_BYTES];
        random.nextBytes(bytes);
        return new ClusterSecret(bytes, "generated");
    }

    /**
     * Write a new secret to {@code file}, readable and writable by its owner only from the moment it
     * exists (written to a temporary file created with those permissions, then moved into place).
     *
     * @param file   where; must not exist, so a secret is never overwritten by accident.
     * @param random source of the bytes.
     * @return the secret written.
     * @throws IllegalStateException when the file exists or cannot be written.
     */
    public static ClusterSecret create(final Path file, final SecureRandom random)
    {
        if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS))
        {
            throw new IllegalStateException(file + " is a directory: name the secret's file, e.g. " +
                file.resolve(DEFAULT_FILE_NAME));
        }
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS))
        {
            throw new IllegalStateException(file + " exists; a cluster secret is never overwritten (remove it to rotate)");
        }
        final ClusterSecret secret = generate(random);
        final Path parent = file.toAbsolutePath().getParent();
        try
        {
            OwnerOnlyFiles.createMissingDirectories(parent);
            final Path temporary = Files.createTempFile(parent, ".secret", ".tmp",
                PosixFilePermissions.asFileAttribute(OwnerOnlyFiles.FILE_PERMISSIONS));
            try
            {
                Files.writeString(temporary, HexFormat.of().formatHex(secret.secret) + "\n", StandardCharsets.US_ASCII);
                Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
            }
            finally
            {
                Files.deleteIfExists(temporary);
            }
        }
        catch (final FileAlreadyExistsException ex)
        {
            throw new IllegalStateException(file + " exists; a cluster secret is never overwritten (remove it to rotate)");
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot write the cluster secret " + file + ": " + ex.getMessage(), ex);
        }
        return new ClusterSecret(secret.secret, file.toString());
    }

    /**
     * Read a secret file, refusing one that anyone but its owner can read or write.
     *
     * @param file the secret file.
     * @return the secret.
     * @throws IllegalStateException with one sentence saying what is wrong and what to do.
     */
    public static ClusterSecret load(final Path file)
    {
        final String problem = permissionProblem(file);
        if (null != problem)
        {
            throw new IllegalStateException(problem);
        }
        final byte[] content;
        try
        {
            if (Files.size(file) > SECRET_FILE_LENGTH_MAX_BYTES)
            {
                throw new IllegalStateException("cluster secret " + file + " is longer than " +
                    SECRET_FILE_LENGTH_MAX_BYTES + " bytes; it holds " + SECRET_LENGTH_BYTES * 2 + " hex digits");
            }
            content = Files.readAllBytes(file);
        }
        catch (final java.nio.file.AccessDeniedException ex)
        {
            throw new IllegalStateException("cannot read the cluster secret " + file + ": permission denied; it must " +
                "be readable by the user the core runs as (" + System.getProperty("user.name") + "), and by no one else",
                ex);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot read the cluster secret " + file + ": " +
                (ex instanceof java.nio.file.FileSystemException files && null != files.getReason() ? files.getReason() :
                ex instanceof java.nio.file.NoSuchFileException ? "no such file" : String.valueOf(ex.getMessage())), ex);
        }
        final String text = new String(content, StandardCharsets.US_ASCII).strip();
        if (text.length() != SECRET_LENGTH_BYTES * 2 || !text.chars().allMatch(c -> Character.digit(c, 16) >= 0))
        {
            throw new IllegalStateException("cluster secret " + file + " does not hold " + SECRET_LENGTH_BYTES * 2 +
                " hex digits; create one with: mk secret --out " + file);
        }
        return new ClusterSecret(HexFormat.of().parseHex(text), file.toString());
    }

    /**
     * @param file a secret file.
     * @return why a core must not use it (missing, not a regular file, open to group or others), or
     *         {@code null} when its permissions are owner-only.
     */
    public static String permissionProblem(final Path file)
    {
        if (!Files.exists(file))
        {
            return "cluster secret " + file + " does not exist; create one with: mk secret --out " + file;
        }
        if (!Files.isRegularFile(file))
        {
            return "cluster secret " + file + " is not a regular file";
        }
        try
        {
            final Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            final Set<PosixFilePermission> open = permissions.stream()
                .filter(permission -> !permission.name().startsWith("OWNER_"))
                .collect(java.util.stream.Collectors.toSet());
            if (!open.isEmpty())
            {
                return "cluster secret " + file + " is accessible to others (mode " +
                    PosixFilePermissions.toString(permissions) + "); run: chmod 600 " + file + " (a file mounted " +
                    "into a container: where it lies on the host; the image has no chmod)";
            }
        }
        catch (final UnsupportedOperationException ex)
        {
            return null;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read the permissions of " + file, ex);
        }
        return null;
    }

    /**
     * @return the 16-byte key of the URPC frame MAC.
     */
    public byte[] frameKey()
    {
        return Arrays.copyOf(derive(FRAME_KEY_LABEL), FRAME_KEY_LENGTH_BYTES);
    }

    /**
     * @return the admin API's bearer token: 64 hex digits.
     */
    public String adminToken()
    {
        return HexFormat.of().formatHex(derive(ADMIN_TOKEN_LABEL));
    }

    /**
     * @param presented a token a client sent, or {@code null}.
     * @param expected  the cluster's token.
     * @return true when they are equal; the time taken does not depend on where they differ.
     */
    public static boolean tokenMatches(final String presented, final String expected)
    {
        if (null == presented)
        {
            return false;
        }
        return MessageDigest.isEqual(
            presented.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
    }

    private byte[] derive(final String label)
    {
        try
        {
            final Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(label.getBytes(StandardCharsets.US_ASCII));
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("HmacSHA256 is missing from this JDK", ex);
        }
    }

    @Override
    public String toString()
    {
        return "ClusterSecret[" + source + "]";
    }
}
