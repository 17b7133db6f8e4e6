package haven.classroom.filter;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.protocol.FilterResult;
import haven.protocol.FilterTargets;
import haven.protocol.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.naming.NameNotFoundException;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.Attributes;
import javax.naming.directory.InitialDirContext;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Resolves and fetches one target as a pupil's computer in this room would, with a short timeout and a small
 * byte cap, and keeps nothing of the answer but the evidence: the resolved address, the HTTP status, the
 * certificate issuer, how many bytes were looked at and how long it took. The bytes read are scanned for the
 * school's block-page signatures and dropped.
 *
 * DNS goes through JNDI's DNS provider rather than InetAddress so that NXDOMAIN ("no such name", what many
 * filters answer) is told apart from a resolver that did not answer at all: only the first is a block.
 */
public final class NetworkProbe implements TargetProbe {
    /** Addresses a DNS filter commonly answers for a blocked name, besides the school's own sinkholes. */
    private static final List<String> UNROUTABLE = List.of("0.0.0.0", "::", "0:0:0:0:0:0:0:0");

    private final Optional<String> resolver;
    private final Duration timeout;
    private final int byteCap;
    private final Clock clock;

    /**
     * @param resolver a DNS server address to ask, or empty for the system's (/etc/resolv.conf), as pupils' PCs do
     * @param timeout  for each of DNS, connect and reading; the whole target takes at most about three times this
     * @param byteCap  the most bytes read of an answer (headers and body together)
     */
    public NetworkProbe(Optional<String> resolver, Duration timeout, int byteCap, Clock clock) {
        if (byteCap < 256 || byteCap > 1024 * 1024) {
            throw new IllegalArgumentException("byteCap must be 256..1048576, got " + byteCap);
        }
        this.resolver = resolver;
        this.timeout = timeout;
        this.byteCap = byteCap;
        this.clock = clock;
    }

    @Override
    public FilterResult probe(FilterTargets.Target target, FilterTargets rules) {
        long t0 = System.nanoTime();
        ObjectNode evidence = Json.object();
        evidence.put("at", Json.time(clock.instant()));
        String result = classify(target, rules, evidence);
        evidence.put("millis", (System.nanoTime() - t0) / 1_000_000);
        return new FilterResult(target.category(), target.target(), target.expected(), result, evidence);
    }

    private String classify(FilterTargets.Target target, FilterTargets rules, ObjectNode evidence) {
        URI uri;
        try {
            uri = URI.create(target.target().contains("://") ? target.target() : "http://" + target.target() + "/");
        } catch (IllegalArgumentException e) {
            evidence.put("error", "not a host name or URL");
            return "error";
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (uri.getHost() == null || !(scheme.equals("http") || scheme.equals("https"))) {
            evidence.put("error", "only http and https targets can be tried");
            return "error";
        }
        boolean tls = scheme.equals("https");
        int port = uri.getPort() > 0 ? uri.getPort() : tls ? 443 : 80;
        InetAddress address;
        if (isLiteral(uri.getHost())) {
            try {
                address = InetAddress.getByName(uri.getHost());
            } catch (IOException e) {
                evidence.put("error", "bad address literal");
                return "error";
            }
        } else {
            Resolution dns = resolve(uri.getHost());
            evidence.put("dns", dns.outcome());
            if (dns.outcome().equals("nxdomain")) {
                return "blocked";
            }
            if (dns.addresses().isEmpty()) {
                return "error";
            }
            address = dns.addresses().getFirst();
            evidence.put("address", address.getHostAddress());
            if (UNROUTABLE.contains(address.getHostAddress()) || address.isLoopbackAddress()
                    || rules.sinkholes().contains(address.getHostAddress())) {
                evidence.put("dns", "sinkhole");
                return "blocked";
            }
        }
        evidence.put("address", address.getHostAddress());
        try (Socket socket = new Socket()) {
            try {
                socket.connect(new InetSocketAddress(address, port), (int) timeout.toMillis());
            } catch (SocketTimeoutException e) {
                evidence.put("connect", "timeout");
                return "blocked";
            } catch (ConnectException e) {
                evidence.put("connect", "refused");
                return "blocked";
            }
            socket.setSoTimeout((int) timeout.toMillis());
            Socket stream = socket;
            if (tls) {
                Optional<String> issuer;
                try {
                    SSLSocket ssl = handshake(socket, uri.getHost(), port);
                    issuer = issuer(ssl);
                    stream = ssl;
                } catch (SocketException e) {
                    evidence.put("connect", "reset");
                    return "blocked";
                } catch (IOException e) {
                    evidence.put("tls", "handshake failed");
                    return "blocked";
                }
                issuer.ifPresent(i -> evidence.put("issuer", i));
                if (issuer.isPresent() && rules.interceptionIssuers().stream().anyMatch(issuer.get()::contains)) {
                    evidence.put("tls", "intercepted");
                    return "blocked";
                }
            }
            return fetch(stream, uri, rules, evidence);
        } catch (SocketException e) {
            evidence.put("connect", "reset");
            return "blocked";
        } catch (IOException e) {
            evidence.put("error", e.getClass().getSimpleName());
            return "error";
        }
    }

    private String fetch(Socket socket, URI uri, FilterTargets rules, ObjectNode evidence) throws IOException {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String request = "GET " + path + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()) + " HTTP/1.1\r\n"
                + "Host: " + uri.getHost() + "\r\nUser-Agent: haven-filter-check\r\nAccept: text/html\r\nConnection: close\r\n\r\n";
        OutputStream out = socket.getOutputStream();
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        byte[] seen = new byte[byteCap];
        int n = 0;
        long deadline = System.nanoTime() + timeout.toNanos();
        InputStream in = socket.getInputStream();
        try {
            while (n < byteCap && System.nanoTime() < deadline) {
                int r = in.read(seen, n, byteCap - n);
                if (r < 0) {
                    break;
                }
                n += r;
            }
        } catch (SocketTimeoutException e) {
            if (n == 0) {
                evidence.put("http", "no answer");
                return "error";
            }
        }
        String text = new String(seen, 0, n, StandardCharsets.ISO_8859_1);
        java.util.Arrays.fill(seen, (byte) 0);
        evidence.put("bytes", n);
        if (n == 0) {
            evidence.put("connect", "closed");
            return "blocked";
        }
        int eol = text.indexOf("\r\n");
        String statusLine = eol < 0 ? text : text.substring(0, eol);
        String[] parts = statusLine.split(" ", 3);
        if (parts.length >= 2 && parts[0].startsWith("HTTP/") && parts[1].matches("[0-9]{3}")) {
            evidence.put("status", Integer.parseInt(parts[1]));
        }
        String lower = text.toLowerCase(Locale.ROOT);
        for (String signature : rules.blockPageSignatures()) {
            if (lower.contains(signature.toLowerCase(Locale.ROOT))) {
                evidence.put("blockPage", signature);
                return "blocked";
            }
        }
        return "reachable";
    }

