package haven.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.config.ConfigFile;
import haven.demo.EmbeddedBroker;
import haven.protocol.Json;
import haven.testkit.Ports;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signing in with the school's account (OpenID Connect, docs/SECURITY.md): a real OIDC server (mock-oauth2-server)
 * on loopback, a real coordinator, and a "browser" that follows the redirects by hand with its own cookies. Haven
 * decides the role; unknown and disabled accounts, forged state, a replayed callback and an ID token for another
 * client are refused and audited.
 */
class OidcSignInTest {
    private static final String CLIENT = "haven-dashboard";
    private static final String DOMAIN = "school.example";
    private static final String TEACHER = "ms.khan";
    private static final String DSL = "dsl";

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private MockOAuth2Server idp;
    private EmbeddedBroker broker;
    private Coordinator coordinator;
    private int port;

    @BeforeEach
    void start() throws Exception {
        idp = new MockOAuth2Server();
        idp.start(InetAddress.getByName("127.0.0.1"), Ports.free());
        int mqtt = Ports.free();
        broker = EmbeddedBroker.start(mqtt, null);
        port = Ports.free();
        ObjectNode c = Json.object();
        c.putObject("mqtt").put("uri", "tcp://127.0.0.1:" + mqtt).put("clientId", "oidc-test");
        c.putObject("http").put("host", "127.0.0.1").put("port", port);
        c.put("database", dir.resolve("coordinator.db").toString());
        ObjectNode auth = c.putObject("auth");
        auth.putArray("requireTotpFor").add("coordinator");
        auth.putObject("oidc").put("issuer", issuer()).put("clientId", CLIENT).put("clientSecret", "not-a-real-secret")
                .put("redirectUri", base() + "/auth/oidc/callback").put("claim", "email").put("domain", DOMAIN);
        coordinator = Coordinator.start(CoordinatorConfig.from(ConfigFile.of("test", c)), Clock.systemUTC());
        coordinator.staff().put(TEACHER, Role.TEACHER, "correct-horse-battery".toCharArray());
        coordinator.staff().put(DSL, Role.COORDINATOR, "correct-horse-battery".toCharArray());
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        coordinator.close();
        broker.close();
        idp.shutdown();
    }

    private String issuer() {
        return idp.issuerUrl("default").toString();
    }

    private String base() {
        return "http://127.0.0.1:" + port;
    }

    /** One browser: its cookies by name, sent to the coordinator only (the IdP has none it needs here). */
    private final class Browser {
        final Map<String, String> jar = new HashMap<>();

        HttpResponse<String> get(String url) throws Exception {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET();
            if (url.startsWith(base()) && !jar.isEmpty()) {
                List<String> cookies = new ArrayList<>();
                jar.forEach((k, v) -> cookies.add(k + "=" + v));
                b.header("Cookie", String.join("; ", cookies));
            }
            return keep(http.send(b.build(), HttpResponse.BodyHandlers.ofString()));
        }

