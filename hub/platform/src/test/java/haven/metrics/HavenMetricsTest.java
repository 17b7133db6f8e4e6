package haven.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Reads the scrape back with a strict parser of the Prometheus text format 0.0.4. */
class HavenMetricsTest {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)\\})? (\\S+)( -?[0-9]+)?");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    record Sample(String name, Map<String, String> labels, double value) {
    }

    record Family(String name, String type, String help, List<Sample> samples) {
    }

    /** Parses text format 0.0.4, failing on anything the format does not allow. */
    static Map<String, Family> parse(String text) {
        Map<String, Family> families = new LinkedHashMap<>();
        Map<String, String> help = new LinkedHashMap<>();
        Family current = null;
        assertTrue(text.endsWith("\n"), "exposition must end with a line feed");
        for (String line : text.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("# HELP ")) {
                String[] parts = line.substring(7).split(" ", 2);
                assertTrue(NAME.matcher(parts[0]).matches(), "bad metric name in " + line);
                assertFalse(help.containsKey(parts[0]), "HELP twice for " + parts[0]);
                help.put(parts[0], parts.length > 1 ? parts[1] : "");
            } else if (line.startsWith("# TYPE ")) {
                String[] parts = line.substring(7).split(" ");
                assertEquals(2, parts.length, "TYPE line must be '# TYPE name type': " + line);
                assertTrue(NAME.matcher(parts[0]).matches(), "bad metric name in " + line);
                assertTrue(Set.of("counter", "gauge", "histogram", "summary", "untyped").contains(parts[1]), line);
                assertFalse(families.containsKey(parts[0]), "TYPE twice for " + parts[0]);
                current = new Family(parts[0], parts[1], help.get(parts[0]), new ArrayList<>());
                families.put(parts[0], current);
            } else if (line.startsWith("#")) {
                continue;
            } else {
                Matcher m = SAMPLE.matcher(line);
                assertTrue(m.matches(), "not a sample line: " + line);
                assertTrue(current != null, "sample before any TYPE line: " + line);
                String name = m.group(1);
                boolean belongs = current.type().equals("histogram")
                        ? name.equals(current.name() + "_bucket") || name.equals(current.name() + "_sum")
                        || name.equals(current.name() + "_count") || name.equals(current.name() + "_created")
                        : name.equals(current.name()) || name.equals(current.name() + "_created");
                assertTrue(belongs, "sample " + name + " is not part of family " + current.name());
                Map<String, String> labels = new LinkedHashMap<>();
                if (m.group(3) != null && !m.group(3).isEmpty()) {
                    Matcher lm = LABEL.matcher(m.group(3));
                    int end = 0;
                    while (lm.find()) {
                        labels.put(lm.group(1), lm.group(2));
                        end = lm.end();
                    }
                    assertTrue(end >= m.group(3).replaceAll(",$", "").length(), "bad labels in " + line);
                }
                current.samples().add(new Sample(name, labels, value(m.group(4))));
            }
        }
        return families;
    }

    private static double value(String text) {
        return switch (text) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(text);
        };
    }

    private static double single(Family family) {
        assertEquals(1, family.samples().size(), family.name() + " should have one sample");
        return family.samples().get(0).value();
    }

    @Test
    void scrapeNamesEveryHavenMetricWithItsTypeAndCurrentValue() {
        AtomicLong depth = new AtomicLong(3);
        HavenMetrics metrics = new HavenMetrics()
                .eventsPublished(() -> 17)
                .eventsIngested(() -> 12)
                .eventsRejected(() -> 2)
                .eventsDuplicate(() -> 5)
                .outboxDepth(depth::get)
                .mqttReconnects(() -> 1)
                .websocketClients(() -> 4)
                .coordinatorSeries();
        metrics.escalated();
        metrics.escalated();

        Map<String, Family> families = parse(metrics.scrape());

        Map<String, String> expectedTypes = Map.of(
                "haven_events_published_total", "counter",
                "haven_events_ingested_total", "counter",
                "haven_events_rejected_total", "counter",
                "haven_events_duplicate_total", "counter",
                "haven_outbox_depth", "gauge",
                "haven_mqtt_reconnects_total", "counter",
                "haven_websocket_clients", "gauge",
                "haven_escalations_total", "counter",
                "haven_press_to_ingest_seconds", "histogram");
        expectedTypes.forEach((name, type) -> {
            Family family = families.get(name);
            assertTrue(family != null, name + " missing from scrape; got " + families.keySet());
            assertEquals(type, family.type(), name);
            assertTrue(family.help() != null && !family.help().isBlank(), name + " needs a HELP line");
        });
        assertEquals(expectedTypes.keySet(), families.keySet(), "nothing beyond Haven's own metrics is exposed");
        assertEquals(17, single(families.get("haven_events_published_total")));
        assertEquals(12, single(families.get("haven_events_ingested_total")));
        assertEquals(2, single(families.get("haven_events_rejected_total")));
        assertEquals(5, single(families.get("haven_events_duplicate_total")));
        assertEquals(3, single(families.get("haven_outbox_depth")));
        assertEquals(1, single(families.get("haven_mqtt_reconnects_total")));
        assertEquals(4, single(families.get("haven_websocket_clients")));
        assertEquals(2, single(families.get("haven_escalations_total")));

        depth.set(0);
        assertEquals(0, single(parse(metrics.scrape()).get("haven_outbox_depth")), "gauges are read at scrape time");
    }

    @Test
    void pressToIngestBucketsAreCumulativeAndEndAtTheCount() {
        HavenMetrics metrics = new HavenMetrics().coordinatorSeries();
        metrics.pressIngested(Duration.ofMillis(40));
        metrics.pressIngested(Duration.ofMillis(80));
        metrics.pressIngested(Duration.ofMillis(300));
        metrics.pressIngested(Duration.ofSeconds(45));
        metrics.pressIngested(Duration.ofMillis(-20)); // hub clock ahead of the coordinator's

        Family histogram = parse(metrics.scrape()).get("haven_press_to_ingest_seconds");
        List<Sample> buckets = histogram.samples().stream().filter(s -> s.name().endsWith("_bucket")).toList();
        assertEquals(HavenMetrics.PRESS_TO_INGEST_BUCKETS.length + 1, buckets.size(), "one bucket per bound plus +Inf");
        double previousBound = Double.NEGATIVE_INFINITY;
        double previousCount = 0;
        for (Sample bucket : buckets) {
            double bound = value(bucket.labels().get("le"));
            assertTrue(bound > previousBound, "le bounds must increase: " + bucket);
            assertTrue(bucket.value() >= previousCount, "bucket counts must be cumulative: " + bucket);
            previousBound = bound;
            previousCount = bucket.value();
        }
        assertEquals(Double.POSITIVE_INFINITY, previousBound, "the last bucket is le=+Inf");
        double count = histogram.samples().stream().filter(s -> s.name().endsWith("_count")).findFirst().orElseThrow().value();
        double sum = histogram.samples().stream().filter(s -> s.name().endsWith("_sum")).findFirst().orElseThrow().value();
        assertEquals(5, count);
        assertEquals(previousCount, count, "+Inf bucket equals _count");
        assertEquals(45.42, sum, 1e-9);
        assertEquals(3, bucketAt(buckets, 0.1), "0, 0.04 and 0.08 s are within 100 ms");
        assertEquals(4, bucketAt(buckets, 0.5));
        assertEquals(4, bucketAt(buckets, 30));
        assertEquals(5, bucketAt(buckets, 60));
    }

    private static double bucketAt(List<Sample> buckets, double le) {
        return buckets.stream().filter(b -> value(b.labels().get("le")) == le).findFirst().orElseThrow().value();
    }

    @Test
    void aRoleExposesOnlyWhatItWired() {
        Map<String, Family> hub = parse(new HavenMetrics().eventsPublished(() -> 0).outboxDepth(() -> 0)
                .mqttReconnects(() -> 0).scrape());
        assertEquals(Set.of("haven_events_published_total", "haven_outbox_depth", "haven_mqtt_reconnects_total"), hub.keySet());
    }

    @Test
    void wiringTheSameMetricTwiceIsRefused() {
        HavenMetrics metrics = new HavenMetrics().eventsIngested(() -> 1);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> metrics.eventsIngested(() -> 2));
        assertTrue(e.getMessage().contains("haven_events_ingested_total"), e.getMessage());
    }

    @Test
    void theParserRejectsABrokenExposition() {
        assertThrows(AssertionError.class, () -> parse("haven_orphan 1\n"));
        assertThrows(AssertionError.class, () -> parse("# TYPE haven_x counter\nhaven_y 1\n"));
        assertThrows(AssertionError.class, () -> parse("# TYPE haven_x counter\n# TYPE haven_x counter\n"));
    }
}
