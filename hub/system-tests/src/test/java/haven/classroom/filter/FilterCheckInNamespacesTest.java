package haven.classroom.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import haven.protocol.FilterTargets;
import haven.protocol.Json;
import haven.testkit.ChildJvm;
import haven.testkit.FilterNetwork;
import haven.testkit.FilterTestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The filter check as a hub runs it, from a namespace behind a "filter" namespace this test creates (dnsmasq
 * and a web server with a block page and an interception certificate). Every name is under .test and every
 * address is the filter namespace's: nothing else is contacted.
 */
class FilterCheckInNamespacesTest {
    @TempDir
    Path temp;
    private FilterNetwork net;

    @BeforeEach
    void buildNetwork() throws Exception {
        net = FilterNetwork.create(temp);
    }

    @AfterEach
    void removeNetwork() {
        if (net != null) {
            net.close();
        }
    }

    @Test
    void eachWayAFilterBlocksIsRecognisedAndTheOneSiteLetThroughIsAFailure() throws Exception {
        FilterTargets targets = new FilterTargets(Instant.now(), List.of(
                new FilterTargets.Target("adult", "nxdomain.test", "blocked"),
                new FilterTargets.Target("gambling", "sinkholed.test", "blocked"),
                new FilterTargets.Target("violence", "http://blockme.test/page", "blocked"),
                new FilterTargets.Target("malware", "https://intercepted.test/", "blocked"),
                new FilterTargets.Target("proxy", "http://refused.test:81/", "blocked"),
                new FilterTargets.Target("games", "http://allowed.test/", "blocked")),
                List.of(FilterTestServer.BLOCK_PAGE_SIGNATURE), List.of(FilterTestServer.INTERCEPTION_ISSUER), List.of());
        Path file = temp.resolve("targets.json");
        Files.write(file, targets.encode());

        int[] exit = new int[1];
        // No --resolver: the probe asks the resolver of the hub namespace's /etc/resolv.conf, as a pupil's PC would.
        String out = net.inHub(exit, ChildJvm.currentJava(), "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                "haven.cli.HavenCli", "filter-check", "--targets", file.toString(), "--timeout-millis", "2000");
        JsonNode results = Json.parse(out.trim().lines().reduce((a, b) -> b).orElse("").getBytes(StandardCharsets.UTF_8));
        Map<String, JsonNode> byCategory = new HashMap<>();
        results.forEach(r -> byCategory.put(r.get("category").asText(), r));

        assertEquals("blocked", byCategory.get("adult").get("result").asText(), out);
        assertEquals("nxdomain", byCategory.get("adult").at("/evidence/dns").asText(), out);
        assertEquals("blocked", byCategory.get("gambling").get("result").asText(), out);
        assertEquals("sinkhole", byCategory.get("gambling").at("/evidence/dns").asText(), out);
        assertEquals("0.0.0.0", byCategory.get("gambling").at("/evidence/address").asText(), out);
        assertEquals("blocked", byCategory.get("violence").get("result").asText(), out);
        assertEquals(403, byCategory.get("violence").at("/evidence/status").asInt(), out);
        assertEquals(FilterTestServer.BLOCK_PAGE_SIGNATURE, byCategory.get("violence").at("/evidence/blockPage").asText(), out);
        assertEquals("blocked", byCategory.get("malware").get("result").asText(), out);
        assertEquals("intercepted", byCategory.get("malware").at("/evidence/tls").asText(), out);
        assertEquals(FilterTestServer.INTERCEPTION_ISSUER, byCategory.get("malware").at("/evidence/issuer").asText(), out);
        assertEquals("blocked", byCategory.get("proxy").get("result").asText(), out);
        assertEquals("refused", byCategory.get("proxy").at("/evidence/connect").asText(), out);
        assertEquals("reachable", byCategory.get("games").get("result").asText(), out);
        assertEquals(FilterNetwork.FILTER_IP, byCategory.get("games").at("/evidence/address").asText(), out);
        assertEquals(200, byCategory.get("games").at("/evidence/status").asInt(), out);
        assertEquals(1, exit[0], "something expected blocked got through: exit 1");
    }
}
