package haven.classroom.web;

import io.javalin.http.Context;
import java.util.Locale;
import java.util.Set;

/**
 * Only the kiosk's own page may use the kiosk. It listens on 127.0.0.1, but every other page open in a
 * browser on the Pi (or on a machine it is bound for in hub.yaml) can still reach 127.0.0.1: a foreign page
 * could press the button, add a detail or read the screen's state over a cross-origin WebSocket. So every
 * request and the socket's upgrade must name a host the kiosk answers to (this refuses DNS rebinding, where
 * a foreign name resolves to 127.0.0.1 and so its Origin matches its own Host), and a browser's Origin, when
 * it sends one, must be that same host. Tools without a browser (curl, the tests, the hub's own checks) send
 * no Origin and are let through: they do not carry a pupil's browser session, and none exists.
 */
final class KioskOrigin {
    private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost", "[::1]");

    private final Set<String> hosts;

    /** @param bindHost the address the kiosk listens on (hub.yaml http.host); loopback names are always allowed */
    KioskOrigin(String bindHost) {
        String bind = bindHost == null ? "" : bindHost.toLowerCase(Locale.ROOT);
        if (bind.contains(":") && !bind.startsWith("[")) {
            bind = "[" + bind + "]"; // an IPv6 address appears bracketed in a Host header
        }
        boolean wildcard = bind.isEmpty() || bind.equals("0.0.0.0") || bind.equals("[::]");
        java.util.Set<String> all = new java.util.HashSet<>(LOOPBACK);
        if (!wildcard) {
            all.add(bind);
        }
        this.hosts = Set.copyOf(all);
    }

    /** Why this request is refused, or null when it comes from the kiosk's own page (or from no browser at all). */
    String refusal(String hostHeader, String origin) {
        if (hostHeader == null || !hosts.contains(hostOnly(hostHeader.toLowerCase(Locale.ROOT)))) {
            return "the kiosk answers only to its own address (Host header)";
        }
        if (origin != null && !origin.equalsIgnoreCase("http://" + hostHeader)) {
            return "the kiosk answers only to its own page (Origin header)";
        }
        return null;
    }

    /** Refuses the request in a before handler; true when refused. */
    boolean refuse(Context ctx) {
        String why = refusal(ctx.header("Host"), ctx.header("Origin"));
        if (why == null) {
            return false;
        }
        ctx.skipRemainingHandlers();
        ctx.status(403).result(why);
        return true;
    }

    private static String hostOnly(String host) {
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            return end < 0 ? host : host.substring(0, end + 1);
        }
        int colon = host.indexOf(':');
        return colon < 0 ? host : host.substring(0, colon);
    }
}
