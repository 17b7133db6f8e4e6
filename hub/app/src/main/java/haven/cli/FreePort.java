package haven.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Checks a listening port before anything starts, so a port already in use is one clear line (which
 * port, which option changes it) and exit 2, instead of a Jetty or Netty stack trace halfway through a
 * start. A program that takes the port between this check and the real bind still gets the stack trace.
 */
final class FreePort {
    private FreePort() {
    }

    /** Throws naming the port and {@code howToChange} when {@code port} (not 0) cannot be bound on {@code host}. */
    static void require(String host, int port, String howToChange) {
        if (port == 0) {
            return;
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(InetAddress.getByName(host), port));
        } catch (IOException e) {
            throw new IllegalArgumentException("port " + port + " on " + host + " is already in use (is another Haven still running?); "
                    + howToChange);
        }
    }
}
