package haven.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.DecodeHintType;
import com.google.zxing.RGBLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The enrolment QR code scans back to the very otpauth:// URI (decoded by ZXing, the decoder inside many
 * phone apps, from the SVG's own squares drawn as pixels), and the SVG is only our fixed markup.
 */
class QrSvgTest {
    /** Everything the SVG may be: one white rect and one black path of unit squares, numbers only. */
    private static final Pattern SHAPE = Pattern.compile("<svg xmlns=\"http://www\\.w3\\.org/2000/svg\" viewBox=\"0 0 (\\d+) \\1\""
            + " shape-rendering=\"crispEdges\"><rect width=\"\\1\" height=\"\\1\" fill=\"#ffffff\"/>"
            + "<path d=\"([Mhvz0-9,-]+)\" fill=\"#000000\"/></svg>");
    private static final Pattern SQUARE = Pattern.compile("M(\\d+),(\\d+)h1v1h-1z");
    private static final int PIXELS_PER_MODULE = 6;

    /** Draws the SVG's squares into a bitmap and has ZXing read it, as a phone camera would the screen. */
    static String decode(String svg) throws Exception {
        Matcher m = SHAPE.matcher(svg);
        assertTrue(m.matches(), "only the fixed SVG markup: " + svg);
        // The path is only unit squares: checked without a repeated regex group, whose recursion per square
        // overflowed the stack on a CI machine (a character class and a find loop do not recurse).
        assertTrue(SQUARE.matcher(m.group(2)).replaceAll("").isEmpty(), "the path is unit squares only: " + m.group(2));
        int modules = Integer.parseInt(m.group(1));
        int width = modules * PIXELS_PER_MODULE;
        int[] pixels = new int[width * width];
        java.util.Arrays.fill(pixels, 0xffffffff);
        Matcher square = SQUARE.matcher(m.group(2));
        while (square.find()) {
            int x = Integer.parseInt(square.group(1));
            int y = Integer.parseInt(square.group(2));
            assertTrue(x >= QrSvg.BORDER && y >= QrSvg.BORDER && x < modules - QrSvg.BORDER && y < modules - QrSvg.BORDER,
                    "the quiet zone is left white");
            for (int py = y * PIXELS_PER_MODULE; py < (y + 1) * PIXELS_PER_MODULE; py++) {
                java.util.Arrays.fill(pixels, py * width + x * PIXELS_PER_MODULE, py * width + (x + 1) * PIXELS_PER_MODULE, 0xff000000);
            }
        }
        BinaryBitmap bitmap = new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(width, width, pixels)));
        return new QRCodeReader().decode(bitmap, Map.of(DecodeHintType.TRY_HARDER, Boolean.TRUE)).getText();
    }

    @Test
    void theQrCodeScansBackToTheOtpauthUri() throws Exception {
        byte[] key = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);
        String uri = Totp.otpauthUri("Haven", "dsl", key);
        assertEquals(uri, decode(QrSvg.of(uri)));
        String other = Totp.otpauthUri("Haven", "deputy.head", new byte[20]);
        assertEquals(other, decode(QrSvg.of(other)), "each URI its own code");
    }

    @Test
    void markupInTheAccountNameStaysOutOfTheSvg() throws Exception {
        String hostile = "otpauth://totp/Haven:a\"><script>alert(1)</script>&x=<b>?secret=ABC";
        String svg = QrSvg.of(hostile);
        assertFalse(svg.contains("script") || svg.contains("alert"), svg);
        assertEquals(hostile, decode(svg), "carried only in the squares");
    }
}
