package haven.coordinator.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import haven.coordinator.OidcConfig;
import haven.coordinator.StaffAccounts;
import haven.coordinator.evidence.AuditLog;
import haven.protocol.Json;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.SameSite;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * Signing in with the school's Microsoft 365 or Google Workspace account (OpenID Connect, authorization code flow
 * with PKCE S256, state and nonce). The school's sign-in says who the person is; Haven still says what they may
 * do: the configured claim must equal the name of an existing, enabled Haven account, whose role and rooms apply.
 * Nothing is created; an unknown or disabled account is refused and audited. Roles in auth.requireTotpFor still give
 * Haven's second factor afterwards, as after a password (the school's own MFA is not visible to Haven).
 */
final class OidcRoutes {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(OidcRoutes.class);
    static final String COOKIE = "haven_oidc";
    private static final Duration FLOW_FOR = Duration.ofMinutes(10);
    private static final int SKEW_SECONDS = 60;
    /** An ID token issued longer ago than this is stale, whatever its exp says. */
    private static final Duration FRESH_FOR = Duration.ofMinutes(10);
    private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256, JWSAlgorithm.PS256);

    private final OidcConfig config;
    private final AuthRoutes auth;
    private final StaffAccounts staff;
    private final AuditLog audit;
    private final Clock clock;
    private final boolean secureCookies;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final SecureRandom random = new SecureRandom();
    /** Sign-ins under way, by state: one use (removed on the first callback), bounded, and gone after ten minutes. */
    private final com.github.benmanes.caffeine.cache.Cache<String, Flow> flows = com.github.benmanes.caffeine.cache.Caffeine
            .newBuilder().maximumSize(10_000).expireAfterWrite(FLOW_FOR).build();
    /** The issuer's endpoints and keys, fetched on the first sign-in (the coordinator starts without the network). */
    private final AtomicReference<Provider> provider = new AtomicReference<>();

    /** One sign-in under way: {@code browser} is the random value in this browser's cookie. */
    private record Flow(String browser, String nonce, String verifier, Instant expires) {
    }

    private record Provider(URI authorization, URI token, JWKSource<SecurityContext> keys) {
    }

    /** A refusal: {@code reason} goes to the audit trail, {@code message} to the person's page. */
    private static final class Refused extends Exception {
        final String reason;

        Refused(String reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }
    }

    OidcRoutes(OidcConfig config, AuthRoutes auth, StaffAccounts staff, AuditLog audit, Clock clock, boolean secureCookies) {
        this.config = config;
        this.auth = auth;
        this.staff = staff;
        this.audit = audit;
        this.clock = clock;
        this.secureCookies = secureCookies;
    }

    void mount(JavalinConfig javalin) {
        javalin.routes.get("/auth/oidc/start", this::start, RouteAccess.PUBLIC);
        javalin.routes.get("/auth/oidc/callback", this::callback, RouteAccess.PUBLIC);
    }

    private void start(Context ctx) throws SQLException {
        Provider p;
        try {
            p = provider();
        } catch (Refused e) {
            refuse(ctx, "-", e, 502);
            return;
        }
        String state = randomToken();
        String nonce = randomToken();
        String verifier = randomToken();
        String browser = randomToken();
        flows.put(state, new Flow(browser, nonce, verifier, clock.instant().plus(FLOW_FOR)));
        Cookie cookie = new Cookie(COOKIE, browser);
        cookie.setPath("/auth/oidc");
        cookie.setHttpOnly(true);
        // Lax, not Strict: the callback is a top-level navigation from the school's sign-in page (another site).
        cookie.setSameSite(SameSite.LAX);
        cookie.setSecure(secureCookies);
        cookie.setMaxAge((int) FLOW_FOR.toSeconds());
        ctx.cookie(cookie);
        Map<String, String> query = new java.util.LinkedHashMap<>();
        query.put("response_type", "code");
        query.put("client_id", config.clientId());
        query.put("redirect_uri", config.redirectUri().toString());
        query.put("scope", "openid email profile");
        query.put("state", state);
        query.put("nonce", nonce);
        query.put("code_challenge", challenge(verifier));
        query.put("code_challenge_method", "S256");
        String sep = p.authorization().getRawQuery() == null ? "?" : "&";
        ctx.header("Cache-Control", "no-store");
        ctx.redirect(p.authorization() + sep + form(query), io.javalin.http.HttpStatus.FOUND);
    }

    private void callback(Context ctx) throws SQLException {
        String state = ctx.queryParam("state");
        Flow flow = state == null ? null : flows.asMap().remove(state);
        ctx.removeCookie(COOKIE, "/auth/oidc");
        String name = "-";
        try {
            String browser = ctx.cookie(COOKIE);
            if (flow == null || browser == null || !clock.instant().isBefore(flow.expires())
                    || !MessageDigest.isEqual(browser.getBytes(StandardCharsets.UTF_8), flow.browser().getBytes(StandardCharsets.UTF_8))) {
                throw new Refused("state", "This sign-in link is not valid here or has expired. Start again from the login page.");
            }
            if (ctx.queryParam("error") != null) {
                throw new Refused("idp-error", "The school's sign-in did not sign you in. Start again from the login page.");
            }
            String code = ctx.queryParam("code");
            if (code == null || code.isBlank()) {
                throw new Refused("no-code", "The school's sign-in sent no code. Start again from the login page.");
            }
            JWTClaimsSet claims = verify(exchange(provider(), code, flow.verifier()), flow.nonce());
            Object value = claims.getClaim(config.claim());
            if (!(value instanceof String s) || s.isBlank()) {
                throw new Refused("no-claim", "The school's sign-in did not say your " + config.claim() + ". Ask the coordinator.");
            }
            Object verified = claims.getClaim("email_verified");
            if (config.claim().equals("email") && Boolean.FALSE.equals(verified)) {
                throw new Refused("email-unverified", "The school's sign-in has not verified your e-mail address. Ask the coordinator.");
            }
            Optional<String> account = config.accountName(s);
            if (account.isEmpty()) {
                throw new Refused("other-domain", "Sign in with your school account (@" + config.domain() + ").");
            }
            name = account.get();
            Optional<StaffAccounts.Standing> standing = staff.standing(name);
            if (standing.isEmpty()) {
                throw new Refused("no-enabled-account", "There is no enabled Haven account for your school account. "
                        + "Ask the coordinator to add you (Haven keeps roles and rooms itself).");
            }
            ctx.header("Cache-Control", "no-store");
            if (auth.needsSecondFactor(standing.get().role())) {
                auth.startSecondFactor(ctx, name);
                audit.record(name, "oidc-login", ctx.ip() + " second factor next");
                ctx.redirect("/#second-factor", io.javalin.http.HttpStatus.FOUND);
                return;
            }
            audit.record(name, "oidc-login", ctx.ip());
            auth.openSession(ctx, name, standing.get());
            ctx.redirect("/", io.javalin.http.HttpStatus.FOUND);
        } catch (Refused e) {
            refuse(ctx, name, e, 403);
        }
    }

    private void refuse(Context ctx, String name, Refused e, int status) throws SQLException {
        // The reason is one of ours; nothing from the token or the provider's answer is logged or shown.
        audit.record(name, "oidc-login-refused", ctx.ip() + " " + e.reason);
        log.warn("school sign-in refused reason={}", e.reason);
        ctx.header("Cache-Control", "no-store");
        ctx.status(status).contentType("text/html; charset=utf-8").result("<!doctype html><html lang=\"en-GB\"><head>"
                + "<meta charset=\"utf-8\"><title>Haven: sign-in refused</title></head><body><main><h1>Sign-in refused</h1>"
                + "<p id=\"oidc-refused\">" + escape(e.getMessage()) + "</p><p><a href=\"/\">Back to the login page</a></p>"
                + "</main></body></html>");
    }

    private Provider provider() throws Refused {
        Provider p = provider.get();
        if (p != null) {
            return p;
        }
        String issuer = config.issuer().toString();
        String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
        try {
            HttpResponse<byte[]> res = http.send(HttpRequest.newBuilder(URI.create(base + "/.well-known/openid-configuration"))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            if (res.statusCode() != 200) {
                throw new Refused("discovery", "The school's sign-in is not reachable just now. Try again, or log in with your password.");
            }
            JsonNode meta = Json.parse(res.body());
            if (!issuer.equals(meta.path("issuer").asText())) {
                throw new Refused("discovery-issuer", "The school's sign-in is set up wrongly. Ask the coordinator.");
            }
            URI jwks = URI.create(meta.path("jwks_uri").asText());
            p = new Provider(URI.create(meta.path("authorization_endpoint").asText()),
                    URI.create(meta.path("token_endpoint").asText()),
                    JWKSourceBuilder.create(jwks.toURL()).build());
            provider.compareAndSet(null, p);
            return provider.get();
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new Refused("discovery", "The school's sign-in is not reachable just now. Try again, or log in with your password.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Refused("discovery", "The school's sign-in is not reachable just now. Try again.");
        }
    }

    /** The code for tokens, at the issuer's token endpoint, with the PKCE verifier; answers the ID token. */
    private String exchange(Provider p, String code, String verifier) throws Refused {
        Map<String, String> body = new java.util.LinkedHashMap<>();
        body.put("grant_type", "authorization_code");
        body.put("code", code);
        body.put("redirect_uri", config.redirectUri().toString());
        body.put("code_verifier", verifier);
        String basic = Base64.getEncoder().encodeToString((enc(config.clientId()) + ":" + enc(config.clientSecret()))
                .getBytes(StandardCharsets.UTF_8));
        try {
            HttpResponse<byte[]> res = http.send(HttpRequest.newBuilder(p.token()).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "application/json")
                    .header("Authorization", "Basic " + basic)
                    .POST(HttpRequest.BodyPublishers.ofString(form(body))).build(), HttpResponse.BodyHandlers.ofByteArray());
            if (res.statusCode() != 200) {
                throw new Refused("code-exchange", "The school's sign-in did not accept the sign-in code. Start again from the login page.");
            }
            String idToken = Json.parse(res.body()).path("id_token").asText("");
            if (idToken.isEmpty()) {
                throw new Refused("no-id-token", "The school's sign-in sent no identity. Start again from the login page.");
            }
            return idToken;
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new Refused("code-exchange", "The school's sign-in is not reachable just now. Try again.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Refused("code-exchange", "The school's sign-in is not reachable just now. Try again.");
        }
    }

    /** Signature against the issuer's keys, iss, aud (exactly this client), exp and iat with a minute's skew, nonce. */
    private JWTClaimsSet verify(String idToken, String nonce) throws Refused {
        DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, provider.get().keys()));
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(config.clientId(),
                new JWTClaimsSet.Builder().issuer(config.issuer().toString()).claim("nonce", nonce).build(),
                Set.of("sub", "iat", "exp", "nonce")) {
            @Override
            protected Date currentTime() {
                return Date.from(clock.instant());
            }
        };
        claims.setMaxClockSkew(SKEW_SECONDS);
        processor.setJWTClaimsSetVerifier(claims);
        JWTClaimsSet set;
        try {
            set = processor.process(idToken, null);
        } catch (java.text.ParseException | com.nimbusds.jose.proc.BadJOSEException | com.nimbusds.jose.JOSEException e) {
            throw new Refused("id-token", "The school's sign-in sent an identity Haven cannot accept. Start again from the login page.");
        }
        Instant now = clock.instant();
        Date iat = set.getIssueTime();
        if (!List.of(config.clientId()).equals(set.getAudience())
                || iat.toInstant().isAfter(now.plusSeconds(SKEW_SECONDS))
                || iat.toInstant().isBefore(now.minus(FRESH_FOR))) {
            throw new Refused("id-token", "The school's sign-in sent an identity Haven cannot accept. Start again from the login page.");
        }
        return set;
    }

    private String randomToken() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static String challenge(String verifier) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(hash);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String form(Map<String, String> fields) {
        return fields.entrySet().stream().map(e -> enc(e.getKey()) + "=" + enc(e.getValue())).collect(Collectors.joining("&"));
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
