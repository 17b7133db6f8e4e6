package haven.cli;

import haven.config.ConfigFile;
import haven.coordinator.Coordinator;
import haven.coordinator.CoordinatorConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "coordinator", description = "Run the coordinator: incident log and staff dashboard.")
final class CoordinatorCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, description = "coordinator.yaml")
    Path config;

    @Override
    public Integer call() throws Exception {
        Coordinator coordinator = Coordinator.start(CoordinatorConfig.from(ConfigFile.load(config)), Clock.systemUTC());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            coordinator.close();
            stopped.countDown();
        }, "coordinator-shutdown"));
        System.out.println("haven coordinator ready dashboard port=" + coordinator.httpPort());
        stopped.await();
        return 0;
    }
}
