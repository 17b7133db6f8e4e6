package haven.classroom.web;

import haven.classroom.ReadAloud;
import haven.classroom.KioskChoices;
import haven.classroom.TeacherMode;
import haven.classroom.AupTranslations;

import haven.classroom.KioskMode;
import haven.classroom.SimulatedPressAnswer;
import haven.classroom.FollowUpOffer;

import com.fasterxml.jackson.databind.JsonNode;
import haven.classroom.Classroom;
import haven.classroom.IsolationFlow;
import haven.classroom.gpio.KeySwitch;
import haven.classroom.gpio.SimulatedHand;
import haven.classroom.gpio.WorryButton;
import haven.protocol.Json;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.websocket.WsContext;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kiosk's local web server: the classroom screen, its live state over a WebSocket, the pupil's
 * optional detail, and (on simulated GPIO only) the button and key switch for demos and tests.
 * It listens on 127.0.0.1 by default: the kiosk browser runs on the Pi itself.
 */
public final class KioskServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KioskServer.class);
    static final String TEACHER_TOKEN = "X-Teacher-Token";
    static final String JETTY_REFERENCES_PER_CACHE_LINE = "org.eclipse.jetty.util.referencesPerCacheLine";

    private final Javalin app;
    private final Set<WsContext> sockets = ConcurrentHashMap.newKeySet();
    /**
     * Orders the states this server hands out. An HTTP answer can be built before a socket push and arrive after
     * it; the page keeps the highest stamp it has seen, so an older snapshot never overwrites a newer one (a
     * teacher's isolation notice once vanished that way). The stamp is taken before the snapshot is built, so
     * the highest stamp always includes every change made before it was taken.
     */
    private final java.util.concurrent.atomic.AtomicLong stamps = new java.util.concurrent.atomic.AtomicLong();
    /** A new server (a restarted hub) starts its stamps again; the page accepts any stamp from a new boot. */
    private final String boot = java.util.UUID.randomUUID().toString();
    private final Classroom classroom;
    private final IsolationFlow isolation;
    private final KioskMode mode;
    private final FollowUpOffer followUps;
    private final KioskChoices choices;
    private final AupTranslations translations;
    private final ReadAloud readAloud = new ReadAloud(ReadAloud.ESPEAK);
    private final KioskFiles files = new KioskFiles("haven-ui/kiosk");
    /** Set from the listen address at start; until then only loopback names are accepted. */
    private volatile KioskOrigin origin = new KioskOrigin("127.0.0.1");

    public KioskServer(Classroom classroom, IsolationFlow isolation, SimulatedHand hand, WorryButton button, KeySwitch keySwitch,
                       haven.metrics.HavenMetrics metrics, KioskMode mode, FollowUpOffer followUps, KioskChoices choices,
                       TeacherMode teacher, AupTranslations translations) {
        this.classroom = classroom;
        this.choices = choices;
        this.mode = mode;
        this.followUps = followUps;
        this.isolation = isolation;
        this.translations = translations;
        // Jetty's MemoryUtils asks the HotSpotDiagnostic MXBean whether oops are compressed unless this is set,
        // which starts the platform MBean server: ~250 JMX, management and JFR classes and their objects held
        // for the life of the hub, for one number (docs/PERFORMANCE.md, "footprint"). A hub's heap is far below
        // 32 GiB, so oops are compressed: 64-byte cache lines / 4-byte references.
        if (System.getProperty(JETTY_REFERENCES_PER_CACHE_LINE) == null) {
            System.setProperty(JETTY_REFERENCES_PER_CACHE_LINE, "16");
        }
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.routes.before(ctx -> origin.refuse(ctx));
            config.routes.wsBeforeUpgrade(ctx -> {
                String why = origin.refusal(ctx.header("Host"), ctx.header("Origin"));
                if (why != null) {
                    log.warn("kiosk socket refused reason=foreign-origin");
                    throw new io.javalin.http.ForbiddenResponse(why);
                }
            });
            config.routes.get("/health", ctx -> ctx.result("ok"));
            config.routes.get("/metrics", ctx -> ctx.contentType(haven.metrics.HavenMetrics.CONTENT_TYPE).result(metrics.scrape()));
            config.routes.get("/api/kiosk", ctx -> json(ctx, view()));
            // The AUP in the language the pupil chose, or English with "fallback": true (docs/KIOSK.md).
            config.routes.get("/api/kiosk/aup", ctx -> json(ctx,
                    translations.shown(java.util.Objects.requireNonNullElse(ctx.queryParam("lang"), "en"), classroom.aup()).toJson()));
            config.routes.post("/api/kiosk/detail", ctx -> {
                JsonNode body = Json.parse(ctx.bodyAsBytes());
                String category = body.hasNonNull("category") ? body.get("category").asText() : null;
                String computer = body.hasNonNull("computer") ? body.get("computer").asText() : null;
                if (category != null && !choices.offers(category)) {
                    throw new IllegalArgumentException("category '" + category + "' is not offered on this kiosk (hub.yaml kiosk.categories)");
                }
                classroom.detail(category, computer);
                json(ctx, view());
            });
            // Audio for "Read it to me", made on the hub so it works offline (docs/KIOSK.md).
            config.routes.get("/api/kiosk/speech", ctx -> {
                var wav = readAloud.wav(ctx.queryParam("text"), java.util.Objects.requireNonNullElse(ctx.queryParam("lang"), "en"));
                if (wav.isEmpty()) {
                    ctx.status(503).result("read-aloud is not available on this hub (install espeak-ng)");
                    return;
                }
                ctx.contentType("audio/wav").result(wav.get());
            });
            config.routes.post("/api/kiosk/follow-up", ctx -> {
                var shown = classroom.view();
                String screen = shown.path("screen").asText();
                if (!screen.equals("thanks") && !screen.equals("acknowledged")) {
                    ctx.status(409).result("there is no report on screen to follow up");
                    return;
                }
                followUps.issue(shown.path("report").path("id").asText(), shown.path("report").path("presses").asLong());
                classroom.changed();
                json(ctx, view());
            });
            // Teacher mode (docs/KIOSK.md): the PIN or the turned key opens it; the token lives in the page's memory.
            config.routes.post("/api/kiosk/teacher", ctx -> {
                JsonNode body = ctx.bodyAsBytes().length == 0 ? Json.object() : Json.parse(ctx.bodyAsBytes());
                TeacherMode.Opened opened = teacher.open(body.path("pin").asText(""));
                if (opened.token().isEmpty()) {
                    ctx.status(opened.status()).result(opened.reason());
                    return;
                }
                json(ctx, Json.object().put("token", opened.token().get()));
            });
            config.routes.post("/api/kiosk/teacher/close", ctx -> {
                teacher.close();
                ctx.status(204);
            });
            config.routes.post("/api/kiosk/teacher/aup-reviewed", ctx -> {
                JsonNode body = ctx.bodyAsBytes().length == 0 ? Json.object() : Json.parse(ctx.bodyAsBytes());
                // The AUP the class saw: the pupil's chosen language if the school published it, else English.
                AupTranslations.Shown shown = translations.shown(body.path("language").asText("en"), classroom.aup());
                if (!teacher.reviewed(ctx.header(TEACHER_TOKEN), shown.aup(), shown.language())) {
                    ctx.status(401).result("teacher mode is not open: enter the PIN or turn the key");
                    return;
                }
                ctx.status(201).result("recorded");
            });
            config.routes.post("/api/kiosk/isolate", ctx -> {
                JsonNode body = Json.parse(ctx.bodyAsBytes());
                if (isolation.choosingUntil().isEmpty()) {
                    ctx.status(409).result("the isolation key has not been turned");
                    return;
                }
                isolation.choose(body.path("machine").asText(""));
                ctx.status(202);
                json(ctx, view());
            });
            config.routes.post("/api/sim/button", ctx -> {
                JsonNode body = ctx.bodyAsBytes().length == 0 ? Json.object() : Json.parse(ctx.bodyAsBytes());
                long hold = body.path("holdMillis").asLong(SimulatedHand.PRESS_MILLIS);
                var decision = hand.press(button, hold);
                if (decision.isEmpty()) {
                    ctx.status(404).result("not available: this hub uses real GPIO");
                    return;
                }
                // 2xx only for a press the debouncer counted, so a caller never believes a dropped press.
                ctx.status(decision.get().counted() ? 202 : 409);
                json(ctx, SimulatedPressAnswer.of(decision.get()));
            });
            config.routes.post("/api/sim/switch", ctx -> {
                JsonNode body = Json.parse(ctx.bodyAsBytes());
                if (!body.path("on").isBoolean()) {
                    ctx.status(400).result("body must be {\"on\": true|false}");
                    return;
                }
                if (!hand.turn(keySwitch.input(), body.get("on").asBoolean())) {
                    ctx.status(404).result("not available: this hub uses real GPIO");
                    return;
                }
                ctx.status(202).result("turned");
            });
            config.routes.ws("/ws", ws -> {
                ws.onConnect(ctx -> {
                    sockets.add(ctx);
                    send(ctx, Json.write(view()));
                });
                ws.onClose(ctx -> sockets.remove(ctx));
                ws.onError(ctx -> sockets.remove(ctx));
            });
            // The page's own files, after every other route so an /api or /ws path never falls through to them.
            config.routes.get("/", ctx -> file(ctx, files));
            config.routes.get("/<file>", ctx -> file(ctx, files));
            config.routes.exception(IllegalArgumentException.class, (e, ctx) -> ctx.status(400).result(e.getMessage()));
            config.routes.exception(IllegalStateException.class, (e, ctx) -> ctx.status(409).result(e.getMessage()));
            config.routes.before(ctx -> ctx.header("Content-Security-Policy",
                    "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'"));
        });
        classroom.onChange(this::broadcast);
    }

    private com.fasterxml.jackson.databind.node.ObjectNode view() {
        long stamp = stamps.incrementAndGet();
        var view = choices.shape(followUps.shape(mode.shape(classroom.view())));
        view.put("stamp", stamp);
        view.put("boot", boot);
        view.put("readAloud", readAloud.available());
        var languages = view.putObject("aupLanguages");
        translations.versions().forEach(languages::put);
        view.set("isolation", isolation.view());
        return view;
    }

    public KioskServer start(String host, int port) {
        origin = new KioskOrigin(host);
        app.start(host, port);
        log.info("kiosk listening room={} url=http://{}:{}/", classroom.room(), host, app.port());
        return this;
    }

    public int port() {
        return app.port();
    }

    private void broadcast() {
        if (sockets.isEmpty()) {
            return;
        }
        String view = Json.write(view());
        sockets.forEach(ctx -> send(ctx, view));
    }

    private static void send(WsContext ctx, String message) {
        synchronized (ctx) {
            try {
                ctx.send(message);
            } catch (RuntimeException e) {
                log.debug("kiosk socket send failed reason={}", e.getMessage());
            }
        }
    }

    private static void file(Context ctx, KioskFiles files) {
        var file = files.find(ctx.path());
        if (file.isEmpty()) {
            ctx.status(404).result("not found");
            return;
        }
        ctx.header("ETag", file.get().etag());
        if (file.get().etag().equals(ctx.header("If-None-Match"))) {
            ctx.status(304);
            return;
        }
        ctx.contentType(file.get().contentType()).result(file.get().bytes());
    }

    private static void json(Context ctx, JsonNode node) {
        ctx.contentType("application/json").result(Json.write(node).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        app.stop();
    }
}
