package haven.testkit;

import static org.junit.jupiter.api.Assertions.fail;

import haven.classroom.isolation.ExternalCommand;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A classroom behind a school filter, made of two network namespaces this test run creates:
 * <pre>
 *   hub 10.93.1.2 ──veth── 10.93.1.1 filter (dnsmasq on :53, {@link FilterTestServer} on :80 and :443)
 * </pre>
 * The hub namespace's /etc/resolv.conf (through /etc/netns/NAME/resolv.conf, which {@code ip netns exec}
 * mounts) names the filter's dnsmasq, as a school's DHCP would. dnsmasq has no upstream server: every name it
 * does not know is NXDOMAIN, so no query ever leaves. The hub has no route but the veth. {@link #close()}
 * deletes everything.
 */
public final class FilterNetwork implements AutoCloseable {
    public static final Path DNSMASQ = Path.of("/usr/sbin/dnsmasq");
    public static final String FILTER_IP = "10.93.1.1";
    public static final String HUB_IP = "10.93.1.2";

    private final List<String> namespaces = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private Path netnsEtc;
    public String hubNs;
    public String filterNs;

    private FilterNetwork() {
    }

    /** Builds both namespaces and starts the filter; skips (or fails under CI=true) where that cannot be done. */
    public static FilterNetwork create(Path temp) throws Exception {
        FilterNetwork net = new FilterNetwork();
        try {
            net.build(temp);
        } catch (Exception | AssertionError e) {
            net.close();
            throw e;
        }
        return net;
    }

    private void build(Path temp) throws Exception {
        String run = Long.toHexString(ProcessHandle.current().pid() & 0xfff)
                + HexFormat.of().toHexDigits((byte) ThreadLocalRandom.current().nextInt(256));
        hubNs = "hv-fhub-" + run;
        filterNs = "hv-filt-" + run;
        try {
            if (!Files.isExecutable(ClassroomNetwork.IP) || !Files.isExecutable(DNSMASQ)) {
                throw new IllegalStateException(ClassroomNetwork.IP + " or " + DNSMASQ + " is not installed");
            }
            for (String ns : List.of(hubNs, filterNs)) {
                ClassroomNetwork.sh(ClassroomNetwork.IP.toString(), "netns", "add", ns);
                namespaces.add(ns);
            }
        } catch (Exception | AssertionError e) {
            String why = "cannot create network namespaces with dnsmasq (needs root, iproute2 and dnsmasq): " + e.getMessage();
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true: " + why);
            }
            Assumptions.abort(why);
        }
        String ip = ClassroomNetwork.IP.toString();
        String hubIf = "fh" + run;
        String filterIf = "ff" + run;
        ClassroomNetwork.sh(ip, "link", "add", hubIf, "netns", hubNs, "type", "veth", "peer", "name", filterIf, "netns", filterNs);
        for (String ns : List.of(hubNs, filterNs)) {
            ClassroomNetwork.sh(ip, "-n", ns, "link", "set", "lo", "up");
        }
        ClassroomNetwork.sh(ip, "-n", hubNs, "addr", "add", HUB_IP + "/24", "dev", hubIf);
        ClassroomNetwork.sh(ip, "-n", hubNs, "link", "set", hubIf, "up");
        ClassroomNetwork.sh(ip, "-n", filterNs, "addr", "add", FILTER_IP + "/24", "dev", filterIf);
        ClassroomNetwork.sh(ip, "-n", filterNs, "link", "set", filterIf, "up");

        netnsEtc = Path.of("/etc/netns", hubNs);
        Files.createDirectories(netnsEtc);
        Files.writeString(netnsEtc.resolve("resolv.conf"), "nameserver " + FILTER_IP + "\noptions timeout:1 attempts:1\n");

        // The filter's DNS: sinkhole one name, point the block-page and interception names at its web server,
        // and answer NXDOMAIN for the rest of .test (local=, no upstream at all).
        Process dnsmasq = start(List.of(ip, "netns", "exec", filterNs, DNSMASQ.toString(), "--keep-in-foreground",
                "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--no-poll", "--bind-interfaces",
                "--listen-address=" + FILTER_IP, "--except-interface=lo", "--pid-file=", "--user=root", "--log-facility=-",
                "--local=/test/",
                "--address=/sinkholed.test/0.0.0.0",
                "--address=/blockme.test/" + FILTER_IP,
                "--address=/intercepted.test/" + FILTER_IP,
                "--address=/refused.test/" + FILTER_IP,
                "--address=/allowed.test/" + FILTER_IP), temp.resolve("dnsmasq.log"));
        Path keystore = temp.resolve("filter-ca.p12");
        ExternalCommand.Outcome keytool = ExternalCommand.run(List.of(
                Path.of(ChildJvm.currentJava()).resolveSibling("keytool").toString(), "-genkeypair", "-alias", "filter",
                "-keyalg", "EC", "-groupname", "secp256r1", "-dname", FilterTestServer.INTERCEPTION_ISSUER, "-validity", "2",
                "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", "filter-test", "-keypass", "filter-test"),
                null, Duration.ofSeconds(30));
        if (!keytool.ok()) {
            throw new AssertionError("keytool failed: " + keytool.firstErrorLine());
        }
        Process web = start(List.of(ip, "netns", "exec", filterNs, ChildJvm.currentJava(), "-Xmx64m", "-cp",
                System.getProperty("java.class.path"), FilterTestServer.class.getName(), FILTER_IP, keystore.toString(), "filter-test"),
                temp.resolve("filter-web.log"));
        awaitReady(web, temp.resolve("filter-web.log"));
        if (!dnsmasq.isAlive()) {
            throw new AssertionError("dnsmasq exited: " + Files.readString(temp.resolve("dnsmasq.log")));
        }
    }

    private Process start(List<String> command, Path log) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.PIPE).start();
        processes.add(p);
        if (!command.contains(FilterTestServer.class.getName())) {
            Thread.ofPlatform().daemon(true).name("filter-net-log").start(() -> copy(p, log));
        }
        return p;
    }

    private static void copy(Process p, Path log) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                Files.writeString(log, line + "\n", StandardCharsets.UTF_8,
                        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            }
        } catch (IOException ignored) {
            // the process ended
        }
    }

    private static void awaitReady(Process web, Path log) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(web.getInputStream(), StandardCharsets.UTF_8));
        String line;
        for (int i = 0; i < 200 && (line = r.readLine()) != null; i++) { // bounded: the server prints little
            Files.writeString(log, line + "\n", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
            if (line.equals("ready")) {
                return;
            }
        }
        throw new AssertionError("the filter's web server did not start: " + Files.readString(log));
    }

    /** {@code argv} run inside the hub namespace; stdout returned, exit code in {@code exit[0]}. */
    public String inHub(int[] exit, String... argv) throws Exception {
        List<String> command = new ArrayList<>(List.of(ClassroomNetwork.IP.toString(), "netns", "exec", hubNs));
        command.addAll(List.of(argv));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("command in the hub namespace did not finish: " + command);
        }
        exit[0] = p.exitValue();
        return out;
    }

    @Override
    public void close() {
        for (Process p : processes) {
            p.destroy();
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (String ns : namespaces) {
            try {
                ExternalCommand.run(List.of(ClassroomNetwork.IP.toString(), "netns", "del", ns), null, Duration.ofSeconds(10));
            } catch (Exception e) {
                System.err.println("cleanup: could not delete netns " + ns + ": " + e.getMessage());
            }
        }
        if (netnsEtc != null) {
            try {
                Files.deleteIfExists(netnsEtc.resolve("resolv.conf"));
                Files.deleteIfExists(netnsEtc);
            } catch (IOException e) {
                System.err.println("cleanup: could not delete " + netnsEtc + ": " + e.getMessage());
            }
        }
    }
}
