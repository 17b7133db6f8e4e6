package haven.classroom.isolation;

import haven.testkit.ClassroomNetwork;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import haven.protocol.Json;
import haven.store.Database;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real nftables in network namespaces this test creates and deletes itself:
 * <pre>
 *   pupil-pc 10.91.1.2 ──veth── 10.91.1.1 gw (the hub, ip_forward=1, nft) 10.91.2.1 ──veth── school-net 10.91.2.2
 *                                                                                          + technician 10.91.2.3
 * </pre>
 * All traffic stays inside these namespaces. Skipped (with a message) only when namespaces cannot be
 * created and CI is not "true"; under CI=true that is a failure.
 */
class NftablesIsolatorTest {
    private static final Path IP = Path.of("/usr/sbin/ip");
    private static final Path NFT = Path.of("/usr/sbin/nft");
    private static final String PUPIL_IP = ClassroomNetwork.PUPIL_IP;
    private static final String PUPIL_MAC = ClassroomNetwork.PUPIL_MAC;
    private static final String SCHOOL_IP = ClassroomNetwork.SCHOOL_IP;
    private static final String TECHNICIAN_IP = ClassroomNetwork.TECHNICIAN_IP;
    private static final String PUPIL_IP6 = ClassroomNetwork.PUPIL_IP6;
    private static final String SCHOOL_IP6 = ClassroomNetwork.SCHOOL_IP6;

    private ClassroomNetwork net;
    private final Machine pupilPc = new Machine("PC-07", PUPIL_MAC, PUPIL_IP);
    private String pupilNs;
    private String gwNs;
    private String schoolNs;
    private PingProbe fromPupil;
    private PingProbe fromSchool;
    private PingProbe fromTechnician;

    @TempDir
    Path temp;

    @BeforeEach
    void buildClassroom() throws Exception {
        net = ClassroomNetwork.create();
        pupilNs = net.pupilNs;
        gwNs = net.gwNs;
        schoolNs = net.schoolNs;
        fromPupil = net.fromPupil;
        fromSchool = net.fromSchool;
        fromTechnician = net.fromTechnician;
    }

    @AfterEach
    void removeClassroom() {
        if (net != null) {
            net.close();
        }
    }

    private NftablesIsolator gateway() {
        return new NftablesIsolator(NFT, Optional.of(gwNs), Optional.of(TECHNICIAN_IP), Optional.of(fromSchool));
    }

    @Test
    void isolationCutsThePupilOffWithinASecondAndLeavesItsInterfaceAndAddressUntouched() throws Exception {
        String addrBefore = sh(IP.toString(), "-n", pupilNs, "-br", "addr");
        String linkBefore = sh(IP.toString(), "-n", pupilNs, "-br", "link");

        IsolationResult result = gateway().isolate(pupilPc);
        Instant isolatedAt = Instant.now();

        assertTrue(result.applied(), () -> "not applied: " + result);
        assertTrue(result.verified(), () -> "not verified: " + result);
        assertNull(result.failure());
        assertTrue(result.evidence().contains("isolated_ip4 with " + PUPIL_IP), result.evidence());
        assertTrue(result.evidence().contains("probe: ping " + PUPIL_IP), result.evidence());
        assertTrue(pingFailsWithin(fromPupil, SCHOOL_IP, Duration.ofSeconds(1), isolatedAt), "pupil -> school still answered after 1 s");
        assertFalse(fromSchool.reach(PUPIL_IP).reachable(), "school -> pupil must be cut as well");

        assertEquals(addrBefore, sh(IP.toString(), "-n", pupilNs, "-br", "addr"), "the pupil's addresses must not change");
        assertEquals(linkBefore, sh(IP.toString(), "-n", pupilNs, "-br", "link"), "the pupil's link must not change");
        assertTrue(linkBefore.contains(PUPIL_MAC) && linkBefore.contains("UP"), linkBefore);

        assertTrue(fromTechnician.reach(PUPIL_IP).reachable(), "the allow-listed technician must still reach the pupil");
        assertTrue(fromPupil.reach(TECHNICIAN_IP).reachable(), "the pupil must still reach the allow-listed technician");
    }

