package haven.cli;

import haven.config.ConfigFile;
import haven.coordinator.CoordinatorConfig;
import haven.coordinator.notify.Alert;
import haven.coordinator.notify.AlertKind;
import haven.coordinator.notify.Channel;
import haven.coordinator.notify.Contact;
import haven.coordinator.notify.Notifier;
import haven.coordinator.notify.NotifyConfig;
import haven.coordinator.notify.PushSubscriptions;
import haven.coordinator.notify.WebPush;
import haven.store.Database;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Sends a test alert over each of one contact's channels, so a school can check its notify: settings before a pupil needs them. */
@Command(name = "notify-test", mixinStandardHelpOptions = true,
        description = "Send a test alert to one contact over each of their channels; exit 0 when every channel accepted it.")
final class NotifyTestCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, description = "coordinator.yaml with a notify: section")
    Path config;

    @Option(names = "--contact", required = true, description = "the contact's staff account name, as in notify.contacts")
    String contact;

    @Override
    public Integer call() throws Exception {
        CoordinatorConfig coordinator = CoordinatorConfig.from(ConfigFile.load(config));
        NotifyConfig notify = coordinator.alerts()
                .orElseThrow(() -> new IllegalArgumentException("config " + config + " has no notify: section"));
        Contact who = Optional.ofNullable(notify.contacts().get(contact))
                .orElseThrow(() -> new IllegalArgumentException("--contact '" + contact + "' is not in notify.contacts (known: "
                        + String.join(", ", notify.contacts().keySet()) + ")"));
        Clock clock = Clock.systemUTC();
        try (Database db = coordinator.database().open("db/coordinator");
             HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()) {
            Optional<PushSubscriptions> devices = notify.push().map(p -> new PushSubscriptions(db, clock, new WebPush(new java.security.SecureRandom())));
            Map<String, Channel> channels = Notifier.channels(notify, devices, http, clock);
            Alert alert = new Alert(AlertKind.TEST, 0, "a test from haven notify-test (no pupil pressed anything)", clock.instant(),
                    clock.instant(), notify.dashboardUrl());
            boolean all = true;
            for (String name : who.channels()) {
                Channel.Outcome outcome = channels.get(name).send(who, alert);
                all &= outcome.accepted();
                System.out.printf("%-28s %s  %s%n", name, outcome.accepted() ? "accepted" : "FAILED  ", outcome.detail());
            }
            return all ? 0 : 1;
        }
    }
}
