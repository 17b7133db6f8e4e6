package haven.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/**
 * The retained AUP on haven/v1/{site}/_site/aup/{keyStage}[/{language}]:
 * {"keyStage","version","title","markdown","publishedAt"} and, for a language other than English, "language".
 * English leaves "language" out, so hubs from before AUPs had languages still read it.
 */
public record AupMessage(String keyStage, String version, String title, String markdown, Instant publishedAt, String language) {
    public static final String ENGLISH = "en";
    /** An AUP is a page of rules for children, not a book: anything longer is a mistake. */
    public static final int MAX_MARKDOWN = 12 * 1024;

    public AupMessage(String keyStage, String version, String title, String markdown, Instant publishedAt) {
        this(keyStage, version, title, markdown, publishedAt, ENGLISH);
    }

    /** An ISO 639 code as the kiosk's message files name it: two or three lowercase letters. */
    public static String requireLanguage(String language) {
        if (language == null || !language.matches("[a-z]{2,3}")) {
            throw new ContractViolation("field 'language' must be a 2 or 3 letter language code, got '" + language + "'");
        }
        return language;
    }

    public AupMessage {
        Ids.require("keyStage", keyStage);
        requireLanguage(language);
        if (version == null || version.isBlank() || version.length() > 32) {
            throw new ContractViolation("field 'version' must be 1..32 characters");
        }
        if (title == null || title.isBlank() || title.length() > 120) {
            throw new ContractViolation("field 'title' must be 1..120 characters");
        }
        if (markdown == null || markdown.isBlank() || markdown.length() > MAX_MARKDOWN) {
            throw new ContractViolation("field 'markdown' must be 1.." + MAX_MARKDOWN + " characters");
        }
    }

    public byte[] encode() {
        ObjectNode json = Json.object();
        json.put("keyStage", keyStage);
        json.put("version", version);
        json.put("title", title);
        json.put("markdown", markdown);
        json.put("publishedAt", Json.time(publishedAt));
        if (!language.equals(ENGLISH)) {
            json.put("language", language);
        }
        return Json.write(json).getBytes(StandardCharsets.UTF_8);
    }

    public static AupMessage decode(byte[] payload) {
        if (payload.length > EventCodec.MAX_PAYLOAD_BYTES) {
            throw new ContractViolation("AUP payload is over the limit of " + EventCodec.MAX_PAYLOAD_BYTES + " bytes");
        }
        JsonNode json = Json.parse(payload);
        Json.onlyFields(json, "", List.of("keyStage", "version", "title", "markdown", "publishedAt", "language"));
        return new AupMessage(Json.requireText(json, "keyStage", 32), Json.requireText(json, "version", 32),
                Json.requireText(json, "title", 120), Json.requireText(json, "markdown", MAX_MARKDOWN),
                Json.parseTime("publishedAt", Json.requireText(json, "publishedAt", 40)),
                json.has("language") ? Json.requireText(json, "language", 3) : ENGLISH);
    }
}
