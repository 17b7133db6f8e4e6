package haven.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Figures of a Linux process from /proc: what the kernel charges it, not what the JVM believes. */
record ProcStatus(long rssKib, long peakRssKib, int threads, Duration cpu) {

    static ProcStatus of(long pid) {
        long rss = -1;
        long hwm = -1;
        int threads = -1;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = kib(line);
                } else if (line.startsWith("VmHWM:")) {
                    hwm = kib(line);
                } else if (line.startsWith("Threads:")) {
                    threads = Integer.parseInt(line.substring(8).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process is gone: report what we have
        }
        Duration cpu = ProcessHandle.of(pid).flatMap(p -> p.info().totalCpuDuration()).orElse(Duration.ZERO);
        return new ProcStatus(rss, hwm, threads, cpu);
    }

    static ProcStatus self() {
        return of(ProcessHandle.current().pid());
    }

    private static long kib(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }

    double rssMib() {
        return rssKib / 1024.0;
    }

    double peakRssMib() {
        return peakRssKib / 1024.0;
    }
}
