package haven.coordinator.notify;

/** One way to reach a contact (e-mail, a webhook). Blocking: called on a virtual thread of the notifier. */
public interface Channel {

    /** What the other side said: accepted (SMTP 250, HTTP 2xx) or not, and its reply or the error, for the timeline. */
    record Outcome(boolean accepted, String detail) {
        public Outcome {
            detail = detail == null ? "" : detail.length() > 300 ? detail.substring(0, 300) : detail;
        }

        static Outcome failed(Exception e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
            return new Outcome(false, e.getClass().getSimpleName() + ": " + message);
        }
    }

    Outcome send(Contact contact, Alert alert);
}