    @Test
    void isolatingTwiceChangesNothingTheSecondTime() throws Exception {
        NftablesIsolator gateway = gateway();
        assertTrue(gateway.isolate(pupilPc).verified());
        String tableAfterFirst = withoutCounters(sh(IP.toString(), "netns", "exec", gwNs, NFT.toString(), "list", "table", "inet", "haven"));

        IsolationResult again = gateway.isolate(pupilPc);

        assertTrue(again.applied() && again.verified(), again::toString);
        assertEquals(tableAfterFirst,
                withoutCounters(sh(IP.toString(), "netns", "exec", gwNs, NFT.toString(), "list", "table", "inet", "haven")));
        assertEquals(List.of(PUPIL_IP), setElements("isolated_ip4"));
        assertEquals(List.of(PUPIL_MAC), setElements("isolated_mac"));
        assertEquals(11, ruleCount(), "rules are written once, not appended again");
    }

    @Test
    void otherTablesOnTheGatewayAreNeverTouched() throws Exception {
        String other = """
                add table ip school_firewall
                add set ip school_firewall blocked { type ipv4_addr; elements = { 192.0.2.7 }; }
                add chain ip school_firewall school_forward { type filter hook forward priority 0; policy accept; }
                """;
        assertTrue(ExternalCommand.run(List.of(IP.toString(), "netns", "exec", gwNs, NFT.toString(), "-f", "-"), other,
                Duration.ofSeconds(10)).ok());
        String before = sh(IP.toString(), "netns", "exec", gwNs, NFT.toString(), "list", "table", "ip", "school_firewall");

        NftablesIsolator gateway = gateway();
        gateway.isolate(pupilPc);
        gateway.release(pupilPc);

        assertEquals(before, sh(IP.toString(), "netns", "exec", gwNs, NFT.toString(), "list", "table", "ip", "school_firewall"));
    }

    @Test
    void anActiveIsolationIsReappliedByANewHubAfterTheGatewayLosesItsRules() throws Exception {
        Clock clock = Clock.fixed(Instant.parse("2025-03-04T10:15:30Z"), ZoneOffset.UTC);
        Path file = temp.resolve("hub.db");
        try (Database db = Database.open(file, "db/hub")) {
            IsolationService hub = new IsolationService(gateway(), new IsolationStore(db, clock));
            assertTrue(hub.isolate(pupilPc).verified());
        }
        // A reboot of the gateway empties the kernel's ruleset; only SQLite remembers.
        sh(IP.toString(), "netns", "exec", gwNs, NFT.toString(), "delete", "table", "inet", "haven");
        assertTrue(eventually(true, () -> fromPupil.reach(SCHOOL_IP).reachable(), Duration.ofSeconds(2)),
                "without the table the pupil is reachable again (the state a reboot would leave)");

        try (Database db = Database.open(file, "db/hub")) {
            IsolationService restarted = new IsolationService(gateway(), new IsolationStore(db, clock));
            List<IsolationResult> reapplied = restarted.reapplyActive();
            Instant reappliedAt = Instant.now();

            assertEquals(1, reapplied.size());
            assertTrue(reapplied.get(0).verified(), reapplied.get(0)::toString);
            assertEquals(pupilPc, reapplied.get(0).machine());
            assertTrue(pingFailsWithin(fromPupil, SCHOOL_IP, Duration.ofSeconds(1), reappliedAt));
            assertEquals(1, restarted.active().size());
        }
    }

    @Test
    void releaseLetsTrafficFlowAgainAndIsIdempotent() throws Exception {
        NftablesIsolator gateway = gateway();
        assertTrue(gateway.isolate(pupilPc).verified());
        assertTrue(pingFailsWithin(fromPupil, SCHOOL_IP, Duration.ofSeconds(1), Instant.now()));

        IsolationResult released = gateway.release(pupilPc);

        assertTrue(released.applied() && released.verified(), released::toString);
        assertTrue(released.evidence().contains("no longer lists " + PUPIL_IP), released.evidence());
        assertTrue(eventually(true, () -> fromPupil.reach(SCHOOL_IP).reachable(), Duration.ofSeconds(2)), "traffic must flow after release");
        assertTrue(fromSchool.reach(PUPIL_IP).reachable());
        assertEquals(List.of(), setElements("isolated_ip4"));

        IsolationResult again = gateway.release(pupilPc);
        assertTrue(again.applied() && again.verified(), again::toString);
    }

