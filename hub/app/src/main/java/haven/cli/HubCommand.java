package haven.cli;

import haven.classroom.Hub;
import haven.classroom.HubConfig;
import haven.config.ConfigFile;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "hub", description = "Run a classroom hub.")
final class HubCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, description = "hub.yaml")
    Path config;

    @Override
    public Integer call() throws Exception {
        Hub hub = Hub.start(HubConfig.from(ConfigFile.load(config)), Clock.systemUTC());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            hub.close();
            stopped.countDown();
        }, "hub-shutdown"));
        System.out.println("haven hub " + hub.config().room() + " ready kiosk=http://" + hub.config().httpHost() + ":" + hub.kioskPort() + "/");
        stopped.await();
        return 0;
    }
}
