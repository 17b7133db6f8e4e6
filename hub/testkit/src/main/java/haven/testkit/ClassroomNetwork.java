package haven.testkit;

import haven.classroom.isolation.ExternalCommand;
import haven.classroom.isolation.PingProbe;
import static org.junit.jupiter.api.Assertions.assertTrue;
import haven.classroom.isolation.ExternalCommand;
import haven.classroom.isolation.PingProbe;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Assumptions;

/**
 * A classroom network made of network namespaces this test run creates: pupil-pc <-> gw (the hub as the
 * classroom gateway, forwarding on) <-> school-net, over veth, with a technician address on the school
 * side, IPv4 and IPv6. Traffic never leaves these namespaces; {@link #close()} deletes them.
 */
public final class ClassroomNetwork implements AutoCloseable {
    public static final Path IP = Path.of("/usr/sbin/ip");
    public static final Path NFT = Path.of("/usr/sbin/nft");
    public static final String PUPIL_IP = "10.91.1.2";
    public static final String PUPIL_MAC = "02:00:5e:91:01:02";
    public static final String SCHOOL_IP = "10.91.2.2";
    public static final String TECHNICIAN_IP = "10.91.2.3";
    public static final String PUPIL_IP6 = "fd00:91:1::2";
    public static final String SCHOOL_IP6 = "fd00:91:2::2";

    private final List<String> namespaces = new ArrayList<>();
    public String pupilNs;
    public String gwNs;
    public String schoolNs;
    public PingProbe fromPupil;
    public PingProbe fromSchool;
    public PingProbe fromTechnician;

    private ClassroomNetwork() {
    }

    /** Builds the three namespaces; skips (or fails under CI=true) where namespaces cannot be made. */
    public static ClassroomNetwork create() throws Exception {
        ClassroomNetwork net = new ClassroomNetwork();
        try {
            net.build();
        } catch (Exception | AssertionError e) {
            net.close();
            throw e;
        }
        return net;
    }

    private void build() throws Exception {
        String run = Long.toHexString(ProcessHandle.current().pid() & 0xfff)
                + HexFormat.of().toHexDigits((byte) ThreadLocalRandom.current().nextInt(256));
        pupilNs = "hv-pupil-" + run;
        gwNs = "hv-gw-" + run;
        schoolNs = "hv-school-" + run;
        try {
            if (!Files.isExecutable(NFT) || !Files.isExecutable(IP)) {
                throw new IllegalStateException(NFT + " or " + IP + " is not installed");
            }
            for (String ns : List.of(pupilNs, gwNs, schoolNs)) {
                sh(IP.toString(), "netns", "add", ns);
                namespaces.add(ns);
            }
        } catch (Exception | AssertionError e) {
            String why = "cannot create network namespaces (needs root and iproute2/nftables): " + e.getMessage();
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true: " + why);
            }
            Assumptions.abort(why);
        }
        // Interface names are created directly inside the namespaces, but kept unique and <= 15 chars anyway.
        String pupilIf = "hp" + run;
        String gwPupilIf = "hgp" + run;
        String gwSchoolIf = "hgs" + run;
        String schoolIf = "hs" + run;
        sh(IP.toString(), "link", "add", pupilIf, "netns", pupilNs, "type", "veth", "peer", "name", gwPupilIf, "netns", gwNs);
        sh(IP.toString(), "link", "add", gwSchoolIf, "netns", gwNs, "type", "veth", "peer", "name", schoolIf, "netns", schoolNs);
        sh(IP.toString(), "-n", pupilNs, "link", "set", pupilIf, "address", PUPIL_MAC);
        for (String ns : List.of(pupilNs, gwNs, schoolNs)) {
            sh(IP.toString(), "-n", ns, "link", "set", "lo", "up");
        }
        sh(IP.toString(), "-n", pupilNs, "addr", "add", PUPIL_IP + "/24", "dev", pupilIf);
        sh(IP.toString(), "-n", pupilNs, "link", "set", pupilIf, "up");
        sh(IP.toString(), "-n", pupilNs, "route", "add", "default", "via", "10.91.1.1");
        sh(IP.toString(), "-n", gwNs, "addr", "add", "10.91.1.1/24", "dev", gwPupilIf);
        sh(IP.toString(), "-n", gwNs, "addr", "add", "10.91.2.1/24", "dev", gwSchoolIf);
        sh(IP.toString(), "-n", gwNs, "link", "set", gwPupilIf, "up");
        sh(IP.toString(), "-n", gwNs, "link", "set", gwSchoolIf, "up");
        sh(IP.toString(), "netns", "exec", gwNs, "sysctl", "-qw", "net.ipv4.ip_forward=1");
        sh(IP.toString(), "-n", schoolNs, "addr", "add", SCHOOL_IP + "/24", "dev", schoolIf);
        sh(IP.toString(), "-n", schoolNs, "addr", "add", TECHNICIAN_IP + "/24", "dev", schoolIf);
        sh(IP.toString(), "-n", schoolNs, "link", "set", schoolIf, "up");
        sh(IP.toString(), "-n", schoolNs, "route", "add", "default", "via", "10.91.2.1");

