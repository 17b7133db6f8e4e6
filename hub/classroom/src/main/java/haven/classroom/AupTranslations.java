package haven.classroom;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The room's AUP in the languages other than English that the school published (docs/KIOSK.md): the kiosk
 * shows the one the pupil chose with the language button, or English with a note when that language has
 * none. English stays in {@link Classroom} (what the hub reports it shows); these are cached by {@link AupCache}.
 */
public final class AupTranslations {
    private final Map<String, Aup> byLanguage = new ConcurrentHashMap<>();

    /** What the kiosk shows for a language: that language's AUP, or English as a fallback. */
    public record Shown(Aup aup, String language, boolean fallback) {
        public ObjectNode toJson() {
            ObjectNode json = aup.toJson();
            json.put("language", language);
            json.put("fallback", fallback);
            return json;
        }
    }

    public void put(String language, Aup aup) {
        byLanguage.put(language, aup);
    }

    public Optional<Aup> get(String language) {
        return Optional.ofNullable(byLanguage.get(language));
    }

    /** Language -> version, for the kiosk's state: the page fetches a translation when its version changes. */
    public Map<String, String> versions() {
        Map<String, String> out = new TreeMap<>();
        byLanguage.forEach((language, aup) -> out.put(language, aup.version()));
        return out;
    }

    public Shown shown(String language, Aup english) {
        if (language == null || language.equals("en")) {
            return new Shown(english, "en", false);
        }
        return get(language).map(a -> new Shown(a, language, false)).orElseGet(() -> new Shown(english, "en", true));
    }
}
