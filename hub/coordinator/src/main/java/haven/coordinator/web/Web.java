package haven.coordinator.web;

import com.fasterxml.jackson.databind.JsonNode;
import haven.coordinator.StaffSession;
import haven.protocol.Json;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;

/** What every route class shares: who is asking (set by {@link AccessFilter}), and how an answer is written. */
final class Web {
    private Web() {
    }

    /** The member of staff the access filter let through; only on routes that need a session. */
    static StaffSession staff(Context ctx) {
        return ctx.attribute(AccessFilter.STAFF);
    }

    /**
     * The one way an answer is written: a response body declared as a record (or a list of records), or a tree
     * still built by hand; both through {@link Json#writeValue}, so times and nulls read the same either way.
     */
    static void json(Context ctx, Object body) {
        ctx.contentType("application/json").result(Json.writeValue(body).getBytes(StandardCharsets.UTF_8));
    }

    /** A numeric path parameter; anything else is the caller's mistake (400 through IllegalArgumentException). */
    static long id(Context ctx, String name) {
        try {
            return Long.parseLong(ctx.pathParam(name));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number");
        }
    }

    /** An optional text field of a request body: stripped, empty as absent, at most {@code max} characters. */
    static String text(JsonNode body, String field, int max) {
        String value = body.path(field).asText("").strip();
        if (value.length() > max) {
            throw new IllegalArgumentException(field + " must be at most " + max + " characters");
        }
        return value.isEmpty() ? null : value;
    }
}
