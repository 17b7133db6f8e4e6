package haven.coordinator.web;

import haven.coordinator.TrustedProxies;
import io.javalin.config.JavalinConfig;

/**
 * Who the client is, for every `ctx.ip()` of the dashboard (the login limit, the audit's address, /metrics'
 * "this machine only"): the connection's peer, or behind a configured trusted proxy (`http.trustedProxies`) the
 * rightmost X-Forwarded-For hop that is not one of ours (docs/SECURITY.md).
 */
final class ClientAddress {
    private ClientAddress() {
    }

    static void mount(JavalinConfig config, TrustedProxies proxies) {
        config.contextResolver.ip = ctx -> proxies.client(ctx.req().getRemoteAddr(), ctx.header("X-Forwarded-For"));
    }
}
