package haven.cli;

import haven.config.ConfigFile;
import haven.coordinator.Coordinator;
import haven.coordinator.CoordinatorConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "coordinator", description = "Run the coordinator: incident log and staff dashboard.")
final class CoordinatorCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, description = "coordinator.yaml")
    Path config;

    @Override
    public Integer call() throws Exception {
        CoordinatorConfig settings = CoordinatorConfig.from(ConfigFile.load(config));
        FreePort.require(settings.httpHost(), settings.httpPort(), "change http.port in " + config);
        Coordinator coordinator = Coordinator.start(settings, Clock.systemUTC());
        return UntilStopped.run(coordinator, "coordinator", "haven coordinator ready dashboard port=" + coordinator.httpPort());
    }
}
