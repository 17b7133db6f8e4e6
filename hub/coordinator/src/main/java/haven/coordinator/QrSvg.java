package haven.coordinator;

import io.nayuki.qrcodegen.QrCode;

/**
 * The QR code of a text as a small SVG, for the otpauth:// URI at second-factor enrolment: staff sign in on a
 * PC and enrol on their phone, so the phone's app must be able to scan the key off the screen. The library
 * only computes the module matrix; the SVG is written here from that matrix alone, with fixed elements and
 * attributes (one white rect, one black path of digits), so nothing of the text (the staff name is in the URI)
 * ends up as markup the browser could read as anything but an image.
 */
public final class QrSvg {
    /** The quiet zone the QR specification (ISO/IEC 18004, 4 modules) asks for around the symbol. */
    static final int BORDER = 4;

    private QrSvg() {
    }

    /**
     * The SVG of {@code text}, error correction level M (15% of the symbol may be lost to glare or a smudged
     * screen): an otpauth URI fits well inside a version that phone cameras read at arm's length.
     */
    public static String of(String text) {
        QrCode qr = QrCode.encodeText(text, QrCode.Ecc.MEDIUM);
        int size = qr.size + BORDER * 2;
        StringBuilder d = new StringBuilder();
        for (int y = 0; y < qr.size; y++) {
            for (int x = 0; x < qr.size; x++) {
                if (qr.getModule(x, y)) {
                    d.append('M').append(x + BORDER).append(',').append(y + BORDER).append("h1v1h-1z");
                }
            }
        }
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + size + " " + size
                + "\" shape-rendering=\"crispEdges\"><rect width=\"" + size + "\" height=\"" + size
                + "\" fill=\"#ffffff\"/><path d=\"" + d + "\" fill=\"#000000\"/></svg>";
    }
}
