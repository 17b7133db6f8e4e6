package haven.classroom;

import haven.protocol.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.html.HtmlRenderer;

/**
 * An Acceptable Use Policy as shown on the kiosk. Markdown is rendered with raw HTML escaped and unsafe
 * URLs removed, so a published AUP can never run script on a classroom screen.
 */
public record Aup(String keyStage, String version, String title, String markdown) {
    private static final Parser PARSER = Parser.builder().build();
    private static final HtmlRenderer RENDERER = HtmlRenderer.builder().escapeHtml(true).sanitizeUrls(true).build();

    public String html() {
        return RENDERER.render(PARSER.parse(markdown));
    }

    public ObjectNode toJson() {
        ObjectNode json = Json.object();
        json.put("keyStage", keyStage);
        json.put("version", version);
        json.put("title", title);
        json.put("html", html());
        return json;
    }

    /** The sample AUP shipped in kiosk-ui for a key stage: "sample-1" until the school publishes its own. */
    public static Aup sample(String keyStage) {
        String path = "/haven-ui/aup/" + keyStage + ".md";
        try (InputStream in = Aup.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("sample AUP missing from kiosk-ui: " + path);
            }
            String markdown = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            String title = markdown.lines().filter(l -> l.startsWith("# ")).findFirst()
                    .map(l -> l.substring(2).trim()).orElse("Acceptable Use Policy");
            return new Aup(keyStage, "sample-1", title, markdown);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + path, e);
        }
    }
}
