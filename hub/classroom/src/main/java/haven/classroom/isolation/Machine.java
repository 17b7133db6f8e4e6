package haven.classroom.isolation;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * A pupil computer as the hub knows it: the name shown on the kiosk (e.g. "PC-07"), its MAC and its IP.
 * Validated here because both values end up inside nftables scripts and webhook bodies: anything that is
 * not exactly a MAC or an IP literal is refused, naming the field.
 *
 * @param name 1..32 printable characters, as staff know the machine (never a pupil's name)
 * @param mac  lowercase colon form {@code aa:bb:cc:dd:ee:ff}, unicast
 * @param ip   an IPv4 dotted quad or IPv6 literal (no zone, no brackets), routable unicast
 */
public record Machine(String name, String mac, String ip) {
    private static final Pattern MAC = Pattern.compile("[0-9a-f]{2}(:[0-9a-f]{2}){5}");
    private static final String OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
    private static final Pattern IPV4 = Pattern.compile(OCTET + "(\\." + OCTET + "){3}");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9a-fA-F:.]+");

    public Machine {
        if (name == null || name.isEmpty() || name.length() > 32) {
            throw new IllegalArgumentException("machine name must be 1..32 characters, got "
                    + (name == null ? "nothing" : name.length() + " characters"));
        }
        if (!name.equals(name.strip()) || name.codePoints().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(
                    "machine name must not start or end with spaces or contain control characters, got '" + printable(name) + "'");
        }
        if (mac == null || !MAC.matcher(mac).matches()) {
            throw new IllegalArgumentException("machine " + name + ": mac must be lowercase like aa:bb:cc:dd:ee:ff, got '"
                    + printable(mac) + "'");
        }
        if ((Integer.parseInt(mac.substring(0, 2), 16) & 1) == 1 || mac.equals("00:00:00:00:00:00")) {
            throw new IllegalArgumentException("machine " + name + ": mac must be a unicast address of one computer, got " + mac);
        }
        requireUnicastIp("machine " + name + ": ip", ip);
    }

    /** The IP as an address object; never triggers a DNS lookup (the text is a validated literal). */
    public InetAddress address() {
        return requireUnicastIp("ip", ip);
    }

    public boolean ipv6() {
        return address() instanceof Inet6Address;
    }

    /**
     * Parses an IPv4 or IPv6 literal without any name lookup and refuses addresses that cannot be one
     * computer (loopback, any, multicast, link-local, broadcast). {@code field} names the value in errors.
     */
    static InetAddress requireUnicastIp(String field, String text) {
        if (text == null || text.isEmpty() || text.length() > 45) {
            throw new IllegalArgumentException(field + " must be an IPv4 or IPv6 address, got '" + printable(text) + "'");
        }
        InetAddress address;
        try {
            if (IPV4.matcher(text).matches()) {
                address = InetAddress.getByName(text);
            } else if (text.contains(":") && IPV6_CHARS.matcher(text).matches()) {
                // The URI parser checks IPv6 syntax strictly; the brackets make InetAddress treat the text
                // as a literal only, so a malformed value can never turn into a DNS query.
                new URI("http", null, "[" + text + "]", -1, null, null, null);
                address = InetAddress.getByName("[" + text + "]");
                if (!(address instanceof Inet6Address)) {
                    throw new IllegalArgumentException(field + " must be written as plain IPv4, not IPv4-mapped IPv6, got " + text);
                }
            } else {
                throw new IllegalArgumentException(field + " must be an IPv4 or IPv6 address, got '" + printable(text) + "'");
            }
        } catch (UnknownHostException | URISyntaxException e) {
            throw new IllegalArgumentException(field + " must be an IPv4 or IPv6 address, got '" + printable(text) + "'");
        }
        if (address.isAnyLocalAddress() || address.isLoopbackAddress() || address.isMulticastAddress()
                || address.isLinkLocalAddress() || text.equals("255.255.255.255")) {
            throw new IllegalArgumentException(field + " must be the unicast address of one computer, got " + text);
        }
        return address;
    }

    private static String printable(String text) {
        if (text == null) {
            return "nothing";
        }
        String cut = text.length() > 48 ? text.substring(0, 48) + "..." : text;
        return cut.codePoints().map(c -> Character.isISOControl(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    }
}
