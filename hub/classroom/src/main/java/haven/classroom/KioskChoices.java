package haven.classroom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.config.ConfigFile;
import haven.protocol.Category;
import java.util.ArrayList;
import java.util.List;

/**
 * What the kiosk offers pupils of its key stage: the categories on the thank-you screen and the helplines
 * on the AUP screen, for the pupil who will not tell anyone in school. Teenagers report nudes and
 * sextortion, self-harm, pressure or coercion and extremism, which the younger list leaves out; a school
 * can set its own list (hub.yaml kiosk.categories). docs/KIOSK.md has the defaults and why.
 */
public record KioskChoices(List<Category> categories, List<String> signposts) {
    static final int MAX_CATEGORIES = 9;
    private static final List<Category> YOUNGER = List.of(Category.UNKIND_ONLINE, Category.SAW_SOMETHING_UPSETTING,
            Category.STRANGER_CONTACT, Category.ABOUT_AN_ADULT, Category.OTHER);
    private static final List<Category> TEENAGERS = List.of(Category.UNKIND_ONLINE, Category.SAW_SOMETHING_UPSETTING,
            Category.STRANGER_CONTACT, Category.NUDES_OR_SEXTORTION, Category.SELF_HARM, Category.PRESSURE_OR_COERCION,
            Category.EXTREMISM, Category.ABOUT_AN_ADULT, Category.OTHER);

    public KioskChoices {
        categories = List.copyOf(categories);
        signposts = List.copyOf(signposts);
    }

    /** Childline (0800 1111) for every pupil; CEOP's reporting site from KS2, when pupils go online alone. */
    public static KioskChoices forKeyStage(String keyStage) {
        List<Category> categories = keyStage.equals("ks3") || keyStage.equals("ks4") ? TEENAGERS : YOUNGER;
        List<String> signposts = switch (keyStage) {
            case "eyfs", "ks1" -> List.of("childline");
            case "staff" -> List.of();
            default -> List.of("childline", "ceop");
        };
        return new KioskChoices(categories, signposts);
    }

    static KioskChoices from(ConfigFile file, String keyStage) {
        KioskChoices defaults = forKeyStage(keyStage);
        JsonNode list = file.node("kiosk.categories");
        // Absent or [] (as the sample hub.yaml has it): the key stage's own list.
        if (list == null || list.isMissingNode() || list.isNull() || list.isArray() && list.isEmpty()) {
            return defaults;
        }
        if (!list.isArray() || list.size() > MAX_CATEGORIES) {
            throw file.error("kiosk.categories", "a list of up to " + MAX_CATEGORIES + " categories, or [] for the key stage's own");
        }
        List<Category> chosen = new ArrayList<>();
        for (JsonNode item : list) {
            Category category = Category.fromWire(item.asText())
                    .orElseThrow(() -> file.error("kiosk.categories", "categories from " + wires()));
            if (chosen.contains(category)) {
                throw file.error("kiosk.categories", "each category once, got '" + category.wire() + "' twice");
            }
            chosen.add(category);
        }
        return new KioskChoices(chosen, defaults.signposts());
    }

    private static List<String> wires() {
        return java.util.Arrays.stream(Category.values()).map(Category::wire).toList();
    }

    public boolean offers(String wire) {
        return categories.stream().anyMatch(c -> c.wire().equals(wire));
    }

    public ObjectNode shape(ObjectNode view) {
        var list = view.putArray("categories");
        categories.forEach(c -> list.add(c.wire()));
        var signs = view.putArray("signposts");
        signposts.forEach(signs::add);
        return view;
    }
}
