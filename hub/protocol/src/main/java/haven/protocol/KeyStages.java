package haven.protocol;

import java.util.List;

/** The AUP audiences: England's key stages, plus one for staff. */
public final class KeyStages {
    public static final List<String> ALL = List.of("eyfs", "ks1", "ks2", "ks3", "ks4", "staff");

    private KeyStages() {
    }
}
