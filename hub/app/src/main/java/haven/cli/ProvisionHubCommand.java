package haven.cli;

import haven.protocol.Ids;
import haven.protocol.RoomId;
import haven.protocol.Topics;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Makes the broker account of one classroom hub: a random password, its Mosquitto password-file line,
 * the ACL section that confines the hub to its own room's topics, and the hub.yaml lines to paste.
 * Run on the broker host; firmware-config/mosquitto/acl.example shows the result.
 */
@Command(name = "provision-hub", mixinStandardHelpOptions = true,
        description = {"Create the MQTT broker account of one classroom hub (Mosquitto password line + ACL)",
                "and print the hub.yaml mqtt settings. Re-running rotates the hub's password."})
final class ProvisionHubCommand implements Callable<Integer> {
    /** Mosquitto 2.x password hash "$7$": PBKDF2-HMAC-SHA512, as mosquitto_passwd writes it by default. */
    static final int ITERATIONS = 101;
    static final int SALT_BYTES = 12;
    static final int HASH_BYTES = 64;
    static final int PASSWORD_LENGTH = 24;
    /** Letters and digits only: the password goes into YAML and shells without quoting surprises. */
    private static final char[] ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    @Spec
    CommandSpec spec;

    @Option(names = "--site", required = true, description = "site id, e.g. example-school")
    String site;

    @Option(names = "--room", required = true, description = "room id, e.g. room-12")
    String room;

    @Option(names = "--password-file", paramLabel = "FILE",
            description = "Mosquitto password_file to add the hub to (its old line, if any, is replaced); "
                    + "without it the line is printed")
    Path passwordFile;

    @Option(names = "--acl-file", paramLabel = "FILE",
            description = "Mosquitto acl_file to append the hub's section to (kept if already there); "
                    + "without it the section is printed")
    Path aclFile;

    @Option(names = "--broker-uri", paramLabel = "URI", defaultValue = "ssl://mqtt.school.example:8883",
            description = "broker address the hub will use, for the printed hub.yaml (default: ${DEFAULT-VALUE})")
    String brokerUri;

    @Option(names = "--coordinator-key", paramLabel = "FILE", defaultValue = "/var/lib/haven/coordinator-signing.pub",
            description = "the coordinator's public signing key, which the coordinator writes at first start; copied into "
                    + "the hub.yaml so the hub obeys only commands the coordinator signed (default: ${DEFAULT-VALUE})")
    Path coordinatorKey;

    private final SecureRandom random = new SecureRandom();

    @Override
    public Integer call() throws IOException {
        RoomId roomId = new RoomId(Ids.require("site", site), RoomId.requireRoom(room));
        if (!brokerUri.startsWith("ssl://") && !brokerUri.startsWith("tcp://")) {
            throw new IllegalArgumentException("--broker-uri must be a tcp:// or ssl:// address, got '" + brokerUri + "'");
        }
        String publicKey = coordinatorPublicKey();
        String user = username(roomId);
        char[] password = randomPassword();
        try {
            byte[] salt = new byte[SALT_BYTES];
            random.nextBytes(salt);
            String passwordLine = passwordLine(user, password, salt);
            List<String> acl = aclSection(roomId, user);
            PrintWriter out = spec.commandLine().getOut();

            if (passwordFile != null) {
                replaceUser(passwordFile, user, passwordLine);
                out.println("# password of " + user + " written to " + passwordFile);
            } else {
                out.println("# Mosquitto password_file line:");
                out.println(passwordLine);
            }
            if (aclFile != null) {
                out.println(appendAcl(aclFile, user, acl)
                        ? "# ACL section of " + user + " appended to " + aclFile
                        : "# ACL section of " + user + " already in " + aclFile + ", kept");
            } else {
                out.println("# Mosquitto acl_file section:");
                acl.forEach(out::println);
            }
            if (passwordFile != null || aclFile != null) {
                out.println("# then: systemctl reload mosquitto   (re-reads the password and ACL files)");
            }
            out.println("# hub.yaml of " + roomId.site() + "/" + roomId.room() + ":");
            out.println("site: " + roomId.site());
            out.println("room: " + roomId.room());
            out.println("mqtt:");
            out.println("  uri: " + brokerUri);
            out.println("  username: " + user);
            out.println("  password: \"" + new String(password) + "\"");
            // The shipped broker uses the username as the client id (use_username_as_clientid), so say the same here.
            out.println("  clientId: " + user);
            out.println("coordinator:");
            out.println("  # the coordinator's command signing key (" + coordinatorKey + "): commands signed by any other are refused");
            out.println("  publicKey: \"" + publicKey + "\"");
            out.flush();
            return 0;
        } finally {
            Arrays.fill(password, ' ');
        }
    }

