package haven.coordinator.web;

import io.javalin.config.JavalinConfig;

/**
 * Staff answers must not outlive the session on a shared staff PC: incident lists, one incident, exports, the
 * report CSV, the audit trail. `Cache-Control: no-store` keeps them out of the browser's disk cache and
 * history snapshots, so the next person at the machine cannot reopen them with Back or from the cache after
 * logout. Set before the route runs (not after), so it is also on answers the access filter refuses and on
 * those an exception handler writes.
 */
public final class NoStore {
    private NoStore() {
    }

    public static void mount(JavalinConfig config) {
        config.routes.before("/api/*", ctx -> {
            ctx.header("Cache-Control", "no-store");
            ctx.header("Pragma", "no-cache");
        });
    }
}
