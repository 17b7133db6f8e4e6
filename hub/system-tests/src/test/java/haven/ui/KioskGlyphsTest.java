package haven.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.awt.Font;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Every character the kiosk can put on screen (pictograms, category symbols, keys, and every word of every
 * message file, Welsh, Arabic, Polish, Romanian and Urdu included) is drawn by DejaVu Sans, the font every
 * Raspberry Pi OS has (fonts-dejavu-core), or, for Punjabi's Gurmukhi, by Lohit Gurmukhi (fonts-lohit-guru,
 * 57 KB), and Urdu wholly by Lateef (fonts-sil-lateef, 1.2 MB, the font kiosk.css names for Urdu): DejaVu Sans
 * lacks ہ ے ۔, and a word drawn half in one font and half in another would not join. provision.sh installs
 * both. A missing glyph is an empty box on the classroom screen.
 */
class KioskGlyphsTest {
    private static final Path DEJAVU = Path.of("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf");
    private static final Path GURMUKHI = Path.of("/usr/share/fonts/truetype/lohit-punjabi/Lohit-Gurmukhi.ttf");
    private static final Path URDU = Path.of("/usr/share/fonts/opentype/lateef/Lateef-Regular.ttf");
    private static final List<String> FILES = List.of("index.html", "kiosk.js", "kiosk.css",
            "i18n/index.json", "i18n/en.json", "i18n/cy.json", "i18n/ar.json", "i18n/pl.json", "i18n/ro.json", "i18n/ur.json",
            "i18n/pa.json");
    private static final Pattern ESCAPE = Pattern.compile("\\\\u([0-9A-Fa-f]{4})");

    private static String resource(String name) throws Exception {
        try (InputStream in = KioskGlyphsTest.class.getResourceAsStream("/haven-ui/kiosk/" + name)) {
            if (in == null) {
                fail("kiosk resource missing: " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static Font font(Path file, String debianPackage) throws Exception {
        if (!Files.isReadable(file)) {
            if ("true".equals(System.getenv("CI"))) {
                fail("needs " + debianPackage + " (" + file + "); .ci/run installs it");
            }
            Assumptions.abort("needs " + debianPackage + " (" + file + ")");
        }
        return Font.createFont(Font.TRUETYPE_FONT, file.toFile());
    }

    @Test
    void everyCharacterTheKioskShowsIsInTheFontsAPiHas() throws Exception {
        Font font = font(DEJAVU, "fonts-dejavu-core");
        Font gurmukhi = font(GURMUKHI, "fonts-lohit-guru");
        Font urdu = font(URDU, "fonts-sil-lateef");
        Map<String, String> missing = new TreeMap<>();
        int checked = 0;
        for (String name : FILES) {
            String text = resource(name);
            StringBuilder shown = new StringBuilder(text);
            Matcher m = ESCAPE.matcher(text);
            while (m.find()) {
                shown.appendCodePoint(Integer.parseInt(m.group(1), 16));
            }
            int[] points = shown.codePoints().filter(cp -> cp > 0x7E && !Character.isWhitespace(cp)
                    && Character.getType(cp) != Character.FORMAT && cp != 0xFEFF).distinct().toArray();
            for (int cp : points) {
                checked++;
                // Chromium falls back to whichever installed font has the glyph (fontconfig), as on the Pi.
                if (name.equals("i18n/ur.json") ? !urdu.canDisplay(cp) : !font.canDisplay(cp) && !gurmukhi.canDisplay(cp)) {
                    missing.put(String.format("U+%04X %s", cp, new String(Character.toChars(cp))), name);
                }
            }
        }
        assertFalse(checked < 50, "the check saw the Welsh and Arabic words and the symbols: " + checked);
        assertEquals(Map.of(), missing, "characters the kiosk's fonts cannot draw (Urdu: Lateef alone), by file");
    }
}