        HttpResponse<String> post(String path, String body) throws Exception {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body));
            if (!jar.isEmpty()) {
                List<String> cookies = new ArrayList<>();
                jar.forEach((k, v) -> cookies.add(k + "=" + v));
                b.header("Cookie", String.join("; ", cookies));
            }
            return keep(http.send(b.build(), HttpResponse.BodyHandlers.ofString()));
        }

        private HttpResponse<String> keep(HttpResponse<String> res) {
            if (res.uri().toString().startsWith(base())) {
                for (String set : res.headers().allValues("Set-Cookie")) {
                    String[] kv = set.split(";")[0].split("=", 2);
                    if (kv[1].isEmpty() || set.toLowerCase().contains("max-age=0") || set.contains("Expires=Thu, 01 Jan 1970")) {
                        jar.remove(kv[0]);
                    } else {
                        jar.put(kv[0], kv[1]);
                    }
                }
            }
            return res;
        }

        /** Start at the login page's button and follow the IdP's redirect back: answers the callback URL. */
        String toCallback() throws Exception {
            HttpResponse<String> start = get(base() + "/auth/oidc/start");
            assertEquals(302, start.statusCode(), start.body());
            String authorize = start.headers().firstValue("Location").orElseThrow();
            assertTrue(authorize.startsWith(issuer()), authorize);
            assertTrue(authorize.contains("code_challenge_method=S256") && authorize.contains("nonce="), authorize);
            HttpResponse<String> idpAnswer = get(authorize);
            assertEquals(302, idpAnswer.statusCode(), idpAnswer.body());
            String callback = idpAnswer.headers().firstValue("Location").orElseThrow();
            assertTrue(callback.startsWith(base() + "/auth/oidc/callback?"), callback);
            return callback;
        }
    }

    private void theIdpSays(String name, List<String> audience) {
        theIdpSaysAddress(name + "@" + DOMAIN, audience);
    }

    private void theIdpSaysAddress(String email, List<String> audience) {
        // The ID token's aud comes from the claims (the callback's audience sets the access token's).
        idp.enqueueCallback(new DefaultOAuth2TokenCallback("default", "subject-" + email, "JWT", audience,
                Map.of("email", email, "aud", audience), 3600));
    }

    private long audited(String action, String targetLike) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + coordinator.database().file());
             var ps = c.prepareStatement("SELECT count(*) FROM audit WHERE action = ? AND target LIKE ?")) {
            ps.setString(1, action);
            ps.setString(2, targetLike);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private long staffCount() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + coordinator.database().file());
             ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM staff")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private void assertRefused(HttpResponse<String> res, Browser b, String reason) throws Exception {
        assertEquals(403, res.statusCode(), res.body());
        assertTrue(res.body().contains("Sign-in refused"), res.body());
        assertFalse(b.jar.containsKey("haven_session"), "no session");
        assertEquals(1, audited("oidc-login-refused", "% " + reason), "refusal audited with its reason");
        assertFalse(res.body().contains("eyJ"), "no token echoed");
    }

    @Test
    void anExistingAccountSignsInWithTheSchoolAccountAndGetsItsHavenRole() throws Exception {
        HttpResponse<String> policy = new Browser().get(base() + "/api/login/policy");
        assertTrue(Json.parse(policy.body().getBytes(StandardCharsets.UTF_8)).get("oidc").asBoolean(), "the login page offers it");
        Browser b = new Browser();
        theIdpSays(TEACHER, List.of(CLIENT));
        HttpResponse<String> done = b.get(b.toCallback());
        assertEquals(302, done.statusCode(), done.body());
        assertEquals("/", done.headers().firstValue("Location").orElse(""));
        assertTrue(b.jar.containsKey("haven_session"), "signed in");
        assertFalse(b.jar.containsKey("haven_oidc"), "the flow's cookie is spent");
        JsonNode session = Json.parse(b.get(base() + "/api/session").body().getBytes(StandardCharsets.UTF_8));
        assertEquals(TEACHER, session.get("name").asText());
        assertEquals("teacher", session.get("role").asText(), "the role comes from Haven");
        assertEquals(1, audited("oidc-login", "%"));
        assertEquals(1, audited("login", "%"), "a sign-in like any other (the staff list's last sign-in)");
    }

    @Test
    void aRoleThatNeedsTheSecondFactorStillGivesHavensCodeAfterTheSchoolSignIn() throws Exception {
        Browser b = new Browser();
        theIdpSays(DSL, List.of(CLIENT));
        HttpResponse<String> done = b.get(b.toCallback());
        assertEquals(302, done.statusCode(), done.body());
        assertEquals("/#second-factor", done.headers().firstValue("Location").orElse(""));
        assertFalse(b.jar.containsKey("haven_session"), "no session before the second factor");
        HttpResponse<String> resumed = b.post("/api/login/resume", "{}");
        assertEquals(200, resumed.statusCode(), resumed.body());
        JsonNode answer = Json.parse(resumed.body().getBytes(StandardCharsets.UTF_8));
        assertTrue(answer.get("totpRequired").asBoolean());
        byte[] secret = Totp.fromBase32(answer.get("enrol").get("secret").asText());
        HttpResponse<String> code = b.post("/api/login/totp", "{\"code\":\"" + Totp.code(secret, Totp.step(Instant.now())) + "\"}");
        assertEquals(200, code.statusCode(), code.body());
        assertEquals("coordinator", Json.parse(code.body().getBytes(StandardCharsets.UTF_8)).get("role").asText());
        assertTrue(b.jar.containsKey("haven_session"));
    }

    @Test
    void aSchoolAccountWithNoHavenAccountIsRefusedAndNothingIsCreated() throws Exception {
        long before = staffCount();
        Browser b = new Browser();
        theIdpSays("stranger", List.of(CLIENT));
        HttpResponse<String> res = b.get(b.toCallback());
        assertRefused(res, b, "no-enabled-account");
        assertTrue(res.body().contains("no enabled Haven account"), res.body());
        assertEquals(before, staffCount(), "no account created");
    }

    @Test
    void anAddressOfAnotherDomainIsRefusedEvenIfTheNameMatches() throws Exception {
        Browser b = new Browser();
        theIdpSaysAddress(TEACHER + "@elsewhere.example", List.of(CLIENT));
        assertRefused(b.get(b.toCallback()), b, "other-domain");
    }

    @Test
    void aDisabledAccountIsRefused() throws Exception {
        assertTrue(coordinator.staff().disable(TEACHER));
        Browser b = new Browser();
        theIdpSays(TEACHER, List.of(CLIENT));
        assertRefused(b.get(b.toCallback()), b, "no-enabled-account");
    }

    @Test
    void aCallbackStartedInAnotherBrowserIsRefused() throws Exception {
        // Login CSRF: the attacker signs in with their own school account and sends the staff PC their callback link.
        Browser attacker = new Browser();
        theIdpSays(TEACHER, List.of(CLIENT));
        String attackersCallback = attacker.toCallback();
        Browser victim = new Browser();
        victim.get(base() + "/auth/oidc/start");
        assertTrue(victim.jar.containsKey("haven_oidc"));
        assertRefused(victim.get(attackersCallback), victim, "state");
    }

    @Test
    void aTamperedStateIsRefused() throws Exception {
        Browser b = new Browser();
        theIdpSays(TEACHER, List.of(CLIENT));
        String callback = b.toCallback().replaceFirst("state=([^&]*)", "state=$1x");
        assertRefused(b.get(callback), b, "state");
    }

    @Test
    void aReplayedCallbackIsRefused() throws Exception {
        Browser b = new Browser();
        theIdpSays(TEACHER, List.of(CLIENT));
        String callback = b.toCallback();
        String flowCookie = b.jar.get("haven_oidc");
        assertEquals(302, b.get(callback).statusCode());
        Browser replay = new Browser();
        replay.jar.put("haven_oidc", flowCookie);
        theIdpSays(TEACHER, List.of(CLIENT));
        assertRefused(replay.get(callback), replay, "state");
    }

    @Test
    void anIdTokenForAnotherClientIsRefused() throws Exception {
        Browser b = new Browser();
        theIdpSays(TEACHER, List.of("some-other-app"));
        assertRefused(b.get(b.toCallback()), b, "id-token");
    }

    @Test
    void anIdTokenThatNamesThisClientAmongOthersIsRefused() throws Exception {
        Browser b = new Browser();
        theIdpSays(TEACHER, List.of(CLIENT, "some-other-app"));
        assertRefused(b.get(b.toCallback()), b, "id-token");
    }

    @Test
    void anIdTokenWithAnotherNonceIsRefused() throws Exception {
        // A token minted for another sign-in (replayed into this one) carries that sign-in's nonce.
        Browser b = new Browser();
        idp.enqueueCallback(new DefaultOAuth2TokenCallback("default", "subject", "JWT", List.of(CLIENT),
                Map.of("email", TEACHER + "@" + DOMAIN, "aud", List.of(CLIENT), "nonce", "from-another-sign-in"), 3600));
        assertRefused(b.get(b.toCallback()), b, "id-token");
    }

    @Test
    void anIdTokenFromAnotherIssuerIsRefused() throws Exception {
        Browser b = new Browser();
        idp.enqueueCallback(new DefaultOAuth2TokenCallback("default", "subject", "JWT", List.of(CLIENT),
                Map.of("email", TEACHER + "@" + DOMAIN, "aud", List.of(CLIENT), "iss", "https://elsewhere.example/"), 3600));
        assertRefused(b.get(b.toCallback()), b, "id-token");
    }

    @Test
    void aConfigWithoutTheDomainIsRefusedAtStartAndNeverShowsTheSecret() {
        ObjectNode c = Json.object();
        c.putObject("auth").putObject("oidc").put("issuer", issuer()).put("clientId", CLIENT)
                .put("clientSecret", "s3cret-value").put("redirectUri", base() + "/auth/oidc/callback");
        var e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                () -> AuthConfig.from(ConfigFile.of("test", c)));
        assertTrue(e.getMessage().contains("auth.oidc.domain"), e.getMessage());
        assertFalse(e.getMessage().contains("s3cret-value"));
    }
}