        // IPv6 beside IPv4 (nodad: addresses are usable at once instead of after duplicate detection).
        sh(IP.toString(), "netns", "exec", gwNs, "sysctl", "-qw", "net.ipv6.conf.all.forwarding=1");
        sh(IP.toString(), "-n", pupilNs, "addr", "add", PUPIL_IP6 + "/64", "dev", pupilIf, "nodad");
        sh(IP.toString(), "-n", pupilNs, "route", "add", "default", "via", "fd00:91:1::1");
        sh(IP.toString(), "-n", gwNs, "addr", "add", "fd00:91:1::1/64", "dev", gwPupilIf, "nodad");
        sh(IP.toString(), "-n", gwNs, "addr", "add", "fd00:91:2::1/64", "dev", gwSchoolIf, "nodad");
        sh(IP.toString(), "-n", schoolNs, "addr", "add", SCHOOL_IP6 + "/64", "dev", schoolIf, "nodad");
        sh(IP.toString(), "-n", schoolNs, "route", "add", "default", "via", "fd00:91:2::1");

        fromPupil = new PingProbe(PingProbe.DEFAULT_PING, Optional.of(pupilNs), Optional.empty());
        fromSchool = new PingProbe(PingProbe.DEFAULT_PING, Optional.of(schoolNs), Optional.of(SCHOOL_IP));
        fromTechnician = new PingProbe(PingProbe.DEFAULT_PING, Optional.of(schoolNs), Optional.of(TECHNICIAN_IP));
        assertTrue(eventually(true, () -> fromPupil.reach(SCHOOL_IP).reachable(), Duration.ofSeconds(3)),
                "the test classroom must route pupil -> school before anything is isolated");
    }

    @Override
    public void close() {
        for (String ns : namespaces) {
            try {
                ExternalCommand.run(List.of(IP.toString(), "netns", "del", ns), null, Duration.ofSeconds(10));
            } catch (Exception e) {
                System.err.println("cleanup: could not delete netns " + ns + ": " + e.getMessage());
            }
        }
    }


    /** Polls {@code check} until it gives {@code wanted}; bounded by {@code within} plus one check. */
    public static boolean eventually(boolean wanted, BooleanSupplier check, Duration within) throws InterruptedException {
        Instant deadline = Instant.now().plus(within);
        do {
            if (check.getAsBoolean() == wanted) {
                return true;
            }
            Thread.sleep(50);
        } while (Instant.now().isBefore(deadline));
        return false;
    }

    public static String sh(String... argv) throws Exception {
        ExternalCommand.Outcome run = ExternalCommand.run(List.of(argv), null, Duration.ofSeconds(10));
        if (!run.ok()) {
            throw new AssertionError(String.join(" ", argv) + " failed (exit " + run.exit() + "): " + run.firstErrorLine());
        }
        return run.stdout();
    }
}
