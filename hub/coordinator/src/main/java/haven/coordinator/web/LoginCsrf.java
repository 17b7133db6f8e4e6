package haven.coordinator.web;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;

/**
 * Login CSRF: a hostile page can post a form (or a `text/plain` fetch, which needs no CORS preflight) to the
 * login or first-run routes, logging the shared staff PC into the attacker's account or spending the setup
 * link. Those routes have no session to carry a CSRF token, so they take only `Content-Type: application/json`
 * (a cross-site page cannot send it without a preflight this server never answers) and, when the browser
 * says where the request comes from, an Origin equal to the host the request was sent to.
 */
final class LoginCsrf {
    private LoginCsrf() {
    }

    static void mount(JavalinConfig config) {
        config.routes.before("/api/login", LoginCsrf::check);
        config.routes.before("/api/login/*", LoginCsrf::check);
        config.routes.before("/api/setup", LoginCsrf::check);
    }

    private static void check(Context ctx) {
        if (!ctx.method().name().equals("POST")) {
            return;
        }
        String type = ctx.header("Content-Type");
        if (type == null || !type.toLowerCase(java.util.Locale.ROOT).strip().matches("application/json\\s*(;.*)?")) {
            ctx.skipRemainingHandlers();
            ctx.status(415).result("send the login as Content-Type: application/json");
            return;
        }
        String origin = ctx.header("Origin");
        String host = ctx.header("Host");
        if (origin != null && (host == null || !(origin.equals("http://" + host) || origin.equals("https://" + host)))) {
            ctx.skipRemainingHandlers();
            ctx.status(403).result("a login must come from the dashboard's own page (Origin)");
        }
    }
}
