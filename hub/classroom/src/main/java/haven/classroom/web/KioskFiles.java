package haven.classroom.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * The kiosk page's files (index.html, kiosk.js, kiosk.css, i18n/*.json), read from the class path on each
 * request through the class loader's own open jar.
 *
 * <p>Why not Javalin's {@code staticFiles} with {@code Location.CLASSPATH}: Jetty mounts the whole jar as a
 * zip file system for it, four times at start, and keeps them. haven.jar has ~16,000 entries, so that was
 * ~64,000 index nodes and their names, some 13 MiB of the hub's ~24 MiB live heap, for a dozen small files
 * (docs/PERFORMANCE.md, "footprint"). Here nothing is kept between requests.
 */
final class KioskFiles {
    /** Names the page uses: lower-case segments, one dot before a known extension; no "..", no hidden files. */
    private static final Pattern NAME = Pattern.compile("([a-z0-9][a-z0-9_-]*/)*[a-z0-9][a-z0-9_-]*\\.[a-z0-9]+");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "json", "application/json; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon",
            "woff2", "font/woff2",
            "webmanifest", "application/manifest+json");

    private final String root;

    /** {@code root}: the class-path folder, e.g. {@code haven-ui/kiosk}. */
    KioskFiles(String root) {
        this.root = root.endsWith("/") ? root : root + "/";
    }

    /** A file's bytes, its content type and a strong ETag (CRC-32 of the bytes). */
    record File(byte[] bytes, String contentType, String etag) {
    }

    /**
     * The file for a request path ({@code /}, {@code /kiosk.js}, {@code /i18n/cy.json}), or empty when there is
     * no such file or the path is not one the kiosk serves (a folder, an unknown type, anything outside root).
     */
    Optional<File> find(String requestPath) {
        String name = requestPath.startsWith("/") ? requestPath.substring(1) : requestPath;
        if (name.isEmpty()) {
            name = "index.html";
        }
        if (!NAME.matcher(name).matches()) {
            return Optional.empty();
        }
        String type = TYPES.get(name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT));
        if (type == null) {
            return Optional.empty();
        }
        try (InputStream in = KioskFiles.class.getClassLoader().getResourceAsStream(root + name)) {
            if (in == null) {
                return Optional.empty();
            }
            byte[] bytes = in.readAllBytes();
            CRC32 crc = new CRC32();
            crc.update(bytes);
            return Optional.of(new File(bytes, type, "\"" + Long.toHexString(crc.getValue()) + "-" + bytes.length + "\""));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read kiosk file " + root + name, e);
        }
    }
}
