package haven.coordinator.notify;

import haven.protocol.Json;
import haven.store.Database;
import java.net.URI;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** The coordinator's VAPID key pair and the staff devices subscribed to Web Push, in the coordinator's database. */
public final class PushSubscriptions {
    /** One browser's subscription (PushSubscription.toJSON()): where to POST, and the keys to encrypt for it. */
    public record Subscription(String staff, URI endpoint, ECPublicKey p256dh, byte[] auth) {
    }

    /** The key pair every subscription is bound to (applicationServerKey). */
    public record VapidKeys(byte[] publicKey, PrivateKey privateKey) {
    }

    private final Database db;
    private final Clock clock;
    private final WebPush push;

    public PushSubscriptions(Database db, Clock clock, WebPush push) {
        this.db = db;
        this.clock = clock;
        this.push = push;
    }

    /** Made at first use and kept: a new pair would orphan every subscription browsers hold. */
    public VapidKeys keys() throws SQLException {
        KeyPair fresh = push.newKeyPair();
        return db.transaction(c -> {
            try (PreparedStatement ps = c.getConnection().prepareStatement(
                    "INSERT INTO push_keys(id, public_key, private_key, created_at) VALUES (1,?,?,?) ON CONFLICT(id) DO NOTHING")) {
                ps.setString(1, WebPush.base64Url(WebPush.uncompressed((ECPublicKey) fresh.getPublic())));
                ps.setString(2, Base64.getEncoder().encodeToString(fresh.getPrivate().getEncoded()));
                ps.setString(3, Json.time(clock.instant()));
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT public_key, private_key FROM push_keys WHERE id = 1");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                try {
                    PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(rs.getString(2))));
                    return new VapidKeys(WebPush.fromBase64Url(rs.getString(1)), key);
                } catch (java.security.GeneralSecurityException | IllegalArgumentException e) {
                    throw new SQLException("push_keys holds a key that cannot be read: " + e.getMessage(), e);
                }
            }
        });
    }

    /**
     * Checks and stores one device's subscription. The endpoint must be https (http only on loopback, for
     * tests): the coordinator POSTs to it, so a staff login must not be able to aim it at internal plain-HTTP services.
     */
    public Subscription subscribe(String staff, String endpoint, String p256dh, String auth) throws SQLException {
        URI uri;
        try {
            uri = new URI(endpoint);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("endpoint must be a URL");
        }
        boolean loopback = "127.0.0.1".equals(uri.getHost()) || "localhost".equals(uri.getHost());
        if (uri.getHost() == null || !("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()) && loopback)) {
            throw new IllegalArgumentException("endpoint must be an https:// URL of a push service");
        }
        byte[] secret = decode("keys.auth", auth);
        if (secret.length != 16) {
            throw new IllegalArgumentException("keys.auth must be 16 bytes, got " + secret.length);
        }
        ECPublicKey key = WebPush.publicKey(decode("keys.p256dh", p256dh));
        db.transaction(c -> {
            try (PreparedStatement ps = c.getConnection().prepareStatement("""
                    INSERT INTO push_subscriptions(endpoint, staff, p256dh, auth, created_at) VALUES (?,?,?,?,?)
                    ON CONFLICT(endpoint) DO UPDATE SET staff = excluded.staff, p256dh = excluded.p256dh, auth = excluded.auth""")) {
                ps.setString(1, endpoint);
                ps.setString(2, staff);
                ps.setString(3, p256dh);
                ps.setString(4, auth);
                ps.setString(5, Json.time(clock.instant()));
                ps.executeUpdate();
            }
            return null;
        });
        return new Subscription(staff, uri, key, secret);
    }

    private static byte[] decode(String field, String text) {
        try {
            return WebPush.fromBase64Url(text == null ? "" : text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + " must be base64url");
        }
    }

    public List<Subscription> of(String staff) throws SQLException {
        return db.query(c -> {
            List<Subscription> out = new ArrayList<>();
            try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT endpoint, p256dh, auth FROM push_subscriptions WHERE staff = ? ORDER BY created_at")) {
                ps.setString(1, staff);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Subscription(staff, URI.create(rs.getString(1)), WebPush.publicKey(WebPush.fromBase64Url(rs.getString(2))),
                                WebPush.fromBase64Url(rs.getString(3))));
                    }
                }
            }
            return out;
        });
    }

    /** The push service said the subscription is gone (404/410): the browser unsubscribed or was reset. */
    public void remove(URI endpoint) throws SQLException {
        db.transaction(c -> {
            try (PreparedStatement ps = c.getConnection().prepareStatement("DELETE FROM push_subscriptions WHERE endpoint = ?")) {
                ps.setString(1, endpoint.toString());
                ps.executeUpdate();
            }
            return null;
        });
    }
}
