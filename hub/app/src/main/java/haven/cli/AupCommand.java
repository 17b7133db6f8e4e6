package haven.cli;

import haven.config.ConfigFile;
import haven.coordinator.AupLibrary;
import haven.coordinator.CoordinatorConfig;
import haven.mqtt.MqttLink;
import haven.mqtt.MqttSettings;
import haven.protocol.AupMessage;
import haven.store.Database;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "aup", description = "Acceptable Use Policies.", subcommands = {AupCommand.Publish.class})
final class AupCommand implements Runnable {
    @Override
    public void run() {
        System.out.println("usage: haven aup publish --key-stage KS [--language cy] --config coordinator.yaml FILE.md");
    }

    @Command(name = "publish", description = "Publish a new AUP version for a key stage to every classroom of that key stage.")
    static final class Publish implements Callable<Integer> {
        @Option(names = "--key-stage", required = true, description = "eyfs, ks1, ks2, ks3, ks4 or staff")
        String keyStage;

        @Option(names = "--language", defaultValue = "en",
                description = "the AUP's language, as the kiosk's language button names it: en (default), cy, ar, pl, ro, ur, pa ...")
        String language;

        @Option(names = "--config", required = true, description = "coordinator.yaml (database and broker)")
        Path config;

        @Option(names = "--by", defaultValue = "cli", description = "who is publishing (recorded)")
        String by;

        @Parameters(index = "0", description = "the AUP as Markdown, starting with '# Title'")
        Path file;

        @Override
        public Integer call() throws Exception {
            if (!Files.isReadable(file)) {
                throw new IllegalArgumentException("cannot read " + file);
            }
            String markdown = Files.readString(file);
            if (markdown.length() > AupMessage.MAX_MARKDOWN) {
                throw new IllegalArgumentException(file + " is longer than " + AupMessage.MAX_MARKDOWN + " characters");
            }
            CoordinatorConfig c = CoordinatorConfig.from(ConfigFile.load(config));
            MqttSettings s = c.mqtt();
            MqttSettings cli = new MqttSettings(s.serverUri(), s.clientId() + "-aup-cli", s.username(), s.password(),
                    s.keepAliveSeconds(), true);
            try (Database db = c.database().open("db/coordinator"); MqttLink mqtt = new MqttLink(cli, null)) {
                mqtt.start();
                Instant deadline = Instant.now().plus(Duration.ofSeconds(15));
                while (!mqtt.isConnected() && Instant.now().isBefore(deadline)) {
                    Thread.sleep(100);
                }
                if (!mqtt.isConnected()) {
                    throw new IllegalArgumentException("cannot reach the broker at " + s.serverUri()
                            + "; nothing was published");
                }
                AupMessage m = new AupLibrary(db, mqtt, Clock.systemUTC(), c.sites(),
                        haven.coordinator.SigningKeyFile.loadOrCreate(c.signingKey())).publish(keyStage, language, markdown, by);
                System.out.println("published AUP " + m.keyStage() + " " + m.language() + " version " + m.version() + " (" + m.title() + ")");
            }
            return 0;
        }
    }
}
