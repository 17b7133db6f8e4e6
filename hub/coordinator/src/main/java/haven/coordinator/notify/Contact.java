package haven.coordinator.notify;

import java.util.List;
import java.util.Optional;

/**
 * A member of staff the ladder can reach: their staff account (so the dashboard link works for them and
 * the alert follows what their role may see) and their channels, tried in order: e-mail, Web Push to the
 * devices they subscribed, then each webhook, when the one before is down.
 */
public record Contact(String staff, Optional<String> email, boolean push, List<String> webhooks) {
    public Contact {
        webhooks = List.copyOf(webhooks);
        if (email.isEmpty() && !push && webhooks.isEmpty()) {
            throw new IllegalArgumentException("contact '" + staff + "' needs an email, push or a webhook");
        }
    }

    public Contact(String staff, Optional<String> email, List<String> webhooks) {
        this(staff, email, false, webhooks);
    }

    /** Channel names in the order they are tried: "email", "push" (their subscribed devices), then "webhook:NAME". */
    public List<String> channels() {
        List<String> out = new java.util.ArrayList<>();
        email.ifPresent(e -> out.add(EMAIL));
        if (push) {
            out.add(PUSH);
        }
        webhooks.forEach(w -> out.add(WEBHOOK_PREFIX + w));
        return out;
    }

    public static final String EMAIL = "email";
    public static final String PUSH = "push";
    public static final String WEBHOOK_PREFIX = "webhook:";
}
