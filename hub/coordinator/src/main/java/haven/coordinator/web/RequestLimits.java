package haven.coordinator.web;

import com.fasterxml.jackson.databind.JsonNode;
import haven.protocol.Json;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.util.Map;

/**
 * Anyone on the network can call the login and first-run routes, and what they send is logged (a failed login
 * is audited with the name tried). So every body is bounded, and the fields of the public routes are bounded
 * before any route reads them: a 900 KB name must not become a 900 KB audit row, a log line or a map key.
 */
public final class RequestLimits {
    /** Larger than any AUP or closing note the staff routes accept; the rest is refused with 413 before it is read. */
    public static final long MAX_BODY_BYTES = 256 * 1024;
    /** Staff names are at most 32 characters (StaffAccounts); 64 leaves room and still bounds what is audited. */
    public static final int MAX_NAME = 64;
    /** bcrypt reads 72 bytes; anything much longer is not a password a person typed. */
    public static final int MAX_PASSWORD = 256;
    /** The longest field of each public route, by name. */
    private static final Map<String, Integer> FIELDS = Map.of("name", MAX_NAME, "password", MAX_PASSWORD,
            "token", 128, "code", 32);

    private RequestLimits() {
    }

    public static void mount(JavalinConfig config) {
        config.http.maxRequestSize = MAX_BODY_BYTES;
        config.routes.before("/api/login", RequestLimits::boundFields);
        config.routes.before("/api/login/*", RequestLimits::boundFields);
        config.routes.before("/api/setup", RequestLimits::boundFields);
    }

    private static void boundFields(Context ctx) {
        if (!ctx.method().name().equals("POST")) {
            return;
        }
        String why = why(ctx);
        if (why != null) {
            ctx.skipRemainingHandlers();
            ctx.status(why.startsWith("the request") ? 413 : 400).result(why);
        }
    }

    private static String why(Context ctx) {
        if (ctx.contentLength() > MAX_BODY_BYTES) {
            return "the request body is larger than " + MAX_BODY_BYTES + " bytes";
        }
        JsonNode body;
        try {
            body = Json.parse(ctx.bodyAsBytes());
        } catch (io.javalin.http.HttpResponseException e) {
            throw e; // too large without a Content-Length: Javalin's own 413
        } catch (RuntimeException e) {
            return "the body must be a JSON object";
        }
        if (body == null || !body.isObject()) {
            return "the body must be a JSON object";
        }
        for (var field : FIELDS.entrySet()) {
            JsonNode value = body.get(field.getKey());
            if (value != null && !value.isNull() && (!value.isValueNode() || value.asText().length() > field.getValue())) {
                return field.getKey() + " must be text of at most " + field.getValue() + " characters";
            }
        }
        return null;
    }
}