    private record Resolution(String outcome, List<InetAddress> addresses) {
    }

    private Resolution resolve(String host) {
        Hashtable<String, String> env = new Hashtable<>();
        env.put("java.naming.factory.initial", "com.sun.jndi.dns.DnsContextFactory");
        env.put("java.naming.provider.url", resolver.map(r -> "dns://" + (r.contains(":") && !r.startsWith("[") ? "[" + r + "]" : r) + "/").orElse("dns:"));
        env.put("com.sun.jndi.dns.timeout.initial", Long.toString(Math.max(100, timeout.toMillis() / 2)));
        env.put("com.sun.jndi.dns.timeout.retries", "1");
        try {
            InitialDirContext dns = new InitialDirContext(env);
            try {
                Attributes attributes = dns.getAttributes(host.endsWith(".") ? host : host + ".", new String[] {"A", "AAAA"});
                List<InetAddress> addresses = new ArrayList<>();
                for (String type : List.of("A", "AAAA")) {
                    Attribute attribute = attributes.get(type);
                    if (attribute == null) {
                        continue;
                    }
                    NamingEnumeration<?> values = attribute.getAll();
                    while (values.hasMore()) {
                        addresses.add(InetAddress.getByName(values.next().toString()));
                    }
                }
                return new Resolution(addresses.isEmpty() ? "no address" : "resolved", addresses);
            } finally {
                dns.close();
            }
        } catch (NameNotFoundException e) {
            return new Resolution("nxdomain", List.of());
        } catch (NamingException | IOException e) {
            return new Resolution("no answer", List.of());
        }
    }

    private static boolean isLiteral(String host) {
        return host.startsWith("[") || host.matches("[0-9.]+") || host.contains(":");
    }

    private SSLSocket handshake(Socket socket, String host, int port) throws IOException {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            // The check wants to see whoever answers, the filter's interception CA included, so it trusts
            // every chain; nothing is sent over it but a GET without cookies, and nothing read is kept.
            context.init(null, new TrustManager[] {new SeeEveryChain()}, null);
            SSLSocket ssl = (SSLSocket) context.getSocketFactory().createSocket(socket, host, port, false);
            ssl.setSoTimeout((int) timeout.toMillis());
            ssl.startHandshake();
            return ssl;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("TLS is not available in this JVM", e);
        }
    }

    private static Optional<String> issuer(SSLSocket ssl) {
        try {
            var chain = ssl.getSession().getPeerCertificates();
            if (chain.length > 0 && chain[0] instanceof X509Certificate leaf) {
                return Optional.of(leaf.getIssuerX500Principal().getName());
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static final class SeeEveryChain implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
