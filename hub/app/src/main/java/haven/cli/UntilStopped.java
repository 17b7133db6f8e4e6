package haven.cli;

import java.util.concurrent.CountDownLatch;

/** Runs a started service until the JVM is told to stop (Ctrl-C, SIGTERM from systemd), then closes it. */
final class UntilStopped {
    private UntilStopped() {
    }

    static int run(AutoCloseable service, String name, String readyLine) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                service.close();
            } catch (Exception e) {
                System.err.println("haven " + name + ": stopping failed: " + e.getMessage());
            } finally {
                stopped.countDown();
            }
        }, name + "-shutdown"));
        System.out.println(readyLine);
        stopped.await();
        return 0;
    }
}
