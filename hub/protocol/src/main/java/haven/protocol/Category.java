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
    OTHER("other"),
    // What teenagers report that the first five miss (offered on KS3/KS4 kiosks, docs/KIOSK.md).
    NUDES_OR_SEXTORTION("nudes-or-sextortion"),
    SELF_HARM("self-harm"),
    PRESSURE_OR_COERCION("pressure-or-coercion"),
    EXTREMISM("extremism");

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
