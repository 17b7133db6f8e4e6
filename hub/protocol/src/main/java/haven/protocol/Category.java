package haven.protocol;

import java.util.Arrays;
import java.util.Optional;

/**
 * What a pupil may say the worry is about, chosen on the kiosk after the press (optional).
 * ABOUT_AN_ADULT is routed to the headteacher only: policy says a concern about staff goes to the head.
 */
public enum Category {
    UNKIND_ONLINE("unkind-online"),
    SAW_SOMETHING_UPSETTING("saw-something-upsetting"),
    STRANGER_CONTACT("stranger-contact"),
    ABOUT_AN_ADULT("about-an-adult"),
    OTHER("other");

    private final String wire;

    Category(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public static Optional<Category> fromWire(String wire) {
        return Arrays.stream(values()).filter(c -> c.wire.equals(wire)).findFirst();
    }
}