    /** Read first, so a missing key stops the run before a password is made or a file touched. */
    private String coordinatorPublicKey() throws IOException {
        if (!Files.isReadable(coordinatorKey)) {
            throw new IllegalArgumentException("--coordinator-key: cannot read " + coordinatorKey + "; the coordinator writes"
                    + " it at first start next to its database (docs/INSTALL-COORDINATOR.md), copy it here or name its path");
        }
        String text = Files.readString(coordinatorKey, StandardCharsets.US_ASCII).strip();
        try {
            return haven.protocol.CoordinatorKey.parse(text).encoded();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--coordinator-key " + coordinatorKey + ": " + e.getMessage());
        }
    }

    static String username(RoomId room) {
        return "hub-" + room.site() + "-" + room.room();
    }

    /** The hub may speak only for its own room; docs/asyncapi.yaml names the topics. */
    static List<String> aclSection(RoomId room, String user) {
        String roomRoot = Topics.ROOT + "/" + room.site() + "/" + room.room();
        return List.of(
                "user " + user,
                "topic write " + Topics.status(room),
                "topic write " + roomRoot + "/event/#",
                "topic read " + roomRoot + "/cmd/#",
                "topic read " + Topics.aups(room.site()),
                "topic read " + Topics.filterTargets(room.site()),
                "topic read " + Topics.chainHead(room.site()));
    }

    /**
     * One password_file line in Mosquitto 2.x's PBKDF2 format: {@code user:$7$101$<salt>$<hash>}, salt
     * and hash in standard Base64 (mosquitto's password_mosq.c, pw__hash with pw_sha512_pbkdf2). 101
     * iterations is mosquitto_passwd's own default; the password is 143 random bits, so the iteration
     * count is not what protects it.
     */
    static String passwordLine(String user, char[] password, byte[] salt) {
        if (user.indexOf(':') >= 0) {
            throw new IllegalArgumentException("a Mosquitto user name cannot contain ':', got '" + user + "'");
        }
        PBEKeySpec keySpec = new PBEKeySpec(password, salt, ITERATIONS, HASH_BYTES * 8);
        try {
            byte[] hash = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512").generateSecret(keySpec).getEncoded();
            Base64.Encoder b64 = Base64.getEncoder();
            return user + ":$7$" + ITERATIONS + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA512 is missing from this JVM", e);
        } finally {
            keySpec.clearPassword();
        }
    }

    private char[] randomPassword() {
        char[] password = new char[PASSWORD_LENGTH];
        for (int i = 0; i < password.length; i++) {
            password[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        }
        return password;
    }

    /** Replaces the user's line (a re-run rotates the password) and keeps every other line as it was. */
    private static void replaceUser(Path file, String user, String line) throws IOException {
        List<String> lines = new ArrayList<>();
        if (Files.exists(file)) {
            for (String existing : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!existing.startsWith(user + ":")) {
                    lines.add(existing);
                }
            }
        }
        lines.add(line);
        writeAtomically(file, lines);
    }

    /** Appends the section unless the file already has one for this user; true when it appended. */
    private static boolean appendAcl(Path file, String user, List<String> section) throws IOException {
        List<String> lines = Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
        if (lines.stream().map(String::strip).anyMatch(("user " + user)::equals)) {
            return false;
        }
        List<String> updated = new ArrayList<>(lines);
        if (!updated.isEmpty() && !updated.getLast().isBlank()) {
            updated.add("");
        }
        updated.addAll(section);
        writeAtomically(file, updated);
        return true;
    }

    /**
     * Writes beside the file and renames over it, so the broker never reads half a file. An existing file
     * keeps its owner, group and mode (on the broker: root:mosquitto 0640); a new one is made 0640.
     */
    private static void writeAtomically(Path file, List<String> lines) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            if (Files.exists(file)) {
                PosixFileAttributes old = Files.readAttributes(file, PosixFileAttributes.class);
                PosixFileAttributeView view = Files.getFileAttributeView(tmp, PosixFileAttributeView.class);
                view.setOwner(old.owner());
                view.setGroup(old.group());
                view.setPermissions(old.permissions());
            } else {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r-----"));
            }
            Files.write(tmp, lines, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
