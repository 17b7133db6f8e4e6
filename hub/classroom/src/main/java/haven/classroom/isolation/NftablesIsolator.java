package haven.classroom.isolation;

import com.fasterxml.jackson.databind.JsonNode;
import haven.protocol.ContractViolation;
import haven.protocol.Json;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Isolation when the hub is the classroom's gateway: the machine's packets are dropped in the gateway's
 * forward path, so its cable, link, DHCP lease and address stay exactly as they were (policy: "any change
 * to its state may hinder a later police investigation"). Traffic between the machine and the hub itself
 * (DHCP, DNS on the hub) is not forwarded and is left alone for the same reason.
 *
 * <p>Everything lives in one table, {@code inet haven}, that no one else writes; no other table is read
 * or changed. The table holds named sets {@code isolated_mac}, {@code isolated_ip4}, {@code isolated_ip6}
 * (the machines) and {@code allowed_ip4}, {@code allowed_ip6} (the technician/forensic host that may still
 * talk to an isolated machine), and a {@code forward} chain at priority -10, policy accept, which accepts
 * allow-list traffic and drops any other packet from or to an isolated machine. Existing connections are
 * cut too: there is deliberately no "established" exception.
 *
 * <p>Each change is one nft script fed on stdin, which nft applies as one kernel transaction: all of it or
 * none. Adding an element that exists and deleting one that does not (add-then-delete in one transaction)
 * both succeed, so isolate and release are idempotent. The chain's rules are (re)written only when they
 * are not exactly Haven's current rules, so the drop counters survive normal use.
 *
 * <p>Verification reads the set back from the kernel ({@code nft -j list set}); an optional {@link Probe}
 * can refute it by still getting a reply.
 */
public final class NftablesIsolator implements Isolator {
    private static final Logger log = LoggerFactory.getLogger(NftablesIsolator.class);

    public static final String BACKEND = "nftables";
    public static final Path DEFAULT_NFT = Path.of("/usr/sbin/nft");
    static final Path IP = Path.of("/usr/sbin/ip");
    static final String TABLE = "inet haven";
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);
    private static final String RULE_VERSION = "haven-v1-";

    /** Order matters: allow-list accepts come before the drops. */
    private static final List<String> RULES = List.of(
            "ip saddr @allowed_ip4 ip daddr @isolated_ip4 accept",
            "ip saddr @isolated_ip4 ip daddr @allowed_ip4 accept",
            "ip6 saddr @allowed_ip6 ip6 daddr @isolated_ip6 accept",
            "ip6 saddr @isolated_ip6 ip6 daddr @allowed_ip6 accept",
            // The MAC rules catch an isolated machine that changes its own IP; a MAC is only seen on
            // packets the machine sends, so traffic towards it is matched by IP.
            "ether saddr @isolated_mac ip daddr @allowed_ip4 accept",
            "ether saddr @isolated_mac ip6 daddr @allowed_ip6 accept",
            "ether saddr @isolated_mac counter drop",
            "ip saddr @isolated_ip4 counter drop",
            "ip daddr @isolated_ip4 counter drop",
            "ip6 saddr @isolated_ip6 counter drop",
            "ip6 daddr @isolated_ip6 counter drop");

    private final Path nft;
    private final Optional<String> netns;
    private final Optional<InetAddress> allowed;
    private final Optional<Probe> probe;

    /**
     * @param nft       the nft binary, normally {@link #DEFAULT_NFT}
     * @param netns     run nft inside this network namespace ({@code ip netns exec}); empty on a real hub
     * @param allowedIp the technician/forensic host that may still reach isolated machines, if any
     * @param probe     an extra check that traffic stopped, if a vantage point exists
     */
    public NftablesIsolator(Path nft, Optional<String> netns, Optional<String> allowedIp, Optional<Probe> probe) {
        this.nft = nft;
        this.netns = netns.map(n -> ExternalCommand.requireNetnsName("nftables netns", n));
        this.allowed = allowedIp.map(ip -> Machine.requireUnicastIp("nftables allowed ip", ip));
        this.probe = probe;
    }

    @Override
    public String backend() {
        return BACKEND;
    }

    @Override
    public synchronized IsolationResult isolate(Machine machine) {
        String ipSet = ipSet(machine);
        String elements = "add element " + TABLE + " " + ipSet + " { " + machine.ip() + " }\n"
                + "add element " + TABLE + " isolated_mac { " + machine.mac() + " }\n";
        return change(machine, elements, "isolation", "applied as one nft transaction", listed -> {
            StringBuilder evidence = new StringBuilder(where()).append("; applied as one nft transaction; kernel lists ")
                    .append(ipSet).append(listed.ip() ? " with " : " WITHOUT ").append(machine.ip())
                    .append(", isolated_mac").append(listed.mac() ? " with " : " WITHOUT ").append(machine.mac());
            String failure = listed.ip() && listed.mac() ? null : "nft accepted the script but the kernel set does not list the machine";
            if (failure == null && probe.isPresent()) {
                Probe.Outcome outcome = probe.get().probe(machine);
                evidence.append("; probe: ").append(outcome.detail());
                if (outcome.reachable()) {
                    failure = "the machine still answered after isolation: " + outcome.detail();
                }
            }
            return new Verified(evidence.toString(), failure);
        });
    }

    @Override
    public synchronized IsolationResult release(Machine machine) {
        String ipSet = ipSet(machine);
        // add-then-delete in one transaction: deleting a missing element would fail the whole script, and
        // nft 1.0.6 (Debian bookworm) has no "destroy". The net effect is "not in the set", whatever was there.
        String elements = "add element " + TABLE + " " + ipSet + " { " + machine.ip() + " }\n"
                + "delete element " + TABLE + " " + ipSet + " { " + machine.ip() + " }\n"
                + "add element " + TABLE + " isolated_mac { " + machine.mac() + " }\n"
                + "delete element " + TABLE + " isolated_mac { " + machine.mac() + " }\n";
        return change(machine, elements, "release", "removed in one nft transaction", listed -> {
            StringBuilder evidence = new StringBuilder(where()).append("; removed in one nft transaction; kernel ")
                    .append(ipSet).append(listed.ip() ? " STILL lists " : " no longer lists ").append(machine.ip())
                    .append(", isolated_mac").append(listed.mac() ? " STILL lists " : " no longer lists ").append(machine.mac());
            String failure = listed.ip() || listed.mac() ? "nft accepted the release but the kernel set still lists the machine" : null;
            // After a release a silent machine may simply be switched off, so the probe is evidence only.
            probe.ifPresent(p -> evidence.append("; probe: ").append(p.probe(machine).detail()));
            return new Verified(evidence.toString(), failure);
        });
    }

    /** What the kernel's read-back showed after a change: the evidence text, and the failure if it did not hold. */
    private record Verified(String evidence, String failure) {
    }

    /**
     * Applies the table and one change of the sets' elements as one nft script and reads the kernel's sets
     * back: the same steps for isolating and releasing, which differ only in the elements and in what the
     * read-back must show ({@code verify}).
     */
    private IsolationResult change(Machine machine, String elements, String what, String how,
                                   java.util.function.Function<Listed, Verified> verify) {
        String ipSet = ipSet(machine);
        String handle = handle(ipSet, machine);
        try {
            ExternalCommand.Outcome applied = nft(tableScript() + elements, "-f", "-");
            if (!applied.ok()) {
                String reason = "nft refused the " + what + " (exit " + applied.exit() + "): " + applied.firstErrorLine();
                log.warn("{} failed machine={} backend={} reason={}", what, machine.name(), BACKEND, reason);
                return IsolationResult.notApplied(machine, BACKEND, where(), reason);
            }
            Listed listed;
            try {
                listed = listed(ipSet, machine);
            } catch (IOException e) {
                return new IsolationResult(machine, BACKEND, true, false, handle, where() + "; " + how,
                        (what.equals("release") ? "released" : "applied") + ", but the set could not be read back: " + e.getMessage());
            }
            Verified verified = verify.apply(listed);
            log.info("isolation {} machine={} backend={} verified={}", what.equals("release") ? "released" : "applied",
                    machine.name(), BACKEND, verified.failure() == null);
            return new IsolationResult(machine, BACKEND, true, verified.failure() == null, handle, verified.evidence(),
                    verified.failure());
        } catch (IOException e) {
            return cannotRun(machine, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return IsolationResult.notApplied(machine, BACKEND, where(), "interrupted while running nft");
        }
    }

    /**
     * Creates the table, sets and chain if missing ({@code add} never fails on an existing object), rewrites
     * the chain's rules only when they are not Haven's current ones, and sets the allow-list. Only the
     * {@code inet haven} table is ever named.
     */
    private String tableScript() throws IOException, InterruptedException {
        StringBuilder s = new StringBuilder()
                .append("add table ").append(TABLE).append('\n')
                .append("add set ").append(TABLE).append(" isolated_mac { type ether_addr; }\n")
                .append("add set ").append(TABLE).append(" isolated_ip4 { type ipv4_addr; }\n")
                .append("add set ").append(TABLE).append(" isolated_ip6 { type ipv6_addr; }\n")
                .append("add set ").append(TABLE).append(" allowed_ip4 { type ipv4_addr; }\n")
                .append("add set ").append(TABLE).append(" allowed_ip6 { type ipv6_addr; }\n")
                .append("add chain ").append(TABLE).append(" forward { type filter hook forward priority -10; policy accept; }\n");
        if (!rulesInPlace()) {
            s.append("flush chain ").append(TABLE).append(" forward\n");
            for (int i = 0; i < RULES.size(); i++) {
                s.append("add rule ").append(TABLE).append(" forward ").append(RULES.get(i))
                        .append(" comment \"").append(RULE_VERSION).append(i + 1).append("\"\n");
            }
        }
        s.append("flush set ").append(TABLE).append(" allowed_ip4\n")
                .append("flush set ").append(TABLE).append(" allowed_ip6\n");
        allowed.ifPresent(a -> s.append("add element ").append(TABLE)
                .append(a instanceof Inet6Address ? " allowed_ip6 { " : " allowed_ip4 { ")
                .append(a.getHostAddress()).append(" }\n"));
        return s.toString();
    }

    private boolean rulesInPlace() throws IOException, InterruptedException {
        ExternalCommand.Outcome listed = nft(null, "-j", "list", "chain", "inet", "haven", "forward");
        if (!listed.ok()) {
            return false;
        }
        List<String> comments = new ArrayList<>();
        for (JsonNode item : nftables(listed)) {
            JsonNode rule = item.path("rule");
            if (!rule.isMissingNode()) {
                comments.add(rule.path("comment").asText(""));
            }
        }
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= RULES.size(); i++) {
            expected.add(RULE_VERSION + i);
        }
        return comments.equals(expected);
    }

    private static String handle(String ipSet, Machine machine) {
        return TABLE + " " + ipSet + " { " + machine.ip() + " }, isolated_mac { " + machine.mac() + " }";
    }

    /** Whether the kernel's sets list the machine's address and MAC, read back after a change. */
    private record Listed(boolean ip, boolean mac) {
    }

    private Listed listed(String ipSet, Machine machine) throws IOException, InterruptedException {
        return new Listed(setContains(ipSet, machine.address()), setContainsMac(machine.mac()));
    }

    private boolean setContains(String set, InetAddress address) throws IOException, InterruptedException {
        for (String element : elements(set)) {
            try {
                if (Machine.requireUnicastIp(set, element).equals(address)) {
                    return true;
                }
            } catch (IllegalArgumentException notAnAddress) {
                // Prefixes or ranges are never added by Haven; not this machine.
            }
        }
        return false;
    }

    private boolean setContainsMac(String mac) throws IOException, InterruptedException {
        return elements("isolated_mac").contains(mac);
    }

    private List<String> elements(String set) throws IOException, InterruptedException {
        ExternalCommand.Outcome listed = nft(null, "-j", "list", "set", "inet", "haven", set);
        if (!listed.ok()) {
            throw new IOException("nft could not list set " + set + ": " + listed.firstErrorLine());
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : nftables(listed)) {
            for (JsonNode element : item.path("set").path("elem")) {
                // Plain sets list strings; sets with per-element counters list {"elem":{"val":...}}.
                JsonNode value = element.isObject() ? element.path("elem").path("val") : element;
                if (value.isTextual()) {
                    out.add(value.asText());
                }
            }
        }
        return out;
    }

    private static JsonNode nftables(ExternalCommand.Outcome listed) throws IOException {
        try {
            return Json.parse(listed.stdout().getBytes(StandardCharsets.UTF_8)).path("nftables");
        } catch (ContractViolation e) {
            throw new IOException("nft -j printed something that is not JSON: " + e.getMessage());
        }
    }

    private ExternalCommand.Outcome nft(String stdin, String... args) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>();
        netns.ifPresent(ns -> argv.addAll(List.of(IP.toString(), "netns", "exec", ns)));
        argv.add(nft.toString());
        argv.addAll(List.of(args));
        return ExternalCommand.run(argv, stdin, COMMAND_TIMEOUT);
    }

    private IsolationResult cannotRun(Machine machine, IOException e) {
        String reason = "could not run " + nft + (netns.map(ns -> " in netns " + ns).orElse("")) + ": " + e.getMessage();
        log.warn("nft failed machine={} backend={} reason={}", machine.name(), BACKEND, reason);
        return IsolationResult.notApplied(machine, BACKEND, where(), reason);
    }

    private String where() {
        return "nft=" + nft + " netns=" + netns.orElse("current") + " table=" + TABLE
                + " allowed=" + allowed.map(InetAddress::getHostAddress).orElse("none");
    }

    private static String ipSet(Machine machine) {
        return machine.ipv6() ? "isolated_ip6" : "isolated_ip4";
    }
}
