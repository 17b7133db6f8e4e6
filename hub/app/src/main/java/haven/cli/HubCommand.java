package haven.cli;

import haven.classroom.Hub;
import haven.classroom.HubConfig;
import haven.config.ConfigFile;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "hub", description = "Run a classroom hub.")
final class HubCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, description = "hub.yaml")
    Path config;

    @Override
    public Integer call() throws Exception {
        HubConfig settings = HubConfig.from(ConfigFile.load(config));
        FreePort.require(settings.httpHost(), settings.httpPort(), "change http.port in " + config);
        Hub hub = Hub.start(settings, Clock.systemUTC());
        return UntilStopped.run(hub, "hub", "haven hub " + hub.config().room() + " ready kiosk=http://" + hub.config().httpHost() + ":" + hub.kioskPort() + "/");
    }
}
