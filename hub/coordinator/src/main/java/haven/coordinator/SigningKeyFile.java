package haven.coordinator;

import haven.protocol.ContractViolation;
import haven.protocol.CoordinatorSigner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's signing key on disk (docs/INSTALL-COORDINATOR.md, "The command signing key"). Made on
 * first start, owner-only (0600) like an SSH host key, and refused at start if anyone else may read it: whoever
 * holds it can command every hub of the school. Next to it, {@code coordinator-signing.pub} holds the public key
 * in the one-line form hub.yaml's {@code coordinator.publicKey} takes ({@code haven provision-hub} copies it).
 */
public final class SigningKeyFile {
    private static final Logger log = LoggerFactory.getLogger(SigningKeyFile.class);
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final String PRIVATE = "PRIVATE KEY";
    private static final String PUBLIC = "PUBLIC KEY";

    private SigningKeyFile() {
    }

    /** Where the public half is written: coordinator-signing.key -> coordinator-signing.pub. */
    public static Path publicKeyFile(Path keyFile) {
        String name = keyFile.getFileName().toString();
        return keyFile.resolveSibling(name.endsWith(".key") ? name.substring(0, name.length() - 4) + ".pub" : name + ".pub");
    }

    public static CoordinatorSigner loadOrCreate(Path keyFile) {
        try {
            if (Files.exists(keyFile)) {
                return load(keyFile);
            }
            CoordinatorSigner signer = CoordinatorSigner.generate();
            save(keyFile, signer);
            log.info("command signing key made file={} keyId={}", keyFile, signer.publicKey().id());
            return signer;
        } catch (IOException e) {
            throw new haven.config.ConfigException("signing key " + keyFile + ": cannot be read or made ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    /** Writes a key pair owner-only (then its .pub); the file appears whole or not at all. */
    public static void save(Path keyFile, CoordinatorSigner signer) throws IOException {
        Path dir = keyFile.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temp = dir.resolve("." + keyFile.getFileName() + ".new");
        Files.deleteIfExists(temp);
        if (posix()) {
            // Owner-only from its first byte: never a moment when the private key is readable by others.
            Files.createFile(temp, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        }
        Files.writeString(temp, pem(PRIVATE, signer.pkcs8()) + pem(PUBLIC, signer.publicKey().key().getEncoded()),
                StandardCharsets.US_ASCII);
        try {
            Files.move(temp, keyFile, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, keyFile);
        }
        Files.writeString(publicKeyFile(keyFile), signer.publicKey().encoded() + "\n", StandardCharsets.US_ASCII);
    }

    private static CoordinatorSigner load(Path keyFile) throws IOException {
        if (posix()) {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(keyFile);
            if (!OWNER_ONLY.containsAll(perms)) {
                throw new haven.config.ConfigException("signing key " + keyFile + " may be read by others ("
                        + PosixFilePermissions.toString(perms) + "): chmod 600 it (whoever reads it can command every hub)");
            }
        }
        String text = Files.readString(keyFile, StandardCharsets.US_ASCII);
        try {
            CoordinatorSigner signer = CoordinatorSigner.of(block(text, PRIVATE), block(text, PUBLIC));
            Path pub = publicKeyFile(keyFile);
            if (!Files.exists(pub)) {
                Files.writeString(pub, signer.publicKey().encoded() + "\n", StandardCharsets.US_ASCII);
            }
            log.info("command signing key loaded file={} keyId={}", keyFile, signer.publicKey().id());
            return signer;
        } catch (ContractViolation e) {
            throw new haven.config.ConfigException("signing key " + keyFile + ": " + e.getMessage());
        }
    }

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    private static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + label + "-----\n";
    }

    private static byte[] block(String text, String label) {
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        int from = text.indexOf(begin);
        int to = text.indexOf(end);
        if (from < 0 || to < from) {
            throw new ContractViolation("holds no " + label + " block");
        }
        try {
            return Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to));
        } catch (IllegalArgumentException e) {
            throw new ContractViolation("its " + label + " block is not base64");
        }
    }
}