    @Test
    void aMachineThatChangesItsOwnAddressIsStillCutOffByItsMac() throws Exception {
        assertTrue(gateway().isolate(pupilPc).verified());
        // Done to the test's pupil namespace only, to stand in for a pupil re-addressing the computer.
        String pupilIf = sh(IP.toString(), "-n", pupilNs, "-br", "link").lines()
                .filter(l -> l.contains(PUPIL_MAC)).findFirst().orElseThrow().split("[@ ]")[0];
        sh(IP.toString(), "-n", pupilNs, "addr", "add", "10.91.1.99/24", "dev", pupilIf);
        PingProbe fromNewAddress = new PingProbe(PingProbe.DEFAULT_PING, Optional.of(pupilNs), Optional.of("10.91.1.99"));

        assertFalse(fromNewAddress.reach(SCHOOL_IP).reachable(), "a new IP on the same MAC must not get through");
        assertTrue(fromNewAddress.reach(TECHNICIAN_IP).reachable(), "the technician stays reachable whatever the IP");
    }

    @Test
    void anIpv6MachineIsCutOffAndReleasedTheSameWay() throws Exception {
        Machine pupilV6 = new Machine("PC-07", PUPIL_MAC, PUPIL_IP6);
        PingProbe fromSchoolV6 = new PingProbe(PingProbe.DEFAULT_PING, Optional.of(schoolNs), Optional.empty());
        assertTrue(eventually(true, () -> fromPupil.reach(SCHOOL_IP6).reachable(), Duration.ofSeconds(3)), "IPv6 routes before isolation");
        NftablesIsolator gateway = new NftablesIsolator(NFT, Optional.of(gwNs), Optional.of(TECHNICIAN_IP), Optional.of(fromSchoolV6));

        IsolationResult isolated = gateway.isolate(pupilV6);

        assertTrue(isolated.verified(), isolated::toString);
        assertEquals(List.of(PUPIL_IP6), setElements("isolated_ip6"));
        assertTrue(pingFailsWithin(fromPupil, SCHOOL_IP6, Duration.ofSeconds(1), Instant.now()));

        assertTrue(gateway.release(pupilV6).verified());
        assertTrue(eventually(true, () -> fromPupil.reach(SCHOOL_IP6).reachable(), Duration.ofSeconds(2)), "IPv6 flows after release");
    }

    private List<String> setElements(String set) throws Exception {
        JsonNode json = Json.parse(sh(IP.toString(), "netns", "exec", gwNs, NFT.toString(), "-j", "list", "set", "inet", "haven", set)
                .getBytes(StandardCharsets.UTF_8));
        List<String> out = new ArrayList<>();
        for (JsonNode item : json.path("nftables")) {
            item.path("set").path("elem").forEach(e -> out.add(e.asText()));
        }
        return out;
    }

    private int ruleCount() throws Exception {
        JsonNode json = Json.parse(sh(IP.toString(), "netns", "exec", gwNs, NFT.toString(), "-j", "list", "chain", "inet", "haven", "forward")
                .getBytes(StandardCharsets.UTF_8));
        int rules = 0;
        for (JsonNode item : json.path("nftables")) {
            if (item.has("rule")) {
                rules++;
            }
        }
        return rules;
    }

    private static String withoutCounters(String listing) {
        return listing.replaceAll("counter packets \\d+ bytes \\d+", "counter");
    }

    /**
     * True if a ping started within {@code within} of {@code since} got no reply. Bounded: attempts start
     * only before the deadline, and each one waits at most 1 s (-W 1).
     */
    private static boolean pingFailsWithin(PingProbe from, String ip, Duration within, Instant since) {
        Instant deadline = since.plus(within);
        do {
            if (!from.reach(ip).reachable()) {
                return true;
            }
        } while (Instant.now().isBefore(deadline));
        return false;
    }

    private static boolean eventually(boolean wanted, BooleanSupplier check, Duration within) throws InterruptedException {
        return ClassroomNetwork.eventually(wanted, check, within);
    }

    private static String sh(String... argv) throws Exception {
        return ClassroomNetwork.sh(argv);
    }
}
