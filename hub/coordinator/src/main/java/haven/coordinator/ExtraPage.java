package haven.coordinator;

import java.util.function.Supplier;

/**
 * A read-only HTML page the composition root adds to the dashboard's server (the demo's mail catcher at
 * /demo/mail). A plain value, so code outside the web layer can offer a page without touching Javalin.
 * The page is served without a login: only the demo uses this, on 127.0.0.1.
 */
public record ExtraPage(String path, Supplier<String> html) {
    public ExtraPage {
        if (path == null || !path.startsWith("/demo/")) {
            throw new IllegalArgumentException("extra pages live under /demo/, got " + path);
        }
    }
}
