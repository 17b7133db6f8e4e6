package haven.classroom;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.config.ConfigFile;
import java.util.Locale;

/**
 * How much the classroom screen says after a press (hub.yaml {@code kiosk.mode}; docs/KIOSK.md says when
 * a school would choose which). Discreet: the AUP stays on screen with a one-line "Thank you", the choices
 * open only if the pupil touches "Tell us more", and a trusted adult's acknowledgement is the amber LED
 * going out, never a sentence for the whole room.
 */
public enum KioskMode {
    STANDARD, DISCREET;

    static KioskMode from(ConfigFile file) {
        String value = file.string("kiosk.mode", "standard");
        try {
            return valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw file.error("kiosk.mode", "standard or discreet");
        }
    }

    /** Adjusts the kiosk's view in place: the discreet screen never shows the acknowledgement sentence. */
    public ObjectNode shape(ObjectNode view) {
        view.put("mode", name().toLowerCase(Locale.ROOT));
        if (this == DISCREET && "acknowledged".equals(view.path("screen").asText())) {
            view.put("screen", "idle");
            view.put("screenRemainingMs", 0);
            view.remove("report");
        }
        return view;
    }
}
