package haven.coordinator;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Which peers may say who the client is. Behind the documented reverse proxy every connection comes from the
 * proxy, so without this every member of staff and every stranger is the same address: the login limit locks
 * everyone out together and /metrics' "this machine only" opens to all. X-Forwarded-For is read only from a
 * trusted peer, and then from the right: each proxy appends the address it saw, so the first hop from the right
 * that is not one of ours is the client (anything left of it was written by the client and may be forged).
 */
public final class TrustedProxies {
    private record Range(byte[] network, int bits) {
        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = bits / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (address[full] & mask) == (network[full] & mask);
        }
    }

    public static final TrustedProxies NONE = new TrustedProxies(List.of());
    /** The longest text an address can take (IPv6 with a zone); anything longer is not an address. */
    private static final int MAX_ADDRESS = 64;

    private final List<Range> ranges;

    private TrustedProxies(List<Range> ranges) {
        this.ranges = List.copyOf(ranges);
    }

    /** Addresses ("127.0.0.1", "::1") and CIDR ranges ("10.0.0.0/8", "fd00::/8"), numeric only: no names to look up. */
    public static TrustedProxies parse(List<String> entries) {
        List<Range> out = new ArrayList<>();
        for (String entry : entries) {
            String text = entry.strip();
            int slash = text.indexOf('/');
            byte[] address = literal(slash < 0 ? text : text.substring(0, slash));
            if (address == null) {
                throw new IllegalArgumentException("'" + entry + "' is not a numeric address or CIDR range");
            }
            int bits = address.length * 8;
            if (slash >= 0) {
                try {
                    bits = Integer.parseInt(text.substring(slash + 1));
                } catch (NumberFormatException e) {
                    bits = -1;
                }
                if (bits < 0 || bits > address.length * 8) {
                    throw new IllegalArgumentException("'" + entry + "' has a prefix length outside 0.." + address.length * 8);
                }
            }
            out.add(new Range(address, bits));
        }
        return new TrustedProxies(out);
    }

    public boolean isEmpty() {
        return ranges.isEmpty();
    }

    public boolean trusts(String address) {
        byte[] bytes = literal(address);
        return bytes != null && ranges.stream().anyMatch(r -> r.contains(bytes));
    }

    /**
     * The client's address: the peer itself unless it is a trusted proxy; then the rightmost X-Forwarded-For hop
     * that is not trusted (or the leftmost, when every hop is ours). A malformed hop ends the walk at the last
     * good one: a client cannot hide behind garbage.
     */
    public String client(String peer, String forwardedFor) {
        if (forwardedFor == null || !trusts(peer)) {
            return peer;
        }
        String[] hops = forwardedFor.split(",");
        String client = peer;
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].strip();
            if (literal(hop) == null) {
                return client;
            }
            client = hop;
            if (!trusts(hop)) {
                return hop;
            }
        }
        return client;
    }

    /** The bytes of a numeric IPv4 or IPv6 literal, or null; never a DNS look-up. */
    private static byte[] literal(String text) {
        if (text == null || text.isEmpty() || text.length() > MAX_ADDRESS) {
            return null;
        }
        String t = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        boolean v4 = t.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean v6 = t.contains(":") && t.matches("[0-9a-fA-F:.%a-zA-Z0-9]+");
        if (!v4 && !v6) {
            return null;
        }
        if (v4) {
            for (String part : t.split("\\.")) {
                if (Integer.parseInt(part) > 255) {
                    return null;
                }
            }
        }
        try {
            return InetAddress.getByName(t).getAddress();
        } catch (UnknownHostException | SecurityException e) {
            return null;
        }
    }
}
