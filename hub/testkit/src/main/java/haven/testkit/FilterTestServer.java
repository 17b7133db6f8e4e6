package haven.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The web side of a school filter, for {@link FilterNetwork}: run inside the filter namespace as
 * {@code FilterTestServer ADDRESS KEYSTORE PASSWORD}. Over HTTP it answers {@code Host: blockme.test} with the
 * filter's block page and anything else with an ordinary page; over HTTPS it presents the certificate of the
 * filter's interception CA (the keystore). Prints "ready" once both listen.
 */
public final class FilterTestServer {
    public static final String BLOCK_PAGE_SIGNATURE = "Blocked by Example Filter";
    public static final String INTERCEPTION_ISSUER = "CN=Example Filter Interception CA";

    private FilterTestServer() {
    }

    public static void main(String[] args) throws Exception {
        String address = args[0];
        HttpServer http = HttpServer.create(new InetSocketAddress(address, 80), 16);
        http.createContext("/", FilterTestServer::answer);
        http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        HttpsServer https = HttpsServer.create(new InetSocketAddress(address, 443), 16);
        https.setHttpsConfigurator(new HttpsConfigurator(tls(Path.of(args[1]), args[2].toCharArray())));
        https.createContext("/", FilterTestServer::answer);
        https.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        http.start();
        https.start();
        System.out.println("ready");
        System.out.flush();
        // Runs until the test destroys the process (or its stdin closes).
        InputStream in = System.in;
        while (in.read() >= 0) {
            // nothing to read; waits for end of stdin
        }
        http.stop(0);
        https.stop(0);
    }

    private static void answer(HttpExchange exchange) throws IOException {
        String host = String.valueOf(exchange.getRequestHeaders().getFirst("Host"));
        boolean blocked = host.startsWith("blockme.test");
        byte[] body = (blocked
                ? "<html><title>Access denied</title><h1>" + BLOCK_PAGE_SIGNATURE + "</h1><p>Category: adult</p></html>"
                : "<html><title>Games</title><h1>Welcome to the games site</h1></html>").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "text/html");
        exchange.sendResponseHeaders(blocked ? 403 : 200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static SSLContext tls(Path keystore, char[] password) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (FileInputStream in = new FileInputStream(keystore.toFile())) {
            ks.load(in, password);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        return context;
    }
}
