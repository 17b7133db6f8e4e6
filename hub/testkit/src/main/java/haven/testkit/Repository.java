package haven.testkit;

import java.nio.file.Files;
import java.nio.file.Path;

/** The checkout the tests run in: shipped files (firmware-config/, docs/) are tested as they are shipped. */
public final class Repository {
    private Repository() {
    }

    /** The folder holding firmware-config/ and docs/, found upwards from the module Maven runs the tests in. */
    public static Path root() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("firmware-config")) && Files.isDirectory(dir.resolve("docs"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no firmware-config/ and docs/ above " + Path.of("").toAbsolutePath());
    }

    public static Path file(String relative) {
        return root().resolve(relative);
    }
}
