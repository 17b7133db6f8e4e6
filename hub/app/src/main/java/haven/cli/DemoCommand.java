package haven.cli;

import haven.classroom.Hub;
import haven.demo.Demo;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", description = "Embedded MQTT broker, coordinator and simulated classrooms on this machine.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--rooms", defaultValue = "3", description = "simulated classrooms (default ${DEFAULT-VALUE})")
    int rooms;

    @Option(names = "--http-port", defaultValue = "8080", description = "dashboard port; kiosks use the next ones")
    int httpPort;

    @Option(names = "--mqtt-port", defaultValue = "1883", description = "embedded broker port")
    int mqttPort;

    @Option(names = "--data", defaultValue = "data", description = "folder for the SQLite files (default ./data)")
    Path data;

    @Option(names = "--site", defaultValue = "demo-school", description = "site id")
    String site;

    @Option(names = "--smtp", paramLabel = "HOST:PORT",
            description = "send the demo's e-mail to this SMTP server (no TLS, no login) instead of the built-in mail catcher")
    String smtp;

    @Option(names = "--ack-within", paramLabel = "DURATION", defaultValue = "2m",
            description = "how long a worry waits unacknowledged before the head is e-mailed too, e.g. 20s, 2m (default ${DEFAULT-VALUE})")
    String ackWithin;

    @Override
    public Integer call() throws Exception {
        if (rooms < 1 || rooms > 50) {
            throw new IllegalArgumentException("--rooms must be 1..50, got " + rooms);
        }
        FreePort.require("127.0.0.1", mqttPort, "choose another with --mqtt-port");
        FreePort.require("127.0.0.1", httpPort, "choose another with --http-port");
        for (int i = 1; httpPort != 0 && i <= rooms; i++) {
            FreePort.require("127.0.0.1", httpPort + i, "the kiosks use the " + rooms + " ports after --http-port: choose another --http-port");
        }
        Demo demo = new Demo(new Demo.Settings(rooms, httpPort, mqttPort, data, site, java.util.Optional.ofNullable(smtp),
                haven.coordinator.notify.NotifyConfig.duration(ackWithin)), Clock.systemUTC());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("\nhaven demo: stopping ...");
            demo.close();
            stopped.countDown();
        }, "demo-shutdown"));
        System.out.println();
        System.out.println("Haven demo is running.");
        System.out.println("  Dashboard (staff):  http://127.0.0.1:" + demo.coordinator().httpPort() + "/");
        for (Demo.Login login : demo.logins()) {
            System.out.printf("      login %-18s password %s   (%s)%n", login.name(), login.password(), login.role());
        }
        System.out.println("      demo only: no second factor (auth.requireTotpFor is empty); a school's coordinator, head and senior staff need one");
        if (demo.mailbox().catches()) {
            System.out.println("  E-mail to staff:    http://127.0.0.1:" + demo.coordinator().httpPort() + "/demo/mail"
                    + "   (mail catcher on smtp://" + demo.mailbox().smtpTarget() + ")");
        } else {
            System.out.println("  E-mail to staff:    sent to smtp://" + demo.mailbox().smtpTarget() + " (--smtp)");
        }
        System.out.println("      a new worry e-mails demo-coordinator@demo.invalid at once, and demo-head@demo.invalid after "
                + ackWithin + " unacknowledged");
        System.out.println("  Classroom kiosks:");
        for (Hub hub : demo.hubs()) {
            System.out.printf("      %-12s http://127.0.0.1:%d/%n", hub.config().room().room(), hub.kioskPort());
        }
        Hub first = demo.hubs().get(0);
        System.out.println("  Press a worry button (simulated GPIO):");
        System.out.println("      curl -X POST http://127.0.0.1:" + first.kioskPort() + "/api/sim/button");
        System.out.println("  MQTT broker: tcp://127.0.0.1:" + demo.mqttPort()
                + "   watch it: mosquitto_sub -p " + demo.mqttPort() + " -t 'haven/#' -v");
        System.out.println("  Data: " + data.toAbsolutePath() + "   Isolation backend: manual (never touches this machine's network)");
        System.out.println("Ctrl-C stops everything.");
        stopped.await();
        return 0;
    }
}
