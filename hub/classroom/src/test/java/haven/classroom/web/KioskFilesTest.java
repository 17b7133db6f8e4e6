package haven.classroom.web;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import org.junit.jupiter.api.Test;

/** The kiosk page's files from the class path (kiosk-ui's haven-ui/kiosk), and nothing else. */
class KioskFilesTest {
    private final KioskFiles files = new KioskFiles("haven-ui/kiosk");

    @Test
    void theRootIsThePageAndEachFileComesWithItsTypeAndBytes() throws Exception {
        KioskFiles.File page = files.find("/").orElseThrow();
        assertEquals("text/html; charset=utf-8", page.contentType());
        assertArrayEquals(resource("haven-ui/kiosk/index.html"), page.bytes());
        assertArrayEquals(page.bytes(), files.find("/index.html").orElseThrow().bytes());
        assertEquals("text/javascript; charset=utf-8", files.find("/kiosk.js").orElseThrow().contentType());
        assertEquals("text/css; charset=utf-8", files.find("/kiosk.css").orElseThrow().contentType());
        KioskFiles.File welsh = files.find("/i18n/cy.json").orElseThrow();
        assertEquals("application/json; charset=utf-8", welsh.contentType());
        assertArrayEquals(resource("haven-ui/kiosk/i18n/cy.json"), welsh.bytes());
    }

    @Test
    void theEtagFollowsTheBytes() {
        String js = files.find("/kiosk.js").orElseThrow().etag();
        assertEquals(js, files.find("/kiosk.js").orElseThrow().etag());
        assertNotEquals(js, files.find("/kiosk.css").orElseThrow().etag());
        assertTrue(js.startsWith("\"") && js.endsWith("\""), js);
    }

    @Test
    void foldersMissingFilesOtherTypesAndPathsOutOfTheFolderAreNotServed() {
        for (String path : new String[] {"/i18n", "/i18n/", "/missing.js", "/i18n/xx.json", "/../dashboard/index.html",
                "/i18n/../index.html", "/%2e%2e/dashboard/index.html", "/.hidden.js", "/Index.html", "/index.html/",
                "//index.html", "/haven/classroom/web/KioskFiles.class", "/../../haven/classroom/web/KioskFiles.class"}) {
            assertTrue(files.find(path).isEmpty(), path);
        }
    }

    private static byte[] resource(String name) throws Exception {
        try (InputStream in = KioskFilesTest.class.getClassLoader().getResourceAsStream(name)) {
            return in.readAllBytes();
        }
    }
}
