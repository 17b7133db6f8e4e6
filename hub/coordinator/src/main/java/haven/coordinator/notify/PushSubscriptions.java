package haven.coordinator.notify;

import haven.protocol.Json;
import haven.store.Database;
import java.net.URI;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The coordinator's VAPID key pair and the staff devices subscribed to Web Push, in the coordinator's database:
 * owner of {@code push_keys} and {@code push_subscriptions}.
 */
public final class PushSubscriptions {
    private static final String KEEP_KEYS = """
            INSERT INTO push_keys(id, public_key, private_key, created_at) VALUES (1, :publicKey, :privateKey, :at)
            ON CONFLICT(id) DO NOTHING""";
    private static final String KEYS = "SELECT public_key, private_key FROM push_keys WHERE id = 1";
    private static final String SUBSCRIBE = """
            INSERT INTO push_subscriptions(endpoint, staff, p256dh, auth, created_at) VALUES (:endpoint, :staff, :p256dh, :auth, :at)
            ON CONFLICT(endpoint) DO UPDATE SET staff = excluded.staff, p256dh = excluded.p256dh, auth = excluded.auth""";
    private static final String OF = "SELECT endpoint, p256dh, auth FROM push_subscriptions WHERE staff = :staff ORDER BY created_at";
    private static final String REMOVE = "DELETE FROM push_subscriptions WHERE endpoint = :endpoint";
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
            c.createUpdate(KEEP_KEYS)
                    .bind("publicKey", WebPush.base64Url(WebPush.uncompressed((ECPublicKey) fresh.getPublic())))
                    .bind("privateKey", Base64.getEncoder().encodeToString(fresh.getPrivate().getEncoded()))
                    .bind("at", clock.instant()).execute();
            String[] kept = c.createQuery(KEYS).map((rs, ctx) -> new String[] {rs.getString("public_key"), rs.getString("private_key")}).one();
            try {
                PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(kept[1])));
                return new VapidKeys(WebPush.fromBase64Url(kept[0]), key);
            } catch (java.security.GeneralSecurityException | IllegalArgumentException e) {
                throw new SQLException("push_keys holds a key that cannot be read: " + e.getMessage(), e);
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
            c.createUpdate(SUBSCRIBE).bind("endpoint", endpoint).bind("staff", staff).bind("p256dh", p256dh).bind("auth", auth)
                    .bind("at", clock.instant()).execute();
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
        return db.query(c -> new ArrayList<>(c.createQuery(OF).bind("staff", staff)
                .map((rs, ctx) -> new Subscription(staff, URI.create(rs.getString("endpoint")),
                        WebPush.publicKey(WebPush.fromBase64Url(rs.getString("p256dh"))), WebPush.fromBase64Url(rs.getString("auth"))))
                .list()));
    }

    /** The push service said the subscription is gone (404/410): the browser unsubscribed or was reset. */
    public void remove(URI endpoint) throws SQLException {
        db.transaction(c -> {
            c.createUpdate(REMOVE).bind("endpoint", endpoint.toString()).execute();
            return null;
        });
    }
}
